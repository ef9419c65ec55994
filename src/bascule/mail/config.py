"""The `[mail]` section of bascule.toml: which SMTP relay, how to reach it, who receives what.

    [mail]
    host = "smtp.ac-exemple.fr"
    port = 587                      # default from security: 25, 587 (starttls), 465 (tls)
    security = "starttls"           # none, starttls or tls
    user = "bascule"                # optional: no AUTH without it
    password_file = "/etc/bascule/smtp"   # the password itself never stands in bascule.toml
    sender = "bascule <bascule@exemple.fr>"
    operators = ["dsi@exemple.fr"]  # the nightly digest
    console_url = "https://bascule.exemple.fr"   # links in the mails
    reports_url = ""                # where the run reports are published; else attached
    notice_days = 14                # staff deletion notices, days before the deletions
    outbox_kept_days = 180          # the outbox's sent (and reported) mails, then removed
    [mail.schools."0860999U"]
    direction = ["ce.0860999u@ac-exemple.fr"]   # besides the direction's addresses in the store

Values only: parsing refuses unknown keys, a `password` key, and malformed addresses (a CR or LF
in an address would let it forge headers)."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.utils import parseaddr
from enum import StrEnum
from pathlib import Path

from bascule.errors import Location, UserError


class Security(StrEnum):
    """How the connection to the relay is protected."""

    NONE = "none"           # plain SMTP (a relay on the same machine or network)
    STARTTLS = "starttls"   # plain, then STARTTLS before anything else (submission, port 587)
    TLS = "tls"             # TLS from the first byte (SMTPS, port 465)


DEFAULT_PORTS = {Security.NONE: 25, Security.STARTTLS: 587, Security.TLS: 465}
DEFAULT_NOTICE_DAYS = 14
# A mail's record names its recipients: kept for a school year's questions, then removed.
DEFAULT_OUTBOX_KEPT_DAYS = 180

# key -> what it is, for the errors (and the README's table).
KEYS = {
    "host": "nom ou adresse du serveur SMTP (relais)",
    "port": "port du serveur (25, 587 ou 465 selon security)",
    "security": "none, starttls ou tls",
    "user": "identifiant de connexion au serveur (facultatif)",
    "password_file": "fichier qui contient le mot de passe du serveur",
    "sender": "adresse d'expédition",
    "operators": "adresses des opérateurs (résumé de chaque nuit)",
    "console_url": "adresse de la console bascule, pour les liens",
    "reports_url": "adresse où les rapports de nuit sont publiés (sinon : en pièce jointe)",
    "notice_days": "jours avant la suppression des comptes où les personnels sont prévenus",
    "outbox_kept_days": "jours pendant lesquels un mail envoyé reste dans le journal des mails",
    "ca_file": "certificat de l'autorité du serveur (TLS), si elle n'est pas reconnue",
    "timeout": "secondes d'attente du serveur",
    "schools": "adresses de la direction par établissement",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class MailConfig:
    host: str
    port: int
    security: Security
    sender: str
    user: str = ""
    password_file: Path | None = None
    operators: tuple[str, ...] = ()
    directions: dict[str, tuple[str, ...]] = field(default_factory=dict)  # by UAI
    console_url: str = ""
    reports_url: str = ""
    notice_days: int = DEFAULT_NOTICE_DAYS
    outbox_kept_days: int = DEFAULT_OUTBOX_KEPT_DAYS
    ca_file: Path | None = None
    timeout: float = 30.0

    def direction_of(self, uai: str) -> tuple[str, ...]:
        return self.directions.get(uai, ())


def _bad(path: Path, key: str, why: str) -> UserError:
    return UserError(f"{path} : [mail] {key} : {why}.",
                     hint="Voir la section « Mails ([mail]) » du README.",
                     location=Location(file=str(path), field=f"mail.{key}"))


def is_address(value: object) -> bool:
    """A plain address (« Nom <a@b.fr> » or « a@b.fr »), on one line."""
    if not isinstance(value, str) or "\r" in value or "\n" in value:
        return False
    _name, address = parseaddr(value)
    local, at, domain = address.rpartition("@")
    return bool(at and local and domain and " " not in address)


def _addresses(value: object, path: Path, key: str) -> tuple[str, ...]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(is_address(one) for one in values):
        raise _bad(path, key, "une adresse ou une liste d'adresses e-mail attendue, "
                   "par exemple [\"dsi@exemple.fr\"]")
    return tuple(str(one) for one in values)


def _text(table: dict[str, object], key: str, path: Path, default: str = "") -> str:
    value = table.get(key, default)
    if not isinstance(value, str):
        raise _bad(path, key, f"texte attendu ({KEYS[key]})")
    return value.strip()


def _number(table: dict[str, object], key: str, path: Path, default: int) -> int:
    value = table.get(key, default)
    if type(value) is not int or value <= 0:
        raise _bad(path, key, f"nombre entier positif attendu ({KEYS[key]})")
    return value


def _directions(table: object, path: Path) -> dict[str, tuple[str, ...]]:
    if not isinstance(table, dict):
        raise _bad(path, "schools", "[mail.schools.\"UAI\"] direction = [\"…\"] attendu")
    found = {}
    for uai, entry in table.items():
        if not isinstance(entry, dict) or set(entry) - {"direction"}:
            raise _bad(path, f"schools.{uai}", "seule la clé direction = [\"…\"] est possible")
        found[str(uai)] = _addresses(entry.get("direction", []), path,
                                     f"schools.{uai}.direction")
    return found


def _optional_path(table: dict[str, object], key: str, path: Path) -> Path | None:
    text = _text(table, key, path)
    return Path(text) if text else None


def read_mail_config(document: dict[str, object], path: Path) -> MailConfig | None:
    """The `[mail]` section of a bascule.toml document; None when it has none (no mail sent).

    Raises UserError naming the key for an unknown key, a password written in the file, a
    malformed address or port."""
    table = document.get("mail")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise _bad(path, "mail", "section [mail] attendue")
    if "password" in table:
        raise _bad(path, "password", "le mot de passe ne s'écrit jamais dans bascule.toml")
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise _bad(path, unknown[0], "clé inconnue (possibles : " + ", ".join(KEYS) + ")")
    return _config(table, path)


def _config(table: dict[str, object], path: Path) -> MailConfig:
    host = _text(table, "host", path)
    if not host:
        raise _bad(path, "host", "le serveur SMTP est à donner (host = \"smtp.…\")")
    try:
        security = Security(_text(table, "security", path, "starttls").lower())
    except ValueError:
        raise _bad(path, "security", "none, starttls ou tls attendu") from None
    sender = _text(table, "sender", path)
    if not is_address(sender):
        raise _bad(path, "sender", "adresse d'expédition attendue (sender = \"bascule@…\")")
    timeout = table.get("timeout", 30)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) \
            or not 0 < timeout <= 600:
        raise _bad(path, "timeout", "un nombre de secondes entre 1 et 600 attendu")
    return MailConfig(
        host=host, port=_number(table, "port", path, DEFAULT_PORTS[security]),
        security=security, sender=sender, user=_text(table, "user", path),
        password_file=_optional_path(table, "password_file", path),
        operators=_addresses(table.get("operators", []), path, "operators"),
        directions=_directions(table.get("schools", {}), path),
        console_url=_text(table, "console_url", path).rstrip("/"),
        reports_url=_text(table, "reports_url", path).rstrip("/"),
        notice_days=_number(table, "notice_days", path, DEFAULT_NOTICE_DAYS),
        outbox_kept_days=_number(table, "outbox_kept_days", path, DEFAULT_OUTBOX_KEPT_DAYS),
        ca_file=_optional_path(table, "ca_file", path), timeout=float(timeout))
