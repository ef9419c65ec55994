"""The hand-written college, applied: the web console's tests sign in with its accounts."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from bascule.domain.policy import Role
from tests.conftest import ROLLOVER_AT as AT
from tests.conftest import Cli, Files, apply_campaign, edit

R = Role


@pytest.fixture
def school(home_cli: Cli, files: Files) -> Cli:
    apply_campaign(home_cli, files)
    return home_cli


@pytest.fixture
def leaver_plan(school: Cli, files: Files) -> Cli:
    """The applied college with a plan waiting: ÉMERY Timothée (temery, 6A) has left."""
    edit(files("ElevesSansAdresses.xml")[0], "<DATE_SORTIE>20/12/2026", "<DATE_SORTIE>31/08/2026")
    assert school("import", *files()).exit_code == 0
    assert school("plan", "--at", AT).exit_code == 0
    return school


# Staff the hand-written college lacks: a CPE, a documentalist and a second direction member.
LOCAL_STAFF = ("L003;VIESCO;Camille;EDU;01/02/1985;\n"
               "L004;LIVRES;Dominique;DOC;03/04/1986;\n"
               "L005;ADJOINT;Alex;DIR;05/06/1975;\n")


@dataclass(frozen=True)
class Person:
    name: str
    login: str
    roles: frozenset[Role]


def _people(logins: dict[str, str]) -> tuple[Person, ...]:
    return (
        Person("principal", "idasilva", frozenset({R.PRINCIPAL})),
        # STS-Web says DIR for both: the adjoint signs in with the principal's rights.
        Person("adjoint", logins["ADJOINT"], frozenset({R.PRINCIPAL})),
        Person("RRUPN", "jlegoff", frozenset({R.ENSEIGNANT, R.RRUPN})),
        Person("enseignant", "cdurand", frozenset({R.ENSEIGNANT})),
        Person("CPE", logins["VIESCO"], frozenset({R.CPE})),
        Person("documentation", logins["LIVRES"], frozenset({R.DOCUMENTATION})),
        Person("administratif", "sgarnier", frozenset({R.ADMINISTRATIF})),
        Person("élève", "lcoeurleger", frozenset({R.ELEVE})),
        Person("responsable", "p.martin", frozenset({R.RESPONSABLE})),
    )


@pytest.fixture
def staffed(home_cli: Cli, files: Files) -> tuple[Cli, tuple[Person, ...]]:
    local = files("personnes_locales.csv")[0]
    local.write_text(local.read_text(encoding="utf-8-sig") + LOCAL_STAFF, encoding="utf-8-sig")
    apply_campaign(home_cli, files)
    assert home_cli("delegation", "grant", "jlegoff", "Réinitialiser les mots de passe",
                    "--by", "idasilva").exit_code == 0
    accounts = json.loads(home_cli("accounts", "--json").stdout)
    logins = {a["last_name"]: a["login"] for a in accounts if a["profile"] != "eleve"}
    return home_cli, _people(logins)
