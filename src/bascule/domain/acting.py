"""Who acts through whom. A command run in someone's name (`--by aoconnor`) by the département's
IT team is journaled under that person, and the account that ran it (`cli:root`) is kept beside
them as the line's `via`: the journal names both, so that a reset « by » a teacher that the
teacher never asked for can be traced to who typed it. Pure: a context variable, set by the CLI
for the length of one command, read where a journal line is written."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_via: ContextVar[str | None] = ContextVar("bascule_via", default=None)


@contextmanager
def acting_through(name: str) -> Iterator[None]:
    """Journal lines written inside name `name` (« cli:root ») as their `via`."""
    token = _via.set(name)
    try:
        yield
    finally:
        _via.reset(token)


def via_for(actor: str) -> str | None:
    """The account a line of `actor` was written through, when it is not `actor` itself."""
    through = _via.get()
    return through if through is not None and through != actor else None
