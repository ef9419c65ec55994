"""generate_campaigns: N collèges over two consecutive years, written as their exports."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bascule.domain.school import TYPICAL_COLLEGE_SIZE
from bascule.synthetic.college import CollegeYear, Ids, first_year, next_year
from bascule.synthetic.organise import life_during_year, organise
from bascule.synthetic.sts_writer import local_people_csv, sts_xml
from bascule.synthetic.writers import (
    eleves_xml,
    nomenclature_xml,
    responsables_xml,
    structures_xml,
    write_zip,
)

DEFAULT_SIZE = TYPICAL_COLLEGE_SIZE  # élèves


@dataclass(frozen=True, slots=True)
class GeneratedCollege:
    uai: str
    name: str
    folders: tuple[Path, ...]  # one per school year, oldest first


def generate_campaigns(
    out: Path,
    *,
    colleges: int = 1,
    seed: int = 1,
    year: int,
    size: int = DEFAULT_SIZE,
    on_college: Callable[[GeneratedCollege], None] = lambda _college: None,
) -> list[GeneratedCollege]:
    """Write out/<UAI>/<year>/ and out/<UAI>/<year+1>/ per collège; deterministic for a seed."""
    generated = []
    for index in range(colleges):
        rng = random.Random(f"bascule:{seed}:{index}")
        first, ids = first_year(index, year, rng, size)
        _live(first, rng, ids)
        # Each year is written before the next one is derived from it.
        folders = [_write(first, out / first.uai / str(first.year))]
        second = next_year(first, rng, ids)
        _live(second, rng, ids)
        folders.append(_write(second, out / second.uai / str(second.year)))
        result = GeneratedCollege(uai=first.uai, name=first.name, folders=tuple(folders))
        on_college(result)
        generated.append(result)
    return generated


def _live(college: CollegeYear, rng: random.Random, ids: Ids) -> None:
    organise(college, rng)
    life_during_year(college, rng, ids)


def _write(college: CollegeYear, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in (("ElevesSansAdresses", eleves_xml(college)),
                       ("ResponsablesAvecAdresses", responsables_xml(college)),
                       ("Nomenclature", nomenclature_xml(college)),
                       ("Structures", structures_xml(college))):
        write_zip(folder / f"ExportXML_{name}.zip", f"{name}.xml", data, college.export_date)
    (folder / f"sts_emp_{college.uai}_{college.year}.xml").write_bytes(sts_xml(college))
    (folder / "personnes_locales.csv").write_bytes(local_people_csv(college))
    return folder
