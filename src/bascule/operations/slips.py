"""An apply's slips, for the console: the PDFs the apply wrote (`credentials/<UAI>/<stamp>/`,
mode 0600, one per division, per staff category, for the responsables) given again without
issuing new passwords, while they are being handed out: until someone says they were (the
folder is then destroyed, journaled) or until `[passwords] slips_kept_days` after the apply.
After that, the re-print of those still on their initial password (new passwords, after its
confirmation: operations/passwords.py) is what remains. Every download is journaled."""

from __future__ import annotations

import shutil
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bascule.domain.policy import Permission
from bascule.domain.school import SCHOOL_TIMEZONE, describe_moment
from bascule.errors import UserError
from bascule.operations.campaign import accounts
from bascule.operations.credentials import plaintext_folders
from bascule.operations.passwords import resettable_structures
from bascule.operations.school import require_allowed
from bascule.settings import Settings
from bascule.store.engine import open_store
from bascule.store.operators import find_actor
from bascule.store.people import Person, journal_entry

_STAMP = "%Y%m%d-%H%M%S"  # the apply's folder name (operations/campaign.py), Paris time


@dataclass(frozen=True, slots=True, kw_only=True)
class AppliedSlips:
    folder: str  # the apply's stamp: 20260910-100000
    applied_at: datetime
    files: tuple[str, ...]  # fiches-6A.pdf, fiches-enseignants.pdf…
    kept_until: datetime

    def kept(self, now: datetime) -> bool:
        return now < self.kept_until


def _applied_at(folder: Path) -> datetime:
    try:
        return datetime.strptime(folder.name[:15], _STAMP).replace(tzinfo=SCHOOL_TIMEZONE)
    except ValueError:  # renamed by hand: its files' time
        return datetime.fromtimestamp(folder.stat().st_mtime, SCHOOL_TIMEZONE)


def applied_slips(settings: Settings, uai: str) -> list[AppliedSlips]:
    """The applies whose slips are still on disk, newest first."""
    found = []
    for folder in plaintext_folders(settings.home, uai):
        files = tuple(sorted(path.name for path in folder.glob("fiches-*.pdf")))
        if files:
            applied = _applied_at(folder)
            found.append(AppliedSlips(folder=folder.name, applied_at=applied, files=files,
                                      kept_until=applied + settings.slips_kept))
    return sorted(found, key=lambda slips: slips.applied_at, reverse=True)


def _one(settings: Settings, uai: str, folder: str) -> AppliedSlips:
    """By its folder's name, never a path: a name the listing does not hold is refused."""
    found = next((s for s in applied_slips(settings, uai) if s.folder == folder), None)
    if found is None:
        raise UserError(f"Pas de fiches gardées pour l'application « {folder} » : distribuées "
                        "et détruites, ou jamais écrites.",
                        hint="Réimprimez celles des élèves encore au mot de passe initial.")
    return found


def _actor(settings: Settings, uai: str, by: str) -> Person:
    with open_store(settings.store_url).connect() as connection:
        actor = find_actor(connection, uai, by)
    require_allowed(actor, Permission.PRINT_APPLY_SLIPS, settings,
                    hint="Les fiches d'une application sont pour la direction et le référent "
                         "numérique.")
    return actor


def _subject(slips: AppliedSlips) -> str:
    """What the journal shows as the entry's subject."""
    return f"application du {describe_moment(slips.applied_at)}"


def slips_file(settings: Settings, uai: str, folder: str, name: str, *, by: str,
               now: datetime) -> bytes:
    """One PDF of an apply's slips, as written (no new password); journaled."""
    actor = _actor(settings, uai, by)
    slips = _one(settings, uai, folder)
    if name not in slips.files:
        raise UserError(f"« {name} » n'est pas une fiche de cette application.")
    if not slips.kept(now):
        raise UserError("Ces fiches ne sont plus données : le délai pour les distribuer est "
                        "passé.", hint="Réimprimez celles des élèves encore au mot de passe "
                                       "initial, puis détruisez ces fiches.")
    data = (settings.home / "credentials" / uai / folder / name).read_bytes()
    with open_store(settings.store_url).begin() as connection:
        journal_entry(connection, uai, "fiches", _subject(slips), actor.login, now,
                      {"application": folder, "fichier": name})
    return data


def destroy_slips(settings: Settings, uai: str, folder: str, *, by: str,
                  now: datetime) -> int:
    """The slips were handed out: the apply's folder of passwords in clear is deleted (its
    CSV too); journaled. How many PDFs it held."""
    actor = _actor(settings, uai, by)
    slips = _one(settings, uai, folder)
    shutil.rmtree(settings.home / "credentials" / uai / slips.folder)
    with open_store(settings.store_url).begin() as connection:
        journal_entry(connection, uai, "fiches_detruites", _subject(slips), actor.login, now,
                      {"application": folder, "fichiers": len(slips.files)})
    return len(slips.files)


def still_initial(settings: Settings, uai: str, by: str) -> list[tuple[str, int]]:
    """The divisions this person may re-print, with their active élèves still on their
    initial password (none: not listed)."""
    with open_store(settings.store_url).connect() as connection:
        actor = find_actor(connection, uai, by)
    allowed = set(resettable_structures(settings, uai, actor))
    counts = Counter(row.division for row in accounts(settings, uai)
                     if row.profile == "eleve" and row.status == "active"
                     and row.initial_password and row.division in allowed)
    return sorted((division, count) for division, count in counts.items() if division)
