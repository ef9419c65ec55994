"""Responsables: people, and their links to élèves with a level (legal, in charge, contact)."""

from __future__ import annotations

from collections import Counter

from bascule.domain.people import GuardianLevel, PersonKind
from bascule.errors import Location
from bascule.exports.records import ExportFile, GuardianLinkRecord, PersonneRecord
from bascule.snapshot.checks import (
    FIX_IN_SIECLE,
    REEXPORT_TOGETHER,
    Checker,
    optional,
    plausible_email,
)
from bascule.snapshot.holds import RecordScope
from bascule.snapshot.model import Guardianship, Responsable

MAX_LEGAL_REPRESENTATIVES = 2


def linkable_eleve_ids(eleves: ExportFile) -> set[str]:
    """The ELEVE_IDs a responsable's link may name: every one of the élèves file, even one whose
    record has an error (that error is reported once, not again on each link)."""
    return {(record.eleve_id or "").strip() for record in eleves.eleves}


def build_responsables(
    export: ExportFile, eleve_ids: set[str], checker: Checker
) -> tuple[tuple[Responsable, ...], tuple[Guardianship, ...]]:
    people = _unique_people(export.personnes, checker)
    personne_ids = set(people)
    links = tuple(
        link for record in export.guardian_links
        if (link := _guardianship(record, eleve_ids, personne_ids, checker)) is not None
    )
    _check_legal_count(links, export, checker)
    linked = {link.personne_id for link in links}
    responsables = []
    for record in people.values():
        with checker.record(_scope(record)) as scope:
            responsable = _responsable(record, checker)
        if responsable is not None and scope.usable and responsable.personne_id in linked:
            responsables.append(responsable)
    return tuple(responsables), links


def _scope(record: PersonneRecord) -> RecordScope:
    name = optional(record.nom_usage) or optional(record.nom_de_famille) or optional(record.nom)
    label = f"{name or ''} {(record.prenom or '').strip()}".strip()
    return RecordScope(kind=PersonKind.RESPONSABLE, person_id=(record.personne_id or "").strip(),
                       label=label or record.record_label)


def _unique_people(records: list[PersonneRecord], checker: Checker) -> dict[str, PersonneRecord]:
    def key_of(record: PersonneRecord) -> str | None:
        if personne_id := (record.personne_id or "").strip():
            return personne_id  # what checker.identifier gives, without a scope made for nothing
        with checker.record(_scope(record)):
            return checker.identifier(record.personne_id, record.location, "PERSONNE_ID",
                                      FIX_IN_SIECLE) or None

    return checker.unique(records, key_of, lambda personne_id: f"PERSONNE_ID {personne_id}",
                          lambda _r: FIX_IN_SIECLE, _scope)


def _responsable(record: PersonneRecord, checker: Checker) -> Responsable | None:
    usage, family, legacy = (optional(record.nom_usage), optional(record.nom_de_famille),
                             optional(record.nom))
    last_name = checker.name(usage or family or legacy, record,
                             "NOM_USAGE" if usage else "NOM_DE_FAMILLE", FIX_IN_SIECLE,
                             required=True)
    first_name = checker.name(record.prenom, record, "PRENOM", FIX_IN_SIECLE, required=True)
    if not last_name or not first_name:
        return None
    return Responsable(
        personne_id=(record.personne_id or "").strip(),
        last_name=last_name,
        birth_name=family or legacy,
        first_name=first_name,
        civility=optional(record.civilite),
        email=plausible_email(record.mel),
    )


def _guardianship(
    record: GuardianLinkRecord, eleve_ids: set[str], personne_ids: set[str], checker: Checker
) -> Guardianship | None:
    eleve_id, personne_id = (record.eleve_id or "").strip(), (record.personne_id or "").strip()
    level = _LEVELS.get(record.niveau) if record.niveau else _legacy_level(record)
    if level is not None and eleve_id in eleve_ids and personne_id in personne_ids:
        # Nothing to report (the usual link): no scope to check it within.
        return Guardianship(eleve_id=eleve_id, personne_id=personne_id, level=level,
                            parente=optional(record.code_parente))
    scope = RecordScope(kind=PersonKind.RESPONSABLE, person_id=personne_id,
                        label=f"responsable {personne_id}", link=True)
    with checker.record(scope):
        for field_name, value, ids, what in (("ELEVE_ID", eleve_id, eleve_ids, "aucun élève"),
                                             ("PERSONNE_ID", personne_id, personne_ids,
                                              "aucune personne")):
            if value not in ids:
                checker.error("ref-inconnue", f"« {value} » ne correspond à {what}",
                              record.location.at(field=field_name), REEXPORT_TOGETHER)
        level = _level(record, checker)
    if scope.faults or level is None:
        return None
    return Guardianship(eleve_id=eleve_id, personne_id=personne_id, level=level,
                        parente=optional(record.code_parente))


# NIVEAU_RESPONSABILITE as Siècle-BEE writes it: any other text goes through _level.
_LEVELS = {str(level.value): level for level in GuardianLevel}


def _level(record: GuardianLinkRecord, checker: Checker) -> GuardianLevel | None:
    """NIVEAU_RESPONSABILITE since 2018; before, RESP_LEGAL 1 or 2 meant a legal representative."""
    niveau = optional(record.niveau)
    if niveau is not None:
        try:
            return GuardianLevel(int(niveau))
        except ValueError:
            checker.error("niveau-invalide", f"« {niveau} » : attendu 1, 2 ou 3",
                          record.location.at(field="NIVEAU_RESPONSABILITE"), FIX_IN_SIECLE)
            return None
    return _legacy_level(record)


def _legacy_level(record: GuardianLinkRecord) -> GuardianLevel:
    """RESP_LEGAL, what counts when NIVEAU_RESPONSABILITE is absent or blank."""
    legal = optional(record.resp_legal) in ("1", "2")
    return GuardianLevel.LEGAL if legal else GuardianLevel.CONTACT


def _check_legal_count(
    links: tuple[Guardianship, ...], export: ExportFile, checker: Checker
) -> None:
    counts = Counter(link.eleve_id for link in links if link.is_legal)
    for eleve_id, count in sorted(counts.items()):
        if count > MAX_LEGAL_REPRESENTATIVES:
            checker.warn("representants-legaux",
                         f"{count} représentants légaux (2 au plus)",
                         Location(file=export.name, record=f"élève {eleve_id}"),
                         "Vérifiez les responsables de l'élève dans Siècle-BEE.")
