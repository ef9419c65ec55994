"""Feeds to the other platforms, from the store: the GAR files, the ENT's AAF export (on the
calendar: not before the ENT's resumption unless an operator forces it)."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from bascule.domain.access import CLOSED_PROFILES, ent_access
from bascule.domain.calendar import Milestone, allowed_at, rentree_year_of
from bascule.domain.school import SchoolYear, describe_moment, local_time
from bascule.feeds.aaf import export_aaf
from bascule.feeds.gar import GarExport as GarExport
from bascule.feeds.gar import export_gar
from bascule.feeds.moodle import cohorts_csv, users_csv
from bascule.feeds.store import FeedSchool, feed_school
from bascule.operations.calendars import load_calendar
from bascule.operations.campaign import force_past_gate, nothing_imported, school_name
from bascule.reports.credentials import write_private
from bascule.reports.educonnect import Sheet, division_sheets
from bascule.reports.slips import SlipHeader, slip_file_name
from bascule.reports.tables import csv_for_people
from bascule.settings import Settings
from bascule.store.engine import open_store
from bascule.store.login_collisions import shared_educonnect
from bascule.store.people import overrides
from bascule.store.staging import latest_staged_sha256
from bascule.verification.model import (
    SHARED_EDUCONNECT_ACTION,
    SHARED_EDUCONNECT_TITLE,
    shared_login_line,
)


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


def feed_moodle(settings: Settings, uai: str, out: Path, *, auth: str = "cas"
                ) -> tuple[Path, Path]:
    (school,) = _schools(settings, [uai])
    out.mkdir(parents=True, exist_ok=True)
    users, cohort_file = out / f"moodle-utilisateurs-{uai}.csv", out / f"moodle-cohortes-{uai}.csv"
    users.write_text(users_csv(school, auth=auth), encoding="utf-8")
    cohort_file.write_text(cohorts_csv(school), encoding="utf-8")
    return users, cohort_file


def feed_educonnect(settings: Settings, uai: str, out: Path, *, now: datetime) -> list[Path]:
    """A CSV of the p.nom ids, and one PDF of sheets per division, mode 0600 (names and ids of
    children)."""
    (school,) = _schools(settings, [uai])
    sheets = educonnect_sheets(school)
    out.mkdir(parents=True, exist_ok=True)
    header = SlipHeader(school_name=school.name, uai=uai,
                        school_year=str(SchoolYear.containing(local_time(now).date())))
    table = csv_for_people(
        ["division", "eleve", "identifiant_eleve", "representant", "identifiant_representant"],
        ([s.division, s.label, s.educonnect, who, identifier]
         for s in sheets for who, identifier in (s.representatives or (("", ""),))))
    written = [out / f"educonnect-{uai}.csv"]
    write_private(written[0], table.encode("utf-8-sig"))
    by_division: dict[str, list[Sheet]] = defaultdict(list)
    for sheet in sheets:
        by_division[sheet.division].append(sheet)
    taken: set[str] = set()
    for division, group in sorted(by_division.items()):
        path = out / slip_file_name(division, taken).replace("fiches-", "educonnect-")
        write_private(path, division_sheets(header, group))
        written.append(path)
    return written


def educonnect_collisions(settings: Settings, uai: str) -> list[str]:
    """The EduConnect ids of this school that another school of the folder gave someone else
    too (given before bascule made them unique in the folder), said for the operator: a title,
    one line per id, what to do; empty when there is none."""
    with open_store(settings.store_url).connect() as connection:
        shared = shared_educonnect(connection, uai)
    if not shared:
        return []
    return [f"Attention : {len(shared)} {SHARED_EDUCONNECT_TITLE[0].lower()}"
            f"{SHARED_EDUCONNECT_TITLE[1:]} (les fiches de ces personnes portent le même "
            "identifiant) :", *(f"  {shared_login_line(s)}" for s in shared),
            SHARED_EDUCONNECT_ACTION]


def educonnect_sheets(school: FeedSchool) -> list[Sheet]:
    people = {p.key: p for p in school.people}
    representatives: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for responsable, eleve, level in sorted(school.facts.guardians):
        parent = people.get(responsable)
        if level == 1 and parent is not None and parent.educonnect:
            representatives[eleve].append((f"Représentant légal : {parent.last_name} "
                                           f"{parent.first_name}", parent.educonnect))
    division_of = school.facts.division_of()
    return [Sheet(label=f"{p.last_name} {p.first_name}",
                  division=division_of.get(p.key, "sans division"), educonnect=p.educonnect,
                  representatives=tuple(representatives[p.key]))
            for p in school.people if p.profile == "eleve" and p.educonnect]
