"""Official criterion codes ("3", "3.4", "3.4.2"): what they may hold, their order, parent and field.

The code alone says where a criterion stands in the tree, so the loader, tailoring, the engine and the
reports all read it the same way through these functions.

A code is parts joined by dots; each part is the digits 0–9 or letters (a bonus part "T", a
Vietnamese "Đ"), never other characters. Digits of other scripts look like 0–9 but are not the same
code: "١.٢" (Arabic-Indic), "１" (fullwidth) or "²" (superscript) would sort as a number here, as text
there, or not at all, so a set using them is refused with the digit to write instead. A code has at
most `MAX_LEVELS` parts: real sets use 3 (field → criterion → sub-criterion), and the tree is walked
level by level, so a code of a thousand parts is a problem of the file, not a stack overflow.
"""

from __future__ import annotations

import unicodedata

from parrules.amounts import shown
from parrules.messages import say

MAX_LEVELS = 32
"""Levels a code may have ("3.4.2" has 3); far beyond any real set."""

_DIGITS = frozenset("0123456789")


def code_problem(code: str) -> str | None:
    """Why `code` is not a criterion code, said so a clerk can fix it, or None when it is one."""
    parts = code.split(".")
    if len(parts) > MAX_LEVELS:
        return say("problem.code.too_many_levels", code=shown(code), n=len(parts), levels=MAX_LEVELS)
    digit = foreign_digit(code)
    if digit is not None:
        return digit
    if not all(part and all(c in _DIGITS or c.isalpha() for c in part) for part in parts):
        return say("problem.code.not_like", code=shown(code))
    return None


def foreign_digit(code: str) -> str | None:
    """The message for a code with a digit of another script ('١', '１', '²'), naming it and the code
    written with 0–9, or None; also what a submission that answers '2.١' is told to write."""
    for char in code:
        if char not in _DIGITS and unicodedata.digit(char, None) is not None:
            name = unicodedata.name(char, f"U+{ord(char):04X}").lower()
            fixed = "".join(_ascii_digit(c) for c in code)
            return (say("problem.code.foreign_digit", code=shown(code), char=char, name=name)
                    + (say("problem.code.written_as", code=fixed) if len(fixed) <= 40 else ""))
    return None


def _ascii_digit(char: str) -> str:
    """The digit 0–9 a digit of another script stands for ('١' → '1'); other characters as they are."""
    value = unicodedata.digit(char, None)
    return char if value is None or char in _DIGITS else str(value)


def code_sort_key(code: str) -> tuple[tuple[int, int, str], ...]:
    """Natural order of official codes: 3.2 before 3.10; numbers before letters (bonus 'T').

    Any text gets a key (a code from last year's results or a mapping is not checked by the set's
    loader): only parts of the digits 0–9 are read as numbers.
    """
    return tuple((0, int(p), "") if p.isascii() and p.isdigit() else (1, 0, p) for p in code.split("."))


def parent_code(code: str) -> str | None:
    return code.rsplit(".", 1)[0] if "." in code else None


def field_code(code: str) -> str:
    """The field (lĩnh vực, the top-level criterion) a code belongs to: '3' for '3.4.2' and for '3'."""
    return code.partition(".")[0]


def defined_twice(code: str, raw: str, first: str) -> str:
    """The message for a code whose table appears twice (`raw` and `first` as they were written)."""
    if raw != first:  # same letters, different Unicode composition: the clerk cannot see the difference
        return say("problem.code.twice_spelling", code=code)
    return say("problem.code.twice", code=code)
