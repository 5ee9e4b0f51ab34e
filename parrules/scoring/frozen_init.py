"""A cheaper constructor for frozen, slotted result dataclasses.

A frozen dataclass's generated `__init__` sets each field through `object.__setattr__`, which looks
the name up on every call; a run builds result objects by the tens of thousands, and that lookup is
most of their cost. `cheap_init` replaces the constructor with one that stores each argument through
its slot's descriptor directly. The class stays exactly what `@dataclass(frozen=True, slots=True)`
made it — same signature and defaults, same equality, repr and immutability — and the generated
code is built, as dataclasses builds its own, from the class's field names only, never from input.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T")


def cheap_init(cls: type[T]) -> type[T]:
    """Give a frozen, slotted dataclass a constructor that stores through the slot descriptors."""
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    if hasattr(cls, "__post_init__") or any(not f.init or f.kw_only for f in fields):
        raise TypeError(f"{cls.__name__}: cheap_init handles plain positional fields only")
    namespace: dict[str, Any] = {}
    params = []
    for f in fields:
        if f.default_factory is not dataclasses.MISSING:
            raise TypeError(f"{cls.__name__}.{f.name}: default_factory is not supported here")
        namespace[f"_set_{f.name}"] = getattr(cls, f.name).__set__
        if f.default is dataclasses.MISSING:
            params.append(f.name)
        else:
            namespace[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
    body = "".join(f"    _set_{f.name}(self, {f.name})\n" for f in fields) or "    pass\n"
    exec(f"def __init__(self, {', '.join(params)}):\n{body}", namespace)  # noqa: S102 - field names only
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__annotations__ = dict(getattr(cls.__init__, "__annotations__", {}))
    init.__doc__ = cls.__init__.__doc__
    cls.__init__ = init  # type: ignore[misc]
    return cls
