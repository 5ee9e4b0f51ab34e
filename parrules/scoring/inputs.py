"""What a unit brings to one criterion, and which value its rule scores.

A criterion's input is the unit's declared answer, or the figure an evidence check verified in the
records, or one of the outcomes the engine settles itself without calling the rule: nothing to
score (`MISSING`), not applicable (`NOT_APPLICABLE`), a check that failed (`CheckFailed`), or points
the set fixes when a check finds no value (`FixedPoints`). Each outcome is a distinct object, told
apart by type or identity, never by a string that happens to be equal.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from parrules.amounts import ZERO
from parrules.messages import say
from parrules.plugins.contracts import Measurement
from parrules.sets.criteria_set import Node
from parrules.submissions.submission import NA, UNANSWERED


class _Marker:
    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return self._name


MISSING: Any = UNANSWERED
"""No answer, no self-assessment, no value."""

NOT_APPLICABLE: Any = _Marker("<not applicable>")
"""The criterion does not apply to the unit (declared "na", a set that marks it so, an appraisal)."""

SET_NOT_APPLICABLE: Any = _Marker("<not applicable by the set>")
"""What a unit that left a criterion unanswered 'declares' when the set says it does not apply: read
as "na", but not shown as something the unit declared."""


class CheckFailed:
    """An evidence check that failed or gave nothing for a unit: its criterion errors."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


class FixedPoints:
    """Points the set fixes when a check has no value (if_no_value = "full" or "zero")."""

    __slots__ = ("points",)

    def __init__(self, points: Decimal) -> None:
        self.points = points


def unanswered_reads_as(node: Node) -> Any:
    """What an unanswered criterion declares: nothing, or "na" where the set says it does not apply."""
    return MISSING if node.spec.applicable else SET_NOT_APPLICABLE


def declares_na(declared: Any) -> bool:
    """Whether a declared answer says the criterion does not apply."""
    return declared is SET_NOT_APPLICABLE or (type(declared) is str and declared == NA)


def shown_declared(declared: Any) -> Any:
    """The declared answer as results show it (None where the unit declared nothing)."""
    return None if declared is MISSING or declared is SET_NOT_APPLICABLE else declared


def settled(value: Any) -> bool:
    """Values the engine settles itself, without the rule: missing, N/A, failed checks, fixed points."""
    return value is MISSING or value is NOT_APPLICABLE or isinstance(value, (CheckFailed, FixedPoints))


def declared_input(declared: Any, needs_input: bool) -> Any:
    """The rule's input for a criterion no check measures: the declared answer."""
    if declares_na(declared):
        return NOT_APPLICABLE
    return declared if needs_input else MISSING


def checked_input(node: Node, declared: Any, found: Measurement | CheckFailed | None, policy: str,
                  needs_input: bool, measured: bool) -> tuple[Any, Any, str]:
    """(the rule's input, the verified figure, the check's trail) for a criterion a check measures.

    `policy` is the set's `declared_vs_verified`: which figure is scored when the unit declared one
    and the records show another. `measured` says whether the check ran at all for this criterion.
    """
    assert node.check is not None
    if declares_na(declared):
        return NOT_APPLICABLE, MISSING, ""
    if not measured:
        return (declared if needs_input else MISSING), MISSING, ""
    if found is None:
        return CheckFailed(say("check.nothing_for_unit", check=node.check.name)), MISSING, ""
    if isinstance(found, CheckFailed):
        return found, MISSING, ""
    metric = node.metric or ""
    verified = found.metrics.get(metric)
    trail = found.explain(metric)
    if verified is None:
        rule = node.spec.if_no_value
        value = {"not_evaluated": MISSING, "not_applicable": NOT_APPLICABLE, "full": FixedPoints(node.max_points),
                 "zero": FixedPoints(ZERO)}[rule]
        return value, verified, trail  # stages.fixed_points_trail says what the set fixes
    if policy == "declared" and declared is not MISSING:
        return declared, verified, trail
    return verified, verified, trail
