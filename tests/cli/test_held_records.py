"""Two situations from real schools, end to end through the CLI (the cases of issue 14).

- one-bad-record: an élève without birth date, a guardianship of an unknown ELEVE_ID, a PP of a
  division STS-Web no longer has: each reported at its file and line, the rest imported.
- local-teacher: an STS `local` individual without FONCTION who holds a service teaches.
"""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

from lxml import etree

from tests.conftest import ROLLOVER_AT, Cli, Files, apply_campaign, edit, line_of

FIXTURES = Path(__file__).parent.parent / "fixtures"
CASE_UAI = "0861234X"


def _rolled_over(cli: Cli, folder: str) -> tuple[dict[str, object], dict[str, object], list[dict]]:
    assert cli("init", "--uai", CASE_UAI, "--name", "Collège des essais").exit_code == 0
    imported = cli("import", "--json", *sorted((FIXTURES / folder).glob("*.xml")))
    assert imported.exit_code == 0, imported.output
    planned = cli("plan", "--json", "--at", "2025-09-16T08:00")
    assert planned.exit_code == 0, planned.output
    assert cli("apply", "--yes", "--at", "2025-09-16T08:10").exit_code == 0
    accounts = json.loads(cli("accounts", "--json").stdout)
    return json.loads(imported.stdout), json.loads(planned.stdout), accounts


def _find(accounts: list[dict], profile: str, last: str) -> list[dict]:
    return [a for a in accounts if a["profile"] == profile and a["last_name"] == last]


def test_three_faulty_records_are_held_and_the_school_goes_through(cli: Cli) -> None:
    result, plan, accounts = _rolled_over(cli, "one-bad-record")
    assert result["status"] == "accepted"
    located = {(p["file"], p["line"]) for p in result["problems"] if p["severity"] == "held"}
    assert located == {("ElevesSansAdresses.xml", 11), ("ResponsablesAvecAdresses.xml", 27),
                       ("sts_emp_0861234X_2025.xml", 51)}  # each inside its faulty record
    pp = [(a["person"], a["target"]) for a in plan["actions"] if a.get("fact") == "pp"]
    assert pp == [("staff:epp:8949", "D:6A")]
    assert not [a for a in plan["actions"] if "5B" in f"{a.get('target')} {a['label']}"]
    (claire,) = _find(accounts, "enseignant", "DURAND")
    assert claire["status"] == "active"
    (lea,) = _find(accounts, "eleve", "MARTIN")
    assert lea["birth_date"] is None  # kept without a birth date, none invented
    (paul,) = _find(accounts, "responsable", "MARTIN")
    assert paul["status"] == "active"


def test_a_local_individual_without_fonction_who_holds_a_service_teaches(
    cli: Cli, tmp_path: Path,
) -> None:
    result, _plan, accounts = _rolled_over(cli, "local-teacher")
    (her,) = [a for a in accounts if a["last_name"] == "ZETOFREY"]
    assert (her["login"], her["status"], her["profile"]) == ("mzetofrey", "active", "enseignant")
    assert any(p["code"] == "fonction-absente" and p["line"] == 59 for p in result["problems"])
    assert cli("feed", "gar", "--out", tmp_path / "gar", "--at", "2025-09-20T08:00").exit_code == 0
    assert _gar_profiles(tmp_path / "gar", "ZETOFREY") == {"National_ens"}


def _gar_profiles(folder: Path, last_name: str) -> set[str]:
    files = list(folder.rglob("*Enseignant*.xml"))
    for archive in folder.rglob("*.tar.gz") if not files else ():
        with tarfile.open(archive) as tar:
            tar.extractall(folder / "extrait", filter="data")
        files = list((folder / "extrait").rglob("*Enseignant*.xml"))
    profiles: set[str] = set()
    for path in files:
        for person in etree.parse(path).getroot():
            texts = {etree.QName(e).localname: e.text for e in person.iter()}
            if texts.get("GARPersonNom") == last_name:
                profiles |= {e.text or "" for e in person.iter()
                             if etree.QName(e).localname == "GARPersonProfil"}
    return profiles


def test_a_known_eleve_whose_record_turns_faulty_is_held_in_the_plan_and_the_report(
    home_cli: Cli, files: Files, tmp_path: Path,
) -> None:
    apply_campaign(home_cli, files)
    path = files("ElevesSansAdresses.xml")[0]
    edit(path, "<DATE_SORTIE>20/12/2026", "<DATE_SORTIE>31/02/2027")
    report = tmp_path / "qualite.html"
    assert home_cli("import", "--report", report, *files()).exit_code == 0
    assert "Fiches retenues (1)" in report.read_text(encoding="utf-8")
    plan = json.loads(home_cli("plan", "--json", "--at", ROLLOVER_AT).stdout)
    (held,) = plan["held"]
    assert (held["label"], held["file"], held["line"], held["known"]) == (
        "ÉMERY Timothée", "ElevesSansAdresses.xml", line_of(path, 'ELEVE_ID="1000006"'), True)
    assert "DATE_SORTIE" in held["reason"] and held["hint"]
    assert not [a for a in plan["actions"] if a["person"] == held["person"]]
    text = home_cli("plan", "--at", ROLLOVER_AT).stdout
    assert "1 personne(s) retenue(s)" in text and "ÉMERY Timothée" in text
