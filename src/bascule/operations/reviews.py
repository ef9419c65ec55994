"""The review queue's use cases: list, show, decide, reverse. The policy decides who may."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from bascule.domain import labels
from bascule.domain.policy import Permission, Role, decide
from bascule.errors import UserError
from bascule.plan.model import Choice
from bascule.plan.review import what_each_choice_does
from bascule.settings import Settings
from bascule.store.engine import open_store
from bascule.store.operators import find_actor
from bascule.store.reviews import StoredCase, find_case, resolve_case, reverse_case, review_cases

__all__ = ["Choice", "StoredCase", "choice_named", "list_reviews", "resolve_review",
           "reverse_review", "show_review", "what_each_choice_does"]


def choice_named(word: str) -> Choice:
    """The decision a person typed or clicked: its code, its words (« même personne ») or the
    short spellings (meme, different, pas-encore). Raises UnknownValue (exit 2) otherwise."""
    return Choice(labels.parse_choice(word, labels.DECISIONS, "décision", "Décision",
                                      feminine=True, also=labels.DECISION_SPELLINGS))


def list_reviews(settings: Settings, uai: str, *, closed: bool = False) -> list[StoredCase]:
    with open_store(settings.store_url).connect() as connection:
        return review_cases(connection, uai, closed=closed)


def show_review(settings: Settings, uai: str, wanted: str) -> StoredCase:
    with open_store(settings.store_url).connect() as connection:
        return find_case(connection, uai, wanted)


def resolve_review(settings: Settings, uai: str, wanted: str, choice: Choice, *,
                   candidate: str | None, by: str | None, actor: str,
                   now: datetime) -> tuple[StoredCase, tuple[str, ...]]:
    """Record who the held person is; the next plan acts on it. Returns the case and the
    directory keys decided on."""
    with open_store(settings.store_url).begin() as connection:
        _allowed(connection, uai, by)
        case = find_case(connection, uai, wanted)
        keys = resolve_case(connection, uai, case, choice, candidate, by or actor, now)
    return case, keys


def reverse_review(settings: Settings, uai: str, wanted: str, *, by: str | None, actor: str,
                   now: datetime) -> StoredCase:
    """Undo a decision: what "same person" changed goes back, and the person is held again."""
    with open_store(settings.store_url).begin() as connection:
        _allowed(connection, uai, by)
        case = find_case(connection, uai, wanted)
        reverse_case(connection, uai, case, by or actor, now)
    return case


def _allowed(connection: Connection, uai: str, by: str | None) -> None:
    """Without --by, the département's operator at the command line."""
    roles = find_actor(connection, uai, by).roles if by else frozenset({Role.OPERATEUR})
    decision = decide(roles, Permission.RESOLVE_REVIEW)
    if not decision.allowed:
        raise UserError(f"Décision refusée : {decision.reason}",
                        hint="La direction et les opérateurs du département tranchent les cas "
                             "de revue.")
