"""Reading TOML and JSON input files: exact decimals, and the line of every key.

tomllib does not report where a key stands, but an error message without a line number sends a clerk
scrolling through 600 lines. `LineIndex` scans the text once for table headers and `key =` lines so
that a problem at `criteria."3.4".max_points` can say "line 212".
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import sys
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from parrules.errors import Problem, ProblemsError, key_path
from parrules.messages import CORE, say

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

_DEEPEST = 32  # levels of a key path given a line of their own; deeper ones are found by their prefix

#: Tables and lists inside one another that a set or a submission may hold. The deepest key of a real
#: set, criteria."3.4.2".bands[0].from, is 5 levels down (answers."8.1".A of a submission is 3); 32 is
#: far beyond any, and keeps every walk over the data (validation, tailoring, scoring, results) far
#: from Python's stack limit.
MAX_NESTING = 32

#: What file systems take: 255 bytes per name (Linux, macOS, Windows), 4096 bytes for a whole path
#: (Linux's PATH_MAX). A longer path cannot name a file, so it is a problem of the input, said once.
MAX_NAME_BYTES, MAX_PATH_BYTES = 255, 4096
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
        #: the first key path deeper than MAX_NESTING levels (its first levels) and its line, if any
        self.too_deep: tuple[tuple[str, ...], int] | None = None
        if text:
            self._scan(text)

    def _scan(self, text: str) -> None:
        table: tuple[str, ...] = ()
        depth = 0  # of the current table, before truncation
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
                depth = len(table)
                if depth > MAX_NESTING and self.too_deep is None:
                    self.too_deep = (table[:6], number)
                if len(table) > _DEEPEST:  # a hostile header: index its first levels only, in linear time
                    table = table[:_DEEPEST]
                for end in range(1, len(table) + 1):
                    self._lines.setdefault(table[:end], number)
                continue
            key, at = _dotted_key(raw, 0)
            if key and raw.startswith("=", at):
                if depth + len(key) > MAX_NESTING and self.too_deep is None:
                    self.too_deep = ((*table, *key[:6])[:6], number)
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
    ("Illegal character '\\n'", "problem.toml.unclosed_text"),
    ("Cannot declare", "problem.toml.table_twice"),
    ("Cannot overwrite", "problem.toml.key_twice"),
    ("Expected '=' after a key", "problem.toml.expected_equals"),
    ("Invalid value", "problem.toml.invalid_value"),
)
"""Fragments of tomllib's messages → the catalogue key of what to type instead."""


def _syntax_hint(message: str) -> str:
    """tomllib speaks about characters; a clerk needs to know what to type."""
    for fragment, hint in _SYNTAX_HINTS:
        if fragment in message:
            return say(hint)
    return say("problem.toml.see_spec")


def path_problem(path: str | Path) -> str | None:
    """Why `path` cannot name a file on any system (a NUL character, a name over 255 bytes, a path
    over 4096 bytes), or None.

    The operating system would refuse such a path with `ValueError: embedded null byte` or
    `OSError: File name too long`, deep in whichever call touched it first; asked here, before any
    file access, each loader says it as a problem of the input that named the path.
    """
    text = os.fspath(path)
    if "\0" in text:
        return say("problem.path.nul")
    try:
        encoded = os.fsencode(text)
    except UnicodeError:
        return say("problem.path.characters")
    if len(encoded) > MAX_PATH_BYTES:
        return say("problem.path.too_long", n=len(encoded), limit=MAX_PATH_BYTES)
    longest = max(encoded.split(b"/"), key=len)
    if len(longest) > MAX_NAME_BYTES:
        return say("problem.path.name_too_long", n=len(longest), limit=MAX_NAME_BYTES)
    return None


def os_reason(exc: OSError) -> str:
    """Why the system refused a file, in the reader's language for the refusals a clerk meets
    (permission denied, a folder where a file was meant, a loop of links…), else the system's words."""
    key = f"problem.os.{errno.errorcode.get(exc.errno or 0, '')}"
    return say(key) if key in CORE else str(exc.strerror or exc)


def shown_path(path: str | Path) -> str:
    """A path as a message names it: a hostile one (a NUL, thousands of characters) stays one short line."""
    text = os.fspath(path).replace("\0", "\\0")
    return text if len(text) <= 120 else text[:60] + "…" + text[-50:]


def nesting_problem(data: Any, file: str, lines: LineIndex, limit: int = MAX_NESTING) -> Problem | None:
    """The problem of data whose tables and lists nest more than `limit` levels deep, or None.

    One walk with its own stack, never recursion, so the check itself cannot overflow; every later
    walk (pydantic, jsonschema, tailoring, the results) then stays within `limit` levels.
    """
    stack: list[tuple[Any, tuple[object, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if len(path) > limit:
            return _too_deep(file, path, lines.line(*path), limit)
        if isinstance(value, Mapping):
            stack.extend((inner, (*path, str(key))) for key, inner in value.items())
        elif isinstance(value, (list, tuple)):
            stack.extend((inner, (*path, i)) for i, inner in enumerate(value))
    return None


def _too_deep(file: str, path: Sequence[object], line: int | None, limit: int = MAX_NESTING) -> Problem:
    return Problem(file, key_path(*path[:6]) + "…", say("problem.file.too_deep", n=limit), line=line,
                   hint=say("problem.file.too_deep_hint"), code="too_deep")


def read_document(path: str | Path, *, what: str | None = None) -> InputDocument:
    """Read a TOML or JSON file with every number as Decimal, or raise one clear problem.

    `what` names the file in the problem ("bộ tiêu chí", "criteria set"; default: "tệp", "file"),
    in the language of the run, so callers pass `say("problem.what.…")`."""
    what = what or say("problem.what.file")
    bad = path_problem(path)
    if bad is not None:
        raise ProblemsError([Problem(shown_path(path), "", say("problem.file.cannot_read", what=what, why=bad),
                                     code="bad_path", hint=say("problem.file.check_path"))])
    file = Path(path)
    label = str(file)
    try:
        raw = _read_regular(file)
    except FileNotFoundError:
        raise ProblemsError([Problem(label, "", say("problem.file.not_found", what=what),
                                     hint=say("problem.file.check_path"))]) from None
    except _NotRegular as exc:
        raise ProblemsError([Problem(label, "", say("problem.file.not_regular", what=what, kind=say(str(exc))),
                                     hint=say("problem.file.not_regular_hint"), code="not_a_file")]) from None
    except OSError as exc:
        raise ProblemsError([Problem(label, "", say("problem.file.cannot_read", what=what, why=os_reason(exc)))]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProblemsError(
            [Problem(label, "", say("problem.file.not_utf8", byte=exc.start), hint=say("problem.file.not_utf8_hint"))]
        ) from None
    if file.suffix.lower() == ".json":
        try:
            data = json.loads(text, parse_float=Decimal, object_pairs_hook=_object_once, parse_constant=_no_constant)
        except json.JSONDecodeError as exc:
            raise ProblemsError(
                [Problem(label, "", say("problem.json.syntax", error=exc.msg), line=exc.lineno, code="syntax")]
            ) from None
        except RecursionError:
            raise ProblemsError([Problem(label, "", say("problem.json.too_deep"), code="syntax")]) from None
        except _NotStandard as exc:
            raise ProblemsError([Problem(label, "", str(exc), code="syntax", hint=exc.hint)]) from None
        except ValueError as exc:  # an integer of thousands of digits, refused by int()
            raise ProblemsError([Problem(label, "", say("problem.json.too_long", error=exc), code="syntax")]) from None
        if not isinstance(data, dict):
            raise ProblemsError([Problem(label, "", say("problem.json.not_object"))])
        return InputDocument(file, data, raw, LineIndex())
    return toml_document(text, file, raw)


def toml_document(text: str, path: Path, raw: bytes | None = None) -> InputDocument:
    """Parse TOML text (a file's, or one a web app received) with every number as Decimal, or raise
    one clear problem: a syntax error with its line and a hint, a key nested beyond MAX_NESTING levels
    (refused before tomllib, whose time grows with the square of a key's depth), a value too long."""
    label = str(path)
    lines = LineIndex(text)
    if lines.too_deep is not None:  # tomllib takes time quadratic in a key's depth: refused before it
        raise ProblemsError([_too_deep(label, *lines.too_deep)])
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        at = _TOML_AT.search(message)
        line = int(at.group(1)) if at else None
        message = _TOML_AT.sub("", message).strip()
        raise ProblemsError(
            [Problem(label, "", say("problem.toml.syntax", error=message), line=line, code="syntax",
                     hint=_syntax_hint(message))]
        ) from None
    except (RecursionError, ValueError):  # an integer of thousands of digits, arrays nested thousands deep
        raise ProblemsError([Problem(label, "", say("problem.toml.too_long"), code="syntax")]) from None
    return InputDocument(path, data, text.encode() if raw is None else raw, lines)


class _NotRegular(OSError):
    pass


_KINDS = ((stat.S_ISDIR, "problem.file.kind.folder"), (stat.S_ISFIFO, "problem.file.kind.fifo"),
          (stat.S_ISCHR, "problem.file.kind.device"), (stat.S_ISBLK, "problem.file.kind.device"),
          (stat.S_ISSOCK, "problem.file.kind.socket"))
"""What a path that is no regular file is, as the catalogue key that names it."""


def _read_regular(file: Path) -> bytes:
    """The bytes of a regular file. The file is opened without blocking and looked at before it is
    read: reading a named pipe (a FIFO among the submissions) would wait forever for a writer, and a
    device such as /dev/zero would never end, so anything but a regular file is refused at once."""
    fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise _NotRegular(next((kind for test, kind in _KINDS if test(mode)), "problem.file.kind.other"))
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read()
    finally:
        os.close(fd)


class _NotStandard(ValueError):
    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


def _object_once(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose keys are each given once: a key given twice would silently keep the last
    value (TOML reports it; so does this). Built by `dict` (in C) and walked only when a key is lost:
    the hook runs once per object of a campaign JSON."""
    out: dict[str, Any] = dict(pairs)
    if len(out) == len(pairs):
        return out
    out = {}
    for key, value in pairs:
        if key in out:
            raise _NotStandard(say("problem.json.key_twice", key=repr(key)), say("problem.json.key_twice_hint"))
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    """NaN, Infinity and -Infinity are not JSON, and no PAR figure is one."""
    raise _NotStandard(say("problem.json.constant", name=name), say("problem.json.constant_hint"))
