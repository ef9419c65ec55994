"""End to end: a generated département of two small collèges, one with a real slapd as its
pedagogical server, runs `bascule run` night after night with --at, as the calendar goes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bascule.synthetic.generate import GeneratedCollege, generate_campaigns
from tests.cli.test_rollover import _drop_eleves
from tests.conftest import Cli
from tests.mail.conftest import reach
from tests.servers import slapd
from tests.servers.smtp import SmtpServer
from tests.targets.conftest import admin

SUSPENDED = "2026-08-20T02:30"  # imports suspended since 03/07, the ENT resumes on 24/08
RESUMED = "2026-08-29T02:30"  # after both resumptions (ENT 24/08, pedagogical server 28/08)


@pytest.fixture(scope="module")
def departement(tmp_path_factory: pytest.TempPathFactory) -> list[GeneratedCollege]:
    return generate_campaigns(tmp_path_factory.mktemp("dep"), colleges=2, seed=3, year=2025,
                              size=30)


def drop(cli: Cli, college: GeneratedCollege, folder: Path) -> None:
    depot = cli.home / "depot" / college.uai
    depot.mkdir(parents=True, exist_ok=True)
    for path in folder.iterdir():
        shutil.copy(path, depot / path.name)


def night(cli: Cli, at: str, *extra: str) -> tuple[int, dict[str, dict[str, object]]]:
    result = cli("run", "--at", at, "--jobs", "1", "--json", *extra)
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    return result.exit_code, {school["uai"]: school for school in report["schools"]}


def steps(school: dict[str, object]) -> dict[str, str]:
    return {step["step"]: step["status"] for step in school["steps"]}  # type: ignore[attr-defined]


def journal(cli: Cli) -> list[tuple[str, str]]:
    engine = create_engine(f"sqlite:///{cli.home / 'bascule.sqlite'}")
    with engine.connect() as connection:
        rows = [(row.uai, row.action) for row in connection.execute(
            text("SELECT uai, action FROM journal ORDER BY id"))]
    engine.dispose()
    return rows


def context_csn(server: slapd.Slapd) -> list[bytes]:
    (found,) = admin(server).search_s(slapd.SUFFIX, 0, "(objectClass=*)", ["contextCSN"])
    return list(found[1].get("contextCSN", []))


# The machine's clock is kept with each plan: these are rehearsed nights, as an operator's
# would be (`run --at`), and the plan one held is applied by a later one once approved.
@pytest.mark.machine_clock
def test_nights_follow_the_calendar_hold_and_resume(
        cli: Cli, departement: list[GeneratedCollege], slapd_server: slapd.Slapd,
        smtp_server: SmtpServer) -> None:
    first, second = departement
    for college in departement:
        assert cli("init", "--uai", college.uai, "--name", college.name).exit_code == 0
        drop(cli, college, college.folders[0])
    reach(cli.home, smtp_server, schools={second.uai: {"direction": ["direction@b.test"]}})
    secret = cli.home / "peda.secret"  # the first school's pedagogical server
    secret.write_text(slapd.ADMIN_PASSWORD + "\n")
    assert cli("target", "add", "peda", "--kind", "openldap", "--url", slapd_server.url,
               "--base-dn", slapd.SUFFIX, "--bind-dn", slapd.ADMIN_DN, "--password-file",
               secret, "--uai", first.uai).exit_code == 0

    # Before the resumption: nothing imported, the report says until when.
    code, schools = night(cli, SUSPENDED)
    assert code == 0
    for college in departement:
        school = schools[college.uai]
        assert school["outcome"] == "skipped"
        assert "reprennent le lundi 24/08/2026" in str(school["reason"])
        assert any((cli.home / "depot" / college.uai).glob("*.zip"))
    assert not [row for row in journal(cli) if row[1] == "import"]
    (digest,) = smtp_server.messages  # the operators' digest says why
    assert digest.recipients == ("dsi@cd86.test",)
    assert "24/08/2026" in digest.part("plain")

    # The first night after it, killed right after the first school's apply (a crash).
    killed = subprocess.run(
        [sys.executable, "-m", "bascule.cli.app", "--home", str(cli.home), "run", "--at",
         RESUMED, "--jobs", "1"], env={**os.environ, "BASCULE_TEST_KILL_AFTER_STEP":
                                       f"{first.uai}:apply"}, capture_output=True, check=False)
    assert killed.returncode == -9, killed.stderr.decode()
    done = journal(cli)
    assert done.count((first.uai, "import")) == 1 and (first.uai, "create") in done
    assert (first.uai, "sync") not in done and (second.uai, "create") not in done
    assert (second.uai, "import") in done  # every import of the night before any plan

    # The next run finishes that school's steps without repeating them, and does the other.
    code, schools = night(cli, RESUMED)
    assert code == 0, schools
    assert steps(schools[first.uai])["import"] == "unchanged"
    assert steps(schools[first.uai])["apply"] == "unchanged"
    assert steps(schools[first.uai])["sync"] == "done"
    assert steps(schools[second.uai])["apply"] == "done"
    after = journal(cli)
    assert after.count((first.uai, "import")) == 1
    assert after.count((first.uai, "create")) == done.count((first.uai, "create"))
    assert list((cli.home / "depot" / first.uai / "traites").iterdir())

    # An unchanged night writes nothing anywhere (here through the pool of processes).
    csn, rows = context_csn(slapd_server), journal(cli)
    result = cli("run", "--at", "2026-08-30T02:30", "--jobs", "2", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {school["outcome"] for school in report["schools"]} == {"unchanged"}
    assert context_csn(slapd_server) == csn and journal(cli) == rows

    # A truncated export for one school: held, nothing of it changes; the other applied.
    drop(cli, first, first.folders[1])
    drop(cli, second, second.folders[1])
    depot = cli.home / "depot" / second.uai
    _drop_eleves(depot / "ExportXML_ElevesSansAdresses.zip", keep=0.3)  # a lost page
    before = journal(cli)
    code, schools = night(cli, "2026-09-16T02:30")
    assert code == 1
    assert schools[first.uai]["outcome"] == "applied", schools[first.uai]
    held = schools[second.uai]
    assert held["outcome"] == "held" and held["held"]["reasons"]  # type: ignore[index]
    assert "hors départs attendus" in " ".join(held["held"]["reasons"])  # type: ignore[index]
    assert steps(held)["sync"] == "skipped"
    assert any(m.recipients == ("direction@b.test",) for m in smtp_server.messages)
    changed = {row[1] for row in journal(cli)[len(before):] if row[0] == second.uai}
    assert changed == {"import", "plan_retenu"}, changed  # nothing applied, synced, created

    # Still held the next night, until an operator approves it with a reason (journaled).
    code, schools = night(cli, "2026-09-17T02:30")
    assert code == 1 and schools[second.uai]["outcome"] == "held"
    refused = cli("approve", second.uai)
    assert refused.exit_code == 2
    approved = cli("approve", second.uai, "--reason", "départs vérifiés avec le secrétariat")
    assert approved.exit_code == 0, approved.output
    assert (second.uai, "approbation") in journal(cli)
    code, schools = night(cli, "2026-09-18T02:30")
    assert code == 0, schools
    assert steps(schools[second.uai])["apply"] == "done"
    assert (second.uai, "disable") in journal(cli)

    # The night's files: JSON, HTML and the Prometheus textfile.
    reports = cli.home / "rapports" / "nuits"
    assert list(reports.glob("nuit-*.html")) and list(reports.glob("nuit-*.json"))
    metrics = (reports / "bascule.prom").read_text()
    assert f'bascule_school_held_plan{{uai="{second.uai}"}} 0' in metrics
    assert f'bascule_school_last_success_timestamp_seconds{{uai="{first.uai}"}}' in metrics
