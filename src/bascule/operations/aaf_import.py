"""Importing AAF deliveries: each school of the folder they name gets its campaign staged.

The AAF state of each school (its last Complet with the Deltas applied since) is kept in the
store (table aaf_state), written right after the campaign it gave; a refused import writes
neither. (Written again from the same files, a state is the same: an interruption in between
is repaired by importing them again.) A school is fed by one kind of source at a time: AAF
files given with raw exports (Siècle-BEE, STS-Web, CSV), or a campaign from one kind for a
school year already imported from the other, are refused.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Engine, select

from bascule.errors import ImportRejected, Location, Problem
from bascule.exports.records import ExportFile, ExportKind
from bascule.settings import Settings
from bascule.snapshot.aaf import SchoolRecords, build_aaf_snapshot
from bascule.snapshot.aaf_deliveries import (
    AafState,
    StructureMap,
    apply_deliveries,
    group_deliveries,
)
from bascule.snapshot.campaign import ImportContext
from bascule.snapshot.checks import Checker
from bascule.snapshot.model import AAF_ROOT, Snapshot
from bascule.store.aaf_states import load_aaf_states, save_aaf_state
from bascule.store.people import journal_entry
from bascule.store.schema import staged_snapshot
from bascule.store.staging import newest_staged_years, stage_snapshot

AAF_REJECTED = ("Suivez l'indication de chaque erreur ci-dessus (corriger dans Siècle-BEE ou "
                "STS-Web, ou demander à l'académie la livraison AAF manquante), puis relancez "
                "l'import.")
ONE_SOURCE_HINT = ("Un établissement est alimenté par une seule source à la fois : soit les "
                   "fichiers AAF de l'académie, soit les exports Siècle-BEE et STS-Web. "
                   "Donnez les uns ou les autres, pas les deux.")


def mixes_sources(files: Sequence[ExportFile]) -> Problem | None:
    """AAF files given together with raw exports: refused, with a clear message."""
    aaf = [f.name for f in files if f.kind is ExportKind.AAF]
    raw = [f.name for f in files if f.kind is not ExportKind.AAF]
    if not aaf or not raw:
        return None
    checker = Checker()
    checker.error("sources-melangees", f"fichiers AAF ({aaf[0]}…) et exports Siècle-BEE / "
                  f"STS-Web ou CSV ({raw[0]}…) dans le même import",
                  Location(file=", ".join([aaf[0], raw[0]])), ONE_SOURCE_HINT)
    return checker.problems[0]


def read_deliveries(
    engine: Engine, settings: Settings, files: Sequence[ExportFile], now: datetime,
) -> tuple[list[tuple[Snapshot, AafState]], list[Problem]]:
    """Each changed school's snapshot and new AAF state. Raises ImportRejected on an error."""
    checker = Checker()
    deliveries = group_deliveries(files, now.date(), checker)
    states = load_aaf_states(engine, settings.uais)
    current, changed, others = apply_deliveries(deliveries, states, settings.uais, checker)
    _report_scope(files, changed, others, checker)
    if any(problem.is_error for problem in checker.problems):
        raise ImportRejected(checker.problems, AAF_REJECTED)
    context = ImportContext(school_uais=settings.uais,
                            newest_staged_year=newest_staged_years(engine),
                            today=now.date(), clock_today=datetime.now(UTC).date())
    structures = StructureMap(r for state in current.values() for r in state.records.values())
    results, problems = [], list(checker.problems)
    for uai in sorted(changed):
        state = current[uai]
        snapshot, found = build_aaf_snapshot(SchoolRecords(
            uai=uai, structures=structures.jointures(uai),
            export_date=f"{state.last_date:%d/%m/%Y}", records=list(state.records.values()),
            sources=state.sources), context)
        problems += found
        if snapshot is not None:
            problems += one_source_a_year(engine, snapshot)
            results.append((snapshot, state))
    if any(problem.is_error for problem in problems):
        raise ImportRejected(problems, AAF_REJECTED)
    return results, problems


def _report_scope(files: Sequence[ExportFile], changed: set[str], others: set[str],
                  checker: Checker) -> None:
    where = Location(file=", ".join(f.name for f in files[:3]) + ("…" if len(files) > 3 else ""))
    if others:
        checker.warn("aaf-hors-dossier",
                     f"{len(others)} établissement(s) de la livraison hors de ce dossier, "
                     f"ignoré(s) : {', '.join(sorted(others))}", where,
                     "Rien à faire si ces établissements ne sont pas gérés ici ; sinon, "
                     "ajoutez-les au dossier (bascule init --uai …).")
    if not changed and not any(p.is_error for p in checker.problems):
        checker.error("aaf-aucun-etablissement",
                      "aucun établissement de ce dossier dans ces fichiers AAF", where,
                      "Vérifiez que la livraison est celle de vos établissements (son "
                      "EtabEducNat donne leurs UAI).")


def one_source_a_year(engine: Engine, snapshot: Snapshot) -> list[Problem]:
    """A campaign from the AAF for a school year already imported from the raw exports, or the
    other way round: refused (one kind of source at a time; the switch is from a year to the
    next)."""
    query = (select(staged_snapshot.c.sources).where(
        (staged_snapshot.c.uai == snapshot.uai)
        & (staged_snapshot.c.school_year == snapshot.school_year.start))
        .order_by(staged_snapshot.c.id.desc()).limit(1))
    with engine.connect() as connection:
        sources = connection.execute(query).scalar()
    if sources is None:
        return []
    staged_from_aaf = any(s["kind"].startswith(AAF_ROOT) for s in json.loads(sources))
    if staged_from_aaf == snapshot.from_aaf:
        return []
    staged, given = (("l'AAF", "les exports Siècle-BEE / STS-Web") if staged_from_aaf
                     else ("les exports Siècle-BEE / STS-Web", "l'AAF"))
    checker = Checker()
    checker.error("sources-melangees",
                  f"{snapshot.uai} a déjà, pour l'année {snapshot.school_year}, une campagne "
                  f"importée de {staged} : {given} ne peut pas la compléter",
                  Location(file=snapshot.sources[0].name if snapshot.sources else "(import)"),
                  ONE_SOURCE_HINT + " Changer de source se fait d'une année sur l'autre.")
    return checker.problems


def stage_deliveries(engine: Engine, results: Sequence[tuple[Snapshot, AafState]],
                     problems: Sequence[Problem], now: datetime, actor: str) -> list[bool]:
    """Stage each school's campaign and keep its AAF state; True where something changed."""
    warnings = [problem for problem in problems if not problem.is_error]
    staged = []
    for snapshot, state in results:
        changed = stage_snapshot(engine, snapshot, now, warnings)
        with engine.begin() as connection:
            save_aaf_state(connection, state)
            if changed:
                journal_entry(connection, snapshot.uai, "import", str(snapshot.school_year),
                              actor, now, {"files": [s.name for s in snapshot.sources],
                                           "eleves": len(snapshot.active_eleves), "source": "AAF"})
        staged.append(changed)
    return staged
