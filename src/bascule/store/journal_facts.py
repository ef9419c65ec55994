"""The lines an apply journals for the people it creates, kept together.

A first rollover adds some 1.6 facts for each person it creates (memberships, services,
guardianships): one journal line each made the journal 2.6 lines a person, the largest of the
apply's writes (issue 22). Such a fact's line held nothing its fact and subject do not give
back, so it is kept, as `[kind, target, detail]`, in the list `facts` of the creation's
detail. A fact whose line would say more (a label or logins of its own) keeps its own line.

Then the creations themselves: each run of consecutive creation lines of an apply (a first
rollover's are all consecutive: one run of a school's thousands of people) is one row, of
action `create`, its subject empty, its detail {"créations": [detail, …], "sujets": [subject,
…]} in the order written. The journal is read (`store/audit.py`) as if each creation and each
kept fact were its own line, in the order they would have been written: the same entries, in
words and in JSON, found by the same filters (a person's key and logins appear, quoted, in the
row's detail as in their own line's).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import msgspec

from bascule.plan.model import Action, ActionKind

KEPT_FACTS = "facts"  # the key of the creation line's detail that holds its person's facts
ADDED = ActionKind.ADD.value  # the action of the line each of them stands for
CREATIONS = "créations"  # the key of a run of creations' detail: [detail, …]
SUBJECTS = "sujets"  # and of their subjects: [subject, …]
_CREATED = ActionKind.CREATE.value

# A journal line before it is written: its action, subject and detail (JSON, UTF-8).
Entry = tuple[str, str, bytes]


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


def bundled(entries: Iterable[Entry]) -> Iterator[Entry]:
    """The lines to write: each run of two creations or more one line (`CREATIONS`), its
    detail made of the creations' own (a first rollover's thousands are not held as objects
    all at once)."""
    run: list[Entry] = []
    for entry in entries:
        if entry[0] == _CREATED:
            run.append(entry)
            continue
        yield from _run_line(run)
        run = []
        yield entry
    yield from _run_line(run)


def _run_line(run: list[Entry]) -> Iterator[Entry]:
    if len(run) == 1:
        yield run[0]
    elif run:
        details = b",".join([detail for _action, _subject, detail in run])
        subjects = _JSON.encode([subject for _action, subject, _detail in run])
        yield _CREATED, "", b"{%s:[%s],%s:%s}" % (_CREATIONS, details, _SUBJECTS, subjects)


_JSON = msgspec.json.Encoder()
_CREATIONS, _SUBJECTS = _JSON.encode(CREATIONS), _JSON.encode(SUBJECTS)


def unbundled(action: str, subject: str, detail: dict[str, object]
              ) -> list[tuple[str, dict[str, object]]]:
    """The subject and detail of each line a written line stands for, in the order written
    (the facts it keeps aside: `unfolded`)."""
    run = detail.get(CREATIONS) if action == _CREATED else None
    if isinstance(run, list):
        return [(str(each), one) for each, one in zip(
            detail[SUBJECTS], run, strict=True)]  # type: ignore[call-overload]
    return [(subject, detail)]
