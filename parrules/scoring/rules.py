"""Calling a criterion's rule: one call for the criterion's whole column of inputs, failures contained.

A rule kind (built-in or a plugin's) scores one criterion for many input values in one call. Each
distinct value is passed once. A rule that raises, or returns the wrong number of verdicts, gives
every unit of that criterion an error instead of stopping the run.
"""

from __future__ import annotations

from typing import Any

from parrules.plugins.contracts import Scored
from parrules.scoring.sharing import distinct_inputs
from parrules.sets.criteria_set import Node


def score_column(node: Node, values: list[Any], positions: list[int]) -> dict[int, Scored]:
    """The rule's verdict for each value, by the position given for it."""
    assert node.rule is not None
    distinct, slots = distinct_inputs(values)
    try:
        outcome = list(node.rule.score(node.leaf, distinct))
        if len(outcome) != len(distinct):
            raise ValueError(f"returned {len(outcome)} results for {len(distinct)} values")
    except KeyboardInterrupt:  # only the user's Ctrl-C stops the run
        raise
    except BaseException as exc:  # a plugin's bug, SystemExit included, must not stop the run
        failed = Scored(None, "", error=f"rule '{node.rule.name}' failed: {type(exc).__name__}: {exc}")
        outcome = [failed] * len(distinct)
    return {position: outcome[slot] for position, slot in zip(positions, slots)}
