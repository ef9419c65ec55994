"""`bascule mail test` and `bascule mail outbox` against a real SMTP server on the loopback:
what is sent, and what each kind of failure says in French."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.mail.conftest import configure_mail, reach
from tests.servers.smtp import PASSWORD, SmtpServer, free_port


def test_the_test_mail_goes_over_starttls_with_auth_in_text_and_html(
        home_cli: Cli, smtp_server: SmtpServer) -> None:
    reach(home_cli.home, smtp_server)
    result = home_cli("mail", "test", "--to", "moi@cd86.test")
    assert result.exit_code == 0, result.output
    assert "Message d'essai envoyé à moi@cd86.test" in result.stdout
    [received] = smtp_server.messages
    assert received.recipients == ("moi@cd86.test",)
    message = received.message
    assert message["Subject"] == "bascule : message d'essai"
    assert message["From"] == "bascule <bascule@cd86.test>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert "vérifier les réglages [mail]" in received.part("plain")
    assert "<code>[mail]</code>" in received.part("html")
    assert PASSWORD not in received.decoded()


def test_without_to_the_test_mail_goes_to_the_operators(
        home_cli: Cli, smtp_server: SmtpServer) -> None:
    reach(home_cli.home, smtp_server)
    assert home_cli("mail", "test").exit_code == 0
    assert smtp_server.messages[0].recipients == ("dsi@cd86.test",)


def test_the_outbox_lists_the_mail_sent(home_cli: Cli, smtp_server: SmtpServer) -> None:
    reach(home_cli.home, smtp_server)
    home_cli("mail", "test")
    listed = home_cli("mail", "outbox")
    assert "message d'essai" in listed.stdout and "envoyé" in listed.stdout
    [entry] = json.loads(home_cli("mail", "outbox", "--json").stdout)
    assert (entry["kind"], entry["status"], entry["to"]) == ("test", "sent", ["dsi@cd86.test"])


def test_a_wrong_password_is_said_as_an_authentication_failure_and_kept(
        home_cli: Cli, smtp_server: SmtpServer) -> None:
    reach(home_cli.home, smtp_server)
    (home_cli.home.parent / "smtp-password").write_text("pas-le-bon\n", encoding="utf-8")
    result = home_cli("mail", "test")
    assert result.exit_code == 1
    assert "Authentification refusée par 127.0.0.1" in result.stderr
    assert "identifiant « bascule » ou mot de passe refusé" in result.stderr
    assert "pas-le-bon" not in result.output
    assert not smtp_server.messages
    [entry] = json.loads(home_cli("mail", "outbox", "--json").stdout)
    assert entry["status"] == "failed" and "Authentification refusée" in entry["failure"]


def test_nobody_listening_is_said_as_a_connection_failure(home_cli: Cli, tmp_path: Path) -> None:
    configure_mail(home_cli.home, {"host": "127.0.0.1", "port": free_port(),
                                   "security": "none", "sender": "bascule@cd86.test"})
    result = home_cli("mail", "test", "--to", "moi@cd86.test")
    assert result.exit_code == 1
    assert "Impossible de joindre le serveur de messagerie 127.0.0.1:" in result.stderr
    assert "connexion refusée" in result.stderr


def test_an_unknown_certificate_authority_is_said_as_a_tls_failure(
        home_cli: Cli, smtp_server: SmtpServer) -> None:
    reach(home_cli.home, smtp_server, ca_file="")
    result = home_cli("mail", "test")
    assert result.exit_code == 1
    assert "Connexion chiffrée (TLS) impossible" in result.stderr
    assert "certificat n'est pas reconnu" in result.stderr
    assert "ca_file" in result.stderr


@pytest.mark.parametrize("security", ["tls", "none"])
def test_tls_from_the_first_byte_and_plain_smtp_work_too(
        home_cli: Cli, tmp_path: Path, security: str) -> None:
    server = SmtpServer(tmp_path / "smtp", security=security, auth=False).start()
    try:
        reach(home_cli.home, server)
        result = home_cli("mail", "test")
        assert result.exit_code == 0, result.output
        assert len(server.messages) == 1
    finally:
        server.stop()


def test_starttls_asked_of_a_server_without_it_is_a_tls_failure(
        home_cli: Cli, tmp_path: Path) -> None:
    server = SmtpServer(tmp_path / "smtp", security="none", auth=False).start()
    try:
        reach(home_cli.home, server, security="starttls")
        result = home_cli("mail", "test")
        assert result.exit_code == 1
        assert "il ne propose pas STARTTLS" in result.stderr
    finally:
        server.stop()


def test_a_refused_recipient_is_named(home_cli: Cli, smtp_server: SmtpServer) -> None:
    reach(home_cli.home, smtp_server)
    result = home_cli("mail", "test", "--to", "personne@refuse.invalid")
    assert result.exit_code == 1
    assert "Destinataire(s) refusé(s) par le serveur : personne@refuse.invalid" in result.stderr


def test_without_mail_settings_the_test_says_what_to_add(home_cli: Cli) -> None:
    result = home_cli("mail", "test")
    assert result.exit_code == 1
    assert "Aucun serveur de messagerie" in result.stderr and "[mail]" in result.stderr
