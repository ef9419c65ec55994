"""The GAR export of a département against a raw lxml serialisation of as many elements, in one
run.

    .venv/bin/python benchmarks/feeds.py [--colleges 10]

Prints the time of `feed gar` for every generated collège (the store read, the records, the XSD
validation, the files, the archive) and of building and serialising, with lxml, a flat tree
holding the same number of elements (the baseline), and their ratio.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bascule.operations import feeds as feeds_ops
from rollover import rolled_over  # type: ignore[import-not-found]

NOW = datetime(2025, 9, 20, 8, tzinfo=UTC)


def raw_serialisation(elements: int) -> float:
    start = time.perf_counter()
    root = etree.Element("root")
    for number in range(elements):
        etree.SubElement(root, "e").text = str(number)
    etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--colleges", type=int, default=10)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        settings, colleges = rolled_over(root, options.colleges)
        uais = sorted(settings.uais)
        feeds_ops.feed_gar(settings, uais, root / "warm", now=NOW)  # feed ids given once
        start = time.perf_counter()
        export = feeds_ops.feed_gar(settings, uais, root / "gar", now=NOW)
        ours = time.perf_counter() - start
        elements = sum(sum(1 for _ in etree.parse(str(path)).iter()) for path in export.files)
    raw = min(raw_serialisation(elements) for _ in range(3))
    print(f"bascule feeds benchmark: GAR export of {len(colleges)} collèges, "
          f"{elements:,} elements in {len(export.files)} files")
    print(f"  raw    lxml build + serialise {elements:,} elements   {raw:.2f} s")
    print(f"  gar    bascule feed gar (store, records, XSD, files, archive)   {ours:.2f} s"
          f"  {ours / raw:.1f}x raw")


if __name__ == "__main__":
    main()
