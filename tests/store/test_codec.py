"""The staged campaign and the saved plan as stored (store/codec.py): read back equal, hashed the
same in every process, and the JSON of older stores still read."""

from __future__ import annotations

import json
import pickle
import shutil
import subprocess
import sys
import zlib
from datetime import UTC, date, datetime
from pathlib import Path

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bascule.domain.school import SchoolYear
from bascule.errors import Location, UserError
from bascule.operations import campaign
from bascule.plan.model import (
    Action,
    ActionKind,
    FieldChange,
    Held,
    Identity,
    MassLeave,
    Plan,
    SourceId,
)
from bascule.settings import load_settings
from bascule.snapshot.model import Snapshot
from bascule.store import codec
from bascule.store.codec import MSGPACK_ZLIB, MSGPACK_ZSTD, as_json, decode, encode, recall
from bascule.store.engine import open_store
from bascule.store.plans import approve, pending_approval, save_plan, saved_plan_value
from bascule.store.staging import latest_snapshot
from tests.conftest import UAI, Cli, Files

NOW = datetime(2026, 9, 10, 10, tzinfo=UTC)
PREVIOUS = Path(__file__).parents[1] / "fixtures" / "stores" / "previous-layout-5433b71.sqlite"
settings.register_profile("codec", max_examples=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])


# MessagePack holds integers of 64 bits: every number of a plan or campaign fits.
COUNTS = st.integers(0, 10**9)
st.register_type_strategy(SchoolYear, st.builds(SchoolYear, st.integers(1900, 2200)))
st.register_type_strategy(Location, st.builds(
    Location, file=st.text(), line=st.none() | COUNTS, record=st.none() | st.text(),
    field=st.none() | st.text()))
st.register_type_strategy(MassLeave, st.builds(MassLeave, profile=st.text(), unexpected=COUNTS,
                                               active=COUNTS))
PLANS = st.from_type(Plan).map(lambda plan: Plan(**{**_fields(plan), "undoes": 1})
                               if plan.undoes is not None and abs(plan.undoes) >= 2**62 else plan)


def _fields(plan: Plan) -> dict[str, object]:
    return {name: getattr(plan, name) for name in Plan.__dataclass_fields__}


def _plan(*actions: Action, at: datetime = datetime(2026, 9, 2, 8, tzinfo=UTC)) -> Plan:
    return Plan(uai=UAI, school_year=SchoolYear(2026), computed_at=at, state_fingerprint="3:ab",
                actions=actions)


def _update(person: str = "eleve:1", *changes: FieldChange) -> Action:
    identity = Identity(last_name="MARTIN", birth_name=None, first_name="Léa",
                        birth_date=date(2013, 3, 14), email=None, function=None, profile="eleve")
    return Action(kind=ActionKind.UPDATE, person=person, profile="eleve", label="MARTIN Léa",
                  identity=identity, source_ids=(SourceId("ine", "1234567890A"),),
                  changes=changes)


@settings(settings.get_profile("codec"))
@given(plan=PLANS)
def test_any_plan_is_read_back_equal(plan: Plan) -> None:
    encoded = encode(plan)
    assert encoded.data[:1] == MSGPACK_ZSTD
    assert decode(encoded.data, Plan) == plan
    assert encode(decode(encoded.data, Plan)).sha256 == encoded.sha256


@settings(settings.get_profile("codec"))
@given(snapshot=st.from_type(Snapshot))
def test_any_campaign_is_read_back_equal(snapshot: Snapshot) -> None:
    assert decode(encode(snapshot).data, Snapshot) == snapshot


def test_the_hash_names_the_content_and_is_the_same_in_another_process(tmp_path: Path) -> None:
    plan = _plan(_update("eleve:1", FieldChange("last_name", "MARTINE", "MARTIN")),
                 _update("eleve:2"))
    other = _plan(_update("eleve:1", FieldChange("last_name", "MARTINE", "MARTINS")),
                  _update("eleve:2"))
    assert encode(plan).sha256 == encode(_plan(*plan.actions)).sha256
    assert encode(other).sha256 != encode(plan).sha256
    pickled = tmp_path / "plan.pickle"
    pickled.write_bytes(pickle.dumps(plan))
    probe = ("import pickle, sys; from bascule.store.codec import encode; "
             "print(encode(pickle.loads(open(sys.argv[1], 'rb').read())).sha256)")
    for seed in ("1", "2"):  # sets and dicts would come in another order
        found = subprocess.run([sys.executable, "-c", probe, str(pickled)], check=True,
                               capture_output=True, text=True, env={"PYTHONHASHSEED": seed})
        assert found.stdout.strip() == encode(plan).sha256


def test_what_an_older_version_compressed_with_zlib_is_read_back() -> None:
    plan = _plan(_update("eleve:1", FieldChange("division", "6A", "5A")), _update("eleve:2"))
    older = MSGPACK_ZLIB + zlib.compress(msgspec.msgpack.encode(plan), 1)
    assert decode(older, Plan) == plan
    with pytest.raises(ValueError):
        decode(MSGPACK_ZLIB + b"not zlib at all", Plan)
    with pytest.raises(ValueError):
        decode(encode(plan).data[:-5], Plan)  # a truncated zstd frame


def test_a_plan_is_stored_in_a_tenth_of_its_json() -> None:
    plan = _plan(*(_update(f"eleve:{n}", FieldChange("division", "6A", "5A"))
                   for n in range(500)))
    assert len(encode(plan).data) * 10 < len(msgspec.json.encode(plan))


def test_a_value_this_process_holds_is_not_read_again() -> None:
    plan = _plan(_update())
    encoded = encode(plan)
    assert recall(encoded.sha256, Plan, lambda: pytest.fail("read again")) is plan
    assert recall("0" * 64, Plan, lambda: encoded.data) == plan


def _cattrs_json(value: object) -> str:
    """The JSON of the cattrs converter bascule used before msgspec (its exact shape)."""
    return json.dumps(json.loads(msgspec.json.encode(value).replace(b"Z\"", b"+00:00\"")),
                      ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def test_json_saved_by_an_older_version_is_read_back() -> None:
    plan = _plan(_update("eleve:1", FieldChange("last_name", "A", "B")))
    document = _cattrs_json(plan)
    assert '"computed_at":"2026-09-02T08:00:00+00:00"' in document
    assert decode(document.encode(), Plan) == plan
    assert as_json(document.encode(), Plan) == document  # archived as it was


def test_a_plan_saved_before_field_changes_is_read_back() -> None:
    plan = _plan(_update("eleve:1", FieldChange("last_name", "A", "B")))
    document = _cattrs_json(plan).replace('{"field":"last_name","new":"B","old":"A"}',
                                          '["last_name","A","B"]')
    assert '["last_name","A","B"]' in document
    assert decode(document.encode(), Plan) == plan


def test_unknown_data_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown stored format"):
        decode(b"\x03abc", Plan)


def test_a_store_of_cattrs_json_is_migrated_and_read(tmp_path: Path) -> None:
    copy = tmp_path / "bascule.sqlite"
    shutil.copyfile(PREVIOUS, copy)
    engine = open_store(f"sqlite:///{copy}")
    staged = latest_snapshot(engine, UAI)
    assert staged is not None
    assert staged.content_sha256.startswith("28d06235e4ab")  # its hash is kept
    assert len(staged.snapshot.eleves) == 7
    with engine.connect() as connection:
        plan = saved_plan_value(connection, 1)
    assert plan is not None and plan.uai == UAI
    assert {action.kind for action in plan.actions} >= {ActionKind.CREATE}


def test_held_people_keep_their_location() -> None:
    held = Held(key="eleve:9", label="DURAND Jo", reason="date impossible",
                location=Location(file="ElevesSansAdresses.xml", line=12, record="9"))
    plan = Plan(**{**_fields(_plan()), "held": (held,)})
    assert decode(encode(plan).data, Plan).held == (held,)


def test_an_approval_binds_the_plan_of_its_hash_only(home_cli: Cli, files: Files) -> None:
    """Approve a plan, then another plan is saved: the approval does not carry over to it, and
    applying "the approved plan" applies nothing."""
    assert home_cli("import", *files()).exit_code == 0
    settings = load_settings(home_cli.home)
    engine = open_store(settings.store_url)
    first = campaign.plan_campaign(settings, UAI, now=NOW)
    waiting = pending_approval(engine, UAI)
    assert waiting is not None and waiting.content_sha256 == encode(first).sha256
    assert approve(engine, waiting.plan_id, waiting.content_sha256, "idasilva", NOW)
    second = Plan(**{**_fields(first), "actions": first.actions[1:]})
    assert save_plan(engine, second) != waiting.content_sha256
    newer = pending_approval(engine, UAI)
    assert newer is not None and newer.approved_by is None
    assert not approve(engine, newer.plan_id, waiting.content_sha256, "idasilva", NOW)
    with pytest.raises(UserError, match="a changé depuis votre lecture"):
        campaign.apply_saved_plan(settings, UAI, now=NOW, actor="idasilva",
                                  approved_sha256=waiting.content_sha256)
    assert campaign.accounts(settings, UAI) == []


def test_import_plan_and_apply_in_one_process_decode_nothing(
        home_cli: Cli, files: Files, monkeypatch: pytest.MonkeyPatch) -> None:
    decoded: list[type] = []
    original = codec.decode
    monkeypatch.setattr(codec, "decode", lambda data, kind: decoded.append(kind) or original(
        data, kind))
    settings = load_settings(home_cli.home)
    campaign.import_exports(settings, files(), now=NOW)
    assert not campaign.plan_campaign(settings, UAI, now=NOW).is_empty
    applied = campaign.apply_saved_plan(settings, UAI, now=NOW, actor="cdurand")
    assert applied.counts["create"] == 13
    assert decoded == []  # the campaign staged, then the plan saved, were handed over
