"""Passwords waiting for the school's directory targets.

An initial password or a reset exists in clear only while bascule makes it. The store keeps its
argon2 hash for good; the pedagogical server (OpenLDAP, AD) needs the password itself, and it
may be reachable only weeks later (the summer suspension). So, for a school with targets, the
password is also sealed (AES-256-GCM, authenticated, a fresh nonce each time) with a key kept in
its own file, outside the database, and deleted as soon as every target of the school has
received it.
"""

from __future__ import annotations

import base64
import os
import tempfile
from collections.abc import Collection, Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Connection, and_, delete, func, insert, select

from bascule.errors import UserError
from bascule.store.schema import password_delivery, pending_password, person

_NONCE = 12


def _make_key(path: Path) -> None:
    """A new key, written whole under a temporary name (mode 0600), then linked into place:
    two processes making it at once (a night's workers) end with one key, the first linked,
    and neither reads it half written."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".cle-")
    try:
        with os.fdopen(descriptor, "wb") as key_file:
            key_file.write(base64.b64encode(AESGCM.generate_key(bit_length=256)))
            key_file.flush()
            os.fsync(key_file.fileno())
        with suppress(FileExistsError):  # another process made it first: theirs is the key
            os.link(temporary, path)
    finally:
        os.unlink(temporary)


class Sealer:
    def __init__(self, key: bytes):
        self._aead = AESGCM(base64.b64decode(key))

    @classmethod
    def from_key_file(cls, path: Path) -> Sealer:
        """The home's key, made on first use, readable by its owner only."""
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            _make_key(path)
        try:
            return cls(path.read_bytes().strip())
        except ValueError as exc:  # not base64, or not a 256-bit key: edited by hand
            raise UserError(f"La clé des mots de passe en attente est illisible : {path}.",
                            hint="Remettez la clé d'origine (sauvegarde du dossier) ; sinon "
                                 "supprimez-la et réinitialisez les mots de passe concernés "
                                 "(bascule password reset-group).") from exc

    def seal(self, password: str) -> str:
        nonce = os.urandom(_NONCE)
        sealed = self._aead.encrypt(nonce, password.encode("utf-8"), None)
        return base64.b64encode(nonce + sealed).decode("ascii")

    def open(self, sealed: str) -> str:
        data = base64.b64decode(sealed)
        try:
            return self._aead.decrypt(data[:_NONCE], data[_NONCE:], None).decode("utf-8")
        except InvalidTag as exc:
            raise UserError("Les mots de passe en attente ne peuvent pas être lus avec la clé "
                            "de ce dossier (clé remplacée ?).",
                            hint="Réinitialisez les mots de passe concernés (bascule password "
                            "reset-group) pour en créer de nouveaux.") from exc


@dataclass(frozen=True, slots=True)
class Pending:
    person_id: int
    person_key: str
    sealed: str
    sealed_at: datetime
    must_change: bool  # an initial password or a reset; False when its owner chose it


def keep_for_targets(connection: Connection, sealed: Mapping[int, str], now: datetime,
                     *, must_change: bool = True) -> None:
    """Replace the waiting password of these people (by person id) with a new one."""
    if not sealed:
        return
    connection.execute(delete(pending_password).where(
        pending_password.c.person_id.in_(list(sealed))))
    connection.execute(insert(pending_password), [
        {"person_id": person_id, "sealed": token, "sealed_at": now,
         "must_change": must_change}
        for person_id, token in sealed.items()])


def waiting_for(connection: Connection, uai: str, target: str) -> dict[str, Pending]:
    """The sealed passwords of a school that this target has not received, by person key."""
    delivered = password_delivery.alias()
    query = (select(pending_password, person.c.key)
             .join(person, person.c.id == pending_password.c.person_id)
             .outerjoin(delivered, and_(delivered.c.person_id == pending_password.c.person_id,
                                        delivered.c.target == target,
                                        delivered.c.sealed_at == pending_password.c.sealed_at))
             .where((person.c.uai == uai) & delivered.c.target.is_(None)))
    return {row.key: Pending(row.person_id, row.key, row.sealed, row.sealed_at, row.must_change)
            for row in connection.execute(query)}


def record_deliveries(connection: Connection, target: str, delivered: Iterable[Pending]) -> None:
    rows = [{"target": target, "person_id": item.person_id, "sealed_at": item.sealed_at}
            for item in delivered]
    if not rows:
        return
    connection.execute(delete(password_delivery).where(
        (password_delivery.c.target == target)
        & password_delivery.c.person_id.in_([row["person_id"] for row in rows])))
    connection.execute(insert(password_delivery), rows)


def forget_delivered(connection: Connection, uai: str, targets: Collection[str]) -> int:
    """Delete the sealed passwords every target of the school has received; how many."""
    if not targets:
        return 0
    received_by_all = (
        select(pending_password.c.person_id)
        .join(person, person.c.id == pending_password.c.person_id)
        .join(password_delivery, and_(
            password_delivery.c.person_id == pending_password.c.person_id,
            password_delivery.c.sealed_at == pending_password.c.sealed_at,
            password_delivery.c.target.in_(list(targets))))
        .where(person.c.uai == uai)
        .group_by(pending_password.c.person_id)
        .having(func.count() == len(targets)))
    done = [row.person_id for row in connection.execute(received_by_all)]
    if done:
        connection.execute(delete(pending_password).where(
            pending_password.c.person_id.in_(done)))
    return len(done)
