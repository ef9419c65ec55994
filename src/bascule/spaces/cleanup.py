"""Cleanups that never lose anything: each folder (or a space's contents) is first written to a
compressed archive, checksummed and read back, and only then removed. An interrupted apply
(crash, full disk) is simply run again: an item whose archive is complete and verified is not
archived twice, an unfinished archive is written anew, and no original goes before its archive.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from bascule.spaces.tree import MARKER
from bascule.spaces.usage import folder_size


@dataclass(frozen=True, slots=True)
class Item:
    source: str  # under the school's root
    whole: bool  # the folder itself goes (True), or only what it holds (False)
    size: int
    files: int

    @property
    def name(self) -> str:
        """What a progress bar shows of it: its path under the school's root."""
        return self.source

    @property
    def archive_name(self) -> str:
        return self.source.replace("/", "__") + ".tar.gz"


@dataclass(frozen=True, slots=True)
class CleanupPlan:
    uai: str
    kind: str
    created_at: str  # ISO instant
    archive: str  # the folder of this cleanup's archives, under the archives root
    items: tuple[Item, ...]

    @property
    def size(self) -> int:
        return sum(item.size for item in self.items)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> CleanupPlan:
        data = json.loads(text)
        return cls(**{**data, "items": tuple(Item(**item) for item in data["items"])})


def items_for(school_root: Path, sources: list[str], *, whole: bool) -> list[Item]:
    items = []
    for source in sources:
        folder = school_root / source
        if not folder.is_dir():
            continue
        size, files = folder_size(folder)
        if whole or _contents(folder):
            items.append(Item(source=source, whole=whole, size=size, files=files))
    return items


def _contents(folder: Path) -> list[Path]:
    """What a space holds, its marker excepted."""
    return sorted(child for child in folder.iterdir() if child.name != MARKER)


def apply_cleanup(school_root: Path, archives: Path, plan: CleanupPlan,
                  on_item: Callable[[Item], None] = lambda _item: None) -> int:
    """Archive then remove each item; the bytes freed."""
    folder = archives / plan.archive
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "plan.json").write_text(plan.to_json(), encoding="utf-8")
    freed = 0
    for item in plan.items:
        source = school_root / item.source
        if source.exists():
            archive = folder / item.archive_name
            if not _verified(archive):
                _write_archive(source, archive, whole=item.whole)
            _remove(source, whole=item.whole)
            freed += item.size
        on_item(item)
    return freed


def _write_archive(source: Path, archive: Path, *, whole: bool) -> None:
    partial = archive.with_name(archive.name + ".partial")
    with tarfile.open(partial, "w:gz") as tar:
        if whole:
            tar.add(source, arcname=source.name)
        else:
            for child in _contents(source):
                tar.add(child, arcname=child.name)
    with partial.open("rb") as handle:
        os.fsync(handle.fileno())
    expected = _members(source, whole=whole)
    with tarfile.open(partial, "r:gz") as tar:  # read back in full: a bad archive fails here
        if sum(1 for member in tar if member.isfile()) != expected:
            raise OSError(f"l'archive {partial} ne contient pas tous les fichiers")
    os.replace(partial, archive)
    checksum = archive.with_name(archive.name + ".sha256")
    checksum.write_text(f"{_sha256(archive)}  {archive.name}\n", encoding="utf-8")


def _members(source: Path, *, whole: bool) -> int:
    """The regular files the archive must hold (links are archived as links)."""
    roots = [source] if whole else _contents(source)
    return sum(_regular_files(path) for path in roots)


def _regular_files(path: Path) -> int:
    if path.is_symlink():
        return 0
    if path.is_file():
        return 1
    return sum(1 for folder, _dirs, files in os.walk(path)
               for name in files if not os.path.islink(os.path.join(folder, name)))


def _verified(archive: Path) -> bool:
    checksum = archive.with_name(archive.name + ".sha256")
    if not (archive.is_file() and checksum.is_file()):
        return False
    return checksum.read_text(encoding="utf-8").split()[0] == _sha256(archive)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _remove(source: Path, *, whole: bool) -> None:
    if whole:
        shutil.rmtree(source)
        return
    for child in _contents(source):
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def purge_archives(archives: Path, *, older_than: datetime) -> list[Path]:
    """The cleanups' archive folders made before the date, removed; their paths."""
    if not archives.is_dir():
        return []
    purged = []
    for folder in sorted(archives.iterdir()):
        plan = folder / "plan.json"
        if not plan.is_file():
            continue  # not a cleanup's archive: not ours to purge
        made = datetime.fromisoformat(json.loads(plan.read_text(encoding="utf-8"))["created_at"])
        if made < older_than:
            shutil.rmtree(folder)
            purged.append(folder)
    return purged




def bring_back(archives: Path, school_root: Path, relative: str, key: str) -> Path | None:
    """A personal folder that a « departs » cleanup archived, put back in place when its account
    comes back (an undone deletion, a person who returns): the newest verified archive of that
    folder whose marker names the same person (a login given to someone else after its
    quarantine never gets another's files). Returns the archive used, or None."""
    target = school_root / relative
    if target.exists() or not archives.is_dir():
        return None
    name = Item(source=relative, whole=True, size=0, files=0).archive_name
    for archive in sorted(archives.glob(f"*-departs/{name}"), reverse=True):
        if _verified(archive) and _marker_key(archive, target.name) == key:
            target.parent.mkdir(parents=True, exist_ok=True)
            with tarfile.open(archive, "r:gz") as tar:
                tar.extractall(target.parent, filter="data")  # no path leaves the folder
            return archive
    return None


def _marker_key(archive: Path, folder: str) -> object:
    with tarfile.open(archive, "r:gz") as tar:
        try:
            member = tar.extractfile(f"{folder}/{MARKER}")
        except KeyError:
            return None
        if member is None:
            return None
        try:
            return json.loads(member.read().decode("utf-8")).get("key")
        except ValueError:
            return None
