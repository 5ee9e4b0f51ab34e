"""Scoring: evidence checks → rules → score stages → sums, for many units at once.

`score_many` is the pipeline, one call per step. Each check runs once for all units (one pass over
shared data files), each rule once per criterion with the distinct inputs of all units; each
unit's stages are then settled by the set's precedence (`stages`) and added up (`totals`).
Rules and checks are the ones the set was loaded with (`load_criteria_set(path, registry)`).

A run speaks one language: every explanation, flag and error it stores is written once, when the
criterion is settled, in the run's `language` (the set's `[set] language` unless the caller says
otherwise) with the set's decimals (`parrules.messages.speaking`). Results are data that outlive the
run — the campaign JSON, last year's file — so they carry finished sentences, not keys to look up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from parrules.errors import raise_if
from parrules.messages import speaking
from parrules.plugins.contracts import Scored
from parrules.plugins.registry import parrules_version
from parrules.scoring.checks import Measured, Timeout, check_key, run_checks
from parrules.scoring.collector import no_gc_pauses
from parrules.scoring.inputs import (
    MISSING,
    NOT_APPLICABLE,
    SET_NOT_APPLICABLE,
    checked_input,
    declared_input,
    settled,
    shown_declared,
    unanswered_reads_as,
)
from parrules.scoring.results import RunResult, UnitResult
from parrules.scoring.rules import score_values
from parrules.scoring.sharing import LeafColumn, Units
from parrules.scoring.stages import Criterion, LeafInput, rounding_mode, settle, settled_by_rule_column
from parrules.scoring.totals import SumPlan
from parrules.sets.criteria_set import CriteriaSet, Node
from parrules.submissions.submission import Submission, validate_submissions


def score(criteria: CriteriaSet, submission: Submission, *,
          data: Mapping[str, str | Path] | None = None, check_timeout: Timeout = None,
          language: str | None = None) -> UnitResult:
    """Score one unit."""
    return Engine().score_many(criteria, [submission], data=data, check_timeout=check_timeout,
                               language=language).units[0]


def score_many(criteria: CriteriaSet, submissions: Sequence[Submission], *,
               data: Mapping[str, str | Path] | None = None, check_timeout: Timeout = None,
               language: str | None = None) -> RunResult:
    """Score many units against one set; `data` names campaign-wide data files shared by all units;
    a check call taking more than `check_timeout` seconds (default 60; 0: no limit) errors its criteria;
    explanations are written in `language` ("vi" or "en"; None: the set's)."""
    return Engine().score_many(criteria, submissions, data=data, check_timeout=check_timeout, language=language)


class Engine:
    """The scoring pipeline. Rules and checks come bound in the criteria set, from the registry it
    was loaded with, so the engine holds no registry of its own."""

    def score_many(self, criteria: CriteriaSet, submissions: Sequence[Submission], *,
                   data: Mapping[str, str | Path] | None = None,
                   relative_to: str | Path | None = None,
                   check_timeout: Timeout = None, language: str | None = None) -> RunResult:
        """Score many units; provenance names input files relative to `relative_to` when given (the
        campaign or set file's folder), so a run gives the same bytes from any working directory;
        `check_timeout` and `language` as in `score_many` (an unknown language is a ValueError)."""
        rounding = criteria.meta.rounding
        with speaking(language or criteria.meta.language, decimals=rounding.decimals,
                      percent_decimals=rounding.percent_decimals, mode=rounding.mode), rounding_mode(rounding.mode), no_gc_pauses():
            units = Units(submissions)
            raise_if(validate_submissions(criteria, submissions, units.answer_column))
            measured = run_checks(criteria, submissions, {name: Path(path) for name, path in (data or {}).items()},
                                  timeout=check_timeout)
            columns = [score_criterion(criteria, criteria.nodes[code], units, measured) for code in criteria.leaves]
            plugins = tuple(sorted({(k.plugin, k.plugin_version)
                                    for k in (*criteria.rule_kinds_used(), *criteria.checks_used())}))
            results = SumPlan(criteria).unit_results(submissions, columns, measured, plugins, parrules_version(),
                                                     relative_to=relative_to)
        return RunResult(criteria.id, criteria.meta.name, criteria.meta.total_points, tuple(results))

    def score(self, criteria: CriteriaSet, submission: Submission, *,
              data: Mapping[str, str | Path] | None = None, check_timeout: Timeout = None,
              language: str | None = None) -> UnitResult:
        return self.score_many(criteria, [submission], data=data, check_timeout=check_timeout,
                               language=language).units[0]


def score_criterion(criteria: CriteriaSet, node: Node, units: Units, measured: Measured) -> LeafColumn:
    """Every unit's result for one criterion."""
    if node.check is not None:
        return _score_checked(criteria, node, units, measured)
    return _score_declared(criteria, node, units)


def _score_declared(criteria: CriteriaSet, node: Node, units: Units) -> LeafColumn:
    """A criterion scored from what units declared: each distinct situation is scored once, and units
    in the same situation share its result (see `sharing`)."""
    code = node.code
    subs = units.subs
    unanswered = unanswered_reads_as(node)
    reps, slots = units.situations(code, own_when_unanswered=unanswered is SET_NOT_APPLICABLE)
    declared = [subs[r].answers.get(code, unanswered) for r in reps]
    needs_input = node.rule is not None and node.rule.needs_input
    inputs = [declared_input(d, needs_input) for d in declared]
    scored = _scored(node, inputs, [j for j, v in enumerate(inputs) if v is not MISSING and v is not NOT_APPLICABLE])
    criterion = Criterion(criteria, node)
    shown = list(map(shown_declared, declared))
    # most situations: only the rule speaks (`settled_by_rule_column`); the others go through every stage
    table = settled_by_rule_column(criterion, [subs[r] for r in reps], scored, shown) if criterion.plain \
        else [None] * len(reps)
    for j, result in enumerate(table):
        if result is None:
            r = reps[j]
            table[j] = settle(criterion, subs[r], LeafInput(inputs[j], scored[j], "", declared[j], MISSING,
                                                            units.attached(r)), shown[j])
    return LeafColumn(table, slots)  # type: ignore[arg-type]  # no None is left


def _score_checked(criteria: CriteriaSet, node: Node, units: Units, measured: Measured) -> LeafColumn:
    """A criterion an evidence check measures: each unit has its own records, trail and result."""
    code = node.code
    by_unit = measured.get(check_key(node))
    unanswered = unanswered_reads_as(node)
    needs_input = node.rule is not None and node.rule.needs_input
    policy = criteria.meta.declared_vs_verified
    declared = [sub.answers.get(code, unanswered) for sub in units.subs]
    given = [checked_input(node, d, by_unit.get(sub.code) if by_unit is not None else None, policy, needs_input,
                           by_unit is not None) for d, sub in zip(declared, units.subs)]
    inputs = [value for value, _, _ in given]
    scored = _scored(node, inputs, [i for i, v in enumerate(inputs) if needs_input and not settled(v)])
    criterion = Criterion(criteria, node)
    table = [settle(criterion, sub, LeafInput(value, scored[i], trail, declared[i], verified, units.attached(i)),
                    shown_declared(declared[i]))
             for i, (sub, (value, verified, trail)) in enumerate(zip(units.subs, given))]
    return LeafColumn(table, list(range(len(table))))


def _scored(node: Node, inputs: list, positions: list[int]) -> list[Scored | None]:
    """The rule's verdict for each input at `positions`, None for the others (settled before the rule)."""
    if not positions or node.rule is None:
        return [None] * len(inputs)
    verdicts: list[Scored | None] = score_values(node, [inputs[j] for j in positions])  # type: ignore[assignment]
    if len(positions) == len(inputs):  # every input went to the rule, in order
        return verdicts
    out: list[Scored | None] = [None] * len(inputs)
    for j, verdict in zip(positions, verdicts):
        out[j] = verdict
    return out
