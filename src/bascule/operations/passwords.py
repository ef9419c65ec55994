"""Whole divisions and groups at once: what a bulk reset (or the re-print of those still on
their initial password) would touch, for the confirmation that names it, then the reset itself,
its slips as one PDF, journaled. The policy decides (domain/policy.py): a teacher only where
they teach, unless the direction widens it; the RRUPN and the direction everywhere."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from anyascii import anyascii
from sqlalchemy import Connection

from bascule.domain.passwords import new_passwords
from bascule.domain.policy import Permission, decide, structure
from bascule.domain.school import SchoolYear, local_time
from bascule.errors import NotAllowed, UserError
from bascule.operations.campaign import fresh_folder, school_name
from bascule.operations.school import (
    keep_passwords_for_targets,
    policy_options,
    require_allowed,
)
from bascule.operations.slip_holders import Holder, Origin, write_manifest
from bascule.reports.credentials import write_private
from bascule.reports.slips import Slip, SlipHeader, division_slips, slip_file_name
from bascule.settings import Settings
from bascule.store.accounts import attended_structures
from bascule.store.engine import open_store
from bascule.store.hashing import PasswordOrigin, hash_passwords
from bascule.store.operators import find_actor
from bascule.store.people import (
    Member,
    Person,
    journal_entry,
    set_password_hash,
    structure_members,
)
from bascule.store.sessions import end_sessions_of


@dataclass(frozen=True, slots=True, kw_only=True)
class StructureReset:
    """What a whole-division reset would touch: shown on its confirmation page."""

    code: str
    kind: str  # "division" or "groupe"
    count: int  # active élèves (only those on their initial password for a re-print)
    reprint: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class BulkReset:
    code: str
    count: int
    file_name: str  # fiches-6A.pdf
    pdf: bytes  # the slips, one per élève; in clear: handed to the person once
    origin: Origin  # what it was, by whom: the console's Fiches names the CLI's copy so
    holders: tuple[Holder, ...]  # who is on the slips


def _allowed_structure(settings: Settings, actor: Person, code: str) -> None:
    """A French refusal unless the policy lets the actor reset this whole division or group
    (a teacher: one they teach, from STS-Web's services)."""
    if actor.status != "active":
        raise NotAllowed(f"Refusé : le compte de {actor.label} ({actor.login}) n'est pas actif.")
    taught = bool({f"D:{code}", f"G:{code}"} & actor.structures)
    decision = decide(actor.roles, Permission.RESET_STRUCTURE, structure(taught),
                      policy_options(settings))
    if not decision.allowed:
        raise NotAllowed(f"Refusé à {actor.label} ({actor.login}) pour « {code} » : "
                        f"{decision.reason}",
                        hint="La direction peut l'élargir (Pilotage > Autorisations : "
                             "« Réinitialiser les mots de passe de tous les élèves »).")


def resettable_structures(settings: Settings, uai: str, actor: Person) -> list[str]:
    """The divisions, then the groups, this person may reset as a whole."""
    found = []
    with open_store(settings.store_url).connect() as connection:
        attended = attended_structures(connection, uai)
    for code in attended:
        try:
            _allowed_structure(settings, actor, code)
        except UserError:
            continue
        found.append(code)
    return found


def _known_code(connection: Connection, uai: str, typed: str) -> str:
    """The division or group code meant: as typed, or the only one attended that differs from
    it by case, accents, spaces and punctuation alone (« 6a », « 6 A » for 6A; « 3_A », as in
    its slips' file name, for « 3 A »); a UserError listing the codes otherwise."""
    codes = attended_structures(connection, uai)
    if typed in codes:
        return typed
    meant = [code for code in codes if _loose(code) == _loose(typed)]
    if len(meant) == 1:
        return meant[0]
    raise UserError(f"Aucun élève actif dans « {typed} » : ce n'est pas une division ni un "
                    "groupe suivi par des élèves actifs.",
                    hint=f"Les codes possibles : {', '.join(codes) or 'aucun'}.")


def _loose(code: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", anyascii(code).casefold())


def _members(connection: Connection, uai: str, code: str, reprint: bool) -> list[Member]:
    members = [m for m in structure_members(connection, uai, code)
               if not reprint or m.password_origin == "initial"]
    if not members and reprint:
        raise UserError(f"Aucun élève de « {code} » n'a encore son mot de passe initial : il "
                        "n'y a pas de fiche à réimprimer.",
                        hint="Une réinitialisation sans réimpression donne de nouvelles fiches.")
    if not members:
        raise UserError(f"Aucun élève actif dans « {code} ».")
    return members


def _kind(members: list[Member], code: str) -> str:
    return "division" if any(m.division == code for m in members) else "groupe"


def preview(settings: Settings, uai: str, code: str, *, by: str,
            reprint: bool = False) -> StructureReset:
    """What resetting this division or group would do, refused as the reset would be."""
    with open_store(settings.store_url).connect() as connection:
        actor, code = find_actor(connection, uai, by), _known_code(connection, uai, code)
        members = _members(connection, uai, code, reprint)  # an unknown code said first
        _allowed_structure(settings, actor, code)
        return StructureReset(code=code, kind=_kind(members, code),
                              count=len(members), reprint=reprint)


def reset_structure(settings: Settings, uai: str, code: str, *, by: str, now: datetime,
                    reprint: bool = False, expected: int | None = None,
                    admit: Callable[[int], None] = lambda _count: None) -> BulkReset:
    """New passwords for the active élèves of a division or group (`reprint`: only those still
    on their initial password), all or nothing, and one PDF of slips; journaled, each reset and
    the slips. `expected`: the count the person confirmed (refused when it changed since);
    `admit` is told how many resets this makes before any is made (the console's rate limit,
    which refuses by raising)."""
    with open_store(settings.store_url).begin() as connection:
        actor, code = find_actor(connection, uai, by), _known_code(connection, uai, code)
        members = _members(connection, uai, code, reprint)
        _allowed_structure(settings, actor, code)
        if expected is not None and expected != len(members):
            raise UserError(f"« {code} » compte maintenant {len(members)} élève(s), et non "
                            f"{expected} : rien n'a été fait.", hint="Confirmez de nouveau.")
        for member in members:  # all or nothing: one refusal refuses the whole list
            require_allowed(actor, Permission.RESET_PASSWORD, settings, member.person)
        admit(len(members))
        passwords = _reset(settings, uai, connection, members, actor, now, code, reprint)
        pdf = division_slips(_header(settings, uai, now), [_slip(m) for m in members], passwords)
        kind = _kind(members, code)  # the journal shows "division 6A" or "groupe …"
        journal_entry(connection, uai, "fiches", f"{kind[0].upper()}:{code}", actor.login, now,
                      {"structure": code, "nombre": len(members), "réimpression": reprint})
    origin = Origin(structure=code, kind=kind, by=f"{actor.label} ({actor.login})",
                    reprint=reprint)
    return BulkReset(code=code, count=len(members), file_name=slip_file_name(code, set()),
                     pdf=pdf, origin=origin, holders=tuple(_holder(m) for m in members))


def _holder(member: Member) -> Holder:
    logins = (member.network_login, member.educonnect_login)
    return Holder(tuple(login for login in logins if login), member.person.profile,
                  member.division or "")


def _reset(settings: Settings, uai: str, connection: Connection, members: list[Member],
           actor: Person, now: datetime, code: str, reprint: bool) -> dict[str, str]:
    """The new passwords, by person key: hashed in the store, sealed for the targets, every
    session of their owners ended, each reset journaled (never the password)."""
    passwords = new_passwords({m.person.key: m.person.profile for m in members},
                              settings.password_policy)
    hashes = hash_passwords(passwords, origin=PasswordOrigin.GENERATED)
    keep_passwords_for_targets(settings, uai, connection,
                               [(m.person, passwords[m.person.key]) for m in members], now)
    for member in members:
        set_password_hash(connection, member.person, hashes[member.person.key],
                          origin="initial" if reprint else "reset")
        end_sessions_of(connection, member.person.person_id, now, "mot de passe réinitialisé")
        journal_entry(connection, uai, "password_reset", member.person.key, actor.login,
                      now, {"login": member.person.login, "structure": code})
    return passwords


def _slip(member: Member) -> Slip:
    return Slip(person=member.person.key, label=member.person.label, division=member.division,
                network_login=member.network_login, educonnect_login=member.educonnect_login)


def _header(settings: Settings, uai: str, now: datetime) -> SlipHeader:
    return SlipHeader(school_name=school_name(settings, uai), uai=uai,
                      school_year=str(SchoolYear.containing(now.date())))


def write_slips(settings: Settings, uai: str, done: BulkReset, now: datetime) -> Path:
    """The CLI's copy of the slips: a private file in the school's credentials folder, with
    what it was and who is on it (the console's Fiches gives it as an apply's)."""
    folder = fresh_folder(settings.home / "credentials" / uai / f"{local_time(now):%Y%m%d-%H%M%S}")
    partial = folder.with_name(folder.name + ".partial")
    write_private(partial / done.file_name, done.pdf)
    write_manifest(partial, done.origin, {done.file_name: done.holders})
    partial.rename(folder)
    return folder / done.file_name
