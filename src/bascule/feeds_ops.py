"""Feeds to the other platforms, from the store: the GAR files, the ENT's AAF export (on the
calendar: not before the ENT's resumption unless an operator forces it)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from bascule.calendars import load_calendar
from bascule.directory.people import overrides
from bascule.directory.store import latest_staged_sha256, open_store
from bascule.domain.access import CLOSED_PROFILES, ent_access
from bascule.domain.calendar import Milestone, allowed_at, rentree_year_of
from bascule.domain.school import describe_moment, local_time
from bascule.feeds.aaf import export_aaf
from bascule.feeds.gar import GarExport, export_gar
from bascule.feeds.store import FeedSchool, feed_school
from bascule.pipeline import force_past_gate, nothing_imported, school_name
from bascule.settings import Settings


def _schools(settings: Settings, uais: list[str]) -> list[FeedSchool]:
    engine = open_store(settings.store_url)
    schools = []
    for uai in uais:
        if latest_staged_sha256(engine, uai) is None:
            raise nothing_imported(uai)
        with engine.begin() as connection:  # feed ids given to newcomers are kept
            schools.append(feed_school(connection, uai, school_name(settings, uai)))
    return schools


def feed_gar(settings: Settings, uais: list[str], out: Path, *, now: datetime,
             ent: str = "BASCULE", max_nodes: int = 10_000) -> GarExport:
    return export_gar(_schools(settings, uais), out, ent=ent, now=local_time(now),
                      max_nodes=max_nodes)


@dataclass(frozen=True, slots=True)
class EntExport:
    files: dict[str, Path]
    access: Path  # the rentrée closure's state per profile, for the ENT


def feed_ent(settings: Settings, uai: str, out: Path, *, now: datetime, force: bool,
             by: str | None, actor: str) -> EntExport:
    calendar = load_calendar(settings.home, rentree_year_of(now), uai)
    if not allowed_at(calendar, now).imports_to_ent:
        resumes = calendar.start(Milestone.ENT_RESUMES)
        when = describe_moment(resumes) if resumes else "la date du calendrier"
        force_past_gate(settings, uai, subject="ENT", now=now, force=force, by=by, actor=actor,
                        closed=f"Les imports vers l'ENT sont suspendus pour l'été : ils "
                               f"reprennent le {when}.", how="bascule feed ent --force",
                        detail={"suspension": "imports vers l'ENT", "reprise": when})
    (school,) = _schools(settings, [uai])
    files = export_aaf(school, out, now=local_time(now))
    with open_store(settings.store_url).connect() as connection:
        made = overrides(connection, uai)
    state = {profile: asdict(ent_access(profile, "active", calendar, made, now))
             for profile in (*CLOSED_PROFILES, "enseignant")}
    access = out / f"ENT_{uai}_acces_{local_time(now):%Y%m%d}.json"
    access.write_text(json.dumps({"uai": uai, "at": now.isoformat(), "profiles": state},
                                 ensure_ascii=False, indent=1), encoding="utf-8")
    return EntExport(files=files, access=access)
