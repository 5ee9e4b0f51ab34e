"""The built-in scoring rule kinds, registered through the same hook a third-party plugin uses.

Each rule scores a whole column of units in one call and writes the explanation a clerk reads
("95 % → mức từ 90 % đến dưới 100 % → 0,5/1 điểm"), in the voice of the run and from the catalogue
(`rules.toml`), as is the error it gives for an answer it cannot score. Points in a text are rounded
as the set declares (`rounded_points`), so the explanation states the points the results publish; a
measured figure (a rate) is rounded to the set's percent decimals, with more only where rounding
would contradict the comparison the rule made (99,996 % is not "100 %" in the band below 100 %).
Boundaries follow the official wording: a band's lower bound is inclusive and its upper bound
exclusive ("từ 80% đến dưới 95%"). Problems with a set's parameters are loader problems, in English
like every other.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from functools import lru_cache, partial
from typing import Any

from parrules.amounts import HUNDRED, ZERO, divide, gaps, overlapping, plain, shown, to_decimal
from parrules.files.reading import nfc
from parrules.messages import current_voice, say
from parrules.plugins.contracts import Leaf, Scored
from parrules.plugins.hookspecs import hookimpl
from parrules.scoring.sharing import spelling
from parrules.scoring.stages import figure_rounder, rounded_figure, rounded_percent, rounded_points

_NUMBER = {"type": "number"}
_PERCENT = {"type": "number", "minimum": 0, "maximum": 100}


# A campaign writes an explanation per distinct answer of every criterion, and criteria repeat their
# figures, points and bands: the texts below are written once per language and reused (the figures
# reach them rounded already, and `{x:number}` depends on nothing else of the voice).
@lru_cache(maxsize=4096)
def _said_result(language: str, points: Decimal | None, max_points: Decimal) -> str:
    return say("rule.result", points=points, max=max_points)


@lru_cache(maxsize=8192)
def _said_figure(language: str, value: Decimal | None, unit: str) -> str:
    return say("rule.measured", value=value, unit=unit)


@lru_cache(maxsize=16384)
def _said_band(language: str, value: Decimal | None, unit: str, verdict: str) -> str:
    """A band's explanation: criteria with the same bands (a set repeats them) share every text."""
    return say("rule.bands", figure=_said_figure(language, value, unit), verdict=verdict)


@lru_cache(maxsize=16384)
def _said_proportion(language: str, rate: Decimal, capped: str, scale: str, result: str) -> str:
    """A proportional explanation: criteria with the same cap and maximum share every text."""
    return say("rule.proportional.scored", rate=_said_figure(language, rate, " %"), capped=capped, scale=scale,
               result=result)


class _Figures:
    """How one column rounds the figures it measures (57,14 %): to the set's percent decimals, as long
    as that keeps each on the side of the bound the rule compared it with (99,996 % is not "100 %" in
    the band below 100 %). Made once per column, in the voice of the run."""

    __slots__ = ("decimals", "language", "round")

    def __init__(self) -> None:
        voice = current_voice()
        self.language, self.decimals = voice.language, voice.percent_decimals
        self.round = figure_rounder(self.decimals)

    def shown(self, value: Decimal, *, low: Decimal | None = None, high: Decimal | None = None,
              keeps: Callable[[Decimal], bool] | None = None) -> Decimal:
        """The figure rounded, in the band from `low` below `high` or where `keeps` says it stands;
        checked only when rounding moved it (a figure with no more decimals than the set's is as it is)."""
        try:
            shown = self.round(value)
        except InvalidOperation:  # more digits than rounding can hold: nothing to round away
            return value
        if shown != value and not (keeps(shown) if keeps is not None else
                                   (low is None or shown >= low) and (high is None or shown < high)):
            return rounded_figure(value, self.decimals,  # type: ignore[return-value]
                                  keeps or partial(_within, low=low, high=high))
        return shown


def _result(points: Decimal, leaf: Leaf) -> str:
    """'1,73/2 điểm': the points (rounded as the set declares) of the maximum, the step every
    explanation ends with. A column's answers share a few results, so each is written once per voice."""
    return _said_result(current_voice().language, rounded_points(points), leaf.max_points)


def _share(leaf: Leaf, percent: Decimal) -> Decimal:
    return divide(leaf.max_points * percent, HUNDRED)


def _each(score_one: Callable[[Leaf, Any], Scored]) -> Callable[[Leaf, Sequence[Any]], list[Scored]]:
    """Lift a per-value scorer to the column-wise signature, turning bad values into input errors."""
    return _each_prepared(lambda leaf: leaf, lambda ready, value: score_one(ready, value))


def _each_prepared(prepare: Callable[[Leaf], Any],
                   score_one: Callable[[Any, Any], Scored]) -> Callable[[Leaf, Sequence[Any]], list[Scored]]:
    """Like `_each`, with what the criterion's parameters give (bounds, labels) worked out once per column."""

    def score(leaf: Leaf, values: Sequence[Any]) -> list[Scored]:
        ready = prepare(leaf)
        out = []
        for value in values:
            try:
                out.append(score_one(ready, value))
            except (TypeError, ValueError, ArithmeticError) as exc:  # this value's error, not the column's
                out.append(Scored(None, "", error=str(exc) or type(exc).__name__))
        return out

    return score


def _figure(value: Any) -> Decimal:
    """`to_decimal`, refusing in the voice of the run what is not a number."""
    try:
        return to_decimal(value)
    except (TypeError, ValueError):
        raise ValueError(say("rule.error.not_a_number", value=shown(value))) from None


def _number(value: Any, what: str = "value") -> Decimal:
    number = _figure(value)
    if number < 0:
        raise ValueError(say("rule.error.negative", what=say(f"rule.what.{what}"), value=number))
    return number


# -- yes / no ------------------------------------------------------------------------------------
_YES = {"yes", "có", "co", "true", "đạt", "x"}
_NO = {"no", "không", "khong", "false", "không đạt"}


def _yes_no(leaf: Leaf, value: Any) -> Scored:
    if isinstance(value, str):
        word = nfc(value).strip().lower()
        if word in _YES:
            value = True
        elif word in _NO:
            value = False
    if not isinstance(value, bool):
        raise ValueError(say("rule.error.yes_no", value=shown(value)))
    points = leaf.max_points if value else ZERO
    return Scored(points, say("rule.yes_no", answer=say("rule.yes" if value else "rule.no"),
                              result=_result(points, leaf)))


# -- choice --------------------------------------------------------------------------------------
def _choice(leaf: Leaf, value: Any) -> Scored:
    options = {nfc(k): v for k, v in leaf.params["options"].items()}
    key = nfc(str(value)).strip()
    if key not in options:
        raise ValueError(say("rule.error.unknown_option", value=shown(value), options=", ".join(options)))
    share = to_decimal(options[key])
    points = _share(leaf, share)
    return Scored(points, say("rule.choice", option=key, share=share, result=_result(points, leaf)))


# -- bands on a metric ----------------------------------------------------------------------------
def _band_points(leaf: Leaf, band: Mapping[str, Any]) -> Decimal:
    if "points" in band:
        return to_decimal(band["points"])
    return _share(leaf, to_decimal(band["percent"]))


def _band_label(band: Mapping[str, Any], unit: str) -> str:
    """A band as a set's problems name it ("90–<100"), alike in both languages but for a band with no bounds."""
    low, high = band.get("from"), band.get("below")
    if low is not None and high is not None:
        return f"{plain(to_decimal(low))}{unit}–<{plain(to_decimal(high))}{unit}"
    if low is not None:
        return f"≥{plain(to_decimal(low))}{unit}"
    if high is not None:
        return f"<{plain(to_decimal(high))}{unit}"
    return say("rule.band.any")


def _band_text(low: Decimal | None, high: Decimal | None, unit: str) -> str:
    """A band as an explanation names it, in the voice of the run: "từ 90 % đến dưới 100 %"."""
    if low is not None and high is not None:
        return say("rule.band.between", low=low, high=high, unit=unit)
    if low is not None:
        return say("rule.band.from", low=low, unit=unit)
    if high is not None:
        return say("rule.band.below", high=high, unit=unit)
    return say("rule.band.any")


_BandRow = tuple[Decimal | None, Decimal | None, Decimal, str]


def _band_table(leaf: Leaf) -> tuple[str, list[_BandRow], _Figures]:
    """The unit and, per band: its bounds, its points and the verdict "mức … → 2/4 điểm" — worked out
    once per column, so an answer costs the formatting of its own figure only."""
    unit = leaf.params.get("unit", " %")
    table = []
    for band in leaf.params["bands"]:
        low, high = _band_bounds(band)
        points = _band_points(leaf, band)
        table.append((low, high, points,
                      say("rule.band.verdict", band=_band_text(low, high, unit), result=_result(points, leaf))))
    return unit, table, _Figures()


def _within(number: Decimal, low: Decimal | None, high: Decimal | None) -> bool:
    return (low is None or number >= low) and (high is None or number < high)


def _band_of(table: list[_BandRow], number: Decimal) -> int:
    """The place of the band `number` falls in (from inclusive, below exclusive), or -1 for none."""
    for i, (low, high, _, _) in enumerate(table):
        if (low is None or number >= low) and (high is None or number < high):
            return i
    return -1


def _bands(leaf: Leaf, values: Sequence[Any]) -> list[Scored]:
    """Every value of the column against the bands, worked out once per column: a value costs its
    band and its rounded figure; values in the same band shown alike share one verdict."""
    unit, table, figures = _band_table(leaf)
    language = figures.language
    # "{figure} → {verdict}" per band, split around the figure (a text placeholder, filled as given)
    around = [say("rule.bands", figure="\0", verdict=verdict).split("\0") for *_, verdict in table]
    made: dict[tuple[int, str], Scored] = {}
    out = []
    for value in values:
        try:
            number = _figure(value)
            i = _band_of(table, number)
            if i < 0:
                raise ValueError(say("rule.error.no_band", value=number, unit=unit))
            low, high, points, verdict = table[i]
            shown = figures.shown(number, low=low, high=high)
            key = (i, spelling(shown))
            found = made.get(key)
            if found is None:
                parts = around[i]
                text = parts[0] + _said_figure(language, shown, unit) + parts[1] if len(parts) == 2 \
                    else _said_band(language, shown, unit, verdict)
                found = made[key] = Scored(points, text)
            out.append(found)
        except (TypeError, ValueError, ArithmeticError) as exc:  # this value's error, not the column's
            out.append(Scored(None, "", error=str(exc) or type(exc).__name__))
    return out


def _validate_bands(leaf: Leaf) -> list[str]:
    problems = []
    bands = list(leaf.params.get("bands", []))
    for i, band in enumerate(bands):
        if ("points" in band) == ("percent" in band):
            problems.append(say("rule.params.band_points_or_percent", i=i))
            continue
        points = _band_points(leaf, band)
        if points > leaf.max_points:
            problems.append(say("rule.params.band_over_max", i=i, points=plain(points), max=plain(leaf.max_points)))
        low, high = band.get("from"), band.get("below")
        if low is not None and high is not None and to_decimal(low) >= to_decimal(high):
            problems.append(say("rule.params.band_empty", i=i, low=low, high=high))
    lows = [to_decimal(b["from"]) if b.get("from") is not None else None for b in bands]
    known = [low for low in lows if low is not None]
    if known != sorted(known) and known != sorted(known, reverse=True):
        problems.append(say("rule.params.bands_out_of_order"))
    for first, second in overlapping(bands, _band_bounds):
        problems.append(say("rule.params.bands_overlap", first=_band_label(first, ""), second=_band_label(second, "")))
    for first, second in gaps(bands, _band_bounds):  # a figure in the gap would error, not score
        end, start = _band_bounds(first)[1], _band_bounds(second)[0]
        low, high = plain(end or ZERO), plain(start or ZERO)  # a gap lies between two bounds
        problems.append(say("rule.params.bands_gap", low=low, high=high, first=_band_label(first, ""),
                            second=_band_label(second, "")))
    return problems


def _band_bounds(band: Mapping[str, Any]) -> tuple[Decimal | None, Decimal | None]:
    low, high = band.get("from"), band.get("below")
    return (None if low is None else to_decimal(low)), (None if high is None else to_decimal(high))


# -- proportional --------------------------------------------------------------------------------
_Proportion = tuple[Leaf, Decimal, Decimal, str, str, _Figures]


def _proportional_scale(leaf: Leaf) -> _Proportion:
    """The leaf, floor, cap, the capped note, the scale " ÷ 50 % × 2" and how rates are written: the
    same for every answer."""
    floor = to_decimal(leaf.params.get("floor", 0))
    cap = to_decimal(leaf.params.get("cap", 100))
    scale = say("rule.proportional.times", max=leaf.max_points) if cap == HUNDRED \
        else say("rule.proportional.scale", cap=cap, max=leaf.max_points)
    return leaf, floor, cap, say("rule.proportional.capped", cap=cap), scale, _Figures()


def _proportional(leaf: Leaf, values: Sequence[Any]) -> list[Scored]:
    """Every value of the column, the scale worked out once: a value costs its points and its rounded
    rate; the texts of rates and points shown alike are written once."""
    leaf, floor, cap, capped_note, scale, figures = _proportional_scale(leaf)
    language = figures.language
    top = leaf.max_points
    points_shown = figure_rounder(current_voice().decimals)
    results: dict[str, str] = {}  # "1,73/2 điểm" by the rounded points' spelling
    texts: dict[tuple[str, bool, str], str] = {}
    out = []
    for value in values:
        try:
            rate = _number(value, "rate")
            if rate < floor:
                out.append(Scored(ZERO, say("rule.proportional.below_floor", rate=rounded_figure(
                    rate, figures.decimals, lambda r: r < floor), floor=floor, result=_result(ZERO, leaf))))
                continue
            capped = rate > cap
            points = divide(top * (cap if capped else rate), cap)
            shown_rate = figures.shown(rate, keeps=(lambda r: r > cap) if capped else (lambda r: floor <= r <= cap))
            try:
                said_points = points_shown(points)
            except InvalidOperation:  # more digits than rounding holds: as `rounded_points` says it
                said_points = rounded_points(points)  # type: ignore[assignment]
            key_points = spelling(said_points)
            result = results.get(key_points)
            if result is None:
                result = results[key_points] = _said_result(language, said_points, top)
            key = (spelling(shown_rate), capped, key_points)
            text = texts.get(key)
            if text is None:
                text = texts[key] = _said_proportion(language, shown_rate, capped_note if capped else "", scale,
                                                     result)
            out.append(Scored(points, text))
        except (TypeError, ValueError, ArithmeticError) as exc:  # this value's error, not the column's
            out.append(Scored(None, "", error=str(exc) or type(exc).__name__))
    return out


def _validate_proportional(leaf: Leaf) -> list[str]:
    floor = to_decimal(leaf.params.get("floor", 0))
    cap = to_decimal(leaf.params.get("cap", 100))
    if cap <= 0:
        return [say("rule.params.cap_not_positive")]
    if floor >= cap:
        return [say("rule.params.floor_not_below_cap", floor=plain(floor), cap=plain(cap))]
    return []


# -- deduction -----------------------------------------------------------------------------------
def _deduction(leaf: Leaf, value: Any) -> Scored:
    if "per_occurrence" in leaf.params:
        count = _number(value, "count")
        if count != count.to_integral_value():
            raise ValueError(say("rule.error.not_whole", value=count))
        each = to_decimal(leaf.params["per_occurrence"])
        lost = count * each
        points = max(ZERO, leaf.max_points - lost)
        return Scored(points, say("rule.deduction.each", count=count, each=each, result=_result(points, leaf)))
    severities = {nfc(k): to_decimal(v) for k, v in leaf.params["severities"].items()}
    if isinstance(value, str):
        value = {value: 1} if value.strip() else {}
    if not isinstance(value, Mapping):
        raise ValueError(say("rule.error.severity_expected", severities=", ".join(severities)))
    lost_share = ZERO
    parts = []
    for name, count in value.items():
        key = nfc(str(name)).strip()
        if key not in severities:
            raise ValueError(say("rule.error.unknown_severity", value=shown(name), severities=", ".join(severities)))
        n = _number(count, "count")
        lost_share += severities[key] * n
        parts.append(say("rule.deduction.severity", n=n, severity=key, share=severities[key]))
    points = max(ZERO, leaf.max_points - _share(leaf, lost_share))
    trail = ", ".join(parts) or say("rule.deduction.none")
    return Scored(points, say("rule.deduction.severities", trail=trail, result=_result(points, leaf)))


def _validate_deduction(leaf: Leaf) -> list[str]:
    has_each, has_sev = "per_occurrence" in leaf.params, "severities" in leaf.params
    if has_each == has_sev:
        return [say("rule.params.deduction_one_of")]
    if has_each and to_decimal(leaf.params["per_occurrence"]) > leaf.max_points:
        return [say("rule.params.per_occurrence_over_max", each=leaf.params["per_occurrence"],
                    max=plain(leaf.max_points))]
    return []


# -- bonus and penalty ----------------------------------------------------------------------------
def _capped(role: str) -> Callable[[Leaf, Any], Scored]:
    """A bonus or penalty rule: the answered amount (× `per_item`), capped at the maximum."""

    def score(leaf: Leaf, value: Any) -> Scored:
        amount = _number(value)
        if "per_item" in leaf.params:
            each = to_decimal(leaf.params["per_item"])
            raw, trail = amount * each, say("rule.per_item", amount=amount, each=each)
        else:
            raw, trail = amount, say("rule.number", value=amount)
        points = min(raw, leaf.max_points)
        key = f"rule.{role}_capped" if raw > leaf.max_points else f"rule.{role}"
        return Scored(points, say(key, trail=trail, points=rounded_points(points), max=leaf.max_points))

    return score


# -- survey --------------------------------------------------------------------------------------
def _survey(leaf: Leaf, value: Any) -> Scored:
    weights = {nfc(k): to_decimal(v) for k, v in leaf.params["weights"].items()}
    if not isinstance(value, Mapping):
        raise ValueError(say("rule.error.forms_expected"))
    forms = ZERO
    weighted = ZERO
    for option, count in value.items():
        key = nfc(str(option)).strip()
        if key not in weights:
            raise ValueError(say("rule.error.unknown_answer", value=shown(option), options=", ".join(weights)))
        n = _number(count, "count")
        forms += n
        weighted += n * weights[key]
    if forms == 0:
        raise ValueError(say("rule.error.no_forms"))
    share = divide(weighted, forms)
    points = _share(leaf, share)
    return Scored(points, say("rule.survey", forms=forms, share=rounded_percent(share), result=_result(points, leaf)))


def _manual(leaf: Leaf, values: Sequence[Any]) -> list[Scored]:
    said = say("rule.manual")
    return [Scored(None, said) for _ in values]


_OPTIONS = {"type": "object", "minProperties": 1, "additionalProperties": _PERCENT}
_BAND = {
    "type": "object",
    "properties": {"from": _NUMBER, "below": _NUMBER, "points": {"type": "number", "minimum": 0},
                   "percent": _PERCENT, "label": {"type": "string"}},
    "additionalProperties": False,
}


def _params(properties: Mapping[str, Any], required: Sequence[str] = ()) -> dict[str, Any]:
    return {"type": "object", "properties": dict(properties), "required": list(required),
            "additionalProperties": False}


@hookimpl
def register_rule_kinds(register: Callable[..., Any]) -> None:
    register("yes_no", _each(_yes_no), description="Yes → full points, no → 0",
             params_schema=_params({}), input_schema={"type": ["boolean", "string"]})
    register("choice", _each(_choice),
             description="Named options, each worth a share of the maximum (e.g. tốt 100 %, khá 75 %)",
             params_schema=_params({"options": _OPTIONS}, ["options"]), input_schema={"type": "string"})
    register("bands", _bands, validate=_validate_bands,
             description="Bands on a metric: lower bound inclusive, upper exclusive (từ 90% đến dưới 100%)",
             params_schema=_params({"bands": {"type": "array", "minItems": 1, "items": _BAND},
                                    "unit": {"type": "string"}}, ["bands"]),
             input_schema={"type": ["number", "string"]})
    register("proportional", _proportional, validate=_validate_proportional,
             description="Points × rate; below the floor 0; full points from the cap on",
             params_schema=_params({"floor": _PERCENT, "cap": {"type": "number", "exclusiveMinimum": 0}}),
             input_schema={"type": ["number", "string"]})
    register("deduction", _each(_deduction), validate=_validate_deduction,
             description="Full points minus a fixed amount per occurrence or a share per severity, never below 0",
             params_schema=_params({"per_occurrence": {"type": "number", "exclusiveMinimum": 0},
                                    "severities": _OPTIONS}),
             input_schema={"type": ["number", "string", "object"]})
    register("bonus", _each(_capped("bonus")), role="bonus",
             description="Bonus points outside the base total, capped at the maximum",
             params_schema=_params({"per_item": {"type": "number", "exclusiveMinimum": 0}}),
             input_schema={"type": ["number", "string"]})
    register("penalty", _each(_capped("penalty")), role="penalty",
             description="Penalty points subtracted from the total, capped at the maximum",
             params_schema=_params({"per_item": {"type": "number", "exclusiveMinimum": 0}}),
             input_schema={"type": ["number", "string"]})
    register("survey", _each(_survey),
             description="Answer distribution weighted per option (e.g. 100/60/20/0 %), averaged over forms",
             params_schema=_params({"weights": _OPTIONS}, ["weights"]), input_schema={"type": "object"})
    register("manual", _manual, needs_input=False,
             description="Only an appraiser scores it; the unit's self-assessment stands until then",
             params_schema=_params({}))
