"""A criterion's score stages for one unit, and the policy that settles them.

The stages are: self-assessed (tự chấm), computed from the evidence by the rule, and the appraisal
rounds (thẩm định). The final points come from the first stage in the set's `precedence` that has
a value (default: the last appraisal round, else computed, else self). A computed stage that errored
stops the precedence there: the criterion is an error, not silently the self-assessment, unless an
earlier stage settled it. Alongside, flags tell appraisers what to look at: a self-score above what
the evidence supports, an appraisal that lowers a score without a reason, required evidence not
attached or not found, a declared figure the records contradict, and errors.

Every text here is written in the voice of the run (`parrules.messages.speaking`, entered by the
engine) from the catalogue (`stages.toml`), and every figure in it is rounded as the set declares
(`rounded_points`, `rounded_percent`): a clerk reads in the explanation the points the results
publish, never 0.5333333333333333333333333333333333. A figure is shown with more decimals only where
rounding would contradict the sentence it stands in ("self-assessed 0.75 but the evidence supports
0.75" for 0.751 and 0.75).
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from functools import lru_cache
from typing import Any

from parrules.amounts import ZERO, round_to, rounder, shown, to_decimal
from parrules.messages import current_voice, say
from parrules.plugins.contracts import Scored
from parrules.scoring.inputs import MISSING, NOT_APPLICABLE, CheckFailed, FixedPoints, declares_na
from parrules.scoring.results import AppraisalRound, Flag, LeafResult, frozen
from parrules.scoring.sharing import spelling
from parrules.sets.criteria_set import CriteriaSet, Node
from parrules.submissions.submission import Submission

_AS_IS = frozenset({str, bool, int, Decimal, type(None)})  # values `frozen` returns as they are

_MODE: ContextVar[str] = ContextVar("parrules_rounding_mode", default="half_up")
_MOST_DECIMALS = 40  # past a figure's last digit (≥ 10^-20, ≤ 34 digits): rounding changes nothing


@contextmanager
def rounding_mode(mode: str) -> Iterator[None]:
    """Round the figures texts state with the set's rounding mode inside the block (the engine's run),
    so "→ 1,72/2 điểm" is what a set that rounds down publishes for 1.728, not 1,73."""
    token = _MODE.set(mode)
    try:
        yield
    finally:
        _MODE.reset(token)


@lru_cache(maxsize=128)
def _rounding(decimals: int, mode: str) -> Callable[[Decimal], Decimal]:
    return rounder(decimals, mode)


def figure_rounder(decimals: int) -> Callable[[Decimal], Decimal]:
    """The run's rounding to `decimals` (in the set's mode), for rounding many figures alike; a
    figure too large for it raises `decimal.InvalidOperation`."""
    return _rounding(decimals, _MODE.get())


def rounded_figure(value: Decimal | int | float | None, decimals: int,
                   keeps: Callable[[Decimal], bool] | None = None) -> Decimal | None:
    """`value` rounded to `decimals` in the run's rounding mode, for a `{x:number}` placeholder.

    Where `keeps(rounded)` is false — the rounded figure would contradict what the sentence says of
    it (99.996 % shown as 100 % in the band "from 90 % below 100 %") — it gets as many more decimals
    as it takes, up to the exact value: a text may be longer, never wrong. None stays None (a missing
    figure is shown as a dash, never 0); NaN, ∞ and figures too large to round are given back as
    they are. An int or a float (a plugin's) is taken as it reads (0.1 stays 0.1).
    """
    if value is None:
        return None
    number = value if type(value) is Decimal else Decimal(repr(value) if isinstance(value, float) else value)
    if not number.is_finite():
        return number
    mode = _MODE.get()
    for places in range(decimals, _MOST_DECIMALS):
        try:
            rounded = _rounding(places, mode)(number)
        except decimal.InvalidOperation:  # more digits than the context holds: nothing to round away
            return number
        if keeps is None or keeps(rounded):
            return rounded
    return number


def rounded_points(value: Decimal | int | float | None) -> Decimal | None:
    """Points as a text states them: rounded to the decimals the run declares (the set's), so an
    explanation says the points the results publish. Give it to a `{x:number}` placeholder, which
    drops trailing zeros (0,5 and 1, not 0,50 and 1,00)."""
    return rounded_figure(value, current_voice().decimals)


def rounded_percent(value: Decimal | int | float | None) -> Decimal | None:
    """A percentage (a rate, a share, an index) as a text states it: rounded to the run's percent
    decimals, for a `{x:number}` placeholder (57,14 %, 100 %)."""
    return rounded_figure(value, current_voice().percent_decimals)


def distinct_figures(a: Decimal, b: Decimal, decimals: int) -> tuple[Decimal | None, Decimal | None]:
    """Two figures rounded to `decimals`, with more decimals where rounding would make two different
    figures look equal ("self-assessed 0,751 but the evidence supports 0,75", not "0,75 … 0,75")."""
    for places in range(decimals, _MOST_DECIMALS):
        shown_a, shown_b = rounded_figure(a, places), rounded_figure(b, places)
        if shown_a != shown_b or a == b:
            return shown_a, shown_b
    return a, b


class Criterion:
    """What settling one criterion needs from the set, looked up once per criterion, not per unit."""

    __slots__ = ("code", "max_points", "rule_name", "precedence", "evidence", "has_check", "policy", "na_full",
                 "plain", "_round", "_rounded")

    def __init__(self, criteria: CriteriaSet, node: Node) -> None:
        meta = criteria.meta
        rounding = meta.rounding
        self.code = node.code
        self.max_points = node.max_points
        self.rule_name = node.rule.name if node.rule else ""
        self.precedence = tuple(meta.precedence)
        self.evidence = say("flag_text.missing_evidence", documents="; ".join(node.spec.evidence)) \
            if node.spec.evidence else ""  # written once per criterion, in the voice of the run
        self.has_check = node.check is not None
        self.policy = meta.declared_vs_verified
        self.na_full = meta.not_applicable == "full_points"
        # Nothing but the rule can decide a unit that has no self-assessment and no appraisal for it:
        # no evidence to flag, no check to compare with, and the computed stage in the precedence.
        self.plain = not self.evidence and not self.has_check and "computed" in self.precedence
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
    scored = given.scored
    if scored is not None and criterion.plain:
        ruled = settled_by_rule(criterion, sub, scored, given.trail, shown_declared, given.verified)
        if ruled is not None:
            return ruled
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


def settled_by_rule(criterion: Criterion, sub: Submission, scored: Scored, trail: str, shown_declared: Any,
                    verified: Any = MISSING) -> LeafResult | None:
    """The result when only the rule speaks — a criterion with nothing to flag (`Criterion.plain`), a
    unit with no self-assessment and no appraisal for it, a verdict in range — made directly; None
    otherwise (`settle` then goes through every stage). The same result `settle` gives: most
    distinct situations of a campaign are of this kind."""
    code = criterion.code
    points = scored.points
    if scored.error is not None or type(points) is not Decimal or code in sub.self_assessment \
            or code in sub.self_na or code in sub.appraisals:
        return None
    if not (points.is_finite() and ZERO <= points <= criterion.max_points):
        return None
    computed = criterion.rounded(points)
    return LeafResult(
        code, criterion.max_points, None, computed, (), computed, "computed",
        "full" if computed == criterion.max_points else "zero" if computed == 0 else "partial",
        join_trail(trail, scored.explanation) if trail else scored.explanation,
        shown_declared if type(shown_declared) in _AS_IS else frozen(shown_declared),
        None if verified is MISSING else frozen(verified))


def settled_by_rule_column(criterion: Criterion, subs: Sequence[Submission], verdicts: Sequence[Scored | None],
                           shown: Sequence[Any]) -> list[LeafResult | None]:
    """`settled_by_rule` for a column of situations (unit i's verdict and declared answer as shown), no
    trail and nothing verified: the same results, None where `settle` must go through every stage.
    One loop with the criterion's facts at hand, as most of a campaign's distinct situations are these."""
    code, top, rounded = criterion.code, criterion.max_points, criterion.rounded
    out: list[LeafResult | None] = []
    append = out.append
    for sub, scored, declared in zip(subs, verdicts, shown):
        points = None if scored is None or scored.error is not None else scored.points
        if type(points) is not Decimal or code in sub.self_assessment or code in sub.self_na \
                or code in sub.appraisals or not (points.is_finite() and ZERO <= points <= top):
            append(None)
            continue
        computed = rounded(points)
        append(LeafResult(
            code, top, None, computed, (), computed, "computed",
            "full" if computed == top else "zero" if computed == 0 else "partial", scored.explanation,
            declared if type(declared) in _AS_IS else frozen(declared), None))
    return out


def computed_stage(criterion: Criterion, given: LeafInput) -> tuple[Any, str, str | None]:
    """(computed points — a Decimal, NOT_APPLICABLE or MISSING —, its explanation, an error)."""
    scored, value = given.scored, given.value
    if scored is not None:
        if scored.error:
            return MISSING, "", say("stage_text.input_error", value=show(value), error=scored.error)
        points = scored.points
        if points is None:
            return MISSING, scored.explanation, None
        if type(points) is not Decimal:  # a plugin's float, text or int: a figure, or an error, not a traceback
            points = points_or_none(points)
        if points is None or not points.is_finite():
            return MISSING, "", say("stage_text.points_not_a_number", rule=criterion.rule_name,
                                    points=shown(scored.points))
        if not ZERO <= points <= criterion.max_points:
            return MISSING, "", say("stage_text.points_outside", rule=criterion.rule_name, points=show(points),
                                    max=criterion.max_points)
        return criterion.rounded(points), join_trail(given.trail, scored.explanation), None
    if isinstance(value, CheckFailed):
        return MISSING, "", value.message
    if value is NOT_APPLICABLE:
        return NOT_APPLICABLE, say("status.not_applicable"), None
    if isinstance(value, FixedPoints):
        return value.points, fixed_points_trail(given.trail, value.points), None
    return MISSING, "", None


def points_or_none(points: Any) -> Decimal | None:
    """A rule's points that are not a Decimal, made one (an int, a float through its shortest repr),
    or None for what is no figure at all: text ("2"), a yes/no, NaN, ∞, absurd magnitudes."""
    if isinstance(points, (str, bool)):
        return None
    try:
        return to_decimal(points)
    except (TypeError, ValueError):
        return None


def fixed_points_trail(trail: str, points: Decimal) -> str:
    """The check's trail and what the set fixes when the check has no value ("no value → full
    points"), the latter in the voice of the run."""
    said = say("stage_text.no_value_zero" if points == 0 else "stage_text.no_value_full")
    return f"{trail}; {said}" if trail else said


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
        claimed, supported = distinct_figures(self_value, computed, current_voice().decimals)
        flags.append(Flag("self_above_evidence",
                          say("flag_text.self_above_evidence", claimed=claimed, computed=supported)))
    previous = self_value if self_decimal else None
    for r in rounds:
        if r.points is not None and previous is not None and r.points < previous and not r.reason.strip():
            before, after = distinct_figures(previous, r.points, current_voice().decimals)
            flags.append(Flag("lowered_without_reason",
                              say("flag_text.lowered_without_reason", round=r.round, before=before, after=after)))
        if r.points is not None:
            previous = r.points
    if criterion.evidence and final is not NOT_APPLICABLE:
        docs = given.attached.get(criterion.code)
        if not docs:
            flags.append(Flag("missing_evidence", criterion.evidence))
        else:
            for doc in docs:
                if doc.file is not None and not doc.file.is_file():
                    flags.append(Flag("evidence_file_missing",
                                      say("flag_text.evidence_file_missing", file=doc.file.name)))
    declared, verified = given.declared, given.verified
    if criterion.has_check and declared is not MISSING and not declares_na(declared) \
            and verified not in (None, MISSING) \
            and not same_figure(declared, verified):
        said, found = show_apart(declared, verified)
        flags.append(Flag("declared_differs", say(f"flag_text.declared_differs_{criterion.policy}",
                                                  declared=said, verified=found)))
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
    """'6 of 12 on time → 50 %' + '50 % → band …' reads '6 of 12 on time → 50 % → band …', and
    '… → 50 %' + '50 % × 10 → 5 of 10' reads '… → 50 % × 10 → 5 of 10': the figure the check ends
    with is not said twice (both are rounded alike, so they are written alike)."""
    if not check_trail:
        return rule_trail
    head, sep, rest = rule_trail.partition(" → ")
    if sep and check_trail.endswith(head):
        return f"{check_trail} → {rest}"
    before, arrow, last = check_trail.rpartition(" → ")
    if arrow and head.startswith(last + " "):  # the rule's first step goes on from the check's figure
        return f"{before} → {rule_trail}"
    return f"{check_trail} → {rule_trail}"


def show(value: Any) -> str:
    """A value as a text quotes it, exactly and in the voice of the run: yes/no in its language, a
    number in its style (98,7), text in quotes — and whatever is huge (10 KB of text, a table nested
    deep) cut to one short line (`amounts.shown`)."""
    if isinstance(value, bool):
        return say("rule.yes" if value else "rule.no")
    if isinstance(value, (Decimal, int, float)):
        try:
            return say("rule.number", value=to_decimal(value))
        except (TypeError, ValueError):  # not a figure (∞, NaN, absurd): said as it is, short
            return shown(value)
    return shown(value)


def show_apart(declared: Any, verified: Any) -> tuple[str, str]:
    """A declared and a verified figure as a flag states them: rounded to the run's percent decimals
    (they are rates and counts, not points), with more decimals where rounding would make them look
    equal; anything but two numbers is quoted as it is (`show`)."""
    try:
        a, b = to_decimal(declared), to_decimal(verified)
    except (TypeError, ValueError):
        return show(declared), show(verified)
    a_shown, b_shown = distinct_figures(a, b, current_voice().percent_decimals)
    return say("rule.number", value=a_shown), say("rule.number", value=b_shown)


def explain(stage: str | None, final: Any, rounds: tuple[AppraisalRound, ...], computed: Any, trail: str,
            error: str | None) -> str:
    """How the final points came about, in one line, in the voice of the run."""
    if stage == "appraisal":
        last = rounds[-1]
        head = say("stage_text.appraisal_by", round=last.round, by=last.by) if last.by \
            else say("stage_text.appraisal", round=last.round)
        text = say("stage_text.appraisal_na", round=head) if last.not_applicable \
            else say("stage_text.appraisal_points", round=head, points=rounded_points(last.points))
        if last.reason:
            text += f" — {last.reason}"
        return say("stage_text.with_evidence", text=text, trail=trail) if trail else text
    if stage == "computed":
        return trail
    if stage == "self":
        text = say("stage_text.self_na") if final is NOT_APPLICABLE \
            else say("stage_text.self_points", points=rounded_points(final))
        if error:
            return say("stage_text.check_failed", text=text, error=error)
        return f"{text}; {trail}" if trail else text
    if error:
        return say("stage_text.error", error=error)
    return trail or say("stage_text.no_score")
