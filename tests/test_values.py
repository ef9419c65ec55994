"""quick_init (bascule/values.py): every class that uses it is made exactly as dataclasses' own
`__init__` makes it, and stays a frozen dataclass."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pickle
import pkgutil
from dataclasses import dataclass, field
from typing import Any

import pytest

import bascule
from bascule.values import quick_init


def _quick_classes() -> list[type]:
    found: dict[str, type] = {}
    for module_info in pkgutil.walk_packages(bascule.__path__, "bascule."):
        if ".migrations" in module_info.name or module_info.name.endswith("__main__"):
            continue
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if isinstance(value, type) and hasattr(value.__init__, "dataclass_init"):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[name] for name in sorted(found)]


QUICK = _quick_classes()


def test_the_hot_values_use_it() -> None:
    names = {cls.__name__ for cls in QUICK}
    assert {"Action", "Fact", "SourceId", "Identity", "DesiredPerson", "LoginHolding", "Eleve",
            "Responsable", "Guardianship", "EleveRecord", "PersonneRecord", "Location"} <= names


def _made(cls: type, init: Any, args: tuple[object, ...], kwargs: dict[str, object]) -> object:
    """`cls` made by `init`, or the type of what it raised."""
    value = object.__new__(cls)
    try:
        init(value, *args, **kwargs)
    except Exception as exc:  # compared between the two __init__s
        return type(exc)
    return tuple(getattr(value, f.name, "<unset>") for f in dataclasses.fields(cls))


@pytest.mark.parametrize("cls", QUICK, ids=lambda cls: cls.__name__)
def test_made_as_dataclasses_makes_it(cls: type) -> None:
    quick, original = cls.__init__, cls.__init__.dataclass_init  # type: ignore[misc]
    assert inspect.signature(quick) == inspect.signature(original)
    parameters = list(inspect.signature(original).parameters.values())[1:]
    every = {p.name: object() for p in parameters}  # each value its own, to tell them apart
    required = {p.name: every[p.name] for p in parameters if p.default is p.empty}
    for kwargs in (every, required):
        assert _made(cls, quick, (), kwargs) == _made(cls, original, (), kwargs)
    positional = [p for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD]
    if positional:
        args = tuple(every[p.name] for p in positional)
        rest = {name: value for name, value in every.items()
                if name not in {p.name for p in positional}}
        assert _made(cls, quick, args, rest) == _made(cls, original, args, rest)
    assert _made(cls, quick, (), {}) == _made(cls, original, (), {}) or not required


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class _Sample:
    name: str
    tags: list[str] = field(default_factory=list)
    note: str = "n"
    derived: int = field(init=False, default=0)
    later: list[str] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        object.__setattr__(self, "derived", len(self.name))


def test_defaults_factories_post_init_and_frozenness() -> None:
    made = _Sample(name="abc")
    assert made == _Sample(name="abc", tags=[], note="n")
    assert (made.tags, made.note, made.derived, made.later) == ([], "n", 3, [])
    assert made.tags is not _Sample(name="x").tags  # a new list each time, as the factory makes
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.name = "other"  # type: ignore[misc]
    assert dataclasses.replace(made, name="abcd").derived == 4
    assert pickle.loads(pickle.dumps(made)) == made
    with pytest.raises(TypeError):
        _Sample()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        _Sample("abc")  # type: ignore[misc]


def test_only_frozen_slotted_dataclasses_without_init_vars() -> None:
    @dataclass(frozen=True)
    class NoSlots:
        x: int

    @dataclass(slots=True)
    class NotFrozen:
        x: int

    @dataclass(frozen=True, slots=True)
    class WithInitVar:
        x: int
        y: dataclasses.InitVar[int]

    for cls in (NoSlots, NotFrozen, WithInitVar):
        with pytest.raises(TypeError):
            quick_init(cls)
