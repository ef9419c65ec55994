"""On PostgreSQL too, an apply that fails midway writes nothing."""

from __future__ import annotations

import pytest

from tests.conftest import Cli, Files
from tests.e2e.conftest import UseStore
from tests.store.test_apply_atomic import FAILURES, check_an_apply_failing_midway_writes_nothing


@pytest.mark.parametrize("failure", FAILURES)
def test_an_apply_failing_midway_writes_nothing_on_postgresql(
        home_cli: Cli, files: Files, failure: str, monkeypatch: pytest.MonkeyPatch,
        postgres_url: str, use_store: UseStore) -> None:
    use_store(home_cli.home, postgres_url)
    check_an_apply_failing_midway_writes_nothing(home_cli, files, failure, monkeypatch)
