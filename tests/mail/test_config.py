"""The [mail] section of bascule.toml: what it accepts, and what it refuses with the key named."""

from __future__ import annotations

from pathlib import Path

import pytest

from bascule.errors import UserError
from bascule.mail.config import MailConfig, Security, read_mail_config

PATH = Path("bascule.toml")


def _read(**section: object) -> MailConfig | None:
    return read_mail_config({"mail": {"host": "smtp.cd86.test", "sender": "b@cd86.test",
                                      **section}}, PATH)


def test_no_mail_section_means_no_mail() -> None:
    assert read_mail_config({}, PATH) is None


def test_the_port_follows_the_security_unless_given() -> None:
    assert _read(security="tls").port == 465  # type: ignore[union-attr]
    assert _read(security="starttls").port == 587  # type: ignore[union-attr]
    assert _read(security="none", port=2525).port == 2525  # type: ignore[union-attr]
    assert _read().security is Security.STARTTLS  # type: ignore[union-attr]


def test_direction_addresses_per_school_are_read() -> None:
    config = _read(schools={"0860999U": {"direction": ["ce.0860999u@ac.test"]}})
    assert config is not None and config.direction_of("0860999U") == ("ce.0860999u@ac.test",)
    assert config.direction_of("0861000V") == ()


@pytest.mark.parametrize(("section", "said"), [
    ({"password": "secret"}, "le mot de passe ne s'écrit jamais dans bascule.toml"),
    ({"passwd_file": "x"}, "clé inconnue"),
    ({"security": "ssl"}, "none, starttls ou tls attendu"),
    ({"operators": ["dsi@cd86.test\nBcc: x@y.z"]}, "une adresse ou une liste d'adresses"),
    ({"operators": "pas une adresse"}, "une adresse ou une liste d'adresses"),
    ({"sender": ""}, "adresse d'expédition attendue"),
    ({"port": "587"}, "nombre entier positif attendu"),
    ({"notice_days": 0}, "nombre entier positif attendu"),
    ({"host": ""}, "le serveur SMTP est à donner"),
])
def test_a_bad_section_is_refused_naming_the_key(section: dict[str, object], said: str) -> None:
    with pytest.raises(UserError) as raised:
        _read(**section)
    assert said in raised.value.message
    assert raised.value.location is not None
    assert raised.value.location.field is not None
    assert raised.value.location.field.startswith("mail.")
