"""`bascule install-service`: hardened systemd units that systemd's own analyzer accepts, the
cron line, and nothing enabled on this machine."""

from __future__ import annotations

import getpass
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.servers.fixtures import INSTALL

UNIT = "bascule-nuit"


def _analyzer() -> str:
    """systemd-analyze (package systemd), installed by the project's script when missing."""
    if shutil.which("systemd-analyze") is None and os.geteuid() == 0:
        subprocess.run([str(INSTALL)], check=False)
    found = shutil.which("systemd-analyze")
    if found is None:
        pytest.skip("systemd-analyze est absent et ne peut pas être installé ici "
                    "(paquet Debian systemd)")
    return found


def verify(*units: Path) -> str:
    """What systemd-analyze verify says of these units: "" when it has nothing against them
    (it exits 0 even for an unknown key or a value it ignores, so its words are what count)."""
    done = subprocess.run([_analyzer(), "verify", *map(str, units)], capture_output=True,
                          text=True, check=False, timeout=60,
                          env={**os.environ, "SYSTEMD_LOG_LEVEL": "warning"})
    said = [line for line in (done.stdout + done.stderr).splitlines()
            if any(unit.name in line for unit in units)]
    return "\n".join(said) if said or done.returncode == 0 else f"exit {done.returncode}"


def test_the_units_pass_systemd_analyze_verify(home_cli: Cli, tmp_path: Path) -> None:
    destination = tmp_path / "units"
    result = home_cli("install-service", "--at", "03:15", "--user", getpass.getuser(),
                      "--dest", destination)
    assert result.exit_code == 0, result.output
    service, timer = destination / f"{UNIT}.service", destination / f"{UNIT}.timer"
    assert verify(service, timer) == ""
    assert oct(service.stat().st_mode & 0o777) == "0o644"
    assert "systemctl daemon-reload && systemctl enable --now bascule-nuit.timer" in \
        result.stdout
    assert "Rien n'est activé." in result.stdout


def test_the_verification_would_catch_a_broken_unit(tmp_path: Path) -> None:
    broken = tmp_path / "casse.service"
    broken.write_text("[Service]\nType=oneshot\nExecStart=/bin/true\nProtectSystem=bogus\n"
                      "NoNewPrivilege=yes\n", encoding="utf-8")
    said = verify(broken)
    assert "protect system value" in said and "Unknown key" in said
    missing = tmp_path / "absent.service"
    missing.write_text("[Service]\nType=oneshot\nExecStart=/nulle/part/bascule run\n",
                       encoding="utf-8")
    assert "is not executable" in verify(missing)


@pytest.fixture
def paris_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    yield from _server_clock(monkeypatch, "Europe/Paris")


@pytest.fixture
def utc_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    yield from _server_clock(monkeypatch, "UTC")


def _server_clock(monkeypatch: pytest.MonkeyPatch, zone: str) -> Iterator[None]:
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("paris_clock")
def test_the_service_runs_bascule_on_the_folder_hardened(home_cli: Cli) -> None:
    result = home_cli("install-service", "--print", "--user", "bascule")
    assert result.exit_code == 0, result.output
    text = result.stdout
    home = home_cli.home.absolute()
    assert f"ExecStart={Path(sys.executable).parent / 'bascule'} --home {home} run\n" in text
    for line in ("ProtectSystem=strict", f"ReadWritePaths={home}", "NoNewPrivileges=yes",
                 "PrivateTmp=yes", "CapabilityBoundingSet=", "User=bascule", "UMask=0077"):
        assert f"\n{line}\n" in text, line
    assert "OnCalendar=*-*-* 02:30:00 Europe/Paris" in text
    assert "Persistent=true" in text
    assert "30 2 * * * bascule " in text and f"--home {home} run" in text


def test_the_spaces_root_elsewhere_and_other_folders_are_writable_too(
        home_cli: Cli, tmp_path: Path) -> None:
    (home_cli.home / "bascule.toml").write_text(
        (home_cli.home / "bascule.toml").read_text(encoding="utf-8")
        + f'\n[spaces]\nroot = "{tmp_path / "partage"}"\n', encoding="utf-8")
    text = home_cli("install-service", "--print", "--writable", tmp_path / "sftp").stdout
    home = home_cli.home.absolute()
    assert f"ReadWritePaths={home} {tmp_path / 'partage'} {tmp_path / 'sftp'}\n" in text


def test_print_writes_nothing_and_a_bad_hour_is_refused(home_cli: Cli, tmp_path: Path) -> None:
    destination = tmp_path / "units"
    assert home_cli("install-service", "--print", "--dest", destination).exit_code == 0
    assert not destination.exists()
    refused = home_cli("install-service", "--at", "25:00", "--print")
    assert refused.exit_code == 2
    assert "--at « 25:00 » n'est pas une heure." in refused.stderr


def test_an_unknown_system_account_is_said(home_cli: Cli) -> None:
    result = home_cli("install-service", "--print", "--user", "personne-ici")
    assert "Attention : Le compte système « personne-ici » n'existe pas" in result.stderr


def test_a_worker_unit_is_refused_on_a_sqlite_store_which_has_no_queue(home_cli: Cli,
                                                                       tmp_path: Path) -> None:
    refused = home_cli("install-service", "--worker", "--dest", tmp_path / "units")
    assert refused.exit_code == 1 and not (tmp_path / "units").exists()
    said = " ".join(refused.stderr.split())
    assert "Les travailleurs servent une base PostgreSQL" in said and "[store] url" in said


def test_the_worker_unit_passes_systemd_analyze_verify(home_cli: Cli, tmp_path: Path) -> None:
    with (home_cli.home / "bascule.toml").open("a", encoding="utf-8") as config:
        config.write('\n[store]\nurl = "postgresql+psycopg://bascule@127.0.0.1/bascule"\n')
    destination = tmp_path / "units"
    result = home_cli("install-service", "--worker", "--concurrency", "2", "--user",
                      getpass.getuser(), "--dest", destination)
    assert result.exit_code == 0, result.output
    unit = destination / "bascule-worker.service"
    assert verify(unit) == ""
    assert not (destination / f"{UNIT}.timer").exists()  # a worker's machine runs no night
    text = unit.read_text(encoding="utf-8")
    home = home_cli.home.absolute()
    assert f" --home {home} worker --concurrency 2\n" in text
    for line in ("Type=simple", "Restart=on-failure", "ProtectSystem=strict",
                 f"ReadWritePaths={home}", "NoNewPrivileges=yes", "WantedBy=multi-user.target"):
        assert f"\n{line}\n" in text, line
    assert "systemctl enable --now bascule-worker.service" in result.stdout


@pytest.mark.usefixtures("utc_clock")
def test_on_a_utc_server_cron_fires_at_both_paris_hours_and_lets_the_right_one_through(
        home_cli: Cli) -> None:
    text = home_cli("install-service", "--print", "--at", "02:30").stdout
    cron = [line for line in text.splitlines() if " * * * bascule " in line]
    guard = '[ "$(TZ=Europe/Paris date +\\%H:\\%M)" = "02:30" ] && '
    assert [line.split(" * * * ")[0] for line in cron] == ["30 0", "30 1"]  # summer, winter
    assert all(guard in line and line.endswith(" run") for line in cron)


def test_options_of_the_other_kind_of_unit_are_refused(home_cli: Cli) -> None:
    at_for_a_worker = home_cli("install-service", "--worker", "--at", "03:00", "--print")
    assert at_for_a_worker.exit_code == 2
    assert "un travailleur (--worker) tourne en continu" in at_for_a_worker.stderr
    concurrency_for_the_night = home_cli("install-service", "--concurrency", "2", "--print")
    assert concurrency_for_the_night.exit_code == 2
    assert "--concurrency règle un travailleur" in concurrency_for_the_night.stderr
