"""The real directory servers as pytest fixtures: a fresh slapd per test (0.1 s to start), one
Samba AD DC for the whole run (provisioned once). `make test` installs both as root; a missing
server fails the tests: provisioning a real directory is not optional."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import samba, slapd, smtp

INSTALL = Path(__file__).parents[2] / "scripts" / "install-system-packages.sh"


def _require(binary: str) -> None:
    """The server's binary, installed by the project's script when missing (as root)."""
    if shutil.which(binary) is None and os.geteuid() == 0:
        subprocess.run([str(INSTALL)], check=False)
    if shutil.which(binary) is None:
        pytest.fail(f"{binary} is not installed: make test installs it (as root)")


@pytest.fixture
def slapd_server(tmp_path: Path) -> Iterator[slapd.Slapd]:
    _require("slapd")
    server = slapd.Slapd(tmp_path / "slapd").create().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def samba_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[samba.SambaAD]:
    _require("samba")
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", samba.LDAPS_PORT)) == 0:
            pytest.fail(f"port {samba.LDAPS_PORT} is taken: another AD or LDAP server runs here")
    server = samba.SambaAD(tmp_path_factory.mktemp("samba")).provision().start()
    try:
        yield server
    finally:
        server.stop()




@pytest.fixture
def smtp_server(tmp_path: Path) -> Iterator[smtp.SmtpServer]:
    """A real SMTP server (STARTTLS, AUTH) on the loopback for one test. At the end, every
    message it received is scanned for the passwords the test's folders hold (initial and
    sealed ones, the relay's own): none may ever be in a mail."""
    server = smtp.SmtpServer(tmp_path / "smtp").start()
    try:
        yield server
    finally:
        server.stop()
    smtp.assert_no_password_sent(server.messages, tmp_path)
