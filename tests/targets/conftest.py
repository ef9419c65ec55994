"""Helpers of the target tests, on the real servers of tests/servers/fixtures.py."""

from __future__ import annotations

import csv
from pathlib import Path

import ldap
import ldap.ldapobject
import pytest

from bascule.reports.tables import original_cell
from tests.conftest import ROLLOVER_AT, Cli, Files, apply_campaign
from tests.servers import slapd

AT = ROLLOVER_AT  # after the pedagogical server's resumption: syncs are allowed


def add_openldap_target(cli: Cli, server: slapd.Slapd, name: str = "peda") -> None:
    secret = cli.home / "peda.secret"
    secret.write_text(slapd.ADMIN_PASSWORD + "\n")
    result = cli("target", "add", name, "--kind", "openldap", "--url", server.url,
                 "--base-dn", slapd.SUFFIX, "--bind-dn", slapd.ADMIN_DN,
                 "--password-file", secret)
    assert result.exit_code == 0, result.output


@pytest.fixture
def ldap_home(home_cli: Cli, files: Files, slapd_server: slapd.Slapd) -> Cli:
    """The hand-written college applied, with the slapd registered as its target first (so
    the initial passwords wait for it)."""
    add_openldap_target(home_cli, slapd_server)
    apply_campaign(home_cli, files)
    return home_cli




def admin(server: slapd.Slapd) -> ldap.ldapobject.LDAPObject:
    connection = ldap.initialize(server.url)
    connection.simple_bind_s(slapd.ADMIN_DN, slapd.ADMIN_PASSWORD)
    return connection


def entries(server: slapd.Slapd, search: str, *attributes: str
            ) -> dict[str, dict[str, list[bytes]]]:
    """dn -> attributes of the entries under the suffix that match, as ldapsearch shows them."""
    found = admin(server).search_s(slapd.SUFFIX, ldap.SCOPE_SUBTREE, search,
                                   list(attributes) or None)
    return {dn: attributes for dn, attributes in found}


def members(server: slapd.Slapd, group: str) -> set[str]:
    (found,) = entries(server, f"(cn={group})", "member").values()
    return {value.decode().split(",")[0].removeprefix("uid=") for value in found["member"]}


def initial_passwords(cli: Cli) -> dict[str, str]:
    """login -> initial password, from every credentials file apply wrote."""
    passwords = {}
    for path in sorted((cli.home / "credentials").rglob("comptes.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            passwords |= {row["login"]: original_cell(row["mot_de_passe"])
                          for row in csv.DictReader(handle, delimiter=";") if row["login"]}
    return passwords


def bind_error(url: str, dn: str, password: str, ca_file: Path | None = None) -> str | None:
    """None when the bind succeeds; the server's answer otherwise."""
    connection = ldap.initialize(url)
    if ca_file is not None:
        connection.set_option(ldap.OPT_X_TLS_CACERTFILE, str(ca_file))
        connection.set_option(ldap.OPT_X_TLS_NEWCTX, 0)
    try:
        connection.simple_bind_s(dn, password)
    except ldap.LDAPError as exc:
        return str(exc.args[0].get("info") or exc.args[0].get("desc"))
    return None
