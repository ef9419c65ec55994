"""`bascule version` and `bascule --help` start without the heavy libraries: each command imports
what it uses when it runs (issue 22: every command used to pay 1.9 s of CPU importing fpdf2,
SQLAlchemy and Alembic first). The time itself is measured by benchmarks/cli_startup.py."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# Imported only by the commands that need them (typer's pydantic too: the flags and --home
# are plain values, tests below).
HEAVY = ("fpdf", "sqlalchemy", "alembic", "lxml", "argon2", "ldap", "fastapi", "uvicorn",
         "jinja2", "psycopg", "starlette", "pydantic", "msgspec")
# bascule's own: the plan's values are some twenty dataclasses, each made at import (about
# 20 ms, a tenth of the start-up); the settings need only the action kinds and thresholds.
# The people's and logins' classes (10 ms with what they import): the CLI reads dates only.
# secrets (hmac, hashlib: 5 ms): the passwords' draw reads os.urandom itself.
HEAVY_OWN = ("bascule.plan.model", "bascule.domain.people", "bascule.domain.logins", "secrets")
PROBE = """
import json, sys
sys.argv = ["bascule", *json.loads(sys.argv[1])]
from bascule.cli.app import main
try:
    main()
except SystemExit as stop:
    code = stop.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def _run(*args: str) -> tuple[int, set[str], str]:
    """A fresh interpreter runs bascule with these arguments and lists what it imported."""
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args)], capture_output=True,
                          text=True, check=True)
    *shown, last = done.stdout.splitlines()
    found = json.loads(last)
    return found["code"] or 0, set(found["modules"]), "\n".join(shown)


def _packages(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


@pytest.mark.parametrize("args", [("version",), ("--help",), ("--debug", "version"),
                                  ("--home", "ailleurs", "version")])
def test_the_version_and_the_help_import_no_heavy_library(args: tuple[str, ...]) -> None:
    code, modules, shown = _run(*args)
    assert code == 0
    assert "bascule" in shown
    heavy = sorted(_packages(modules) & set(HEAVY))
    assert not heavy, (
        f"{heavy} imported by « bascule {' '.join(args)} »: a command "
        "module imports them at its top; import the operations (and render modules) inside "
        "the command functions that use them")
    assert not modules & set(HEAVY_OWN), sorted(modules & set(HEAVY_OWN))


def test_a_command_still_reaches_its_operations(tmp_path: object) -> None:
    """The same probe sees the store's libraries once a command needs the store."""
    code, modules, _shown = _run("--home", str(tmp_path), "init", "--uai", "0860999U",
                                 "--name", "Collège Jean Moulin")
    assert code == 0
    assert "sqlalchemy" in _packages(modules)
