"""The deletion breaker's override from the API and the console (issue 16): the same as the
CLI's --allow-mass-leave --reason, refused without its reason, journaled with it."""

from __future__ import annotations

import json
import time
from pathlib import Path

from fastapi.testclient import TestClient

from bascule.synthetic.generate import generate_campaigns
from bascule.web.app import create_app
from tests.cli.test_rollover import _drop_eleves, _plan
from tests.conftest import Cli
from tests.web.test_api import _token


def test_the_override_needs_its_reason_and_journals_it(cli: Cli, tmp_path: Path) -> None:
    (college,) = generate_campaigns(tmp_path / "exports", seed=11, year=2025, size=200)
    assert cli("init", "--uai", college.uai, "--name", "Collège").exit_code == 0
    assert cli("import", college.folders[0]).exit_code == 0
    _plan(cli)
    assert cli("apply", "--yes").exit_code == 0
    truncated = tmp_path / "tronque"
    truncated.mkdir()
    for path in college.folders[0].iterdir():
        (truncated / path.name).write_bytes(path.read_bytes())
    _drop_eleves(truncated / "ExportXML_ElevesSansAdresses.zip", keep=0.85)
    assert cli("import", truncated).exit_code == 0
    _plan(cli)
    principal = next(a["login"] for a in json.loads(cli("accounts", "--json").stdout)
                     if a["profile"] == "direction")
    headers = {"Authorization": "Bearer " + _token(cli, "direction", principal, "plan",
                                                   "lecture")}
    api = TestClient(create_app(cli.home))
    digest = api.get("/api/v1/plan", headers=headers).json()["sha256"]
    assert api.post("/api/v1/plan/approbation", json={"empreinte": digest},
                    headers=headers).status_code == 200
    tripped = api.post("/api/v1/plan/application", json={"empreinte": digest}, headers=headers)
    assert tripped.status_code == 403 and "trop de comptes" in tripped.json()["detail"]
    no_reason = api.post("/api/v1/plan/application", headers=headers,
                         json={"empreinte": digest, "confirmer_departs": True})
    assert no_reason.status_code == 403 and "raison" in no_reason.json()["detail"]
    started = api.post("/api/v1/plan/application", headers=headers, json={
        "empreinte": digest, "confirmer_departs": True, "motif": "fermeture de la SEGPA"})
    assert started.status_code == 202, started.text
    deadline = time.monotonic() + 60
    while (progress := api.get("/api/v1/plan/application", headers=headers).json()
           )["etat"] == "en_cours" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert progress["etat"] == "terminee", progress
    journal = json.loads(cli("audit", "--json", "--action", "mass_leave_confirmed").stdout)
    assert [(e["actor"], e["detail"]["motif"]) for e in journal] == [
        (principal, "fermeture de la SEGPA")]
