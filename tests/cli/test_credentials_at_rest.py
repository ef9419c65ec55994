"""Initial passwords at rest: what a crash leaves is settled and said, never left unannounced."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

from bascule.plan.model import ActionKind
from bascule.reports.credentials import write_credentials
from bascule.reports.slips import SlipHeader
from bascule.settings import load_settings
from bascule.store.engine import open_store
from bascule.store.plans import pending_plan
from tests.conftest import ROLLOVER_AT, UAI, Cli, Files

_BASCULE = Path(sys.executable).with_name("bascule")


def _applied(cli: Cli, files: Files) -> Path:
    assert cli("import", *files()).exit_code == 0
    assert cli("plan", "--at", ROLLOVER_AT).exit_code == 0
    assert cli("apply", "--yes", "--at", ROLLOVER_AT).exit_code == 0
    (folder,) = (cli.home / "credentials" / UAI).iterdir()
    return folder


def test_a_crash_right_after_the_commit_leaves_passwords_that_are_recovered_and_said(
        home_cli: Cli, files: Files) -> None:
    folder = _applied(home_cli, files)
    partial = folder.with_name(folder.name + ".partial")
    folder.rename(partial)  # what a crash between the commit and the rename leaves
    status = home_cli("status")
    assert status.exit_code == 0
    assert f"Mots de passe initiaux récupérés dans {folder}" in status.output
    assert folder.is_dir() and not partial.exists()
    assert f"Mots de passe initiaux en clair dans {folder}" in status.output


def test_a_crash_before_the_commit_leaves_passwords_that_are_deleted_and_said(
        home_cli: Cli, files: Files) -> None:
    assert home_cli("import", *files()).exit_code == 0
    assert home_cli("plan", "--at", ROLLOVER_AT, "--json").exit_code == 0
    pending = pending_plan(open_store(load_settings(home_cli.home).store_url), UAI)
    assert pending is not None
    created = [a for a in pending[1].actions if a.kind is ActionKind.CREATE]
    partial = home_cli.home / "credentials" / UAI / "20260910-100000.partial"
    write_credentials(partial, SlipHeader(school_name="x", uai=UAI, school_year="2026-2027"),
                      created, {a.person: "Jamais-Enregistre-1" for a in created})
    plan_run = home_cli("plan", "--at", ROLLOVER_AT)
    assert f"Dossier {partial} supprimé" in plan_run.output
    assert not partial.exists()


def test_killing_an_apply_leaves_no_plaintext_unannounced(home_cli: Cli, files: Files) -> None:
    assert home_cli("import", *files()).exit_code == 0
    assert home_cli("plan", "--at", ROLLOVER_AT).exit_code == 0
    root = home_cli.home / "credentials" / UAI
    apply = subprocess.Popen([_BASCULE, "--home", home_cli.home, "apply", "--yes", "--at",
                              ROLLOVER_AT], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not any(root.glob("*.partial")) and apply.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    apply.kill()
    apply.wait()
    status = home_cli("status")
    left = sorted(path.name for path in root.iterdir()) if root.exists() else []
    for name in left:
        assert name in status.output  # every folder of passwords is named
    assert not any(name.endswith(".partial") for name in left)
    shutil.rmtree(root, ignore_errors=True)


def test_a_slip_written_after_its_folder_was_settled_does_not_make_it_again(
        tmp_path: Path) -> None:
    """A pool's process still writing the slips of a killed apply, once `status` or `plan`
    removed its folder: the write fails, no folder of passwords comes back unannounced."""
    import pytest

    from bascule.reports.credentials import write_slips

    settled = tmp_path / "20260910-100000.partial"
    with pytest.raises(FileNotFoundError):
        write_slips(settled / "6A.pdf", SlipHeader(school_name="x", uai=UAI,
                                                    school_year="2026-2027"), [], {})
    assert not settled.exists()
