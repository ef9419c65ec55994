"""The apply hashes the new passwords and writes their slips in a process pool while it
writes the rest: still one transaction, so a failure in a worker or in a write applies
nothing and leaves no password behind."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bascule.operations import campaign
from bascule.reports import credentials
from bascule.settings import load_settings
from bascule.store import apply, hashing
from tests.conftest import ROLLOVER_AT, UAI, Cli, Files


@pytest.fixture
def planned(home_cli: Cli, files: Files) -> Cli:
    assert home_cli("import", *files()).exit_code == 0
    assert home_cli("plan", "--at", ROLLOVER_AT).exit_code == 0
    return home_cli


def _apply(cli: Cli, on_hashed: Callable[[int], None] = lambda _count: None) -> None:
    campaign.apply_saved_plan(load_settings(cli.home), UAI, now=campaign.utc_now(),
                              actor="test", on_hashed=on_hashed)


def _nothing_applied(cli: Cli) -> None:
    assert campaign.accounts(load_settings(cli.home), UAI) == []
    root = cli.home / "credentials" / UAI
    assert not root.exists() or not any(root.iterdir())  # no password left in clear
    assert multiprocessing.active_children() == []  # no worker outlives the apply


class _Failing:
    def hash(self, _password: str) -> str:
        raise RuntimeError("argon2 a échoué")


def _fail(*_args: Any, **_kwargs: Any) -> Any:
    raise RuntimeError("écriture impossible")


def test_a_failed_hash_applies_nothing(planned: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as patched:
        patched.setattr(hashing, "GENERATED_HASHER", _Failing())
        with pytest.raises(RuntimeError, match="argon2 a échoué"):
            _apply(planned)
    _nothing_applied(planned)
    _apply(planned)  # the plan is still there, whole
    assert len(campaign.accounts(load_settings(planned.home), UAI)) > 8  # enough for the pool


@pytest.mark.parametrize("failing", [(credentials, "division_slips"), (apply, "record_apply")])
def test_a_failed_slip_or_write_applies_nothing(planned: Cli, monkeypatch: pytest.MonkeyPatch,
                                                failing: tuple[object, str]) -> None:
    monkeypatch.setattr(*failing, _fail)
    with pytest.raises(RuntimeError, match="écriture impossible"):
        _apply(planned)
    _nothing_applied(planned)


class _Slow:
    def hash(self, _password: str) -> str:
        time.sleep(0.05)
        return "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"


def test_the_plan_is_written_while_the_hashes_are_computed(
        planned: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hashing, "GENERATED_HASHER", _Slow())
    real_write, moments = apply._write, {}

    def write(*args: Any) -> None:
        moments["writes"] = time.monotonic()
        real_write(*args)

    monkeypatch.setattr(apply, "_write", write)
    _apply(planned, lambda _count: moments.__setitem__("hashed", time.monotonic()))
    assert moments["writes"] < moments["hashed"]
    assert (planned.home / "credentials" / UAI).is_dir()


def test_the_slips_hold_every_new_account(planned: Cli) -> None:
    _apply(planned)
    (folder,) = (planned.home / "credentials" / UAI).iterdir()
    slips = sorted(path.name for path in Path(folder).glob("fiches-*.pdf"))
    assert slips and all((folder / name).stat().st_size > 1000 for name in slips)


def test_a_failure_after_the_commit_keeps_the_slips_of_the_accounts_it_created(
        planned: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """What runs after the apply committed (the planner's statistics) comes after its slips
    are in place and its plan marked applied: accounts whose passwords nobody holds would
    otherwise be in the store."""
    def interrupted(*_args: object) -> None:
        raise KeyboardInterrupt
    monkeypatch.setattr(campaign, "refresh_statistics", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _apply(planned)
    assert campaign.accounts(load_settings(planned.home), UAI)  # committed
    (slips,) = (planned.home / "credentials" / UAI).iterdir()
    assert (slips / "comptes.csv").is_file() and not slips.name.endswith(".partial")
    assert planned("apply", "--yes").exit_code == 1  # nothing left to apply
