"""Values <-> JSON by cattrs: a staged campaign or a saved plan is stored whole, read back equal."""

from __future__ import annotations

import json
from typing import TypeVar

from cattrs.preconf.json import make_converter

_converter = make_converter()
T = TypeVar("T")


def to_json(value: object) -> str:
    return json.dumps(_converter.unstructure(value), ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"))


def from_json(document: str, kind: type[T]) -> T:
    return _converter.structure(json.loads(document), kind)
