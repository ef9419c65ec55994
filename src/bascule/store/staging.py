"""Staging campaign snapshots: one validated campaign per school and export, its warnings,
the newest one's hash and problems, older ones dropped by retention."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import msgspec
from sqlalchemy import Connection, Engine, func, select

from bascule.domain.school import SchoolYear
from bascule.errors import Problem
from bascule.snapshot.memo import Chain
from bascule.snapshot.model import AAF_ROOT, Snapshot
from bascule.store.codec import as_json, encode, from_json, recall, to_json
from bascule.store.schema import staged_snapshot


def newest_staged_years(engine: Engine) -> dict[str, SchoolYear]:
    query = select(staged_snapshot.c.uai, func.max(staged_snapshot.c.school_year)).group_by(
        staged_snapshot.c.uai)
    with engine.connect() as connection:
        return {uai: SchoolYear(year) for uai, year in connection.execute(query)}


def newest_staged_hashes(engine: Engine) -> dict[str, str]:
    """Each school's newest staged campaign's content hash: it changes when the school imports
    another campaign."""
    newest = select(func.max(staged_snapshot.c.id)).group_by(staged_snapshot.c.uai)
    query = select(staged_snapshot.c.uai, staged_snapshot.c.content_sha256).where(
        staged_snapshot.c.id.in_(newest))
    with engine.connect() as connection:
        return {uai: sha256 for uai, sha256 in connection.execute(query)}


def newest_export_dates(engine: Engine) -> dict[str, date]:
    """The export date of each school's newest staged campaign (the one the plan reads), when
    it was read from the raw exports (Siècle-BEE, STS-Web): an AAF delivery is dated by the
    academy's feed, and ordered by its own state (snapshot/aaf_deliveries.py)."""
    newest = select(func.max(staged_snapshot.c.id)).group_by(staged_snapshot.c.uai)
    query = select(staged_snapshot.c.uai, staged_snapshot.c.export_date,
                   staged_snapshot.c.sources).where(
        staged_snapshot.c.id.in_(newest) & staged_snapshot.c.export_date.is_not(None))
    with engine.connect() as connection:
        return {uai: _as_date(day) for uai, day, sources in connection.execute(query)
                if not any(s["kind"].startswith(AAF_ROOT) for s in json.loads(sources))}


def _as_date(value: object) -> date:
    """SQLite gives back a date, or its ISO text on some paths."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


@dataclass(frozen=True, slots=True)
class _Warnings:
    items: tuple[Problem, ...]


def stage_snapshot(engine: Engine, snapshot: Snapshot, staged_at: datetime,
                   warnings: Sequence[Problem] = (), kept: bytes | None = None,
                   along: Callable[[Connection], None] | None = None,
                   chain: Chain | None = None) -> bool:
    """Keep the snapshot as the newest campaign of its UAI; the same content twice is one row.
    False when the very same campaign was already the newest: nothing written. `kept`: what
    the import kept for the next one (store/kept.py), kept with the newest campaign only.
    `along`: what the same transaction writes too when the campaign is staged (its journal
    line), committed with it or not at all. `chain`: what its build took again from the
    previous staged campaign's (snapshot/memo.py), read by the plan with it."""
    encoded = encode(snapshot)
    digest = encoded.sha256
    with engine.begin() as connection:
        latest = connection.execute(
            select(staged_snapshot.c.content_sha256)
            .where(staged_snapshot.c.uai == snapshot.uai)
            .order_by(staged_snapshot.c.id.desc()).limit(1)
        ).scalar()
        if latest == digest:
            return False
        connection.execute(staged_snapshot.delete().where(
            (staged_snapshot.c.uai == snapshot.uai) & (staged_snapshot.c.content_sha256 == digest)))
        connection.execute(staged_snapshot.insert().values(
            uai=snapshot.uai, school_year=snapshot.school_year.start,
            export_date=snapshot.export_date, staged_at=staged_at, content_sha256=digest,
            sources=json.dumps([{"name": s.name, "kind": s.kind, "sha256": s.sha256}
                                for s in snapshot.sources], ensure_ascii=False),
            snapshot=encoded.data, problems=to_json(_Warnings(tuple(warnings))),
            subject_labels=json.dumps(subject_labels(snapshot), ensure_ascii=False),
            kept=kept, chain=_CHAIN_ENCODER.encode(chain) if chain is not None else None,
        ))
        connection.execute(staged_snapshot.update().where(
            (staged_snapshot.c.uai == snapshot.uai) & (staged_snapshot.c.content_sha256 != digest)
            & staged_snapshot.c.kept.is_not(None)).values(kept=None))
        if along is not None:
            along(connection)
    return True


def subject_labels(snapshot: Snapshot) -> dict[str, str]:
    return {s.code: s.long_label or s.short_label or s.code for s in snapshot.subjects}


@dataclass(frozen=True, slots=True, kw_only=True)
class StagedCampaign:
    uai: str
    school_year: SchoolYear
    export_date: object
    staged_at: datetime
    content_sha256: str


def staged_campaigns(engine: Engine) -> list[StagedCampaign]:
    query = select(staged_snapshot.c.uai, staged_snapshot.c.school_year,
                   staged_snapshot.c.export_date, staged_snapshot.c.staged_at,
                   staged_snapshot.c.content_sha256).order_by(staged_snapshot.c.id)
    with engine.connect() as connection:
        return [StagedCampaign(uai=row.uai, school_year=SchoolYear(row.school_year),
                               export_date=row.export_date, staged_at=row.staged_at,
                               content_sha256=row.content_sha256)
                for row in connection.execute(query)]


@dataclass(frozen=True, slots=True)
class Staged:
    snapshot: Snapshot
    content_sha256: str
    chain: Chain | None = None  # what its build took again (snapshot/memo.py)


_CHAIN_ENCODER = msgspec.json.Encoder()
_CHAIN = msgspec.json.Decoder(Chain)


def _chain(data: bytes | None) -> Chain | None:
    """A staged campaign's chain; None when it has none or it cannot be read (the plan then
    computes every digest: a chain only saves work)."""
    if data is None:
        return None
    try:
        return _CHAIN.decode(bytes(data))
    except msgspec.DecodeError:  # a ValidationError is one
        return None


def staged_year(engine: Engine, uai: str) -> SchoolYear:
    query = (select(staged_snapshot.c.school_year).where(staged_snapshot.c.uai == uai)
             .order_by(staged_snapshot.c.id.desc()).limit(1))
    with engine.connect() as connection:
        return SchoolYear(connection.execute(query).scalar_one())


def latest_staged_sha256(engine: Engine, uai: str) -> str | None:
    with engine.connect() as connection:
        return newest_staged_sha256(connection, uai)


def newest_staged_sha256(connection: Connection, uai: str) -> str | None:
    """The hash of the school's newest staged campaign, without reading the campaign."""
    return connection.execute(
        select(staged_snapshot.c.content_sha256).where(staged_snapshot.c.uai == uai)
        .order_by(staged_snapshot.c.id.desc()).limit(1)).scalar()


@dataclass(frozen=True, slots=True)
class Restaged:
    snapshot: Snapshot
    warnings: tuple[Problem, ...]


def staged_from_same_files(engine: Engine, uais: Iterable[str],
                           digests: Sequence[str]) -> Restaged | None:
    """The newest campaign of one of these schools, if it was read from exactly these files
    (by their SHA-256): importing them again would change nothing, so they are not re-read."""
    wanted = sorted(digests)
    newest = (select(func.max(staged_snapshot.c.id))
              .where(staged_snapshot.c.uai.in_(sorted(uais))).group_by(staged_snapshot.c.uai))
    # One query for every school's newest list of sources (small); the campaign on a match.
    latest = (select(staged_snapshot.c.id, staged_snapshot.c.sources,
                     staged_snapshot.c.content_sha256, staged_snapshot.c.problems)
              .where(staged_snapshot.c.id.in_(newest)).order_by(staged_snapshot.c.uai))
    with engine.connect() as connection:
        for row in connection.execute(latest).all():
            # Each school's list is read only when it names one of the files: an import of a
            # département's folder otherwise decodes every school's list every time.
            if (wanted and wanted[0] not in row.sources) \
                    or sorted(s["sha256"] for s in json.loads(row.sources)) != wanted:
                continue
            warnings = from_json(row.problems, _Warnings).items if row.problems else ()
            return Restaged(_snapshot_of(connection, row.id, row.content_sha256), warnings)
    return None


def latest_problems(engine: Engine, uai: str) -> tuple[Problem, ...]:
    """The warnings of the school's newest staged campaign, for the console's dashboard."""
    query = (select(staged_snapshot.c.problems).where(staged_snapshot.c.uai == uai)
             .order_by(staged_snapshot.c.id.desc()).limit(1))
    with engine.connect() as connection:
        found = connection.execute(query).scalar()
    return from_json(found, _Warnings).items if found else ()


def latest_snapshot(engine: Engine, uai: str) -> Staged | None:
    """The campaign the next plan is computed for: the newest staged for the school."""
    with engine.connect() as connection:
        return newest_staged(connection, uai)


def newest_staged(connection: Connection, uai: str) -> Staged | None:
    """The school's newest staged campaign, decoded only if this process does not hold it."""
    row = connection.execute(
        select(staged_snapshot.c.id, staged_snapshot.c.content_sha256, staged_snapshot.c.chain)
        .where(staged_snapshot.c.uai == uai).order_by(staged_snapshot.c.id.desc()).limit(1)
    ).first()
    if row is None:
        return None
    return Staged(_snapshot_of(connection, row.id, row.content_sha256), row.content_sha256,
                  _chain(row.chain))


def _snapshot_of(connection: Connection, campaign_id: int, content_sha256: str) -> Snapshot:
    return recall(content_sha256, Snapshot, lambda: _stored(connection, campaign_id))


def _stored(connection: Connection, campaign_id: int) -> bytes:
    return bytes(connection.execute(select(staged_snapshot.c.snapshot).where(
        staged_snapshot.c.id == campaign_id)).scalar_one())


def older_campaigns(engine: Engine, uai: str, keep: int) -> list[tuple[int, int, str]]:
    """(id, school year, staged_at ISO) of the staged campaigns beyond the newest `keep`."""
    query = (select(staged_snapshot.c.id, staged_snapshot.c.school_year,
                    staged_snapshot.c.staged_at)
             .where(staged_snapshot.c.uai == uai).order_by(staged_snapshot.c.id.desc())
             .offset(keep))
    with engine.connect() as connection:
        return [(row.id, row.school_year, row.staged_at.isoformat())
                for row in connection.execute(query)]


def staged_document(engine: Engine, campaign_id: int) -> str:
    """The campaign as JSON text, for an archive people can read without bascule.
    Raises NoResultFound when there is no such campaign."""
    with engine.connect() as connection:
        return as_json(_stored(connection, campaign_id), Snapshot)


def drop_campaign(engine: Engine, campaign_id: int) -> None:
    with engine.begin() as connection:
        connection.execute(staged_snapshot.delete().where(staged_snapshot.c.id == campaign_id))
