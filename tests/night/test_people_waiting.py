"""A night that applies a plan leaving people held or review cases open says who, in its report
(JSON: the existing keys unchanged, counts and names added) and in the operators' digest
(newcomer 8, fault 7): « appliqué » alone hid them."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

from bascule.mail.digest import ReportReference, night_digest
from bascule.reports.night import PeopleWaiting
from bascule.reports.night_files import school_from_json, school_json
from tests.conftest import UAI, Cli, Files, apply_campaign, edit
from tests.mail.test_night_mails import NIGHT, _report

AT = "2026-10-01T10:00"


def _drop(cli: Cli, files: Files) -> None:
    """The edited exports, in the school's drop folder for the night."""
    depot = cli.home / "depot" / UAI
    depot.mkdir(parents=True)
    for path in files("ElevesSansAdresses.xml", "ResponsablesAvecAdresses.xml",
                      f"sts_emp_{UAI}_2026.xml"):
        shutil.copy(path, depot / path.name)


def test_the_night_report_says_who_the_applied_plan_left_held(home_cli: Cli,
                                                               files: Files) -> None:
    apply_campaign(home_cli, files)
    edit(files("ElevesSansAdresses.xml")[0], "<DATE_SORTIE>20/12/2026",
         "<DATE_SORTIE>31/08/2026")  # Timothée ÉMERY leaves, held by hand: his account stays
    assert home_cli("hold", "add", "temery", "--until", "2026-12-31", "--reason",
                    "départ en janvier", "--at", AT).exit_code == 0
    edit(files("ElevesSansAdresses.xml")[0], "<NOM_DE_FAMILLE>MARTIN</NOM_DE_FAMILLE>",
         "<NOM_DE_FAMILLE>MARTIN-ROUX</NOM_DE_FAMILLE>")  # applied (a first name would be asked)
    _drop(home_cli, files)
    result = home_cli("run", "--at", "2026-10-01T02:30", "--jobs", "1", "--json")
    assert result.exit_code == 0, result.output
    (school,) = json.loads(result.stdout)["schools"]
    assert school["outcome"] == "applied" and school["held"] is None  # the contract, unchanged
    assert (school["people_held"], school["reviews_open"]) == (1, 0)
    (who,) = school["people_waiting"]["held"]
    assert who.startswith("ÉMERY Timothée : ") and "départ en janvier" in who
    assert school["reason"].endswith(" ; 1 personne retenue : rien n'est fait pour cette "
                                     "personne tant que ce n'est pas réglé")
    assert school_from_json(school).waiting == PeopleWaiting(held=(who,))


def test_the_digest_names_the_people_held_and_the_open_review_cases() -> None:
    report = _report(NIGHT)
    applied = replace(report.schools[1], waiting=PeopleWaiting(
        held=("ÉMERY Timothée : retenu à la main jusqu'au 31/12/2026",),
        reviews=("HÉBERT Léo : même INE qu'un autre élève",)))
    report = replace(report, schools=(report.schools[0], applied))
    mail = night_digest(report, to=("dsi@cd86.test",), failures=(), notices_sent=0,
                        console_url="", report_reference=ReportReference())
    text = mail.text
    assert ("    personnes retenues par le plan, inchangées tant que ce n'est pas réglé :\n"
            "      - ÉMERY Timothée : retenu à la main jusqu'au 31/12/2026\n") in text
    assert ("    cas à examiner (bascule review list, ou la page « Revue des identités » de la "
            "console) :\n      - HÉBERT Léo : même INE qu'un autre élève\n") in text
    assert "<li>HÉBERT Léo : même INE qu&#39;un autre élève</li>" in mail.html
    assert "mot de passe" not in text
    assert school_json(applied)["held"] is None


def test_a_night_with_nothing_new_still_says_who_waits(home_cli: Cli, files: Files) -> None:
    apply_campaign(home_cli, files)
    edit(files("ElevesSansAdresses.xml")[0], "<PRENOM>Timothée</PRENOM>",
         "<PRENOM>Timéo</PRENOM>")  # another first name under his INE: asked (rule row 6)
    _drop(home_cli, files)
    first = home_cli("run", "--at", "2026-10-01T02:30", "--jobs", "1", "--json")
    assert first.exit_code == 0, first.output
    (applied,) = json.loads(first.stdout)["schools"]
    assert applied["reviews_open"] == 1

    # The next night: no new export, nothing decided, the plan is not computed again.
    again = home_cli("run", "--at", "2026-10-02T02:30", "--jobs", "1", "--json")
    assert again.exit_code == 0, again.output
    (school,) = json.loads(again.stdout)["schools"]
    assert {step["step"]: step["status"] for step in school["steps"]}["plan"] == "unchanged"
    assert school["people_waiting"] == applied["people_waiting"]  # the same people, still
    assert (school["people_held"], school["reviews_open"]) == (applied["people_held"], 1)
    (case,) = school["people_waiting"]["reviews"]
    assert case.startswith("ÉMERY Timéo : ")
    assert "1 cas à examiner" in school["reason"]
