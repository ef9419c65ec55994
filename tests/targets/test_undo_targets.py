"""After an undo, the next `sync ldap` and `spaces sync` bring a real slapd and the spaces back to
what they were before the mistaken apply."""

from __future__ import annotations

from pathlib import Path

from bascule.synthetic.generate import GeneratedCollege
from tests.cli.test_backups import AT, LATER, college
from tests.cli.test_breaker import _truncated
from tests.cli.test_rollover import _plan
from tests.conftest import Cli
from tests.servers import slapd
from tests.targets.conftest import add_openldap_target, entries

__all__ = ["college"]  # fixture

LATEST = "2025-09-13T10:00"
_USER_ATTRIBUTES = ("uid", "cn", "sn", "givenName", "uidNumber", "pwdAccountLockedTime",
                    "memberOf")


def _targets(cli: Cli, server: slapd.Slapd, root: Path, at: str) -> dict[str, object]:
    """Sync both, then read them: every entry bascule made, and every folder of the spaces."""
    synced = cli("sync", "ldap", "--at", at)
    assert synced.exit_code == 0, synced.output
    spaces = cli("spaces", "sync", "--root", root, "--at", at)
    assert spaces.exit_code == 0, spaces.output
    users = _sorted(entries(server, "(objectClass=posixAccount)", *_USER_ATTRIBUTES))
    groups = _sorted(entries(server, "(objectClass=groupOfNames)", "cn", "member"))
    folders = sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_dir())
    return {"users": users, "groups": groups, "folders": folders}


def _sorted(found: dict[str, dict[str, list[bytes]]]) -> dict[str, dict[str, list[bytes]]]:
    """A multi-valued attribute's values have no order."""
    return {dn: {name: sorted(values) for name, values in attributes.items()}
            for dn, attributes in found.items()}


def test_after_an_undo_the_next_syncs_bring_the_directory_and_spaces_back(
        cli: Cli, college: GeneratedCollege, slapd_server: slapd.Slapd, tmp_path: Path) -> None:
    cli("init", "--uai", college.uai, "--name", "Collège")
    add_openldap_target(cli, slapd_server)
    root = tmp_path / "espaces"
    assert cli("import", college.folders[0]).exit_code == 0
    _plan(cli, "--at", AT)
    assert cli("apply", "--yes", "--at", AT).exit_code == 0
    before = _targets(cli, slapd_server, root, AT)
    assert cli("import", _truncated(college, tmp_path / "t", keep=0.5)).exit_code == 0
    _plan(cli, "--at", LATER)
    assert cli("apply", "--yes", "--allow-mass-leave", "--reason", "par erreur", "--at",
               LATER).exit_code == 0
    assert _targets(cli, slapd_server, root, LATER)["users"] != before["users"]
    assert cli("undo", "2", "--at", LATEST).exit_code == 0
    done = cli("apply", "--yes", "--at", LATEST)
    assert done.exit_code == 0, done.output
    assert _targets(cli, slapd_server, root, LATEST) == before
