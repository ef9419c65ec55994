"""The scan every SMTP test ends with finds a password wherever it hides in a mail."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from tests.conftest import Cli, Files, apply_campaign
from tests.servers.smtp import Received, _initial_passwords, assert_no_password_sent


def _mail(body: bytes) -> Received:
    return Received("b@cd86.test", ("x@cd86.test",), b"Subject: x\r\n"
                    b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(body))


def test_a_password_of_an_applied_campaign_is_found_even_in_base64(
        home_cli: Cli, files: Files, tmp_path: Path) -> None:
    apply_campaign(home_cli, files)
    passwords = _initial_passwords(tmp_path)
    assert len(passwords) > 10
    some = sorted(passwords)[0]
    assert_no_password_sent([_mail(b"nothing secret")], tmp_path)
    with pytest.raises(AssertionError, match="holds 1 password"):
        assert_no_password_sent([_mail(f"voici {some} !".encode())], tmp_path)
