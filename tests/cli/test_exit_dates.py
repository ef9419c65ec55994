"""A DATE_SORTIE still to come is kept; once it passes, `plan` disables the account and
`access check` refuses it, without waiting for the next export."""

from __future__ import annotations

import json

from tests.conftest import Cli, Files, apply_campaign

# Timothée ÉMERY (ELEVE_ID 1000006, 6A) leaves on 20/12/2026, after the September export.
BEFORE, AFTER = "2026-12-19T10:00", "2026-12-21T10:00"


def _timothee(cli: Cli) -> dict[str, object]:
    rows = json.loads(cli("accounts", "--json").stdout)
    return next(row for row in rows if row["last_name"] == "ÉMERY")


def test_an_exit_date_to_come_is_kept_and_the_account_active_until_then(
    home_cli: Cli, files: Files,
) -> None:
    apply_campaign(home_cli, files)
    timothee = _timothee(home_cli)
    assert (timothee["status"], timothee["exit_date"]) == ("active", "2026-12-20")
    assert "compte actif" in home_cli("access", "check", "temery", "--at", BEFORE).stdout
    plan = json.loads(home_cli("plan", "--json", "--at", BEFORE).stdout)
    assert plan["actions"] == []


def test_once_the_exit_date_has_passed_access_is_refused_and_the_plan_disables(
    home_cli: Cli, files: Files,
) -> None:
    apply_campaign(home_cli, files)
    refused = home_cli("access", "check", "temery", "--at", AFTER)
    assert "sorti·e de l'établissement le 20/12/2026" in refused.output
    plan = json.loads(home_cli("plan", "--json", "--at", AFTER).stdout)
    account_actions = [(a["kind"], a["label"]) for a in plan["actions"] if not a.get("fact")]
    assert account_actions == [("disable", "ÉMERY Timothée")]
    assert home_cli("apply", "--yes", "--at", AFTER).exit_code == 0
    assert _timothee(home_cli)["status"] == "disabled"
