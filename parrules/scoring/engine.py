"""Scoring: evidence checks → rules → score stages → sums, for many units at once.

The engine works column-wise: each check runs once for all units (one pass over shared data files),
each rule scores one criterion for all units in one call. Then each unit's stages are settled by the
set's precedence (e.g. last appraisal, else computed, else self) and added up, with not-applicable
criteria leaving the denominator and bonus/penalty parts kept outside the base total.
"""

from __future__ import annotations

import decimal
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from operator import add, itemgetter
from pathlib import Path
from types import MappingProxyType
from typing import Any

from parrules.amounts import _CONTEXT, ROUNDING_MODES, ZERO, percent, plain, quantum, round_to, to_decimal
from parrules.errors import raise_if
from parrules.plugins.contracts import CheckKind, Measurement, Scored
from parrules.plugins.registry import Registry, _version, default_registry
from parrules.scoring.results import (
    AppraisalRound,
    Flag,
    LeafResult,
    NodeResult,
    Provenance,
    RunResult,
    UnitInfo,
    UnitResult,
)
from parrules.sets.criteria_set import CriteriaSet, Node
from parrules.submissions.submission import NA, UNANSWERED, Submission, check_submissions

MISSING: Any = UNANSWERED  # no answer, no self-assessment, no value
_NA: Any = "not applicable"
# "na" that the set, not the unit, said (applicable = false): equal to NA, but not shown as declared.
_SET_NA: Any = "".join(("n", "a"))


class _CheckFailed:
    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


class _Fixed:
    """Points the set fixes when a check has no value (if_no_value = "full" or "zero")."""

    __slots__ = ("points",)

    def __init__(self, points: Decimal) -> None:
        self.points = points


def score(criteria: CriteriaSet, submission: Submission, *, data: Mapping[str, str | Path] | None = None,
          registry: Registry | None = None) -> UnitResult:
    """Score one unit."""
    return Engine(registry).score_many(criteria, [submission], data=data).units[0]


def score_many(criteria: CriteriaSet, submissions: Sequence[Submission], *,
               data: Mapping[str, str | Path] | None = None, registry: Registry | None = None) -> RunResult:
    """Score many units against one set; `data` names campaign-wide data files shared by all units."""
    return Engine(registry).score_many(criteria, submissions, data=data)


class Engine:
    """Holds the plugin registry; `score_many` is the whole scoring pipeline."""

    def __init__(self, registry: Registry | None = None) -> None:
        self.registry = registry or default_registry()

    def score_many(self, criteria: CriteriaSet, submissions: Sequence[Submission], *,
                   data: Mapping[str, str | Path] | None = None) -> RunResult:
        units = _Units(submissions)
        raise_if(check_submissions(criteria, submissions, units.answer_column))
        shared = {name: Path(path) for name, path in (data or {}).items()}
        measured = self._run_checks(criteria, submissions, shared)
        columns = [self._score_leaf(criteria, criteria.nodes[code], units, measured) for code in criteria.leaves]
        plugins = sorted({(k.plugin, k.plugin_version) for k in (*criteria.rule_kinds_used(),
                                                                  *criteria.checks_used())})
        results = _SumPlan(criteria).unit_results(criteria, submissions, columns, measured, plugins, _version())
        return RunResult(criteria.id, criteria.meta.name, criteria.meta.total_points, results)

    def score(self, criteria: CriteriaSet, submission: Submission, *,
              data: Mapping[str, str | Path] | None = None) -> UnitResult:
        return self.score_many(criteria, [submission], data=data).units[0]

    # -- checks --------------------------------------------------------------------------------
    def _run_checks(self, criteria: CriteriaSet, subs: Sequence[Submission],
                    shared: Mapping[str, Path]) -> dict[str, dict[str, Measurement | _CheckFailed]]:
        """One call per (check, parameters) for all units; failures become per-unit values."""
        out: dict[str, dict[str, Measurement | _CheckFailed]] = {}
        evidence = [sub.evidence(shared) for sub in subs]
        for node in criteria.nodes.values():
            if node.check is None:
                continue
            key = _check_key(node)
            if key in out:
                continue
            out[key] = _evaluate(node.check, node.spec.check_params, evidence)
        return out

    # -- one criterion for every unit ----------------------------------------------------------
    def _score_leaf(self, criteria: CriteriaSet, node: Node, units: _Units,
                    measured: Mapping[str, Mapping[str, Measurement | _CheckFailed]]) -> _LeafColumn:
        """Every unit's result for one criterion: each distinct situation is scored once.

        Units in the same situation — same answer, same self-assessment, no appraisal, no evidence
        check and no attached document for this criterion — get the same (immutable in practice)
        LeafResult; the column keeps, per unit, the slot of its result in the column's table.
        """
        if node.check is not None:
            return self._score_checked_leaf(criteria, node, units, measured)
        code = node.code
        subs = units.subs
        count = len(subs)
        unanswered = MISSING if node.spec.applicable else _SET_NA  # a criterion that does not apply reads as "na"
        # The key tells apart what results tell apart: 1.50 from 1.5, true from 1; self-assessed None is N/A.
        if code not in units.self_assessed:
            keys = _keys(units.answer_column(code))
        elif code not in units.answered:
            keys = _keys(units.self_column(code))
        else:
            keys = list(zip(_keys(units.answer_column(code)), _keys(units.self_column(code))))
        special = units.special.get(code)
        if special or unanswered is _SET_NA:
            for i in special or ():
                keys[i] = (_Special, i)  # an appraisal or a document: this unit's own result
            if unanswered is _SET_NA:
                # unanswered reads as the set's "na": shared among such units, apart from a declared "na"
                keys = [(_Special, k) if code not in answers else k for k, answers in zip(keys, units.answers)]
        try:
            where = dict(zip(keys, range(count)))  # each distinct key at one of its units (any will do)
        except TypeError:  # an unhashable answer (a table): keyed by its frozen contents
            keys = [_frozen(key) for key in keys]
            where = dict(zip(keys, range(count)))
        reps = list(where.values())
        slot_of = {key: j for j, key in enumerate(where)}
        slots = list(map(slot_of.__getitem__, keys))
        declared = {r: subs[r].answers.get(code, unanswered) for r in reps}
        needs_input = node.rule is not None and node.rule.needs_input
        inputs = [_NA if type(d) is str and d == NA else (d if needs_input else MISSING)
                  for d in (declared[r] for r in reps)]
        to_score = [j for j, v in enumerate(inputs) if v is not MISSING and v is not _NA]
        scored: dict[int, Scored] = {}
        if to_score and node.rule is not None:
            scored = _score_column(node, [inputs[j] for j in to_score], to_score)
        column = _Column(criteria, node)
        stages = self._stages
        table = [stages(column, subs[r], inputs[j], scored.get(j), "", declared[r], MISSING, units.attached(r))
                 for j, r in enumerate(reps)]
        return _LeafColumn(table, slots)

    def _score_checked_leaf(self, criteria: CriteriaSet, node: Node, units: _Units,
                            measured: Mapping[str, Mapping[str, Measurement | _CheckFailed]]) -> _LeafColumn:
        """A criterion an evidence check measures: each unit has its own records, trail and result."""
        assert node.check is not None
        code = node.code
        meta = criteria.meta
        results_by_check = measured.get(_check_key(node))
        unanswered = MISSING if node.spec.applicable else _SET_NA
        needs_input = node.rule is not None and node.rule.needs_input
        inputs: list[Any] = []
        trails: list[str] = []
        declared_values: list[Any] = []
        verified_values: list[Any] = []
        to_score: list[int] = []
        for i, sub in enumerate(units.subs):
            declared = sub.answers.get(code, unanswered)
            verified: Any = MISSING
            trail = ""
            value: Any = MISSING
            if declared == NA:
                value = _NA
            elif results_by_check is not None:
                found = results_by_check.get(sub.code)
                if found is None:
                    value = _CheckFailed(f"check '{node.check.name}' returned nothing for this unit")
                elif isinstance(found, _CheckFailed):
                    value = found
                else:
                    verified = found.metrics.get(node.metric or "")
                    trail = found.explain(node.metric or "")
                    if verified is None:
                        value = {"not_evaluated": MISSING, "not_applicable": _NA, "full": _Fixed(node.max_points),
                                 "zero": _Fixed(ZERO)}[node.spec.if_no_value]
                        if isinstance(value, _Fixed):
                            trail = (trail + "; " if trail else "") + f"no value → {node.spec.if_no_value} points"
                    elif meta.declared_vs_verified == "declared" and declared is not MISSING:
                        value = declared
                    else:
                        value = verified
            elif needs_input:
                value = declared
            inputs.append(value)
            trails.append(trail)
            declared_values.append(declared)
            verified_values.append(verified)
            if needs_input and not _settled(value):
                to_score.append(i)
        scored: dict[int, Scored] = {}
        if to_score and node.rule is not None:
            scored = _score_column(node, [inputs[i] for i in to_score], to_score)
        column = _Column(criteria, node)
        table = [self._stages(column, sub, inputs[i], scored.get(i), trails[i], declared_values[i],
                              verified_values[i], units.attached(i)) for i, sub in enumerate(units.subs)]
        return _LeafColumn(table, list(range(len(table))))

    def _stages(self, col: _Column, sub: Submission, value: Any, scored: Scored | None,
                trail: str, declared: Any, verified: Any, attached: Mapping[str, list[Any]]) -> LeafResult:
        code = col.code
        max_points = col.max_points
        flags: list[Flag] = []
        error: str | None = None
        computed: Any = MISSING  # Decimal, _NA or MISSING
        computed_trail = ""
        if scored is not None:
            if scored.error:
                error = f"input {_show(value)}: {scored.error}"
            elif scored.points is None:
                computed_trail = scored.explanation
            elif not ZERO <= scored.points <= max_points:
                error = f"rule '{col.rule_name}' gave {plain(scored.points)} points, outside 0..{plain(max_points)}"
            else:
                computed = col.rounded(scored.points)
                computed_trail = _join_trail(trail, scored.explanation)
        elif isinstance(value, _CheckFailed):
            error = value.message
        elif value is _NA:
            computed = _NA
            computed_trail = "not applicable"
        elif isinstance(value, _Fixed):
            computed, computed_trail = value.points, trail
        if error:
            flags.append(Flag("error", error))

        self_value: Any = _NA if code in sub.self_na else sub.self_assessment.get(code, MISSING)
        appraisals = sub.appraisals.get(code)
        rounds = [AppraisalRound(a.round, a.points, a.not_applicable, a.reason, a.by, a.at, a.response)
                  for a in appraisals] if appraisals else []

        final: Any = MISSING
        stage: str | None = None
        status_error = False
        for name in col.precedence:
            if name == "appraisal" and rounds:
                last = rounds[-1]
                final, stage = (_NA if last.not_applicable else last.points), "appraisal"
                break
            if name == "computed":
                if error is not None:
                    status_error = True
                    break
                if computed is not MISSING:
                    final, stage = computed, "computed"
                    break
            if name == "self" and self_value is not MISSING:
                final, stage = self_value, "self"
                break

        # Flags an appraiser should see.
        self_decimal = isinstance(self_value, Decimal)
        if self_decimal and isinstance(computed, Decimal) and self_value > computed:
            flags.append(Flag("self_above_evidence",
                              f"self-assessed {plain(self_value)} but the evidence supports {plain(computed)}"))
        if rounds:
            previous = self_value if self_decimal else None
            for r in rounds:
                if r.points is not None and previous is not None and r.points < previous and not r.reason.strip():
                    flags.append(Flag("lowered_without_reason",
                                      f"appraisal round {r.round} lowered {plain(previous)} to {plain(r.points)} without a reason"))
                if r.points is not None:
                    previous = r.points
        if col.evidence and final is not _NA:
            docs = attached.get(code)
            if not docs:
                flags.append(Flag("missing_evidence", col.evidence))
            else:
                for doc in docs:
                    if doc.file is not None and not doc.file.is_file():
                        flags.append(Flag("evidence_file_missing", f"evidence file not found: {doc.file.name}"))
        if col.has_check and declared is not MISSING and declared != NA and verified not in (None, MISSING) \
                and not _same(declared, verified):
            flags.append(Flag("declared_differs",
                              f"declared {_show(declared)}, records show {_show(verified)}; {col.policy} figure scored"))

        if status_error and final is MISSING:
            status, points = "error", None
        elif final is _NA:
            status = "not_applicable"
            points = max_points if col.na_full else None
        elif final is MISSING:
            status, points = "not_evaluated", None
        else:
            points = final
            status = "full" if points == max_points else "zero" if points == 0 else "partial"
        explanation = computed_trail if stage == "computed" else \
            _explain(stage, final, rounds, computed, computed_trail, error)
        return LeafResult(
            code, max_points,
            self_value if self_decimal else None,
            computed if isinstance(computed, Decimal) else None,
            rounds, points, stage, status, explanation,  # type: ignore[arg-type]
            None if declared is MISSING or declared is _SET_NA else declared,
            None if verified is MISSING else verified,
            flags, error,
        )


class _Column:
    """What scoring one criterion for every unit needs, looked up once per column, not per unit."""

    __slots__ = ("code", "max_points", "rule_name", "precedence", "evidence", "has_check", "policy", "na_full",
                 "_round", "_rounded")

    def __init__(self, criteria: CriteriaSet, node: Node) -> None:
        meta = criteria.meta
        rounding = meta.rounding
        self.code = node.code
        self.max_points = node.max_points
        self.rule_name = node.rule.name if node.rule else ""
        self.precedence = tuple(meta.precedence)
        self.evidence = ("requires " + "; ".join(node.spec.evidence) + " — none attached") if node.spec.evidence else ""
        self.has_check = node.check is not None
        self.policy = meta.declared_vs_verified
        self.na_full = meta.not_applicable == "full_points"
        self._round = rounding if rounding.at == "leaf" else None
        self._rounded: dict[str, Decimal] = {}

    def rounded(self, points: Decimal) -> Decimal:
        """Leaf rounding as the set declares; the few distinct values of a column are rounded once."""
        if self._round is None:
            return points
        key = str(points)  # -0 is not 0 to a cache keyed by value
        done = self._rounded.get(key)
        if done is None:
            done = self._rounded[key] = round_to(points, self._round.decimals, self._round.mode)
        return done


class _Units:
    """Per-unit lookups every column needs, made once per run."""

    __slots__ = ("subs", "answers", "self_points", "answered", "self_assessed", "special", "_attached",
                 "_answer_columns", "_self_columns")

    def __init__(self, subs: Sequence[Submission]) -> None:
        self.subs = subs
        self.answers = [sub.answers for sub in subs]
        self.self_points = [sub.self_assessment for sub in subs]
        self.answered: set[str] = set().union(*self.answers)  # codes any unit answered
        self.self_assessed: set[str] = set().union(*self.self_points)
        self._answer_columns: dict[str, list[Any]] | None = None
        self._self_columns: dict[str, list[Any]] | None = None
        self._attached = [_documents_by_code(sub) if sub.documents else _NO_DOCUMENTS for sub in subs]
        special: dict[str, list[int]] = {}  # code -> units with an appraisal or a document for it
        for i, sub in enumerate(subs):
            for code in (*sub.appraisals, *self._attached[i]):
                positions = special.setdefault(code, [])
                if not positions or positions[-1] != i:
                    positions.append(i)
        self.special = special

    def attached(self, i: int) -> Mapping[str, list[Any]]:
        return self._attached[i]

    def answer_column(self, code: str) -> list[Any]:
        """Every unit's answer to `code` (MISSING where none), read once for checking and for scoring."""
        if self._answer_columns is None:
            self._answer_columns = _transposed(self.answers, sorted(self.answered))
        return self._answer_columns.get(code) or [MISSING] * len(self.subs)

    def self_column(self, code: str) -> list[Any]:
        """Every unit's self-assessed points for `code` (None for N/A, MISSING where none)."""
        if self._self_columns is None:
            self._self_columns = _transposed(self.self_points, sorted(self.self_assessed))
        return self._self_columns.get(code) or [MISSING] * len(self.subs)


def _transposed(rows: list[Mapping[str, Any]], codes: list[str]) -> dict[str, list[Any]]:
    """Per-unit mappings turned into one list per code (MISSING where a unit lacks the code).

    One C-level lookup of all codes per unit, then a transpose, instead of a lookup per unit and
    code from Python: most units answer every criterion.
    """
    if not codes or not rows:
        return {}
    get = itemgetter(*codes) if len(codes) > 1 else (lambda row, code=codes[0]: (row[code],))
    table = []
    for row in rows:
        try:
            table.append(get(row))
        except KeyError:
            table.append(tuple([row.get(code, MISSING) for code in codes]))
    return {code: list(column) for code, column in zip(codes, zip(*table))}


_NO_DOCUMENTS: Mapping[str, list[Any]] = MappingProxyType({})


class _Special:
    """Marks a unit whose result for a criterion is its own (never shared)."""


_SPELLED = {Decimal, type(None), type(MISSING)}  # keyed by str(): no two of these spell alike
_PLAIN = {bool, str, int}  # a column of one of these types is its own key (equal means same spelling)


class _LeafColumn:
    """One criterion for every unit: the distinct results, and per unit the slot of its result."""

    __slots__ = ("table", "slots")

    def __init__(self, table: list[LeafResult], slots: list[int]) -> None:
        self.table = table
        self.slots = slots

    @property
    def results(self) -> list[LeafResult]:
        return list(map(self.table.__getitem__, self.slots))

    def per_unit(self, values: list[Any]) -> Any:
        """Per-result values spread to units; one value when every result gives the same (spelling too)."""
        first = repr(values[0])
        if all(repr(v) == first for v in values):
            return values[0]
        return list(map(values.__getitem__, self.slots))


# A node's points or applicable maximum for every unit: one Decimal when all units have the same.
Amounts = Decimal | list[Decimal]


def _add(x: Any, y: Any, plus: Any = add) -> Any:
    """x + y where either is one amount or one per unit; `plus` is exact Decimal addition or int `add`."""
    if type(x) is list:
        return list(map(plus, x, y)) if type(y) is list else [plus(v, y) for v in x]
    if type(y) is list:
        return [plus(x, v) for v in y]
    return plus(x, y)


# Moving the decimal point must never round, however many digits a figure has.
_EXACT = decimal.Context(prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)


def _common_scale(values: list[Decimal], most: int = 18) -> int | None:
    """The fewest decimals that make every value an integer, or None past `most` (or for NaN/∞)."""
    scale = 0
    for value in set(values):
        exponent = value.as_tuple().exponent
        if not isinstance(exponent, int):
            return None
        scale = max(scale, -exponent)
    return scale if scale <= most else None


def _spread(value: Amounts, count: int) -> list[Decimal]:
    return value if type(value) is list else [value] * count  # type: ignore[return-value,list-item]


def _mapped(values: Any, make: Any) -> Any:
    """`make` applied once per distinct value, spread back (results share objects, not work).

    Integers (points at a common scale, alone or first in a tuple whose other parts are spelled out)
    are distinct when they differ; Decimals are told apart by spelling, as JSON shows them.
    """
    if type(values) is not list:
        return make(values)
    first = values[0] if values else 0
    if type(first) is int or (type(first) is tuple and type(first[0]) is int):
        done = {v: make(v) for v in set(values)}
        return list(map(done.__getitem__, values))
    keys = list(map(repr, values))
    made: dict[str, Any] = {}
    for key, value in zip(keys, values):
        if key not in made:
            made[key] = make(value)
    return list(map(made.__getitem__, keys))


class _SumPlan:
    """The tree as flat slots, children before parents, summed column-wise for all units at once."""

    def __init__(self, criteria: CriteriaSet) -> None:
        meta = criteria.meta
        r = meta.rounding
        nodes = criteria.nodes
        order = list(criteria.walk())
        self.codes = [n.code for n in order]
        slot = {code: i for i, code in enumerate(self.codes)}
        self.leaf_slots = [slot[code] for code in criteria.leaves]
        self.inner = [(slot[n.code], tuple(slot[c] for c in n.children), n.role != "base", n.max_points)
                      for n in reversed(order) if n.children]
        self.reported = [(slot[n.code], n.code, n.name, n.depth, n.max_points)
                         for n in order if not (n.is_leaf and n.depth > 0)]
        self.roots = [(slot[code], nodes[code].role) for code in criteria.roots]
        self.na_full = meta.not_applicable == "full_points"
        q_points, q_percent = quantum(r.decimals), quantum(r.percent_decimals)
        mode = ROUNDING_MODES[r.mode]
        context = _CONTEXT

        def round_points(value: Decimal) -> Decimal:
            return value.quantize(q_points, rounding=mode, context=context)

        def round_percent(value: Decimal) -> Decimal:
            return value.quantize(q_percent, rounding=mode, context=context)

        self.round_points = round_points
        self.round_percent = round_percent

    def unit_results(self, criteria: CriteriaSet, subs: Sequence[Submission], columns: list[_LeafColumn],
                     measured: Mapping[str, Mapping[str, Measurement | _CheckFailed]],
                     plugins: list[tuple[str, str]], version: str) -> list[UnitResult]:
        """Sum every unit's tree, settle totals, index and band, and build each unit's result."""
        count = len(subs)
        if not count:
            return []
        rnd, rnd_pct = self.round_points, self.round_percent
        na_full = self.na_full
        leaf_points = []  # per column: each distinct result's points and applicable maximum
        for column in columns:
            p, a = [], []
            for leaf in column.table:
                top = leaf.max_points
                if leaf.status == "not_applicable":
                    p.append(top if na_full else ZERO)
                    a.append(top if na_full else ZERO)
                else:
                    p.append(leaf.final_points or ZERO)
                    a.append(top)
            leaf_points.append((p, a))
        # Points are summed as integers of a common scale when they have few decimals (they nearly
        # always do): exact, and much cheaper to add and compare than Decimals across 10,000 units.
        scale = _common_scale([v for p, _ in leaf_points for v in p] + [top for *_, capped, top in self.inner if capped])
        plus: Any = add  # integers add exactly; Decimals through the exact context, never rounded at 28 digits
        if scale is None:
            zero: Any = ZERO
            plus = _EXACT.add

            def exact(value: Any) -> Decimal:
                return value  # type: ignore[no-any-return]
        else:
            zero = 0

            def exact(value: Any) -> Decimal:
                return Decimal(value).scaleb(-scale, context=_EXACT)
        points: list[Any] = [zero] * len(self.codes)
        applicable: list[Amounts] = [ZERO] * len(self.codes)
        for column, slot, (p, a) in zip(columns, self.leaf_slots, leaf_points):
            if scale is not None:
                p = [int(v.scaleb(scale, context=_EXACT)) for v in p]
            points[slot], applicable[slot] = column.per_unit(p), column.per_unit(a)
        for slot, children, capped, top in self.inner:  # children before parents
            p_sum: Any = zero
            a_sum: Amounts = ZERO
            for child in children:
                p_sum = _add(p_sum, points[child], plus)
                a_sum = _add(a_sum, applicable[child], _EXACT.add)
            if capped:
                cap = top if scale is None else int(top.scaleb(scale, context=_EXACT))
                p_sum = [min(v, cap) for v in p_sum] if type(p_sum) is list else min(p_sum, cap)
                a_sum = top
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
                node_columns.append(_mapped(list(zip(_spread(p, count), a, map(str, a))), node))
            elif type(p) is list:  # nothing not applicable below: one maximum for all
                node_columns.append(_mapped(p, lambda v, a=a, node=node: node((v, a))))
            else:
                node_columns.append([node((p, a))] * count)  # type: ignore[arg-type]
        base = bonus = penalty = zero
        applicable_max: Amounts = ZERO
        for slot, role in self.roots:
            if role == "bonus":
                bonus = _add(bonus, points[slot], plus)
            elif role == "penalty":
                penalty = _add(penalty, points[slot], plus)
            else:
                base = _add(base, points[slot], plus)
                applicable_max = _add(applicable_max, applicable[slot], _EXACT.add)
        bases, bonuses, penalties = _spread(base, count), _spread(bonus, count), _spread(penalty, count)
        totals = [max(zero, plus(b, g) - n) if scale is not None else max(zero, _EXACT.subtract(_EXACT.add(b, g), n))
                  for b, g, n in zip(bases, bonuses, penalties)]
        maxima = _spread(applicable_max, count)

        def index_of(pair: tuple[Any, Decimal]) -> tuple[Decimal | None, str | None]:
            value = percent(exact(pair[0]), pair[1])
            value = None if value is None else rnd_pct(value)
            return value, _band(criteria, value)

        if type(applicable_max) is list:
            indexes = _mapped(list(zip(totals, maxima)), index_of)
        else:
            indexes = _mapped(totals, lambda v: index_of((v, applicable_max)))  # type: ignore[arg-type]
        leaf_rows = zip(*[column.results for column in columns])
        node_rows = zip(*node_columns)
        rounded = [_mapped(values, lambda v: rnd(exact(v))) for values in (bases, bonuses, penalties, totals)]
        one_provenance = Provenance(criteria.id, criteria.content_hash, version, plugins, [])
        out = []
        for i, sub in enumerate(subs):
            inputs = [(sub.source, sub.sha256)] if sub.sha256 else []
            warnings = [f"evidence file not found: {f}" for f in sub.missing_files] if sub.missing_files else []
            for key, found in measured.items():
                m = found.get(sub.code)
                if isinstance(m, Measurement):
                    inputs.extend(m.sources.items())
                    # Bad records a check counted (invalid dates, duplicate ids...) reach the appraiser.
                    text = ", ".join(f"{n} {issue}" for issue, n in m.issues.items() if n)
                    note = f"{key.partition('{')[0]}: rows with faults in the records: {text}"
                    if text and note not in warnings:
                        warnings.append(note)
            index, band = indexes[i]
            out.append(UnitResult(
                UnitInfo(sub.code, sub.name, sub.kind, sub.period, sub.cohort),
                list(next(node_rows)), list(next(leaf_rows)),
                rounded[0][i], rounded[1][i], rounded[2][i], rounded[3][i],
                maxima[i], index, band,
                Provenance(criteria.id, criteria.content_hash, version, plugins, sorted(set(inputs)))
                if inputs else one_provenance,
                warnings,
            ))
        return out


def _documents_by_code(sub: Submission) -> dict[str, list[Any]]:
    """A unit's evidence documents by the criteria they are attached to (looked up once per unit)."""
    out: dict[str, list[Any]] = {}
    for doc in sub.documents:
        for code in doc.criteria:
            out.setdefault(code, []).append(doc)
    return out


def _score_column(node: Node, values: list[Any], positions: list[int]) -> dict[int, Scored]:
    """One rule call for the column; equal inputs (most answers repeat across units) are scored once.

    Rules are pure functions of (criterion, value), so scoring each distinct value once gives the same
    verdicts as scoring every unit; unhashable inputs (tables) are passed as they are.
    """
    assert node.rule is not None
    distinct: list[Any] = []
    where: dict[tuple[type, Any], int] = {}
    slots: list[int] = []
    for value in values:
        try:
            kind = type(value)  # numbers by spelling: 75.00 and 75 (or -0 and 0) may score differently
            key: tuple[type, Any] | None = (kind, repr(value) if kind is Decimal or kind is float else value)
            found = where.get(key)  # type: ignore[arg-type]
        except TypeError:  # unhashable
            key, found = None, None
        if found is None:
            found = len(distinct)
            distinct.append(value)
            if key is not None:
                where[key] = found
        slots.append(found)
    try:
        outcome = list(node.rule.score(node.leaf, distinct))
        if len(outcome) != len(distinct):
            raise ValueError(f"returned {len(outcome)} results for {len(distinct)} values")
    except Exception as exc:  # a plugin's bug must not stop the run
        failed = Scored(None, "", error=f"rule '{node.rule.name}' failed: {type(exc).__name__}: {exc}")
        outcome = [failed] * len(distinct)
    return {position: outcome[slot] for position, slot in zip(positions, slots)}


def _band(criteria: CriteriaSet, index: Decimal | None) -> str | None:
    if index is None:
        return None
    for band in criteria.meta.bands:
        if (band.from_ is None or index >= band.from_) and (band.below is None or index < band.below):
            return band.code
    return None


def _check_key(node: Node) -> str:
    assert node.check is not None
    return node.check.name + json.dumps(node.spec.check_params, sort_keys=True, default=str)


def _evaluate(check: CheckKind, params: Mapping[str, Any], evidence: list[Any]) -> dict[str, Measurement | _CheckFailed]:
    try:
        found = check.evaluate(evidence, params)
        if not isinstance(found, Mapping):
            raise TypeError(f"returned {type(found).__name__}, not a mapping of unit code to Measurement")
    except Exception as exc:  # the run goes on; every unit's leaf shows the error
        failed = _CheckFailed(f"check '{check.name}' failed: {type(exc).__name__}: {exc}")
        return {unit.code: failed for unit in evidence}
    out: dict[str, Measurement | _CheckFailed] = {}
    for unit in evidence:
        value = found.get(unit.code)
        if value is None:
            continue
        if isinstance(value, BaseException):
            out[unit.code] = _CheckFailed(f"check '{check.name}': {value}")
        elif isinstance(value, Measurement):
            out[unit.code] = value
        else:
            out[unit.code] = _CheckFailed(f"check '{check.name}' returned {type(value).__name__}, not a Measurement")
    return out


def _keys(values: list[Any]) -> list[Any]:
    """Sharing keys of one column of answers or self-assessed points, made in C where the types allow.

    Equal keys must mean equal results: numbers are keyed by their spelling (1.50 is shown as
    declared, apart from 1.5; -0.0 apart from 0.0), and values of mixed types by type too (true is not 1).
    """
    kinds = set(map(type, values))
    if kinds <= _SPELLED:
        return list(map(str, values))  # Decimal spellings, "None" (N/A) and "<missing>" never meet
    if len(kinds) == 1 and kinds <= _PLAIN:
        return values
    return [((kind := v.__class__), str(v) if kind is Decimal or kind is float else v) for v in values]


def _frozen(key: Any) -> Any:
    """A sharing key holding a table (dict or list) answer: the table is keyed by its repr, which
    tells apart what results tell apart (1.50 from 1.5; keys in another order merely share less)."""
    kind = key.__class__
    if kind is tuple:
        return tuple(_frozen(v) for v in key)
    if kind is dict or kind is list:
        return (kind, repr(key))
    try:
        hash(key)
    except TypeError:
        return (_Special, id(key))  # nothing to key it by: never shared
    return key


def _settled(value: Any) -> bool:
    """Values the engine settles itself: missing, N/A, failed checks and if_no_value points."""
    return value is MISSING or value is _NA or isinstance(value, (_CheckFailed, _Fixed))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    try:
        return to_decimal(a) == to_decimal(b)
    except (TypeError, ValueError):
        return a == b


def _join_trail(check_trail: str, rule_trail: str) -> str:
    """'6 of 12 on time → 50 %' + '50 % → band …' reads '6 of 12 on time → 50 % → band …', not '50 %' twice."""
    if not check_trail:
        return rule_trail
    head, sep, rest = rule_trail.partition(" → ")
    if sep and check_trail.endswith(head):
        return f"{check_trail} → {rest}"
    return f"{check_trail} → {rule_trail}"


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (Decimal, int, float)):
        return plain(to_decimal(value))
    return repr(value) if isinstance(value, str) else str(value)


def _explain(stage: str | None, final: Any, rounds: list[AppraisalRound], computed: Any, trail: str,
             error: str | None) -> str:
    if stage == "appraisal":
        last = rounds[-1]
        text = f"appraisal round {last.round}"
        text += f" by {last.by}" if last.by else ""
        text += ": not applicable" if last.not_applicable else f": {plain(last.points)} points"  # type: ignore[arg-type]
        if last.reason:
            text += f" — {last.reason}"
        if trail:
            text += f" (evidence: {trail})"
        return text
    if stage == "computed":
        return trail
    if stage == "self":
        text = "self-assessed: not applicable" if final is _NA else f"self-assessed {plain(final)} points"
        if error:
            return f"{text}; evidence check failed: {error}"
        return f"{text}; {trail}" if trail else text
    if error:
        return f"error: {error}"
    return trail or "no score: no self-assessment, evidence or appraisal"
