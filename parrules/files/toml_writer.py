"""Writing a criteria set back as TOML (`parrules show --resolved`, `parrules new set`).

The standard library reads TOML but does not write it, and the shapes of a criteria set are few:
scalars, dates, exact decimals, lists and small inline tables. Emitting them here keeps decimals exact
(0.25 stays 0.25, never 0.25000000000000001) and Vietnamese text as it is.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from parrules.amounts import plain

_BARE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def toml_key(key: str) -> str:
    return key if _BARE.match(key) else toml_string(key)


def toml_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, Mapping):
        inner = ", ".join(f"{toml_key(str(k))} = {toml_value(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    if isinstance(value, (list, tuple)):
        items = [toml_value(v) for v in value]
        if any(isinstance(v, Mapping) for v in value):
            return "[\n" + "".join(f"  {item},\n" for item in items) + "]"
        return "[" + ", ".join(items) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def toml_table(header: str, table: Mapping[str, Any]) -> str:
    """One `[header]` table; nested tables and lists are written inline so the file stays flat."""
    lines = [f"[{header}]"]
    lines.extend(f"{toml_key(str(k))} = {toml_value(v)}" for k, v in table.items())
    return "\n".join(lines) + "\n"


def criteria_set_toml(data: Mapping[str, Any], *, order: list[str] | None = None, comment: str = "") -> str:
    """A whole set: `[set]` then one `[criteria."code"]` table per criterion in official order."""
    parts = []
    if comment:
        parts.append("".join(f"# {line}\n" if line else "#\n" for line in comment.splitlines()))
    parts.append(toml_table("set", data["set"]))
    criteria = data["criteria"]
    for code in order or list(criteria):
        parts.append(toml_table(f"criteria.{toml_string(code)}", criteria[code]))
    return "\n".join(parts)
