"""Each reader on the hand-written exports: the fields of the real shapes, nothing more."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from bascule.exports.read import read_export
from bascule.exports.records import EleveRecord, ExportKind, PersonneRecord, TeacherRef
from bascule.exports.source import UnreadableSource
from tests.conftest import FIXTURES, UAI, edit, line_of


def test_siecle_carries_uai_and_year_as_text() -> None:
    header = read_export(FIXTURES / "ElevesSansAdresses.xml").header
    assert (header.uai, header.school_year, header.export_date) == (UAI, "2026", "02/09/2026")


def test_sts_carries_uai_and_year_as_attributes() -> None:
    export = read_export(FIXTURES / f"sts_emp_{UAI}_2026.xml")
    assert export.kind is ExportKind.STS
    assert (export.header.uai, export.header.school_year) == (UAI, "2026")


def test_eleves_reader_keeps_ids_names_dates_and_structures() -> None:
    export = read_export(FIXTURES / "ElevesSansAdresses.xml")
    lea = export.eleves[0]
    assert (lea.eleve_id, lea.elenoet, lea.id_national) == ("1000001", "2643", "1234567890A")
    assert (lea.prenom, lea.prenom2, lea.date_naiss) == ("Léa", "Anaïs", "14/03/2014")
    assert lea.location.line == line_of(FIXTURES / "ElevesSansAdresses.xml", 'ELEVE_ID="1000001"')
    assert export.eleves[1].elenoet == "2644"  # given as a child element only
    assert export.eleves[2].nom == "D'ALMEIDA"  # legacy field
    codes = {(block.eleve_id, link.code, link.kind) for block in export.structure_links
             for link in block.links}
    assert ("1000002", "5 B/1", "D") in codes
    assert ("1000002", "5 Théâtre", "G") in codes
    assert export.options[0].subject_codes == ("024800",)


def test_eleves_reader_copies_no_contact_or_birthplace_field() -> None:
    kept = {field.name for field in fields(EleveRecord)}
    assert not kept & {"tel_portable", "ville_naiss", "code_commune_insee_naiss", "adresse"}
    kept_people = {field.name for field in fields(PersonneRecord)}
    assert not kept_people & {"tel_portable", "adresse_id", "code_profession"}


def test_responsables_reader_keeps_links_with_levels_and_legacy_flags() -> None:
    export = read_export(FIXTURES / "ResponsablesAvecAdresses.xml")
    assert [p.personne_id for p in export.personnes] == ["2000001", "2000002", "2000003",
                                                         "2000004"]
    legacy = export.guardian_links[-1]
    assert (legacy.eleve_id, legacy.niveau, legacy.resp_legal) == ("1000002", None, "2")
    assert export.personnes[0].mel == "paul.martin@example.fr"


def test_sts_reader_reads_teachers_in_either_attribute_order() -> None:
    export = read_export(FIXTURES / f"sts_emp_{UAI}_2026.xml")
    teachers = {(s.structure_code, s.subject_code): s.teachers for s in export.services}
    assert teachers[("6A", "030201")] == (TeacherRef(staff_id="8949", source_type="epp"),)
    assert teachers[("6A", "020700")] == (TeacherRef(staff_id="8950", source_type="epp"),)
    assert teachers[("6LV1 ANG", "030201")] == (TeacherRef(staff_id="8949", source_type="epp"),)


def test_sts_reader_reads_pp_on_the_teacher_and_group_parents() -> None:
    export = read_export(FIXTURES / f"sts_emp_{UAI}_2026.xml")
    durand = export.staff[0]
    assert (durand.pp_divisions, durand.disciplines, durand.date_naissance) == (
        ("6A",), ("L0422",), "1980-05-17")
    local = export.staff[-1]
    assert (local.source_type, local.sexe, local.date_naissance) == ("local", None, None)
    groups = {s.code: s.parent_divisions for s in export.structures if s.kind == "G"}
    assert groups == {"6LV1 ANG": ("6A",), "5 Théâtre": ("5 B/1",)}


def test_structures_and_nomenclature_readers() -> None:
    structures = read_export(FIXTURES / "Structures.xml")
    assert [(s.kind, s.code) for s in structures.structures] == [
        ("D", "6A"), ("D", "5 B/1"), ("G", "6LV1 ANG"), ("G", "5 Théâtre")]
    assert structures.structures[0].mefs == ("10010012110",)
    assert [s.label for s in structures.structures[:2]] == ["6E A", "5E B groupe 1"]
    assert str(structures.structures[1].location) == "Structures.xml:7 · division 5 B/1"
    nomenclature = read_export(FIXTURES / "Nomenclature.xml")
    assert [s.code for s in nomenclature.subjects] == ["030201", "020700", "024800"]
    assert nomenclature.subjects[1].long_label == "FRANÇAIS"
    assert [(m.code, m.label) for m in nomenclature.mefs] == [("10010012110", "6EME"),
                                                              ("10110001110", "5EME")]


@pytest.mark.parametrize("bom", [True, False])
def test_local_csv_is_read_with_or_without_bom(tmp_path: Path, bom: bool) -> None:
    text = "identifiant;nom;prenom;fonction\r\nL001;GARNIER;Sébastien;ADF\r\n"
    path = tmp_path / "locaux.csv"
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    export = read_export(path)
    assert export.kind is ExportKind.LOCAL_PEOPLE
    (person,) = export.staff
    assert (person.staff_id, person.prenom, person.fonction, person.location.line) == (
        "L001", "Sébastien", "ADF", 2)


def test_local_csv_in_latin1_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "locaux.csv"
    path.write_bytes("identifiant;nom;prenom;fonction\nL001;GARNIER;Sébastien;ADF\n"
                     .encode("latin-1"))
    with pytest.raises(UnreadableSource) as raised:
        read_export(path)
    assert str(raised.value.problem).startswith("locaux.csv:2")
    assert "CSV UTF-8" in raised.value.problem.hint


def test_local_csv_without_a_required_column_names_it(college: Path) -> None:
    path = college / "personnes_locales.csv"
    edit(path, "identifiant;nom;prenom;fonction;", "identifiant;nom;prenom;poste;", "utf-8")
    with pytest.raises(UnreadableSource) as raised:
        read_export(path)
    assert "colonne(s) obligatoire(s) absente(s) : fonction" in raised.value.problem.message


def test_a_structure_reads_its_first_code_and_type_empty_or_missing(tmp_path: Path) -> None:
    path = tmp_path / "ElevesSansAdresses.xml"
    path.write_bytes((FIXTURES / "ElevesSansAdresses.xml").read_bytes())
    edit(path, "<STRUCTURE><CODE_STRUCTURE>6A</CODE_STRUCTURE><TYPE_STRUCTURE>D</TYPE_STRUCTURE>",
         "<STRUCTURE><X/><CODE_STRUCTURE/><CODE_STRUCTURE>6A</CODE_STRUCTURE>")
    edit(path, "<TYPE_STRUCTURE>G</TYPE_STRUCTURE>",
         "<TYPE_STRUCTURE>G</TYPE_STRUCTURE><TYPE_STRUCTURE>D</TYPE_STRUCTURE>")
    links = read_export(path).structure_links[0].links
    assert [(link.code, link.kind) for link in links] == [("", None), ("6LV1 ANG", "G")]
    assert links[1].line == line_of(path, "6LV1 ANG")
