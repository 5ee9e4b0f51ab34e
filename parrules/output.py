"""Writing results: deterministic JSON with exact decimals, and atomic file writes.

The same inputs must give byte-identical JSON (so a published figure can be re-derived and diffed),
and a crash or Ctrl-C must never leave a half-written report where yesterday's good one stood.
orjson writes Decimals as exact JSON numbers through `Fragment`, which json.dumps cannot.
"""

from __future__ import annotations

import os
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson

from .amounts import plain


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return orjson.Fragment(plain(value) if value == value.to_integral_value() else format(value, "f"))
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, Path):
        return value.as_posix()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def to_json(data: Any, *, indent: bool = True) -> bytes:
    """Deterministic JSON bytes: sorted keys, exact decimals, UTF-8 (Vietnamese stays readable)."""
    option = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS | (orjson.OPT_INDENT_2 if indent else 0)
    return orjson.dumps(data, default=_default, option=option) + b"\n"


def write_atomic(path: str | Path, content: bytes | str) -> Path:
    """Write to a temporary file beside the target, then rename it into place."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
