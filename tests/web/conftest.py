"""The hand-written college, applied: the web console's tests sign in with its accounts."""

from __future__ import annotations

import pytest

from tests.conftest import ROLLOVER_AT as AT
from tests.conftest import Cli, Files, apply_campaign, edit


@pytest.fixture
def school(home_cli: Cli, files: Files) -> Cli:
    apply_campaign(home_cli, files)
    return home_cli


@pytest.fixture
def leaver_plan(school: Cli, files: Files) -> Cli:
    """The applied college with a plan waiting: ÉMERY Timothée (temery, 6A) has left."""
    edit(files("ElevesSansAdresses.xml")[0], "<DATE_SORTIE>20/12/2026", "<DATE_SORTIE>31/08/2026")
    assert school("import", *files()).exit_code == 0
    assert school("plan", "--at", AT).exit_code == 0
    return school
