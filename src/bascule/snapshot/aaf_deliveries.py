"""AAF deliveries -> each school's current records: Complet replaces, Delta applies on top.

A delivery is the files of one kind (Complet or Delta) and one day, as their names state; its
split files (_0000, _0001...) must all be there. Deliveries apply in date order, per school of the
folder, on top of the school's AafState (the last Complet with the Deltas applied since, kept in
the store beside the staged campaigns). A Delta older than what was applied, a Delta without a
Complet before it, or one whose records do not fit (modifying or deleting a record the school
does not have, adding one it has: a Delta in between is missing) is refused with the problem;
nothing is half-applied. Records of schools outside the folder are set aside and counted.
Pure: the store reads and writes the states.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from bascule.domain.people import parse_french_date
from bascule.domain.school import is_well_formed_uai, normalise_uai
from bascule.errors import Location
from bascule.exports.records import AafChange, AafRecord, ExportFile
from bascule.snapshot.checks import Checker
from bascule.snapshot.model import AAF_ROOT, SourceFile

COMPLET, DELTA = "Complet", "Delta"
_REDELIVER = ("Demandez à l'académie de livrer à nouveau les fichiers AAF manquants (ou un "
              "Complet), puis relancez l'import.")


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class AafState:
    """One school's AAF records as of `last_date` (keyed "category:id"), and their files."""

    uai: str
    complete_date: date
    last_date: date
    records: dict[str, AafRecord]
    sources: tuple[SourceFile, ...]


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Delivery:
    kind: str  # COMPLET or DELTA
    day: date
    files: tuple[ExportFile, ...]

    @property
    def label(self) -> str:
        return f"livraison {self.kind} du {self.day:%d/%m/%Y}"


def key_of(record: AafRecord) -> str:
    return f"{record.category}:{(record.identifier or '').strip()}"


def group_deliveries(files: Sequence[ExportFile], today: date,
                     checker: Checker) -> list[Delivery]:
    """The deliveries of these files, oldest first; split files checked complete."""
    groups: dict[tuple[str, date], list[ExportFile]] = defaultdict(list)
    for export in files:
        kind = export.aaf_delivery or (COMPLET if all(r.operation == "add" for r in export.aaf)
                                       else DELTA)
        day = (checker.date(export.header.export_date, parse_french_date,
                            Location(file=export.name), "nom du fichier", _REDELIVER,
                            required=False) or today)
        if kind == DELTA and export.header.export_date is None:
            checker.error("aaf-delta-sans-date", "livraison Delta dont le nom ne dit pas la date",
                          Location(file=export.name),
                          "Donnez les fichiers sous le nom que l'académie leur a donné "
                          "(…_Delta_AAAAMMJJ_…) : c'est lui qui dit dans quel ordre les appliquer.")
        groups[(kind, day)].append(export)
    found = [Delivery(kind=kind, day=day, files=tuple(sorted(group, key=lambda e: e.name)))
             for (kind, day), group in groups.items()]
    for delivery in found:
        _check_parts(delivery, checker)
    return sorted(found, key=lambda d: (d.day, d.kind != COMPLET))


def _check_parts(delivery: Delivery, checker: Checker) -> None:
    """A split kind is _0000.._000n: a missing number is a truncated delivery."""
    parts: dict[str, list[int]] = defaultdict(list)
    for export in delivery.files:
        category = next((r.category for r in export.aaf if r.category), None) or "?"
        if export.aaf_part is not None:
            parts[category].append(export.aaf_part)
    for category, numbers in parts.items():
        missing = sorted(set(range(max(numbers) + 1)) - set(numbers))
        if missing:
            checker.error("aaf-livraison-incomplete",
                          f"{delivery.label} incomplète : fichier(s) {category} n° "
                          + ", ".join(f"{n:04d}" for n in missing) + " absent(s)",
                          Location(file=", ".join(e.name for e in delivery.files)), _REDELIVER)


class StructureMap:
    """Structure jointure -> UAI, from the EtabEducNat records (a UAI stands for itself)."""

    def __init__(self, records: Iterable[AafRecord]):
        self.uai_of: dict[str, str] = {}
        for record in records:
            if record.category == "EtabEducNat":
                uai = normalise_uai(record.first("ENTStructureUAI") or record.identifier or "")
                for jointure in (record.first("ENTStructureJointure"), record.identifier, uai):
                    if jointure:
                        self.uai_of[jointure.strip()] = uai

    def uai(self, structure: str) -> str | None:
        structure = structure.strip()
        if structure in self.uai_of:
            return self.uai_of[structure]
        uai = normalise_uai(structure)
        return uai if is_well_formed_uai(uai) else None

    def jointures(self, uai: str) -> frozenset[str]:
        return frozenset({j for j, u in self.uai_of.items() if u == uai} | {uai})

    def schools(self, values: Iterable[str]) -> set[str]:
        """UAIs of compound values' first field (<structure>$...) or of bare structure ids."""
        found = {self.uai(value.split("$", 1)[0]) for value in values}
        return {uai for uai in found if uai}


def _schools_of(record: AafRecord, structures: StructureMap,
                eleve_schools: Mapping[str, set[str]]) -> set[str]:
    attributes = record.attributes
    if record.category == "EtabEducNat":
        return structures.schools([record.first("ENTStructureUAI") or record.identifier or ""])
    if record.category == "Eleve":
        return (structures.schools(attributes.get("ENTPersonStructRattach", ()))
                or structures.schools(attributes.get("ENTEleveClasses", ())))
    if record.category == "PersEducNat":
        return structures.schools([*attributes.get("ENTPersonFonctions", ()),
                                   *attributes.get("ENTPersonStructRattach", ())])
    if record.category == "PersRelEleve":
        return {uai for child in attributes.get("ENTAuxPersRelEleveEleve", ())
                for uai in eleve_schools.get(child.strip(), set())}
    return set()  # subjects and MEFs: every school of the delivery


def split_by_school(delivery: Delivery, states: Mapping[str, AafState],
                    ) -> tuple[dict[str, list[AafRecord]], set[str]]:
    """The delivery's records per UAI; the UAIs it names that the caller will filter."""
    records = [record for export in delivery.files for record in export.aaf]
    structures = StructureMap([*records, *(r for s in states.values()
                                           for r in s.records.values())])
    eleve_schools: dict[str, set[str]] = defaultdict(set)
    for record in records:
        if record.category == "Eleve" and record.operation == "add":
            eleve_schools[(record.identifier or "").strip()] |= _schools_of(
                record, structures, {})
    for state in states.values():
        for key in state.records:
            if key.startswith("Eleve:"):
                eleve_schools[key[len("Eleve:"):]].add(state.uai)
    by_school: dict[str, list[AafRecord]] = defaultdict(list)
    shared = []
    for record in records:
        # A change to a record no school has goes to every school: applying it reports the gap.
        schools = (_schools_of(record, structures, eleve_schools) if record.operation == "add"
                   else {uai for uai, state in states.items() if key_of(record) in state.records}
                   or set(states))
        if record.category in ("MatiereEducNat", "MefEducNat"):
            shared.append(record)
        for uai in schools:
            by_school[uai].append(record)
    for uai in list(by_school):
        by_school[uai].extend(shared)
    return dict(by_school), set(by_school)


def apply_deliveries(
    deliveries: Sequence[Delivery], states: Mapping[str, AafState], folder: frozenset[str],
    checker: Checker,
) -> tuple[dict[str, AafState], set[str], set[str]]:
    """Every delivery in order, on the folder's schools: (states, the UAIs of the folder the
    deliveries feed, the UAIs outside the folder they name). A delivery given again (the very
    files a state was built from) changes nothing."""
    current = dict(states)
    changed: set[str] = set()
    others: set[str] = set()
    for delivery in deliveries:
        digests = {export.sha256 for export in delivery.files}
        applied = {uai for uai, state in current.items()
                   if digests <= {source.sha256 for source in state.sources}}
        if applied:  # given again: the schools it fed are as they were
            changed |= applied
            continue
        by_school, named = split_by_school(delivery, current)
        if delivery.kind == DELTA and not named:
            _delta_fits(None, delivery, Location(file=delivery.files[0].name), checker)
        others |= named - folder
        for uai in sorted(named & folder):
            after = apply_delivery(current.get(uai), uai, delivery, by_school[uai], checker)
            if after is not None:
                current[uai] = after
                changed.add(uai)
    return current, changed, others


def apply_delivery(state: AafState | None, uai: str, delivery: Delivery,
                   records: Sequence[AafRecord], checker: Checker) -> AafState | None:
    """The school's state after this delivery; None (problems reported) when it cannot apply."""
    sources = tuple(SourceFile(name=e.name, kind=_kind(e), sha256=e.sha256)
                    for e in delivery.files)
    if delivery.kind == COMPLET:
        if state is not None and delivery.day < state.complete_date:
            checker.error("aaf-complet-ancien",
                          f"{delivery.label} plus ancienne que la dernière appliquée "
                          f"(Complet du {state.complete_date:%d/%m/%Y})",
                          Location(file=sources[0].name), "Donnez la livraison la plus récente.")
            return None
        return AafState(uai=uai, complete_date=delivery.day, last_date=delivery.day,
                        records={key_of(r): r for r in records if r.operation == "add"},
                        sources=sources)
    if not _delta_fits(state, delivery, Location(file=sources[0].name), checker):
        return None
    assert state is not None  # _delta_fits refuses a Delta without a Complet
    current = dict(state.records)
    for record in records:
        _apply_record(current, record, checker)
    return AafState(uai=uai, complete_date=state.complete_date, last_date=delivery.day,
                    records=current, sources=state.sources + sources)


def _kind(export: ExportFile) -> str:
    category = next((r.category for r in export.aaf if r.category), None)
    return f"{AAF_ROOT}/{category}" if category else AAF_ROOT


def _delta_fits(state: AafState | None, delivery: Delivery, where: Location,
                checker: Checker) -> bool:
    if state is None:
        checker.error("aaf-delta-sans-complet",
                      f"{delivery.label} sans livraison Complet avant elle",
                      where, "Importez d'abord la dernière livraison Complet de l'académie, "
                      "puis les Delta qui la suivent, dans l'ordre.")
        return False
    if delivery.day <= state.last_date:
        checker.error("aaf-delta-ordre",
                      f"{delivery.label} antérieure ou égale à la dernière appliquée "
                      f"(le {state.last_date:%d/%m/%Y}) : elle est déjà appliquée ou arrive "
                      "dans le désordre", where,
                      "Donnez seulement les Delta postérieurs au "
                      f"{state.last_date:%d/%m/%Y}, dans l'ordre de leurs dates.")
        return False
    return True


def _apply_record(current: dict[str, AafRecord], record: AafRecord, checker: Checker) -> None:
    key = key_of(record)
    known = current.get(key)
    if (record.operation == "add") == (known is not None):
        what = ("ajoute un enregistrement déjà présent" if known is not None
                else "modifie ou supprime un enregistrement absent")
        checker.error("aaf-delta-manquant",
                      f"le Delta {what} : une livraison Delta intermédiaire manque sans doute",
                      record.location, _REDELIVER)
        return
    if record.operation == "add":
        current[key] = record
    elif record.operation == "delete":
        del current[key]
    elif known is not None:
        current[key] = dataclasses.replace(
            known, attributes=_changed(known.attributes, record.changes,
                                       record.attributes),
            file=record.file, line=record.line)


def _changed(attributes: Mapping[str, tuple[str, ...]], changes: Iterable[AafChange],
             replaced: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """A modifyRequest's changes (replace, add, delete values), or its whole attributes."""
    result = {**attributes, **replaced}
    for change in changes:
        old = result.get(change.name, ())
        if change.operation == "add":
            result[change.name] = old + tuple(v for v in change.values if v not in old)
        elif change.operation == "delete":
            result[change.name] = (tuple(v for v in old if v not in change.values)
                                   if change.values else ())
        else:
            result[change.name] = change.values
    return {name: values for name, values in result.items() if values}
