"""The built-in scoring rule kinds, registered through the same hook a third-party plugin uses.

Each rule scores a whole column of units in one call and writes the explanation a clerk reads
("95 % → band 90 %–<100 % → 0.5 of 1"). Boundaries follow the official wording: a band's lower bound
is inclusive and its upper bound exclusive ("từ 80% đến dưới 95%").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from parrules.amounts import HUNDRED, ZERO, divide, overlapping, plain, to_decimal
from parrules.files.reading import nfc
from parrules.plugins.contracts import Leaf, Scored
from parrules.plugins.hookspecs import hookimpl

_NUMBER = {"type": "number"}
_PERCENT = {"type": "number", "minimum": 0, "maximum": 100}


def _pct(value: Decimal) -> str:
    return f"{plain(value)} %"


def _of(points: Decimal, leaf: Leaf) -> str:
    return f"{plain(points)} of {plain(leaf.max_points)}"


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


def _number(value: Any, what: str = "value") -> Decimal:
    number = to_decimal(value)
    if number < 0:
        raise ValueError(f"{what} {plain(number)} is negative")
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
        raise ValueError(f"expected yes or no (true/false), got {value!r}")
    points = leaf.max_points if value else ZERO
    return Scored(points, f"{'yes' if value else 'no'} → {_of(points, leaf)}")


# -- choice --------------------------------------------------------------------------------------
def _choice(leaf: Leaf, value: Any) -> Scored:
    options = {nfc(k): v for k, v in leaf.params["options"].items()}
    key = nfc(str(value)).strip()
    if key not in options:
        raise ValueError(f"unknown option {value!r}; options are: {', '.join(options)}")
    share = to_decimal(options[key])
    points = _share(leaf, share)
    return Scored(points, f"'{key}' → {_pct(share)} → {_of(points, leaf)}")


# -- bands on a metric ----------------------------------------------------------------------------
def _band_points(leaf: Leaf, band: Mapping[str, Any]) -> Decimal:
    if "points" in band:
        return to_decimal(band["points"])
    return _share(leaf, to_decimal(band["percent"]))


def _band_label(band: Mapping[str, Any], unit: str) -> str:
    low, high = band.get("from"), band.get("below")
    if low is not None and high is not None:
        return f"{plain(to_decimal(low))}{unit}–<{plain(to_decimal(high))}{unit}"
    if low is not None:
        return f"≥{plain(to_decimal(low))}{unit}"
    if high is not None:
        return f"<{plain(to_decimal(high))}{unit}"
    return "any value"


def _band_table(leaf: Leaf) -> tuple[str, list[tuple[Decimal | None, Decimal | None, Decimal, str]]]:
    """The unit and, per band: lower bound, upper bound, points and the '→ band … → x of y' text."""
    unit = leaf.params.get("unit", " %")
    table = []
    for band in leaf.params["bands"]:
        low, high = band.get("from"), band.get("below")
        points = _band_points(leaf, band)
        table.append((None if low is None else to_decimal(low), None if high is None else to_decimal(high), points,
                      f" → band {_band_label(band, unit)} → {_of(points, leaf)}"))
    return unit, table


def _bands(ready: tuple[str, list[tuple[Decimal | None, Decimal | None, Decimal, str]]], value: Any) -> Scored:
    unit, table = ready
    number = to_decimal(value)
    for low, high, points, text in table:
        if (low is None or number >= low) and (high is None or number < high):
            return Scored(points, f"{plain(number)}{unit}{text}")
    raise ValueError(f"no band covers {plain(number)}{unit}")


def _validate_bands(leaf: Leaf) -> list[str]:
    problems = []
    bands = list(leaf.params.get("bands", []))
    for i, band in enumerate(bands):
        if ("points" in band) == ("percent" in band):
            problems.append(f"bands[{i}] needs exactly one of 'points' or 'percent'")
            continue
        points = _band_points(leaf, band)
        if points > leaf.max_points:
            problems.append(
                f"bands[{i}] is worth {plain(points)} points, more than the maximum {plain(leaf.max_points)}"
            )
        low, high = band.get("from"), band.get("below")
        if low is not None and high is not None and to_decimal(low) >= to_decimal(high):
            problems.append(f"bands[{i}] starts at {low} but ends below {high}: empty band")
    lows = [to_decimal(b["from"]) if b.get("from") is not None else None for b in bands]
    known = [low for low in lows if low is not None]
    if known != sorted(known) and known != sorted(known, reverse=True):
        problems.append("bands are out of order: list them from lowest to highest, or the reverse")
    for first, second in overlapping(bands, _band_bounds):
        problems.append(f"bands overlap: {_band_label(first, '')} and {_band_label(second, '')}"
                        " (lower bounds are inclusive, upper bounds exclusive)")
    return problems


def _band_bounds(band: Mapping[str, Any]) -> tuple[Decimal | None, Decimal | None]:
    low, high = band.get("from"), band.get("below")
    return (None if low is None else to_decimal(low)), (None if high is None else to_decimal(high))


# -- proportional --------------------------------------------------------------------------------
def _proportional(leaf: Leaf, value: Any) -> Scored:
    rate = _number(value, "rate")
    floor = to_decimal(leaf.params.get("floor", 0))
    cap = to_decimal(leaf.params.get("cap", 100))
    if rate < floor:
        return Scored(ZERO, f"{_pct(rate)} is below the floor {_pct(floor)} → {_of(ZERO, leaf)}")
    counted = min(rate, cap)
    points = divide(leaf.max_points * counted, cap)
    trail = f"{_pct(rate)}" + (f" (capped at {_pct(cap)})" if rate > cap else "")
    scale = "" if cap == HUNDRED else f" ÷ {_pct(cap)}"
    return Scored(points, f"{trail}{scale} × {plain(leaf.max_points)} → {_of(points, leaf)}")


def _validate_proportional(leaf: Leaf) -> list[str]:
    floor = to_decimal(leaf.params.get("floor", 0))
    cap = to_decimal(leaf.params.get("cap", 100))
    if cap <= 0:
        return ["cap must be above 0"]
    if floor >= cap:
        return [f"floor {plain(floor)} must be below cap {plain(cap)}"]
    return []


# -- deduction -----------------------------------------------------------------------------------
def _deduction(leaf: Leaf, value: Any) -> Scored:
    if "per_occurrence" in leaf.params:
        count = _number(value, "count")
        if count != count.to_integral_value():
            raise ValueError(f"count {plain(count)} is not a whole number")
        each = to_decimal(leaf.params["per_occurrence"])
        lost = count * each
        points = max(ZERO, leaf.max_points - lost)
        return Scored(points, f"{plain(count)} × −{plain(each)} → {_of(points, leaf)} (never below 0)")
    severities = {nfc(k): to_decimal(v) for k, v in leaf.params["severities"].items()}
    if isinstance(value, str):
        value = {value: 1} if value.strip() else {}
    if not isinstance(value, Mapping):
        raise ValueError(f"expected a severity ({', '.join(severities)}) or a table severity → count")
    lost_share = ZERO
    parts = []
    for name, count in value.items():
        key = nfc(str(name)).strip()
        if key not in severities:
            raise ValueError(f"unknown severity {name!r}; severities are: {', '.join(severities)}")
        n = _number(count, "count")
        lost_share += severities[key] * n
        parts.append(f"{plain(n)} × {key} −{_pct(severities[key])}")
    points = max(ZERO, leaf.max_points - _share(leaf, lost_share))
    trail = ", ".join(parts) or "no violations"
    return Scored(points, f"{trail} → {_of(points, leaf)} (never below 0)")


def _validate_deduction(leaf: Leaf) -> list[str]:
    has_each, has_sev = "per_occurrence" in leaf.params, "severities" in leaf.params
    if has_each == has_sev:
        return ["a deduction needs exactly one of 'per_occurrence' or 'severities'"]
    if has_each and to_decimal(leaf.params["per_occurrence"]) > leaf.max_points:
        return [f"per_occurrence {leaf.params['per_occurrence']} is more than the maximum {plain(leaf.max_points)}"]
    return []


# -- bonus and penalty ----------------------------------------------------------------------------
def _capped(word: str) -> Callable[[Leaf, Any], Scored]:
    def score(leaf: Leaf, value: Any) -> Scored:
        amount = _number(value)
        if "per_item" in leaf.params:
            each = to_decimal(leaf.params["per_item"])
            raw, trail = amount * each, f"{plain(amount)} × {plain(each)}"
        else:
            raw, trail = amount, f"{plain(amount)}"
        points = min(raw, leaf.max_points)
        capped = f", capped at {plain(leaf.max_points)}" if raw > leaf.max_points else ""
        return Scored(points, f"{trail} → {word} {plain(points)}{capped}")

    return score


# -- survey --------------------------------------------------------------------------------------
def _survey(leaf: Leaf, value: Any) -> Scored:
    weights = {nfc(k): to_decimal(v) for k, v in leaf.params["weights"].items()}
    if not isinstance(value, Mapping):
        raise ValueError("expected the number of forms per answer option, e.g. {A = 120, B = 30}")
    forms = ZERO
    weighted = ZERO
    for option, count in value.items():
        key = nfc(str(option)).strip()
        if key not in weights:
            raise ValueError(f"unknown answer option {option!r}; options are: {', '.join(weights)}")
        n = _number(count, "count")
        forms += n
        weighted += n * weights[key]
    if forms == 0:
        raise ValueError("no answer forms")
    share = divide(weighted, forms)
    points = _share(leaf, share)
    return Scored(points, f"{plain(forms)} forms, weighted mean {_pct(share.quantize(Decimal('0.01')))} → {_of(points, leaf)}")


def _manual(leaf: Leaf, values: Sequence[Any]) -> list[Scored]:
    return [Scored(None, "scored by the appraisal council") for _ in values]


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
    register("bands", _each_prepared(_band_table, _bands), validate=_validate_bands,
             description="Bands on a metric: lower bound inclusive, upper exclusive (từ 90% đến dưới 100%)",
             params_schema=_params({"bands": {"type": "array", "minItems": 1, "items": _BAND},
                                    "unit": {"type": "string"}}, ["bands"]),
             input_schema={"type": ["number", "string"]})
    register("proportional", _each(_proportional), validate=_validate_proportional,
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
