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
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from parrules.amounts import HUNDRED, ZERO, percent, quantum, rounder
from parrules.campaign.ranking import Placing, Ranking
from parrules.scoring.frozen_init import cheap_init
from parrules.scoring.results import LeafResult, UnitResult
from parrules.scoring.sharing import PerResult
from parrules.sets.codes import field_code
from parrules.sets.criteria_set import CriteriaSet, code_sort_key

_RECOVERABLE = frozenset({"partial", "zero", "not_evaluated", "error"})


@cheap_init
@dataclass(frozen=True, slots=True, eq=False)
class Loss:
    """Points a unit lost on one criterion. Compared by identity: units sharing a leaf result share
    its loss (see `parrules.scoring.sharing`)."""

    code: str
    name: str
    field: str
    role: str
    lost: Decimal
    max_points: Decimal
    points: Decimal | None
    status: str
    explanation: str

    def to_dict(self, *, brief: bool = False) -> dict[str, Any]:
        """Plain data; `brief` (the campaign format) names the criterion by code only: its name, field
        and role are in the criteria list, its points, status and explanation in the unit's leaf."""
        if brief:
            return {"code": self.code, "lost": self.lost}
        return {"code": self.code, "name": self.name, "field": self.field, "role": self.role, "lost": self.lost,
                "max_points": self.max_points, "points": self.points, "status": self.status,
                "explanation": self.explanation}


@cheap_init
@dataclass(frozen=True, slots=True)
class Target:
    """What a target takes: the criteria to bring to full points and the index that would give."""

    kind: str  # "band" or "rank"
    label: str  # band code, or the rank to reach
    needed_index: Decimal
    criteria: tuple[str, ...] = ()
    gain: Decimal = ZERO
    resulting_index: Decimal | None = None
    reachable: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "label": self.label, "needed_index": self.needed_index,
                "criteria": list(self.criteria), "gain": self.gain, "resulting_index": self.resulting_index,
                "reachable": self.reachable}


@cheap_init
@dataclass(frozen=True, slots=True)
class GapAnalysis:
    code: str
    losses: tuple[Loss, ...]
    next_band: Target | None
    next_rank: Target | None

    def to_dict(self, *, brief: bool = False) -> dict[str, Any]:
        """Plain data; `brief` losses are the campaign format's (see `Loss.to_dict`)."""
        return {"losses": [item.to_dict(brief=brief) for item in self.losses],
                "next_band": self.next_band.to_dict() if self.next_band else None,
                "next_rank": self.next_rank.to_dict() if self.next_rank else None}


class _SetFacts:
    """What the analysis needs from the set, computed once per campaign, and the losses made so far:
    one per distinct leaf result, since units sharing a leaf result share its loss."""

    def __init__(self, criteria: CriteriaSet) -> None:
        self.criteria = criteria
        self.role: dict[str, str] = {}
        self.field: dict[str, str] = {}
        for node in criteria.walk():
            self.role[node.code] = node.role  # a field's role, passed down to everything below it
            self.field[node.code] = field_code(node.code)
        order = {code: i for i, code in enumerate(sorted(criteria.leaves, key=code_sort_key))}
        # per leaf: its name, field, role and minus its place in the set's order (for sorting losses)
        self.leaf_facts = {code: (criteria.nodes[code].name, self.field[code], self.role[code], -order[code])
                           for code in criteria.leaves}
        bands = [b for b in criteria.meta.bands if b.from_ is not None]
        self.band_floors = sorted((b.from_, b.code) for b in bands)  # type: ignore[misc]
        self.only_base = all(role == "base" for role in self.role.values())
        r = criteria.meta.rounding
        self.percent_step = quantum(r.percent_decimals)
        self.round_percent = rounder(r.percent_decimals, r.mode)
        self.loss_of: PerResult[LeafResult, Loss | None] = PerResult(self._loss)
        self.rank_of: dict[Loss, tuple[Decimal, int]] = {}  # (lost, minus the set's order): larger comes first

    def losses_of(self, leaves: Sequence[LeafResult]) -> list[Loss]:
        """The unit's losses, largest first, then in the set's order; each distinct leaf result is
        looked at once. A unit has one leaf per criterion, so no two of its losses rank alike."""
        losses = list(filter(None, self.loss_of.many(leaves)))  # a Loss is always true; no loss is None
        losses.sort(key=self.rank_of.__getitem__, reverse=True)
        return losses

    def _loss(self, leaf: LeafResult) -> Loss | None:
        code, status, final = leaf.code, leaf.status, leaf.final_points
        name, field, role, minus_order = self.leaf_facts[code]
        if role == "base":  # most leaves: lost what they miss of the maximum, unless full or N/A
            if status not in _RECOVERABLE:
                return None
            top = leaf.max_points
            lost = top - (final or ZERO)  # 0.00 points lose the maximum as written, as None does (2, not 2.00)
        elif role == "penalty" and final:
            top, lost = leaf.max_points, final
        else:
            return None
        loss = Loss(code, name, field, role, lost, top, final, status, leaf.explanation)
        self.rank_of[loss] = (lost, minus_order)
        return loss


def analyse(criteria: CriteriaSet, ranking: Ranking) -> dict[str, GapAnalysis]:
    """Gap analysis of every ranked unit, by unit code."""
    facts = _SetFacts(criteria)
    strict = bool(ranking.tie_break)
    above: dict[str, tuple[int, Decimal]] = {}
    for cohort in ranking.cohorts:
        above.update(_next_better(cohort.placings))
    out = {}
    for placing in ranking.placings:
        code = placing.unit.unit.code
        out[code] = _analysis(criteria, placing.unit, tuple(facts.losses_of(placing.unit.leaves)), above.get(code),
                              strict, facts)
    facts.loss_of.clear()  # one entry per distinct leaf, held in a cycle (the cache's `make` is a method of facts)
    facts.rank_of.clear()
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


def _analysis(criteria: CriteriaSet, unit: UnitResult, losses: tuple[Loss, ...],
              above: tuple[int, Decimal] | None, strict: bool, facts: _SetFacts) -> GapAnalysis:
    if unit.index is None:
        return GapAnalysis(unit.unit.code, losses, None, None)
    gains = losses if facts.only_base else [loss for loss in losses if loss.role == "base"]
    next_band = None
    for floor, code in facts.band_floors:
        if floor > unit.index:
            next_band = _reach(unit, gains, "band", code, floor, strict=False, facts=facts)
            break
    next_rank = None
    if above is not None:
        rank, index = above
        next_rank = _reach(unit, gains, "rank", str(rank), index, strict=strict, facts=facts)
    return GapAnalysis(unit.unit.code, losses, next_band, next_rank)


def _index_with_gain(unit: UnitResult, gain: Decimal, rounding: Callable[[Decimal], Decimal]) -> Decimal | None:
    total = max(ZERO, unit.base_points + gain + unit.bonus_points - unit.penalty_points)
    value = percent(total, unit.applicable_max)
    return None if value is None else rounding(value)


def _reach(unit: UnitResult, gains: Sequence[Loss], kind: str, label: str, needed: Decimal, *, strict: bool,
           facts: _SetFacts) -> Target:
    """The fewest largest losses whose full points reach `needed` (the index grows with each one taken).

    Rounding moves an index by less than one rounding step, so a gain whose unrounded index stays
    below `needed` minus that step is never enough: such gains are passed over without computing.
    """
    def enough(index: Decimal | None) -> bool:
        return index is not None and (index > needed if strict else index >= needed)

    if enough(unit.index):
        return Target(kind, label, needed, (), ZERO, unit.index, True)
    rounding = facts.round_percent
    start = unit.base_points + unit.bonus_points - unit.penalty_points
    too_little = (needed - facts.percent_step) * unit.applicable_max / HUNDRED - start
    chosen: list[str] = []
    gain = ZERO
    index = unit.index
    for loss in gains:
        chosen.append(loss.code)
        gain += loss.lost
        if gain < too_little:
            continue
        index = _index_with_gain(unit, gain, rounding)
        if enough(index):
            return Target(kind, label, needed, tuple(chosen), gain, index, True)
    if chosen and gain < too_little:
        index = _index_with_gain(unit, gain, rounding)
    return Target(kind, label, needed, tuple(chosen), gain, index, False)
