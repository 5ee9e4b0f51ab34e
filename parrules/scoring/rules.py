"""Calling a criterion's rule: one call for the criterion's whole column of inputs, failures contained.

A rule kind (built-in or a plugin's) scores one criterion for many input values in one call. Each
distinct value is passed once. A rule that raises, or returns the wrong number of verdicts, gives
every unit of that criterion an error instead of stopping the run. What a unit reads of such a
failure is written in the voice of the run (`rules.toml`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from parrules.amounts import MAX_ADJUSTED_EXPONENT, bounded, shown, to_decimal
from parrules.messages import say
from parrules.plugins.contracts import Scored
from parrules.scoring.sharing import distinct_inputs
from parrules.sets.criteria_set import Node


def score_column(node: Node, values: list[Any], positions: list[int]) -> dict[int, Scored]:
    """The rule's verdict for each value, by the position given for it."""
    return dict(zip(positions, score_values(node, values)))


def score_values(node: Node, values: list[Any]) -> list[Scored]:
    """The rule's verdict for each value, in the order given (each distinct value scored once)."""
    assert node.rule is not None
    distinct, slots = distinct_inputs(values)
    refused = {j: reason for j, value in enumerate(distinct) if (reason := _not_a_figure(value))}
    scorable = [value for j, value in enumerate(distinct) if j not in refused] if refused else distinct
    try:
        scored = list(node.rule.score(node.leaf, scorable)) if scorable else []
        if len(scored) != len(scorable):
            raise ValueError(say("rule.wrong_count", results=len(scored), values=len(scorable)))
        if refused:  # put the refused values back in their places, as errors
            given = iter(scored)
            scored = [Scored(None, "", error=refused[j]) if j in refused else next(given) for j in range(len(distinct))]
        outcome = scored
    except KeyboardInterrupt:  # only the user's Ctrl-C stops the run
        raise
    except BaseException as exc:  # a plugin's bug, SystemExit included, must not stop the run
        failed = Scored(None, "", error=say("rule.failed", rule=node.rule.name, error=f"{type(exc).__name__}: {exc}"))
        outcome = [failed] * len(distinct)
    return list(map(outcome.__getitem__, slots))


def _not_a_figure(value: Any) -> str | None:
    """Why a number (or a number in a table) is no PAR figure, or None: such a value is never given to
    a rule, built-in or a plugin's, so it can earn nothing (see `amounts.bounded`)."""
    if value.__class__ is Decimal:  # most answers: checked without a conversion
        try:
            bounded(value)
        except ValueError:
            return _why_not_a_figure(value)
        return None
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, float, dict, list, tuple)):
        return None
    if isinstance(value, (dict, list, tuple)):
        for item in (value.values() if isinstance(value, dict) else value):
            reason = _not_a_figure(item)
            if reason:
                return reason
        return None
    try:
        to_decimal(value)
    except ValueError:
        return _why_not_a_figure(value)
    return None


def _why_not_a_figure(value: Decimal | int | float) -> str:
    """What `to_decimal` found wrong with a number, in the voice of the run: not finite, too large, or
    more precise than any figure (`amounts.bounded`)."""
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        return say("rule.figure.not_finite", value=shown(value))
    if number.adjusted() > MAX_ADJUSTED_EXPONENT:
        return say("rule.figure.too_large", value=shown(number))
    return say("rule.figure.too_precise", value=shown(number))
