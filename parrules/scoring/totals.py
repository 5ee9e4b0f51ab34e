"""From leaf points to every unit's tree, total, index and band.

The policy, which `SumPlan` applies to all units at once:
- a leaf counts its final points against its maximum; an error or a criterion not evaluated counts
  0 of its maximum (it stays in the denominator, and the unit's result says why);
- a criterion that does not apply leaves the denominator (0 of 0), or earns full points where the
  set declares `not_applicable = "full_points"` (`leaf_amounts`);
- a node adds up its children; a bonus or penalty part is capped at its maximum, which is then its
  applicable maximum (`capped`);
- a unit's total is base + bonus − penalty, never below zero (`total_of`); its index is the total
  over the applicable maximum of the base parts, in percent; its band is the set's band containing
  the index (`band_of`);
- a unit with a criterion that errored, or a base criterion nothing scored, is incomplete
  (`incomplete`): its total is not a complete figure, it has no band, and the campaign does not
  rank it;
- rounding is where the set declares it (points and percentages to their decimals).

How the plan applies it cheaply (its only speed tricks): amounts that are the same for every unit
stay one value (`parrules.scoring.sharing`), and points are summed as integers of a common scale
when they have few decimals — exact, and much cheaper to add and compare than Decimals.
"""

from __future__ import annotations

import decimal
import os
from collections.abc import Callable, Sequence
from decimal import Decimal
from operator import add as int_add
from operator import sub as int_sub
from pathlib import Path
from typing import Any

from parrules.amounts import ZERO, percent, rounder
from parrules.messages import say
from parrules.scoring.checks import Measured, record_sources_and_faults
from parrules.scoring.results import LeafResult, NodeResult, Provenance, UnitInfo, UnitResult
from parrules.scoring.sharing import Amounts, LeafColumn, add, mapped, spelling, spread
from parrules.sets.criteria_set import CriteriaSet
from parrules.submissions.submission import Submission

# Moving the decimal point or adding must never round, however many digits a figure has.
EXACT = decimal.Context(prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)


# -- the policy ---------------------------------------------------------------------------------
def leaf_amounts(leaf: LeafResult, na_full: bool) -> tuple[Decimal, Decimal]:
    """(points, applicable maximum) a leaf adds to its parent."""
    top = leaf.max_points
    if leaf.status == "not_applicable":
        return (top, top) if na_full else (ZERO, ZERO)
    return leaf.final_points or ZERO, top


def capped(points: Any, cap: Any, maximum: Decimal) -> tuple[Any, Decimal]:
    """(points, applicable maximum) of a bonus or penalty part: its points (one amount, or one per
    unit) never above `cap` (its maximum, at the scale the points are summed in), and its maximum
    as the applicable maximum — a part capped outside the base total never leaves the denominator."""
    return ([min(v, cap) for v in points] if type(points) is list else min(points, cap)), maximum


def total_of(base: Any, bonus: Any, penalty: Any, plus: Any, minus: Any, zero: Any) -> Any:
    """base + bonus − penalty, never below zero; `plus`/`minus` are exact for the amounts given."""
    return max(zero, minus(plus(base, bonus), penalty))


def incomplete(leaf: LeafResult, role: str) -> bool:
    """Whether a leaf keeps its unit's figure from being complete: it errored (a check or rule that
    failed), or nothing scored a base criterion (no answer, self-assessment or appraisal). A bonus
    or penalty nobody declared is simply none, as the forms mean it."""
    return leaf.status == "error" or (leaf.status == "not_evaluated" and role == "base")


def band_of(criteria: CriteriaSet, index: Decimal | None) -> str | None:
    """The set's band whose range holds the index (lower bound inclusive, upper exclusive)."""
    if index is None:
        return None
    for band in criteria.meta.bands:
        if (band.from_ is None or index >= band.from_) and (band.below is None or index < band.below):
            return band.code
    return None


def input_namer(base: str | Path | None) -> Callable[[str], str]:
    """How a result's provenance names an input file: relative to `base` with forward slashes.

    A published figure must be re-derivable byte for byte, so the name cannot depend on the folder
    the command was started from, nor on where the checkout lives: `campaign` names inputs relative
    to the campaign file's folder, `score` relative to the set file's (the anchors a reader has), and
    a file elsewhere gets a `../` path. `base` None keeps the names as given (the library default).
    Folders are worked out once each (a campaign's submissions share a few), so naming costs a
    unit a dictionary lookup, not a walk of its path.
    """
    if base is None:
        return str
    root = os.path.abspath(base)
    folders: dict[str, str] = {}

    def name(path: str) -> str:
        if "://" in path or path.startswith("<"):  # a URL a plugin names, or <stdin>: not a file of ours
            return path
        folder, file = os.path.split(path)
        shown = folders.get(folder)
        if shown is None:
            try:
                shown = os.path.relpath(os.path.abspath(folder or os.curdir), root)
            except ValueError:  # on another drive (Windows) there is no relative path
                shown = os.path.abspath(folder)
            shown = folders[folder] = shown.replace(os.sep, "/")
        return file if shown == "." else f"{shown}/{file}"

    return name


# -- applying it to all units -------------------------------------------------------------------
def common_scale(values: list[Decimal], most: int = 18) -> int | None:
    """The fewest decimals that make every value an integer, or None past `most` (or for NaN/∞)."""
    scale = 0
    for value in set(values):
        exponent = value.as_tuple().exponent
        if not isinstance(exponent, int):
            return None
        scale = max(scale, -exponent)
    return scale if scale <= most else None


class SumPlan:
    """The tree as flat slots, children before parents, summed for all units at once."""

    def __init__(self, criteria: CriteriaSet) -> None:
        meta = criteria.meta
        r = meta.rounding
        nodes = criteria.nodes
        order = list(criteria.walk())
        self.criteria = criteria
        self.codes = [n.code for n in order]
        slot = {code: i for i, code in enumerate(self.codes)}
        self.leaf_slots = [slot[code] for code in criteria.leaves]
        self.inner = [(slot[n.code], tuple(slot[c] for c in n.children), n.role != "base", n.max_points)
                      for n in reversed(order) if n.children]
        self.reported = [(slot[n.code], n.code, n.name, n.depth, n.max_points)
                         for n in order if not (n.is_leaf and n.depth > 0)]
        self.roots = [(slot[code], nodes[code].role) for code in criteria.roots]
        self.na_full = meta.not_applicable == "full_points"
        self.round_points = rounder(r.decimals, r.mode)
        self.round_percent = rounder(r.percent_decimals, r.mode)

    def unit_results(self, subs: Sequence[Submission], columns: list[LeafColumn], measured: Measured,
                     plugins: tuple[tuple[str, str], ...], version: str, *,
                     relative_to: str | Path | None = None) -> list[UnitResult]:
        """Sum every unit's tree, settle totals, index and band, and build each unit's result; input
        files are named relative to `relative_to` (see `input_namer`)."""
        count = len(subs)
        if not count:
            return []
        criteria = self.criteria
        rnd, rnd_pct = self.round_points, self.round_percent
        leaf_points = []  # per column: each distinct result's points and applicable maximum
        for column in columns:
            pairs = [leaf_amounts(leaf, self.na_full) for leaf in column.table]
            leaf_points.append(([p for p, _ in pairs], [a for _, a in pairs]))
        scale = common_scale([v for p, _ in leaf_points for v in p] + [top for *_, capped_, top in self.inner if capped_])
        plus: Any = int_add  # integers add exactly; Decimals through the exact context, never rounded
        minus: Any = int_sub
        if scale is None:
            zero: Any = ZERO
            plus, minus = EXACT.add, EXACT.subtract

            def exact(value: Any) -> Decimal:
                return value  # type: ignore[no-any-return]
        else:
            zero = 0

            def exact(value: Any) -> Decimal:
                return Decimal(value).scaleb(-scale, context=EXACT)
        points: list[Any] = [zero] * len(self.codes)
        applicable: list[Amounts] = [ZERO] * len(self.codes)
        for column, slot, (p, a) in zip(columns, self.leaf_slots, leaf_points):
            if scale is not None:
                p = [int(v.scaleb(scale, context=EXACT)) for v in p]
            points[slot], applicable[slot] = column.per_unit(p), column.per_unit(a)
        for slot, children, is_capped, top in self.inner:  # children before parents
            p_sum: Any = zero
            a_sum: Amounts = ZERO
            for child in children:
                p_sum = add(p_sum, points[child], plus)
                a_sum = add(a_sum, applicable[child], EXACT.add)
            if is_capped:
                p_sum, a_sum = capped(p_sum, top if scale is None else int(top.scaleb(scale, context=EXACT)), top)
            points[slot], applicable[slot] = p_sum, a_sum
        node_columns = []
        for slot, code, name, depth, top in self.reported:
            p, a = points[slot], applicable[slot]

            def node(pair: tuple[Any, ...], code: str = code, name: str = name, depth: int = depth,
                     top: Decimal = top) -> NodeResult:
                value = exact(pair[0])
                pct = percent(value, pair[1])
                return NodeResult(code, name, depth, top, pair[1], rnd(value), None if pct is None else rnd_pct(pct))

            if type(a) is list:  # keyed by the maximum's spelling too: 2.50 is not shown as 2.5
                node_columns.append(mapped(list(zip(spread(p, count), a, map(spelling, a))), node))
            elif type(p) is list:  # nothing not applicable below: one maximum for all
                node_columns.append(mapped(p, lambda v, a=a, node=node: node((v, a))))
            else:
                node_columns.append(spread(node((p, a)), count))
        base = bonus = penalty = zero
        applicable_max: Amounts = ZERO
        for slot, role in self.roots:
            if role == "bonus":
                bonus = add(bonus, points[slot], plus)
            elif role == "penalty":
                penalty = add(penalty, points[slot], plus)
            else:
                base = add(base, points[slot], plus)
                applicable_max = add(applicable_max, applicable[slot], EXACT.add)
        bases, bonuses, penalties = spread(base, count), spread(bonus, count), spread(penalty, count)
        totals = [total_of(b, g, n, plus, minus, zero) for b, g, n in zip(bases, bonuses, penalties)]
        maxima = spread(applicable_max, count)

        def index_of(pair: tuple[Any, Decimal]) -> tuple[Decimal | None, str | None]:
            value = percent(exact(pair[0]), pair[1])
            value = None if value is None else rnd_pct(value)
            return value, band_of(criteria, value)

        if type(applicable_max) is list:
            indexes = mapped(list(zip(totals, maxima)), index_of)
        else:
            indexes = mapped(totals, lambda v: index_of((v, applicable_max)))
        leaf_rows = zip(*[column.results for column in columns])
        unfinished = []  # columns where some distinct result is incomplete, with those results' slots
        for column, code in zip(columns, criteria.leaves):
            role = criteria.nodes[code].role
            bad = {j for j, leaf in enumerate(column.table) if incomplete(leaf, role)}
            if bad:
                unfinished.append((column, bad))
        node_rows = zip(*node_columns)
        rounded = [mapped(values, lambda v: rnd(exact(v))) for values in (bases, bonuses, penalties, totals)]
        one_provenance = Provenance(criteria.id, criteria.content_hash, version, plugins, ())
        name = input_namer(relative_to)
        out = []
        for i, sub in enumerate(subs):
            inputs = [(name(sub.source), sub.sha256)] if sub.sha256 else []
            warnings = [say("flag_text.evidence_file_missing", file=f) for f in sub.missing_files] \
                if sub.missing_files else []
            if measured:
                sources, faults = record_sources_and_faults(measured, sub.code)
                inputs.extend((name(path), digest) for path, digest in sources)
                warnings.extend(note for note in faults if note not in warnings)
            index, band = indexes[i]
            unfinished_here = tuple(column.table[column.slots[i]] for column, bad in unfinished if column.slots[i] in bad)
            if unfinished_here:
                band = None  # a band is a published classification: none for a total that is not complete
            out.append(UnitResult(
                UnitInfo(sub.code, sub.name, sub.kind, sub.period, sub.cohort),
                tuple(next(node_rows)), tuple(next(leaf_rows)),
                rounded[0][i], rounded[1][i], rounded[2][i], rounded[3][i],
                maxima[i], index, band,
                Provenance(criteria.id, criteria.content_hash, version, plugins, tuple(sorted(set(inputs))))
                if inputs else one_provenance,
                tuple(warnings),
                unfinished_here,
            ))
        return out
