"""Changes made to a generated campaign's exports, as a school's secretariat makes them during
the year: élèves moved to another division of their level (for the benchmarks and the tests of
work proportional to the change)."""

from __future__ import annotations

import random
import shutil
import zipfile
from datetime import datetime
from pathlib import Path

from lxml import etree

from bascule.synthetic.writers import write_zip

ELEVES_ZIP = "ExportXML_ElevesSansAdresses.zip"
_SAFE = etree.XMLParser(resolve_entities=False, no_network=True)


def move_eleves(source: Path, target: Path, count: int,
                rng: random.Random) -> dict[str, tuple[str, str]]:
    """A copy of the exports `source` in `target` where `count` present élèves (at least one;
    none who left during the year) are in another division of their level (ElevesSansAdresses'
    STRUCTURES_ELEVE of type D), the other files untouched. Returns each moved élève's
    ELEVE_ID -> (old division, new one)."""
    shutil.copytree(source, target)
    with zipfile.ZipFile(source / ELEVES_ZIP) as archive:
        (info,) = archive.infolist()
        data = archive.read(info)
        root = etree.fromstring(data, _SAFE)
    leavers = {eleve.get("ELEVE_ID") for eleve in root.iter("ELEVE")
               if eleve.findtext("DATE_SORTIE")}
    placed = [(block.get("ELEVE_ID") or "", structure.find("CODE_STRUCTURE"))
              for block in root.iter("STRUCTURES_ELEVE") for structure in block
              if structure.findtext("TYPE_STRUCTURE") == "D"
              and block.get("ELEVE_ID") not in leavers]
    divisions = sorted({code.text or "" for _id, code in placed if code is not None})
    moved: dict[str, tuple[str, str]] = {}
    lines = data.split(b"\n")
    for eleve_id, code in rng.sample(placed, max(1, min(count, len(placed)))):
        assert code is not None  # the writer gives every STRUCTURE its code
        old = code.text or ""
        others = [d for d in divisions if d != old]
        new = rng.choice([d for d in others if d[:1] == old[:1]] or others)
        moved[eleve_id] = (old, new)
        line = (code.sourceline or 0) - 1
        lines[line] = _with_text(lines[line], old, new)
    # The other bytes as they were, as Siècle-BEE exports a file again: only the moved
    # élèves' records differ (serialising the tree again would rewrite every empty element).
    write_zip(target / ELEVES_ZIP, info.filename, b"\n".join(lines),
              datetime(*info.date_time).date())
    return moved


def _with_text(line: bytes, old: str, new: str) -> bytes:
    """The line of a CODE_STRUCTURE element with its text `new` instead of `old`."""
    before, after = (f">{text}</".encode("iso-8859-15") for text in (old, new))
    assert before in line, line
    return line.replace(before, after, 1)
