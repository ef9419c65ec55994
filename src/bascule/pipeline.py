"""The one place that chains the stages. Used by the CLI (and later the web console)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path

from bascule.directory.store import (
    StagedCampaign,
    newest_staged_years,
    open_store,
    stage_snapshot,
    staged_campaigns,
)
from bascule.errors import ImportRejected, Problem
from bascule.exports.read import read_export
from bascule.exports.records import ExportFile
from bascule.exports.source import UnreadableSource
from bascule.settings import Settings, init_home
from bascule.snapshot.campaign import ImportContext, build_snapshot
from bascule.snapshot.model import Snapshot
from bascule.snapshot.quality import Finding, Summary, assess_quality, summarise

OnFile = Callable[[Path], None]


class Staging(Enum):
    STAGED = "staged"
    UNCHANGED = "unchanged"  # the very same campaign was already staged
    CHECKED = "checked"  # asked to check only: nothing written


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportOutcome:
    snapshot: Snapshot
    problems: list[Problem]
    summary: Summary
    findings: tuple[Finding, ...]
    staging: Staging


EXPORT_SUFFIXES = (".xml", ".zip", ".csv")


def export_paths(paths: Sequence[Path]) -> list[Path]:
    """The files to read: a folder stands for the exports it holds (.xml, .zip, .csv)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(child for child in path.iterdir() if child.is_file()
                                and child.suffix.lower() in EXPORT_SUFFIXES
                                and not child.name.startswith(".")))
        else:
            found.append(path)
    return found


def read_all(paths: Sequence[Path], on_file: OnFile) -> tuple[list[ExportFile], list[Problem]]:
    files, problems = [], []
    for path in paths:
        on_file(path)
        try:
            files.append(read_export(path))
        except UnreadableSource as unreadable:
            problems.append(unreadable.problem)
    return files, problems


def import_exports(
    settings: Settings,
    paths: Sequence[Path],
    *,
    now: datetime,
    stage: bool = True,
    on_file: OnFile = lambda _path: None,
) -> ImportOutcome:
    """Read, check and stage one campaign. Raises ImportRejected, having written nothing."""
    engine = open_store(settings.store_url)
    files, problems = read_all(paths, on_file)
    context = ImportContext(school_uais=settings.uais,
                            newest_staged_year=newest_staged_years(engine),
                            today=now.date())
    snapshot, checked = build_snapshot(files, context) if not problems else (None, [])
    problems += checked
    if snapshot is None:
        raise ImportRejected(problems)
    staging = Staging.CHECKED
    if stage:
        staging = Staging.STAGED if stage_snapshot(engine, snapshot, now).staged else (
            Staging.UNCHANGED)
    return ImportOutcome(snapshot=snapshot, problems=problems, summary=summarise(snapshot),
                         findings=assess_quality(snapshot), staging=staging)


def initialise(home: Path, uai: str, name: str) -> tuple[Settings, bool]:
    settings, changed = init_home(home, uai, name)
    open_store(settings.store_url)
    return settings, changed


def campaigns(settings: Settings) -> list[StagedCampaign]:
    return staged_campaigns(open_store(settings.store_url))


def utc_now() -> datetime:
    return datetime.now(UTC)
