"""An apply's slips, for the console: the PDFs the apply wrote (`credentials/<UAI>/<stamp>/`,
mode 0600, one per division, per staff category, for the responsables) given again without
issuing new passwords, while they are being handed out: until someone says they were (the
folder is then destroyed, journaled) or until `[passwords] slips_kept_days` after the apply.
After that, the re-print of those still on their initial password (new passwords, after its
confirmation: operations/passwords.py) is what remains. Every download is journaled with its
file's name. A folder a whole division's reset left (the CLI's `password reset-group`) is
given the same way, under its own name.

Least privilege: the printed passwords still sign in, unknown to anyone but the reader. A PDF
is given (and listed) only to whom the policy lets have every slip on it
(`Permission.PRINT_APPLY_SLIPS`, decided on each person on it: operations/slip_holders.py),
and a folder destroyed only by whom may have all its PDFs. A download of direction accounts'
slips is told to the direction at its next sign-in, as the reset of one is
(operations/sessions.py)."""

from __future__ import annotations

import shutil
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bascule.domain.policy import ROLE_OF_PROFILE, Permission, Subject, decide, holds
from bascule.domain.school import SCHOOL_TIMEZONE, describe_moment
from bascule.errors import NotAllowed, UserError
from bascule.operations.campaign import accounts
from bascule.operations.credentials import APPLY_STAMP, plaintext_folders, undone_applies
from bascule.operations.passwords import resettable_structures
from bascule.operations.school import policy_options
from bascule.operations.slip_holders import Holder, Holders, Origin, holders_of, origin_of
from bascule.settings import Settings
from bascule.store.engine import open_store
from bascule.store.operators import find_actor
from bascule.store.people import Person, journal_entry


@dataclass(frozen=True, slots=True, kw_only=True)
class AppliedSlips:
    """A folder of slips, as one person may see it."""

    folder: str  # the apply's stamp: 20260910-100000
    applied_at: datetime
    files: tuple[str, ...]  # fiches-6A.pdf, fiches-enseignants.pdf…: those this person may take
    complete: bool  # every PDF of the folder is among `files`: this person may destroy it
    kept_until: datetime
    origin: Origin | None = None  # a division's reset (the CLI's); None: an apply
    undone_by: int | None = None  # an apply undone since: the undo's number (no download)

    def kept(self, now: datetime) -> bool:
        return now < self.kept_until

    @property
    def title(self) -> str:
        """« Application du mardi 10/09/2026 10:00 », « Réinitialisation de la division 6A
        par … »: what the page and the journal call it."""
        when = describe_moment(self.applied_at)
        if self.origin is None:
            return f"Application du {when}"
        what = "Réimpression des fiches" if self.origin.reprint else "Réinitialisation"
        return (f"{what} {'de la division' if self.origin.kind == 'division' else 'du groupe'} "
                f"{self.origin.structure} par {self.origin.by}, le {when}")


@dataclass(frozen=True, slots=True, kw_only=True)
class _Folder:
    path: Path
    applied_at: datetime
    holders: Holders  # every PDF of the folder and who is on it


def _applied_at(folder: Path) -> datetime:
    try:
        return datetime.strptime(folder.name[:15], APPLY_STAMP).replace(tzinfo=SCHOOL_TIMEZONE)
    except ValueError:  # renamed by hand: its files' time
        return datetime.fromtimestamp(folder.stat().st_mtime, SCHOOL_TIMEZONE)


def _on_disk(settings: Settings, uai: str) -> list[_Folder]:
    """The folders whose slips are still on disk, newest first."""
    found = []
    for folder in plaintext_folders(settings.home, uai):
        files = sorted(path.name for path in folder.glob("fiches-*.pdf"))
        if files:
            found.append(_Folder(path=folder, applied_at=_applied_at(folder),
                                 holders=holders_of(folder, files)))
    return sorted(found, key=lambda folder: folder.applied_at, reverse=True)


def applied_slips(settings: Settings, uai: str, by: str) -> list[AppliedSlips]:
    """The folders of slips still on disk with a PDF this person may take, newest first,
    each with those PDFs only."""
    actor = _actor(settings, uai, by)
    profiles = _profiles_now(settings, uai)
    undone = undone_applies(open_store(settings.store_url), uai)
    seen = [_as_seen(settings, actor, profiles, folder, undone)
            for folder in _on_disk(settings, uai)]
    return [slips for slips in seen if slips.files]


def _as_seen(settings: Settings, actor: Person, profiles: dict[str, str],
             folder: _Folder, undone: dict[str, int]) -> AppliedSlips:
    files = tuple(name for name, holders in folder.holders.items()
                  if _refusal(settings, actor, holders, profiles) is None)
    origin = origin_of(folder.path)
    return AppliedSlips(folder=folder.path.name, applied_at=folder.applied_at, files=files,
                        complete=len(files) == len(folder.holders),
                        kept_until=folder.applied_at + settings.slips_kept, origin=origin,
                        undone_by=None if origin else undone.get(folder.path.name[:15]))


def _profiles_now(settings: Settings, uai: str) -> dict[str, str]:
    """Login -> the profile its account has now (someone made direction since the slip was
    printed counts as direction)."""
    return {login: row.profile for row in accounts(settings, uai)
            for login in (row.login, row.educonnect) if login}


def _subjects(actor: Person, holders: tuple[Holder, ...] | None,
              profiles: dict[str, str]) -> set[Subject]:
    """Whom a PDF is about, for the policy: each person on it, as printed and as now."""
    if holders is None:  # not known: every profile
        return {Subject(profile=profile) for profile in ROLE_OF_PROFILE}
    found = set()
    for holder in holders:
        is_actor = actor.login in holder.logins
        taught = f"D:{holder.division}" in actor.structures
        for profile in _profiles_of(holder, profiles):
            found.add(Subject(profile=profile, is_actor=is_actor, shares_a_structure=taught))
    return found


def _profiles_of(holder: Holder, profiles: dict[str, str]) -> set[str]:
    """A person's profile as printed on the slip, and as their account has it now."""
    return {holder.profile, *(profiles[login] for login in holder.logins if login in profiles)}


def _refusal(settings: Settings, actor: Person, holders: tuple[Holder, ...] | None,
             profiles: dict[str, str]) -> str | None:
    """Why this person may not have this PDF (the policy's reason), or None."""
    for subject in sorted(_subjects(actor, holders, profiles), key=repr):
        decision = decide(actor.roles, Permission.PRINT_APPLY_SLIPS, subject,
                          policy_options(settings))
        if not decision.allowed:
            return decision.reason
    return None


def _one(settings: Settings, uai: str, folder: str) -> _Folder:
    """By its folder's name, never a path: a name the listing does not hold is refused."""
    found = next((f for f in _on_disk(settings, uai) if f.path.name == folder), None)
    if found is None:
        raise UserError(f"Pas de fiches gardées pour « {folder} » : distribuées et détruites, "
                        "ou jamais écrites.",
                        hint="Réimprimez celles des élèves encore au mot de passe initial.")
    return found


def _actor(settings: Settings, uai: str, by: str) -> Person:
    with open_store(settings.store_url).connect() as connection:
        actor = find_actor(connection, uai, by)
    if actor.status != "active" or not holds(actor.roles, Permission.PRINT_APPLY_SLIPS,
                                             policy_options(settings)):
        raise NotAllowed(f"Refusé à {actor.label} ({actor.login}) : les fiches d'une "
                        "application sont pour la direction, le référent numérique et les "
                        "opérateurs du département.",
                        hint="Demandez-les à la direction ou au référent numérique.")
    return actor


def _seen(settings: Settings, uai: str, folder: str, actor: Person) -> AppliedSlips:
    found = _one(settings, uai, folder)
    return _as_seen(settings, actor, _profiles_now(settings, uai), found,
                    undone_applies(open_store(settings.store_url), uai))


def slips_file(settings: Settings, uai: str, folder: str, name: str, *, by: str,
               now: datetime) -> bytes:
    """One PDF of an apply's slips, as written (no new password), if the policy lets this
    person have every slip on it; journaled with its name, and the direction accounts on it
    (told to the direction)."""
    actor = _actor(settings, uai, by)
    found = _one(settings, uai, folder)
    if name not in found.holders:
        raise UserError(f"« {name} » n'est pas un fichier de fiches de cette application.",
                        hint="La page Fiches liste ceux que vous pouvez télécharger.")
    profiles = _profiles_now(settings, uai)
    refused = _refusal(settings, actor, found.holders[name], profiles)
    if refused is not None:
        raise NotAllowed(f"Refusé à {actor.label} ({actor.login}) pour « {name} » : {refused}",
                        hint="Les fiches de la direction sont pour la direction et les "
                             "opérateurs du département.")
    slips = _as_seen(settings, actor, profiles, found,
                     undone_applies(open_store(settings.store_url), uai))
    if slips.undone_by is not None:
        raise UserError(f"Ces fiches ne sont plus données : l'application n° "
                        f"{slips.undone_by} a annulé celle-ci, et retiré les comptes qu'elles "
                        "présentent.", hint="Détruisez ces fiches (page Fiches).")
    if not slips.kept(now):
        raise UserError("Ces fiches ne sont plus données : le délai pour les distribuer est "
                        "passé.", hint="Réimprimez celles des élèves encore au mot de passe "
                                       "initial, puis détruisez ces fiches.")
    data = (found.path / name).read_bytes()
    direction = sorted(holder.logins[0] for holder in found.holders[name] or ()
                       if holder.logins and "direction" in _profiles_of(holder, profiles))
    with open_store(settings.store_url).begin() as connection:
        journal_entry(connection, uai, "fiches_telechargees", slips.title, actor.login, now,
                      {"application": folder, "fichier": name,
                       **({"direction": direction} if direction else {})})
    return data


def destroy_slips(settings: Settings, uai: str, folder: str, *, by: str,
                  now: datetime) -> int:
    """The slips were handed out: the apply's folder of passwords in clear is deleted (its
    CSV too), by someone who may have every PDF of it; journaled. How many PDFs it held."""
    actor = _actor(settings, uai, by)
    slips = _seen(settings, uai, folder, actor)
    if not slips.complete:
        raise NotAllowed(f"Refusé à {actor.label} ({actor.login}) : ces fiches comptent celles "
                        "de personnes dont vous ne pouvez pas avoir les fiches ; rien n'a été "
                        "détruit.", hint="La direction ou un opérateur du département les "
                                         "détruit.")
    shutil.rmtree(settings.home / "credentials" / uai / slips.folder)
    with open_store(settings.store_url).begin() as connection:
        journal_entry(connection, uai, "fiches_detruites", slips.title, actor.login, now,
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
