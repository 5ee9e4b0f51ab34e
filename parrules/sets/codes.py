"""Official criterion codes ("3", "3.4", "3.4.2"): their order, their parent and their field.

The code alone says where a criterion stands in the tree, so the loader, tailoring, the engine and the
reports all read it the same way through these functions.
"""

from __future__ import annotations

import re

CODE = re.compile(r"^[^\W_]+(\.[^\W_]+)*$")
"""What an official code looks like: parts of letters or digits joined by dots."""


def code_sort_key(code: str) -> tuple[tuple[int, int, str], ...]:
    """Natural order of official codes: 3.2 before 3.10; numbers before letters (bonus 'T')."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in code.split("."))


def parent_code(code: str) -> str | None:
    return code.rsplit(".", 1)[0] if "." in code else None


def field_code(code: str) -> str:
    """The field (lĩnh vực, the top-level criterion) a code belongs to: '3' for '3.4.2' and for '3'."""
    return code.partition(".")[0]


def defined_twice(code: str, raw: str, first: str) -> str:
    """The message for a code whose table appears twice (`raw` and `first` as they were written)."""
    if raw != first:  # same letters, different Unicode composition: the clerk cannot see the difference
        return (f"code '{code}' is defined twice: the two spellings look alike and differ only in how "
                "Vietnamese letters are encoded (NFC/NFD), so they are the same code")
    return f"code '{code}' is defined twice"
