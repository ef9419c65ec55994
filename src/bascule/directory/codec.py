"""Snapshot <-> JSON by cattrs: a staged campaign is a value, stored whole, read back equal."""

from __future__ import annotations

import json

from cattrs.preconf.json import make_converter

from bascule.snapshot.model import Snapshot

_converter = make_converter()


def snapshot_to_json(snapshot: Snapshot) -> str:
    return json.dumps(_converter.unstructure(snapshot), ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"))


def snapshot_from_json(document: str) -> Snapshot:
    return _converter.structure(json.loads(document), Snapshot)
