"""One change at a time to a school: two applies started together, an import beside the
console's apply, and what bascule leaves on disk, whatever the umask."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from bascule.errors import UserError
from bascule.operations import campaign
from bascule.operations.locks import school_lock
from bascule.settings import load_settings
from bascule.store import hashing
from tests.conftest import ROLLOVER_AT, UAI, Cli, Files, edit

_BASCULE = Path(sys.executable).with_name("bascule")


@pytest.fixture
def planned(home_cli: Cli, files: Files) -> Cli:
    assert home_cli("import", *files()).exit_code == 0
    assert home_cli("plan", "--at", ROLLOVER_AT).exit_code == 0
    return home_cli


def test_two_applies_started_together_one_applies_the_other_says_why_not(planned: Cli) -> None:
    command = [_BASCULE, "--home", planned.home, "apply", "--yes", "--at", ROLLOVER_AT]
    applies = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True) for _ in range(2)]
    errors = [apply.communicate()[1] for apply in applies]
    results = [(apply.returncode, error) for apply, error in zip(applies, errors, strict=True)]
    assert sorted(code for code, _ in results) == [0, 1], results
    (loser,) = [message for code, message in results if code == 1]
    assert "Aucun plan n'est en attente" in loser or "Une autre opération modifie déjà" in loser
    assert "Erreur interne" not in loser
    assert json.loads(planned("plan", "--at", ROLLOVER_AT, "--json").stdout)["actions"] == []


def test_a_second_holder_waits_then_is_refused_saying_who_holds_the_school(
        tmp_path: Path) -> None:
    with school_lock(tmp_path, UAI, "application du plan par principal"):
        started = time.monotonic()
        with pytest.raises(UserError) as refused, school_lock(tmp_path, UAI, "import",
                                                              wait_seconds=0.3):
            pass
        assert time.monotonic() - started >= 0.3
    assert refused.value.message.startswith(
        f"Une autre opération modifie déjà les comptes de {UAI} : application du plan par "
        "principal (processus ")
    with school_lock(tmp_path, UAI, "import"):  # released with its holder
        pass


def test_a_lock_is_released_when_its_holder_is_killed(tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; "
        "from bascule.operations.locks import school_lock\n"
        f"with school_lock(Path({str(tmp_path)!r}), {UAI!r}, 'apply'):\n"
        "    print('held', flush=True); time.sleep(60)")], stdout=subprocess.PIPE, text=True)
    with holder:
        assert holder.stdout and holder.stdout.readline().strip() == "held"
        holder.kill()
    with school_lock(tmp_path, UAI, "import", wait_seconds=2):
        pass


def test_a_killed_holders_pool_does_not_keep_its_lock(tmp_path: Path) -> None:
    """The hashing and slips pools are forked while the school is locked: once their parent
    is killed, its orphaned workers must not hold the school (status then settles a killed
    apply's passwords)."""
    holder = subprocess.Popen([sys.executable, "-c", (
        "import multiprocessing, time; from pathlib import Path; "
        "from bascule.operations.locks import school_lock\n"
        f"with school_lock(Path({str(tmp_path)!r}), {UAI!r}, 'apply'):\n"
        "    worker = multiprocessing.get_context('fork').Process(target=time.sleep, args=(30,))\n"
        "    worker.start(); print(worker.pid, flush=True); time.sleep(60)")],
        stdout=subprocess.PIPE, text=True)
    with holder:
        assert holder.stdout
        orphan = int(holder.stdout.readline())
        holder.kill()
    try:
        with school_lock(tmp_path, UAI, "import", wait_seconds=2):
            pass
    finally:
        os.kill(orphan, 9)


@pytest.fixture
def slow_hashing(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """The console's apply, held in its hashing step until the test has started an import."""
    hashing_started = threading.Event()
    real = hashing.hash_in_background

    def slow(*args: Any) -> Callable[[], dict[str, str]]:
        hashing_started.set()
        time.sleep(1.0)
        return real(*args)

    monkeypatch.setattr(campaign, "hash_in_background", slow)
    yield hashing_started


def test_an_import_beside_the_consoles_apply_waits_for_it(
        planned: Cli, college: Path, files: Files, slow_hashing: threading.Event,
        monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings(planned.home)
    applied: dict[str, object] = {}
    real_lock = campaign.school_lock

    @contextmanager
    def noting_release(*args: Any, **kwargs: Any) -> Iterator[None]:
        """The moment the apply is about to release the school (what the import waits for):
        noted after the return, the pool's shutdown could let the import finish first."""
        with real_lock(*args, **kwargs):
            yield
            if "application" in args[2]:
                applied["at"] = time.monotonic()

    def console_apply() -> None:
        applied["outcome"] = campaign.apply_saved_plan(
            settings, UAI, now=campaign.utc_now(), actor="principal")

    monkeypatch.setattr(campaign, "school_lock", noting_release)

    console = threading.Thread(target=console_apply)
    console.start()
    assert slow_hashing.wait(30)
    edit(college / "ElevesSansAdresses.xml", "<PRENOM>Léa</PRENOM>", "<PRENOM>Lea</PRENOM>")
    imported = planned("import", *files())
    imported_at = time.monotonic()
    console.join(30)
    assert imported.exit_code == 0, imported.output
    assert "outcome" in applied and imported_at > float(applied["at"])  # type: ignore[arg-type]
    # The apply went through whole; the import's one change is what remains to do.
    plan = json.loads(planned("plan", "--at", ROLLOVER_AT, "--json").stdout)
    assert [action["kind"] for action in plan["actions"]] == ["update"]


def _modes(home: Path) -> dict[str, int]:
    return {path.relative_to(home).as_posix(): stat.S_IMODE(path.stat().st_mode)
            for path in [home, *home.rglob("*")]}


def test_everything_bascule_writes_is_private_whatever_the_umask(cli: Cli, files: Files,
                                                                 tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        assert cli("init", "--uai", UAI, "--name", "Collège Jean Moulin").exit_code == 0
        assert cli("import", *files(), "--report", cli.home / "rapport.html").exit_code == 0
        assert cli("plan", "--at", ROLLOVER_AT).exit_code == 0
        assert cli("apply", "--yes", "--at", ROLLOVER_AT).exit_code == 0
        assert cli("feed", "moodle", "--out", cli.home / "elea").exit_code == 0
    finally:
        os.umask(previous)
    modes = _modes(cli.home)
    assert {"bascule.sqlite", "rapport.html", "elea"} <= set(modes)
    assert any(name.endswith("comptes.csv") for name in modes)
    loose = {name: oct(mode) for name, mode in modes.items()
             if mode != (0o700 if (cli.home / name).is_dir() else 0o600)}
    assert loose == {}


def test_a_store_made_world_readable_before_is_closed_back(planned: Cli) -> None:
    store = planned.home / "bascule.sqlite"
    store.chmod(0o644)
    subprocess.run([_BASCULE, "--home", planned.home, "status"], check=True,
                   capture_output=True)
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
