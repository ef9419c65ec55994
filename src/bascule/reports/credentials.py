"""The one place initial passwords are written in clear, readable by their owner only.

`<home>/credentials/<UAI>/<timestamp>/`: `comptes.csv` (`;`-separated, UTF-8 with BOM so that Excel
opens it right, one line per created account) and the slips: `fiches-<division>.pdf` (one
slip per élève), `fiches-enseignants.pdf` and one such PDF per staff category,
`fiches-responsables.pdf`.
The folder is written as `<timestamp>.partial` before the accounts are stored and renamed once
they are, so that a failed apply leaves no password behind and a done one always has its files.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from bascule.domain.logins import LoginKind
from bascule.plan.model import Action, login_of
from bascule.reports.slips import (
    SlipHeader,
    SlipRow,
    division_slips,
    slip_file_name,
    slip_of_row,
    slips_by_group,
)
from bascule.reports.tables import csv_for_people

# Runs work(*args) somewhere (a process pool, or here at once) and gives its future.
Submit = Callable[..., Future[Any]]
COLUMNS = ("login", "educonnect", "nom", "prenom", "profil", "division", "mot_de_passe")


def credentials_csv(created: Sequence[Action], passwords: Mapping[str, str]) -> bytes:
    """For the school office's spreadsheet: cells neutralised (reports.tables)."""
    network, educonnect = LoginKind.NETWORK, LoginKind.EDUCONNECT
    ordered = sorted(((action.profile, action.division or "", action.label, index)
                      for index, action in enumerate(created)))  # stable: the index breaks ties
    rows = []
    for profile, division, _label, index in ordered:
        action = created[index]
        identity = action.identity
        rows.append((
            login_of(action.logins, network) or "", login_of(action.logins, educonnect) or "",
            identity.last_name if identity else "", identity.first_name if identity else "",
            profile, division, passwords[action.person],
        ))
    return "\ufeff".encode() + csv_for_people(COLUMNS, rows, line_end="\r\n").encode("utf-8")


def write_credentials(folder: Path, header: SlipHeader, created: Sequence[Action],
                      passwords: Mapping[str, str]) -> None:
    """The CSV of every created account and the slips (each division's, each staff
    category's, the responsables'), all mode 0600."""
    start_credentials(folder, header, created, passwords, _at_once)()


def start_credentials(folder: Path, header: SlipHeader, created: Sequence[Action],
                      passwords: Mapping[str, str], submit: Submit) -> Callable[[], None]:
    """write_credentials with each PDF handed to `submit` (a process pool's, to be written
    while the caller goes on): the CSV is written now, and the returned function waits for the
    slips, raising what their writing raised."""
    write_private(folder / "comptes.csv", credentials_csv(created, passwords))
    taken: set[str] = set()
    groups = sorted(slips_by_group(created).items(), key=lambda group: -len(group[1]))
    files: _Files = [(folder / slip_file_name(group, taken), slips) for group, slips in groups]
    pending = [submit(write_slip_files, header, batch,
                      {slip[0]: passwords[slip[0]] for _path, slips in batch for slip in slips})
               for batch in _batches(files, _SLIP_TASKS)]

    def written() -> None:
        for future in pending:
            future.result()

    return written


def write_slips(path: Path, header: SlipHeader, slips: Sequence[SlipRow],
                passwords: Mapping[str, str]) -> None:
    """Into the folder the apply made (`start_credentials`), never making it again: a pool's
    process still writing after its apply was killed, and its folder settled or removed
    (`operations/credentials.py`), fails instead of leaving passwords nobody is told of."""
    _write_new_private(path, division_slips(header, list(map(slip_of_row, slips)), passwords))


def write_slip_files(header: SlipHeader, files: Sequence[tuple[Path, Sequence[SlipRow]]],
                     passwords: Mapping[str, str]) -> None:
    """`write_slips` of each (path, slips), in turn: one task of the pool for several PDFs."""
    for path, slips in files:
        write_slips(path, header, slips, passwords)


# The slips' PDFs go to the pool in a few tasks (a collège has some thirty, one a division):
# each task costs the apply's process a wake-up and a result to read, whatever its size.
_SLIP_TASKS = 2 * (os.cpu_count() or 1)
_Files = list[tuple[Path, Sequence[SlipRow]]]


def _batches(files: _Files, count: int) -> list[_Files]:
    """The files in at most `count` batches of about as many slips each: the biggest first,
    each to the batch that has the fewest so far (the pool's last worker to finish has the
    least left to do); the largest batches first."""
    batches: list[_Files] = [[] for _ in range(min(count, len(files)))]
    sizes = [0] * len(batches)
    for path, slips in sorted(files, key=lambda file: -len(file[1])):
        smallest = sizes.index(min(sizes))
        batches[smallest].append((path, slips))
        sizes[smallest] += len(slips)
    return [batches[index] for index in sorted(range(len(batches)), key=lambda i: -sizes[i])]


def _at_once(work: Callable[..., object], *args: Any) -> Future[object]:
    done: Future[object] = Future()
    done.set_result(work(*args))
    return done


def write_private(path: Path, data: bytes) -> None:
    """Create the file readable by its owner only, from the first byte on."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    _write_new_private(path, data)


def _write_new_private(path: Path, data: bytes) -> None:
    """As write_private, in a folder that must exist (FileNotFoundError otherwise)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
