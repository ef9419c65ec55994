"""plan, apply, accounts: the rollover from a staged campaign to the directory, through the CLI."""

from __future__ import annotations

import csv
import json
import sqlite3
import stat
from pathlib import Path

import pytest
from pypdf import PdfReader

from bascule.synthetic.generate import GeneratedCollege
from tests.conftest import ROLLOVER_AT, UAI, Cli, Files, apply_campaign, edit

SUMMARY_KEYS = {"create", "update", "move", "transfer", "disable", "reactivate", "delete",
                "structures", "memberships"}


def _plan(cli: Cli, *args: str) -> dict[str, object]:
    result = cli("plan", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


@pytest.fixture
def imported(home_cli: Cli, files: Files) -> Cli:
    assert home_cli("import", *files()).exit_code == 0
    return home_cli


def test_the_first_plan_creates_every_account_with_its_logins(imported: Cli) -> None:
    plan = _plan(imported)
    summary = plan["summary"]
    assert set(summary) == SUMMARY_KEYS  # type: ignore[arg-type]
    assert summary["create"] == 13 and summary["disable"] == 0  # type: ignore[index]
    assert summary["structures"] == {"add": 4, "remove": 0, "create": 4,  # type: ignore[index]
                                     "retire": 0}
    logins = {(a["label"], a["login"], a["educonnect"]) for a in plan["actions"]  # type: ignore
              if a["kind"] == "create"}
    assert ("MARTIN Léa", "lmartin", "l.martin") in logins
    assert ("MARTIN Léa", "lmartin2", "l.martin2") in logins  # the homonym born the same day
    assert ("MARTIN Paul", None, "p.martin") in logins  # responsables: EduConnect only
    assert ("DURAND Claire", "cdurand", None) in logins  # staff: network only
    assert not any(a["label"].startswith("ŒHMICHEN") for a in plan["actions"])  # type: ignore
    assert all({"kind", "profile", "person", "login"} <= set(a)  # type: ignore[arg-type]
               for a in plan["actions"])  # type: ignore[union-attr]


def test_plan_writes_nothing_but_the_saved_plan(imported: Cli) -> None:
    _plan(imported)
    accounts = imported("accounts", "--json")
    assert json.loads(accounts.stdout) == []


def test_apply_then_a_second_plan_is_empty(imported: Cli) -> None:
    summary = _plan(imported)["summary"]
    result = imported("apply", "--yes")
    assert result.exit_code == 0, result.output
    links = summary["memberships"]["add"]  # type: ignore[index]
    said = " ".join(result.stdout.split())
    assert (f"Plan appliqué pour {UAI} : 13 comptes créés, 4 divisions et groupes ajoutés, "
            f"{links} liens ajoutés.") in said  # the links the plan announced, structures apart
    again = _plan(imported)
    assert again["actions"] == [] and again["summary"]["create"] == 0  # type: ignore[index]
    assert "Rien à faire" in imported("plan").stdout


def test_history_and_the_plan_count_structures_as_the_apply_does(imported: Cli) -> None:
    """Newcomer 8, fault 12: the plan said « 0 nouveau » while adding the year's structures,
    history « N liens ajoutés » with the structures among them."""
    summary = _plan(imported)["summary"]
    links = summary["memberships"]["add"]  # type: ignore[index]
    assert ("Divisions et groupes de l'année : +4 −0 (codes nouveaux dans l'établissement : 4 "
            in imported("plan").stdout)
    assert imported("apply", "--yes").exit_code == 0
    said = " ".join(imported("history").stdout.split())
    assert f"13 comptes créés, 4 divisions et groupes ajoutés, {links} liens ajoutés" in said
    (applied,) = json.loads(imported("history", "--json").stdout)
    assert (applied["counts"]["add_structure"], applied["counts"]["add"]) == (4, links)


def test_apply_needs_yes(imported: Cli) -> None:
    _plan(imported)
    result = imported("apply")
    assert result.exit_code == 1
    assert "confirmez avec --yes" in result.stderr
    assert json.loads(imported("accounts", "--json").stdout) == []


def test_a_stale_plan_is_refused_and_nothing_is_written(imported: Cli, files: Files) -> None:
    _plan(imported)
    edit(files("ElevesSansAdresses.xml")[0], "<PRENOM>Timothée", "<PRENOM>Timothé")
    assert imported("import", *files()).exit_code == 0  # a newer campaign staged since
    result = imported("apply", "--yes")
    assert result.exit_code == 1
    assert "Le plan enregistré n'est plus à jour" in result.stderr
    assert json.loads(imported("accounts", "--json").stdout) == []
    assert not (imported.home / "credentials").exists() or not any(
        (imported.home / "credentials").rglob("*.csv"))


def test_credentials_are_written_once_privately_and_never_stored(imported: Cli) -> None:
    _plan(imported)
    imported("apply", "--yes")
    (path,) = (imported.home / "credentials").rglob("comptes.csv")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbflogin;educonnect;nom;prenom;profil;division;mot_de_passe")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert len(rows) == 13
    store = b"".join(p.read_bytes() for p in imported.home.glob("bascule.sqlite*"))
    for row in rows:
        assert len(row["mot_de_passe"]) >= 12
        assert row["mot_de_passe"].encode() not in store
    assert b"$argon2id$" in store


def test_accounts_lists_every_field(imported: Cli) -> None:
    _plan(imported)
    imported("apply", "--yes")
    rows = json.loads(imported("accounts", "--json").stdout)
    lea = next(r for r in rows if r["login"] == "lmartin")
    assert lea == {"login": "lmartin", "educonnect": "l.martin", "profile": "eleve",
                   "status": "active", "last_name": "MARTIN", "first_name": "Léa",
                   "birth_date": "2014-03-14", "division": "6A", "groups": ["6LV1 ANG"],
                   "ine": "1234567890A", "source_ids": {"elenoet": "2643",
                                                        "eleve_id": "1000001",
                                                        "ine": "1234567890A",
                                                        "ine_rnie": "1234567890A"},
                   "initial_password": True, "exit_date": None,
                   "password_origin": "initial"}
    staff = json.loads(imported("accounts", "--json", "--profile", "enseignant").stdout)
    assert {r["login"] for r in staff} == {"cdurand", "jlegoff", "lfrancois"}
    assert imported("accounts", "--csv").stdout.startswith(
        "\ufeffidentifiant;identifiant EduConnect;profil;état;nom;prénom")
    assert ";14/03/2014;6A;" in imported("accounts", "--csv").stdout  # dates as people write
    in_french = json.loads(imported("accounts", "--json", "--profile", "Élève",
                                    "--status", "actif").stdout)
    assert {r["profile"] for r in in_french} == {"eleve"} and len(in_french) > 1


def test_a_leaver_is_disabled_and_comes_back_with_the_same_account(
    imported: Cli, files: Files, college: Path,
) -> None:
    _plan(imported)
    imported("apply", "--yes")
    edit(files("ElevesSansAdresses.xml")[0], "<DATE_SORTIE>20/12/2026",
         "<DATE_SORTIE>31/08/2026")
    imported("import", *files())
    plan = _plan(imported)
    disabled = [a for a in plan["actions"] if a["kind"] == "disable"]  # type: ignore[union-attr]
    assert [(a["label"], a["login"]) for a in disabled] == [("ÉMERY Timothée", "temery")]
    assert imported("apply", "--yes").exit_code == 0
    edit(files("ElevesSansAdresses.xml")[0], "<DATE_SORTIE>31/08/2026",
         "<DATE_SORTIE>20/12/2026")
    imported("import", *files())
    back = _plan(imported)
    assert [(a["kind"], a["login"]) for a in back["actions"]  # type: ignore[union-attr]
            if a["profile"] == "eleve"] == [("reactivate", "temery")]


def test_a_name_change_updates_identity_but_keeps_the_login(imported: Cli,
                                                            files: Files) -> None:
    _plan(imported)
    imported("apply", "--yes")
    edit(files("ElevesSansAdresses.xml")[0], "<NOM_DE_FAMILLE>ÉMERY", "<NOM_DE_FAMILLE>ÉMERIC")
    imported("import", *files())
    plan = _plan(imported)
    (update,) = [a for a in plan["actions"] if a["kind"] == "update"]  # type: ignore
    assert update["login"] == "temery"
    assert update["changes"] == [
        {"field": "last_name", "before": "ÉMERY", "after": "ÉMERIC"},
        {"field": "birth_name", "before": "ÉMERY", "after": "ÉMERIC"}]


def test_a_year_rollover_promotes_moves_and_disables_leavers(
    cli: Cli, generated: GeneratedCollege,
) -> None:
    cli("init", "--uai", generated.uai, "--name", "Collège généré")
    first, second = generated.folders
    assert cli("import", first).exit_code == 0
    _plan(cli)
    assert cli("apply", "--yes").exit_code == 0
    assert cli("import", second).exit_code == 0
    plan = _plan(cli)
    summary = plan["summary"]
    assert summary["create"] >= 100 and summary["disable"] >= 100  # type: ignore[index,operator]
    assert summary["move"] >= 300  # type: ignore[index,operator]
    disabled_eleves = [a for a in plan["actions"]  # type: ignore[union-attr]
                       if a["kind"] == "disable" and a["profile"] == "eleve"]
    assert sum(1 for a in disabled_eleves if (a["division"] or "").startswith("3")) >= 0.8 * len(
        disabled_eleves)
    assert cli("apply", "--yes").exit_code == 0
    assert _plan(cli)["actions"] == []


def test_a_truncated_export_trips_the_circuit_breaker(cli: Cli, tmp_path: Path) -> None:
    from bascule.synthetic.generate import generate_campaigns

    (college,) = generate_campaigns(tmp_path / "exports", seed=11, year=2025, size=200)
    cli("init", "--uai", college.uai, "--name", "Collège")
    cli("import", college.folders[0])
    _plan(cli)
    cli("apply", "--yes")
    # The same year again, but the élèves export lost a fifth of its élèves.
    truncated = tmp_path / "truncated"
    truncated.mkdir()
    for path in college.folders[0].iterdir():
        if "Responsables" not in path.name:
            (truncated / path.name).write_bytes(path.read_bytes())
    _drop_eleves(truncated / "ExportXML_ElevesSansAdresses.zip", keep=0.8)
    assert cli("import", truncated).exit_code == 0
    plan = _plan(cli)
    (leave,) = [m for m in plan["mass_leaves"] if m["profile"] == "eleve"]  # type: ignore
    assert leave["unexpected"] >= 0.15 * leave["active"]
    refused = cli("apply", "--yes")
    assert refused.exit_code == 1
    assert "désactiverait trop de comptes d'un coup" in refused.stderr
    assert "comptes « élève »" in refused.stderr and "--allow-mass-leave" in refused.stderr
    assert cli("apply", "--yes", "--allow-mass-leave", "--reason", "test").exit_code == 0


def test_a_normal_rollover_where_the_3e_leave_passes(
    cli: Cli, generated: GeneratedCollege,
) -> None:
    cli("init", "--uai", generated.uai, "--name", "Collège")
    cli("import", generated.folders[0])
    _plan(cli)
    cli("apply", "--yes")
    cli("import", generated.folders[1])
    plan = _plan(cli)
    assert plan["mass_leaves"] == []
    assert plan["summary"]["disable"] > 100  # type: ignore[index,operator]


def _drop_eleves(zip_path: Path, keep: float) -> None:
    """Remove the last élèves of an export, as a truncated download would."""
    import re
    import zipfile

    with zipfile.ZipFile(zip_path) as archive:
        (name,) = archive.namelist()
        text = archive.read(name).decode("iso-8859-15")
    eleves = re.findall(r"\s*<ELEVE ELEVE_ID=\"(\d+)\".*?</ELEVE>", text, flags=re.S)
    for eleve_id in eleves[int(len(eleves) * keep):]:
        for tag in ("ELEVE", "OPTION", "STRUCTURES_ELEVE"):
            text = re.sub(rf"\s*<{tag} ELEVE_ID=\"{eleve_id}\".*?</{tag}>", "", text,
                          flags=re.S)
    with zipfile.ZipFile(zip_path, "w") as archive:
        archive.writestr(name, text.encode("iso-8859-15"))


def test_one_printable_slip_file_per_division_staff_category_and_for_responsables(
        imported: Cli) -> None:
    _plan(imported)
    imported("apply", "--yes")
    (folder,) = (imported.home / "credentials" / UAI).iterdir()
    slips = {path.name: path for path in folder.glob("fiches-*.pdf")}
    assert set(slips) == {"fiches-6A.pdf", "fiches-5_B_1.pdf",  # division "5 B/1"
                          "fiches-enseignants.pdf", "fiches-personnels_de_direction.pdf",
                          "fiches-personnels_administratifs_et_techniques.pdf",
                          "fiches-responsables.pdf"}
    for path in slips.values():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert path.read_bytes().startswith(b"%PDF-")
    assert slips["fiches-6A.pdf"].read_bytes().count(b"/Type /Page\n") == 1  # 3 slips, 1 page
    passwords = {row["login"] or row["educonnect"]: row["mot_de_passe"] for row in csv.DictReader(
        (folder / "comptes.csv").read_text(encoding="utf-8-sig").splitlines(), delimiter=";")}
    teachers = _pdf_text(slips["fiches-enseignants.pdf"])
    assert "DURAND" in teachers and passwords["cdurand"] in teachers
    assert "EduConnect" not in teachers.replace("choisissez EduConnect", "")  # no such login
    parents = _pdf_text(slips["fiches-responsables.pdf"])
    assert "p.martin" in parents and passwords["p.martin"] in parents
    assert "site de l'ENT" in parents and "réseau du collège" not in parents


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_an_empty_plan_applies_without_writing_anything(imported: Cli) -> None:
    from sqlalchemy import create_engine, text

    _plan(imported)
    imported("apply", "--yes")
    engine = create_engine(f"sqlite:///{imported.home / 'bascule.sqlite'}")

    def journal_and_version() -> tuple[object, ...]:
        with engine.connect() as connection:
            return (connection.execute(text("SELECT count(*) FROM journal")).scalar(),
                    connection.execute(text("SELECT version FROM directory_version")).scalar())

    before = journal_and_version()
    assert _plan(imported)["actions"] == []
    assert imported("apply", "--yes").exit_code == 0
    assert journal_and_version() == before
    assert _plan(imported)["actions"] == []
    engine.dispose()


def test_eleves_and_staff_share_the_network_namespace(imported: Cli, files: Files) -> None:
    # A teacher named like two élèves: the third "lmartin" of the network.
    edit(files(f"sts_emp_{UAI}_2026.xml")[0], "<NOM_USAGE>LE GOFF</NOM_USAGE>",
         "<NOM_USAGE>MARTIN</NOM_USAGE>")
    edit(files(f"sts_emp_{UAI}_2026.xml")[0], "<PRENOM>Jean-Baptiste</PRENOM>",
         "<PRENOM>Léon</PRENOM>")
    imported("import", *files())
    logins = {(a["label"], a["login"], a["educonnect"])
              for a in _plan(imported)["actions"] if a["kind"] == "create"}  # type: ignore
    assert ("MARTIN Léon", "lmartin3", None) in logins
    assert ("MARTIN Paul", None, "p.martin") in logins  # EduConnect is another namespace


def test_staff_of_a_csv_not_given_this_time_are_left_alone(imported: Cli, files: Files) -> None:
    _plan(imported)
    imported("apply", "--yes")
    without_csv = [path for path in files() if path.suffix != ".csv"]
    imported("import", *without_csv)
    plan = _plan(imported)
    assert not [a for a in plan["actions"] if a["kind"] == "disable"]  # type: ignore[union-attr]


def test_new_and_retired_structures_are_named(imported: Cli, files: Files) -> None:
    _plan(imported)
    imported("apply", "--yes")
    edit(files("Structures.xml")[0], "<GROUPE CODE_STRUCTURE=\"5 Théâtre\">",
         "<GROUPE CODE_STRUCTURE=\"6 Chorale\"><LIBELLE_LONG>CHORALE</LIBELLE_LONG>"
         "<DIVISIONS_APPARTENANCE><DIVISION_APPARTENANCE><CODE_STRUCTURE>6A</CODE_STRUCTURE>"
         "</DIVISION_APPARTENANCE></DIVISIONS_APPARTENANCE></GROUPE>"
         "<GROUPE CODE_STRUCTURE=\"5 Théâtre\">")
    imported("import", *files())
    plan = _plan(imported)
    assert plan["structures_created"] == ["G:6 Chorale"]
    assert plan["structures_retired"] == []
    assert ("Divisions et groupes de l'année : +1 −0 (codes nouveaux dans l'établissement : 1 "
            "(6 Chorale) ; codes qu'il n'a plus : aucun)") in imported(
        "plan").stdout


def test_a_login_may_follow_a_new_name_when_the_school_says_so(imported: Cli,
                                                                files: Files) -> None:
    with (imported.home / "bascule.toml").open("a", encoding="utf-8") as config:
        config.write("\n[accounts]\nlogin_follows_name_change = true\n")
    _plan(imported)
    imported("apply", "--yes")
    edit(files("ElevesSansAdresses.xml")[0], "<NOM_DE_FAMILLE>ÉMERY", "<NOM_DE_FAMILLE>ROUX")
    imported("import", *files())
    (update,) = [a for a in _plan(imported)["actions"] if a["kind"] == "update"]  # type: ignore
    assert (update["login"], update["educonnect"]) == ("troux", "t.roux")
    assert {"field": "login pnom", "before": "temery", "after": "troux"} in update["changes"]
    assert imported("apply", "--yes").exit_code == 0
    rows = json.loads(imported("accounts", "--json").stdout)
    assert {r["login"] for r in rows} >= {"troux"} and "temery" not in {r["login"] for r in rows}
    assert _plan(imported)["actions"] == []


def test_an_account_holding_a_name_now_reserved_is_renamed_by_the_next_plan(
        imported: Cli) -> None:
    _plan(imported)
    imported("apply", "--yes")
    # A store of an older bascule gave Tom ÉMERY « users », a group of Active Directory.
    # Its "nothing to plan" marker did not know the table of reserved names of today.
    with sqlite3.connect(imported.home / "bascule.sqlite") as store:
        store.execute("UPDATE login SET login = 'users' WHERE login = 'temery'")
        store.execute("UPDATE directory_version SET in_sync_fingerprint = "
                      "substr(in_sync_fingerprint, 1, length(in_sync_fingerprint) - 13)")
        # Nor did it keep a plan's basis (its migrations came before plan_basis).
        store.execute("DELETE FROM plan_basis")
    (update,) = [a for a in _plan(imported)["actions"] if a["kind"] == "update"]  # type: ignore
    assert update["login"] == "temery"
    assert {"field": "login pnom", "before": "users", "after": "temery"} in update["changes"]
    assert imported("apply", "--yes").exit_code == 0
    logins = {r["login"] for r in json.loads(imported("accounts", "--json").stdout)}
    assert "temery" in logins and "users" not in logins
    assert _plan(imported)["actions"] == []


def test_a_bad_setting_is_named_with_its_file(imported: Cli) -> None:
    with (imported.home / "bascule.toml").open("a", encoding="utf-8") as config:
        config.write("\n[accounts]\nlogin_follows_name_change = \"oui\"\n")
    result = imported("plan")
    assert result.exit_code == 1
    assert "accounts.login_follows_name_change doit être de type bool" in result.stderr


@pytest.mark.parametrize(("length", "said"), [(11, "trop faible"), (65, "trop grand")])
def test_a_password_length_out_of_bounds_is_refused_in_words(imported: Cli, length: int,
                                                             said: str) -> None:
    with (imported.home / "bascule.toml").open("a", encoding="utf-8") as config:
        config.write(f"\n[passwords]\nmin_length = {length}\n")
    result = imported("plan")
    assert result.exit_code == 1 and said in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize(("option", "value", "allowed"), [
    ("--profile", "pupil", "élève, responsable, enseignant"),
    ("--status", "activ", "actif, désactivé, supprimé"),
])
def test_an_unknown_filter_value_is_refused_with_the_allowed_ones(
        imported: Cli, option: str, value: str, allowed: str) -> None:
    refused = imported("accounts", "--json", option, value)
    assert refused.exit_code == 2 and refused.stdout == ""
    assert f"{option} « {value} »" in refused.stderr and allowed in refused.stderr


def test_the_plan_tables_fit_an_80_column_terminal(imported: Cli,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    result = imported("plan")
    assert result.exit_code == 0, result.output
    headers = [line for line in result.stdout.splitlines() if line.startswith("┃")]
    assert headers and not any("…" in line for line in headers), headers
    assert any("créer" in line for line in headers)  # the columns of what the plan does
    assert not any("réactiver" in line for line in headers)  # none of what it does not


@pytest.mark.parametrize("given", [
    ("ElevesSansAdresses.xml",),
    ("ElevesSansAdresses.xml", "Nomenclature.xml", "personnes_locales.csv"),
    ("ElevesSansAdresses.xml", "ResponsablesAvecAdresses.xml", "Structures.xml"),
])
def test_a_partial_import_leaves_what_it_does_not_speak_for(home_cli: Cli, files: Files,
                                                            given: tuple[str, ...]) -> None:
    """« pas de fichier … : les responsables ne sont pas mis à jour par cet import »: their
    guardianships stay, as do the services and PP without STS-Web and the structures'
    descriptions without Structures.xml or STS-Web; nothing is removed, nothing described
    twice."""
    apply_campaign(home_cli, files)
    assert home_cli("import", *files(*given)).exit_code == 0
    plan = _plan(home_cli, "--at", ROLLOVER_AT)
    facts = [a for a in plan["actions"] if a["kind"] in ("add", "remove")]  # type: ignore[union-attr]
    assert facts == [], facts


def test_a_rehearsal_plan_is_not_applied_once_its_school_year_is_over(imported: Cli) -> None:
    """Planned for a day of its school year (--at), applied after that year without the
    --at: refused, nothing applied, and the refusal gives the rehearsal's own command."""
    assert imported("plan", "--at", ROLLOVER_AT).exit_code == 0
    late = imported("apply", "--yes", "--at", "2027-09-02T08:00")
    assert late.exit_code == 1
    said = " ".join(late.stderr.split())
    assert "est celui de l'année scolaire 2026-2027, terminée le 31/08/2027" in said
    assert "Rien n'a été appliqué" in said and f"--at {ROLLOVER_AT}" in said
    assert json.loads(imported("accounts", "--json").stdout) == []
    assert imported("apply", "--yes", "--at", ROLLOVER_AT).exit_code == 0  # its own day


def test_applying_with_no_plan_waiting_says_so_before_anything_else(imported: Cli) -> None:
    refused = imported("apply", "--yes")
    assert refused.exit_code == 1
    assert refused.stderr.lstrip().startswith(
        "Erreur : Aucun plan n'est en attente pour cet établissement")
    assert f"bascule plan --uai {UAI}" in refused.stderr


def test_an_apply_dated_later_than_today_says_it_is_real(imported: Cli) -> None:
    assert imported("plan", "--at", ROLLOVER_AT).exit_code == 0
    today_or_before = imported("apply", "--yes", "--at", ROLLOVER_AT)
    assert today_or_before.exit_code == 0 and "elle est réelle" not in today_or_before.stderr
    assert imported("plan", "--at", "2099-09-10T10:00").exit_code == 0
    later = imported("apply", "--yes", "--at", "2099-09-10T10:00")
    said = " ".join(later.stderr.split())
    assert later.exit_code == 0 and "datée du jeudi 10/09/2099 (--at) mais elle est réelle" in said
    assert "les retenues, le calendrier et les dates de sortie sont lus ce jour-là" in said


@pytest.mark.machine_clock
def test_a_plan_of_an_earlier_day_applied_today_says_so(imported: Cli) -> None:
    """Computed on 10/09/2026 for that day, applied a day later: it is applied as planned for
    that day (its exit dates, holds, calendar), and the apply says so and what else to do."""
    assert imported("plan", "--at", ROLLOVER_AT).exit_code == 0
    imported.plan_computed_on_its_own_day()
    today = imported("apply", "--yes", "--at", "2026-09-11T10:00")
    said = " ".join(today.stderr.split())
    assert today.exit_code == 0
    assert "ce plan a été calculé pour le jeudi 10/09/2026 : il est appliqué tel quel" in said
    assert "recalculez-le et relisez-le d'abord" in said
    assert imported("plan", "--at", ROLLOVER_AT).exit_code == 0  # nothing left: nothing said
    again = imported("apply", "--yes", "--at", ROLLOVER_AT)
    assert "calculé pour le" not in again.stderr


@pytest.mark.machine_clock
def test_a_rehearsal_plan_applied_by_a_rehearsal_of_a_later_day_is_said(imported: Cli) -> None:
    """The rehearsed nights (newcomer 9, finding 5): a plan held on a rehearsed 10/09/2026,
    applied by the rehearsal of 11/09 as the real night of 11/09 would apply it: as planned
    for its day, and said."""
    assert imported("plan", "--at", ROLLOVER_AT).exit_code == 0
    later = imported("apply", "--yes", "--at", "2026-09-11T10:00")
    assert later.exit_code == 0, later.output
    said = " ".join(later.stderr.split())
    assert "ce plan a été calculé pour le jeudi 10/09/2026 : il est appliqué tel quel" in said
    assert json.loads(imported("accounts", "--json").stdout)


@pytest.mark.machine_clock
def test_a_rehearsal_plan_applies_on_its_own_day_only(imported: Cli) -> None:
    """Computed today with --at for 10/09/2026 (a rehearsal), applied for real (today):
    refused, nothing applied, the hint gives the rehearsal's own command; on its day it
    applies."""
    assert imported("plan", "--at", ROLLOVER_AT).exit_code == 0
    other_day = imported("apply", "--yes")
    said = " ".join(other_day.stderr.split())
    assert other_day.exit_code != 0
    assert ("Ce plan est une répétition, calculée pour le jeudi 10/09/2026 (--at) : il ne "
            "s'applique que ce jour-là. Rien n'a été appliqué.") in said
    assert f"bascule apply --yes --at {ROLLOVER_AT}" in said
    assert "il est appliqué tel quel" not in said  # refused, not said to be applied
    assert json.loads(imported("accounts", "--json").stdout) == []
    assert imported("apply", "--yes", "--at", ROLLOVER_AT).exit_code == 0
