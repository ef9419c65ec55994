"""Complet and Delta deliveries applied per school: pure rules, on the hand-written fixtures."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hypothesis import assume, given
from hypothesis import strategies as st

from bascule.exports.read import read_export
from bascule.exports.records import AafChange, AafRecord, ExportFile
from bascule.snapshot.aaf_deliveries import (
    AafState,
    _apply_record,
    apply_deliveries,
    group_deliveries,
    key_of,
)
from bascule.snapshot.checks import Checker

AAF = Path(__file__).parent.parent / "fixtures" / "aaf"
FOLDER = frozenset({"0860999U"})
TODAY = date(2026, 9, 10)


def _files(pattern: str) -> list[ExportFile]:
    return [read_export(path) for path in sorted(AAF.glob("*.xml")) if pattern in path.name]


def _apply(files: list[ExportFile], states: dict[str, AafState] | None = None,
           ) -> tuple[dict[str, AafState], Checker, set[str]]:
    checker = Checker()
    deliveries = group_deliveries(files, TODAY, checker)
    current, _changed, others = apply_deliveries(deliveries, states or {}, FOLDER, checker)
    return current, checker, others


def test_deltas_given_with_their_complet_apply_in_date_order() -> None:
    # Given in any order, the files are applied Complet first, then each Delta by date.
    states, checker, others = _apply(list(reversed(_files(""))))
    assert checker.problems == [] and others == {"0861234X"}
    state = states["0860999U"]
    assert (state.complete_date, state.last_date) == (date(2026, 9, 1), date(2026, 9, 3))
    records = state.records
    assert "Eleve:AE9" not in records and "Eleve:AE7" in records  # deleted, added
    assert records["Eleve:AE6"].attributes["ENTEleveClasses"] == ("ETAB86999$6A",)
    assert records["PersRelEleve:AP1"].attributes["ENTAuxPersRelEleveEleve"] == ("AE1", "AE7")
    assert "Eleve:OE1" not in records  # the other school's élève stays out


def test_a_new_complet_replaces_the_records() -> None:
    states, _checker, _others = _apply(_files(""))
    later = [read_export(path) for path in sorted(AAF.glob("*Complet*"))]
    for export in later:
        export.header = type(export.header)(
            uai=None, school_year=None, export_date="15/09/2026",
            location=export.header.location)
        export.sha256 = "x" + export.sha256[1:]
    again, checker, _others = _apply(later, states)
    assert checker.problems == []
    assert "Eleve:AE9" in again["0860999U"].records and "Eleve:AE7" not in again[
        "0860999U"].records


def test_a_delta_without_a_date_in_its_name_is_refused() -> None:
    delta = _files("Delta_20260902_Eleve")[0]
    delta.header = type(delta.header)(uai=None, school_year=None, export_date=None,
                                      location=delta.header.location)
    delta.aaf_delivery = None
    _states, checker, _others = _apply([*_files("Complet"), delta])
    assert [p.code for p in checker.problems if p.is_error] == ["aaf-delta-sans-date"]


def _record(attributes: dict[str, tuple[str, ...]]) -> AafRecord:
    return AafRecord(file="f.xml", line=1, operation="add", category="Eleve", identifier="1",
                     attributes=attributes)


values = st.lists(st.text(alphabet="abc$", min_size=1, max_size=4), min_size=1, max_size=3,
                  unique=True).map(tuple)


@given(before=st.dictionaries(st.sampled_from(["sn", "mail", "ENTEleveGroupes"]), values),
       added=values)
def test_adding_values_then_deleting_them_gives_the_record_back(
        before: dict[str, tuple[str, ...]], added: tuple[str, ...]) -> None:
    record = _record(before)
    current = {key_of(record): record}
    fresh = tuple(v for v in added if v not in before.get("ENTEleveGroupes", ()))
    assume(fresh)  # deleting no value in particular deletes the whole attribute
    for operation in ("add", "delete"):
        _apply_record(current, AafRecord(
            file="d.xml", line=1, operation="modify", category="Eleve", identifier="1",
            attributes={}, changes=(AafChange(name="ENTEleveGroupes", operation=operation,
                                              values=fresh),)), Checker())
    assert current[key_of(record)].attributes == {k: v for k, v in before.items() if v}
