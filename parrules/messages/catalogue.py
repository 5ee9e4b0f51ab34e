"""Catalogues: TOML files of messages, each entry in every language, checked when loaded.

    [status.full]
    vi = "đạt tối đa"
    en = "full points"

    [rule.yes_no]
    vi = "{answer} → {points:points}/{max:points} điểm"
    en = "{answer} → {points:points} of {max:points} points"

A catalogue refuses to load when an entry lacks a language, has a language we do not know, or uses
other placeholders in one language than in the other — a published report never shows a key or a
blank where a translation was forgotten. Templates are parsed once; `say` only joins pieces.
"""

from __future__ import annotations

import string
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from parrules.messages.numbers import format_date, format_number
from parrules.messages.voice import LANGUAGES, Voice, current_voice

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

KINDS = ("points", "percent", "count", "number", "date", "")
"""What a placeholder may hold: points (the set's decimals), percent (its percent decimals), count (a
whole number, grouped), number (as exact as it is), date, or text (no kind)."""

_Piece = tuple[str, str | None, str]  # literal, field name (None at the end), kind


class CatalogueError(ValueError):
    """A catalogue file that cannot be used: a missing language, unequal placeholders, a bad kind."""


class Catalogue:
    """Messages by key and language; `say(key, **values)` writes one in the current voice."""

    def __init__(self, entries: Mapping[str, Mapping[str, str]], *, source: str = "") -> None:
        self.source = source
        self._pieces: dict[str, dict[str, list[_Piece]]] = {}
        self._pending: dict[str, Path] = {}  # files of `on_demand` not read yet, by stem
        problems = []
        for key, languages in entries.items():
            missing = [lang for lang in LANGUAGES if not isinstance(languages.get(lang), str)]
            unknown = sorted(set(languages) - set(LANGUAGES))
            if missing or unknown:
                problems.append(f"{key}: " + "; ".join(
                    ([f"no text in {', '.join(missing)}"] if missing else [])
                    + ([f"unknown language {', '.join(unknown)}"] if unknown else [])))
                continue
            try:
                parsed = {lang: _parse(languages[lang]) for lang in LANGUAGES}
            except (ValueError, CatalogueError) as exc:
                problems.append(f"{key}: {exc}")
                continue
            fields = {lang: sorted({(f, k) for _, f, k in pieces if f is not None}) for lang, pieces in parsed.items()}
            if len({tuple(v) for v in fields.values()}) > 1:
                problems.append(f"{key}: the languages use different placeholders: "
                                + "; ".join(f"{lang} {', '.join(f'{f}:{k}' if k else f for f, k in v) or 'none'}"
                                            for lang, v in fields.items()))
                continue
            self._pieces[key] = parsed
        if problems:
            raise CatalogueError(f"{source or 'catalogue'}: " + " | ".join(problems))

    @classmethod
    def load(cls, *paths: str | Path) -> Catalogue:
        """Read catalogue files (or folders of `*.toml`) into one; a key given in two files is an error."""
        catalogue = cls({})
        files = _files(paths)
        for file in files:
            catalogue._add_file(file)
        catalogue.source = ", ".join(str(f) for f in files)
        return catalogue

    @classmethod
    def on_demand(cls, *paths: str | Path) -> Catalogue:
        """A catalogue of files read when first needed: a key whose first part names a file (`cli.…` in
        `cli.toml`) reads that file alone, any other key every file not read yet.

        `parrules --help` is said from `cli.toml` alone; the core's other files are read, and checked,
        when a command first says something from them (iterating the keys reads them all, so the
        catalogue tests still check every file and every key given twice)."""
        catalogue = cls({})
        files = _files(paths)
        catalogue._pending = {f.stem: f for f in files}
        catalogue.source = ", ".join(str(f) for f in files)
        return catalogue

    def _add_file(self, file: Path) -> None:
        with file.open("rb") as handle:
            data = tomllib.load(handle)
        entries: dict[str, Mapping[str, str]] = {}
        for key, languages in _flatten(data):
            if key in entries or key in self._pieces:
                raise CatalogueError(f"{file}: {key}: given twice")
            entries[key] = languages
        self._pieces.update(Catalogue(entries, source=str(file))._pieces)

    def _read(self, key: str | None) -> bool:
        """Read the file a key lives in (None: every file left); False when nothing was left to read
        and the key is still not there.

        Checks run in threads: one reads a file under the lock, and a file leaves `_pending` only once
        its keys are in, so another thread either waits for it or finds the key read."""
        if not self._pending:
            return key is not None and key in self._pieces  # read by another thread since the caller looked
        with _READING:
            if not self._pending:
                return True  # read by another thread while this one waited: look again
            stem = None if key is None else key.partition(".")[0]
            for name in ([stem] if stem in self._pending else list(self._pending)):
                self._add_file(self._pending[name])
                del self._pending[name]
        return True

    def __contains__(self, key: str) -> bool:
        return key in self._pieces or (self._read(key) and self.__contains__(key))

    def keys(self) -> Iterable[str]:
        while self._read(None):
            pass
        return self._pieces.keys()

    def _entry(self, key: str) -> dict[str, list[_Piece]]:
        try:
            return self._pieces[key]
        except KeyError:
            if self._read(key):
                return self._entry(key)
            raise

    def text(self, key: str, language: str) -> str:
        """The template of a key in a language, placeholders and all (for tests and translators)."""
        return "".join(lit + ("" if f is None else "{" + f + (":" + k if k else "") + "}")
                       for lit, f, k in self._entry(key)[language])

    def say(self, key: str, /, **values: Any) -> str:
        """The message in the current voice, its placeholders filled and its numbers formatted."""
        voice = current_voice()
        out = []
        try:
            pieces = self._pieces[key][voice.language]
        except KeyError:
            pieces = self._entry(key)[voice.language]
        for literal, name, kind in pieces:
            out.append(literal)
            if name is not None:
                out.append(_FORMAT[kind](values[name], voice))
        return "".join(out)


def _files(paths: Iterable[str | Path]) -> list[Path]:
    return [f for p in map(Path, paths) for f in (sorted(p.glob("*.toml")) if p.is_dir() else [p])]


def _flatten(data: Mapping[str, Any], prefix: str = "") -> Iterable[tuple[str, Mapping[str, str]]]:
    """Entries are the tables whose values are texts; tables of tables are namespaces."""
    for key, value in data.items():
        if not isinstance(value, dict):
            raise CatalogueError(f"{prefix}{key}: expected a table of languages")
        if all(isinstance(v, str) for v in value.values()):
            yield prefix + key, value
        else:
            yield from _flatten(value, f"{prefix}{key}.")


def _parse(template: str) -> list[_Piece]:
    pieces: list[_Piece] = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        if conversion:
            raise CatalogueError(f"'!{conversion}' is not supported in {template!r}")
        if name is not None and (not name.isidentifier()):
            raise CatalogueError(f"placeholder {{{name}}} must be a plain name in {template!r}")
        if name is not None and (spec or "") not in KINDS:
            raise CatalogueError(f"unknown kind '{spec}' in {template!r}: one of {', '.join(k for k in KINDS if k)}")
        pieces.append((literal, name, spec or ""))
    return pieces


def _decimal(value: Any) -> Decimal | int | None:
    if value is None or isinstance(value, (Decimal, int)):
        return value
    return Decimal(str(value))


def _format_text(value: Any, voice: Voice) -> str:
    return str(value)


def _format_date(value: Any, voice: Voice) -> str:
    return format_date(value, voice.language) if value is not None else "—"


_FORMAT: dict[str, Callable[[Any, Voice], str]] = {
    "": _format_text,
    "points": lambda v, voice: format_number(_decimal(v), voice.decimals, voice.language, voice.mode),
    "percent": lambda v, voice: format_number(_decimal(v), voice.percent_decimals, voice.language, voice.mode),
    "count": lambda v, voice: format_number(_decimal(v), 0, voice.language),
    "number": lambda v, voice: format_number(_decimal(v), None, voice.language),
    "date": _format_date,
}

_READING = threading.Lock()

CORE = Catalogue.on_demand(Path(__file__).with_name("catalogues"))
"""parrules' own messages (every file in `parrules/messages/catalogues/`), each file read when first
needed."""

say = CORE.say
