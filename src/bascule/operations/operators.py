"""The département's operators (the memo's IT team, issue 21): added, listed, removed, their
password changed (`bascule operator ...`), and their sign-in to the console.

A password is one the operator chose: it meets the folder's password policy (the same rule as
« Mon compte », domain/passwords.py) and is kept as an argon2id hash at OWASP's cost
(store/hashing.py, PasswordOrigin.CHOSEN), never in clear. Removing an operator or changing
their password ends their console sessions at once. Each change is journaled in every school of
the folder (who, when, on which operator; never a password).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from bascule.domain.passwords import require_strong
from bascule.errors import UserError
from bascule.settings import Settings
from bascule.store.engine import open_store
from bascule.store.hashing import PasswordOrigin, hash_password, verify_password
from bascule.store.operators import (
    OperatorRow,
    active_operator,
    actor_name,
    check_login,
    deactivate_operator,
    find_operator,
    operator_password_hash,
    operators,
    set_operator_password,
)
from bascule.store.operators import add_operator as add_one
from bascule.store.people import journal_entry
from bascule.store.sessions import end_operator_sessions

__all__ = ["OperatorRow", "add_operator", "change_operator_password", "check_login",
           "list_operators", "remove_operator", "sign_in_operator"]

NAME_LENGTH = 120
_BAD_SIGN_IN = "Identifiant d'opérateur ou mot de passe incorrect."


def _checked_name(display_name: str) -> str:
    name = " ".join(display_name.split())
    if not name or len(name) > NAME_LENGTH:
        raise UserError(f"Nom d'opérateur « {display_name} » refusé : rien n'a changé.",
                        hint=f"Le prénom et le nom de la personne, {NAME_LENGTH} caractères "
                             "au plus (option --nom).")
    return name


def _journal(connection: Connection, settings: Settings, action: str, found: OperatorRow, *,
             actor: str, now: datetime, **detail: object) -> None:
    """In every school's journal: the operators act on all of them."""
    for uai in sorted(settings.uais) or [""]:
        journal_entry(connection, uai, action, actor_name(found.login), actor, now,
                      {"login": found.login, "nom": found.display_name, **detail})


def add_operator(settings: Settings, login: str, display_name: str, password: str, *,
                 actor: str, now: datetime) -> OperatorRow:
    """A new operator (or a removed one back, with this name and password). UserError: a login
    or a name refused, a password too weak, an active operator of this login already."""
    check_login(login)
    name = _checked_name(display_name)
    hashed = _chosen_hash(settings, password)
    with open_store(settings.store_url).begin() as connection:
        added = add_one(connection, login, name, hashed, now)
        _journal(connection, settings, "operateur_ajout", added, actor=actor, now=now)
    return added


def _chosen_hash(settings: Settings, password: str) -> str:
    """The hash of a password the operator chose; UserError when it is too weak."""
    require_strong(password, settings.password_policy)
    return hash_password(password, PasswordOrigin.CHOSEN)


def list_operators(settings: Settings) -> list[OperatorRow]:
    """Every operator by login, the removed ones too (`active` False)."""
    with open_store(settings.store_url).connect() as connection:
        return operators(connection)


def remove_operator(settings: Settings, login: str, *, actor: str, now: datetime) -> int:
    """No longer an operator: refused at the sign-in, their open sessions ended (how many)."""
    with open_store(settings.store_url).begin() as connection:
        found = active_operator(connection, login)
        deactivate_operator(connection, found)
        ended = end_operator_sessions(connection, found.operator_id, now, "opérateur retiré")
        _journal(connection, settings, "operateur_retire", found, actor=actor, now=now,
                 sessions_fermees=ended)
    return ended


def change_operator_password(settings: Settings, login: str, password: str, *, actor: str,
                             now: datetime) -> int:
    """A new chosen password; the operator's open sessions ended (how many)."""
    hashed = _chosen_hash(settings, password)
    with open_store(settings.store_url).begin() as connection:
        found = active_operator(connection, login)
        set_operator_password(connection, found, hashed)
        ended = end_operator_sessions(connection, found.operator_id, now,
                                      "mot de passe changé")
        _journal(connection, settings, "operateur_mdp", found, actor=actor, now=now,
                 sessions_fermees=ended)
    return ended


def sign_in_operator(settings: Settings, login: str, password: str) -> OperatorRow:
    """The operator, when the password is theirs and they are active. An unknown login costs
    the time of a wrong password (store/hashing.py verifies against a dummy hash): no one
    learns who is an operator."""
    with open_store(settings.store_url).connect() as connection:
        found = find_operator(connection, login)
        stored = operator_password_hash(connection, found.operator_id) if found else ""
    if not verify_password(stored, password) or found is None or not found.active:
        raise UserError(_BAD_SIGN_IN, hint="Un oubli ? Un autre opérateur le change "
                                           "(bascule operator password).",
                        console_hint="Un oubli ? Un autre opérateur du département le change.")
    return found
