"""Exact points: Decimal parsing, the rounding a set declares, ranges of numbers, and number formatting.

Published figures are exact to the cent (78.35), so points never pass through float. Every place that
turns an input into points or formats points for people goes through this module.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import partial
from typing import Literal, TypeVar

ROUNDING_MODES: dict[str, str] = {
    "half_up": decimal.ROUND_HALF_UP,
    "half_even": decimal.ROUND_HALF_EVEN,
    "down": decimal.ROUND_DOWN,
    "up": decimal.ROUND_UP,
}

RoundingMode = Literal["half_up", "half_even", "down", "up"]

ZERO = Decimal(0)
HUNDRED = Decimal(100)

CONTEXT = decimal.Context(prec=34, traps=[decimal.InvalidOperation, decimal.DivisionByZero])
"""Enough precision for any sum of points; quantize() does the rounding the set declares."""

_T = TypeVar("_T")
_BELOW_ALL = Decimal("-Infinity")


#: What a PAR figure can be: finite, below 10^16 in magnitude (counts of dossiers, points, rates),
#: no finer than 10^-20, at most 34 significant digits. Anything else is a mistake or a game.
MAX_ADJUSTED_EXPONENT, MIN_ADJUSTED_EXPONENT, MAX_DIGITS = 15, -20, 34

def _refused(key: str, **values: object) -> str:
    """Why a number is refused, in the voice of the run (`problem.figure.*` in the catalogue); the
    catalogue is imported here, when a number is refused, never on the path of every figure."""
    from parrules.messages import say

    return say(f"problem.figure.{key}", **values)


def to_decimal(value: object) -> Decimal:
    """Exact conversion; floats go through their shortest repr so 0.1 stays 0.1.

    Every number a rule scores, from any source (TOML, JSON, CSV, spreadsheets, plugin metrics),
    comes through here, so the bounds of a PAR figure are kept in one place: NaN and infinity in any
    spelling, and numbers of absurd magnitude or precision, are refused with a ValueError. A zero
    loses its sign ("-0" late reports are none): -0 would make points print as -0.00.
    """
    number = bounded(_convert(value))
    return number.copy_abs() if number.is_zero() and number.is_signed() else number


def bounded(number: Decimal) -> Decimal:
    """`number` if it is a figure a PAR set can hold (see MAX_ADJUSTED_EXPONENT), else ValueError."""
    if not number.is_finite():
        raise ValueError(_refused("not_finite", value=number))
    if number:
        adjusted = number.adjusted()
        if adjusted > MAX_ADJUSTED_EXPONENT:
            raise ValueError(_refused("too_large", value=shown(number)))
        if adjusted < MIN_ADJUSTED_EXPONENT or (  # its text bounds its digits: a short one needs no count
                len(str(number)) > MAX_DIGITS and len(number.as_tuple().digits) > MAX_DIGITS):
            raise ValueError(_refused("too_precise", value=shown(number)))
    return number


def shown(value: object) -> str:
    """A value as a message quotes it: a number as written (2.5, never Decimal('2.5')), text in quotes,
    and a hostile one (10 KB of text, a table nested deep, a number of 400 digits) cut to one short line."""
    text = str(value) if isinstance(value, Decimal) else repr(value)
    return text if len(text) <= 60 else text[:40] + "…" + text[-10:]


def _convert(value: object) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError(_refused("yes_no"))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str):
        text = value.strip().replace(" ", "")
        if "," in text and "." not in text:
            text = text.replace(",", ".")  # Vietnamese decimal comma: "83,55"
        try:
            return Decimal(text)
        except decimal.InvalidOperation:
            raise ValueError(_refused("not_a_number", value=shown(value))) from None
    raise TypeError(_refused("not_a_number", value=shown(value)))


def quantum(decimals: int) -> Decimal:
    return Decimal(1).scaleb(-decimals)


def round_to(value: Decimal, decimals: int, mode: str = "half_up") -> Decimal:
    return value.quantize(quantum(decimals), rounding=ROUNDING_MODES[mode], context=CONTEXT)


def rounder(decimals: int, mode: str = "half_up") -> Callable[[Decimal], Decimal]:
    """`round_to` with the decimals and mode fixed, for rounding many values the same way (a set's
    points or percentages): the quantum and mode are looked up once."""
    return partial(Decimal.quantize, exp=quantum(decimals), rounding=ROUNDING_MODES[mode], context=CONTEXT)


def divide(a: Decimal, b: Decimal) -> Decimal:
    return CONTEXT.divide(a, b)


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """part / whole × 100, exact to 34 digits; None when the whole is zero (nothing applicable)."""
    if whole == 0:
        return None
    return CONTEXT.divide(part * HUNDRED, whole)


def overlapping(ranges: Sequence[_T], bounds: Callable[[_T], tuple[Decimal | None, Decimal | None]]
                ) -> list[tuple[_T, _T]]:
    """Neighbours that overlap once `ranges` are ordered by their lower bound, as (first, second).

    `bounds(range)` is (lower, upper): the lower bound is inclusive, the upper exclusive, so B from 75
    below 80 and A from 80 meet without overlapping. An open bound (None) reaches its neighbour.
    """
    ordered = sorted(ranges, key=lambda r: _lower(bounds(r)[0]))
    out = []
    for first, second in zip(ordered, ordered[1:]):
        end, start = bounds(first)[1], bounds(second)[0]
        if end is None or start is None or end > start:
            out.append((first, second))
    return out


def gaps(ranges: Sequence[_T], bounds: Callable[[_T], tuple[Decimal | None, Decimal | None]]
         ) -> list[tuple[_T, _T]]:
    """Where no range covers the values between two of them, as (the range below, the range above):
    B from 75 below 80 and A from 90 leave 80 to below 90 to neither.

    Bounds are read as in `overlapping`; only the room between ranges counts, not what lies below the
    lowest or above the highest. A range that reaches further than its neighbour closes the room it
    covers, so overlapping ranges give no false gap.
    """
    ordered = sorted(ranges, key=lambda r: _lower(bounds(r)[0]))
    out: list[tuple[_T, _T]] = []
    if not ordered:
        return out
    reacher, reach = ordered[0], bounds(ordered[0])[1]  # the range reaching highest so far (None: no end)
    for second in ordered[1:]:
        start, end = bounds(second)
        if reach is not None and start is not None and reach < start:
            out.append((reacher, second))
        if reach is not None and (end is None or end > reach):
            reacher, reach = second, end
    return out


def _lower(bound: Decimal | None) -> Decimal:
    return _BELOW_ALL if bound is None else bound


def plain(value: Decimal) -> str:
    """A Decimal as plain text without exponent or superfluous zeros: 13.50 -> 13.5, 1E+1 -> 10."""
    if not value.is_finite() or (value and not MIN_ADJUSTED_EXPONENT <= value.adjusted() <= MAX_ADJUSTED_EXPONENT):
        return str(value)  # NaN, ∞, 1E+99999999: said as they are, short, never a crash or a flood of digits
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1), context=CONTEXT))
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_points(value: Decimal | None, decimals: int | None = None, *, vietnamese: bool = False) -> str:
    """Format for people: fixed decimals if given (rounded half-up, as published), Vietnamese style
    (83,55; 1.234,5) on request. The catalogue's formatting (`parrules.messages`) does the work, so a
    figure reads the same wherever it is shown."""
    from parrules.messages.numbers import format_number

    return format_number(value, decimals, "vi" if vietnamese else "en")
