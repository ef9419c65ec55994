"""The hand-written college, applied: the web console's tests sign in with its accounts."""

from __future__ import annotations

import pytest

from tests.conftest import Cli, Files

AT = "2026-09-10T10:00"


@pytest.fixture
def school(home_cli: Cli, files: Files) -> Cli:
    assert home_cli("import", *files()).exit_code == 0
    assert home_cli("plan", "--at", AT).exit_code == 0
    assert home_cli("apply", "--yes", "--at", AT).exit_code == 0
    return home_cli
