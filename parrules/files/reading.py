"""Reading TOML and JSON input files: exact decimals, and the line of every key.

tomllib does not report where a key stands, but an error message without a line number sends a clerk
scrolling through 600 lines. `LineIndex` scans the text once for table headers and `key =` lines so
that a problem at `criteria."3.4".max_points` can say "line 212".
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from parrules.errors import Problem, ProblemsError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

_DEEPEST = 32  # levels of a key path given a line of their own; deeper ones are found by their prefix
_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


def nfc(text: str) -> str:
    """Vietnamese text typed on different keyboards differs in composition; compare it as NFC."""
    return unicodedata.normalize("NFC", text)


def _dotted_key(text: str, at: int) -> tuple[tuple[str, ...], int]:
    """The dotted TOML key starting at `at` (bare, "quoted" or 'literal' parts), and where it ends.

    One pass over the characters, never a regular expression: a hostile line costs what its length
    does. An empty tuple means there is no key there.
    """
    parts: list[str] = []
    n = len(text)
    while True:
        while at < n and text[at] in " \t":
            at += 1
        if at >= n:
            return (), at
        quote = text[at]
        if quote == '"' or quote == "'":
            close = at + 1
            while close < n and text[close] != quote:
                close += 2 if quote == '"' and text[close] == "\\" else 1
            if close >= n:
                return (), at
            parts.append(nfc(text[at + 1:close]))
            at = close + 1
        else:
            close = at
            while close < n and text[close] in _BARE:
                close += 1
            if close == at:
                return (), at
            parts.append(nfc(text[at:close]))
            at = close
        while at < n and text[at] in " \t":
            at += 1
        if at < n and text[at] == ".":
            at += 1
            continue
        return tuple(parts), at


def _header(stripped: str) -> tuple[tuple[str, ...], bool] | None:
    """(the table's key path, whether it is [[an array]]) of a header line, or None."""
    double = stripped.startswith("[[")
    parts, at = _dotted_key(stripped, 2 if double else 1)
    close = "]]" if double else "]"
    if not parts or not stripped.startswith(close, at):
        return None
    rest = stripped[at + len(close):].lstrip()
    return (parts, double) if not rest or rest.startswith("#") else None


class LineIndex:
    """Maps key paths (tuples of keys) to the 1-based line where they are defined."""

    def __init__(self, text: str | None = None) -> None:
        self._lines: dict[tuple[str, ...], int] = {}
        self._array_counts: dict[tuple[str, ...], int] = {}
        if text:
            self._scan(text)

    def _scan(self, text: str) -> None:
        table: tuple[str, ...] = ()
        for number, raw in enumerate(text.splitlines(), start=1):
            stripped = raw.strip()
            if not stripped or stripped.startswith("#"):
                continue
            header = _header(stripped) if stripped.startswith("[") else None
            if header:
                table, array = header
                if array:
                    index = self._array_counts.get(table, 0)
                    self._array_counts[table] = index + 1
                    table = (*table, str(index))
                if len(table) > _DEEPEST:  # a hostile header: index its first levels only, in linear time
                    table = table[:_DEEPEST]
                for end in range(1, len(table) + 1):
                    self._lines.setdefault(table[:end], number)
                continue
            key, at = _dotted_key(raw, 0)
            if key and raw.startswith("=", at):
                self._lines.setdefault((*table, *key[:_DEEPEST])[:_DEEPEST * 2], number)

    def line(self, *path: object) -> int | None:
        """The line of the longest known prefix of `path`."""
        keys = tuple(nfc(str(p)) for p in path)
        while keys:
            if keys in self._lines:
                return self._lines[keys]
            keys = keys[:-1]
        return None


@dataclass(frozen=True)
class InputDocument:
    """A parsed input file with its raw bytes (for hashing) and its line index."""

    path: Path
    data: dict[str, Any]
    raw: bytes
    lines: LineIndex

    @property
    def label(self) -> str:
        return str(self.path)


_SYNTAX_HINTS = (
    ("Illegal character '\\n'", "a text in quotes is not closed on this line: add the closing \""),
    ("Cannot declare", "this table appears twice in the file: merge the two or renumber one"),
    ("Cannot overwrite", "this key is given twice: keep one"),
    ("Expected '=' after a key", "write key = value; a text value needs quotes"),
    ("Invalid value", "text values need quotes, numbers use a point for decimals (2.5), yes/no is true/false"),
)


def _syntax_hint(message: str) -> str:
    """tomllib speaks about characters; a clerk needs to know what to type."""
    for fragment, hint in _SYNTAX_HINTS:
        if fragment in message:
            return hint
    return "see https://toml.io for the syntax"


def read_document(path: str | Path, *, what: str = "file") -> InputDocument:
    """Read a TOML or JSON file with every number as Decimal, or raise one clear problem."""
    file = Path(path)
    label = str(file)
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise ProblemsError([Problem(label, "", f"{what} not found", hint="check the path")]) from None
    except OSError as exc:
        raise ProblemsError([Problem(label, "", f"cannot read {what}: {exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProblemsError(
            [Problem(label, "", f"not UTF-8 text (byte {exc.start})", hint="save the file as UTF-8")]
        ) from None
    if file.suffix.lower() == ".json":
        try:
            data = json.loads(text, parse_float=Decimal, object_pairs_hook=_object_once, parse_constant=_no_constant)
        except json.JSONDecodeError as exc:
            raise ProblemsError(
                [Problem(label, "", f"JSON syntax error: {exc.msg}", line=exc.lineno, code="syntax")]
            ) from None
        except RecursionError:
            raise ProblemsError([Problem(label, "", "nested too deeply to be a PAR input", code="syntax")]) from None
        except _NotStandard as exc:
            raise ProblemsError([Problem(label, "", str(exc), code="syntax", hint=exc.hint)]) from None
        except ValueError as exc:  # an integer of thousands of digits, refused by int()
            raise ProblemsError([Problem(label, "", f"not a number a PAR input can hold: {exc}", code="syntax")]) from None
        if not isinstance(data, dict):
            raise ProblemsError([Problem(label, "", "the top level must be an object")])
        return InputDocument(file, data, raw, LineIndex())
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        at = _TOML_AT.search(message)
        line = int(at.group(1)) if at else None
        message = _TOML_AT.sub("", message).strip()
        raise ProblemsError(
            [Problem(label, "", f"TOML syntax error: {message}", line=line, code="syntax",
                     hint=_syntax_hint(message))]
        ) from None
    except (RecursionError, ValueError):  # an integer of thousands of digits, arrays nested thousands deep
        raise ProblemsError([Problem(label, "", "a value too long or nested too deeply to be a PAR input",
                                     code="syntax")]) from None
    return InputDocument(file, data, raw, LineIndex(text))


class _NotStandard(ValueError):
    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


def _object_once(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose keys are each given once: a key given twice would silently keep the last
    value (TOML reports it; so does this)."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _NotStandard(f"key {key!r} is given twice in one object", "keep one of the two values")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    """NaN, Infinity and -Infinity are not JSON, and no PAR figure is one."""
    raise _NotStandard(f"{name} is not a JSON number", "write the figure as a number, or leave the key out")
