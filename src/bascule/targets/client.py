"""The connection to a directory target, with python-ldap.

Why python-ldap and not ldap3: measured on these machines over loopback, ldap3 (pure Python,
pyasn1 encoding) adds about 500 entries/s on one connection, while python-ldap (libldap, in C)
with requests pipelined adds several thousand: the 0.8× `ldapadd` target of a first sync is only
within reach of the latter. Writes are sent asynchronously, WINDOW requests in flight, phase by
phase (a server may run the requests of one connection in parallel, so a phase waits for the
previous one: containers before users, users before groups). A second connection writing the
same phase was measured too: no gain once several targets sync at once (operations/targets.py).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

import ldap
from ldap.controls import SimplePagedResultsControl

from bascule.errors import UserError
from bascule.targets.config import TargetConfig
from bascule.targets.diff import Attributes, Found, Kind, Operation

WINDOW = 64
PAGE_SIZE = 500
_LOST = (ldap.SERVER_DOWN, ldap.CONNECT_ERROR, ldap.TIMEOUT)
_CHANGE = {"add": ldap.MOD_ADD, "delete": ldap.MOD_DELETE, "replace": ldap.MOD_REPLACE}


class TargetUnreachable(UserError):
    pass


class SyncInterrupted(UserError):
    """The connection was lost during the writes: what was done stays done, the next run
    finishes the job (it starts again from a fresh read)."""

    def __init__(self, target: str, dn: str, error: str):
        self.target = target
        super().__init__(
            f"Synchronisation de « {target} » interrompue sur {dn} : {error}.",
            hint="Vérifiez que le serveur répond, puis relancez bascule sync ldap : elle "
                 "reprend là où elle s'est arrêtée, sans doublon.")


@dataclass(frozen=True, slots=True)
class Refusal:
    """The server refused one write; the others went on."""

    dn: str
    what: str  # the operation, in French
    reason: str  # the server's own words


@dataclass(frozen=True, slots=True)
class Job:
    dn: str
    what: str
    send: Callable[[Any], int]  # sends the request on a python-ldap object, returns its id
    on_success: Callable[[], None] = lambda: None


def describe(error: ldap.LDAPError) -> str:
    details = error.args[0] if error.args and isinstance(error.args[0], dict) else {}
    text = details.get("desc", type(error).__name__)
    return f"{text} ({details['info']})" if details.get("info") else str(text)


def _session(config: TargetConfig) -> Any:
    """A connection to the target, TLS set up (and started on ldap:// with a CA), not bound."""
    session = ldap.initialize(config.url, bytes_mode=False)
    session.set_option(ldap.OPT_PROTOCOL_VERSION, 3)
    session.set_option(ldap.OPT_REFERRALS, 0)
    session.set_option(ldap.OPT_NETWORK_TIMEOUT, 10)
    if config.ca_file is not None:
        session.set_option(ldap.OPT_X_TLS_CACERTFILE, str(config.ca_file))
        session.set_option(ldap.OPT_X_TLS_REQUIRE_CERT, ldap.OPT_X_TLS_DEMAND)
        session.set_option(ldap.OPT_X_TLS_NEWCTX, 0)
        if config.url.lower().startswith("ldap://"):
            session.start_tls_s()
    return session


def password_accepted(config: TargetConfig, dn: str, password: str) -> bool:
    """Whether the directory takes this password for this entry: a simple bind as it. An
    empty password is refused here, since LDAP would take it as an anonymous bind."""
    if not password:
        return False
    session = None
    try:
        session = _session(config)
        session.simple_bind_s(dn, password)
        return True
    except ldap.INVALID_CREDENTIALS:
        return False
    except ldap.LDAPError as exc:
        raise TargetUnreachable(f"La cible « {config.name} » ({config.url}) est injoignable : "
                                f"{describe(exc)}.") from exc
    finally:
        if session is not None:
            with suppress(ldap.LDAPError):
                session.unbind_s()


class Connection:
    def __init__(self, config: TargetConfig, password: str):
        self.config = config
        self.writes = 0
        try:
            self._ldap = _session(config)
            self._ldap.simple_bind_s(config.bind_dn, password)
        except ldap.INVALID_CREDENTIALS as exc:
            raise TargetUnreachable(
                f"La cible « {config.name} » refuse la connexion de {config.bind_dn} : "
                "identifiants invalides.",
                hint="Vérifiez le compte (--bind-dn) et son mot de passe (fichier ou variable "
                     f"{config.password_variable}).") from exc
        except ldap.LDAPError as exc:
            raise TargetUnreachable(
                f"La cible « {config.name} » ({config.url}) est injoignable : {describe(exc)}.",
                hint="Vérifiez l'adresse, que le serveur tourne et, en TLS, le certificat de "
                     "l'autorité (--ca-file).") from exc

    def close(self) -> None:
        with suppress(ldap.LDAPError):  # already gone: nothing left to close
            self._ldap.unbind_s()

    def search(self, base: str, attributes: Sequence[str], marker: tuple[str, bytes],
               scope: int = ldap.SCOPE_SUBTREE) -> Iterator[Found]:
        """Every entry under base, page by page; none when base does not exist yet."""
        control = SimplePagedResultsControl(True, size=PAGE_SIZE, cookie="")
        while True:
            try:
                message = self._ldap.search_ext(base, scope, "(objectClass=*)", list(attributes),
                                                serverctrls=[control])
                _type, entries, _id, controls = self._ldap.result3(message)
            except ldap.NO_SUCH_OBJECT:
                return
            except _LOST as exc:
                raise SyncInterrupted(self.config.name, base, describe(exc)) from exc
            except ldap.LDAPError as exc:
                raise UserError(
                    f"La cible « {self.config.name} » refuse la lecture de {base} : "
                    f"{describe(exc)}.",
                    hint="Le compte de connexion doit pouvoir lire et écrire sous la base DN "
                         "(droits de l'annuaire).") from exc
            for dn, found in entries:
                if dn is not None:
                    yield _found(dn, found, marker)
            cookie = next((c.cookie for c in controls
                           if c.controlType == SimplePagedResultsControl.controlType), b"")
            if not cookie:
                return
            control.cookie = cookie

    def read_one(self, dn: str, attributes: Sequence[str]) -> dict[str, list[bytes]] | None:
        try:
            found = self._ldap.search_s(dn, ldap.SCOPE_BASE, "(objectClass=*)", list(attributes))
        except ldap.NO_SUCH_OBJECT:
            return None
        return {name.lower(): values for name, values in found[0][1].items()} if found else None

    def root_dse(self, attributes: Sequence[str]) -> dict[str, list[bytes]]:
        return self.read_one("", attributes) or {}

    def run(self, jobs: Iterable[Job], on_done: Callable[[], None] = lambda: None
            ) -> list[Refusal]:
        """Send the jobs WINDOW at a time; collect refusals, stop on a lost connection."""
        in_flight: deque[tuple[Job, int]] = deque()
        refusals: list[Refusal] = []

        def collect() -> None:
            job, message = in_flight.popleft()
            try:
                self._ldap.result3(message)
            except _LOST as exc:
                raise SyncInterrupted(self.config.name, job.dn, describe(exc)) from exc
            except ldap.LDAPError as exc:
                refusals.append(Refusal(job.dn, job.what, describe(exc)))
            else:
                job.on_success()
            on_done()

        for job in jobs:
            try:
                in_flight.append((job, job.send(self._ldap)))
            except _LOST as exc:
                raise SyncInterrupted(self.config.name, job.dn, describe(exc)) from exc
            self.writes += 1
            if len(in_flight) >= WINDOW:
                collect()
        while in_flight:
            collect()
        return refusals


def operation_job(operation: Operation) -> Job:
    """The request that carries one operation of the plan."""
    dn, what = operation.dn, operation.kind.value
    if operation.kind is Kind.ADD:
        entry = [(name, list(values)) for name, values in operation.attributes.items() if values]
        return Job(dn, what, lambda server: server.add_ext(dn, entry))
    if operation.kind is Kind.MODIFY:
        changes = [(_CHANGE[c.action], c.attribute, list(c.values) or None)
                   for c in operation.changes]
        return Job(dn, what, lambda server: server.modify_ext(dn, changes))
    if operation.kind is Kind.RENAME:
        rdn, parent = operation.new_dn.split(",", 1)
        return Job(dn, what, lambda server: server.rename(dn, rdn, parent, delold=1))
    return Job(dn, what, lambda server: server.delete_ext(dn))


def _found(dn: str, found: dict[str, list[bytes]], marker: tuple[str, bytes]) -> Found:
    attributes: Attributes = {name.lower(): tuple(values) for name, values in found.items()}
    name, value = marker
    return Found(dn, attributes, managed=value in attributes.get(name, ()))


def unicode_password(password: str) -> bytes:
    """AD's unicodePwd: the password in double quotes, UTF-16-LE."""
    return f'"{password}"'.encode("utf-16-le")


