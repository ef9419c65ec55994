"""Staff from STS-Web and the local-people CSV, their services and the professeurs principaux."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from bascule.domain.people import (
    FUNCTIONS,
    NO_FUNCTION,
    PersonKind,
    StaffCategory,
    parse_french_date,
    parse_iso_date,
    parse_sex,
)
from bascule.domain.structures import StructureKind
from bascule.exports.records import ExportFile, ServiceRecord, StaffRecord
from bascule.snapshot.checks import FIX_IN_STS, Checker, optional, plausible_email
from bascule.snapshot.holds import RecordScope
from bascule.snapshot.model import (
    Division,
    ProfPrincipal,
    Service,
    Staff,
    StaffKey,
    StaffSource,
)

FIX_IN_CSV = "Corrigez la ligne dans le CSV des personnes locales, puis relancez l'import."
TELL_THE_DEPARTEMENT = (
    "Ce code de la nomenclature nationale est inconnu de bascule : signalez-le à l'équipe du "
    "département, qui l'ajoutera à la table des fonctions. Il n'y a rien à corriger dans "
    "STS-Web."
)


def build_staff(exports: Iterable[ExportFile], checker: Checker) -> dict[StaffKey, Staff]:
    records = [record for export in exports for record in export.staff]

    def key_of(record: StaffRecord) -> StaffKey | None:
        if not checker.identifier(record.staff_id, record.location, _field(record, "ID"),
                                  _hint(record)):
            return None
        return _key(record.staff_id, record.source_type)

    unique = checker.unique(records, key_of, lambda key: f"l'identifiant {key.staff_id}",
                            _hint, _scope)
    staff: dict[StaffKey, Staff] = {}
    for key, record in unique.items():
        with checker.record(_scope(record)) as scope:
            member = _staff(record, key, _hint(record), checker)
        if member is not None and scope.usable:
            staff[key] = member
    return staff


def _scope(record: StaffRecord) -> RecordScope:
    name = optional(record.nom_usage) or optional(record.nom_patronymique) or ""
    label = f"{name} {(record.prenom or '').strip()}".strip() or record.record_label
    return RecordScope(kind=PersonKind.STAFF, label=label,
                       person_id=str(_key(record.staff_id, record.source_type)))


def _link_scope(key: StaffKey) -> RecordScope:
    return RecordScope(kind=PersonKind.STAFF, person_id=str(key), link=True,
                       label=f"personnel {key.staff_id}")


def _hint(record: StaffRecord) -> str:
    return FIX_IN_CSV if record.source_type == StaffSource.CSV.value else FIX_IN_STS


# The local list's own columns (exports/localcsv.py) for the STS-Web fields its lines stand for:
# its problems name what its author typed.
_CSV_COLUMNS = {"ID": "identifiant", "NOM_USAGE": "nom", "NOM_PATRONYMIQUE": "nom",
                "PRENOM": "prenom", "DATE_NAISSANCE": "date_naissance", "FONCTION": "fonction"}


def _field(record: StaffRecord, sts_field: str) -> str:
    """The field as the record's file names it: STS-Web's, or the local list's column."""
    if record.source_type == StaffSource.CSV.value:
        return _CSV_COLUMNS.get(sts_field, sts_field)
    return sts_field


def _key(staff_id: str | None, source_type: str | None) -> StaffKey:
    # ENSEIGNANT and INDIVIDU without TYPE are national (epp) records.
    return StaffKey(source=(source_type or "").strip() or StaffSource.EPP.value,
                    staff_id=(staff_id or "").strip())


def _staff(record: StaffRecord, key: StaffKey, hint: str, checker: Checker) -> Staff | None:
    usage, birth = optional(record.nom_usage), optional(record.nom_patronymique)
    last_name = checker.name(usage or birth, record, _field(
        record, "NOM_USAGE" if usage or not birth else "NOM_PATRONYMIQUE"), hint, required=True)
    # PRENOM is kept whole: a composed first name ("Jean Pierre", "Marie Claire") is one name.
    first_name = checker.name(record.prenom, record, _field(record, "PRENOM"), hint,
                              required=True)
    # STS writes dates YYYY-MM-DD; the CSV and the AAF DD/MM/YYYY.
    french = key.source in (StaffSource.CSV.value, StaffSource.AAF.value)
    parse = parse_french_date if french else parse_iso_date
    if key.source == StaffSource.CSV.value and "-" in (record.date_naissance or ""):
        parse = parse_iso_date
    birth_date = checker.date(record.date_naissance, parse, record,
                              _field(record, "DATE_NAISSANCE"), hint, required=False)
    function = _function(record, hint, checker)
    if not last_name or not first_name or function is None:
        return None
    email = plausible_email(record.mel)
    if record.mel and email is None:
        checker.warn("email-invalide", f"« {record.mel} » n'est pas une adresse e-mail, ignorée",
                     record.location.at(field="email"), hint)
    return Staff(
        key=key, last_name=last_name, birth_name=birth, first_name=first_name,
        birth_date=birth_date, sex=parse_sex(record.sexe), civility=optional(record.civilite),
        function=function, disciplines=tuple(code.strip() for code in record.disciplines),
        email=email,
    )


def _function(record: StaffRecord, hint: str, checker: Checker) -> str | None:
    """The national function code, "" when STS-Web gives none (its services will tell); the
    CSV must give one. An unknown code is the département's to add, not the school's to fix."""
    function = (record.fonction or "").strip().upper()
    where = record.location.at(field=_field(record, "FONCTION"))
    if function in NO_FUNCTION:
        if record.source_type == StaffSource.CSV.value:
            checker.error("fonction-absente", "fonction absente", where, hint)
            return None
        checker.warn("fonction-absente", "fonction absente : enseignant s'il assure un service "
                     "dans STS-Web, personnel administratif sinon", where, hint)
        return ""
    if function not in FUNCTIONS:
        checker.warn("fonction-inconnue", f"code de fonction « {function} » inconnu : compté "
                     "comme personnel administratif (enseignant s'il assure un service)", where,
                     TELL_THE_DEPARTEMENT)
    return function


def mark_teachers(staff: dict[StaffKey, Staff], services: Iterable[Service],
                  records: Iterable[StaffRecord], checker: Checker) -> dict[StaffKey, Staff]:
    """Whoever holds a service teaches, whatever their FONCTION: said once per person whose
    FONCTION says otherwise."""
    teaching = {service.teacher for service in services}
    where = {_key(record.staff_id, record.source_type): record.location for record in records}
    for key in sorted(teaching & set(staff)):
        member = staff[key]
        if member.category is not StaffCategory.ENSEIGNANT and member.function:
            label = FUNCTIONS.get(member.function, (None, "inconnue"))[1]
            checker.warn("fonction-services", f"fonction « {member.function} » ({label}) mais "
                         "des services d'enseignement : compté comme enseignant",
                         where[key].at(field="FONCTION"),
                         "Rien à faire si cette personne enseigne ; sinon retirez-lui ses "
                         "services dans STS-Web.")
        staff[key] = dataclasses.replace(member, teaches=True)
    return staff



def build_services(
    records: Iterable[ServiceRecord],
    staff: dict[StaffKey, Staff],
    subject_codes: set[str],
    checker: Checker,
) -> tuple[Service, ...]:
    services: dict[tuple[object, ...], Service] = {}
    for record in records:
        keys = [_key(teacher.staff_id, teacher.source_type) for teacher in record.teachers]
        with checker.record(_link_scope(keys[0]) if keys else _link_scope(_key("", ""))) as scope:
            subject = checker.code(record.subject_code, record, "CODE_MATIERE",
                                   FIX_IN_STS)
        if subject and subject_codes and subject not in subject_codes:
            checker.warn("matiere-inconnue", f"matière « {subject} » absente des nomenclatures",
                         record.location.at(field="CODE_MATIERE"), FIX_IN_STS)
        for key in keys:
            if key not in staff:
                with checker.record(_link_scope(key)):
                    checker.error("ref-inconnue", f"enseignant « {key.staff_id} » "
                                  f"({key.source}) absent des individus",
                                  record.location.at(field="ENSEIGNANT"), FIX_IN_STS)
                continue
            if scope.faults:
                continue
            service = Service(teacher=key, structure_code=(record.structure_code or "").strip(),
                              structure_kind=StructureKind(record.structure_kind),
                              subject_code=subject, mod_cours=optional(record.mod_cours))
            services.setdefault((key, service.structure_code, service.structure_kind, subject),
                                service)
    return tuple(services.values())


def build_profs_principaux(
    records: Iterable[StaffRecord], divisions: Mapping[str, Division], checker: Checker
) -> tuple[ProfPrincipal, ...]:
    principals: dict[tuple[StaffKey, str], ProfPrincipal] = {}
    for record in records:
        key = _key(record.staff_id, record.source_type)
        lines = record.pp_lines or (None,) * len(record.pp_divisions)
        for code, line in zip((c.strip() for c in record.pp_divisions), lines, strict=True):
            if code not in divisions:
                with checker.record(_link_scope(key)):
                    checker.error("pp-division-inconnue", f"professeur principal d'une division "
                                  f"« {code} » absente de STS-Web",
                                  record.location.at(field="PROF_PRINC", line=line),
                                  "Retirez ce professeur principal de l'ancienne division dans "
                                  "STS-Web (Indemnités), puis refaites l'export.")
                continue
            principals.setdefault((key, code), ProfPrincipal(teacher=key, division=code))
    return tuple(principals.values())
