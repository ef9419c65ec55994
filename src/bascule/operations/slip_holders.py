"""Who is on each PDF of slips of a credentials folder, and what wrote the folder: what the
console asks before it gives a PDF again (operations/slips.py), the policy deciding on each
person on it.

An apply's folder (`credentials/<UAI>/<stamp>/`, reports/credentials.py) holds `comptes.csv`
(one row per created account: logins, profile, division) and one PDF per group of its rows
(reports/slips.py `slips_by_group`, named by `slip_file_name`). The people of a PDF are told
again from the CSV: the rows of the groups the file's name may stand for (two groups whose
names collide, « 6 A » and « 6_A », give a file the rows of both: that only ever asks more of
whoever takes it). A whole division's reset written by the CLI (operations/passwords.py
`write_slips`) has no CSV: it writes `fiches.json`, saying what it was and who is on its PDF.
A PDF whose people cannot be told (a folder edited by hand) holds, for the policy, every
profile.
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from bascule.domain.labels import PROFILES_PLURAL
from bascule.reports.credentials import write_private
from bascule.reports.slips import slip_file_name
from bascule.reports.tables import original_cell

MANIFEST = "fiches.json"
_ACCOUNTS = "comptes.csv"  # reports/credentials.py COLUMNS: login, educonnect, … profil, division


@dataclass(frozen=True, slots=True)
class Holder:
    """Someone whose slip a PDF holds."""

    logins: tuple[str, ...]  # network, EduConnect: those the account has
    profile: str
    division: str  # "" when none


@dataclass(frozen=True, slots=True, kw_only=True)
class Origin:
    """What wrote a folder that is not an apply's: a whole division's or group's reset."""

    structure: str  # 6A
    kind: str  # "division" or "groupe"
    by: str  # who reset it: « NOM Prénom (login) »
    reprint: bool  # only those still on their initial password


Holders = Mapping[str, tuple[Holder, ...] | None]  # file name -> its people; None: unknown


def write_manifest(folder: Path, origin: Origin, files: Mapping[str, Sequence[Holder]]) -> None:
    """`fiches.json` of a reset's folder (no password in it), private as the PDFs."""
    text = json.dumps({"origine": asdict(origin),
                       "fichiers": {name: [asdict(holder) for holder in holders]
                                    for name, holders in files.items()}}, ensure_ascii=False)
    write_private(folder / MANIFEST, text.encode())


def _manifest(folder: Path) -> dict[str, object] | None:
    try:
        found = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def origin_of(folder: Path) -> Origin | None:
    """A reset's origin; None for an apply's folder (or one that does not say)."""
    said = (_manifest(folder) or {}).get("origine")
    try:
        return Origin(**said) if isinstance(said, dict) else None
    except TypeError:
        return None


def holders_of(folder: Path, names: Sequence[str]) -> Holders:
    """The people on each of these PDFs of the folder (None: not known)."""
    manifest = _manifest(folder)
    if manifest is not None:
        listed = manifest.get("fichiers")
        listed = listed if isinstance(listed, dict) else {}
        return {name: _from_manifest(listed.get(name)) for name in names}
    groups = _groups_of_accounts(folder / _ACCOUNTS)
    return {name: _on_file(name, groups) if groups else None for name in names}


def _from_manifest(rows: object) -> tuple[Holder, ...] | None:
    try:
        return tuple(Holder(tuple(row["logins"]), row["profile"], row["division"])
                     for row in rows) if isinstance(rows, list) else None
    except (KeyError, TypeError):
        return None


def _groups_of_accounts(path: Path) -> dict[str, list[Holder]]:
    """The CSV's rows grouped as reports/slips.py `slips_by_group` groups the accounts."""
    groups: dict[str, list[Holder]] = defaultdict(list)
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            for row in list(csv.reader(file, delimiter=";"))[1:]:
                if len(row) < 6:
                    continue
                login, educonnect, _last, _first, profile, division = map(original_cell, row[:6])
                group = (division or "sans-division") if profile == "eleve" \
                    else PROFILES_PLURAL.get(profile, profile)
                groups[group].append(Holder(tuple(filter(None, (login, educonnect))),
                                            profile, division))
    except (OSError, csv.Error):
        return {}
    return groups


def _on_file(name: str, groups: Mapping[str, list[Holder]]) -> tuple[Holder, ...] | None:
    """The rows of every group this file's name may stand for; None when none."""
    found = [holder for group, holders in groups.items() if _may_be(name, group)
             for holder in holders]
    return tuple(found) or None


def _may_be(name: str, group: str) -> bool:
    """Whether `slip_file_name` may have named this group's PDF so: its own name, or its
    name numbered after a collision."""
    first = slip_file_name(group, set())
    return name == first or re.fullmatch(re.escape(first[:-4]) + r"-\d+\.pdf", name) is not None
