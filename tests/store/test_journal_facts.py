"""A created person's facts kept on their creation's journal line, and a run of creations kept
on one line, read back as the lines they stand for: the journal says the same entries, whatever
the filter (store/journal_facts.py).
Within one apply their order differs (a person's facts come next to their creation, where the
plan puts every addition after every creation): a limit may take other entries of the same
apply, never entries of another."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from bascule.settings import load_settings
from bascule.store import apply as store_apply
from bascule.store.audit import AuditFilter, JournalEntry, journal_entries
from bascule.store.engine import open_store
from bascule.store.journal_facts import Entry, bundled, unbundled
from bascule.store.schema import journal
from tests.conftest import UAI, Cli, Files, apply_campaign

Shown = tuple[str, str, str, str, str, str]


def _rolled_over(home: Path, files: Files) -> Cli:
    cli = Cli(home=home, runner=CliRunner())
    assert cli("init", "--uai", UAI, "--name", "Collège Jean Moulin").exit_code == 0
    apply_campaign(cli, files)
    return cli


def _shown(entries: list[JournalEntry]) -> list[Shown]:
    """Each entry as the journal shows it, in words and in JSON (the moment apart: the import's
    is the clock's)."""
    return sorted((entry.actor, entry.action, entry.subject, json.dumps(entry.detail),
                   entry.subject_label, entry.detail_label) for entry in entries)


@pytest.fixture
def two_stores(tmp_path: Path, files: Files, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """The same rollover journaled a line an action (as before) and with the facts and the
    creations kept together."""
    with monkeypatch.context() as patched:
        patched.setattr(store_apply, "folded", lambda _action: None)
        patched.setattr(store_apply, "bundled", lambda entries: entries)
        lined = _rolled_over(tmp_path / "lined", files)
    kept = _rolled_over(tmp_path / "kept", files)
    return load_settings(lined.home).store_url, load_settings(kept.home).store_url


def _rows(url: str) -> int:
    with open_store(url).connect() as connection:
        return int(connection.execute(select(func.count()).select_from(journal)).scalar_one())


def test_the_facts_of_people_created_take_no_line_of_their_own(
        two_stores: tuple[str, str]) -> None:
    lined, kept = two_stores
    everything = AuditFilter(limit=100_000)
    assert _rows(kept) < _rows(lined)
    assert len(journal_entries(open_store(kept), UAI, everything)) == _rows(lined)
    created = select(func.count()).select_from(journal).where(journal.c.action == "create")
    with open_store(kept).connect() as connection:  # a first rollover's: all one run
        assert connection.execute(created).scalar_one() == 1
    with open_store(lined).connect() as connection:
        assert connection.execute(created).scalar_one() > 10


def test_each_run_of_creations_is_one_line_read_back_in_order() -> None:
    """Creations between other lines: each run of two or more one line, a lone one as it
    was; read back, the lines in the order written."""
    def line(action: str, subject: str) -> Entry:
        return action, subject, json.dumps({"label": f"{subject.upper()} Zoé"}).encode()

    entries = [line("create", "a"), line("update", "b"), line("create", "c"),
               line("create", "d"), line("create", "e"), line("move", "f"), line("create", "g"),
               line("create", "h")]
    written = list(bundled(entries))
    assert [(action, subject) for action, subject, _ in written] == [
        ("create", "a"), ("update", "b"), ("create", ""), ("move", "f"), ("create", "")]
    read = [(action, *each) for action, subject, detail in written
            for each in unbundled(action, subject, json.loads(detail))]
    assert read == [(action, subject, json.loads(detail)) for action, subject, detail in entries]


def test_the_journal_says_the_same_entries_whatever_the_filter(
        two_stores: tuple[str, str]) -> None:
    lined, kept = two_stores
    entries = journal_entries(open_store(lined), UAI, AuditFilter(limit=100_000))
    added = [entry for entry in entries if entry.action == "add"]
    person = next(entry.subject for entry in added if entry.subject.startswith("eleve:"))
    division = next(str(entry.detail["fact"][1]) for entry in added  # type: ignore[index]
                    if str(entry.detail["fact"][1]).startswith("D:"))  # type: ignore[index]
    for wanted in (AuditFilter(limit=100_000), AuditFilter(action="add", limit=100_000),
                   AuditFilter(action="create", limit=100_000),
                   AuditFilter(target=person, limit=100_000),
                   AuditFilter(target=division, limit=100_000),
                   AuditFilter(target=division, action="add", limit=100_000),
                   # the target is exact: neither its case nor LIKE's wildcards widen it
                   AuditFilter(target=division.lower(), limit=100_000),
                   AuditFilter(target=division.replace(":", "_"), limit=100_000)):
        expected = _shown(journal_entries(open_store(lined), UAI, wanted))
        assert _shown(journal_entries(open_store(kept), UAI, wanted)) == expected
        assert bool(expected) is (wanted.target in (None, person, division))


def test_a_limit_counts_entries_not_lines(two_stores: tuple[str, str]) -> None:
    """Read a page of lines at a time: a page of creations may hold more entries or fewer."""
    lined, kept = two_stores
    added = len(journal_entries(open_store(lined), UAI, AuditFilter(action="add", limit=1000)))
    assert added > 4
    for limit in (1, 3, added - 1, added, added + 1):
        found = journal_entries(open_store(kept), UAI, AuditFilter(action="add", limit=limit))
        assert len(found) == min(limit, added) and {entry.action for entry in found} == {"add"}
    assert len(journal_entries(open_store(kept), UAI, AuditFilter(limit=2))) == 2


def test_a_login_as_target_finds_what_is_journaled_under_its_holders_key(
        tmp_path: Path, files: Files) -> None:
    """« lien ajouté » lines name the élève by key: `audit --target lmartin` finds them too."""
    cli = _rolled_over(tmp_path, files)
    eleve = next(one for one in json.loads(cli("accounts", "--json").stdout)
                 if one["profile"] == "eleve" and one["login"])

    def journaled(target: str) -> list[dict[str, object]]:
        return json.loads(cli("audit", "--json", "--limit", "100000", "--target", target).stdout)

    by_key = journaled(f"eleve:{eleve['source_ids']['eleve_id']}")
    assert {entry["action"] for entry in by_key} >= {"create", "add"}
    assert journaled(eleve["login"]) == by_key
