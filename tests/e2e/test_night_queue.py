"""End to end (issue 21's "Done when"): a night of a small generated département on a real
PostgreSQL store, worked by two `bascule worker` processes, one of them killed (SIGKILL) in the
middle of a school; the store ends identical to a single-process night, every school done once,
nothing duplicated."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import ProgrammingError

from bascule.synthetic.generate import GeneratedCollege, generate_campaigns
from tests.conftest import Cli
from tests.e2e.conftest import UseStore
from tests.servers import free_port, slapd
from tests.servers.postgres import new_database

RESUMED = "2026-08-29T02:30"  # after both resumptions: every step runs
QUEUE_SETTINGS = """
[backup]
before_apply = false

[queue]
heartbeat_seconds = 1
backoff_seconds = 1
"""
# What the night leaves in the store, without ids, hashes or clocks: equal multisets of rows
# mean the same effects, none done twice.
COMPARED = {
    "person": "SELECT uai, key, kind, profile, last_name, first_name, birth_date FROM person",
    "account": "SELECT p.uai, p.key, a.status, a.must_change_password, a.password_origin "
               "FROM account a JOIN person p ON p.id = a.person_id",
    # EduConnect ids are the folder's: which school's homonym takes the bare form depends on
    # which school applies first (README « Logins and homonyms »); compared as held, and checked
    # unique in the folder apart (_educonnect_ids).
    "login": "SELECT l.uai, l.namespace, CASE WHEN l.namespace = 'p.nom' THEN 'p.nom' "
             "ELSE l.login END, p.key FROM login l JOIN person p ON p.id = l.person_id",
    "fact": "SELECT uai, school_year, kind, subject, target, detail FROM fact",
    "journal": "SELECT uai, actor, action, subject FROM journal",
    "night_step": "SELECT uai, step, signature FROM night_step",
}


@pytest.fixture(scope="module")
def departement(tmp_path_factory: pytest.TempPathFactory) -> list[GeneratedCollege]:
    return generate_campaigns(tmp_path_factory.mktemp("dep"), colleges=3, seed=21, year=2025,
                              size=15)


def _folder(cli: Cli, departement: list[GeneratedCollege], url: str, use_store: UseStore
            ) -> None:
    for college in departement:
        assert cli("init", "--uai", college.uai, "--name", college.name).exit_code == 0
        depot = cli.home / "depot" / college.uai
        depot.mkdir(parents=True)
        for path in college.folders[0].iterdir():
            shutil.copy(path, depot / path.name)
    use_store(cli.home, url)
    with (cli.home / "bascule.toml").open("a", encoding="utf-8") as config:
        config.write(QUEUE_SETTINGS)


def _bascule(home: Path, *args: str, **popen: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "bascule.cli.app", "--home", str(home),
                             *args], **popen)  # type: ignore[call-overload, no-any-return]


@pytest.fixture
def workers() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


def _rows(url: str, home: Path) -> dict[str, list[tuple[object, ...]]]:
    """The compared rows, the folder's own path made neutral (the spaces' paths hold it)."""
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = {name: sorted((tuple(str(v).replace(str(home), "~") for v in row)
                              for row in connection.execute(text(query))), key=repr)
                for name, query in COMPARED.items()}
    engine.dispose()
    return rows


def _educonnect_ids(url: str) -> list[str]:
    """The EduConnect ids held in the whole folder."""
    engine = create_engine(url)
    with engine.connect() as connection:
        ids = list(connection.execute(text(
            "SELECT login FROM login WHERE namespace = 'p.nom' AND freed_at IS NULL")).scalars())
    engine.dispose()
    return ids


def _running_on(url: str, pid: int) -> str | None:
    """The school worker `pid` is at, once it has recorded its plan: in the middle of the
    school's second job (its first, the import, ends as soon as the import is recorded)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            row = connection.execute(text(
                "SELECT uai FROM night_job WHERE state = 'running' AND worker LIKE :worker "
                "AND steps LIKE '%\"plan\"%'"), {"worker": f"%:{pid}"}).first()
    except ProgrammingError:  # the store's tables not made yet
        return None
    finally:
        engine.dispose()
    return None if row is None else str(row.uai)


def _wait_for(check: object, seconds: float) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()  # type: ignore[operator]
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("attendu en vain")


def _why(stdout: bytes, stderr: bytes) -> object:
    """What the night said of each school, short enough for pytest to show it whole."""
    try:
        schools = json.loads(stdout)["schools"]
    except (ValueError, KeyError):
        return stdout.decode()[-2000:], stderr.decode()[-2000:]
    return [(s["uai"], s["outcome"], s["reason"],
             [(step["step"], step["status"], step["reason"]) for step in s["steps"]
              if step["status"] not in ("done", "unchanged")]) for s in schools]


def test_two_workers_one_killed_end_as_one_process(
        cli: Cli, tmp_path: Path, departement: list[GeneratedCollege], postgres_server: str,
        use_store: UseStore, workers: list[subprocess.Popen[bytes]]) -> None:
    single = Cli(home=tmp_path / "seul", runner=cli.runner)
    single_url, queued_url = new_database(postgres_server), new_database(postgres_server)
    _folder(single, departement, single_url, use_store)
    _folder(cli, departement, queued_url, use_store)

    # The reference: the same night in one process (--in-process keeps PostgreSQL off the queue).
    alone = single("run", "--at", RESUMED, "--in-process", "--jobs", "1", "--json")
    assert alone.exit_code == 0, alone.output
    expected = {s["uai"]: s["outcome"] for s in json.loads(alone.stdout)["schools"]}
    assert set(expected.values()) == {"applied"}

    # The night on workers: the first one is killed once it has planned a school.
    nothing = cli("run", "--status", "--json")  # also brings the new store's schema up
    assert json.loads(nothing.stdout) == {"run": None, "schools": [], "counts": {}}
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    workers.append(_bascule(cli.home, "worker", **quiet))
    night = _bascule(cli.home, "run", "--at", RESUMED, "--json", stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE)
    workers.append(night)  # stopped at the end whatever happens
    killed_at = _wait_for(lambda: _running_on(queued_url, workers[0].pid), 60)
    os.kill(workers[0].pid, signal.SIGKILL)
    workers.append(_bascule(cli.home, "worker", "--concurrency", "2", **quiet))
    stdout, stderr = night.communicate(timeout=90)
    assert night.returncode == 0, _why(stdout, stderr)

    report = json.loads(stdout)
    assert {s["uai"]: s["outcome"] for s in report["schools"]} == expected
    resumed = next(s for s in report["schools"] if s["uai"] == killed_at)
    assert {step["step"]: step["status"] for step in resumed["steps"]}["import"] == "done"
    assert _rows(queued_url, cli.home) == _rows(single_url, single.home)
    ids = _educonnect_ids(queued_url)
    assert len(ids) == len(set(ids)) == len(_educonnect_ids(single_url))

    status = cli("run", "--status", "--json")
    assert status.exit_code == 0, status.output
    schools = {s["uai"]: s for s in json.loads(status.stdout)["schools"]}
    assert {s["state"] for s in schools.values()} == {"done"}
    assert schools[killed_at]["attempts"] == 2
    assert str(workers[2].pid) in schools[killed_at]["worker"]


def test_a_target_down_is_tried_again_then_reported_failed_without_waiting(
        cli: Cli, departement: list[GeneratedCollege], postgres_url: str,
        use_store: UseStore, workers: list[subprocess.Popen[bytes]]) -> None:
    college = departement[0]
    _folder(cli, [college], postgres_url, use_store)
    with (cli.home / "bascule.toml").open("a", encoding="utf-8") as config:
        config.write("max_attempts = 2\n")  # in [queue], the last table written
    secret = cli.home / "peda.secret"
    secret.write_text("secret\n")
    assert cli("target", "add", "peda", "--kind", "openldap", "--url",
               f"ldap://127.0.0.1:{free_port()}", "--base-dn", slapd.SUFFIX, "--bind-dn",
               slapd.ADMIN_DN, "--password-file", secret, "--uai", college.uai).exit_code == 0

    handed = cli("run", "--at", RESUMED, "--no-wait")
    assert handed.exit_code == 0, handed.output
    assert "Nuit confiée aux travailleurs : 1 établissement(s)" in handed.stdout
    assert cli("run", "--at", RESUMED, "--no-wait").exit_code == 1  # one night at a time
    workers.append(_bascule(cli.home, "worker", stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL))

    def finished() -> dict[str, object] | None:
        status = json.loads(cli("run", "--status", "--json").stdout)
        return status if status["finished_at"] else None

    status = _wait_for(finished, 90)
    (school,) = status["schools"]  # type: ignore[index]
    assert (school["state"], school["attempts"]) == ("failed", 2)
    assert "sync" in school["reason"] and "(en 2 essais)" in school["reason"]
    (written,) = (cli.home / "rapports" / "nuits").glob("nuit-*.json")  # by the worker
    (night,) = json.loads(written.read_text(encoding="utf-8"))["schools"]
    assert night["outcome"] == "failed"
    steps = {step["step"]: step["status"] for step in night["steps"]}
    assert steps["import"] == "done" and steps["sync"] == "failed"  # import done once
    shown = cli("run", "--status")
    assert "en échec" in shown.stdout and college.uai in shown.stdout


def test_the_queue_schema_is_the_store_migration_s_on_postgresql_only(
        postgres_url: str, tmp_path: Path) -> None:
    from bascule.store.engine import open_store
    from bascule.store.task_queue import apply_queue_schema, has_queue_schema

    with open_store(postgres_url).begin() as connection:
        assert has_queue_schema(connection)
        apply_queue_schema(connection)  # again: nothing changes, nothing fails
    sqlite = create_engine(f"sqlite:///{tmp_path / 'store.sqlite'}")
    open_store(str(sqlite.url))
    with sqlite.connect() as connection:
        names = {row[0] for row in connection.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'table'"))}
    sqlite.dispose()
    assert "night_job" in names and not any(name.startswith("procrastinate") for name in names)


def test_a_job_that_fails_on_its_own_still_ends_a_night_nobody_waits_for(
        cli: Cli, departement: list[GeneratedCollege], postgres_url: str,
        use_store: UseStore, monkeypatch: pytest.MonkeyPatch) -> None:
    from bascule.cli.common import moment
    from bascule.operations.night import queue
    from bascule.operations.night.run import NightOptions
    from bascule.settings import load_settings

    college = departement[0]
    _folder(cli, [college], postgres_url, use_store)
    settings = load_settings(cli.home)
    run_id = queue.enqueue_night(settings, [college.uai], now=moment(RESUMED),
                                 options=NightOptions(), waited=False)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("panne")
    monkeypatch.setattr(queue, "_work_locked", broken)
    with pytest.raises(RuntimeError):
        queue.work_school(settings, run_id, college.uai, attempt=0, worker="essai")
    status = json.loads(cli("run", "--status", "--json").stdout)
    assert status["finished_at"] and status["schools"][0]["state"] == "failed"
    assert "RuntimeError : panne" in status["schools"][0]["reason"]
    assert list((cli.home / "rapports" / "nuits").glob("nuit-*.json"))  # the report, written


def test_a_night_the_queue_could_not_take_does_not_block_the_next(
        cli: Cli, departement: list[GeneratedCollege], postgres_url: str,
        use_store: UseStore, monkeypatch: pytest.MonkeyPatch) -> None:
    from bascule.cli.common import moment
    from bascule.operations.night import queue
    from bascule.operations.night.run import NightOptions
    from bascule.settings import load_settings

    _folder(cli, departement[:2], postgres_url, use_store)
    settings = load_settings(cli.home)
    uais = [college.uai for college in departement[:2]]

    def half_handed(_settings: object, _run_id: str, _uais: list[str],
                    handed: list[str]) -> None:
        handed.append(uais[0])
        raise ConnectionError("file injoignable")
    monkeypatch.setattr(queue, "_defer", half_handed)
    with pytest.raises(ConnectionError):
        queue.enqueue_night(settings, uais, now=moment(RESUMED), options=NightOptions(),
                            waited=True)
    status = json.loads(cli("run", "--status", "--json").stdout)
    states = {school["uai"]: school["state"] for school in status["schools"]}
    assert states[uais[1]] == "failed" and states[uais[0]] != "failed"
    queue.give_up(settings, status["run"], uais[0], "essai")  # its worker's end
    assert json.loads(cli("run", "--status", "--json").stdout)["finished_at"]
    monkeypatch.undo()
    assert cli("run", "--at", RESUMED, "--no-wait").exit_code == 0  # not blocked


def test_on_workers_every_import_is_done_before_any_plan(
        cli: Cli, tmp_path: Path, postgres_url: str, use_store: UseStore,
        workers: list[subprocess.Popen[bytes]]) -> None:
    """NEW-1 (newcomer 9b) on the queue: one worker taking A's job first ran A's whole night
    before B's import, and A took B's pupil whom B's export of the night lists too. Two jobs
    a school, every import before any plan: A holds him, B keeps him."""
    from tests.cli.test_folder_logins import _roll, _run
    from tests.cli.test_identity_cases import CASES
    from tests.night.test_night_order import A, B, _a_listing_malo, _drop, _malo

    _run(cli, "init", "--uai", A, "--name", "Collège A")
    _run(cli, "init", "--uai", B, "--name", "Collège B")
    use_store(cli.home, postgres_url)
    with (cli.home / "bascule.toml").open("a", encoding="utf-8") as config:
        config.write(QUEUE_SETTINGS)
    _roll(cli, A, CASES / "moved" / "A-2025", "2025-09-01")
    _roll(cli, B, CASES / "moved" / "B-2025", "2025-09-01")
    _drop(cli, A, _a_listing_malo(tmp_path))
    _drop(cli, B, CASES / "moved" / "B-2026")
    workers.append(_bascule(cli.home, "worker", stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL))
    night = _bascule(cli.home, "run", "--at", "2026-09-03T02:30", "--json",
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    workers.append(night)
    stdout, stderr = night.communicate(timeout=120)
    assert night.returncode in (0, 1), _why(stdout, stderr)
    schools = {s["uai"]: s for s in json.loads(stdout)["schools"]}
    assert {uai: s["outcome"] for uai, s in schools.items()} == {
        A: "applied", B: "applied"}, _why(stdout, stderr)
    assert _malo(cli, B) == [("mrenard", "active")]
    assert _malo(cli, A) == []
    assert "RENARD Malo" in " ".join(schools[A]["people_waiting"]["held"])
    status = json.loads(cli("run", "--status", "--json").stdout)
    assert {(s["state"], s["attempts"]) for s in status["schools"]} == {("done", 1)}
