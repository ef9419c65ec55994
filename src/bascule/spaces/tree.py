"""The spaces on disk: the tree under the school's root, each folder marked as bascule's, POSIX
ACLs applied with setfacl (numeric ids: the same uidNumber and gidNumber as the directory
targets), and the manifest and PowerShell script for a Windows file server.

Last year's class spaces are never reused for a new division of the same code: at the rentrée
each one goes to the year-end archive folder, where the cleanups archive and purge it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bascule.spaces.model import CONTAINER_FOLDERS, Space, SpaceKind

MARKER = ".bascule-espace.json"
YEAR_END = "Fin_d_annee"  # last year's class spaces wait here for the cleanup


@dataclass(slots=True)
class TreeChanges:
    created: list[str] = field(default_factory=list)
    retired: list[tuple[str, str]] = field(default_factory=list)  # (space, where it went)
    moved: list[tuple[str, str]] = field(default_factory=list)  # personal: (from, to)
    foreign: list[str] = field(default_factory=list)  # folders in the way, not bascule's
    arrived: list[str] = field(default_factory=list)  # came with an élève from another school
    restored: list[str] = field(default_factory=list)  # brought back from a cleanup's archive
    acl: str = ""  # what was done about ACLs, in French


def marker_of(folder: Path) -> dict[str, object] | None:
    try:
        found: dict[str, object] = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found


def sync_tree(school_root: Path, spaces: list[Space], *, school_year: int,
              dry_run: bool) -> TreeChanges:
    changes = TreeChanges()
    wanted = {space.relative for space in spaces}
    for folder in _marked_class_spaces(school_root):
        marker = marker_of(folder) or {}
        relative = folder.relative_to(school_root).as_posix()
        if marker.get("school_year") != school_year or relative not in wanted:
            target = school_root / YEAR_END / str(marker.get("school_year")) / relative
            changes.retired.append((relative, target.relative_to(school_root).as_posix()))
            if not dry_run:
                target.parent.mkdir(parents=True, exist_ok=True)
                folder.rename(_free(target))
    _follow_their_people(school_root, spaces, changes, dry_run=dry_run)
    for space in spaces:
        folder = school_root.joinpath(*space.path)
        if folder.exists():
            if marker_of(folder) is None:
                changes.foreign.append(space.relative)
            continue
        if space.withdrawn:  # a leaver's folder is kept where it is, never made anew
            continue
        changes.created.append(space.relative)
        if not dry_run:
            _make_shared_folder(folder)
            (folder / MARKER).write_text(json.dumps(
                {"kind": space.kind.value, "key": space.key, "school_year": school_year},
                ensure_ascii=False), encoding="utf-8")
    return changes


_PERSONAL = frozenset({SpaceKind.PERSONAL_ELEVE, SpaceKind.PERSONAL_STAFF})


def _follow_their_people(school_root: Path, spaces: list[Space], changes: TreeChanges,
                         *, dry_run: bool) -> None:
    """A personal space follows its person (the marker's key) when their login changed (a name
    change the school lets logins follow, a login that became reserved) or their profile did:
    the folder is moved with its content, so that quotas, usage and cleanups keep seeing it; its
    rights are applied afresh by apply_acls (the numeric ids are the person's, unchanged)."""
    missing = {space.key: space for space in spaces if space.kind in _PERSONAL
               and not school_root.joinpath(*space.path).exists()}
    if not missing:
        return
    wanted = {space.relative for space in spaces}
    for folder in marked_personal_spaces(school_root):
        key = str((marker_of(folder) or {}).get("key"))
        space = missing.pop(key, None)
        relative = folder.relative_to(school_root).as_posix()
        if space is None or relative in wanted:
            continue
        changes.moved.append((relative, space.relative))
        if not dry_run:
            target = school_root.joinpath(*space.path)
            target.parent.mkdir(parents=True, exist_ok=True)
            folder.rename(target)
            (target / MARKER).write_text(json.dumps(
                {**(marker_of(target) or {}), "kind": space.kind.value}, ensure_ascii=False),
                encoding="utf-8")


def marked_personal_spaces(school_root: Path) -> list[Path]:
    """The personal folders bascule made under the school's root (its marker says so)."""
    kinds = {kind.value for kind in _PERSONAL}
    return [folder for parent in CONTAINER_FOLDERS.values()
            if (school_root / parent).is_dir()
            for folder in sorted((school_root / parent).iterdir())
            if folder.is_dir() and (marker_of(folder) or {}).get("kind") in kinds]
def adopt_folder(source: Path, target: Path, *, former_key: str, key: str) -> bool:
    """Move a person's folder from their former school when it is bascule's and theirs (its
    marker says so) and nothing is in the way here; its marker then names the new key."""
    marker = marker_of(source)
    if marker is None or marker.get("key") != former_key or target.exists():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    source.rename(target)
    (target / MARKER).write_text(json.dumps({**marker, "key": key}, ensure_ascii=False),
                                 encoding="utf-8")
    return True


def _make_shared_folder(folder: Path) -> None:
    """The space and any missing parent, rwx for their owner and group whatever the umask
    (bascule's own files are private; the spaces are for people)."""
    missing = [folder, *(parent for parent in folder.parents if not parent.exists())]
    folder.mkdir(parents=True, mode=0o770)
    for created in missing:
        created.chmod(0o770)


def _marked_class_spaces(school_root: Path) -> list[Path]:
    classes = school_root / "Classes"
    if not classes.is_dir():
        return []
    return [folder for folder in sorted(classes.iterdir())
            if folder.is_dir() and (marker_of(folder) or {}).get("kind") == SpaceKind.CLASS.value]


def _free(target: Path) -> Path:
    """target, or target-2, target-3… if a space of that name already went there."""
    candidate, number = target, 2
    while candidate.exists():
        candidate, number = target.with_name(f"{target.name}-{number}"), number + 1
    return candidate


def acl_entries(space: Space, users: Mapping[str, int], groups: Mapping[str, int]) -> list[str]:
    """setfacl entries, access and default (inherited by what is created inside)."""
    entries = ["user::rwx", "group::---", "other::---", "mask::rwx"]
    for grant in space.grants:
        number = (users if grant.principal == "user" else groups).get(grant.name)
        if number is not None:
            entries.append(f"{grant.principal}:{number}:{'rwx' if grant.write else 'r-x'}")
    return entries + [f"default:{entry}" for entry in entries]


def apply_acls(school_root: Path, spaces: list[Space], users: Mapping[str, int],
               groups: Mapping[str, int]) -> str:
    """One setfacl run for the whole tree; a French note of what was done or why not."""
    setfacl = shutil.which("setfacl")
    if setfacl is None:
        return "ACL non appliquées : setfacl est absent (paquet acl)."
    if os.geteuid() != 0 and school_root.stat().st_uid != os.geteuid():
        return "ACL non appliquées : bascule n'a pas les droits sur la racine des espaces."
    present = [space for space in spaces if school_root.joinpath(*space.path).is_dir()]
    spec = "".join(f"# file: {space.relative}\n" + "\n".join(acl_entries(space, users, groups))
                   + "\n\n" for space in present)
    done = subprocess.run([setfacl, "--restore=-"], input=spec, text=True, cwd=school_root,
                          capture_output=True, check=False)
    if done.returncode != 0:
        return f"ACL non appliquées : {done.stderr.strip() or 'système de fichiers sans ACL'}."
    leavers = sum(1 for space in present if space.withdrawn)
    return f"ACL appliquées à {len(present)} espaces" + (
        f", dont {leavers} dossier(s) de comptes désactivés ou supprimés, que leur titulaire "
        "ne peut plus modifier." if leavers else ".")


def manifest(spaces: list[Space]) -> list[dict[str, object]]:
    return [{"path": space.relative, "kind": space.kind.value, "label": space.label,
             "quota_bytes": space.quota,
             "access": [{"principal": g.principal, "name": g.name,
                         "rights": "rw" if g.write else "r"} for g in space.grants],
             "withdrawn": list(space.withdrawn)}
            for space in spaces]


def powershell(spaces: list[Space], uai: str) -> str:
    """The same tree for a Windows file server: folders, NTFS rights (icacls), FSRM quotas.
    Every path and name is a single-quoted PowerShell literal."""
    lines = ["# bascule : espaces de l'établissement " + uai,
             "# À relire, puis exécuter en administrateur sur le serveur de fichiers.",
             "$Racine = 'D:\\Espaces\\" + uai + "'",
             "$Domaine = 'COLLEGE'", ""]
    for space in spaces:
        path = "Join-Path $Racine " + _quote("\\".join(space.path))
        lines.append(f"$p = {path}")
        if space.withdrawn:
            lines += _leaver_folder(space)
            continue
        lines.append("New-Item -ItemType Directory -Force -Path $p | Out-Null")
        lines += _grants(space)
        if space.quota is not None:
            lines.append(f"New-FsrmQuota -Path $p -Size {space.quota} "
                         f"-Description {_quote(space.label)} -ErrorAction SilentlyContinue")
        lines.append("")
    return "\n".join(lines)


def _leaver_folder(space: Space) -> list[str]:
    """A disabled or deleted account's folder: kept if it is there, never made; its owner's
    rights taken off, then what they keep (reading, when the school chose it) given again."""
    removals = [f"  icacls $p /remove:g ($Domaine + {_quote(chr(92) + name)}) | Out-Null"
                for name in space.withdrawn]
    return ["if (Test-Path $p) {", *removals, *(f"  {line}" for line in _grants(space)),
            "}", ""]


def _grants(space: Space) -> list[str]:
    lines = []
    for grant in space.grants:
        rights = "(OI)(CI)M" if grant.write else "(OI)(CI)RX"
        who = _quote(f"\\{grant.name}:{rights}")
        lines.append(f"icacls $p /grant ($Domaine + {who}) | Out-Null")
    return lines


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True, slots=True)
class Capacity:
    quotas: int
    free: int

    @property
    def enough(self) -> bool:
        return self.quotas <= self.free


def capacity(root: Path, spaces: list[Space]) -> Capacity:
    existing = root if root.exists() else next(p for p in root.parents if p.exists())
    return Capacity(quotas=sum(space.quota or 0 for space in spaces),
                    free=shutil.disk_usage(existing).free)


def missing_acl_tools() -> tuple[str, ...]:
    """The programs of the Debian package acl this machine lacks (setfacl, getfacl)."""
    return tuple(tool for tool in ("setfacl", "getfacl") if shutil.which(tool) is None)


def acl_differences(school_root: Path, spaces: list[Space], users: Mapping[str, int],
                    groups: Mapping[str, int]) -> list[str]:
    """Read-only: the named ACL entries each space should have and has not, or has in excess,
    in words; nothing when getfacl is missing."""
    getfacl = shutil.which("getfacl")
    present = [s for s in spaces if school_root.joinpath(*s.path).is_dir()]
    if getfacl is None or not present:
        return []
    done = subprocess.run([getfacl, "-n", "-p", *(s.relative for s in present)], text=True,
                          cwd=school_root, capture_output=True, check=False)
    found = _named_entries(done.stdout)
    names = {("user", n): name for name, n in users.items()} | {
        ("group", n): name for name, n in groups.items()}
    lines = []
    for space in present:
        wanted = {e for e in acl_entries(space, users, groups)
                  if not e.startswith("default:") and e.count(":") == 2 and e.split(":")[1]}
        have = found.get(space.relative, set())
        lines += [f"droit manquant sur {space.relative} : {_who(e, names)}"
                  for e in sorted(wanted - have)]
        lines += [f"droit en trop sur {space.relative} : {_who(e, names)}"
                  + (" — compte désactivé ou supprimé" if _withdrawn(e, space, users) else "")
                  for e in sorted(have - wanted)]
    return lines


def _withdrawn(entry: str, space: Space, users: Mapping[str, int]) -> bool:
    """The entry is the right of an account that left: its folder's disabled owner."""
    kind, number, _rights = entry.split(":")
    return kind == "user" and any(users.get(name) == int(number) for name in space.withdrawn)


def _named_entries(listing: str) -> dict[str, set[str]]:
    """getfacl's blocks -> path: its named access entries ("group:10005:rwx")."""
    entries: dict[str, set[str]] = {}
    path = ""
    for line in listing.splitlines():
        if line.startswith("# file: "):
            path = line.removeprefix("# file: ")
            entries[path] = set()
        elif line and not line.startswith(("#", "default:")):
            parts = line.split("#")[0].strip().split(":")  # "#effective:…" comes after
            if len(parts) == 3 and parts[1] and parts[0] in ("user", "group"):
                entries[path].add(":".join(parts))
    return entries


def _who(entry: str, names: Mapping[tuple[str, int], str]) -> str:
    kind, number, rights = entry.split(":")
    name = names.get((kind, int(number)), number)
    what = "écriture" if "w" in rights else "lecture"
    return f"{'groupe' if kind == 'group' else 'utilisateur'} {name} ({what})"
