"""Crashes: an apply killed with SIGKILL leaves no hashing worker (holding plaintext passwords)
behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bascule.synthetic.generate import generate_campaigns

_BASCULE = Path(sys.executable).with_name("bascule")


def _children(pid: int) -> set[int]:
    """The processes whose parent is `pid`, read from /proc."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_for(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


def test_killing_an_apply_kills_its_hashing_workers(tmp_path: Path) -> None:
    # ~350 accounts: the pool of workers lives as long as the apply, the window to kill it in.
    (generated,) = generate_campaigns(tmp_path / "exports", seed=3, year=2025, size=120)
    home = ["--home", str(tmp_path / "home")]
    for args in (["init", "--uai", generated.uai, "--name", "Test"],
                 ["import", generated.folders[0]], ["plan", "--at", "2025-09-10T10:00"]):
        subprocess.run([_BASCULE, *home, *map(str, args)], check=True, capture_output=True)
    apply = subprocess.Popen([_BASCULE, *home, "apply", "--yes", "--at", "2025-09-10T10:00"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    try:
        assert _wait_for(lambda: len(workers.update(_children(apply.pid)) or workers) >= 2, 60)
    finally:
        os.kill(apply.pid, signal.SIGKILL)
        apply.wait()
    assert _wait_for(lambda: not any(_alive(pid) for pid in workers), 3), (
        "hashing workers outlived the apply")
