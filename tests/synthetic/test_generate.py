"""Synthetic campaigns: deterministic, shaped like the real files, realistic, and importable."""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from datetime import date
from pathlib import Path

from bascule.domain.people import GuardianLevel
from bascule.domain.school import SchoolYear, elenoet_issued_here, has_right_key
from bascule.exports.read import read_export
from bascule.snapshot.campaign import ImportContext, build_snapshot
from bascule.snapshot.model import Snapshot
from bascule.synthetic.generate import GeneratedCollege, generate_campaigns
from tests.conftest import Cli

MEF_LEVEL = {"100": 6, "101": 5, "102": 4, "103": 3}


def snapshot_of(folder: Path, uai: str, newest: dict[str, SchoolYear] | None = None) -> Snapshot:
    context = ImportContext(school_uais=frozenset({uai}), newest_staged_year=newest or {},
                            today=date(2026, 11, 28))
    snapshot, problems = build_snapshot([read_export(p) for p in sorted(folder.iterdir())],
                                        context)
    assert snapshot is not None, [str(p) for p in problems if p.is_error][:5]
    return snapshot


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    first = generate_campaigns(tmp_path / "a", seed=3, year=2025, size=60)[0]
    again = generate_campaigns(tmp_path / "b", seed=3, year=2025, size=60)[0]
    other = generate_campaigns(tmp_path / "c", seed=4, year=2025, size=60)[0]
    for folder, twin in zip(first.folders, again.folders, strict=True):
        for path in folder.iterdir():
            assert path.read_bytes() == (twin / path.name).read_bytes(), path.name
    name = "ExportXML_ElevesSansAdresses.zip"
    assert (first.folders[0] / name).read_bytes() != (other.folders[0] / name).read_bytes()


def test_files_have_the_shape_of_the_real_ones(generated: GeneratedCollege) -> None:
    folder = generated.folders[0]
    assert sorted(p.name for p in folder.iterdir()) == sorted([
        "ExportXML_ElevesSansAdresses.zip", "ExportXML_ResponsablesAvecAdresses.zip",
        "ExportXML_Nomenclature.zip", "ExportXML_Structures.zip",
        f"sts_emp_{generated.uai}_2025.xml", "personnes_locales.csv"])
    with zipfile.ZipFile(folder / "ExportXML_ElevesSansAdresses.zip") as archive:
        (entry,) = archive.namelist()
        data = archive.read(entry)
    assert entry == "ElevesSansAdresses.xml"
    assert data.startswith(b'<?xml version="1.0" encoding="ISO-8859-15"?>\n<BEE_ELEVES')
    assert b"\xe9" in data  # é as one Latin-9 byte: not UTF-8
    sts = (folder / f"sts_emp_{generated.uai}_2025.xml").read_bytes()
    assert sts.startswith(b'<?xml version="1.0" encoding="ISO-8859-15"?>\n<STS_EDT>')
    assert (folder / "personnes_locales.csv").read_bytes().startswith(b"\xef\xbb\xbfidentifiant;")


def test_a_college_has_the_size_of_a_real_one(generated: GeneratedCollege) -> None:
    snapshot = snapshot_of(generated.folders[0], generated.uai)
    assert 570 <= len(snapshot.active_eleves) <= 640
    assert 1000 <= len(snapshot.responsables) <= 1250
    assert 55 <= len(snapshot.staff) <= 70
    functions = Counter(member.function for member in snapshot.staff)
    assert {"ENS", "DIR", "DOC", "EDU"} <= set(functions) and functions["DIR"] == 2
    assert any(member.key.source == "local" for member in snapshot.staff)
    assert any(len(group.parent_divisions) > 1 for group in snapshot.groups)


def test_names_exercise_every_rule(generated: GeneratedCollege) -> None:
    snapshot = snapshot_of(generated.folders[0], generated.uai)
    names = [e.last_name for e in snapshot.eleves] + [r.last_name for r in snapshot.responsables]
    assert any("'" in name for name in names)
    assert any("-" in name for name in names)
    assert any(" " in name for name in names)  # particles: DE LA FONTAINE, LE GOFF
    assert any("Œ" in name for name in names)
    assert any(len(name) > 25 for name in names)
    assert any(re.search("[ÉÈÊËÏÎÔÖÜÇ]", name) for name in names)


def test_responsables_are_shared_and_of_every_level(generated: GeneratedCollege) -> None:
    snapshot = snapshot_of(generated.folders[0], generated.uai)
    children = Counter(g.personne_id for g in snapshot.guardianships)
    assert max(children.values()) >= 2  # siblings share their parents
    levels = Counter(g.level for g in snapshot.guardianships)
    assert levels[GuardianLevel.CONTACT] > 0 and levels[GuardianLevel.LEGAL] > 900
    legal = Counter(g.eleve_id for g in snapshot.guardianships if g.is_legal)
    assert max(legal.values()) == 2 and min(legal.values()) == 1


def test_the_next_year_promotes_lets_3e_go_and_brings_new_6e(
    generated: GeneratedCollege,
) -> None:
    before = snapshot_of(generated.folders[0], generated.uai)
    after = snapshot_of(generated.folders[1], generated.uai, {generated.uai: SchoolYear(2025)})
    assert after.school_year == SchoolYear(2026)
    level_before = {e.eleve_id: MEF_LEVEL[e.mef[:3]] for e in before.active_eleves if e.mef}
    level_after = {e.eleve_id: MEF_LEVEL[e.mef[:3]] for e in after.eleves if e.mef}
    stayed = set(level_before) & set(level_after)
    promoted = [i for i in stayed if level_after[i] == level_before[i] - 1]
    assert len(promoted) >= 0.9 * len(stayed)
    third_before = {i for i, level in level_before.items() if level == 3}
    assert len(third_before & set(level_after)) <= 0.1 * len(third_before)
    newcomers = [i for i, level in level_after.items() if i not in level_before and level == 6]
    assert len(newcomers) >= 100
    old_division = {e.eleve_id: e.division for e in before.active_eleves}
    promoted_now = [e for e in after.active_eleves if e.eleve_id in set(promoted)]
    assert promoted_now and all(e.division != old_division[e.eleve_id] for e in promoted_now)
    local = {m.key for m in before.staff if m.key.source == "local"}
    assert local and local.isdisjoint({m.key for m in after.staff})


def test_a_departement_of_35_colleges(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "departement"
    result = cli("generate", "--out", out, "--colleges", "35", "--size", "24", "--year", "2025")
    assert result.exit_code == 0, result.output
    assert "35 collège(s) générés" in result.stdout
    uais = sorted(path.name for path in out.iterdir())
    assert len(set(uais)) == 35 and all(has_right_key(uai) for uai in uais)
    assert all(sorted(p.name for p in (out / uai).iterdir()) == ["2025", "2026"] for uai in uais)


def test_the_elenoets_are_this_schools_numbering(generated: GeneratedCollege) -> None:
    """ID_ELEVE_ETAB as Siècle writes it (the ELENOET, then the UAI without its first digit and
    its letter): read back, each generated ELENOET is the school's own, so the identity rows on
    ELENOET are exercised by generated exports too."""
    snapshot = snapshot_of(generated.folders[0], generated.uai)
    eleves = snapshot.eleves
    assert eleves and all(elenoet_issued_here(generated.uai, eleve.elenoet, eleve.id_eleve_etab)
                          for eleve in eleves if eleve.elenoet)
