"""The facts added to a person the same apply creates, journaled on the line of their creation.

A first rollover adds some 1.6 facts for each person it creates (memberships, services,
guardianships): one journal line each made the journal 2.6 lines a person, the largest of the
apply's writes (issue 22). Such a fact's line held nothing its fact and subject do not give
back, so it is kept, as `[kind, target, detail]`, in the list `facts` of the creation's
detail, and the journal is read (`store/audit.py`) as if each were its own line, just after
the creation: the same entries, in words and in JSON. A fact whose line would say more (a
label or logins of its own) keeps its own line.
"""

from __future__ import annotations

from bascule.plan.model import Action, ActionKind

KEPT_FACTS = "facts"  # the key of the creation line's detail that holds its person's facts
ADDED = ActionKind.ADD.value  # the action of the line each of them stands for


def folded(action: Action) -> list[object] | None:
    """The fact of an ADD action as its person's creation line keeps it, when the line it
    stands for (`unfolded`) is exactly the one the action would have had; else None."""
    fact = action.fact
    if (action.kind is not ActionKind.ADD or fact is None or action.person != fact.subject
            or action.profile != fact.kind or action.label != (fact.target or fact.subject)
            or action.division is not None or action.logins or action.changes):
        return None
    return [fact.kind, fact.target, fact.detail]


def unfolded(subject: str, fact: list[object]) -> dict[str, object]:
    """The detail of the line a kept fact stands for (store/apply.py's line of an ADD)."""
    kind, target, detail = fact
    return {"profile": kind, "label": target or subject, "division": None, "logins": {},
            "changes": [], "fact": [kind, target, detail]}
