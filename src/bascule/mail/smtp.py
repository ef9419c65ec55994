"""Sending over SMTP with the standard library's smtplib: one connection for a batch of mails,
every library error translated at this edge into a MailFailure that says in French what failed
(connection, TLS, authentication, refusal) and what to check.

The password is read from its file at each connection and kept nowhere else; it never appears
in a failure's text."""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from enum import StrEnum

from bascule.mail.config import MailConfig, Security


class FailureKind(StrEnum):
    CONFIGURATION = "configuration"
    CONNECTION = "connexion"
    TLS = "tls"
    AUTHENTICATION = "authentification"
    REFUSED = "refus"


class MailFailure(Exception):
    """Why a mail could not be handed to the relay: a kind, a French sentence, what to do."""

    def __init__(self, kind: FailureKind, message: str, hint: str = ""):
        super().__init__(message)
        self.kind, self.message, self.hint = kind, message, hint


def _server(config: MailConfig) -> str:
    return f"{config.host}:{config.port}"


def _read_password(config: MailConfig) -> str | None:
    if not config.user:
        return None
    if config.password_file is None:
        raise MailFailure(FailureKind.CONFIGURATION,
                          f"[mail] user = « {config.user} » est donné sans password_file.",
                          "Ajoutez password_file = \"/chemin/du/fichier\" (le fichier ne "
                          "contient que le mot de passe).")
    try:
        return config.password_file.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise MailFailure(FailureKind.CONFIGURATION,
                          f"Le fichier du mot de passe SMTP {config.password_file} est "
                          f"illisible ({getattr(exc, 'strerror', None) or exc}).",
                          "Vérifiez le chemin et que l'utilisateur de bascule peut le lire."
                          ) from None


def _tls_context(config: MailConfig) -> ssl.SSLContext:
    try:
        return ssl.create_default_context(
            cafile=str(config.ca_file) if config.ca_file else None)
    except (OSError, ssl.SSLError) as exc:
        raise MailFailure(FailureKind.CONFIGURATION,
                          f"Le certificat d'autorité {config.ca_file} est illisible ({exc}).",
                          "Donnez dans ca_file le certificat (PEM) de l'autorité du serveur."
                          ) from None


def _connection_failure(config: MailConfig, exc: BaseException) -> MailFailure:
    if isinstance(exc, socket.gaierror):
        why = "ce nom de serveur est inconnu"
    elif isinstance(exc, ConnectionRefusedError):
        why = "connexion refusée (aucun serveur de messagerie n'écoute sur ce port)"
    elif isinstance(exc, TimeoutError):
        why = f"pas de réponse en {config.timeout:g} secondes"
    elif isinstance(exc, smtplib.SMTPServerDisconnected):
        why = "le serveur a coupé la connexion"
    else:
        why = getattr(exc, "strerror", None) or str(exc)
    return MailFailure(FailureKind.CONNECTION,
                       f"Impossible de joindre le serveur de messagerie {_server(config)} : "
                       f"{why}.",
                       "Vérifiez host et port dans [mail] (bascule.toml), et que ce serveur "
                       "accepte les connexions de cette machine ; security = tls va avec le "
                       "port 465, starttls avec le 587.")


def _tls_failure(config: MailConfig, exc: BaseException) -> MailFailure:
    if isinstance(exc, ssl.SSLCertVerificationError):
        why = f"son certificat n'est pas reconnu ({exc.verify_message})"
        hint = ("Donnez le certificat de son autorité dans [mail] ca_file, ou vérifiez que "
                "host est bien le nom inscrit dans le certificat.")
    elif isinstance(exc, smtplib.SMTPNotSupportedError):
        why = "il ne propose pas STARTTLS"
        hint = "Essayez security = \"tls\" (port 465), ou demandez STARTTLS à son gestionnaire."
    else:
        why = f"la négociation a échoué ({getattr(exc, 'reason', None) or exc})"
        hint = ("security = \"tls\" va avec le port 465 (TLS dès la connexion), "
                "\"starttls\" avec le 587.")
    return MailFailure(FailureKind.TLS,
                       f"Connexion chiffrée (TLS) impossible avec {_server(config)} : {why}.",
                       hint)


def _authentication_failure(config: MailConfig, exc: BaseException) -> MailFailure:
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        why = f"identifiant « {config.user} » ou mot de passe refusé"
        hint = "Vérifiez user et le contenu du fichier password_file."
    else:
        why = "il ne propose pas d'authentification sur cette connexion"
        hint = ("Retirez user de [mail] si ce relais n'en demande pas, ou passez en "
                "starttls/tls : beaucoup de serveurs ne l'offrent qu'une fois chiffrés.")
    return MailFailure(FailureKind.AUTHENTICATION,
                       f"Authentification refusée par {_server(config)} : {why}.", hint)


def _refusal(exc: BaseException) -> MailFailure:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = ", ".join(sorted(exc.recipients))
        return MailFailure(FailureKind.REFUSED, f"Destinataire(s) refusé(s) par le serveur : "
                           f"{refused}.", "Vérifiez ces adresses.")
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return MailFailure(FailureKind.REFUSED, f"Le serveur refuse l'expéditeur « {exc.sender} »"
                           f" ({exc.smtp_code}).",
                           "Donnez dans [mail] sender une adresse que ce relais accepte.")
    code = getattr(exc, "smtp_code", "")
    error = getattr(exc, "smtp_error", b"")
    detail = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(exc)
    return MailFailure(FailureKind.REFUSED, f"Le serveur a refusé le message ({code} {detail}).",
                       "Le message est gardé dans la boîte d'envoi (bascule mail outbox).")


def connect(config: MailConfig) -> smtplib.SMTP:
    """An open, greeted, protected and authenticated connection; MailFailure otherwise."""
    password = _read_password(config)
    context = _tls_context(config) if config.security is not Security.NONE else None
    try:
        if config.security is Security.TLS:
            client: smtplib.SMTP = smtplib.SMTP_SSL(config.host, config.port,
                                                    timeout=config.timeout, context=context)
        else:
            client = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
    except ssl.SSLError as exc:
        raise _tls_failure(config, exc) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise _connection_failure(config, exc) from None
    try:
        _greet(client, config, context, password)
    except BaseException:
        client.close()
        raise
    return client


def _greet(client: smtplib.SMTP, config: MailConfig, context: ssl.SSLContext | None,
           password: str | None) -> None:
    try:
        client.ehlo()
        if config.security is Security.STARTTLS:
            client.starttls(context=context)
            client.ehlo()
    except (ssl.SSLError, smtplib.SMTPNotSupportedError) as exc:
        raise _tls_failure(config, exc) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise _connection_failure(config, exc) from None
    if password is None:
        return
    try:
        client.login(config.user, password)
    except (smtplib.SMTPAuthenticationError, smtplib.SMTPNotSupportedError) as exc:
        raise _authentication_failure(config, exc) from None
    except smtplib.SMTPServerDisconnected as exc:
        raise _connection_failure(config, exc) from None
    except smtplib.SMTPException as exc:
        raise _authentication_failure(config, exc) from None


def send_one(client: smtplib.SMTP, message: EmailMessage) -> None:
    """Hand one message to the relay; MailFailure when it refuses any recipient."""
    try:
        refused = client.send_message(message)
    except smtplib.SMTPServerDisconnected as exc:
        raise MailFailure(FailureKind.CONNECTION, f"Le serveur a coupé la connexion ({exc}).",
                          "Le message est gardé dans la boîte d'envoi : il sera signalé dans "
                          "le prochain résumé.") from None
    except smtplib.SMTPException as exc:
        raise _refusal(exc) from None
    except OSError as exc:
        raise MailFailure(FailureKind.CONNECTION, f"Connexion perdue pendant l'envoi ({exc}).",
                          "") from None
    if refused:
        raise _refusal(smtplib.SMTPRecipientsRefused(refused))


def deliver(config: MailConfig, messages: Sequence[EmailMessage]) -> list[MailFailure | None]:
    """Send each message over one connection: for each, None when the relay accepted it, or
    why not. A connection that cannot be opened fails them all with the same reason."""
    if not messages:
        return []
    try:
        client = connect(config)
    except MailFailure as failure:
        return [failure] * len(messages)
    results: list[MailFailure | None] = []
    try:
        for message in messages:
            try:
                send_one(client, message)
                results.append(None)
            except MailFailure as failure:
                results.append(failure)
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()
    return results
