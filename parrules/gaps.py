"""Gap analysis: where a unit lost points, and the fewest criteria that would lift it a band or a rank.

A department head asks two questions after the ranking: "where did we lose points?" and "what must we
fix to reach the next band / overtake the unit above us?". Losses are every scored criterion below its
maximum (and every penalty), largest first, each with the explanation the engine gave. For a target,
raising one base criterion to its maximum adds exactly its lost points to the base total, the
applicable maximum does not change, and the index grows monotonically with the total, so taking the
criteria with the largest losses first gives the fewest criteria that reach the target. Bonus parts
are not counted on: a unit cannot plan on a bonus.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .amounts import ZERO, percent, round_to
from .criteria_set import CriteriaSet, code_sort_key
from .ranking import Placing, Ranking
from .results import UnitResult

_RECOVERABLE = ("partial", "zero", "not_evaluated", "error")


def _same(value: Any) -> Any:
    return value


@dataclass(slots=True)
class Loss:
    code: str
    name: str
    field: str
    role: str
    lost: Decimal
    max_points: Decimal
    points: Decimal | None
    status: str
    explanation: str

    def to_dict(self, num: Callable[[Any], Any] = _same) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "field": self.field, "role": self.role, "lost": num(self.lost),
                "max_points": num(self.max_points), "points": num(self.points), "status": self.status,
                "explanation": self.explanation}


@dataclass(slots=True)
class Target:
    """What a target takes: the criteria to bring to full points and the index that would give."""

    kind: str  # "band" or "rank"
    label: str  # band code, or the rank to reach
    needed_index: Decimal
    criteria: list[str] = field(default_factory=list)
    gain: Decimal = ZERO
    resulting_index: Decimal | None = None
    reachable: bool = True

    def to_dict(self, num: Callable[[Any], Any] = _same) -> dict[str, Any]:
        return {"kind": self.kind, "label": self.label, "needed_index": num(self.needed_index),
                "criteria": list(self.criteria), "gain": num(self.gain), "resulting_index": num(self.resulting_index),
                "reachable": self.reachable}


@dataclass(slots=True)
class GapAnalysis:
    code: str
    losses: list[Loss]
    next_band: Target | None
    next_rank: Target | None

    def to_dict(self, num: Callable[[Any], Any] = _same, loss: Callable[[Loss], Any] | None = None) -> dict[str, Any]:
        """`num` and `loss` turn numbers and losses into what the caller writes (e.g. raw JSON)."""
        return {"losses": [loss(item) if loss else item.to_dict(num) for item in self.losses],
                "next_band": self.next_band.to_dict(num) if self.next_band else None,
                "next_rank": self.next_rank.to_dict(num) if self.next_rank else None}


class _SetFacts:
    """What the analysis needs from the set, computed once per campaign."""

    def __init__(self, criteria: CriteriaSet) -> None:
        self.criteria = criteria
        self.role: dict[str, str] = {}
        self.field: dict[str, str] = {}
        for root in criteria.roots:
            node = criteria.nodes[root]
            stack = [root]
            while stack:
                code = stack.pop()
                self.role[code] = node.role
                self.field[code] = root
                stack.extend(criteria.nodes[code].children)
        self.order = {code: i for i, code in enumerate(sorted(criteria.leaves, key=code_sort_key))}
        bands = [b for b in criteria.meta.bands if b.from_ is not None]
        self.band_floors = sorted((b.from_, b.code) for b in bands)  # type: ignore[misc]
        self.losses: dict[int, tuple[Any, Loss | None]] = {}


def analyse(criteria: CriteriaSet, ranking: Ranking, *, facts: _SetFacts | None = None) -> dict[str, GapAnalysis]:
    """Gap analysis of every ranked unit, by unit code."""
    facts = facts or _SetFacts(criteria)
    out = {}
    for cohort in ranking.cohorts:
        above = _next_better(cohort.placings)
        for placing in cohort.placings:
            out[placing.unit.unit.code] = analyse_unit(criteria, placing, above.get(placing.unit.unit.code),
                                                       bool(ranking.tie_break), facts=facts)
    return out


def _next_better(placings: Sequence[Placing]) -> dict[str, tuple[int, Decimal]]:
    """For each ranked unit, the rank and index of the nearest group ranked above it."""
    out: dict[str, tuple[int, Decimal]] = {}
    best_above: tuple[int, Decimal] | None = None
    current_rank: int | None = None
    group_best: tuple[int, Decimal] | None = None
    for p in placings:  # in rank order
        if p.rank is None or p.unit.index is None:
            continue
        if p.rank != current_rank:
            best_above = group_best if current_rank is not None else None
            current_rank = p.rank
            group_best = (p.rank, p.unit.index)
        else:
            assert group_best is not None
            group_best = (p.rank, min(group_best[1], p.unit.index))
        if best_above is not None:
            out[p.unit.unit.code] = best_above
    return out


def analyse_unit(criteria: CriteriaSet, placing: Placing, above: tuple[int, Decimal] | None = None,
                 strict: bool = False, *, facts: _SetFacts | None = None) -> GapAnalysis:
    """Losses of one unit and what it takes to reach the next band and the rank `above`.

    `strict`: with a tie-break declared, equalling the unit above may not be enough, so the target is
    to pass its index.
    """
    facts = facts or _SetFacts(criteria)
    unit = placing.unit
    nodes = criteria.nodes
    losses = []
    made = facts.losses
    for leaf in unit.leaves:
        known = made.get(id(leaf))
        if known is not None and known[0] is leaf:
            if known[1] is not None:
                losses.append(known[1])
            continue
        role = facts.role[leaf.code]
        if role == "penalty":
            if leaf.final_points:
                lost = leaf.final_points
            else:
                continue
        elif role == "base" and leaf.status in _RECOVERABLE:
            lost = leaf.max_points - (leaf.final_points or ZERO)
        else:
            made[id(leaf)] = (leaf, None)
            continue
        item = Loss(leaf.code, nodes[leaf.code].name, facts.field[leaf.code], role, lost, leaf.max_points,
                    leaf.final_points, leaf.status, leaf.explanation)
        made[id(leaf)] = (leaf, item)  # units sharing a leaf result share its loss
        losses.append(item)
    losses.sort(key=lambda loss: (-loss.lost, facts.order[loss.code]))
    if unit.index is None:
        return GapAnalysis(unit.unit.code, losses, None, None)
    gains = [loss for loss in losses if loss.role == "base"]
    next_band = None
    for floor, code in facts.band_floors:
        if floor > unit.index:
            next_band = _reach(criteria, unit, gains, "band", code, floor, strict=False)
            break
    next_rank = None
    if above is not None:
        rank, index = above
        next_rank = _reach(criteria, unit, gains, "rank", str(rank), index, strict=strict)
    return GapAnalysis(unit.unit.code, losses, next_band, next_rank)


def index_with_gain(criteria: CriteriaSet, unit: UnitResult, gain: Decimal) -> Decimal | None:
    """The unit's index if its base total grew by `gain` points, rounded as the set says."""
    r = criteria.meta.rounding
    total = max(ZERO, unit.base_points + gain + unit.bonus_points - unit.penalty_points)
    value = percent(total, unit.applicable_max)
    return None if value is None else round_to(value, r.percent_decimals, r.mode)


def _reach(criteria: CriteriaSet, unit: UnitResult, gains: Sequence[Loss], kind: str, label: str,
           needed: Decimal, *, strict: bool) -> Target:
    def enough(index: Decimal | None) -> bool:
        return index is not None and (index > needed if strict else index >= needed)

    chosen: list[str] = []
    gain = ZERO
    index = unit.index
    for loss in gains:
        if enough(index):
            break
        chosen.append(loss.code)
        gain += loss.lost
        index = index_with_gain(criteria, unit, gain)
    return Target(kind, label, needed, chosen, gain, index, enough(index))


