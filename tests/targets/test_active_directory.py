"""bascule sync ldap against a real Active Directory (Samba AD DC, LDAPS with the test CA):
sAMAccountName, userPrincipalName, RFC 2307 attributes, unicodePwd with "must change at next
logon", userAccountControl for the disabled, groups and members, idempotence."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import ldap
import pytest

from tests.conftest import Cli, Files, edit
from tests.servers import samba
from tests.targets.conftest import AT, apply_campaign, bind_error, initial_passwords

# AD's answers to a bind with the right password: 773 "must change it first", 533 "disabled";
# 52e is a wrong password.
MUST_CHANGE, DISABLED, WRONG = "data 773", "data 533", "data 52e"


@pytest.fixture
def base_dn(samba_server: samba.SambaAD) -> Iterator[str]:
    """Each test writes under an OU of its own in the one domain of the run."""
    name = f"t{uuid.uuid4().hex[:8]}"
    dn = f"OU={name},{samba.BASE_DN}"
    connection = _admin(samba_server)
    connection.add_s(dn, [("objectClass", [b"organizationalUnit"]), ("ou", [name.encode()])])
    yield dn
    for found, _attributes in sorted(connection.search_s(dn, ldap.SCOPE_SUBTREE, "(objectClass=*)",
                                                         ["1.1"]), key=lambda e: -len(e[0])):
        connection.delete_s(found)


def _admin(server: samba.SambaAD) -> ldap.ldapobject.LDAPObject:
    connection = ldap.initialize(server.url)
    connection.set_option(ldap.OPT_X_TLS_CACERTFILE, str(server.ca_file))
    connection.set_option(ldap.OPT_X_TLS_NEWCTX, 0)
    connection.set_option(ldap.OPT_REFERRALS, 0)
    connection.simple_bind_s(samba.ADMIN_DN, samba.ADMIN_PASSWORD)
    return connection


def _search(server: samba.SambaAD, base: str, search: str, *attributes: str
            ) -> dict[str, dict[str, list[bytes]]]:
    found = _admin(server).search_s(base, ldap.SCOPE_SUBTREE, search, list(attributes))
    return {dn: values for dn, values in found if dn}


@pytest.fixture
def ad_home(home_cli: Cli, files: Files, samba_server: samba.SambaAD, base_dn: str) -> Cli:
    secret = home_cli.home / "ad.secret"
    secret.write_text(samba.ADMIN_PASSWORD)
    added = home_cli("target", "add", "ad", "--kind", "ad", "--url", samba_server.url,
                     "--base-dn", base_dn, "--bind-dn", samba.ADMIN_DN,
                     "--password-file", secret, "--ca-file", samba_server.ca_file)
    assert added.exit_code == 0, added.output
    apply_campaign(home_cli, files)
    return home_cli


def _sync(cli: Cli) -> str:
    result = cli("sync", "ldap", "--at", AT)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_ad_users_groups_passwords_and_locks(ad_home: Cli, files: Files,
                                             samba_server: samba.SambaAD, base_dn: str) -> None:
    shown = _sync(ad_home)
    assert "ajout utilisateur" in shown and "10 mots de passe posés" in shown
    users = _search(samba_server, base_dn, "(objectClass=user)", "sAMAccountName",
                    "userPrincipalName", "employeeNumber", "uidNumber", "unixHomeDirectory",
                    "userAccountControl", "pwdLastSet", "memberOf")
    lea = users[f"CN=lmartin,OU=Eleves,{base_dn}"]
    assert lea["sAMAccountName"] == [b"lmartin"]
    assert lea["userPrincipalName"] == [b"lmartin@college.test"]
    assert lea["employeeNumber"] == [b"eleve:1000001"]
    assert lea["unixHomeDirectory"] == [b"/home/lmartin"] and lea["uidNumber"]
    assert int(lea["userAccountControl"][0]) & 2 == 0 and lea["pwdLastSet"] == [b"0"]
    assert any(value.startswith(b"CN=classe-6a,") for value in lea["memberOf"])

    passwords = initial_passwords(ad_home)
    dn = f"CN=lmartin,OU=Eleves,{base_dn}"
    assert MUST_CHANGE in (bind_error(samba_server.url, dn, passwords["lmartin"],
                                      samba_server.ca_file) or "")
    assert WRONG in (bind_error(samba_server.url, dn, "Pas-le-bon-1234",
                                samba_server.ca_file) or "")
    assert "déjà à jour, rien à écrire (0 écriture)" in _sync(ad_home)

    edit(files("ElevesSansAdresses.xml")[0], "<DATE_SORTIE>20/12/2026", "<DATE_SORTIE>31/08/2026")
    apply_campaign(ad_home, files)
    assert "modification utilisateur" in _sync(ad_home)
    temery = f"CN=temery,OU=Eleves,{base_dn}"
    (flags,) = _search(samba_server, temery, "(objectClass=user)",
                       "userAccountControl").values()
    assert int(flags["userAccountControl"][0]) & 2  # ACCOUNTDISABLE
    assert DISABLED in (bind_error(samba_server.url, temery, passwords["temery"],
                                   samba_server.ca_file) or "")
    team = _search(samba_server, base_dn, "(cn=classe-6a)", "member")
    assert {m.split(b",")[0] for (g,) in [team.values()] for m in g["member"]} == {
        b"CN=lmartin", b"CN=lmartin2"}
    assert "déjà à jour" in _sync(ad_home)


def test_ad_renamed_login_moves_the_entry_and_keeps_its_ids_and_groups(
        ad_home: Cli, files: Files, samba_server: samba.SambaAD, base_dn: str) -> None:
    _sync(ad_home)
    wanted = ("objectGUID", "objectSid", "uidNumber", "memberOf", "sAMAccountName")
    (before,) = _search(samba_server, base_dn, "(sAMAccountName=lmartin)", *wanted).values()
    with (ad_home.home / "bascule.toml").open("a") as config:
        config.write("\n[accounts]\nlogin_follows_name_change = true\n")
    edit(files("ElevesSansAdresses.xml")[0], "<NOM_USAGE/>", "<NOM_USAGE>MOREL</NOM_USAGE>")
    apply_campaign(ad_home, files)
    assert "renommage utilisateur" in _sync(ad_home)
    assert not _search(samba_server, base_dn, "(sAMAccountName=lmartin)", "cn")
    after = _search(samba_server, base_dn, "(sAMAccountName=lmorel)", *wanted,
                    "userPrincipalName")
    assert list(after) == [f"CN=lmorel,OU=Eleves,{base_dn}"]
    lea = after[f"CN=lmorel,OU=Eleves,{base_dn}"]
    for kept in ("objectGUID", "objectSid", "uidNumber"):
        assert lea[kept] == before[kept], kept
    assert lea["userPrincipalName"] == [b"lmorel@college.test"]
    assert sorted(lea["memberOf"]) == sorted(before["memberOf"])
    assert "déjà à jour" in _sync(ad_home)


def test_ad_target_needs_tls(home_cli: Cli, tmp_path: object) -> None:
    secret = home_cli.home / "ad.secret"
    secret.write_text("x")
    refused = home_cli("target", "add", "ad", "--kind", "ad", "--url", "ldap://127.0.0.1",
                       "--base-dn", samba.BASE_DN, "--bind-dn", samba.ADMIN_DN,
                       "--password-file", secret)
    assert refused.exit_code == 1 and "TLS" in refused.stderr
