"""Importing the AAF: the hand-written deliveries (a Complet, split, in both encodings, then two
Deltas) give the accounts the Siècle + STS exports of the same school give; Deltas apply in
order and on a Complet only; a school moves from the raw exports to the AAF keeping its logins."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import ROLLOVER_AT, UAI, Cli, apply_campaign, line_of

AAF = Path(__file__).parent.parent / "fixtures" / "aaf"
COLLEGE = Path(__file__).parent.parent / "fixtures" / "college"
RAW = ("ElevesSansAdresses.xml", "ResponsablesAvecAdresses.xml", "Nomenclature.xml",
       "Structures.xml", f"sts_emp_{UAI}_2026.xml")


def _accounts(cli: Cli) -> list[tuple[object, ...]]:
    result = cli("accounts", "--json")
    assert result.exit_code == 0, result.output
    return sorted((row["profile"], row["login"], row["educonnect"], row["status"],
                   row["last_name"], row["first_name"], row["birth_date"], row["division"],
                   tuple(row["groups"]), row["ine"]) for row in json.loads(result.stdout))


def _delivery(tmp_path: Path, pattern: str, year: int = 2026) -> Path:
    """The fixture files of one delivery, dated in `year` (same people, same content)."""
    folder = tmp_path / f"{pattern}-{year}"
    folder.mkdir(exist_ok=True)
    for path in AAF.glob(f"*{pattern}*"):
        shutil.copy(path, folder / path.name.replace("_2026", f"_{year}"))
    return folder


def _init(cli: Cli, *uais: str) -> None:
    for uai in uais or (UAI,):
        assert cli("init", "--uai", uai, "--name", f"Collège {uai}").exit_code == 0


def test_the_aaf_deliveries_give_the_accounts_of_the_raw_exports(
        cli: Cli, tmp_path: Path) -> None:
    raw = Cli(home=tmp_path / "raw", runner=cli.runner)
    _init(raw)
    apply_campaign(raw, lambda: [], *(COLLEGE / name for name in RAW))
    _init(cli)
    apply_campaign(cli, lambda: [], AAF)
    accounts = _accounts(cli)
    assert accounts == _accounts(raw)
    assert {row[1] for row in accounts if row[0] == "eleve"} == {
        "lmartin", "lmartin2", "lcoeurleger", "temery"}


def test_deltas_apply_in_order_on_the_complet_in_later_imports(cli: Cli, tmp_path: Path) -> None:
    _init(cli)
    first = cli("import", _delivery(tmp_path, "Complet"))
    assert first.exit_code == 0, first.output
    assert "0861234X" in first.output  # the other school of the delivery, ignored and counted
    late = cli("import", _delivery(tmp_path, "Delta_20260903"))
    assert late.exit_code == 0, late.output
    early = cli("import", _delivery(tmp_path, "Delta_20260902"))
    assert early.exit_code == 1
    assert "antérieure ou égale à la dernière appliquée (le 03/09/2026)" in early.output
    again = cli("import", tmp_path / "Delta_20260903-2026")  # already applied: nothing changes
    assert again.exit_code == 0, again.output


def test_a_delta_without_complet_or_after_a_missing_one_is_refused(
        cli: Cli, tmp_path: Path) -> None:
    _init(cli)
    alone = cli("import", _delivery(tmp_path, "Delta_20260902"))
    assert alone.exit_code == 1 and "sans livraison Complet avant elle" in alone.output
    assert cli("import", _delivery(tmp_path, "Complet")).exit_code == 0
    # Delta 2 renamed to a later day, then one touching the homonym Delta 1 added: a gap.
    gap = tmp_path / "gap"
    gap.mkdir()
    (gap / "ENT_0860999U_Delta_20260905_Eleve_0000.xml").write_bytes(
        (AAF / "ENT_0860999U_Delta_20260902_Eleve_0000.xml").read_bytes().replace(
            b"<addRequest>", b"<!-- -->").replace(b"</addRequest>", b"")
        .replace(b"<id>AE6</id>", b"<id>AE7</id>"))
    refused = cli("import", gap)
    assert refused.exit_code == 1
    assert "une livraison Delta intermédiaire manque sans doute" in refused.output


def test_a_split_file_missing_refuses_the_delivery(cli: Cli, tmp_path: Path) -> None:
    _init(cli)
    folder = _delivery(tmp_path, "Complet")
    (folder / "ENT_0860999U_Complet_20260901_Eleve_0000.xml").unlink()
    refused = cli("import", folder)
    assert refused.exit_code == 1
    assert "fichier(s) Eleve n° 0000 absent(s)" in refused.output
    assert cli.store_rows() == []


def test_aaf_and_raw_exports_together_are_refused(cli: Cli, tmp_path: Path) -> None:
    _init(cli)
    refused = cli("import", _delivery(tmp_path, "Complet"), COLLEGE / RAW[0])
    assert refused.exit_code == 1
    assert "une seule source à la fois" in refused.output
    assert cli.store_rows() == []
    assert cli("import", *(COLLEGE / name for name in RAW)).exit_code == 0
    same_year = cli("import", _delivery(tmp_path, "Complet"))
    assert same_year.exit_code == 1 and "déjà, pour l'année 2026-2027" in same_year.output


def test_raw_exports_for_a_year_fed_by_the_aaf_are_refused(cli: Cli, tmp_path: Path) -> None:
    _init(cli)
    assert cli("import", _delivery(tmp_path, "Complet")).exit_code == 0
    refused = cli("import", *(COLLEGE / name for name in RAW))
    assert refused.exit_code == 1
    assert "une campagne importée de l'AAF" in refused.output


def test_a_delivery_for_two_schools_of_the_folder_stages_both(cli: Cli, tmp_path: Path) -> None:
    _init(cli, UAI, "0861234X")
    result = cli("import", _delivery(tmp_path, "Complet"), "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [document["uai"], *(other["uai"] for other in document["other_schools"])] == [
        UAI, "0861234X"]
    assert document["counts"]["eleve"] == 4 and document["other_schools"][0]["counts"][
        "eleves_inactive"] == 1


def test_a_school_moving_from_raw_exports_to_the_aaf_keeps_every_login(
        cli: Cli, tmp_path: Path) -> None:
    _init(cli)
    apply_campaign(cli, lambda: [], *(COLLEGE / name for name in RAW))
    before = {row[1] or row[2]: row for row in _accounts(cli)}
    folder = tmp_path / "aaf-2027"
    folder.mkdir()
    for pattern in ("Complet", "Delta_20260902", "Delta_20260903"):
        for path in _delivery(tmp_path, pattern, 2027).iterdir():
            shutil.copy(path, folder / path.name)
    # Delivered in September 2027: a rehearsal, dated with --at (else refused as future).
    assert cli("import", folder, "--at", "2027-09-10T10:00").exit_code == 0
    plan = cli("plan", "--json", "--at", "2027-09-10T10:00")
    assert plan.exit_code == 0, plan.output
    creations = [a for a in json.loads(plan.stdout)["actions"] if a["kind"] == "create"]
    assert creations == []
    result = cli("apply", "--yes", "--at", "2027-09-10T10:00")
    assert result.exit_code == 0, result.output
    after = {row[1] or row[2]: row for row in _accounts(cli)}
    assert set(after) == set(before)
    assert all(row[3] == "active" for row in after.values())
    assert ROLLOVER_AT  # the same rollover day, a year later


def test_a_faulty_aaf_record_is_reported_by_file_line_record_and_attribute(
        cli: Cli, tmp_path: Path) -> None:
    _init(cli)
    folder = _delivery(tmp_path, "Complet")
    eleves = folder / "ENT_0860999U_Complet_20260901_Eleve_0000.xml"
    eleves.write_bytes(eleves.read_bytes().replace(b"<value>02/11/2013</value>",
                                                   b"<value>31/02/2013</value>"))
    result = cli("import", folder, "--json")
    (problem,) = [p for p in json.loads(result.stdout)["problems"]
                  if p["code"] == "date-invalide"]
    # The line is the record's (its addRequest), the field the AAF attribute.
    assert (problem["file"], problem["line"], problem["record"], problem["field"]) == (
        eleves.name, line_of(eleves, "<id>AE2", "utf-8") - 2, "élève 1000002",
        "ENTPersonDateNaissance")
    assert "« 31/02/2013 » n'est pas une date" in problem["message"]
    assert problem["hint"].startswith("Ces données viennent de l'AAF de l'académie")
