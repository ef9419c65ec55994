"""API tokens: random, shown once, kept as a SHA-256 (a token is 32 random bytes: a fast hash
is enough, unlike a password), bound to a person of the school and to scopes."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from bascule.domain.labels import API_SCOPES
from bascule.errors import UserError
from bascule.store.schema import api_token, person

SCOPES = API_SCOPES  # the scopes and what each allows: domain/labels.py


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class TokenRow:
    name: str
    login_key: str
    scopes: tuple[str, ...]
    created_by: str
    created_at: datetime
    revoked: bool


def create_token(connection: Connection, uai: str, name: str, person_id: int,
                 scopes: list[str], by: str, now: datetime) -> str:
    unknown = set(scopes) - SCOPES.keys()
    if unknown or not scopes:
        raise UserError(f"Portées inconnues ou absentes : {', '.join(sorted(unknown)) or '—'}.",
                        hint="Portées : " + " ; ".join(f"{k} ({v})" for k, v in SCOPES.items()))
    taken = connection.execute(select(api_token.c.id).where(
        (api_token.c.uai == uai) & (api_token.c.name == name))).first()
    if taken:
        raise UserError(f"Un jeton « {name} » existe déjà.", hint="Choisissez un autre nom.")
    token = secrets.token_urlsafe(32)
    connection.execute(insert(api_token).values(
        uai=uai, name=name, token_sha256=digest(token), person_id=person_id,
        scopes=json.dumps(sorted(scopes)), created_by=by, created_at=now))
    return token


def token_holder(connection: Connection, token: str) -> tuple[str, str, frozenset[str]]:
    """(school, person key, scopes) of a valid token; a UserError otherwise. A token is
    found by its hash alone: it names its school."""
    row = connection.execute(
        select(api_token.c.uai, person.c.key, api_token.c.scopes)
        .join(person, person.c.id == api_token.c.person_id)
        .where((api_token.c.token_sha256 == digest(token))
               & api_token.c.revoked_at.is_(None))).first()
    if row is None:
        raise UserError("Jeton d'API inconnu ou retiré.")
    return row.uai, row.key, frozenset(json.loads(row.scopes))


def revoke_token(connection: Connection, uai: str, name: str, now: datetime) -> bool:
    done = connection.execute(update(api_token).where(
        (api_token.c.uai == uai) & (api_token.c.name == name) & api_token.c.revoked_at.is_(None))
        .values(revoked_at=now))
    return bool(done.rowcount)


def list_tokens(connection: Connection, uai: str) -> list[TokenRow]:
    rows = connection.execute(
        select(api_token, person.c.key).join(person, person.c.id == api_token.c.person_id)
        .where(api_token.c.uai == uai).order_by(api_token.c.name))
    return [TokenRow(row.name, row.key, tuple(json.loads(row.scopes)), row.created_by,
                     row.created_at, row.revoked_at is not None) for row in rows]
