"""quick_init: a frozen dataclass made at the cost of a plain one (issue 22).

A frozen dataclass's `__init__` sets each field by `object.__setattr__(self, name, value)`:
the frozen class's own `__setattr__` refuses, so it goes round it, and the generic setter
looks the name up in the class for every field of every value. A first rollover of ten
collèges makes some 400,000 values this way (records, élèves, desired people, actions, facts):
an eighth of its CPU was spent in those `__init__`s (a sampling profile, docs/
rollover-measurements.md, eighth session).

`quick_init` gives such a class (frozen, with slots) an `__init__` of the very same signature
that sets each slot through its descriptor, found once: about half the time. The class stays a
frozen dataclass in every other way (fields, equality, hash, order, `replace`, pickling,
`FrozenInstanceError` on assignment); defaults, default factories, fields left out of
`__init__` and `__post_init__` behave as dataclasses' own `__init__` makes them behave
(tests/test_values.py compares both, field by field, on every class that uses it).
No SQL, XML or I/O here: every layer, the pure core included, may use it.
"""

from __future__ import annotations

import dataclasses
import inspect
import types
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def quick_init(cls: type[T]) -> type[T]:
    """`cls` (a frozen dataclass with slots) with the quicker `__init__`; the one dataclasses
    made stays reachable as `cls.__init__.dataclass_init` (for the tests)."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        raise TypeError(f"quick_init: {cls.__name__} is not a frozen dataclass with slots")
    original = cls.__init__
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    parameters = list(inspect.signature(original).parameters.values())[1:]
    if [p.name for p in parameters] != [f.name for f in fields if f.init] or any(
            f.name == "self" or f.name.startswith(("_set_", "_default_", "_factory_"))
            for f in fields):
        # An InitVar (a parameter that is no field), or a field named like the names below.
        raise TypeError(f"quick_init: {cls.__name__}'s parameters are not plain fields")
    namespace: dict[str, Any] = {}
    signature, body = ["self"], []
    for parameter in parameters:
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY and "*" not in signature:
            signature.append("*")
        if parameter.default is inspect.Parameter.empty:
            signature.append(parameter.name)
        else:  # dataclasses' own default (for a default factory, its marker)
            namespace[f"_default_{parameter.name}"] = parameter.default
            signature.append(f"{parameter.name}=_default_{parameter.name}")
    for field in fields:
        namespace[f"_set_{field.name}"] = _slot(cls, field.name).__set__
        factory = field.default_factory
        if factory is not dataclasses.MISSING:
            namespace[f"_factory_{field.name}"] = factory
        if field.init:
            if factory is not dataclasses.MISSING:
                body.append(f"if {field.name} is _default_{field.name}: "
                            f"{field.name} = _factory_{field.name}()")
            body.append(f"_set_{field.name}(self, {field.name})")
        elif factory is not dataclasses.MISSING:
            body.append(f"_set_{field.name}(self, _factory_{field.name}())")
        elif field.default is not dataclasses.MISSING:
            namespace[f"_default_{field.name}"] = field.default
            body.append(f"_set_{field.name}(self, _default_{field.name})")
    if hasattr(cls, "__post_init__"):
        body.append("self.__post_init__()")
    source = (f"def __init__({', '.join(signature)}):\n"
              + "".join(f"    {line}\n" for line in body or ["pass"]))
    exec(source, namespace)
    init: Callable[..., None] = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__annotations__ = original.__annotations__
    init.dataclass_init = original  # type: ignore[attr-defined]
    cls.__init__ = init  # type: ignore[method-assign]
    return cls


def _slot(cls: type, name: str) -> types.MemberDescriptorType:
    for klass in cls.__mro__:
        descriptor = klass.__dict__.get(name)
        if isinstance(descriptor, types.MemberDescriptorType):
            return descriptor
    raise TypeError(f"quick_init: {cls.__name__}.{name} is not a slot")
