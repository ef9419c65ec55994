"""feed ent writes AAF like the académie's: read back by bascule's AAF reader, it gives the same
campaign (people, ids, structures, memberships, services, PP, parents' links) and accounts."""

from __future__ import annotations

import json
from pathlib import Path

from lxml import etree

from bascule.settings import load_settings
from bascule.snapshot.model import Snapshot
from bascule.store.engine import open_store
from bascule.store.staging import latest_snapshot
from tests.conftest import ROLLOVER_AT, UAI, Cli, Files, apply_campaign


def _snapshot(cli: Cli) -> Snapshot:
    staged = latest_snapshot(open_store(load_settings(cli.home).store_url), UAI)
    assert staged is not None
    return staged.snapshot


def _facts(snapshot: Snapshot, with_accounts: set[tuple[str, str]]) -> dict[str, object]:
    """What the campaign says of the people who have an account, by name (ids differ)."""
    staff = {member.key: (member.last_name, member.first_name) for member in snapshot.staff}
    parents = {r.personne_id: r for r in snapshot.responsables
               if (r.last_name, r.first_name) in with_accounts}
    return {
        "eleves": sorted((e.eleve_id, e.any_ine, e.last_name, e.birth_name, e.first_name,
                          e.other_first_names, e.birth_date, e.sex, e.mef, e.division, e.groups,
                          e.subjects) for e in snapshot.active_eleves),
        "divisions": sorted((d.code, d.label) for d in snapshot.divisions),
        "groups": sorted((g.code, g.label) for g in snapshot.groups),
        "staff": sorted((m.last_name, m.birth_name, m.first_name, m.birth_date, m.function,
                         m.disciplines, m.email) for m in snapshot.staff),
        "services": sorted((staff[s.teacher], s.structure_code, s.structure_kind, s.subject_code)
                           for s in snapshot.services),
        "pp": sorted((staff[p.teacher], p.division) for p in snapshot.profs_principaux),
        "responsables": sorted((r.last_name, r.birth_name, r.first_name, r.civility, r.email)
                               for r in parents.values()),
        "links": sorted((g.eleve_id, parents[g.personne_id].last_name,
                         parents[g.personne_id].first_name, g.level, g.parente)
                        for g in snapshot.guardianships if g.personne_id in parents),
    }


def _accounts(cli: Cli) -> list[tuple[object, ...]]:
    rows = json.loads(cli("accounts", "--json").stdout)
    return sorted((r["profile"], r["login"], r["educonnect"], r["status"], r["last_name"],
                   r["first_name"], r["birth_date"], r["division"], tuple(r["groups"]), r["ine"])
                  for r in rows)


def test_feed_ent_read_back_gives_the_same_campaign_and_accounts(
        home_cli: Cli, files: Files, tmp_path: Path) -> None:
    apply_campaign(home_cli, files)
    out = tmp_path / "ent"
    assert home_cli("feed", "ent", "--out", out, "--at", ROLLOVER_AT).exit_code == 0
    structure = etree.parse(str(next(out.glob("*_EtabEducNat_0000.xml")))).getroot()
    assert structure.findtext("addRequest/operationalAttributes/attr/value") == "EtabEducNat"
    titles = {v.text for v in etree.parse(str(next(out.glob("*_Eleve_0000.xml")))).iter("value")}
    assert {"Mme", "M."} <= titles

    fed = Cli(home=tmp_path / "fed", runner=home_cli.runner)
    assert fed("init", "--uai", UAI, "--name", "Collège Jean Moulin").exit_code == 0
    apply_campaign(fed, files, out)
    accounts = _accounts(fed)
    assert accounts == _accounts(home_cli)
    names = {(row[4], row[5]) for row in accounts}
    original, read_back = _snapshot(home_cli), _snapshot(fed)
    assert _facts(read_back, names) == _facts(original, names)
    assert read_back.from_aaf and all(e.aaf_jointure for e in read_back.eleves)
