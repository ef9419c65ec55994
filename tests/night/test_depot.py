"""Drop folders: a complete set is one export (same school, year, export date), read from the
headers; anything else waits, said why. And the run's lock, dry run and usage errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bascule.operations.locks import night_lock
from bascule.operations.night.depot import move_processed, purge_processed, scan_drop_folder
from bascule.settings import load_settings
from tests.conftest import FIXTURES, UAI, Cli, Files, edit


@pytest.fixture
def depot(home_cli: Cli) -> Path:
    folder = home_cli.home / "depot" / UAI
    folder.mkdir(parents=True)
    for name in ("ElevesSansAdresses.xml", "ResponsablesAvecAdresses.xml",
                 f"sts_emp_{UAI}_2026.xml"):
        shutil.copy(FIXTURES / name, folder / name)
    return folder


def test_a_complete_set_is_ready(home_cli: Cli, depot: Path) -> None:
    found = scan_drop_folder(load_settings(home_cli.home), UAI)
    assert found.waiting == "" and len(found.files) == 3 and found.export_date


def test_a_set_without_sts_waits(home_cli: Cli, depot: Path) -> None:
    (depot / f"sts_emp_{UAI}_2026.xml").unlink()
    found = scan_drop_folder(load_settings(home_cli.home), UAI)
    assert found.waiting == ("export incomplet : il manque l'export STS-Web "
                             "(sts_emp_<UAI>_<année>.xml)")


def test_files_of_two_export_dates_wait(home_cli: Cli, depot: Path) -> None:
    text = (depot / "ResponsablesAvecAdresses.xml").read_bytes().decode("iso-8859-15")
    date = text.split("<DATE_EXPORT>")[1].split("<")[0]
    edit(depot / "ResponsablesAvecAdresses.xml", f"<DATE_EXPORT>{date}",
         "<DATE_EXPORT>01/01/2020")
    found = scan_drop_folder(load_settings(home_cli.home), UAI)
    assert found.waiting.startswith("exports Siècle-BEE de plusieurs dates")


def test_another_schools_file_waits(home_cli: Cli, depot: Path) -> None:
    edit(depot / "ElevesSansAdresses.xml", f"<UAJ>{UAI}</UAJ>", "<UAJ>0861000V</UAJ>")
    found = scan_drop_folder(load_settings(home_cli.home), UAI)
    assert found.waiting == ("ElevesSansAdresses.xml : export d'un autre établissement "
                             f"(0861000V) que {UAI}")


def test_another_schools_file_alone_is_said_to_be_so(home_cli: Cli, depot: Path) -> None:
    """Only one file, of another school: not « export incomplet », which would have the
    operator drop the same wrong file again (newcomer 11)."""
    edit(depot / "ElevesSansAdresses.xml", f"<UAJ>{UAI}</UAJ>", "<UAJ>0861000V</UAJ>")
    for path in depot.iterdir():
        if path.name != "ElevesSansAdresses.xml":
            path.unlink()
    found = scan_drop_folder(load_settings(home_cli.home), UAI)
    assert found.lasting and found.waiting == (
        f"ElevesSansAdresses.xml : export d'un autre établissement (0861000V) que {UAI}")


def test_a_half_written_file_waits(home_cli: Cli, depot: Path) -> None:
    path = depot / "ElevesSansAdresses.xml"
    path.write_bytes(path.read_bytes()[:300])
    found = scan_drop_folder(load_settings(home_cli.home), UAI)
    assert found.waiting.startswith("ElevesSansAdresses.xml illisible")


def test_processed_sets_are_kept_then_purged(home_cli: Cli, depot: Path) -> None:
    from datetime import UTC, date, datetime

    drop = scan_drop_folder(load_settings(home_cli.home), UAI)
    kept = move_processed(drop, datetime(2026, 9, 1, 1, tzinfo=UTC))
    assert kept == depot / "traites" / "2026-09-01" and len(list(kept.iterdir())) == 3
    assert not purge_processed(depot, before=date(2026, 9, 1))
    assert purge_processed(depot, before=date(2026, 9, 2)) == [kept]


def test_a_waiting_set_is_reported_and_left(home_cli: Cli, depot: Path) -> None:
    (depot / "ElevesSansAdresses.xml").unlink()
    result = home_cli("run", "--at", "2026-09-10T02:30", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert "en attente" not in result.output or "il manque" in result.output
    assert "il manque l'export des élèves" in result.output
    assert (depot / "ResponsablesAvecAdresses.xml").is_file()


def test_a_dry_run_imports_nothing(home_cli: Cli, depot: Path) -> None:
    result = home_cli("run", "--at", "2026-09-10T02:30", "--dry-run", "--jobs", "1", "--json")
    assert result.exit_code == 0, result.output
    (school,) = json.loads(result.stdout)["schools"]
    said = school["reason"]
    assert said.startswith("simulation")
    # The plan and the apply say one sentence: said once, for both (newcomer 10).
    assert said.count("serait planifié") == 1 and "plan, application du plan : " in said, said
    assert not home_cli.store_rows() and (depot / "ElevesSansAdresses.xml").is_file()


def test_a_summer_dry_run_does_not_say_a_waiting_export_would_be_planned(
        home_cli: Cli, depot: Path) -> None:
    """Imports are suspended for the summer: the export waits, and the night would plan
    nothing of it (its plan step does not say otherwise)."""
    result = home_cli("run", "--at", "2026-07-20T02:30", "--dry-run", "--jobs", "1", "--json")
    assert result.exit_code == 0, result.output
    (school,) = json.loads(result.stdout)["schools"]
    said = {step["step"]: step["reason"] for step in school["steps"]}
    assert "suspendus pour l'été" in said["import"]
    assert "serait planifié" not in said["plan"], said


def test_a_dry_run_says_an_imported_campaign_not_applied_yet_would_be(
        home_cli: Cli, files: Files) -> None:
    assert home_cli("import", *files()).exit_code == 0  # imported by hand, not applied
    result = home_cli("run", "--at", "2026-09-10T02:30", "--dry-run", "--jobs", "1", "--json")
    assert result.exit_code == 0, result.output
    (school,) = json.loads(result.stdout)["schools"]
    assert school["outcome"] == "skipped" and "rien n'a changé" not in school["reason"]
    assert "la campagne importée, pas encore appliquée, serait planifiée" in school["reason"]
    applied = home_cli("run", "--at", "2026-09-10T02:30", "--jobs", "1", "--json")
    assert json.loads(applied.stdout)["schools"][0]["outcome"] == "applied", applied.output


def test_a_second_night_is_refused_while_one_runs(home_cli: Cli) -> None:
    with night_lock(home_cli.home):
        result = home_cli("run", "--at", "2026-09-10T02:30", "--jobs", "1")
    assert result.exit_code == 1
    assert "Une autre nuit tourne déjà sur ce dossier" in result.output


def test_a_wrong_option_is_a_usage_error(home_cli: Cli) -> None:
    assert home_cli("run", "--jobs", "deux").exit_code == 2


def _import_step(cli: Cli, at: str) -> tuple[int, dict[str, object]]:
    result = cli("run", "--at", at, "--jobs", "1", "--json")
    (school,) = json.loads(result.stdout)["schools"]
    (step,) = [s for s in school["steps"] if s["step"] == "import"]
    return result.exit_code, {"outcome": school["outcome"], **step}


def test_another_schools_export_fails_the_night_at_once(home_cli: Cli, depot: Path) -> None:
    """Waiting would never mend it: the school's night fails, naming the file and what to do
    (newcomer 10: it waited, night after night, the school « appliqué », exit 0)."""
    edit(depot / "ElevesSansAdresses.xml", f"<UAJ>{UAI}</UAJ>", "<UAJ>0861000V</UAJ>")
    assert scan_drop_folder(load_settings(home_cli.home), UAI).lasting
    code, step = _import_step(home_cli, "2026-09-10T02:30")
    assert code == 1 and step["status"] == "failed" and step["outcome"] == "failed"
    assert step["reason"] == ("ElevesSansAdresses.xml : export d'un autre établissement "
                              f"(0861000V) que {UAI} : retirez ces fichiers du dépôt ou "
                              "remplacez-les")


def test_a_half_written_file_waits_one_night_then_fails(home_cli: Cli, depot: Path) -> None:
    path = depot / "ElevesSansAdresses.xml"
    path.write_bytes(path.read_bytes()[:300])
    code, step = _import_step(home_cli, "2026-09-10T02:30")
    assert code == 0 and step["status"] == "waiting"
    code, step = _import_step(home_cli, "2026-09-10T03:30")  # the same night, again
    assert code == 0 and step["status"] == "waiting"
    code, step = _import_step(home_cli, "2026-09-11T02:30")
    assert code == 1 and step["status"] == "failed"
    assert "les mêmes fichiers attendaient déjà la nuit du 10/09/2026" in str(step["reason"])
    # Dropped again, whole: imported.
    shutil.copy(FIXTURES / "ElevesSansAdresses.xml", path)
    code, step = _import_step(home_cli, "2026-09-12T02:30")
    assert step["status"] == "done", step


def test_a_file_saved_again_as_utf16_fails_the_night_at_once(home_cli: Cli,
                                                             depot: Path) -> None:
    """No more bytes would make it an export: failed at once, as another school's export."""
    path = depot / "ElevesSansAdresses.xml"
    path.write_bytes(path.read_bytes().decode("iso-8859-15").encode("utf-16"))
    found = scan_drop_folder(load_settings(home_cli.home), UAI)
    assert found.lasting and "UTF-16" in found.waiting
    code, step = _import_step(home_cli, "2026-09-10T02:30")
    assert code == 1 and step["status"] == "failed"
