"""The usage scan of the spaces against a plain du-like walk of the same tree, in one run.

    .venv/bin/python benchmarks/spaces.py [--spaces 400] [--files 100]

Builds a tree of N spaces of M files each (nested folders, real sizes), then times, best of 3
on both sides: `walk`, os.walk + os.lstat of every file on one thread (what
`du --apparent-size` does); `scan`, bascule's usage scan (os.scandir, one process per core).
With a warm disk cache, and (as root) a cold one: the caches are dropped before each round.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from bascule.spaces.model import Space, SpaceKind
from bascule.spaces.usage import scan


def build(root: Path, spaces: int, files: int) -> list[Space]:
    made = []
    for number in range(spaces):
        folder = root / "Classes" / f"C{number:04d}"
        for index in range(files):
            nested = folder / f"dossier{index % 7}" / f"sous{index % 3}"
            nested.mkdir(parents=True, exist_ok=True)
            (nested / f"f{index}.bin").write_bytes(b"x" * (100 + 37 * index))
        made.append(Space(kind=SpaceKind.CLASS, path=("Classes", folder.name), key=str(number),
                          label=folder.name, quota=20 * 1024**3, grants=()))
    return made


def walk(root: Path) -> tuple[int, int]:
    size = count = 0
    for folder, _dirs, names in os.walk(root):
        for name in names:
            size += os.lstat(os.path.join(folder, name)).st_size
            count += 1
    return size, count


DROP_CACHES = Path("/proc/sys/vm/drop_caches")


def can_drop_caches() -> bool:
    return os.geteuid() == 0 and os.access(DROP_CACHES, os.W_OK)


def drop_caches() -> None:
    os.sync()
    DROP_CACHES.write_text("3\n")


def best(work: object, rounds: int = 3, cold: bool = False) -> float:
    times = []
    for _ in range(rounds):
        if cold:
            drop_caches()
        start = time.perf_counter()
        work()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spaces", type=int, default=400)
    parser.add_argument("--files", type=int, default=100)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        spaces = build(root, options.spaces, options.files)
        size, count = walk(root)
        scanned = scan(root, spaces)
        assert (sum(u.size for u in scanned), sum(u.files for u in scanned)) == (size, count)
        rows = [("warm", best(lambda: walk(root)), best(lambda: scan(root, spaces)))]
        if can_drop_caches():
            rows.append(("cold", best(lambda: walk(root), cold=True),
                         best(lambda: scan(root, spaces), cold=True)))
    print(f"bascule spaces benchmark: {options.spaces} spaces, {count} files "
          f"({size / 1024**2:.0f} MB), best of 3")
    for cache, plain, ours in rows:
        print(f"  {cache} cache  walk (os.walk + lstat, one thread) {count / plain:,.0f} files/s;"
              f"  bascule scan {count / ours:,.0f} files/s: {plain / ours:.2f}x the walk's rate")


if __name__ == "__main__":
    main()
