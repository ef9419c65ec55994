"""The local-people CSV: people that no national export carries.

Administrative and technical staff, agents, and local accounts (a substitute not yet in STS).
Format (documented in docs/personnes-locales.md): UTF-8 with or without BOM, `;`-separated,
a header line, one person per line.
"""

from __future__ import annotations

import csv
import io

from bascule.errors import error
from bascule.exports.records import ExportFile, ExportKind, Header, StaffRecord
from bascule.exports.source import Source, UnreadableSource, too_many_records

REQUIRED_COLUMNS = ("identifiant", "nom", "prenom", "fonction")
OPTIONAL_COLUMNS = ("date_naissance", "email", "civilite")
_UTF8_HINT = (
    "Enregistrez le fichier en « CSV UTF-8 (délimité par des points-virgules) » "
    "(Excel : Fichier > Enregistrer sous)."
)


def is_local_people_csv(source: Source) -> bool:
    first_line = source.data[:4096].split(b"\n", 1)[0].removeprefix(b"\xef\xbb\xbf")
    names = first_line.decode("utf-8", "replace").split(";")
    columns = {column.strip().lower() for column in names}
    return {"identifiant", "nom"} <= columns


def read_local_people(source: Source) -> ExportFile:
    text = _decode(source)
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    header = [column.strip().lower() for column in next(rows, [])]
    _require_columns(source, header)
    export = ExportFile(
        name=source.name, sha256=source.sha256, kind=ExportKind.LOCAL_PEOPLE,
        header=Header(uai=None, school_year=None, export_date=None, location=source.location(1)),
    )
    for row in rows:
        if not any(cell.strip() for cell in row):
            continue
        if len(export.staff) >= source.limits.max_records:
            raise UnreadableSource(too_many_records(source))
        export.staff.append(_person(source, rows.line_num, dict(zip(header, row, strict=False))))
    return export


def _decode(source: Source) -> str:
    try:
        return source.data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = source.data.count(b"\n", 0, exc.start) + 1
        raise UnreadableSource(error(
            "csv-encodage", "le fichier n'est pas en UTF-8 (caractère accentué illisible)",
            source.location(line), _UTF8_HINT,
        )) from exc


def _require_columns(source: Source, header: list[str]) -> None:
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise UnreadableSource(error(
            "csv-colonnes",
            f"colonne(s) obligatoire(s) absente(s) : {', '.join(missing)}",
            source.location(1, "ligne d'en-tête"),
            "La première ligne doit nommer les colonnes : "
            + ";".join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS),
        ))


def _person(source: Source, line: int, cells: dict[str, str]) -> StaffRecord:
    def cell(name: str) -> str | None:
        value = cells.get(name)
        return value.strip() if value and value.strip() else None

    staff_id = cell("identifiant")
    return StaffRecord(
        file=source.name, line=line,
        staff_id=staff_id,
        source_type="csv",
        sexe=None,
        civilite=cell("civilite"),
        nom_usage=cell("nom"),
        nom_patronymique=None,
        prenom=cell("prenom"),
        date_naissance=cell("date_naissance"),
        fonction=(cell("fonction") or "").upper() or None,
        mel=cell("email"),
    )
