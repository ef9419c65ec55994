"""The AAF reader: records with their line, the attributes bascule uses, compound values, the
delivery told by the name, both encodings, entities never resolved, truncation refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from bascule.exports.read import read_export
from bascule.exports.records import ExportKind
from bascule.exports.source import UnreadableSource
from tests.conftest import line_of

AAF = Path(__file__).parent.parent / "fixtures" / "aaf"
COMPLET = "ENT_0860999U_Complet_20260901_"


def test_an_iso_8859_15_split_file_gives_its_records_with_their_lines() -> None:
    export = read_export(AAF / f"{COMPLET}Eleve_0001.xml")
    assert export.kind is ExportKind.AAF
    assert (export.aaf_delivery, export.header.export_date, export.aaf_part) == (
        "Complet", "01/09/2026", 1)
    emery = next(r for r in export.aaf if r.identifier == "AE6")
    assert emery.category == "Eleve" and emery.operation == "add"
    assert emery.first("sn") == "ÉMERY" and emery.first("givenName") == "Timothée"
    assert emery.attributes["ENTEleveClasses"] == ("ETAB86999$5 B/1",)
    # The record's line is its addRequest's, two lines above its id.
    assert emery.line == line_of(AAF / f"{COMPLET}Eleve_0001.xml", "<id>AE6") - 2
    # Fields bascule does not keep never leave the parser.
    assert "ENTEleveRegime" not in emery.attributes


def test_a_utf8_file_keeps_multi_valued_attributes_in_order() -> None:
    export = read_export(AAF / f"{COMPLET}Eleve_0000.xml")
    lea = next(r for r in export.aaf if r.identifier == "AE1")
    assert lea.attributes["ENTElevePersRelEleve"] == (
        "AP1$20$1$1$1$0", "AP2$2$0$1$1$0", "AP3$38$0$0$1$0")
    assert lea.attributes["ENTPersonAutresPrenoms"] == ("Léa", "Anaïs")
    structure = read_export(AAF / f"{COMPLET}EtabEducNat_0000.xml").aaf[0]
    assert structure.category == "EtabEducNat" and structure.first("ENTStructureUAI") == "0860999U"


def test_a_delta_reads_modifications_and_deletions() -> None:
    modified = read_export(AAF / "ENT_0860999U_Delta_20260902_Eleve_0000.xml").aaf[1]
    assert modified.operation == "modify" and modified.identifier == "AE6"
    assert [(c.name, c.operation, c.values) for c in modified.changes] == [
        ("ENTEleveClasses", "replace", ("ETAB86999$6A",))]
    deleted = read_export(AAF / "ENT_0860999U_Delta_20260903_Eleve_0000.xml").aaf[0]
    assert (deleted.operation, deleted.identifier, deleted.attributes) == ("delete", "AE9", {})


def test_entities_are_never_resolved(tmp_path: Path) -> None:
    path = tmp_path / "ENT_0860999U_Complet_20260901_Eleve_0000.xml"
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n'
                    '<!DOCTYPE ficAlimMENESR [<!ENTITY x "BOOM">'
                    '<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
                    '<ficAlimMENESR><addRequest><identifier><id>&x;&secret;</id></identifier>'
                    '<attributes><attr name="sn"><value>&secret;</value></attr></attributes>'
                    '</addRequest></ficAlimMENESR>\n')
    (record,) = read_export(path).aaf
    assert "BOOM" not in (record.identifier or "") and "root" not in str(record.attributes)


def test_a_truncated_file_is_refused_with_its_line(tmp_path: Path) -> None:
    data = (AAF / f"{COMPLET}Eleve_0000.xml").read_bytes()
    path = tmp_path / f"{COMPLET}Eleve_0000.xml"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(UnreadableSource) as refused:
        read_export(path)
    assert refused.value.problem.code == "xml-invalide"
    assert refused.value.problem.location.line is not None
