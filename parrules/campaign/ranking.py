"""Ranking units within cohorts, per field, with bands counted and mean and median computed.

Departments are ranked apart from districts (a province publishes two tables), so every ranking is
within a cohort: the unit's own `cohort`, else the campaign's or the set's `cohorts` (name → unit
kinds), else one cohort for everyone. Ranks are competition ranks as published: equal figures share a
rank and the next rank skips (1, 2, 2, 4). A declared tie-break (e.g. total points, then field 3)
splits ties before they are shared; what it does not split stays shared. Ranks use the figures as
rounded by the set, because that is what people see and compare.

Per-field ranks are ranked the same way: the field's percentage, then the declared tie-break; a
penalty part ranks by the least penalty, since being penalised is never better. Within a shared rank
units are listed in Vietnamese alphabetical order (`collation.vietnamese_key`), as a reader looks a
name up.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from parrules.amounts import ZERO, rounder
from parrules.campaign.collation import vietnamese_key
from parrules.files.reading import nfc
from parrules.messages import say
from parrules.scoring.frozen_init import cheap_init
from parrules.scoring.results import UnitResult
from parrules.sets.criteria_set import CriteriaSet

ALL = "all"
RANK_BY = ("index", "total_points")
# Tie-break keys: higher is better, except the penalty.
TIE_BREAK_KEYS = ("index", "total_points", "base_points", "bonus_points", "penalty_points")


def competition_ranks(scores: Mapping[Hashable, Sequence[Any] | None]) -> dict[Hashable, int | None]:
    """Rank keys by their score tuples, higher first; equal tuples share a rank (1, 2, 2, 4).

    A score of None (no index: nothing applicable) gets no rank. Scores repeat across many units
    (units share the published figures), so each distinct score is ranked once.
    """
    return dict(zip(scores, ranked([None if s is None else tuple(s) for s in scores.values()])))


def ranked(scores: Sequence[Any]) -> list[int | None]:
    """Competition ranks of comparable, hashable scores, in their order (higher first; None: no rank).

    Each distinct score is ranked once; `competition_ranks` is this for a mapping of score tuples.
    """
    counts = Counter(s for s in scores if s is not None)
    rank_of = {}
    rank = 1
    for score in sorted(counts, reverse=True):
        rank_of[score] = rank
        rank += counts[score]
    return [None if s is None else rank_of[s] for s in scores]


def check_tie_break(keys: Sequence[str], criteria: CriteriaSet) -> list[str]:
    """Messages for tie-break keys that name nothing: known keys or `field:CODE` of a top-level node."""
    bad = []
    for key in keys:
        if key.startswith("field:"):
            if key[6:] not in criteria.roots:
                bad.append(say("problem.campaign.tie_break_field", key=key, field=key[6:], set=criteria.id))
        elif key not in TIE_BREAK_KEYS:
            bad.append(say("problem.campaign.tie_break_unknown", key=key, keys=", ".join(TIE_BREAK_KEYS)))
    return bad


@dataclass(frozen=True, slots=True)
class FieldStats:
    """Mean and median of a field over the `units` it applies to: a unit for which the field is N/A
    (nothing of it applicable) is left out of the points and the percentages alike — counted as 0 it
    would pull the mean of points down while the percentages ignored it, and the two would disagree."""

    mean_points: Decimal | None
    median_points: Decimal | None
    mean_percent: Decimal | None
    median_percent: Decimal | None
    units: int

    def to_dict(self) -> dict[str, Any]:
        return {"mean_points": self.mean_points, "median_points": self.median_points,
                "mean_percent": self.mean_percent, "median_percent": self.median_percent, "units": self.units}


@dataclass(frozen=True, slots=True)
class Statistics:
    """Counts per band, mean and median of the index and of every field, rounded as the set says."""

    units: int
    ranked: int
    band_counts: Mapping[str, int]
    mean_index: Decimal | None
    median_index: Decimal | None
    mean_total: Decimal | None
    median_total: Decimal | None
    fields: Mapping[str, FieldStats]

    def to_dict(self) -> dict[str, Any]:
        return {"units": self.units, "ranked": self.ranked, "band_counts": dict(self.band_counts),
                "mean_index": self.mean_index, "median_index": self.median_index,
                "mean_total": self.mean_total, "median_total": self.median_total,
                "fields": {code: s.to_dict() for code, s in self.fields.items()}}


@cheap_init
@dataclass(frozen=True, slots=True)
class Placing:
    """One unit's place in its cohort: overall rank and the rank of each field."""

    unit: UnitResult
    cohort: str
    rank: int | None
    cohort_size: int
    field_ranks: Mapping[str, int | None]

    def to_dict(self) -> dict[str, Any]:
        return {"cohort": self.cohort, "rank": self.rank, "rank_of": self.cohort_size,
                "field_ranks": dict(self.field_ranks)}


@dataclass(frozen=True, slots=True)
class Cohort:
    name: str
    kinds: tuple[str, ...]
    placings: tuple[Placing, ...]
    statistics: Statistics

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kinds": list(self.kinds), "units": [p.unit.unit.code for p in self.placings],
                "statistics": self.statistics.to_dict()}


@dataclass(frozen=True, slots=True)
class Ranking:
    rank_by: str
    tie_break: tuple[str, ...]
    cohorts: tuple[Cohort, ...]
    statistics: Statistics

    def placing(self, code: str) -> Placing:
        code = nfc(code)
        for cohort in self.cohorts:
            for placing in cohort.placings:
                if placing.unit.unit.code == code:
                    return placing
        raise KeyError(code)

    @property
    def placings(self) -> list[Placing]:
        return [p for c in self.cohorts for p in c.placings]


def cohort_of(unit_cohort: str, kind: str, cohorts: Mapping[str, Sequence[str]]) -> str:
    """The unit's declared cohort, else the cohort listing its kind, else 'all'."""
    if unit_cohort:
        return nfc(unit_cohort)
    kind = nfc(kind)
    for name, kinds in cohorts.items():
        if kind in {nfc(k) for k in kinds}:
            return name
    return ALL


def score_key(unit: UnitResult, rank_by: str, tie_break: Sequence[str],
              fields: Mapping[str, Any] | None = None, penalties: Collection[str] = ()) -> tuple[Decimal, ...] | None:
    """The tuple units are ranked by (higher first); None when the unit has no index, or when its figure
    is incomplete (a criterion errored or was not evaluated): such a unit is not ranked as if its
    total were complete. A `field:CODE` tie-break on a penalty part (`penalties`) counts the least
    penalty as best, and a field N/A for the unit counts below every figure."""
    if unit.index is None or unit.incomplete:
        return None
    fields = fields if fields is not None else fields_of(unit)
    out = []
    for key in (rank_by, *tie_break):
        if key.startswith("field:"):
            node = fields.get(key[6:])
            if node is None or node.percent is None:
                out.append(_BELOW_EVERY_FIGURE)
            else:
                out.append(-node.percent if key[6:] in penalties else node.percent)
        elif key == "penalty_points":
            out.append(-unit.penalty_points)
        else:
            out.append(getattr(unit, key))
    return tuple(out)


_BELOW_EVERY_FIGURE = Decimal(-1000)  # a percentage, negated for a penalty, is at least -100


def fields_of(unit: UnitResult) -> dict[str, Any]:
    """The unit's top-level nodes (fields) by code."""
    return {node.code: node for node in unit.fields}


def rank_units(criteria: CriteriaSet, units: Sequence[UnitResult], *, cohorts: Mapping[str, Sequence[str]] | None = None,
               rank_by: str = "index", tie_break: Sequence[str] = ()) -> Ranking:
    """Rank units within cohorts (the campaign's `cohorts` override the set's `meta.cohorts`)."""
    declared = dict(cohorts) if cohorts else dict(criteria.meta.cohorts)
    groups: dict[str, list[UnitResult]] = {}
    fields_by_unit = {u.unit.code: fields_of(u) for u in units}
    for unit in units:
        groups.setdefault(cohort_of(unit.unit.cohort, unit.unit.kind, declared), []).append(unit)
    order = [name for name in declared if name in groups] + sorted((n for n in groups if n not in declared),
                                                                    key=vietnamese_key)
    fields = [(code, criteria.nodes[code].role == "penalty") for code in criteria.roots]
    penalties = frozenset(code for code, penalty in fields if penalty)
    out = []
    for name in order:
        members = groups[name]
        own_fields = [fields_by_unit[u.unit.code] for u in members]
        keys = [score_key(u, rank_by, tie_break, f, penalties) for u, f in zip(members, own_fields)]
        ranks = ranked(keys)
        tails = [None if key is None else key[1:] for key in keys]
        field_ranks = [ranked(field_scores(code, penalty, own_fields, tails)) for code, penalty in fields]
        codes = [code for code, _ in fields]
        placings = display_order([Placing(u, name, ranks[i], len(members),
                                          MappingProxyType(dict(zip(codes, (r[i] for r in field_ranks)))))
                                  for i, u in enumerate(members)])
        out.append(Cohort(name, tuple(declared.get(name, ())), tuple(placings),
                          statistics(criteria, members, fields_by_unit)))
    if len(out) == 1 and len(groups[order[0]]) == len(units):  # one cohort of everyone: the same figures
        return Ranking(rank_by, tuple(tie_break), tuple(out), out[0].statistics)  # frozen: safe to share
    return Ranking(rank_by, tuple(tie_break), tuple(out), statistics(criteria, units, fields_by_unit))


def field_scores(code: str, penalty: bool, fields: Sequence[Mapping[str, Any]],
                 tails: Sequence[tuple[Decimal, ...] | None]) -> list[Any]:
    """Per unit (`fields`: each unit's fields by code) what it is ranked by on one field: the field's
    percentage — negated for a penalty part, so the least penalised ranks first — then the declared
    tie-break (`tails`: the unit's overall key without its first figure). A unit with no overall key
    (not ranked) or for which the field is N/A gets no field rank. Without a tie-break the score is
    the bare percentage: 10,000 units × every field, so no tuple is made that nothing needs."""
    nodes = [f.get(code) for f in fields]
    sign = -1 if penalty else 1
    if any(tails):  # a tie-break was declared
        return [None if t is None or n is None or n.percent is None else (sign * n.percent, *t)
                for n, t in zip(nodes, tails)]
    if penalty:
        return [None if t is None or n is None or n.percent is None else -n.percent for n, t in zip(nodes, tails)]
    return [None if t is None or n is None else n.percent for n, t in zip(nodes, tails)]


_NO_NAME: tuple[str, ...] = ()


def display_order(placings: list[Placing]) -> list[Placing]:
    """Ranked units first by rank, the unranked after them; within a shared rank in Vietnamese
    alphabetical order of name, then by code (stable, readable). Names are keyed only where a rank is
    shared: a unit alone at its rank needs no name to be placed."""
    shared = Counter(p.rank for p in placings)

    def order(p: Placing) -> tuple[int, int, tuple[str, ...], str]:
        name = vietnamese_key(p.unit.unit.name) if shared[p.rank] > 1 else _NO_NAME
        return (0 if p.rank is not None else 1, p.rank or 0, name, p.unit.unit.code)

    return sorted(placings, key=order)


def statistics(criteria: CriteriaSet, units: Sequence[UnitResult],
               fields_by_unit: Mapping[str, Mapping[str, Any]] | None = None) -> Statistics:
    """Statistics of `units`; `fields_by_unit` (unit code → its fields by code) saves working them out again.

    Units whose figure is incomplete are counted (`units`) but not in the bands, means and medians,
    which their partial totals would pull down; `band_counts["incomplete"]` says how many there are.
    """
    r = criteria.meta.rounding
    if fields_by_unit is None:
        fields_by_unit = {u.unit.code: fields_of(u) for u in units}
    round_percent, round_points = rounder(r.percent_decimals, r.mode), rounder(r.decimals, r.mode)
    everyone = len(units)
    units = [u for u in units if not u.incomplete]
    bands = {band.code: 0 for band in criteria.meta.bands}
    no_band = 0
    for unit in units:
        if unit.band is None:
            no_band += 1
        else:
            bands[unit.band] = bands.get(unit.band, 0) + 1
    if no_band and bands:
        bands["none"] = no_band
    if everyone > len(units):
        bands["incomplete"] = everyone - len(units)

    def pct(counts: Counter[Decimal]) -> tuple[Decimal | None, Decimal | None]:
        return _mean(counts, round_percent), _median(counts, round_percent)

    def pts(counts: Counter[Decimal]) -> tuple[Decimal | None, Decimal | None]:
        return _mean(counts, round_points), _median(counts, round_points)

    indexes = Counter(u.index for u in units if u.index is not None)
    mean_index, median_index = pct(indexes)
    mean_total, median_total = pts(Counter(u.total_points for u in units))
    per_field = {}
    for code in criteria.roots:
        # Units share their node results: count each distinct one (by identity, cheap), then its figures.
        shared = Counter(fields_by_unit[u.unit.code].get(code) for u in units)
        points: Counter[Decimal] = Counter()
        percents: Counter[Decimal] = Counter()
        for node, count in shared.items():
            if node is not None and node.percent is not None:  # N/A is left out of both: see FieldStats
                points[node.points] += count
                percents[node.percent] += count
        covered = sum(points.values())
        per_field[code] = FieldStats(*pts(points), *pct(percents), covered)
    return Statistics(everyone, sum(indexes.values()), MappingProxyType(bands), mean_index, median_index, mean_total,
                      median_total, MappingProxyType(per_field))


def _mean(counts: Counter[Decimal], rounding: Callable[[Decimal], Decimal]) -> Decimal | None:
    """The mean of figures given as figure → how many units have it, rounded as the set says."""
    total = sum(counts.values())
    if not total:
        return None
    return rounding(sum((value * count for value, count in counts.items()), ZERO) / total)


def _median(counts: Counter[Decimal], rounding: Callable[[Decimal], Decimal]) -> Decimal | None:
    """The median of figures given as figure → count: few distinct figures, walked in order instead
    of sorting every unit's."""
    total = sum(counts.values())
    if not total:
        return None
    middle = total // 2
    wanted = (middle,) if total % 2 else (middle - 1, middle)
    found: list[Decimal] = []
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        while len(found) < len(wanted) and wanted[len(found)] < seen:
            found.append(value)
        if len(found) == len(wanted):
            break
    return rounding(found[0]) if len(found) == 1 else rounding((found[0] + found[1]) / 2)
