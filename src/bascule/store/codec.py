"""Values <-> JSON by cattrs: a staged campaign or a saved plan is stored whole, read back equal."""

from __future__ import annotations

import json
from typing import TypeVar

from cattrs.preconf.json import make_converter

from bascule.plan.model import FieldChange

_converter = make_converter()
T = TypeVar("T")


def _field_change(value: object, _kind: object) -> FieldChange:
    """A plan saved before FieldChange held each change as a [field, before, after] list."""
    if isinstance(value, list | tuple):
        return FieldChange(*value)
    assert isinstance(value, dict)
    return FieldChange(**value)


_converter.register_structure_hook(FieldChange, _field_change)


def to_json(value: object) -> str:
    return json.dumps(_converter.unstructure(value), ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"))


def from_json(document: str, kind: type[T]) -> T:
    return _converter.structure(json.loads(document), kind)
