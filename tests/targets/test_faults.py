"""Faults on a real slapd: the server killed (SIGKILL) right after the first write of each kind
(user add, password, group membership, deletion), then the sync resumed. Each directory is
compared, entry by entry and attribute by attribute, with a directory the same store reached
by uninterrupted syncs: a resumed sync leaves exactly what an uninterrupted one does. And what
the directory lost by itself (memberOf values a crash left behind) is repaired by the next
sync, though the store did not change."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import ldap
import pytest

from bascule.targets import client
from tests.conftest import Cli, Files, apply_campaign, edit
from tests.servers import slapd
from tests.targets.conftest import AT, add_openldap_target, admin, entries, initial_passwords

# A target per kind of fault, each its own slapd ("reference" is never interrupted): killed
# as the first request of the kind leaves (the server may have done it, or not, or half of
# it: a group's member without its memberOf), or just after the server acknowledged it.
FAULTS = {"add": ("ajout", "sent"), "password": ("mot de passe", "acknowledged"),
          "member": ("groupe", "sent"), "delete": ("suppression", "sent")}
Dump = dict[str, dict[str, list[bytes]]]


def _dump(server: slapd.Slapd) -> Dump:
    """Every entry with its user attributes and the operational ones bascule's work shows in
    (memberOf, pwdReset, the lock); a salted password hash is compared by its presence."""
    found = admin(server).search_s(slapd.SUFFIX, ldap.SCOPE_SUBTREE, "(objectClass=*)",
                                   ["*", "memberOf", "pwdReset", "pwdAccountLockedTime"])
    return {dn.lower(): {name.lower(): sorted(b"(set)" if name == "userPassword" else value
                                              for value in values)
                         for name, values in attributes.items()}
            for dn, attributes in found}


@pytest.fixture
def servers(tmp_path: Path, slapd_server: slapd.Slapd) -> Iterator[dict[str, slapd.Slapd]]:
    started = {name: slapd.Slapd(tmp_path / name).create().start() for name in FAULTS}
    try:
        yield {"reference": slapd_server, **started}
    finally:
        for server in started.values():
            server.stop()


class _Crash:
    """Kills the armed server at the first request of the armed kind (a group's modification
    for "groupe"), when it leaves or when its answer comes."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.armed: tuple[str, str, slapd.Slapd] | None = None
        original = client.Connection.run

        def run(connection: client.Connection, jobs: Iterable[client.Job],
                on_done: Callable[[], None] = lambda: None) -> list[client.Refusal]:
            return original(connection, (self._watch(job) for job in jobs), on_done)

        monkeypatch.setattr(client.Connection, "run", run)

    def _watch(self, job: client.Job) -> client.Job:
        if self.armed is None or not self._matches(job, self.armed[0]):
            return job
        _kind, when, server = self.armed
        self.armed = None
        if when == "acknowledged":
            def done() -> None:
                job.on_success()
                server.crash()
            return client.Job(job.dn, job.what, job.send, done)

        def send(session: object) -> int:
            message = job.send(session)
            server.crash()
            return message

        return client.Job(job.dn, job.what, send, job.on_success)

    @staticmethod
    def _matches(job: client.Job, kind: str) -> bool:
        if kind == "groupe":
            return job.what == "modification" and ",ou=groupes," in job.dn.lower()
        return job.what == kind


def _sync_all(cli: Cli, servers: dict[str, slapd.Slapd], crash: _Crash,
              faults: Iterable[str]) -> None:
    """Each target synced; those named in `faults` are killed on their kind, then resumed."""
    for name, server in servers.items():
        if name in faults:
            crash.armed = (*FAULTS[name], server)
            interrupted = cli("sync", "ldap", "--target", name, "--at", AT)
            # The server may have answered the last request before it died: then the sync
            # ended well; otherwise it says where it stopped.
            assert crash.armed is None and (interrupted.exit_code == 0 or (
                interrupted.exit_code == 1 and "interrompue" in interrupted.stderr)), (
                name, interrupted.output)
            server.start()
        resumed = cli("sync", "ldap", "--target", name, "--at", AT)
        assert resumed.exit_code == 0, (name, resumed.output)


def _assert_all_like_the_reference(servers: dict[str, slapd.Slapd]) -> None:
    reference = _dump(servers["reference"])
    assert any(b"(set)" in e.get("userpassword", []) for e in reference.values())
    for name, server in servers.items():
        assert _dump(server) == reference, name


def test_a_sync_killed_at_any_kind_of_write_resumes_to_the_same_directory(
        home_cli: Cli, files: Files, servers: dict[str, slapd.Slapd],
        monkeypatch: pytest.MonkeyPatch) -> None:
    for name, server in servers.items():
        add_openldap_target(home_cli, server, name)
    crash = _Crash(monkeypatch)
    apply_campaign(home_cli, files)  # every target waits for the initial passwords
    _sync_all(home_cli, servers, crash, faults=("add", "password"))
    _assert_all_like_the_reference(servers)
    # lmartin2 chooses a password: the directories must not ask him to change it again.
    current = initial_passwords(home_cli)["lmartin2"]
    answers = iter([current, "Mon-nouveau-mot2passe", "Mon-nouveau-mot2passe"])
    monkeypatch.setattr("typer.prompt", lambda *args, **kwargs: next(answers))
    assert home_cli("password", "change", "lmartin2").exit_code == 0

    # A year on: Léa changes division (memberships), Tom leaves, then his account is deleted.
    eleves = files("ElevesSansAdresses.xml")[0]
    edit(eleves, '<STRUCTURES_ELEVE ELEVE_ID="1000001" ELENOET="2643">\n'
         '        <STRUCTURE><CODE_STRUCTURE>6A<',
         '<STRUCTURES_ELEVE ELEVE_ID="1000001" ELENOET="2643">\n'
         '        <STRUCTURE><CODE_STRUCTURE>5 B/1<')
    edit(eleves, "<DATE_SORTIE>20/12/2026", "<DATE_SORTIE>31/08/2026")
    apply_campaign(home_cli, files)
    assert home_cli("lifecycle", "--at", "2026-09-15T08:00").exit_code == 0
    assert home_cli("apply", "--yes", "--at", "2026-09-15T08:00").exit_code == 0
    _sync_all(home_cli, servers, crash, faults=("password", "member", "delete"))
    _assert_all_like_the_reference(servers)
    assert not entries(servers["delete"], "(uid=temery)")
    (lucas,) = entries(servers["password"], "(uid=lmartin2)", "pwdReset").values()
    assert "pwdReset" not in lucas


def test_memberof_values_the_directory_lost_are_repaired_by_the_next_sync(
        home_cli: Cli, files: Files, slapd_server: slapd.Slapd) -> None:
    add_openldap_target(home_cli, slapd_server)
    apply_campaign(home_cli, files)
    assert home_cli("sync", "ldap", "--at", AT).exit_code == 0
    before = _dump(slapd_server)
    lost = sorted(dn for dn, attributes in before.items() if attributes.get("memberof"))[:4]
    assert len(lost) == 4
    slapd_server.stop()
    # A crash between a group's write and the overlay's: the users keep no memberOf.
    slapd_server.modify_offline("".join(f"dn: {dn}\nchangetype: modify\ndelete: memberOf\n-\n\n"
                                        for dn in lost))
    slapd_server.start()
    assert all(not _dump(slapd_server)[dn].get("memberof") for dn in lost)
    repaired = home_cli("sync", "ldap", "--at", AT)
    assert repaired.exit_code == 0 and "modification groupe" in repaired.stdout
    assert _dump(slapd_server) == before
    assert "déjà à jour" in home_cli("sync", "ldap", "--at", AT).stdout
