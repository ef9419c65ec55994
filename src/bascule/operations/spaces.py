"""The school's storage spaces: provisioning the tree and its rights, watching quotas, and the
cleanups of the calendar (classes and Commun in July or August, Salle_des_profs and Mediaprof at
the end of the year, leavers' folders in September, old imported campaigns)."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import NoResultFound

from bascule.domain.calendar import Milestone, Span, rentree_year_of
from bascule.domain.labels import CLEANUPS, parse_choice
from bascule.domain.naming import folder_name
from bascule.domain.policy import Permission, Role, decide
from bascule.domain.school import describe_moment, local_time
from bascule.errors import UserError
from bascule.operations.calendars import load_calendar
from bascule.operations.campaign import force_past_gate, nothing_imported
from bascule.operations.summaries import SPACES_USAGE, keep_summary
from bascule.settings import Settings, remember_spaces_root
from bascule.spaces.cleanup import (
    CleanupPlan,
    Item,
    apply_cleanup,
    bring_back,
    items_for,
    purge_archives,
)
from bascule.spaces.model import SpaceKind
from bascule.spaces.store import SchoolSpaces, load_school_spaces
from bascule.spaces.tree import (
    YEAR_END,
    Capacity,
    TreeChanges,
    adopt_folder,
    apply_acls,
    capacity,
    sync_tree,
)
from bascule.spaces.tree import manifest as manifest
from bascule.spaces.tree import powershell as powershell
from bascule.spaces.usage import Usage as Usage
from bascule.spaces.usage import human_size as human_size
from bascule.spaces.usage import scan
from bascule.spaces.usage import write_usage_page as write_usage_page
from bascule.store.accounts import deleted_logins
from bascule.store.apply import arrivals
from bascule.store.engine import open_store
from bascule.store.operators import find_actor
from bascule.store.people import journal_entry
from bascule.store.staging import (
    drop_campaign,
    latest_staged_sha256,
    older_campaigns,
    staged_document,
    staged_year,
)
from bascule.targets.store_view import posix_numbers


def spaces_root(settings: Settings, root: Path | None) -> Settings:
    """A root given once is remembered in bascule.toml."""
    if root is not None and root.resolve() != settings.spaces_root.resolve():
        return remember_spaces_root(settings.home, root)
    return settings


def school_spaces(settings: Settings, uai: str, *, allocate: bool = True) -> SchoolSpaces:
    return load_school_spaces(open_store(settings.store_url), uai, settings.spaces_root / uai,
                              settings.space_quotas_gb, allocate=allocate,
                              leavers_read=settings.leavers_keep_files)


@dataclass(frozen=True, slots=True)
class SpacesSync:
    changes: TreeChanges
    capacity: Capacity


def sync_spaces(settings: Settings, uai: str, *, dry_run: bool, now: datetime,
                actor: str) -> SpacesSync:
    school = school_spaces(settings, uai, allocate=not dry_run)
    engine = open_store(settings.store_url)
    if latest_staged_sha256(engine, uai) is None:
        raise nothing_imported(uai)
    year = staged_year(engine, uai).start
    room = capacity(school.root, school.provisioned)
    if not dry_run:
        school.root.mkdir(parents=True, exist_ok=True)
    arrived = [] if dry_run else _adopt_arrivals(settings, uai, school)
    restored = [] if dry_run else _bring_back_archived(settings, uai, school)
    changes = sync_tree(school.root, school.spaces, school_year=year, dry_run=dry_run)
    changes.arrived, changes.restored = arrived, restored
    if not dry_run:
        changes.acl = apply_acls(school.root, school.spaces, school.users, school.groups)
        with engine.begin() as connection:
            journal_entry(connection, uai, "espaces", str(school.root), actor, now,
                          {"créés": len(changes.created), "retirés": len(changes.retired),
                           "ramenés": changes.restored,
                           "déplacés": [f"{a} → {b}" for a, b in changes.moved],
                           "acl": changes.acl})
    return SpacesSync(changes=changes, capacity=room)


def _bring_back_archived(settings: Settings, uai: str, school: SchoolSpaces) -> list[str]:
    """Personal folders of accounts back from a deletion (an undo, a return), taken out of the
    « departs » cleanup's archive rather than made anew and empty."""
    archives = archives_root(settings, uai)
    return [space.relative for space in school.spaces
            if space.kind in (SpaceKind.PERSONAL_ELEVE, SpaceKind.PERSONAL_STAFF)
            and bring_back(archives, school.root, space.relative, space.key) is not None]


def _adopt_arrivals(settings: Settings, uai: str, school: SchoolSpaces) -> list[str]:
    """Élèves who came from another school of the folder bring their personal folder."""
    with open_store(settings.store_url).connect() as connection:
        came = {arrival.key: arrival for arrival in arrivals(connection, uai)}
    moved = []
    for space in school.spaces:
        arrival = came.get(space.key)
        if arrival is None or arrival.login is None:
            continue
        former = settings.spaces_root / arrival.from_school / space.path[0] / folder_name(
            arrival.login)
        if adopt_folder(former, school.root.joinpath(*space.path),
                        former_key=arrival.from_key, key=space.key):
            moved.append(space.relative)
    return moved


def spaces_usage(settings: Settings, uai: str, *, now: datetime) -> list[Usage]:
    """Every space's size against its quota; the full and nearly full ones are kept for the
    console's dashboard."""
    school = school_spaces(settings, uai, allocate=False)
    usages = scan(school.root, school.provisioned)
    crowded = sorted((u for u in usages if u.state in ("presque plein", "dépassé")),
                     key=lambda u: -(u.fraction or 0))
    keep_summary(settings, uai, SPACES_USAGE, {
        "espaces": len(usages),
        "presque_pleins": [u.as_json() for u in crowded[:20]],
        "nombre_presque_pleins": len(crowded)}, now)
    return usages


def linux_quota_commands(settings: Settings, uai: str) -> str:
    """Personal spaces: user block quotas (setquota, in KiB); shared spaces: XFS project quotas,
    one project per space, numbered like the accounts (never reused)."""
    school = school_spaces(settings, uai)
    engine = open_store(settings.store_url)
    shared = [s for s in school.provisioned if s.quota and s.kind not in (
        SpaceKind.PERSONAL_ELEVE, SpaceKind.PERSONAL_STAFF)]
    with engine.begin() as connection:
        projects = posix_numbers(connection, uai, [f"space:{s.relative}" for s in shared])
    lines = [f"# bascule : quotas des espaces de {uai} (à relire, puis exécuter en root)",
             "FS=/srv  # le système de fichiers des espaces", ""]
    for space in school.provisioned:
        if space.quota and space.kind in (SpaceKind.PERSONAL_ELEVE, SpaceKind.PERSONAL_STAFF):
            owner = next(g.name for g in space.grants if g.principal == "user")
            kib = space.quota // 1024
            lines.append(f"setquota -u {school.users[owner]} {kib} {kib} 0 0 \"$FS\"")
    for space in shared:
        number = projects[f"space:{space.relative}"]
        path = (school.root / space.relative).as_posix().replace("'", "'\\''")
        lines.append(f"echo '{number}:{path}' >> /etc/projects")
        lines.append(f"xfs_quota -x -c 'project -s {number}' \"$FS\"")
        lines.append(f"xfs_quota -x -c 'limit -p bhard={space.quota} {number}' \"$FS\"")
    return "\n".join(lines) + "\n"


# --- cleanups -------------------------------------------------------------------------------

# The cleanups (domain/labels.py CLEANUPS) and the calendar's periods for each.
_WINDOWS = {"classes": (Milestone.CLASS_SPACES_CLEANUP_JULY,
                        Milestone.CLASS_SPACES_CLEANUP_AUGUST),
            "personnels": (Milestone.STAFF_SPACES_CLEANUP,)}
_PERMISSION = {"classes": Permission.CLEAN_CLASS_SPACES,
               "personnels": Permission.CLEAN_STAFF_SPACES,
               "departs": Permission.RUN_ROLLOVER, "imports": Permission.RUN_ROLLOVER}


def _plan_path(settings: Settings, uai: str) -> Path:
    return settings.home / "nettoyage" / f"{uai}.json"


def archives_root(settings: Settings, uai: str) -> Path:
    return settings.spaces_root / "_archives" / uai


def _require(settings: Settings, uai: str, kind: str, by: str | None) -> None:
    if by is None:
        roles = frozenset({Role.OPERATEUR})
    else:
        with open_store(settings.store_url).connect() as connection:
            roles = find_actor(connection, uai, by).roles
    decision = decide(roles, _PERMISSION[kind])
    if not decision.allowed:
        raise UserError(f"Refusé : {decision.reason}",
                        hint="bascule policy matrix dit qui peut faire quel nettoyage.")


def _window(settings: Settings, uai: str, kind: str, now: datetime, *, force: bool,
            by: str | None, actor: str) -> None:
    calendar = load_calendar(settings.home, rentree_year_of(now), uai)
    if kind == "imports":
        return
    if kind == "departs":
        start = calendar.start(Milestone.DELETIONS)
        if start is not None and now >= start:
            return
        closed = ("Les dossiers des comptes supprimés ne sont nettoyés qu'à partir du "
                  f"{describe_moment(start) if start else '?'} (suppressions de septembre).")
    else:
        spans = [s for m in _WINDOWS[kind] if (s := calendar.span(m)) is not None]
        if any(span.contains(now) for span in spans):
            return
        coming = [span for span in spans if span.end is None or span.end > now] or [
            s for m in _WINDOWS[kind]
            if (s := load_calendar(settings.home, rentree_year_of(now) + 1, uai).span(m))
            is not None]  # this year's windows past: the next year's, not last summer's
        closed = (f"Le nettoyage « {kind} » n'est permis que " + " ou ".join(
            _describe(span) for span in coming) + ".")
    force_past_gate(settings, uai, subject=f"nettoyage {kind}", now=now, force=force, by=by,
                    actor=actor, closed=closed, how="bascule cleanup … --force",
                    detail={"nettoyage": kind})


def _describe(span: Span) -> str:
    end = f" au {describe_moment(span.end)}" if span.end else ""
    return f"du {describe_moment(span.start)}{end}"


def plan_cleanup(settings: Settings, uai: str, kind: str, *, now: datetime, force: bool,
                 by: str | None, actor: str) -> CleanupPlan:
    """What the cleanup would archive then remove, saved for `cleanup apply`."""
    kind = parse_choice(kind, CLEANUPS, "nettoyage", "TYPE")
    _require(settings, uai, kind, by)
    _window(settings, uai, kind, now, force=force, by=by, actor=actor)
    school = settings.spaces_root / uai
    items = _items(settings, uai, kind, school)
    plan = CleanupPlan(uai=uai, kind=kind, created_at=now.isoformat(),
                       archive=f"{local_time(now):%Y%m%d-%H%M%S}-{kind}", items=tuple(items))
    path = _plan_path(settings, uai)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(plan.to_json(), encoding="utf-8")
    return plan


def _items(settings: Settings, uai: str, kind: str, school: Path) -> list[Item]:
    spaces = school_spaces(settings, uai, allocate=False).spaces
    if kind == "classes":
        year_end = school / YEAR_END
        retired = sorted(p.relative_to(school).as_posix() for p in year_end.glob("*/*/*")
                         if p.is_dir()) if year_end.is_dir() else []
        return (items_for(school, [s.relative for s in spaces if s.kind in (
                    SpaceKind.CLASS, SpaceKind.COMMON)], whole=False)
                + items_for(school, retired, whole=True))
    if kind == "personnels":
        return items_for(school, [s.relative for s in spaces if s.kind in (
            SpaceKind.STAFF_ROOM, SpaceKind.MEDIAPROF)], whole=False)
    if kind == "departs":
        return items_for(school, _deleted_folders(settings, uai, school), whole=True)
    return [Item(source=f"campagne:{campaign_id}", whole=True, size=0, files=1)
            for campaign_id, _year, _at in older_campaigns(
                open_store(settings.store_url), uai, settings.imports_kept)]


def _deleted_folders(settings: Settings, uai: str, school: Path) -> list[str]:
    """Personal folders whose account was deleted; an élève who came back is active again."""
    logins = deleted_logins(open_store(settings.store_url), uai)
    return [f"{folder}/{name}" for folder in ("Eleves", "Profs", "Personnels")
            if (school / folder).is_dir()
            for name in sorted(p.name for p in (school / folder).iterdir()) if name in logins]


def apply_saved_cleanup(settings: Settings, uai: str, *, now: datetime, force: bool,
                        by: str | None, actor: str,
                        on_item: Callable[[Item], None] = lambda _item: None) -> CleanupPlan:
    path = _plan_path(settings, uai)
    if not path.is_file():
        raise UserError("Aucun nettoyage à appliquer.",
                        hint="Préparez-le et relisez-le d'abord : bascule cleanup plan TYPE")
    plan = CleanupPlan.from_json(path.read_text(encoding="utf-8"))
    _require(settings, uai, plan.kind, by)
    _window(settings, uai, plan.kind, now, force=force, by=by, actor=actor)
    if plan.kind == "imports":
        _archive_campaigns(settings, uai, plan, on_item)
    else:
        apply_cleanup(settings.spaces_root / uai, archives_root(settings, uai), plan, on_item)
    engine = open_store(settings.store_url)
    with engine.begin() as connection:
        journal_entry(connection, uai, "nettoyage", plan.kind, by or actor, now,
                      {"éléments": len(plan.items), "octets": plan.size,
                       "archive": str(archives_root(settings, uai) / plan.archive)})
    path.unlink()
    return plan


def _archive_campaigns(settings: Settings, uai: str, plan: CleanupPlan,
                       on_item: Callable[[Item], None]) -> None:
    """Each old campaign to a gzip JSON file, read back, then out of the store."""
    engine = open_store(settings.store_url)
    folder = archives_root(settings, uai) / plan.archive
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "plan.json").write_text(plan.to_json(), encoding="utf-8")
    for item in plan.items:
        campaign_id = int(item.source.split(":")[1])
        target = folder / f"campagne-{campaign_id}.json.gz"
        try:
            document = staged_document(engine, campaign_id)
        except NoResultFound:  # archived and dropped by an interrupted earlier run
            on_item(item)
            continue
        target.write_bytes(gzip.compress(document.encode("utf-8")))
        if gzip.decompress(target.read_bytes()).decode("utf-8") != document:
            raise UserError(f"L'archive {target} ne se relit pas : rien n'a été retiré.")
        drop_campaign(engine, campaign_id)
        on_item(item)


def purge(settings: Settings, uai: str, *, now: datetime) -> list[Path]:
    return purge_archives(archives_root(settings, uai),
                          older_than=now - settings.archive_retention)


