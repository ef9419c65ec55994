"""The console's Historique: the applied plans newest first, what one changed field by field
(searched), and an apply's undo prepared as the plan waiting — for the direction and the
operators, not the teachers."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from bascule.web.app import create_app
from tests.conftest import ROLLOVER_AT, Cli
from tests.web.test_api import _token
from tests.web.test_console import _client, _csrf, _passwords, _sign_in


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


SAME_DAY = datetime(2026, 9, 10, 14, tzinfo=UTC)  # the apply's; undone before the deletions


def _apply_the_leaver(leaver_plan: Cli) -> None:
    done = leaver_plan("apply", "--yes", "--at", ROLLOVER_AT)
    assert done.exit_code == 0, done.output


def test_the_direction_reads_what_an_apply_changed_and_prepares_its_undo(
        leaver_plan: Cli) -> None:
    _apply_the_leaver(leaver_plan)
    principal = _client(leaver_plan.home, SAME_DAY)
    csrf = _sign_in(principal, "idasilva", _passwords(leaver_plan)["idasilva"])
    listed = _text(principal.get("/historique").text)
    assert "N° Quand Par Quoi Actions" in listed
    assert re.search(r"2 .* campagne 1 compte désactivé", listed), listed
    assert "Préparer l'annulation jusqu'au lundi 14/09/2026" in listed, listed
    changed = _text(principal.get("/historique/2", params={"q": "temery"}).text)
    assert "ÉMERY Timothée (temery) compte état actif désactivé" in changed, changed
    assert "eleve:1000006" not in changed  # the store's keys are not for people to read
    assert principal.get("/historique/99").status_code == 404
    prepared = principal.post("/historique/2/annuler", data={"csrf": csrf},
                              follow_redirects=True)
    assert prepared.url.path == "/plan", _text(prepared.text)[-400:]
    assert "réactiver élève ÉMERY Timothée" in _text(prepared.text), _csrf(prepared.text)
    assert "Ce plan annule l'application n° 2" in html.unescape(_text(prepared.text))
    assert 'name="exclure"' not in prepared.text  # an undo is approved whole


def test_past_the_september_deletions_the_undo_is_refused_and_said_why(
        leaver_plan: Cli) -> None:
    _apply_the_leaver(leaver_plan)
    principal = _client(leaver_plan.home, datetime(2026, 9, 20, tzinfo=UTC))
    csrf = _sign_in(principal, "idasilva", _passwords(leaver_plan)["idasilva"])
    listed = _text(principal.get("/historique").text)
    assert "Délai d'annulation passé (le lundi 14/09/2026" in listed, listed
    assert "Préparer l'annulation</button>" not in principal.get("/historique").text
    refused = principal.post("/historique/2/annuler", data={"csrf": csrf})
    assert refused.status_code == 403
    assert "ne peut plus être annulée : le délai a pris fin le lundi 14/09/2026" in refused.text


def test_a_teacher_has_no_history(leaver_plan: Cli) -> None:
    _apply_the_leaver(leaver_plan)
    teacher = _client(leaver_plan.home)
    csrf = _sign_in(teacher, "cdurand", _passwords(leaver_plan)["cdurand"])
    assert "/historique" not in teacher.get("/mon-compte").text
    assert teacher.get("/historique").status_code == 403
    assert teacher.post("/historique/2/annuler", data={"csrf": csrf}).status_code == 403


def test_a_plan_that_changes_nothing_awaits_no_approval(school: Cli) -> None:
    """Planned again with nothing to do (every night does it): the dashboard, the Plan page
    and the API say there is nothing to approve (newcomer 11: « Approuver ce plan » on an
    empty plan, for every school of the folder, every morning)."""
    assert "Rien à faire" in school("plan", "--at", ROLLOVER_AT).stdout
    principal = _client(school.home, SAME_DAY)
    _sign_in(principal, "idasilva", _passwords(school)["idasilva"])
    assert "Un plan attend" not in _text(principal.get("/").text)
    plan = principal.get("/plan").text
    assert "Rien à approuver" in _text(plan) and "Approuver ce plan" not in plan, _text(plan)
    assert "Personnes retenues" in plan
    api = TestClient(create_app(school.home))
    headers = {"Authorization": "Bearer " + _token(school, "outil", "idasilva", "lecture")}
    assert api.get("/api/v1/plan", headers=headers).json()["pending"] is False
