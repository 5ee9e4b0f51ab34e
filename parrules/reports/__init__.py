"""Reports people read, rendered from the campaign JSON: JSON, CSV, Markdown, XLSX, HTML and whatever
report formats plugins register (hook `register_report_formats`).

`render(data, fmt)` returns the bytes of one format; `write_report` writes them atomically. Every
format is rendered from the same dictionary (`CampaignResult.to_dict()` or a campaign JSON file read
back), so the figures agree across formats and an old run can be re-rendered without re-scoring.
`formats()` and `suffixes()` (also as `FORMATS` and `SUFFIXES`) list the registered formats.

A format may also return `ReportFiles` — a report that is a folder — when one file would be too big
to open: the HTML of 10,000 units is a main page and pages of unit detail (`parrules.reports.html`).
`write_report` writes such a report as a folder named after the file asked for (`out/x.html` →
`out/x/index.html` and its pages) and returns the page to open; `render` gives the bytes of a report
that is one file and refuses one that is a folder, since there is no one file to give.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from parrules.errors import OutputError, ParrulesError, PluginError
from parrules.files.writing import output_folder, write_atomic
from parrules.messages import speaking
from parrules.plugins.registry import Registry, default_registry

FOLDER_MARK = ".parrules-report"
"""The file that marks a folder as a report parrules wrote, so writing it again may replace it (and
nothing else: a folder of the user's that happens to have the report's name is never removed)."""


class ReportFiles(Mapping[str, bytes]):
    """A report that is several files: relative path ("index.html", "units/001.html") → bytes.

    `main` is the file a reader opens first; the others are linked from it by relative paths, so the
    folder works wherever it is copied to."""

    def __init__(self, files: Mapping[str, bytes], *, main: str) -> None:
        self._files = dict(files)
        self.main = main
        problems = [path for path in self._files if not _relative(path)]
        if problems or main not in self._files:
            raise PluginError(f"a report's files must be relative paths inside its folder, the main one "
                              f"among them; got {sorted(self._files)[:5]} with main {main!r}")

    def __getitem__(self, path: str) -> bytes:
        return self._files[path]

    def __iter__(self) -> Iterator[str]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)

    @property
    def size(self) -> int:
        """Bytes in all the files."""
        return sum(len(b) for b in self._files.values())


def _relative(path: str) -> bool:
    pure = PurePosixPath(path)
    return bool(path) and "\\" not in path and "\0" not in path and not pure.is_absolute() \
        and ".." not in pure.parts and pure.parts[:1] != (FOLDER_MARK,) and str(pure) == path


def formats(registry: Registry | None = None) -> tuple[str, ...]:
    """The names of the registered report formats, built-ins first (json, csv, md, xlsx, html)."""
    return tuple((registry or default_registry()).report_formats)


def suffixes(registry: Registry | None = None) -> dict[str, str]:
    """Format name → the suffix of the file it is written to ("html" → ".html")."""
    return {name: fmt.suffix for name, fmt in (registry or default_registry()).report_formats.items()}


def __getattr__(name: str) -> Any:
    # FORMATS and SUFFIXES follow the process-wide registry, read when asked for.
    if name == "FORMATS":
        return formats()
    if name == "SUFFIXES":
        return suffixes()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def render_files(data: Mapping[str, Any], fmt: str, *, vietnamese: bool = False, language: str | None = None,
                 registry: Registry | None = None) -> bytes | ReportFiles:
    """The report in format `fmt`: its bytes, or `ReportFiles` when the format made a folder of it.

    `language` ("vi", "en") is the voice the report is written in; None keeps the caller's voice. It is
    entered here rather than passed on, so a plugin's format speaks it without a new parameter."""
    registry = registry or default_registry()
    found = registry.report_formats.get(fmt)
    if found is None:
        raise ValueError(f"unknown report format {fmt!r}; formats are: {', '.join(formats(registry))}")
    with speaking(language):
        out = found.render(data, vietnamese=vietnamese)
    if isinstance(out, ReportFiles):
        return out[out.main] if len(out) == 1 else out
    if not isinstance(out, (bytes, bytearray)):
        raise PluginError(f"report format {fmt!r} of plugin {found.plugin} returned {type(out).__name__}, "
                          "not bytes or ReportFiles")
    return bytes(out)


def render(data: Mapping[str, Any], fmt: str, *, vietnamese: bool = False, language: str | None = None,
           registry: Registry | None = None) -> bytes:
    """The report in format `fmt` (one of `formats()`) as one file's bytes; `vietnamese` writes 83,55.

    A report the format made into a folder (the HTML of a large campaign) has no one file to give:
    `OutputError` says so, and `write_report` writes it."""
    out = render_files(data, fmt, vietnamese=vietnamese, language=language, registry=registry)
    if isinstance(out, ReportFiles):
        raise OutputError(f"the {fmt} report of this campaign is a folder of {len(out)} files "
                          f"({out.size / 2**20:.0f} MB), not one file: write it to a path, and it is written "
                          f"as a folder with {out.main} to open")
    return out


def write_report(data: Mapping[str, Any], fmt: str, path: str | Path, *, vietnamese: bool = False,
                 language: str | None = None, registry: Registry | None = None) -> Path:
    """Write the report to `path` and return the file to open: `path` itself, or, when the format made a
    folder of the report, `folder_for(path)`'s main page (see `write_files`)."""
    out = render_files(data, fmt, vietnamese=vietnamese, language=language, registry=registry)
    if isinstance(out, ReportFiles):
        return write_files(out, folder_for(path))
    return write_atomic(path, out)


def folder_for(path: str | Path) -> Path:
    """Where a report asked for at `path` goes when it is a folder: `out/x.html` → `out/x`."""
    target = Path(path)
    return target.with_suffix("") if target.suffix else target.with_name(target.name + ".report")


def write_files(files: ReportFiles, folder: str | Path) -> Path:
    """Write a report that is a folder, as a whole: into a new folder beside `folder`, then swapped in.

    A reader never sees half of the new pages beside half of the old ones, and a page of a larger run
    last time does not stay behind. An existing folder is replaced only when parrules wrote it (it holds
    `FOLDER_MARK`); anything else at that path is left alone and the write refused."""
    target = output_folder(folder)
    if target.exists() and any(target.iterdir()) and not (target / FOLDER_MARK).is_file():
        raise OutputError(f"{target}: is a folder parrules did not write; the report would replace it. "
                          "Remove it, or write the report under another name")
    staging = target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp"
    old = target.parent / f".{target.name}.{secrets.token_hex(6)}.old"
    moved = False
    try:
        for relative, content in files.items():
            write_atomic(staging / relative, content)
        write_atomic(staging / FOLDER_MARK, f"main = {files.main}\n")
        if target.exists():
            os.replace(target, old)
            moved = True
        os.replace(staging, target)
    except BaseException as exc:
        if moved and not target.exists():
            os.replace(old, target)  # the report of last time stays where it was
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError):
            raise ParrulesError(f"{target}: could not be written: {exc.strerror or exc}; "
                                "it was left as it was") from None
        raise
    if moved:
        shutil.rmtree(old, ignore_errors=True)
    return target / files.main
