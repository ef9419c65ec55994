"""A directory loaded in part (store/state.py, plan/reach.py) looks its login holdings up one
by one: each answers as the registry loaded whole does, freed and quarantined logins included,
and the plan's own copy adds to it without writing back."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bascule.domain.logins import LoginHolding, LoginKind
from bascule.plan.model import StoreState
from bascule.store.engine import open_store
from bascule.store.schema import login
from tests.plan.test_proportional_equal import NOW, Applied, _applied, _move, _rolled_over


@pytest.fixture(scope="module")
def applied() -> Iterator[Applied]:
    """A collège rolled over, two of its network logins freed since (one a day ago, in
    quarantine; one long ago, free again)."""
    with tempfile.TemporaryDirectory() as folder:
        settings, uai = _rolled_over(Path(folder), seed=11, size=30)
        engine = open_store(settings.store_url)
        with engine.begin() as connection:
            names = connection.execute(select(login.c.login).where(
                (login.c.uai == uai) & (login.c.namespace == LoginKind.NETWORK.value))
                .order_by(login.c.login).limit(2)).scalars().all()
            for name, freed in zip(names, (NOW - timedelta(days=1),
                                           NOW - timedelta(days=3650)), strict=True):
                connection.execute(update(login).where(
                    (login.c.uai == uai) & (login.c.login == name)).values(freed_at=freed))
        yield _applied(settings, uai)


def _both(applied: Applied) -> tuple[StoreState, StoreState]:
    reduced, _prepared = applied.reduced(_move(applied.snapshot, 3, 1))
    assert reduced.unreached  # loaded in part indeed
    return reduced, applied.state


def test_each_login_is_looked_up_as_the_whole_registry_has_it(applied: Applied) -> None:
    reduced, full = _both(applied)
    freed = 0
    for kind in LoginKind:
        whole, looked_up = full.registries[kind], reduced.registries[kind]
        assert whole.quarantine == looked_up.quarantine
        for name, holding in whole.holdings.items():
            assert looked_up.holdings.get(name) == holding and name in looked_up.holdings
            freed += holding.freed_at is not None
            for person in (holding.holder, "quelqu'un d'autre"):
                assert looked_up.is_free_for(name, person, NOW) == whole.is_free_for(
                    name, person, NOW)
        assert looked_up.holdings.get("personne.inconnue") is None
        assert "personne.inconnue" not in looked_up.holdings
    assert freed == 2


def test_the_plans_copy_adds_without_writing_back(applied: Applied) -> None:
    reduced, full = _both(applied)
    holdings = reduced.registries[LoginKind.NETWORK].holdings
    taken = next(iter(full.registries[LoginKind.NETWORK].holdings))
    copy = holdings.copy()
    copy["nouveau.venu"] = LoginHolding(login="nouveau.venu", holder="eleve:1", freed_at=None)
    assert copy.get("nouveau.venu") is not None and holdings.get("nouveau.venu") is None
    assert copy.get(taken) == full.registries[LoginKind.NETWORK].holdings[taken]
