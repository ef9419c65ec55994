"""Backups before every apply, `backup list|restore`, and `history`."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bascule.operations.locks import console_running, night_lock, school_lock
from bascule.synthetic.generate import GeneratedCollege, generate_campaigns
from tests.cli.test_breaker import _truncated
from tests.cli.test_rollover import _plan
from tests.conftest import Cli

AT = "2025-09-10T10:00"
LATER = "2025-09-12T10:00"


@pytest.fixture
def college(tmp_path: Path) -> GeneratedCollege:
    (made,) = generate_campaigns(tmp_path / "exports", seed=5, year=2025, size=60)
    return made


@pytest.fixture
def applied(cli: Cli, college: GeneratedCollege) -> Cli:
    cli("init", "--uai", college.uai, "--name", "Collège")
    assert cli("import", college.folders[0]).exit_code == 0
    _plan(cli, "--at", AT)
    done = cli("apply", "--yes", "--at", AT)
    assert done.exit_code == 0, done.output
    assert "Application n° 1" in done.stdout
    return cli


def store_content(home: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every account, login, membership and delegation, as the store holds them."""
    engine = create_engine(f"sqlite:///{home / 'bascule.sqlite'}")
    queries = {
        "accounts": "SELECT p.key, p.profile, p.last_name, p.first_name, p.birth_date, "
                    "a.status, a.status_since, a.password_hash FROM person p "
                    "JOIN account a ON a.person_id = p.id ORDER BY p.key",
        "logins": "SELECT l.namespace, l.login, p.key, l.issued_at, l.freed_at FROM login l "
                  "JOIN person p ON p.id = l.person_id ORDER BY l.namespace, l.login",
        "facts": "SELECT school_year, kind, subject, target, detail FROM fact "
                 "ORDER BY school_year, kind, subject, target, detail",
        "delegations": "SELECT person_id, name, revoked_at FROM delegation ORDER BY id",
    }
    with engine.connect() as connection:
        content = {name: [tuple(row) for row in connection.execute(text(query))]
                   for name, query in queries.items()}
    engine.dispose()
    return content


def test_history_lists_each_apply_with_who_and_its_counts(applied: Cli) -> None:
    listed = json.loads(applied("history", "--json").stdout)
    assert [entry["id"] for entry in listed] == [1]
    (entry,) = listed
    assert entry["purpose"] == "campaign" and entry["actor"].startswith("cli:")
    assert entry["counts"]["create"] > 50 and entry["backup"]
    shown = applied("history")
    assert "campagne" in shown.stdout and "comptes créés" in shown.stdout


def test_an_apply_is_preceded_by_a_backup_that_restores_the_store(
        applied: Cli, college: GeneratedCollege, tmp_path: Path) -> None:
    before = store_content(applied.home)
    assert applied("import", _truncated(college, tmp_path / "t", keep=0.5)).exit_code == 0
    _plan(applied, "--at", LATER)
    done = applied("apply", "--yes", "--allow-mass-leave", "--reason", "erreur", "--at", LATER)
    assert done.exit_code == 0, done.output
    assert store_content(applied.home) != before
    second = json.loads(applied("history", "--json").stdout)[0]
    listed = applied("backup", "list")
    assert second["backup"] in listed.stdout and "avant l'application" in listed.stdout
    backup_file = applied.home / "sauvegardes" / f"{second['backup']}.sqlite"
    assert backup_file.stat().st_mode & 0o077 == 0
    unconfirmed = applied("backup", "restore", second["backup"])
    assert unconfirmed.exit_code == 1 and "--yes" in unconfirmed.stderr
    restored = applied("backup", "restore", second["backup"], "--yes")
    assert restored.exit_code == 0, restored.output
    assert store_content(applied.home) == before
    journal = json.loads(applied("audit", "--json", "--action", "restauration").stdout)
    assert [entry["subject"] for entry in journal] == [second["backup"]]


def test_a_restore_is_refused_while_a_console_or_an_apply_holds_the_store(
        applied: Cli, college: GeneratedCollege) -> None:
    backup = json.loads(applied("history", "--json").stdout)[0]["backup"]
    with console_running(applied.home):
        refused = applied("backup", "restore", backup, "--yes")
    assert refused.exit_code == 1 and "console" in refused.stderr
    with school_lock(applied.home, college.uai, "application du plan par test"):
        busy = applied("backup", "restore", backup, "--yes")
    assert busy.exit_code == 1 and "application du plan par test" in busy.stderr
    with night_lock(applied.home):
        night = applied("backup", "restore", backup, "--yes")
    assert night.exit_code == 1 and "Une autre nuit tourne déjà" in night.stderr
    assert applied("backup", "restore", "inconnue", "--yes").exit_code == 1


def test_a_backups_identifier_is_never_cut_on_an_80_column_terminal(
        applied: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    from bascule.cli.common import out

    monkeypatch.setattr(out, "width", 80)
    backup = json.loads(applied("history", "--json").stdout)[0]["backup"]
    assert backup in applied("backup", "list").stdout
    assert backup in applied("history").stdout


def check_a_backup_copied_after_the_apply_wrote_holds_none_of_it(
        cli: Cli, copy_name: str, monkeypatch: pytest.MonkeyPatch, at: str = AT) -> str:
    """The backup is copied while the apply writes, and the apply commits only once it is
    made: a copy that starts only after every row of the apply is written (not committed)
    still holds the store as the apply found it. `cli`: imported and planned (for `at`, when
    it applies). The backup's id."""
    from bascule.store import apply as store_apply
    from bascule.store import backups as store_backups

    written = threading.Event()
    copy, record = getattr(store_backups, copy_name), store_apply.record_changes

    def late_copy(source: object, destination: Path) -> None:
        assert written.wait(60)
        copy(source, destination)

    def recorded(*args: object, **kwargs: object) -> object:
        done = record(*args, **kwargs)  # type: ignore[arg-type]
        written.set()
        return done

    monkeypatch.setattr(store_backups, copy_name, late_copy)
    monkeypatch.setattr(store_apply, "record_changes", recorded)
    done = cli("apply", "--yes", "--at", at)
    assert done.exit_code == 0, done.output
    monkeypatch.undo()
    assert json.loads(cli("accounts", "--json").stdout)
    (applied,) = json.loads(cli("history", "--json").stdout)
    restored = cli("backup", "restore", applied["backup"], "--yes")
    assert restored.exit_code == 0, restored.output
    assert json.loads(cli("accounts", "--json").stdout) == []
    assert json.loads(cli("history", "--json").stdout) == []
    return str(applied["backup"])


def test_a_backup_copied_after_the_apply_wrote_holds_none_of_it(
        cli: Cli, college: GeneratedCollege, monkeypatch: pytest.MonkeyPatch) -> None:
    cli("init", "--uai", college.uai, "--name", "Collège")
    assert cli("import", college.folders[0]).exit_code == 0
    _plan(cli, "--at", AT)
    check_a_backup_copied_after_the_apply_wrote_holds_none_of_it(cli, "_sqlite_copy",
                                                                 monkeypatch)


def test_an_apply_whose_backup_fails_writes_nothing(
        cli: Cli, college: GeneratedCollege, monkeypatch: pytest.MonkeyPatch) -> None:
    from bascule.store import backups as store_backups

    def full(_source: object, _destination: Path) -> None:
        raise OSError("disque plein")

    cli("init", "--uai", college.uai, "--name", "Collège")
    assert cli("import", college.folders[0]).exit_code == 0
    _plan(cli, "--at", AT)
    monkeypatch.setattr(store_backups, "_sqlite_copy", full)
    failed = cli("apply", "--yes", "--at", AT)
    assert failed.exit_code != 0 and "disque plein" in failed.output
    said = " ".join(failed.stderr.split())
    assert failed.exit_code == 1 and "Erreur interne" not in said, said
    assert "Sauvegarde impossible dans" in said and "Libérez de la place" in said
    assert json.loads(cli("accounts", "--json").stdout) == []
    assert not list((cli.home / "sauvegardes").iterdir())  # no partial copy left
    monkeypatch.undo()
    assert cli("apply", "--yes", "--at", AT).exit_code == 0


def test_a_restore_leaves_the_operators_as_they_are_now(applied: Cli) -> None:
    """The operators are the département's team, not a school's state: one removed after the
    backup does not come back with it, one added since stays, a password changed since holds."""
    from tests.web.test_operators_web import add_operator

    add_operator(applied, "ancien")
    backup = json.loads(applied("history", "--json").stdout)[0]["backup"]
    add_operator(applied, "ancien2")
    assert applied("operator", "remove", "ancien").exit_code == 0
    before = json.loads(applied("operator", "list", "--json").stdout)
    restored = applied("backup", "restore", backup, "--yes")
    assert restored.exit_code == 0, restored.output
    assert json.loads(applied("operator", "list", "--json").stdout) == before
    add_operator(applied, "nouveau")  # the ids go on after the kept ones


SOON = "2025-09-10T15:00"  # within [backup] reuse_hours (24) of AT


def _second_apply(cli: Cli, college: GeneratedCollege, folder: Path, at: str) -> list[str]:
    """Another apply of the school at `at` (a few élèves gone); the backups named by
    `history`, newest apply first."""
    assert cli("import", _truncated(college, folder, keep=0.9)).exit_code == 0
    _plan(cli, "--at", at)
    done = cli("apply", "--yes", "--allow-mass-leave", "--reason", "test", "--at", at)
    assert done.exit_code == 0, done.output
    named = [entry["backup"] for entry in json.loads(cli("history", "--json").stdout)]
    said = " ".join(done.stdout.split())
    shared = f"couverte par la sauvegarde {named[0]}, déjà prise plus tôt"
    assert (shared in said) is (named[0] == named[1]), said
    return named


def _backup_files(home: Path) -> list[Path]:
    return sorted((home / "sauvegardes").glob("*.sqlite"))


def test_an_apply_soon_after_another_is_covered_by_its_backup_which_restores_both(
        applied: Cli, college: GeneratedCollege, tmp_path: Path) -> None:
    second, first = _second_apply(applied, college, tmp_path / "t", SOON)
    assert second == first and len(_backup_files(applied.home)) == 1
    assert applied("backup", "restore", second, "--yes").exit_code == 0
    assert json.loads(applied("accounts", "--json").stdout) == []
    assert json.loads(applied("history", "--json").stdout) == []


def test_after_a_restore_the_next_apply_takes_its_own_backup(applied: Cli) -> None:
    """The restored store is not what the newest backup holds (it may be older, or hold
    applies the restore took back): a backup taken before a restore covers nothing after it."""
    (first,) = [path.stem for path in _backup_files(applied.home)]
    assert applied("backup", "restore", first, "--yes").exit_code == 0
    _plan(applied, "--at", AT)
    assert applied("apply", "--yes", "--at", AT).exit_code == 0
    (entry,) = json.loads(applied("history", "--json").stdout)
    assert entry["backup"] != first and len(_backup_files(applied.home)) == 2


def test_with_reuse_hours_0_every_apply_takes_its_own_backup(
        applied: Cli, college: GeneratedCollege, tmp_path: Path) -> None:
    with (applied.home / "bascule.toml").open("a", encoding="utf-8") as config:
        config.write("\n[backup]\nreuse_hours = 0\n")
    second, first = _second_apply(applied, college, tmp_path / "t", SOON)
    assert second != first and len(_backup_files(applied.home)) == 2


def test_an_apply_a_day_after_the_newest_backup_takes_its_own(
        applied: Cli, college: GeneratedCollege, tmp_path: Path) -> None:
    second, first = _second_apply(applied, college, tmp_path / "t", LATER)
    assert second != first and len(_backup_files(applied.home)) == 2


def _plan_backed_up(home: Path, uai: str, *, purpose: str = "campaign",
                    kind: str = "update") -> tuple[str | None, bool]:
    """The backup `_backup_for` names for a one-action plan by hand at SOON, and whether it
    had to take one of its own."""
    from datetime import UTC, datetime

    from bascule.domain.school import SchoolYear
    from bascule.operations import campaign
    from bascule.plan.model import Action, ActionKind, Plan, PlanPurpose
    from bascule.settings import load_settings

    at = datetime(2025, 9, 10, 13, tzinfo=UTC)
    plan = Plan(uai=uai, school_year=SchoolYear(2025), computed_at=at, state_fingerprint="",
                purpose=PlanPurpose(purpose), actions=(
                    Action(kind=ActionKind(kind), person="eleve:1", profile="eleve", label="A"),))
    named, pending = campaign._backup_for(load_settings(home), plan, actor="test", now=at,
                                          night=None)
    if pending is not None:
        assert named == pending.finish().id
    return named, pending is not None


def test_a_transfer_between_schools_takes_its_own_backup_undo_cannot_take_it_back(
        applied: Cli, college: GeneratedCollege) -> None:
    """A plan with a transfer is not undone by `undo`: a recent backup does not cover it."""
    (kept,) = [path.stem for path in _backup_files(applied.home)]
    assert _plan_backed_up(applied.home, college.uai) == (kept, False)
    new_id, own = _plan_backed_up(applied.home, college.uai, kind="transfer")
    assert own and new_id != kept


def test_an_undo_takes_a_backup_of_its_own_no_undo_takes_it_back(
        applied: Cli, college: GeneratedCollege) -> None:
    assert _plan_backed_up(applied.home, college.uai) == (_backup_files(applied.home)[0].stem,
                                                          False)
    assert _plan_backed_up(applied.home, college.uai, purpose="undo")[1]


def test_an_apply_undo_cannot_take_back_for_a_day_takes_a_backup_of_its_own(
        applied: Cli, college: GeneratedCollege) -> None:
    with (applied.home / "bascule.toml").open("a", encoding="utf-8") as config:
        config.write("\n[undo]\ngrace_days = 1\n")
    assert _plan_backed_up(applied.home, college.uai)[1]


def test_a_backup_of_another_store_covers_no_apply(
        applied: Cli, college: GeneratedCollege) -> None:
    """The folder's store moved (another file, another server): its backups are of the old
    one."""
    (meta,) = (applied.home / "sauvegardes").glob("*.json")
    content = json.loads(meta.read_text(encoding="utf-8"))
    assert content["store"].startswith("sqlite:///")
    meta.write_text(json.dumps({**content, "store": "postgresql+psycopg://autre/base"}),
                    encoding="utf-8")
    assert _plan_backed_up(applied.home, college.uai)[1]


def test_a_plan_whose_directory_changes_while_it_reads_takes_the_full_path(
        applied: Cli, college: GeneratedCollege, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """An apply, an undo, a hold or a decision committed while a proportional plan reads the
    directory: the basis it read may not describe what it loaded; it is dropped, and the
    directory read again whole (no error, the plan as the full path makes it)."""
    from datetime import UTC, datetime

    from bascule.operations import campaign
    from bascule.settings import load_settings
    from bascule.store.engine import open_store
    from bascule.store.state import bump_version

    assert applied("import", _truncated(college, tmp_path / "t", keep=0.9)).exit_code == 0
    settings, loads = load_settings(applied.home), []
    original = campaign._load_state

    def meanwhile(connection: object, *args: object) -> object:
        loads.append(len(args) > 4 and args[4] is not None)  # read in part (a reach)?
        if len(loads) == 1:
            with open_store(settings.store_url).begin() as other:
                bump_version(other, college.uai)  # as a hold put from the console would
        return original(connection, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(campaign, "_load_state", meanwhile)
    at = datetime(2025, 9, 10, 13, tzinfo=UTC)
    plan = campaign.plan_campaign(settings, college.uai, now=at)
    assert loads == [True, False]
    monkeypatch.undo()
    assert plan.actions == campaign.plan_campaign(settings, college.uai, now=at).actions
