"""Invariants over generated inputs (hypothesis)."""

from __future__ import annotations

import random
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from bascule.domain.school import SchoolYear
from bascule.exports.read import read_export
from bascule.operations import campaign
from bascule.settings import Settings, init_home
from bascule.snapshot.campaign import ImportContext, build_snapshot
from bascule.snapshot.model import Snapshot
from bascule.store.changes import tracked_tables
from bascule.store.codec import decode, encode
from bascule.synthetic.generate import generate_campaigns


# Letters, digits and punctuation that ISO-8859-15 holds: what a Siècle name may contain.
def _also_valid_utf8(text: str) -> bool:
    """Latin-9 text whose accented bytes all pair up into UTF-8 ("Ã©", "Â¡"): the one case the
    re-saved-as-UTF-8 check cannot tell apart, and no real name looks like it."""
    data = text.encode("iso-8859-15")
    try:
        return data.decode("utf-8") != text
    except UnicodeDecodeError:
        return False


LATIN9_TEXT = (
    st.text(alphabet=st.characters(codec="iso-8859-15", categories=("L", "N", "P", "Zs")),
            min_size=1, max_size=40)
    .map(str.strip)
    .filter(lambda text: bool(text) and not _also_valid_utf8(text))
)


@settings(max_examples=60, deadline=None)
@given(first_name=LATIN9_TEXT, last_name=LATIN9_TEXT)
def test_any_latin9_name_is_read_back_exactly(first_name: str, last_name: str) -> None:
    root = etree.Element("BEE_ELEVES")
    eleve = etree.SubElement(etree.SubElement(etree.SubElement(root, "DONNEES"), "ELEVES"),
                             "ELEVE", ELEVE_ID="1")
    etree.SubElement(eleve, "NOM_DE_FAMILLE").text = last_name
    etree.SubElement(eleve, "PRENOM").text = first_name
    data = etree.tostring(root, encoding="ISO-8859-15", xml_declaration=True)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ElevesSansAdresses.xml"
        path.write_bytes(data)
        (record,) = read_export(path).eleves
    assert (record.prenom, record.nom_de_famille) == (first_name, last_name)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=10**6), size=st.integers(min_value=8, max_value=700))
def test_every_generated_campaign_imports_year_after_year(seed: int, size: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        (college,) = generate_campaigns(Path(folder), seed=seed, year=2025, size=size)
        newest: dict[str, SchoolYear] = {}
        for year_folder in college.folders:
            files = [read_export(path) for path in sorted(year_folder.iterdir())]
            context = ImportContext(school_uais=frozenset({college.uai}),
                                    newest_staged_year=newest, today=date(2026, 11, 28))
            snapshot, problems = build_snapshot(files, context)
            assert snapshot is not None, [str(p) for p in problems if p.is_error][:3]
            assert decode(encode(snapshot).data, Snapshot) == snapshot
            # The same files in reverse order give the very same campaign.
            assert build_snapshot(files[::-1], context)[0] == snapshot
            newest = {college.uai: snapshot.school_year}


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=10**6), size=st.integers(min_value=8, max_value=60),
       order=st.randoms(use_true_random=False))
def test_apply_then_plan_is_empty_and_logins_do_not_depend_on_file_order(
    seed: int, size: int, order: random.Random,
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (college,) = generate_campaigns(root / "exports", seed=seed, year=2025, size=size)
        now = datetime(2026, 9, 1, tzinfo=UTC)
        logins_by_home = []
        for home_name in ("a", "b"):
            settings, _ = init_home(root / home_name, college.uai, "Collège")
            for year_folder in college.folders:
                paths = sorted(year_folder.iterdir())
                order.shuffle(paths)
                campaign.import_exports(settings, paths, now=now)
                campaign.plan_campaign(settings, college.uai, now=now)
                # The circuit breaker has its own tests; tiny generated schools may trip it.
                campaign.apply_saved_plan(settings, college.uai, now=now, actor="test",
                                          allow_mass_leave=True)
                assert campaign.plan_campaign(settings, college.uai, now=now).is_empty
            rows = campaign.accounts(settings, college.uai)
            network = [r.login for r in rows if r.login]
            educonnect = [r.educonnect for r in rows if r.educonnect]
            assert len(network) == len(set(network)) and len(educonnect) == len(set(educonnect))
            logins_by_home.append({(r.last_name, r.first_name, tuple(sorted(
                r.source_ids.items()))): (r.login, r.educonnect) for r in rows})
        assert logins_by_home[0] == logins_by_home[1]


def _directory(url: str) -> dict[str, list[tuple[object, ...]]]:
    """The store's directory, without what an undo leaves on purpose: the people it created
    then removed (account gone) keep their row and their logins, in quarantine."""
    from sqlalchemy import create_engine, text

    kept = "person_id IN (SELECT person_id FROM account)"
    queries = {
        "person": "SELECT * FROM person WHERE id IN (SELECT person_id FROM account)",
        "account": "SELECT * FROM account", "fact": "SELECT * FROM fact",
        "login": f"SELECT * FROM login WHERE {kept}",
        "source": f"SELECT * FROM person_source_id WHERE {kept}",
        "delegation": "SELECT * FROM delegation", "breaker": "SELECT * FROM breaker_mark"}
    engine = create_engine(url)
    with engine.connect() as connection:
        found = {name: sorted(tuple(map(str, row)) for row in connection.execute(text(query)))
                 for name, query in queries.items()}
    engine.dispose()
    return found


@contextmanager
def _second_school_year(seed: int, size: int,
                        keep: float) -> Iterator[tuple[Settings, Callable[[], None]]]:
    """A generated collège applied for a school year, the next year's exports (with `keep` of
    its élèves) imported and planned: yields the home and the function applying that plan."""
    from tests.cli.test_rollover import _drop_eleves

    first, second = (datetime(2025, 9, 10, 8, tzinfo=UTC), datetime(2026, 9, 2, 8, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as folder:
        (college,) = generate_campaigns(Path(folder) / "exports", seed=seed, year=2025,
                                        size=size)
        settings_, _ = init_home(Path(folder) / "home", college.uai, "Collège")
        if keep < 1.0:
            _drop_eleves(next(college.folders[1].glob("*Eleves*")), keep=keep)

        def apply(now: datetime = second) -> None:
            campaign.apply_saved_plan(settings_, college.uai, now=now, actor="test",
                                      allow_mass_leave=True, mass_leave_reason="test")

        for exports, now in ((college.folders[0], first), (college.folders[1], second)):
            campaign.import_exports(settings_, campaign.export_paths([exports]), now=now)
            campaign.plan_campaign(settings_, college.uai, now=now)
            if now == first:
                apply(first)
        yield settings_, apply


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=10**6), size=st.integers(min_value=12, max_value=80),
       keep=st.sampled_from([1.0, 0.8, 0.4]))
def test_apply_then_undo_leaves_the_directory_as_it_was(seed: int, size: int,
                                                        keep: float) -> None:
    from bascule.operations.undo import plan_undo

    with _second_school_year(seed, size, keep) as (settings_, apply):
        before = _directory(settings_.store_url)
        apply()
        assert _directory(settings_.store_url) != before
        (uai,) = settings_.uais
        plan_undo(settings_, uai, 2, now=datetime(2026, 9, 2, 8, tzinfo=UTC))
        apply()
        assert _directory(settings_.store_url) == before


def _tracked_rows(url: str) -> dict[tuple[str, tuple[object, ...]], tuple[object, ...]]:
    """Every row of the tables an apply records, by table and identity."""
    from sqlalchemy import create_engine, select

    engine = create_engine(url)
    with engine.connect() as connection:
        rows = {(table.name, tuple(row._mapping[c] for c in key)): tuple(row)
                for table, key in tracked_tables() for row in connection.execute(select(table))}
    engine.dispose()
    return rows


def _recorded(url: str) -> set[tuple[str, tuple[object, ...]]]:
    """The rows the latest apply says it changed (as undo and history read them)."""
    from sqlalchemy import create_engine, func, select

    from bascule.store.changes import changes_of
    from bascule.store.schema import applied_change

    engine = create_engine(url)
    with engine.connect() as connection:
        last = connection.execute(select(func.max(applied_change.c.apply_id))).scalar_one()
        changes = changes_of(connection, last)
    engine.dispose()
    found = {(change.table, change.row_key) for change in changes}
    assert len(found) == len(changes)  # each row once
    return found


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=10**6), size=st.integers(min_value=12, max_value=60),
       keep=st.sampled_from([1.0, 0.7]))
def test_the_record_of_an_apply_holds_every_row_it_changed_and_only_those(
        seed: int, size: int, keep: float) -> None:
    """The record reads only the rows the plan may touch (store/changes.py's scope): nothing
    the apply changed is missed, whatever the campaign."""
    with _second_school_year(seed, size, keep) as (settings_, apply):
        before = _tracked_rows(settings_.store_url)
        apply()
        after = _tracked_rows(settings_.store_url)
        changed = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
        assert _recorded(settings_.store_url) == changed


@contextmanager
def _first_school_year(seed: int, size: int) -> Iterator[tuple[Settings, Callable[[], None]]]:
    """A generated collège's first campaign imported and planned into a new home: yields the
    home and the function applying its plan."""
    first = datetime(2025, 9, 10, 8, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as folder:
        (college,) = generate_campaigns(Path(folder) / "exports", seed=seed, year=2025,
                                        size=size)
        settings_, _ = init_home(Path(folder) / "home", college.uai, "Collège")
        campaign.import_exports(settings_, campaign.export_paths([college.folders[0]]), now=first)
        campaign.plan_campaign(settings_, college.uai, now=first)
        yield settings_, lambda: campaign.apply_saved_plan(
            settings_, college.uai, now=first, actor="test", allow_mass_leave=True,
            mass_leave_reason="test")


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=10**6), size=st.integers(min_value=12, max_value=60))
def test_a_first_rollover_is_recorded_row_by_row_and_undone_exactly(seed: int,
                                                                    size: int) -> None:
    """A first rollover's record takes the rows of the people it creates from what it wrote
    (store/changes.py's `Written`), not by reading them back: it still holds every row the
    apply changed and only those, no sealed password, and its undo leaves only the created
    people's rows (person, source ids) and their logins, quarantined."""
    from sqlalchemy import create_engine, text

    from bascule.operations.undo import plan_undo
    from bascule.store.changes import CREATED_PEOPLE, touched_people

    with _first_school_year(seed, size) as (settings_, apply):
        url = settings_.store_url
        before, directory = _tracked_rows(url), _directory(url)
        apply()
        after = _tracked_rows(url)
        changed = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
        assert _recorded(url) == changed
        engine = create_engine(url)
        with engine.connect() as connection:
            documents = connection.execute(text(
                "SELECT coalesce(\"before\", '') || coalesce(\"after\", '') FROM applied_change"
            )).scalars().all()
            lines = Counter(connection.execute(text(
                "SELECT table_name FROM applied_change")).scalars())
            touched = touched_people(connection, [1])
        engine.dispose()
        assert documents and not any("sealed" in document for document in documents)
        # One line for all the created people (all their rows), not one a row or a person.
        created = {str(after[key][2]) for key in changed if key[0] == "person"}
        assert lines[CREATED_PEOPLE] == 1 and not lines["created"] and not lines["person"]
        assert not lines["login"] and touched == created
        (uai,) = settings_.uais
        plan_undo(settings_, uai, 1, now=datetime(2025, 9, 10, 8, tzinfo=UTC))  # as applied
        apply()
        assert _directory(url) == directory
        left = _tracked_rows(url)
        assert {table for table, _ in left.keys() - before.keys()} <= {
            "person", "person_source_id", "login"}
        assert all(row[-1] is not None for (table, _), row in left.items() if table == "login")
