"""A plan's field-level differences (old -> new): plan --json's "differences", plan --details,
plan --csv."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.conftest import Cli, Files, apply_campaign, edit

_LEA_STRUCTURES = (
    '<STRUCTURES_ELEVE ELEVE_ID="1000001" ELENOET="2643">\n'
    "        <STRUCTURE><CODE_STRUCTURE>6A</CODE_STRUCTURE><TYPE_STRUCTURE>D</TYPE_STRUCTURE>"
    "</STRUCTURE>\n"
    "        <STRUCTURE><CODE_STRUCTURE>6LV1 ANG</CODE_STRUCTURE>")
_LEA_MOVED = _LEA_STRUCTURES.replace("6A", "5 B/1").replace("6LV1 ANG", "5 Théâtre")


@pytest.fixture
def changed(home_cli: Cli, files: Files) -> Cli:
    """Léa MARTIN, applied in 6A and 6LV1 ANG, renamed MARTIN-ROUX and moved to 5 B/1 and
    5 Théâtre; the school lets logins follow a new name."""
    with (home_cli.home / "bascule.toml").open("a", encoding="utf-8") as config:
        config.write("\n[accounts]\nlogin_follows_name_change = true\n")
    apply_campaign(home_cli, files)
    eleves = files("ElevesSansAdresses.xml")[0]
    edit(eleves, "<NOM_DE_FAMILLE>MARTIN</NOM_DE_FAMILLE>",
         "<NOM_DE_FAMILLE>MARTIN-ROUX</NOM_DE_FAMILLE>")
    edit(eleves, _LEA_STRUCTURES, _LEA_MOVED)
    assert home_cli("import", *files()).exit_code == 0
    return home_cli


def _lea(plan: dict[str, list[dict[str, object]]], kind: str) -> dict[str, object]:
    (action,) = [a for a in plan["actions"] if a["kind"] == kind
                 and str(a["label"]).startswith("MARTIN-ROUX")]
    return action


def test_plan_json_gives_each_update_its_differences_old_and_new(changed: Cli) -> None:
    plan = json.loads(changed("plan", "--json").stdout)
    update, move = _lea(plan, "update"), _lea(plan, "move")
    assert {"field": "last_name", "label": "nom", "old": "MARTIN",
            "new": "MARTIN-ROUX"} in update["differences"]  # type: ignore[operator]
    logins = {d["field"]: (d["old"], d["new"]) for d in update["differences"]  # type: ignore
              if str(d["field"]).startswith("login")}
    assert logins == {"login pnom": ("lmartin", "lmartinroux"),
                      "login p.nom": ("l.martin", "l.martinroux")}
    assert move["differences"] == [  # the groups go on the first account action: the update
        {"field": "division", "label": "division", "old": "6A", "new": "5 B/1"}]
    assert {"field": "groups", "label": "groupes", "old": "6LV1 ANG",
            "new": "5 Théâtre"} in update["differences"]  # type: ignore[operator]
    assert {"field": "last_name", "before": "MARTIN",  # the older key, kept
            "after": "MARTIN-ROUX"} in update["changes"]  # type: ignore[operator]


def test_plan_details_shows_one_line_per_changed_field(changed: Cli) -> None:
    result = changed("plan", "--details")
    assert result.exit_code == 0, result.output
    lines = [" ".join(line.replace("│", " ").split()) for line in result.stdout.splitlines()]
    assert "Différences champ par champ" in result.stdout
    assert any("mettre à jour MARTIN-ROUX Léa lmartinroux 5 B/1 nom MARTIN MARTIN-ROUX" in line
               for line in lines), result.stdout
    assert any("changer de division MARTIN-ROUX Léa lmartinroux 5 B/1 division 6A 5 B/1" in line
               for line in lines), result.stdout


def test_plan_csv_has_french_headers_and_a_line_per_change(changed: Cli) -> None:
    result = changed("plan", "--csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("\ufeffaction;")  # the BOM: Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(result.stdout[1:]), delimiter=";"))
    assert list(rows[0]) == ["action", "profil", "nom", "identifiant",
                             "identifiant EduConnect", "division", "champ", "avant", "après",
                             "clé"]
    mine = {(r["action"], r["champ"], r["avant"], r["après"]) for r in rows
            if r["nom"] == "MARTIN-ROUX Léa"}
    assert ("mettre à jour", "groupes", "6LV1 ANG", "5 Théâtre") in mine
    assert ("changer de division", "division", "6A", "5 B/1") in mine
    assert ("mettre à jour", "identifiant réseau", "lmartin", "lmartinroux") in mine


def test_a_leaver_s_difference_is_their_status(home_cli: Cli, files: Files) -> None:
    apply_campaign(home_cli, files)
    edit(files("ElevesSansAdresses.xml")[0], "<DATE_SORTIE>20/12/2026",
         "<DATE_SORTIE>31/08/2026")
    home_cli("import", *files())
    rows = list(csv.DictReader(io.StringIO(home_cli("plan", "--csv").stdout[1:]),
                               delimiter=";"))
    assert [(r["action"], r["nom"], r["champ"], r["avant"], r["après"]) for r in rows
            if r["action"] == "désactiver"] == [
        ("désactiver", "ÉMERY Timothée", "état", "actif", "désactivé")]
