"""A criterion's score stages for one unit, and the policy that settles them.

The stages are: self-assessed (tự chấm), computed from the evidence by the rule, and the appraisal
rounds (thẩm định). The final points come from the first stage in the set's `precedence` that has
a value (default: the last appraisal round, else computed, else self). A computed stage that errored
stops the precedence there: the criterion is an error, not silently the self-assessment, unless an
earlier stage settled it. Alongside, flags tell appraisers what to look at: a self-score above what
the evidence supports, an appraisal that lowers a score without a reason, required evidence not
attached or not found, a declared figure the records contradict, and errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from parrules.amounts import ZERO, plain, round_to, to_decimal
from parrules.plugins.contracts import Scored
from parrules.scoring.inputs import MISSING, NOT_APPLICABLE, CheckFailed, FixedPoints, declares_na
from parrules.scoring.results import AppraisalRound, Flag, LeafResult, frozen
from parrules.scoring.sharing import spelling
from parrules.sets.criteria_set import CriteriaSet, Node
from parrules.submissions.submission import Submission

_AS_IS = frozenset({str, bool, int, Decimal, type(None)})  # values `frozen` returns as they are


class Criterion:
    """What settling one criterion needs from the set, looked up once per criterion, not per unit."""

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
        """Leaf rounding as the set declares; the few distinct values of a criterion are rounded once."""
        if self._round is None:
            return points
        key = spelling(points)  # -0 is not 0 to a cache keyed by value
        done = self._rounded.get(key)
        if done is None:
            done = self._rounded[key] = round_to(points, self._round.decimals, self._round.mode)
        return done


class LeafInput:
    """What one unit brings to one criterion: the rule's input (or a settled outcome), the rule's
    verdict on it, the check's trail, the declared and verified figures, and the unit's files."""

    __slots__ = ("value", "scored", "trail", "declared", "verified", "attached")

    def __init__(self, value: Any, scored: Scored | None, trail: str, declared: Any, verified: Any,
                 attached: Mapping[str, list[Any]]) -> None:
        self.value = value
        self.scored = scored
        self.trail = trail
        self.declared = declared
        self.verified = verified
        self.attached = attached


def settle(criterion: Criterion, sub: Submission, given: LeafInput, shown_declared: Any) -> LeafResult:
    """One unit's result for one criterion: every stage, the final points by precedence, the flags."""
    code = criterion.code
    computed, computed_trail, error = computed_stage(criterion, given)
    self_value: Any = NOT_APPLICABLE if code in sub.self_na else sub.self_assessment.get(code, MISSING)
    rounds = appraisal_rounds(sub, code) if code in sub.appraisals else ()
    final, stage, stopped_at_error = by_precedence(criterion.precedence, rounds, computed, error, self_value)
    flags = flags_for(criterion, given, computed, self_value, rounds, final, error)
    status, points = status_of(final, stopped_at_error, criterion)
    explanation = computed_trail if stage == "computed" else \
        explain(stage, final, rounds, computed, computed_trail, error)
    self_decimal = isinstance(self_value, Decimal)
    return LeafResult(
        code, criterion.max_points,
        self_value if self_decimal else None,
        computed if isinstance(computed, Decimal) else None,
        rounds, points, stage, status, explanation,  # type: ignore[arg-type]
        shown_declared if type(shown_declared) in _AS_IS else frozen(shown_declared),
        None if given.verified is MISSING else frozen(given.verified),
        flags, error,
    )


def computed_stage(criterion: Criterion, given: LeafInput) -> tuple[Any, str, str | None]:
    """(computed points — a Decimal, NOT_APPLICABLE or MISSING —, its explanation, an error)."""
    scored, value = given.scored, given.value
    if scored is not None:
        if scored.error:
            return MISSING, "", f"input {show(value)}: {scored.error}"
        if scored.points is None:
            return MISSING, scored.explanation, None
        if not ZERO <= scored.points <= criterion.max_points:
            return MISSING, "", (f"rule '{criterion.rule_name}' gave {plain(scored.points)} points, "
                                 f"outside 0..{plain(criterion.max_points)}")
        return criterion.rounded(scored.points), join_trail(given.trail, scored.explanation), None
    if isinstance(value, CheckFailed):
        return MISSING, "", value.message
    if value is NOT_APPLICABLE:
        return NOT_APPLICABLE, "not applicable", None
    if isinstance(value, FixedPoints):
        return value.points, given.trail, None
    return MISSING, "", None


def appraisal_rounds(sub: Submission, code: str) -> tuple[AppraisalRound, ...]:
    appraisals = sub.appraisals.get(code)
    if not appraisals:
        return ()
    return tuple(AppraisalRound(a.round, a.points, a.not_applicable, a.reason, a.by, a.at, a.response)
                 for a in appraisals)


def by_precedence(precedence: tuple[str, ...], rounds: tuple[AppraisalRound, ...], computed: Any,
                  error: str | None, self_value: Any) -> tuple[Any, str | None, bool]:
    """(final points, the stage they come from, whether the precedence stopped at an errored computation)."""
    for name in precedence:
        if name == "appraisal" and rounds:
            last = rounds[-1]
            return (NOT_APPLICABLE if last.not_applicable else last.points), "appraisal", False
        if name == "computed":
            if error is not None:
                return MISSING, None, True
            if computed is not MISSING:
                return computed, "computed", False
        if name == "self" and self_value is not MISSING:
            return self_value, "self", False
    return MISSING, None, False


def flags_for(criterion: Criterion, given: LeafInput, computed: Any, self_value: Any,
              rounds: tuple[AppraisalRound, ...], final: Any, error: str | None) -> tuple[Flag, ...]:
    """What an appraiser should look at for this unit and criterion."""
    flags: list[Flag] = []
    if error:
        flags.append(Flag("error", error))
    self_decimal = isinstance(self_value, Decimal)
    if self_decimal and isinstance(computed, Decimal) and self_value > computed:
        flags.append(Flag("self_above_evidence",
                          f"self-assessed {plain(self_value)} but the evidence supports {plain(computed)}"))
    previous = self_value if self_decimal else None
    for r in rounds:
        if r.points is not None and previous is not None and r.points < previous and not r.reason.strip():
            flags.append(Flag("lowered_without_reason",
                              f"appraisal round {r.round} lowered {plain(previous)} to {plain(r.points)} without a reason"))
        if r.points is not None:
            previous = r.points
    if criterion.evidence and final is not NOT_APPLICABLE:
        docs = given.attached.get(criterion.code)
        if not docs:
            flags.append(Flag("missing_evidence", criterion.evidence))
        else:
            for doc in docs:
                if doc.file is not None and not doc.file.is_file():
                    flags.append(Flag("evidence_file_missing", f"evidence file not found: {doc.file.name}"))
    declared, verified = given.declared, given.verified
    if criterion.has_check and declared is not MISSING and not declares_na(declared) \
            and verified not in (None, MISSING) \
            and not same_figure(declared, verified):
        flags.append(Flag("declared_differs",
                          f"declared {show(declared)}, records show {show(verified)}; {criterion.policy} figure scored"))
    return tuple(flags)


def status_of(final: Any, stopped_at_error: bool, criterion: Criterion) -> tuple[str, Decimal | None]:
    """(status, points): an error has no points; N/A has none, or full points where the set says so."""
    if stopped_at_error and final is MISSING:
        return "error", None
    if final is NOT_APPLICABLE:
        return "not_applicable", criterion.max_points if criterion.na_full else None
    if final is MISSING:
        return "not_evaluated", None
    status = "full" if final == criterion.max_points else "zero" if final == 0 else "partial"
    return status, final


def same_figure(a: Any, b: Any) -> bool:
    """Whether a declared and a verified figure agree (1 and 1.0 do; true and 1 do not)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    try:
        return to_decimal(a) == to_decimal(b)
    except (TypeError, ValueError):
        return a == b


def join_trail(check_trail: str, rule_trail: str) -> str:
    """'6 of 12 on time → 50 %' + '50 % → band …' reads '6 of 12 on time → 50 % → band …', not '50 %' twice."""
    if not check_trail:
        return rule_trail
    head, sep, rest = rule_trail.partition(" → ")
    if sep and check_trail.endswith(head):
        return f"{check_trail} → {rest}"
    return f"{check_trail} → {rule_trail}"


def show(value: Any) -> str:
    """A value as an explanation shows it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (Decimal, int, float)):
        try:
            return plain(to_decimal(value))
        except ValueError:  # not a figure (∞, NaN, absurd): said as it is
            return str(value)
    return repr(value) if isinstance(value, str) else str(value)


def explain(stage: str | None, final: Any, rounds: tuple[AppraisalRound, ...], computed: Any, trail: str,
            error: str | None) -> str:
    """How the final points came about, in one line."""
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
        text = "self-assessed: not applicable" if final is NOT_APPLICABLE else f"self-assessed {plain(final)} points"
        if error:
            return f"{text}; evidence check failed: {error}"
        return f"{text}; {trail}" if trail else text
    if error:
        return f"error: {error}"
    return trail or "no score: no self-assessment, evidence or appraisal"
