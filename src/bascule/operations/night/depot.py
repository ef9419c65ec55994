"""Drop folders: `<depot>/<UAI>/`, where the school's exports arrive (an SFTP-fed folder, say).

A complete set is the files of one export: the Siècle-BEE élèves file and the STS-Web file at
least, every file stating the same school and school year, and the Siècle-BEE files the same
export date (their PARAMETRES, read without reading the records). Anything else waits, said
why, and is never half-imported. Processed files move to `traites/<date>/`, kept
`depot.retention_days` (the memo: "les anciens fichiers d'importation seront supprimés").
"""

from __future__ import annotations

import hashlib
import shutil
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from bascule.domain.school import local_time
from bascule.errors import NOT_AN_EXPORT, UserError
from bascule.exports.read import read_header
from bascule.exports.records import ExportKind, Header
from bascule.exports.source import UTF16, ExportLimits, UnreadableSource
from bascule.operations.campaign import EXPORT_SUFFIXES
from bascule.settings import Settings

PROCESSED = "traites"
REQUIRED = (ExportKind.ELEVES, ExportKind.STS)
_REQUIRED_NAMES = {ExportKind.ELEVES: "l'export des élèves de Siècle-BEE (ElevesSansAdresses)",
                   ExportKind.STS: "l'export STS-Web (sts_emp_<UAI>_<année>.xml)"}


@dataclass(frozen=True, slots=True)
class DropSet:
    """What the drop folder holds now: `files` (sorted), their hash (the night's check of
    "unchanged"), and, when they are not one complete export, why in French."""

    folder: Path
    files: tuple[Path, ...]
    sha256: str
    waiting: str = ""
    export_date: str = ""
    # Waiting cannot end by itself (another school's export, several years…): a person must
    # take the files out or replace them. An unreadable or incomplete set may be one still
    # being dropped.
    lasting: bool = False

    @property
    def empty(self) -> bool:
        return not self.files


def drop_folder_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.iterdir() if path.is_file()
                  and path.suffix.lower() in EXPORT_SUFFIXES and not path.name.startswith("."))


def files_sha256(files: tuple[Path, ...] | list[Path]) -> str:
    """One hash of the files' names and contents: equal when nothing new was dropped."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0")
        with path.open("rb") as file:
            digest.update(hashlib.file_digest(file, "sha256").digest())
    return digest.hexdigest()


def scan_drop_folder(settings: Settings, uai: str) -> DropSet:
    """The set waiting in the school's drop folder, checked from the files' headers."""
    folder = settings.depot_of(uai)
    files = tuple(drop_folder_files(folder))
    if not files:
        return DropSet(folder=folder, files=(), sha256="")
    sha256 = files_sha256(files)
    limits = ExportLimits(max_bytes=settings.max_export_bytes, max_ratio=settings.max_zip_ratio,
                          max_records=settings.max_export_records)
    headers: dict[Path, tuple[ExportKind, Header | None]] = {}
    drop = DropSet(folder, files, sha256)
    for path in files:
        try:
            headers[path] = read_header(path, limits)
        except UnreadableSource as exc:
            if exc.problem.code in _NEVER_AN_EXPORT:
                return _stuck(drop, f"{path.name} : {exc.problem.message}")
            return _unreadable(drop, path, exc.problem.message)
        except UserError as exc:
            return _unreadable(drop, path, exc.message)
    return _consistency(drop, uai, headers)

# What no more bytes would make an export (a file that is none, one saved again in UTF-16):
# failed at once, as another school's export is (newcomer 10b).
_NEVER_AN_EXPORT = frozenset({NOT_AN_EXPORT, UTF16})


def _consistency(drop: DropSet, uai: str, headers: dict[Path, tuple[ExportKind, Header | None]]
                 ) -> DropSet:
    """`drop` ready, with its Siècle-BEE export date, when its files are one complete export
    of this school; else waiting, said why, and `lasting` unless only files are missing."""
    kinds = defaultdict(list)
    for path, (kind, _header) in headers.items():
        kinds[kind].append(path.name)
    if ExportKind.AAF in kinds:
        return _stuck(drop, "fichiers AAF déposés : la nuit ne lit que les exports Siècle-BEE "
                      "et STS-Web ; importez-les avec bascule import")
    doubles = [names for kind, names in kinds.items()
               if len(names) > 1 and kind is not ExportKind.LOCAL_PEOPLE]
    if doubles:
        return _stuck(drop, f"plusieurs exports du même type : {', '.join(doubles[0])}")
    stated = {path.name: header for path, (_kind, header) in headers.items() if header}
    other = sorted(name for name, header in stated.items() if header.uai != uai)
    if other:  # said first: no file still to come would mend it (newcomer 11)
        schools = ", ".join(sorted({stated[name].uai or "?" for name in other}))
        return _stuck(drop, f"{', '.join(other)} : export d'un autre établissement "
                      f"({schools}) que {uai}")
    missing = [_REQUIRED_NAMES[kind] for kind in REQUIRED if kind not in kinds]
    if missing:  # files still being dropped, maybe
        return replace(drop, waiting="export incomplet : il manque " + " et ".join(missing))
    if len({header.school_year for header in stated.values()}) > 1:
        return _stuck(drop, "exports de plusieurs années scolaires : " + ", ".join(
            f"{name} ({header.school_year})" for name, header in sorted(stated.items())))
    siecle = {header.export_date for path, (kind, header) in headers.items()
              if header and kind is not ExportKind.STS}
    if len(siecle) > 1:
        return _stuck(drop, "exports Siècle-BEE de plusieurs dates : " + ", ".join(sorted(
            str(d) for d in siecle)) + " ; déposez les fichiers d'un même export")
    return replace(drop, export_date=next(iter(siecle), "") or "")


def _unreadable(drop: DropSet, path: Path, why: str) -> DropSet:
    return replace(drop, waiting=f"{path.name} illisible ({why}) : fichier en cours de dépôt, "
                   "ou à déposer de nouveau")


def _stuck(drop: DropSet, why: str) -> DropSet:
    """Waiting, and no more files dropped would mend it: a person must act."""
    return replace(drop, waiting=why, lasting=True)


def move_processed(drop: DropSet, moment: datetime) -> Path:
    """The set's files into traites/<date>/ (numbered when that folder exists already)."""
    stamp = f"{local_time(moment):%Y-%m-%d}"
    target = drop.folder / PROCESSED / stamp
    number = 1
    while target.exists() and any(target.iterdir()):
        number += 1
        target = drop.folder / PROCESSED / f"{stamp}-{number}"
    target.mkdir(parents=True, exist_ok=True)
    for path in drop.files:
        shutil.move(path, target / path.name)
    return target


def purge_processed(folder: Path, *, before: date) -> list[Path]:
    """Remove the processed sets dated before `before`; returns what was removed."""
    processed = folder / PROCESSED
    if not processed.is_dir():
        return []
    removed = []
    for entry in sorted(processed.iterdir()):
        try:
            day = date.fromisoformat(entry.name[:10])
        except ValueError:
            continue  # not ours: left alone
        if entry.is_dir() and day < before:
            shutil.rmtree(entry)
            removed.append(entry)
    return removed
