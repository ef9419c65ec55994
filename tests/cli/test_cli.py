"""The command line: exit codes, French messages with file and line, and a store left untouched."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bascule.cli.app import app
from tests.conftest import ROLLOVER_AT, UAI, Cli, Files, edit, line_of


def test_init_creates_the_home_with_its_configuration(cli: Cli) -> None:
    result = cli("init", "--uai", UAI, "--name", "Collège Jean Moulin")
    assert result.exit_code == 0
    assert "créé" in result.stdout
    config = (cli.home / "bascule.toml").read_text(encoding="utf-8")
    assert '[schools.0860999U]\nname = "Collège Jean Moulin"' in config
    assert (cli.home / "bascule.sqlite").exists()
    again = cli("init", "--uai", UAI, "--name", "Collège Jean Moulin")
    assert "déjà prêt, inchangé" in again.stdout


def test_a_home_holds_several_schools(cli: Cli) -> None:
    cli("init", "--uai", UAI, "--name", "Collège Jean Moulin")
    result = cli("init", "--uai", "0750654D", "--name", "Collège Henri IV")
    assert result.exit_code == 0
    assert "établissement ajouté" in result.stdout and "créé" not in result.stdout
    assert "0860999U · Collège Jean Moulin" in result.stdout
    assert "0750654D · Collège Henri IV" in result.stdout


def test_init_refuses_a_malformed_uai_in_french(cli: Cli) -> None:
    result = cli("init", "--uai", "86999", "--name", "X")
    assert result.exit_code == 1
    assert "« 86999 » n'est pas un UAI valide." in result.stderr
    assert "7 chiffres et une lettre-clé" in result.stderr
    assert "Traceback" not in result.output
    assert not (cli.home / "bascule.toml").exists()


def test_init_renames_a_school_only_when_asked(cli: Cli) -> None:
    cli("init", "--uai", UAI, "--name", "Collège Jean Moulin")
    typo = cli("init", "--uai", UAI, "--name", "Collège Jean Mouiln")
    assert typo.exit_code == 1
    assert "0860999U est déjà dans ce dossier, sous le nom « Collège Jean Moulin »" in typo.stderr
    assert "ajoutez --rename" in typo.stderr
    renamed = cli("init", "--uai", UAI, "--name", "Collège Jean-Moulin", "--rename")
    assert renamed.exit_code == 0 and "0860999U · Collège Jean-Moulin" in renamed.stdout
    assert "Collège Jean Moulin\"" not in (cli.home / "bascule.toml").read_text(encoding="utf-8")


def test_init_warns_when_the_key_letter_looks_wrong(cli: Cli) -> None:
    result = cli("init", "--uai", "0860999X", "--name", "Collège d'exemple")
    assert result.exit_code == 0
    assert "la lettre-clé de 0860999X devrait être U" in result.stdout


def test_a_folder_holding_a_bascule_folder_names_it(cli: Cli) -> None:
    inner = Cli(cli.home / "demo", cli.runner)
    assert inner("init", "--uai", "0860999U", "--name", "Collège d'exemple").exit_code == 0
    result = cli("accounts")  # « make demo » made bascule-data/demo; the default is bascule-data
    assert result.exit_code == 1
    assert f"bascule --home {cli.home / 'demo'} …" in " ".join(result.stderr.split())


def test_import_without_a_home_says_how_to_create_it(cli: Cli, files: Files) -> None:
    result = cli("import", *files())
    assert result.exit_code == 1
    assert "n'est pas un dossier bascule" in result.stderr
    assert "bascule --home DOSSIER init --uai UAI" in result.stderr


def test_import_stages_the_campaign_and_prints_counts(home_cli: Cli, files: Files) -> None:
    result = home_cli("import", *files())
    assert result.exit_code == 0, result.output
    assert "0860999U · année scolaire 2026-2027 · export du 02/09/2026" in result.stdout
    assert "Import accepté" in result.stdout and "campagne enregistrée" in result.stdout
    assert "│ Élèves " in result.stdout and "│ 5 B/1 " in result.stdout
    assert len(home_cli.store_rows()) == 1


def test_the_same_import_twice_changes_nothing(home_cli: Cli, files: Files) -> None:
    first = home_cli("import", *files())
    listed = [line for line in first.stdout.splitlines() if line.startswith("  ") and ".xml:"
              in line]
    before = home_cli.store_rows()
    result = home_cli("import", *reversed(files()))
    assert result.exit_code == 0
    assert "déjà importée à l'identique, rien n'a changé" in result.stdout
    assert "Avertissements (3)" in result.stdout  # its warnings are counted again...
    assert len(listed) == 3 and not any(line in result.stdout for line in listed)  # not listed
    assert home_cli.store_rows() == before


def test_check_only_writes_nothing(home_cli: Cli, files: Files) -> None:
    result = home_cli("import", "--check", *files())
    assert result.exit_code == 0
    assert "vérification seule" in result.stdout
    assert home_cli.store_rows() == []


def test_import_json_has_counts_and_problems(home_cli: Cli, files: Files) -> None:
    result = home_cli("import", "--json", *files())
    document = json.loads(result.stdout)
    assert document["status"] == "accepted" and document["staging"] == "staged"
    assert document["counts"]["eleve"] == 4 and document["counts"]["eleves_inactive"] == 3
    assert document["divisions"] == {"5 B/1": 1, "6A": 3}
    inactive = [p for p in document["problems"] if p["code"] == "eleve-inactif"]
    assert {p["record"] for p in inactive} == {"élève 1000003", "élève 1000004", "élève 1000005"}


def test_the_quality_report_is_written_for_the_office(home_cli: Cli, files: Files,
                                                      tmp_path: Path) -> None:
    report = tmp_path / "rapport.html"
    assert home_cli("import", "--report", report, *files()).exit_code == 0
    html = report.read_text(encoding="utf-8")
    assert "Qualité des exports — Collège Jean Moulin" in html
    assert "Homonymes nés le même jour dans une même division : 1" in html
    assert "Divisions sans professeur principal : 1" in html
    assert "Groupes sans enseignant : 1" in html
    line = line_of(files()[0], 'ELEVE_ID="1000003"')
    assert f"ElevesSansAdresses.xml:{line} · élève 1000003" in html


def test_names_in_the_report_are_escaped(home_cli: Cli, files: Files, tmp_path: Path) -> None:
    edit(files("ElevesSansAdresses.xml")[0], "<NOM>D'ALMEIDA</NOM>",
         "<NOM>&lt;script&gt;alert(1)&lt;/script&gt;</NOM>")
    report = tmp_path / "rapport.html"
    home_cli("import", "--report", report, *files())
    html = report.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


RECORD_FAULTS = [
    ("ElevesSansAdresses.xml", "<DATE_NAISS>02/11/2013", "<DATE_NAISS>31/02/2013",
     'ELEVE_ID="1000002"', "élève 1000002 · DATE_NAISS « 31/02/2013 » n'est pas une date"),
    ("ElevesSansAdresses.xml", "<NOM>D'ALMEIDA</NOM>", "<NOM></NOM>",
     'ELEVE_ID="1000003"', "élève 1000003 · NOM_DE_FAMILLE est vide"),
    ("ElevesSansAdresses.xml", 'ELEVE ELEVE_ID="1000007"', 'ELEVE ELEVE_ID="1000006"',
     'ELEVE_ID="1000006" ELENOET="2649"', "ELEVE_ID 1000006 figure deux fois"),
    ("ResponsablesAvecAdresses.xml", '<PERSONNE PERSONNE_ID="2000004">',
     '<PERSONNE PERSONNE_ID="2000001">', 'PERSONNE_ID="2000001">\n        <NOM>',
     "PERSONNE_ID 2000001 figure deux fois"),
    (f"sts_emp_{UAI}_2026.xml", '<INDIVIDU ID="8951"', '<INDIVIDU ID="8950"',
     '<INDIVIDU ID="8950" TYPE="epp">\n        <SEXE>2', "l'identifiant 8950 figure deux fois"),
    ("ResponsablesAvecAdresses.xml", "<RESPONSABLE_ELEVE>\n        <ELEVE_ID>1000007",
     "<RESPONSABLE_ELEVE>\n        <ELEVE_ID>1000009",
     "<RESPONSABLE_ELEVE>\n        <ELEVE_ID>1000009",
     "ELEVE_ID « 1000009 » ne correspond à aucun élève"),
    ("ElevesSansAdresses.xml", "<PRENOM>Noël", "<PRENOM>No&#x9;ël",
     'ELEVE_ID="1000003"', "contient un caractère de contrôle"),
]
RECORD_FAULT_IDS = ["date", "empty-name", "dup-eleve", "dup-personne", "dup-individu",
                    "unknown-ref", "control-char"]
FILE_FAULTS = [
    ("ElevesSansAdresses.xml", "<PRENOM>Timothée", "<PRENOM>TimothÃ©e",
     'ELEVE_ID="1000006"', "PRENOM « TimothÃ©e » est mal encodé"),
    ("ElevesSansAdresses.xml", "<UAJ>0860999U", "<UAJ>0750654D", "<UAJ>",
     "« 0750654D » : ce fichier vient d'un autre établissement que celui de ce dossier bascule "
     "(0860999U)"),
    ("ResponsablesAvecAdresses.xml", "<ANNEE_SCOLAIRE>2026", "<ANNEE_SCOLAIRE>2025",
     "<ANNEE_SCOLAIRE>", "année scolaire 2025-2026, alors que ElevesSansAdresses.xml"),
    ("ElevesSansAdresses.xml", "</ELEVES>", "</ELEVE>", "</ELEVE>\n    <OPTIONS>",
     "XML mal formé ou tronqué"),
]


def _refuse_on_any_error(home: Path) -> None:
    config = home / "bascule.toml"
    config.write_text(config.read_text(encoding="utf-8")
                      + "\n[import]\nrefuse_on_any_error = true\n", encoding="utf-8")


def _assert_refused(home_cli: Cli, files: Files, name: str, old: str, new: str, needle: str,
                    expected: str) -> None:
    home_cli("import", *files())  # a previous campaign, which must stay as it is
    before = home_cli.store_rows()
    path = files(name)[0]
    edit(path, old, new)
    result = home_cli("import", *files())
    assert result.exit_code == 1
    assert expected in result.stderr
    line = line_of(path, needle)
    located = [row for row in result.stderr.splitlines() if expected in row
               or f"{name}:" in row]
    assert any(f"{name}:{line}" in row for row in located), result.stderr
    assert "Import refusé" in result.stderr and "rien n'a été enregistré" in result.stderr
    assert "Traceback" not in result.output
    assert home_cli.store_rows() == before


@pytest.mark.parametrize(("name", "old", "new", "needle", "expected"), FILE_FAULTS,
                         ids=["mojibake", "other-uai", "mixed-years", "malformed"])
def test_a_file_in_doubt_is_refused_naming_file_and_line_and_writes_nothing(
    home_cli: Cli, files: Files, name: str, old: str, new: str, needle: str, expected: str,
) -> None:
    _assert_refused(home_cli, files, name, old, new, needle, expected)


@pytest.mark.parametrize(("name", "old", "new", "needle", "expected"), RECORD_FAULTS,
                         ids=RECORD_FAULT_IDS)
def test_a_faulty_record_is_held_naming_file_and_line_and_the_rest_imported(
    home_cli: Cli, files: Files, name: str, old: str, new: str, needle: str, expected: str,
) -> None:
    path = files(name)[0]
    edit(path, old, new)
    result = home_cli("import", *files())
    assert result.exit_code == 0, result.output
    line = line_of(path, needle)
    assert any(f"{name}:{line}" in row and expected in row
               for row in result.stdout.splitlines()), result.stdout
    assert "Fiches retenues" in result.stdout and "fiche(s) retenue(s)" in result.stdout
    assert len(home_cli.store_rows()) == 1


@pytest.mark.parametrize(("name", "old", "new", "needle", "expected"), RECORD_FAULTS,
                         ids=RECORD_FAULT_IDS)
def test_refuse_on_any_error_refuses_a_faulty_record_and_writes_nothing(
    home_cli: Cli, files: Files, name: str, old: str, new: str, needle: str, expected: str,
) -> None:
    _refuse_on_any_error(home_cli.home)
    _assert_refused(home_cli, files, name, old, new, needle, expected)


def test_each_held_record_shows_its_own_hint(home_cli: Cli, files: Files) -> None:
    sts = files(f"sts_emp_{UAI}_2026.xml")[0]
    edit(sts, "<CODE_STRUCTURE>6A</CODE_STRUCTURE><DATE_DEBUT>",
         "<CODE_STRUCTURE>5Z</CODE_STRUCTURE><DATE_DEBUT>")
    edit(files("ResponsablesAvecAdresses.xml")[0],
         "<RESPONSABLE_ELEVE>\n        <ELEVE_ID>1000007",
         "<RESPONSABLE_ELEVE>\n        <ELEVE_ID>1000009")
    lines = home_cli("import", *files()).stdout.splitlines()
    pp = next(i for i, row in enumerate(lines) if "division « 5Z »" in row)
    assert "Retirez ce professeur principal" in lines[pp - 1]
    link = next(i for i, row in enumerate(lines) if "« 1000009 »" in row)
    assert "refaites tous les exports le même jour" in lines[link - 1]


def test_an_older_school_year_than_the_store_is_refused(home_cli: Cli, files: Files) -> None:
    assert home_cli("import", *files()).exit_code == 0
    before = home_cli.store_rows()
    for path in files():
        if path.suffix == ".xml":
            edit(path, "2026</ANNEE_SCOLAIRE>" if "sts" not in path.name else 'ANNEE="2026"',
                 "2025</ANNEE_SCOLAIRE>" if "sts" not in path.name else 'ANNEE="2025"')
    result = home_cli("import", *files())
    assert result.exit_code == 1
    assert "année scolaire 2025-2026, plus ancienne que la dernière importée (2026-2027)" in (
        result.stderr)
    assert home_cli.store_rows() == before


def test_a_zip_with_two_entries_through_the_cli(home_cli: Cli, files: Files,
                                                tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "ExportXML_ElevesSansAdresses.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("ElevesSansAdresses.xml", b"<BEE_ELEVES/>")
        archive.writestr("ElevesAvecAdresses.xml", b"<BEE_ELEVES/>")
    result = home_cli("import", path, *files("ResponsablesAvecAdresses.xml"))
    assert result.exit_code == 1
    assert "ExportXML_ElevesSansAdresses.zip · l'archive doit contenir exactement un fichier" in (
        result.stderr)
    assert home_cli.store_rows() == []


def test_rejected_json_lists_problems_with_locations(home_cli: Cli, files: Files) -> None:
    edit(files("ElevesSansAdresses.xml")[0], "<UAJ>0860999U", "<UAJ>0750654D")
    result = home_cli("import", "--json", *files())
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    (problem,) = [p for p in document["problems"] if p["severity"] == "error"]
    assert (document["status"], problem["file"], problem["field"]) == (
        "rejected", "ElevesSansAdresses.xml", "UAJ")
    assert problem["line"] == line_of(files("ElevesSansAdresses.xml")[0], "<UAJ>")


def test_held_json_lists_each_held_record_with_its_location(home_cli: Cli,
                                                            files: Files) -> None:
    edit(files("ElevesSansAdresses.xml")[0], "<DATE_NAISS>02/11/2013", "<DATE_NAISS>2013-11-02")
    result = home_cli("import", "--json", *files())
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    (problem,) = [p for p in document["problems"] if p["severity"] == "held"]
    line = line_of(files("ElevesSansAdresses.xml")[0], 'ELEVE_ID="1000002"')
    assert (document["status"], problem["file"], problem["record"], problem["field"],
            problem["line"]) == ("accepted", "ElevesSansAdresses.xml", "élève 1000002",
                                 "DATE_NAISS", line)
    (held,) = document["held"]
    assert (held["kind"], held["id"], held["treatment"], held["line"]) == (
        "eleve", "1000002", "without_field", line)


def test_debug_shows_the_traceback_of_a_user_mistake(cli: Cli, files: Files) -> None:
    result = cli.runner.invoke(app, ["--home", str(cli.home), "--debug", "import", *map(str,
                                     files())])
    assert result.exit_code == 1
    assert type(result.exception).__name__ == "UserError"


def test_status_lists_staged_campaigns(home_cli: Cli, files: Files) -> None:
    home_cli("import", *files())
    result = home_cli("status")
    assert result.exit_code == 0
    assert "0860999U" in result.stdout and "2026-2027" in result.stdout


def test_status_lists_a_declared_school_with_nothing_imported_yet(home_cli: Cli) -> None:
    result = home_cli("status")
    assert result.exit_code == 0
    row = next(line for line in result.stdout.splitlines() if "0860999U" in line)
    assert "Jean" in row and "pas encore" in row


def test_status_tells_each_schools_waiting_plan_and_last_apply(home_cli: Cli,
                                                               files: Files) -> None:
    home_cli("import", *files())
    assert home_cli("plan", "--at", ROLLOVER_AT).exit_code == 0
    waiting = " ".join(home_cli("status").stdout.split())
    assert "à approuver" in waiting and "Appliqué le" in waiting
    assert home_cli("apply", "--yes", "--at", ROLLOVER_AT).exit_code == 0
    applied = " ".join(home_cli("status").stdout.split())
    assert "à approuver" not in applied and "10/09/2026 10:00" in applied
    # Planned again with nothing to do (as every night does): nothing awaits an approval.
    assert "Rien à faire" in home_cli("plan", "--at", ROLLOVER_AT).stdout
    again = " ".join(home_cli("status").stdout.split())
    assert "à approuver" not in again and "approuvé" not in again, again


def test_a_plan_for_a_school_year_already_over_is_said(home_cli: Cli, files: Files) -> None:
    home_cli("import", *files())  # the 2026-2027 campaign
    assert "terminée" not in home_cli("plan", "--at", "2027-08-31T10:00").stderr
    late = home_cli("plan", "--at", "2027-09-01T10:00")
    assert late.exit_code == 0
    assert "l'année scolaire 2026-2027, terminée le 31/08/2027" in " ".join(late.stderr.split())


def test_a_file_that_is_no_export_is_to_be_left_out_not_corrected_in_siecle(
        home_cli: Cli, tmp_path: Path) -> None:
    notes = tmp_path / "notes.pdf"
    notes.write_bytes(b"%PDF-1.4 notes du secretariat")
    result = home_cli("import", notes)
    assert result.exit_code == 1
    said = " ".join(result.stderr.split())
    assert "Retirez de la commande ces fichiers, qui ne sont pas des exports" in said
    assert "Siècle-BEE ou STS-Web, refaites" not in said


def test_python_dash_m_runs_the_same_cli(tmp_path: Path) -> None:
    env = {**os.environ, "BASCULE_HOME": str(tmp_path / "home")}
    result = subprocess.run([sys.executable, "-m", "bascule", "status"], capture_output=True,
                            text=True, env=env, check=False)
    assert result.returncode == 1
    assert f"Le dossier {tmp_path / 'home'} n'est pas un dossier bascule" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_folder_stands_for_the_exports_it_holds(home_cli: Cli, college: Path) -> None:
    (college / "LISEZMOI.txt").write_text("notes du secrétariat", encoding="utf-8")
    (college / "ExportXML_ElevesSansAdresses.zip").unlink()  # the folder holds one élèves file
    result = home_cli("import", college)
    assert result.exit_code == 0, result.output
    assert "campagne enregistrée" in result.stdout


def test_a_whole_file_resaved_as_utf8_is_refused(home_cli: Cli, files: Files) -> None:
    path = files("ResponsablesAvecAdresses.xml")[0]
    path.write_bytes(path.read_bytes().decode("iso-8859-15").encode("utf-8"))
    result = home_cli("import", *files())
    assert result.exit_code == 1
    assert f"ResponsablesAvecAdresses.xml:{line_of(path, 'GUÉRIN', 'utf-8')} · le fichier " \
           "déclare ISO-8859-15 mais ses octets sont en UTF-8" in result.stderr
    assert home_cli.store_rows() == []


def test_an_empty_zip_through_the_cli(home_cli: Cli, files: Files, tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "ExportXML_ResponsablesAvecAdresses.zip"
    zipfile.ZipFile(path, "w").close()
    result = home_cli("import", *files("ElevesSansAdresses.xml"), path)
    assert result.exit_code == 1
    assert "ExportXML_ResponsablesAvecAdresses.zip · l'archive doit contenir exactement un " \
           "fichier XML, elle en contient 0 (aucun fichier)" in result.stderr
    assert home_cli.store_rows() == []


@pytest.mark.parametrize(
    ("name", "old", "new", "needle", "expected"),
    [
        ("Structures.xml", '<DIVISION CODE_STRUCTURE="6A">', '<DIVISION CODE_STRUCTURE="6Z">',
         "<CODE_STRUCTURE>6A</CODE_STRUCTURE></DIVISION_APPARTENANCE>",
         "le groupe « 6LV1 ANG » dépend d'une division « 6A » non déclarée"),
        (f"sts_emp_{UAI}_2026.xml", '<DIVISION_APPARTENANCE CODE="5 B/1"/>',
         '<DIVISION_APPARTENANCE CODE="5 B/9"/>', '<GROUPE CODE="5 Théâtre">',
         "le groupe « 5 Théâtre » dépend d'une division « 5 B/9 » non déclarée"),
    ],
    ids=["siecle-structures", "sts-structures"],
)
def test_unknown_structure_codes_are_refused_with_their_line(
    home_cli: Cli, files: Files, name: str, old: str, new: str, needle: str, expected: str,
) -> None:
    path = files(name)[0]
    edit(path, old, new)
    result = home_cli("import", *files())
    assert result.exit_code == 1
    assert f"{name}:{line_of(path, needle)}" in result.stderr
    assert expected in result.stderr
    assert home_cli.store_rows() == []


def test_a_folder_without_rights_is_a_french_error_not_a_crash(cli: Cli, tmp_path: Path) -> None:
    blocked = tmp_path / "occupé"
    blocked.write_text("un fichier, pas un dossier", encoding="utf-8")
    result = cli("generate", "--out", blocked / "exports", "--size", "8")
    assert result.exit_code == 1
    assert "Erreur : fichier ou dossier « " in result.stderr
    assert "n'est pas un dossier" in result.stderr and "Traceback" not in result.output


def test_a_school_with_accounts_is_removed_only_with_purge(home_cli: Cli, files: Files) -> None:
    from tests.conftest import apply_campaign

    apply_campaign(home_cli, files)
    assert home_cli("init", "--uai", "0750654D", "--name", "Collège Henri IV").exit_code == 0
    kept = home_cli("school", "remove", UAI)
    assert kept.exit_code == 1 and "compte encore" in kept.stderr and "--purge" in kept.stderr
    refused = home_cli.runner.invoke(app, ["--home", str(home_cli.home), "school", "remove", UAI,
                                           "--purge"], input="n\n")
    assert refused.exit_code == 1 and "Rien n'a été retiré" in refused.stderr
    assert UAI in (home_cli.home / "bascule.toml").read_text(encoding="utf-8")
    purged = home_cli.runner.invoke(app, ["--home", str(home_cli.home), "school", "remove", UAI,
                                          "--purge"], input="o\n")
    assert purged.exit_code == 0, purged.output
    assert f"{UAI} retiré du dossier (13 compte(s) effacé(s))" in purged.stdout
    assert UAI not in (home_cli.home / "bascule.toml").read_text(encoding="utf-8")
    assert _rows_of(home_cli.home, UAI) == 0
    last = home_cli("school", "remove", "0750654D")
    assert last.exit_code == 1 and "le seul établissement" in last.stderr


def _rows_of(home: Path, uai: str) -> int:
    """Every row the store holds for a school: by its UAI, or by one of its people."""
    import sqlite3

    with sqlite3.connect(home / "bascule.sqlite") as database:
        tables = [name for (name,) in database.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        total = 0
        for table in tables:
            columns = {row[1] for row in database.execute(f"PRAGMA table_info({table})")}
            if "uai" in columns:
                total += database.execute(f"SELECT count(*) FROM {table} WHERE uai = ?",
                                          (uai,)).fetchone()[0]
        return total + database.execute("SELECT count(*) FROM account").fetchone()[0]


def test_an_export_of_another_school_ends_on_what_to_do_about_it(home_cli: Cli,
                                                                 files: Files) -> None:
    """Every error says « another school »: the refusal's last line says to choose that
    school's folder, not to correct the exports in Siècle-BEE (they are right)."""
    for path in files():
        if path.suffix == ".xml":
            edit(path, "0860999U", "0750654D")
    result = home_cli("import", *files())
    assert result.exit_code == 1
    last = " ".join(result.stderr.split("Import refusé")[1].split())
    assert "choisissez le dossier de cet établissement avec --home" in last
    assert "Siècle-BEE" not in last
