"""Staff from STS-Web and the local-people CSV, their services and the professeurs principaux."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bascule.domain.people import KNOWN_FUNCTIONS, parse_french_date, parse_iso_date, parse_sex
from bascule.domain.structures import StructureKind
from bascule.exports.records import ExportFile, ServiceRecord, StaffRecord
from bascule.snapshot.checks import FIX_IN_STS, Checker, optional, plausible_email
from bascule.snapshot.model import (
    Division,
    ProfPrincipal,
    Service,
    Staff,
    StaffKey,
    StaffSource,
)

FIX_IN_CSV = "Corrigez la ligne dans le CSV des personnes locales, puis relancez l'import."


def build_staff(exports: Iterable[ExportFile], checker: Checker) -> dict[StaffKey, Staff]:
    records = [record for export in exports for record in export.staff]

    def key_of(record: StaffRecord) -> StaffKey | None:
        if not checker.identifier(record.staff_id, record.location, "ID", _hint(record)):
            return None
        return _key(record.staff_id, record.source_type)

    unique = checker.unique(records, key_of, lambda key: f"l'identifiant {key.staff_id}",
                            _hint)
    staff = {key: _staff(record, key, _hint(record), checker) for key, record in unique.items()}
    return {key: member for key, member in staff.items() if member is not None}


def _hint(record: StaffRecord) -> str:
    return FIX_IN_CSV if record.source_type == StaffSource.CSV.value else FIX_IN_STS


def _key(staff_id: str | None, source_type: str | None) -> StaffKey:
    # ENSEIGNANT and INDIVIDU without TYPE are national (epp) records.
    return StaffKey(source=(source_type or "").strip() or StaffSource.EPP.value,
                    staff_id=(staff_id or "").strip())


def _staff(record: StaffRecord, key: StaffKey, hint: str, checker: Checker) -> Staff | None:
    location = record.location
    usage, birth = optional(record.nom_usage), optional(record.nom_patronymique)
    last_name = checker.name(usage or birth, location,
                             "NOM_USAGE" if usage or not birth else "NOM_PATRONYMIQUE", hint,
                             required=True)
    # STS may hold several first names in PRENOM, separated by spaces: the first is the usual one.
    first_names = (record.prenom or "").split()
    first_name = checker.name(first_names[0] if first_names else "", location, "PRENOM", hint,
                              required=True)
    # STS writes dates YYYY-MM-DD; the CSV and the AAF DD/MM/YYYY.
    french = key.source in (StaffSource.CSV.value, StaffSource.AAF.value)
    parse = parse_french_date if french else parse_iso_date
    if key.source == StaffSource.CSV.value and "-" in (record.date_naissance or ""):
        parse = parse_iso_date
    birth_date = checker.date(record.date_naissance, parse, location, "DATE_NAISSANCE", hint,
                              required=False)
    function = _function(record, hint, checker)
    if not last_name or not first_name or function is None:
        return None
    email = plausible_email(record.mel)
    if record.mel and email is None:
        checker.warn("email-invalide", f"« {record.mel} » n'est pas une adresse e-mail, ignorée",
                     location.at(field="email"), hint)
    return Staff(
        key=key, last_name=last_name, birth_name=birth, first_name=first_name,
        birth_date=birth_date, sex=parse_sex(record.sexe), civility=optional(record.civilite),
        function=function, disciplines=tuple(code.strip() for code in record.disciplines),
        email=email,
    )


def _function(record: StaffRecord, hint: str, checker: Checker) -> str | None:
    function = (record.fonction or "").strip().upper()
    where = record.location.at(field="FONCTION")
    if not function:
        if record.source_type == StaffSource.CSV.value:
            checker.error("fonction-absente", "fonction absente", where, hint)
            return None
        checker.warn("fonction-absente", "fonction absente : comptée comme personnel "
                     "administratif", where, hint)
        return "ADF"
    if function not in KNOWN_FUNCTIONS:
        checker.warn("fonction-inconnue", f"code de fonction « {function} » inconnu : compté "
                     "comme personnel administratif", where, hint)
    return function



def build_services(
    records: Iterable[ServiceRecord],
    staff: dict[StaffKey, Staff],
    subject_codes: set[str],
    checker: Checker,
) -> tuple[Service, ...]:
    services: dict[tuple[object, ...], Service] = {}
    for record in records:
        subject = checker.code(record.subject_code, record.location, "CODE_MATIERE", FIX_IN_STS)
        if subject and subject_codes and subject not in subject_codes:
            checker.warn("matiere-inconnue", f"matière « {subject} » absente des nomenclatures",
                         record.location.at(field="CODE_MATIERE"), FIX_IN_STS)
        for teacher in record.teachers:
            key = _key(teacher.staff_id, teacher.source_type)
            if key not in staff:
                checker.error("ref-inconnue", f"enseignant « {key.staff_id} » ({key.source}) "
                              "absent des individus", record.location.at(field="ENSEIGNANT"),
                              FIX_IN_STS)
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
    principals = []
    for record in records:
        key = _key(record.staff_id, record.source_type)
        for code in dict.fromkeys(c.strip() for c in record.pp_divisions):
            if code not in divisions:
                checker.error("ref-inconnue", f"professeur principal d'une division « {code} » "
                              "absente de STS-Web", record.location.at(field="PROF_PRINC"),
                              FIX_IN_STS)
                continue
            principals.append(ProfPrincipal(teacher=key, division=code))
    return tuple(principals)
