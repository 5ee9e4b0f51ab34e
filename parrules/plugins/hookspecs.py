"""The hook specifications: every way a plugin can extend parrules, in one place.

Hooks follow the register-callback pattern: the hook receives a `register` function and calls it once
per item, so one plugin can add many rule kinds or checks, and parrules validates each item as it is
registered (its name, its callable, its parameter JSON Schema).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("parrules")
hookimpl = pluggy.HookimplMarker("parrules")


@hookspec
def register_rule_kinds(register: Callable[..., Any]) -> None:
    """Register scoring rule kinds.

    Call ``register(name, score, *, description, params_schema=None, input_schema=None,
    validate=None, needs_input=True, role="base")`` once per rule kind. ``score(leaf, values)``
    receives a `parrules.Leaf` and one input value per unit and returns one `parrules.Scored` per
    value. See docs/plugins.md.
    """


@hookspec
def register_checks(register: Callable[..., Any]) -> None:
    """Register evidence checks.

    Call ``register(name, evaluate, *, description, metrics, params_schema=None)`` once per check.
    ``evaluate(units, params)`` receives every unit's `parrules.UnitEvidence` at once (one pass over
    shared data files) and returns ``{unit_code: Measurement | Exception}``.
    """
