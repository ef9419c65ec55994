"""The mail tests' helpers: a home whose [mail] section reaches the test's SMTP server."""

from __future__ import annotations

import tomllib
from pathlib import Path

import tomli_w

from tests.servers.smtp import SmtpServer


def configure_mail(home: Path, section: dict[str, object]) -> None:
    """Write [mail] into the home's bascule.toml (the rest kept)."""
    path = home / "bascule.toml"
    document = tomllib.loads(path.read_text(encoding="utf-8"))
    document["mail"] = section
    path.write_text(tomli_w.dumps(document), encoding="utf-8")


def reach(home: Path, server: SmtpServer, **extra: object) -> None:
    configure_mail(home, server.mail_section(home.parent / "smtp-password", **extra))
