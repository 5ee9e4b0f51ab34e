"""Numbers and dates as a reader of each language writes them: 1.234,56 and 05/03/2024 in Vietnamese.

The separators come from Babel's locale data (CLDR), read once per language; the formatting itself
is `format()` on the Decimal, because explanations are written for every distinct answer of a
campaign and a locale lookup per number would cost more than the scoring.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from functools import cache, lru_cache

from parrules.amounts import plain, rounder

_DATE_PATTERNS = {"vi": "dd/MM/yyyy", "en": "d MMM yyyy"}


@cache
def separators(language: str) -> tuple[str, str]:
    """(decimal sign, group sign) of a language: (',', '.') for Vietnamese, ('.', ',') for English."""
    from babel.numbers import get_decimal_symbol, get_group_symbol

    return get_decimal_symbol(language), get_group_symbol(language)


def format_number(value: Decimal | int | None, decimals: int | None, language: str, mode: str = "half_up") -> str:
    """A number rounded to `decimals` in the set's rounding `mode` (None: as exact as it is), grouped, in
    the language's style.

    None is shown as a dash: a missing figure must never look like 0.
    """
    if value is None:
        return "—"
    if isinstance(value, int):
        text = f"{value:,}"
    elif not value.is_finite():
        return str(value)
    elif decimals is None:
        text = plain(value)
        point_at = text.find(".")
        if (len(text) if point_at < 0 else point_at) - (text[0] == "-") > 3:  # 1.234 needs a group sign
            text = _grouped(text)
    else:
        text = format(_rounder(decimals, mode)(value), f",.{decimals}f")
    point, group = separators(language)
    if (point, group) == (".", ","):
        return text
    if "," not in text:  # nothing grouped (most figures): only the decimal sign changes
        return text.replace(".", point)
    return text.replace(",", "\0").replace(".", point).replace("\0", group)


@lru_cache(maxsize=64)
def _rounder(decimals: int, mode: str):  # noqa: ANN202 - a partial of Decimal.quantize
    return rounder(decimals, mode)


def _grouped(text: str) -> str:
    sign = "-" if text.startswith("-") else ""
    whole, _, frac = text.lstrip("-").partition(".")
    return sign + f"{int(whole):,}" + ("." + frac if frac else "")


def format_date(value: _dt.date, language: str) -> str:
    """A date as the language writes it: 05/03/2024 in Vietnamese, 5 Mar 2024 in English."""
    from babel.dates import format_date as babel_date

    return babel_date(value, _DATE_PATTERNS[language], locale=language)
