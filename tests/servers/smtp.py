"""A real SMTP server on the loopback (aiosmtpd's Controller: one asyncio server in a thread),
keeping every message it receives, so that a test reads what was really sent over SMTP: plain,
STARTTLS or TLS from the first byte (a throwaway certificate), with or without AUTH."""

from __future__ import annotations

import csv
import email
import email.policy
import io
import socket
import sqlite3
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from bascule.store.sealed import Sealer

HOST = "127.0.0.1"
USER = "bascule"
PASSWORD = "mot-de-passe-du-relais"


@dataclass(frozen=True)
class Received:
    sender: str
    recipients: tuple[str, ...]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    def part(self, subtype: str) -> str:
        """The text/plain or text/html body, decoded."""
        body = self.message.get_body(preferencelist=(subtype,))
        assert body is not None, f"no text/{subtype} part"
        content = body.get_content()
        assert isinstance(content, str)
        return content

    def decoded(self) -> str:
        """Every part decoded (base64, quoted-printable), for scanning the whole message."""
        texts = [self.raw.decode("utf-8", "replace")]
        for part in self.message.walk():
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                texts.append(payload.decode("utf-8", "replace"))
        return "\n".join(texts)


@dataclass
class _Mailbox:
    messages: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.messages.append(Received(str(envelope.mail_from), tuple(envelope.rcpt_tos),
                                      content))
        return "250 Message accepted for delivery"

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        if address.endswith("@refuse.invalid"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def _authenticate(server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                  auth_data: Any) -> AuthResult:
    good = (isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode()
            and auth_data.password == PASSWORD.encode())
    return AuthResult(success=good, handled=False)


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost: (certificate, key) in PEM; the
    certificate is its own authority (the client's ca_file)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=7))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                    x509.IPAddress(IPv4Address(HOST))]),
                       critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class SmtpServer:
    """One server: `security` none, starttls or tls; `auth` requires USER/PASSWORD."""

    def __init__(self, folder: Path, *, security: str = "starttls", auth: bool = True):
        self.security, self.auth = security, auth
        self.certificate, key = make_certificate(folder)
        self.port = free_port()
        self.mailbox = _Mailbox()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.certificate, key)
        options: dict[str, Any] = {}
        if security == "starttls":
            options = {"tls_context": context, "require_starttls": True}
        if auth:
            options |= {"authenticator": _authenticate, "auth_required": True,
                        "auth_require_tls": security != "none"}
        self.controller = Controller(self.mailbox, hostname=HOST, port=self.port,
                                     ssl_context=context if security == "tls" else None,
                                     server_hostname="localhost", **options)

    @property
    def messages(self) -> list[Received]:
        return self.mailbox.messages

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def mail_section(self, password_file: Path, **extra: object) -> dict[str, object]:
        """The [mail] section of bascule.toml that reaches this server."""
        section: dict[str, object] = {
            "host": HOST, "port": self.port, "security": self.security,
            "sender": "bascule <bascule@cd86.test>", "operators": ["dsi@cd86.test"],
            "ca_file": str(self.certificate), "timeout": 5}
        if self.auth:
            password_file.write_text(PASSWORD + "\n", encoding="utf-8")
            section |= {"user": USER, "password_file": str(password_file)}
        return section | extra


def _initial_passwords(root: Path) -> set[str]:
    """The passwords of every credentials file (comptes.csv) under root."""
    found = set()
    for path in root.rglob("comptes.csv"):
        rows = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";")
        found |= {row["mot_de_passe"].removeprefix("'") for row in rows if row["mot_de_passe"]}
    return found


def _sealed_passwords(root: Path) -> set[str]:
    """The sealed passwords of every store under root, sealed and opened with their home's
    key."""
    found: set[str] = set()
    for database in root.rglob("bascule.sqlite"):
        key = database.parent / "secrets" / "cle-mots-de-passe"
        with sqlite3.connect(database) as connection:
            try:
                tokens = [row[0] for row in connection.execute("SELECT sealed FROM "
                                                                "pending_password")]
            except sqlite3.OperationalError:  # a store never migrated this far
                continue
        found |= set(tokens)
        if key.exists():
            sealer = Sealer.from_key_file(key)
            found |= {sealer.open(token) for token in tokens}
    return found


def assert_no_password_sent(messages: list[Received], root: Path) -> None:
    """No message holds any password the folders under root know, nor the relay's."""
    secrets = {PASSWORD} | _initial_passwords(root) | _sealed_passwords(root)
    for received in messages:
        text = received.decoded()
        leaked = sorted(secret for secret in secrets if len(secret) >= 6 and secret in text)
        assert not leaked, f"a mail to {received.recipients} holds {len(leaked)} password(s)"
