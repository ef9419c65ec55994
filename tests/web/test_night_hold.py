"""A plan the night holds is shown on the console's Plan page with why; the direction approves
it there, and the next night applies that very plan."""

from __future__ import annotations

import json
import re
import shutil

from fastapi.testclient import TestClient

from bascule.web.app import create_app
from tests.conftest import UAI, Cli, Files, edit
from tests.web.test_api import _token
from tests.web.test_console import _client, _csrf, _passwords, _sign_in


def _any_departure_held(school: Cli) -> None:
    """Thresholds at zero: a night holds any plan that disables an account."""
    config = school.home / "bascule.toml"
    config.write_text(config.read_text() + "\n[thresholds.disable]\npercent = 0\ncount = 0\n")


def _drop(school: Cli, files: Files) -> None:
    """The exports in the school's drop folder, for the next night."""
    depot = school.home / "depot" / UAI
    depot.mkdir(parents=True)
    for path in files():
        shutil.copy(path, depot / path.name)


def test_the_direction_approves_a_held_plan_on_the_console(school: Cli, files: Files) -> None:
    _any_departure_held(school)
    edit(files("ElevesSansAdresses.xml")[0], "<DATE_SORTIE>20/12/2026",
         "<DATE_SORTIE>31/08/2026")
    _drop(school, files)
    held = school("run", "--at", "2026-09-11T02:30", "--jobs", "1")
    assert held.exit_code == 1, held.output
    assert "plan retenu, rien ne change avant son approbation" in held.output

    api = TestClient(create_app(school.home))
    headers = {"Authorization": "Bearer " + _token(school, "outil", "idasilva", "plan",
                                                   "lecture")}
    state = api.get("/api/v1/plan", headers=headers).json()
    assert state["retenu"] and "hors départs attendus" in state["motifs_retenue"][0]
    refused = api.post("/api/v1/plan/approbation", json={"empreinte": state["sha256"]},
                       headers=headers)
    assert refused.status_code == 403 and "motif" in refused.json()["detail"]

    principal = _client(school.home)
    csrf = _sign_in(principal, "idasilva", _passwords(school)["idasilva"])
    page = principal.get("/plan").text
    assert "Plan retenu par la nuit" in page
    assert "désactivés hors départs attendus" in page
    full = page.split('name="empreinte" value="')[1].split('"')[0]
    assert re.search(r'name="motif" [^>]*required', page)  # the form asks for the reason
    unexplained = principal.post("/plan/approuver", data={"empreinte": full, "csrf": csrf})
    assert unexplained.status_code == 400 and 'id="motif-erreur"' in unexplained.text
    assert "motif" in unexplained.text and "Approuvé par" not in principal.get("/plan").text
    approved = principal.post("/plan/approuver", follow_redirects=True, data={
        "empreinte": full, "csrf": csrf, "motif": "export vérifié avec le secrétariat"})
    assert "Approuvé par idasilva" in approved.text, _csrf(approved.text)
    assert "export vérifié avec le secrétariat" in school("audit", "--json").stdout

    applied = school("run", "--at", "2026-09-12T02:30", "--jobs", "1", "--json")
    assert applied.exit_code == 0, applied.output
    (night,) = json.loads(applied.stdout)["schools"]
    apply_step = next(step for step in night["steps"] if step["step"] == "apply")
    assert apply_step["reason"] == "plan retenu approuvé par idasilva, appliqué"
    accounts = {a["login"]: a["status"] for a in json.loads(school("accounts", "--json").stdout)}
    assert accounts["temery"] == "disabled"


def test_a_held_plan_approved_less_one_person_is_applied_by_the_next_night(
        school: Cli, files: Files) -> None:
    """Approved with an exclusion, the plan approved is the one computed again without that
    person: the next night applies it, and the person excluded stays as they were. The night
    used to let its hold go, compute the plan again and hold it again, night after night
    (newcomer 11)."""
    _any_departure_held(school)
    eleves = files("ElevesSansAdresses.xml")[0]
    edit(eleves, "<DATE_SORTIE>20/12/2026", "<DATE_SORTIE>31/08/2026")
    edit(eleves, "<ID_NATIONAL>4444444444F</ID_NATIONAL>", "<ID_NATIONAL>4444444444F"
         "</ID_NATIONAL><DATE_SORTIE>31/08/2026</DATE_SORTIE>")  # MARTIN Lïa, lmartin2
    _drop(school, files)
    assert school("run", "--at", "2026-09-11T02:30", "--jobs", "1").exit_code == 1
    before = {a["login"]: a["status"] for a in json.loads(school("accounts", "--json").stdout)}
    approved = school("approve-plan", "--exclude", "temery", "--reason", "départ contesté",
                      "--by", "idasilva", "--at", "2026-09-11T09:00")
    assert approved.exit_code == 0, approved.output

    applied = school("run", "--at", "2026-09-12T02:30", "--jobs", "1", "--json")
    assert applied.exit_code == 0, applied.output
    (night,) = json.loads(applied.stdout)["schools"]
    apply_step = next(step for step in night["steps"] if step["step"] == "apply")
    assert apply_step["reason"] == "plan retenu approuvé par idasilva, appliqué", night
    after = {a["login"]: a["status"] for a in json.loads(school("accounts", "--json").stdout)}
    assert (before["temery"], before["lmartin2"]) == ("active", "active")
    assert (after["temery"], after["lmartin2"]) == ("active", "disabled")


def test_a_held_plan_read_again_with_plan_is_still_the_one_the_next_night_applies(
        school: Cli, files: Files) -> None:
    """`bascule plan` computes the held plan again to read it: the night's hold moves to the
    new plan, still over the thresholds; approved, the next night applies it (newcomer 11b:
    the hold was let go, and the next night held a new plan, the approval lost)."""
    _any_departure_held(school)
    edit(files("ElevesSansAdresses.xml")[0], "<DATE_SORTIE>20/12/2026",
         "<DATE_SORTIE>31/08/2026")
    _drop(school, files)
    assert school("run", "--at", "2026-09-11T02:30", "--jobs", "1").exit_code == 1
    assert school("plan", "--at", "2026-09-11T09:00").exit_code == 0
    principal = _client(school.home)
    _sign_in(principal, "idasilva", _passwords(school)["idasilva"])
    assert "Plan retenu par la nuit" in principal.get("/plan").text
    approved = school("approve", UAI, "--reason", "départ vérifié", "--at", "2026-09-11T09:05")
    assert approved.exit_code == 0, approved.output

    applied = school("run", "--at", "2026-09-12T02:30", "--jobs", "1", "--json")
    assert applied.exit_code == 0, applied.output
    (night,) = json.loads(applied.stdout)["schools"]
    apply_step = next(step for step in night["steps"] if step["step"] == "apply")
    assert apply_step["reason"].startswith("plan retenu approuvé par "), night
    accounts = {a["login"]: a["status"] for a in json.loads(school("accounts", "--json").stdout)}
    assert accounts["temery"] == "disabled"
