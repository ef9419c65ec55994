"""Per-person holds (bascule hold add|list|remove) and selective acceptance (bascule approve
--exclude): a held person's account is left exactly as it is, the hold ends by itself after
its last day, the plan lists it and its hash covers it."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.cli.test_plan_differences import _LEA_MOVED, _LEA_STRUCTURES
from tests.conftest import Cli, Files, apply_campaign, edit

AT = "2026-10-01T10:00"


def _plan(cli: Cli, *args: str) -> dict[str, list[dict[str, object]]]:
    result = cli("plan", "--json", "--at", AT, *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def _accounts(cli: Cli) -> dict[str, dict[str, object]]:
    return {row["login"] or row["educonnect"]: row
            for row in json.loads(cli("accounts", "--json").stdout)}


def _pending_sha256(cli: Cli) -> str:
    with sqlite3.connect(cli.home / "bascule.sqlite") as store:
        (digest,) = store.execute("SELECT content_sha256 FROM saved_plan "
                                  "ORDER BY id DESC LIMIT 1").fetchone()
    return str(digest)


@pytest.fixture
def applied(home_cli: Cli, files: Files) -> Cli:
    apply_campaign(home_cli, files)
    return home_cli


@pytest.fixture
def leaving(applied: Cli, files: Files) -> Cli:
    """Timothée ÉMERY (temery) leaves: the next plan would disable his account."""
    edit(files("ElevesSansAdresses.xml")[0], "<DATE_SORTIE>20/12/2026",
         "<DATE_SORTIE>31/08/2026")
    assert applied("import", *files()).exit_code == 0
    return applied


def test_a_held_leaver_is_untouched_by_the_apply_and_the_hold_ends_by_itself(
        leaving: Cli) -> None:
    assert [a["login"] for a in _plan(leaving)["actions"] if a["kind"] == "disable"] == [
        "temery"]
    added = leaving("hold", "add", " TEmery ", "--until", "2026-12-31", "--reason",
                    "départ en janvier : garder son compte", "--at", AT)  # as copied
    assert added.exit_code == 0, added.output
    assert "retenu(e) jusqu'au 31/12/2026" in added.stdout
    plan = _plan(leaving)
    assert not [a for a in plan["actions"] if a["person"] == "eleve:1000006"]
    (held,) = [h for h in plan["held"] if h["until"]]
    assert (held["label"], held["until"], held["by"]) == ("ÉMERY Timothée", "2026-12-31",
                                                          "cli:" + str(held["by"])[4:])
    assert "départ en janvier" in str(held["reason"])
    text = leaving("plan", "--at", AT).stdout
    assert "ÉMERY Timothée" in text and "jusqu'au 31/12/2026" in text
    assert leaving("apply", "--yes", "--at", AT).exit_code == 0
    assert _accounts(leaving)["temery"]["status"] == "active"
    # The last day still holds; the day after, the plan disables him, nobody having to act.
    assert not [a for a in _plan(leaving, "--at", "2026-12-31T18:00")["actions"]
                if a["kind"] == "disable"]
    after = _plan(leaving, "--at", "2027-01-01T08:00")
    assert [a["login"] for a in after["actions"] if a["kind"] == "disable"] == ["temery"]
    assert not [h for h in after["held"] if h["until"]]


def test_the_plan_hash_covers_the_holds(applied: Cli) -> None:
    _plan(applied)
    before = _pending_sha256(applied)
    assert applied("hold", "add", "lmartin", "--until", "2026-12-31", "--reason", "litige",
                   "--at", AT).exit_code == 0
    assert applied("apply", "--yes", "--at", AT).exit_code == 1  # that plan is stale now
    _plan(applied)
    assert _pending_sha256(applied) != before


def test_a_held_person_keeps_name_division_and_login_across_an_apply(applied: Cli,
                                                                   files: Files) -> None:
    with (applied.home / "bascule.toml").open("a", encoding="utf-8") as config:
        config.write("\n[accounts]\nlogin_follows_name_change = true\n")
    eleves = files("ElevesSansAdresses.xml")[0]
    edit(eleves, "<NOM_DE_FAMILLE>MARTIN</NOM_DE_FAMILLE>",
         "<NOM_DE_FAMILLE>MARTIN-ROUX</NOM_DE_FAMILLE>")
    edit(eleves, _LEA_STRUCTURES, _LEA_MOVED)
    assert applied("import", *files()).exit_code == 0
    before = _accounts(applied)["lmartin"]
    assert applied("hold", "add", "eleve:1000001", "--until", "31/08/2027", "--reason",
                   "fiche contestée par la famille", "--at", AT).exit_code == 0
    plan = _plan(applied)
    assert not [a for a in plan["actions"] if a["person"] == "eleve:1000001"]
    assert applied("apply", "--yes", "--at", AT).exit_code == 0
    assert _accounts(applied)["lmartin"] == before  # name, division, groups, login, status
    listed = applied("hold", "list", "--json", "--at", AT)
    (row,) = json.loads(listed.stdout)
    assert (row["person"], row["running"], row["origin"]) == ("eleve:1000001", True, "manual")
    removed = applied("hold", "remove", str(row["number"]), "--at", AT)
    assert removed.exit_code == 0, removed.output
    assert [a["kind"] for a in _plan(applied)["actions"]
            if a["person"] == "eleve:1000001" and "fact" not in a] == ["update", "move"]
    journal = json.loads(applied("audit", "--json").stdout)
    assert {"retenue", "retenue_levee"} <= {entry["action"] for entry in journal}


def test_planned_again_with_nothing_to_do_the_people_held_are_still_listed(
        applied: Cli, files: Files) -> None:
    """A plan that need not be computed (the directory holds the campaign) lists the people
    the plan in force left held, and its problems (newcomer 11: « Rien à faire » and no one
    held, while the night counted them)."""
    eleves = files("ElevesSansAdresses.xml")[0]
    edit(eleves, "<ID_NATIONAL>4444444444F</ID_NATIONAL>", "<ID_NATIONAL>2222222222D</ID_NATIONAL>")
    edit(eleves, "<DATE_SORTIE>20/12/2026", "<DATE_SORTIE>31/08/2026")  # something to apply
    assert applied("import", *files()).exit_code == 0
    plan = _plan(applied)
    assert "eleve:1000007" in {held["person"] for held in plan["held"]}, plan["held"]
    assert applied("apply", "--yes", "--at", AT).exit_code == 0
    again = _plan(applied)
    assert again["actions"] == [] and again["held"] == plan["held"], again["held"]
    assert again["problems"] == plan["problems"]


def test_a_person_held_while_in_sync_is_acted_on_once_the_hold_ends(applied: Cli,
                                                                    files: Files) -> None:
    edit(files("ElevesSansAdresses.xml")[0], "<NOM_DE_FAMILLE>MARTIN</NOM_DE_FAMILLE>",
         "<NOM_DE_FAMILLE>MARTIN-ROUX</NOM_DE_FAMILLE>")
    assert applied("import", *files()).exit_code == 0
    assert applied("hold", "add", "lmartin", "--until", "2026-10-15", "--reason", "à vérifier",
                   "--at", AT).exit_code == 0
    _plan(applied)
    assert applied("apply", "--yes", "--at", AT).exit_code == 0  # nothing but the hold
    assert _plan(applied, "--at", "2026-10-15T18:00")["actions"] == []
    later = _plan(applied, "--at", "2026-10-16T08:00")
    assert [a["kind"] for a in later["actions"]] == ["update"]


def test_a_hold_needs_its_reason_a_day_to_come_and_a_direction_or_operator(
        applied: Cli) -> None:
    no_reason = applied("hold", "add", "lmartin", "--until", "2026-12-31", "--reason", " ",
                        "--at", AT)
    assert no_reason.exit_code == 1 and "raison" in no_reason.stderr
    past = applied("hold", "add", "lmartin", "--until", "2026-09-01", "--reason", "x",
                   "--at", AT)
    assert past.exit_code == 1 and "déjà passée" in past.stderr
    teacher = applied("hold", "add", "lmartin", "--until", "2026-12-31", "--reason", "x",
                      "--by", "cdurand", "--at", AT)
    assert teacher.exit_code == 1 and "Refusé" in teacher.stderr
    principal = applied("hold", "add", "lmartin", "--until", "2026-12-31", "--reason", "x",
                        "--by", "idasilva", "--at", AT)
    assert principal.exit_code == 0, principal.output
    again = applied("hold", "add", "lmartin", "--until", "2027-01-31", "--reason", "y",
                    "--at", AT)
    assert again.exit_code == 1 and "déjà retenu(e)" in again.stderr
    unknown = applied("hold", "add", "personne", "--until", "2026-12-31", "--reason", "x",
                      "--at", AT)
    assert unknown.exit_code == 1 and "personne" in unknown.stderr


def test_approving_with_an_exclusion_holds_that_person_and_approves_the_new_plan(
        leaving: Cli) -> None:
    _plan(leaving)
    first = _pending_sha256(leaving)
    silent = leaving("approve-plan", "--exclude", "temery", "--at", AT)
    assert silent.exit_code == 2 and "raison" in silent.stderr
    stranger = leaving("approve-plan", "--exclude", "lmartin", "--reason", "x", "--at", AT)
    assert stranger.exit_code == 1 and "aucune action" in stranger.stderr
    result = leaving("approve-plan", "--exclude", "temery", "--reason", "la famille conteste le "
                     "départ", "--empreinte", first, "--at", AT)
    assert result.exit_code == 0, result.output
    assert "Retenu(e) : ÉMERY Timothée" in result.stdout and "1 exclue(s)" in result.stdout
    approved = _pending_sha256(leaving)
    assert approved != first and approved[:12] in result.stdout
    (row,) = json.loads(leaving("hold", "list", "--json", "--at", AT).stdout)
    assert (row["person"], row["origin"], row["until"]) == ("eleve:1000006", "excluded",
                                                            "2027-08-31")
    assert leaving("apply", "--yes", "--at", AT).exit_code == 0
    assert _accounts(leaving)["temery"]["status"] == "active"
    journal = json.loads(leaving("audit", "--json").stdout)
    assert "approbation" in {entry["action"] for entry in journal}


def test_an_exclusion_approved_later_keeps_the_plans_moment(home_cli: Cli, files: Files) -> None:
    """A rehearsal's plan (--at 2026-10-01) approved after its school year with an exclusion:
    the plan computed again is the one read, for its own moment, less the person excluded
    (not today's plan, where that hold would already be over and the person created)."""
    assert home_cli("import", *files()).exit_code == 0
    (lea,) = [a for a in _plan(home_cli)["actions"] if a["login"] == "lmartin"]
    late = "2027-10-05T10:00"
    result = home_cli("approve-plan", "--exclude", "lmartin", "--reason", "doublon ?",
                      "--at", late)
    assert result.exit_code == 0, result.output
    (row,) = json.loads(home_cli("hold", "list", "--json", "--at", AT).stdout)
    assert (row["person"], row["until"]) == (lea["person"], "2027-08-31")
    assert home_cli("apply", "--yes", "--at", AT).exit_code == 0
    names = [(row["last_name"], row["first_name"])
             for row in json.loads(home_cli("accounts", "--json").stdout)]
    assert names.count(("MARTIN", "Léa")) == 1  # her homonym only


def test_a_creation_excluded_at_approval_is_not_created(home_cli: Cli, files: Files) -> None:
    assert home_cli("import", *files()).exit_code == 0
    plan = _plan(home_cli)
    (lea,) = [a for a in plan["actions"] if a["login"] == "lmartin"]
    result = home_cli("approve-plan", "--exclude", str(lea["person"]), "--reason", "doublon ?",
                      "--at", AT)
    assert result.exit_code == 0, result.output
    assert home_cli("apply", "--yes", "--at", AT).exit_code == 0
    names = [(row["last_name"], row["first_name"])
             for row in json.loads(home_cli("accounts", "--json").stdout)]
    assert names.count(("MARTIN", "Léa")) == 1  # her homonym only
    again = _plan(home_cli)
    assert not [a for a in again["actions"] if a["person"] == lea["person"]]
    (held,) = [h for h in again["held"] if h["until"]]
    assert (held["person"], held["known"]) == (lea["person"], False)


def test_a_deletion_excluded_at_approval_waits_for_the_hold_to_end(home_cli: Cli,
                                                                   files: Files) -> None:
    apply_campaign(home_cli, files, at="2026-09-02T08:00")
    edit(files("ElevesSansAdresses.xml")[0], "<DATE_SORTIE>20/12/2026", "<DATE_SORTIE>31/08/2026")
    apply_campaign(home_cli, files, at="2026-09-03T08:00")  # temery disabled
    due = "2026-09-15T08:00"
    assert json.loads(home_cli("lifecycle", "--json", "--at", due).stdout)[
        "summary"]["delete"] == 1
    excluded = home_cli("approve-plan", "--exclude", "temery", "--reason", "dossier en appel",
                        "--until", "2026-09-30", "--at", due)
    assert excluded.exit_code == 0, excluded.output
    assert "0 action(s), 1 exclue(s)" in excluded.stdout  # the deletions, recomputed
    assert home_cli("apply", "--yes", "--at", due).exit_code == 0
    assert json.loads(home_cli("accounts", "--json", "--status", "deleted").stdout) == []
    later = json.loads(home_cli("lifecycle", "--json", "--at", "2026-10-01T08:00").stdout)
    assert later["summary"]["delete"] == 1


def test_an_approval_stops_when_the_recomputed_plan_holds_an_action_not_read(
        applied: Cli, files: Files) -> None:
    edit(files("ElevesSansAdresses.xml")[0], "<NOM_DE_FAMILLE>MARTIN</NOM_DE_FAMILLE>",
         "<NOM_DE_FAMILLE>MARTIN-ROUX</NOM_DE_FAMILLE>")
    assert applied("import", *files()).exit_code == 0
    _plan(applied)  # read; then the exports change again before the approval
    edit(files("ElevesSansAdresses.xml")[0], "<DATE_NAISS>11/11/2014</DATE_NAISS>",
         "<DATE_NAISS>12/11/2014</DATE_NAISS>")  # a first name changed would be held, asked
    assert applied("import", *files()).exit_code == 0
    late = applied("approve-plan", "--exclude", "lmartin", "--reason", "à vérifier",
                   "--at", AT)
    assert late.exit_code == 1 and "ÉMERY Timoth" in late.stderr, late.output
    with sqlite3.connect(applied.home / "bascule.sqlite") as store:
        assert store.execute("SELECT approved_by FROM saved_plan ORDER BY id DESC LIMIT 1"
                             ).fetchone() == (None,)


def test_an_approval_later_approves_the_plan_read_not_todays(applied: Cli,
                                                               files: Files) -> None:
    """Read on 1 October, approved on 4 January with an exclusion: the plan approved is the
    one read less Léa's change; Timothée's departure, due since (DATE_SORTIE 20/12/2026), is
    the next plan's, as with an approval without exclusion."""
    edit(files("ElevesSansAdresses.xml")[0], "<NOM_DE_FAMILLE>MARTIN</NOM_DE_FAMILLE>",
         "<NOM_DE_FAMILLE>MARTIN-ROUX</NOM_DE_FAMILLE>")
    assert applied("import", *files()).exit_code == 0
    _plan(applied)
    late = applied("approve-plan", "--exclude", "lmartin", "--reason", "à vérifier",
                   "--at", "2027-01-04T08:00")
    assert late.exit_code == 0, late.output
    assert applied("apply", "--yes", "--at", "2027-01-04T08:00").exit_code == 0
    accounts = _accounts(applied)
    assert accounts["temery"]["status"] == "active" and accounts["lmartin"]["last_name"] == \
        "MARTIN"
    assert [a["person"] for a in _plan(applied, "--at", "2027-01-04T08:00")["actions"]
            if a["kind"] == "disable"] == ["eleve:1000006"]


def test_a_held_leavers_responsables_keep_their_accounts(applied: Cli, files: Files) -> None:
    """Élève 1000002 leaves and so would her only responsable; held, she keeps her account
    and her links, so her responsable keeps theirs."""
    edit(files("ElevesSansAdresses.xml")[0], "<DATE_NAISS>02/11/2013</DATE_NAISS>",
         "<DATE_NAISS>02/11/2013</DATE_NAISS><DATE_SORTIE>31/08/2026</DATE_SORTIE>")
    assert applied("import", *files()).exit_code == 0
    leaving = {a["person"]: a["profile"] for a in _plan(applied)["actions"]
               if a["kind"] == "disable"}
    assert sorted(leaving.values()) == ["eleve", "responsable"], leaving
    assert applied("hold", "add", "eleve:1000002", "--until", "31/12/2026", "--reason",
                   "départ contesté", "--at", AT).exit_code == 0
    assert not [a for a in _plan(applied)["actions"] if a["person"] in leaving]


def test_the_september_deletions_keep_a_held_leavers_responsables(applied: Cli,
                                                                 files: Files) -> None:
    """Élève 1000002 and her only responsable were disabled when she left; held afterwards,
    she is not deleted in September, nor is her responsable (their link is of the year she
    left, and the apply that disabled them removed it: its change record keeps it)."""
    edit(files("ElevesSansAdresses.xml")[0], "<DATE_NAISS>02/11/2013</DATE_NAISS>",
         "<DATE_NAISS>02/11/2013</DATE_NAISS><DATE_SORTIE>31/08/2026</DATE_SORTIE>")
    assert applied("import", *files()).exit_code == 0
    leaving = {a["person"] for a in _plan(applied, "--at", "2026-09-11T08:00")["actions"]
               if a["kind"] == "disable"}
    assert applied("apply", "--yes", "--at", "2026-09-11T08:00").exit_code == 0
    assert applied("hold", "add", "eleve:1000002", "--until", "31/12/2026", "--reason",
                   "départ contesté", "--at", "2026-09-12T08:00").exit_code == 0
    deletions = json.loads(applied("lifecycle", "--json", "--at", "2026-09-15T08:00").stdout)
    deleted = {a["person"] for a in deletions["actions"]}
    assert len(leaving) == 2 and not deleted & leaving, (leaving, deleted)
    text = " ".join(applied("lifecycle", "--at", "2026-09-15T08:00").stdout.split())
    (held,) = deletions["held"]
    assert "1 personne(s) retenue(s)" in text and f"{held['label']}" in text
    assert "départ contesté" in text  # why, in the text as in its --json
    assert applied("hold", "remove", "eleve:1000002").exit_code == 0
    deletions = json.loads(applied("lifecycle", "--json", "--at", "2026-09-15T08:00").stdout)
    assert {a["person"] for a in deletions["actions"]} >= leaving  # the hold lifted: deleted


def test_an_approval_before_the_plans_moment_says_to_apply_it_at_that_moment(
        home_cli: Cli, files: Files) -> None:
    assert home_cli("import", *files()).exit_code == 0
    assert home_cli("plan", "--at", "2026-10-05T10:00").exit_code == 0
    approved = home_cli("approve-plan", "--at", AT)
    assert approved.exit_code == 0, approved.output
    assert "bascule apply --yes --at 2026-10-05T10:00" in approved.stdout
    assert home_cli("apply", "--yes", "--at", "2026-10-05T10:00").exit_code == 0


def test_a_wholly_other_person_under_a_responsables_id_is_held_for_review(
        applied: Cli, files: Files) -> None:
    """PERSONNE_ID 2000004 was BŒUF Jérôme; the export now names MOREAU Sylvie under it: the
    account is not renamed and given to her in silence, she waits for a decision."""
    responsables = files("ResponsablesAvecAdresses.xml")[0]
    edit(responsables, "<NOM>BŒUF</NOM>\n        <PRENOM>Jérôme</PRENOM>\n        "
         "<LC_CIVILITE>M.</LC_CIVILITE>", "<NOM>MOREAU</NOM>\n        <PRENOM>Sylvie</PRENOM>"
         "\n        <LC_CIVILITE>MME</LC_CIVILITE>")
    assert applied("import", *files()).exit_code == 0
    plan = _plan(applied)
    assert not [a for a in plan["actions"] if a["person"] == "responsable:2000004"]
    assert "responsable:2000004" in {h["person"] for h in plan["held"]}
    (case,) = json.loads(applied("review", "list", "--json").stdout)
    (candidate,) = case["candidates"]
    assert candidate["rule"] == "même PERSONNE_ID, mais nom et prénom tous deux différents"


def test_an_exclusion_whose_hold_would_be_over_on_the_plans_day_is_refused(
        home_cli: Cli, files: Files) -> None:
    assert home_cli("import", *files()).exit_code == 0
    _plan(home_cli)  # for 1 October 2026
    over = home_cli("approve-plan", "--exclude", "lmartin", "--reason", "doublon ?",
                    "--until", "30/09/2026", "--at", AT)
    assert over.exit_code == 1 and "est déjà passée" in over.stderr
    assert json.loads(home_cli("hold", "list", "--json", "--at", AT).stdout) == []


def test_approving_when_no_plan_waits_says_so_and_how_to_prepare_one(applied: Cli) -> None:
    """After the apply no plan waits: the refusal says there is none (not « plus celui en
    attente », which sends the person looking for another plan) and how to prepare one."""
    refused = applied("approve-plan", "--at", AT)
    assert refused.exit_code == 1
    assert "Aucun plan n'est en attente pour cet établissement" in refused.stderr
    assert "plus celui en attente" not in refused.stderr
    assert "bascule plan --uai" in refused.stderr


def test_a_plan_out_of_date_is_not_approved(leaving: Cli) -> None:
    """A hold put after the plan was computed: approving it is refused (its apply would be),
    with how to go on."""
    _plan(leaving)
    assert leaving("hold", "add", "temery", "--until", "2026-12-31", "--reason", "contesté",
                   "--at", AT).exit_code == 0
    refused = leaving("approve-plan", "--at", AT)
    said = " ".join(refused.stderr.split())
    assert refused.exit_code == 1 and "Le plan en attente n'est plus à jour" in said
    assert "Recalculez-le (bascule plan" in said
    _plan(leaving)
    assert leaving("approve-plan", "--at", AT).exit_code == 0


def test_a_past_day_in_a_rehearsal_points_to_at(leaving: Cli) -> None:
    """Newcomer 8, fault 13: --until of the rehearsal's year, without its --at."""
    past = leaving("hold", "add", "temery", "--until", "30/09/2025", "--reason", "essai")
    assert past.exit_code == 1
    said = " ".join(past.stderr.split())
    assert "La date de fin de la retenue (30/09/2025) est déjà passée (nous sommes le " in said
    assert ("Pour une répétition datée avec --at (bascule plan --at …), donnez le même --at à "
            "hold add.") in said
