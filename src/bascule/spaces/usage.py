"""How full each space is: an os.scandir walk, in parallel processes for a large tree, and the
principal's page with a bar per space."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from bascule.domain import formats
from bascule.domain.school import describe_moment
from bascule.spaces.model import Space
from bascule.spaces.tree import MARKER

NEAR = 0.9  # from 90 % of its quota, a space is "presque plein"
PARALLEL_FROM = 64  # spaces: below, starting the processes costs more than it saves


@dataclass(frozen=True, slots=True)
class Usage:
    space: Space
    size: int  # bytes of the files (apparent size)
    files: int

    @property
    def fraction(self) -> float | None:
        return self.size / self.space.quota if self.space.quota else None

    @property
    def state(self) -> str:
        fraction = self.fraction
        if fraction is None:
            return "sans quota"
        return "dépassé" if fraction > 1 else "presque plein" if fraction >= NEAR else "ok"

    def as_json(self) -> dict[str, object]:
        fraction = self.fraction
        return {"path": self.space.relative, "kind": self.space.kind.value,
                "label": self.space.label, "bytes": self.size, "files": self.files,
                "quota_bytes": self.space.quota,
                "percent": round(fraction * 100, 1) if fraction is not None else None,
                "state": self.state}


def folder_size(folder: Path) -> tuple[int, int]:
    """(bytes, files) under folder, links not followed; bascule's own markers not counted."""
    size = files = 0
    pending = [str(folder)]
    while pending:
        try:
            with os.scandir(pending.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(entry.path)
                    elif entry.name != MARKER:
                        size += entry.stat(follow_symlinks=False).st_size
                        files += 1
        except FileNotFoundError:
            continue  # removed while scanning: nothing there to count
    return size, files


def scan(school_root: Path, spaces: list[Space]) -> list[Usage]:
    """Every space; a missing one counts as empty. Many spaces are shared among one process
    per core: walking a tree is CPU-bound once the disk cache is warm, and threads then only
    contend for the interpreter (benchmarks/spaces.py)."""
    folders = [str(school_root.joinpath(*space.path)) for space in spaces]
    if len(folders) < PARALLEL_FROM:
        sizes = [folder_size(Path(folder)) for folder in folders]
    else:
        workers = os.cpu_count() or 1
        with ProcessPoolExecutor(max_workers=workers) as pool:
            sizes = list(pool.map(_folder_size, folders,
                                  chunksize=max(1, len(folders) // (workers * 4))))
    return [Usage(space, *size) for space, size in zip(spaces, sizes, strict=True)]


def _folder_size(folder: str) -> tuple[int, int]:
    return folder_size(Path(folder))


_environment = Environment(loader=PackageLoader("bascule", "templates"),
                           autoescape=select_autoescape(default=True, default_for_string=True),
                           trim_blocks=True, lstrip_blocks=True)


def write_usage_page(path: Path, usages: list[Usage], *, school_name: str,
                     generated_at: datetime) -> None:
    shown = sorted(usages, key=lambda u: (-(u.fraction or 0), u.space.relative))
    path.write_text(_environment.get_template("espaces.html.j2").render(
        school_name=school_name, usages=shown,
        generated_at=describe_moment(generated_at, clock=True), human=human_size,
        decimal=formats.decimal), encoding="utf-8")


human_size = formats.size
