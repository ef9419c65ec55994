"""Read throughput of bascule's readers against a raw lxml iterparse of the same files, in one run.

    .venv/bin/python benchmarks/read.py [--colleges N] [--repeat R]

Generates a synthetic département, then times, on the same files (zips inflated the same way
on both sides):
  raw      lxml iterparse over every element, cleared as it goes: the parse alone;
  tags     lxml iterparse of only the record elements bascule asks for, no extraction;
  read     bascule's readers: records with their locations, encoding check included;
  import   read + build_snapshot: every check of an import, short of writing the store.
Then the same for the AAF: the département is rolled over into a bascule folder and `feed ent`
writes each collège's AAF (feed ent's writer: the académie's format), which is timed the same
way (raw, read; and import: read + Complet applied per school + the snapshot's checks).
Each figure is the best of R runs. Target of the issues: read <= 1.5x raw (each reader).
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from lxml import etree

from bascule.exports.read import read_export
from bascule.exports.records import ExportFile
from bascule.exports.source import open_source
from bascule.snapshot.campaign import ImportContext, build_snapshot
from bascule.synthetic.generate import generate_campaigns

RECORD_TAGS = ("PARAMETRES", "ELEVE", "OPTION", "STRUCTURES_ELEVE", "PERSONNE",
               "RESPONSABLE_ELEVE", "MATIERE", "MEF", "INDIVIDU", "DIVISION", "GROUPE")
TARGET = 1.5


def raw_parse(paths: list[Path]) -> int:
    elements = 0
    for path in paths:
        data = open_source(path).data
        for _event, element in etree.iterparse(io.BytesIO(data), events=("end",)):
            element.clear(keep_tail=True)
            elements += 1
    return elements


def tag_parse(paths: list[Path]) -> int:
    elements = 0
    for path in paths:
        data = open_source(path).data
        for _event, element in etree.iterparse(io.BytesIO(data), events=("end",),
                                               tag=RECORD_TAGS):
            element.clear(keep_tail=True)
            elements += 1
    return elements


def bascule_read(paths: list[Path]) -> int:
    return sum(len(read_export(path).eleves) for path in paths)


def bascule_import(colleges: list[list[Path]]) -> int:
    checked = 0
    for paths in colleges:
        files = [read_export(path) for path in paths]
        uai = files[0].header.uai or ""
        context = ImportContext(school_uais=frozenset({uai}), newest_staged_year={},
                                today=date(2026, 11, 28))
        snapshot, _problems = build_snapshot(files, context)
        assert snapshot is not None
        checked += len(snapshot.eleves)
    return checked


def aaf_read(paths: list[Path]) -> list[ExportFile]:
    return [read_export(path) for path in paths]


def aaf_import(paths: list[Path], uais: frozenset[str]) -> int:
    """Read, apply the Complet per school of the folder, and check each school's snapshot."""
    from bascule.snapshot.aaf import SchoolRecords, build_aaf_snapshot
    from bascule.snapshot.aaf_deliveries import StructureMap, apply_deliveries, group_deliveries
    from bascule.snapshot.checks import Checker

    checker = Checker()
    today = date(2025, 9, 20)
    states, changed, _others = apply_deliveries(
        group_deliveries(aaf_read(paths), today, checker), {}, uais, checker)
    context = ImportContext(school_uais=uais, newest_staged_year={}, today=today)
    checked = 0
    for uai in sorted(changed):
        state = states[uai]
        snapshot, _problems = build_aaf_snapshot(SchoolRecords(
            uai=uai, structures=StructureMap(state.records.values()).jointures(uai),
            export_date=f"{state.last_date:%d/%m/%Y}", records=list(state.records.values()),
            sources=state.sources), context)
        assert snapshot is not None
        checked += len(snapshot.eleves)
    return checked


def aaf_files(root: Path, count: int) -> tuple[list[Path], frozenset[str]]:
    """feed ent's AAF of a rolled-over département: the académie's format, from bascule."""
    from bascule.operations.feeds import feed_ent
    from rollover import NOW, rolled_over  # type: ignore[import-not-found]

    settings, colleges = rolled_over(root, count)
    for college in colleges:
        feed_ent(settings, college.uai, root / "aaf", now=NOW, force=False, by=None,
                 actor="benchmark")
    return sorted((root / "aaf").glob("*.xml")), frozenset(c.uai for c in colleges)


def measure_aaf(count: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        paths, uais = aaf_files(Path(folder), count)
        megabytes = sum(path.stat().st_size for path in paths) / 1e6
        raw = best_of(repeat, lambda: raw_parse(paths))
        read = best_of(repeat, lambda: len(aaf_read(paths)))
        checked = best_of(repeat, lambda: aaf_import(paths, uais))
    print(f"AAF (feed ent of the same département): {len(paths)} XML files, {megabytes:.1f} MB")
    print(f"  raw     lxml iterparse, every element   {raw:6.3f} s  {megabytes / raw:5.1f} MB/s")
    print(f"  read    bascule AAF reader              {read:6.3f} s  {megabytes / read:5.1f} MB/s"
          f"  ratio {read / raw:.2f}x raw")
    print(f"  import  read + Complet + all checks     {checked:6.3f} s  "
          f"{megabytes / checked:5.1f} MB/s  ratio {checked / raw:.2f}x raw")
    verdict = "met" if read / raw <= TARGET else "NOT met"
    print(f"target AAF read <= {TARGET}x raw: {verdict}")


def best_of(repeat: int, work: Callable[[], int]) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        timings.append(time.perf_counter() - start)
    return min(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--colleges", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        made = generate_campaigns(Path(folder), colleges=options.colleges, seed=1, year=2025)
        colleges = [sorted(college.folders[0].iterdir()) for college in made]
        paths = [path for college in colleges for path in college if path.suffix != ".csv"]
        megabytes = sum(len(open_source(path).data) for path in paths) / 1e6
        eleves = bascule_read(paths)
        raw = best_of(options.repeat, lambda: raw_parse(paths))
        tags = best_of(options.repeat, lambda: tag_parse(paths))
        read = best_of(options.repeat, lambda: bascule_read(paths))
        checked = best_of(options.repeat, lambda: bascule_import(colleges))
    print(f"bascule read benchmark: {options.colleges} collèges, {eleves} élèves, "
          f"{len(paths)} XML files, {megabytes:.1f} MB of XML (best of {options.repeat})")
    print(f"  raw     lxml iterparse, every element   {raw:6.3f} s  {megabytes / raw:5.1f} MB/s")
    print(f"  tags    lxml iterparse, record tags     {tags:6.3f} s  {megabytes / tags:5.1f} MB/s")
    print(f"  read    bascule readers                 {read:6.3f} s  {megabytes / read:5.1f} MB/s"
          f"  ratio {read / raw:.2f}x raw, {read / tags:.2f}x tags")
    print(f"  import  read + all checks (snapshot)    {checked:6.3f} s  "
          f"{megabytes / checked:5.1f} MB/s  ratio {checked / raw:.2f}x raw")
    verdict = "met" if read / raw <= TARGET else "NOT met"
    print(f"target read <= {TARGET}x raw: {verdict}")
    measure_aaf(options.colleges, options.repeat)


if __name__ == "__main__":
    main()
