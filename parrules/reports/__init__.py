"""Reports people read, rendered from the campaign JSON: JSON, CSV, Markdown, XLSX, HTML and whatever
report formats plugins register (hook `register_report_formats`).

`render(data, fmt)` returns the bytes of one format; `write_report` writes them atomically. Every
format is rendered from the same dictionary (`CampaignResult.to_dict()` or a campaign JSON file read
back), so the figures agree across formats and an old run can be re-rendered without re-scoring.
`formats()` and `suffixes()` (also as `FORMATS` and `SUFFIXES`) list the registered formats.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from parrules.errors import PluginError
from parrules.files.writing import write_atomic
from parrules.plugins.registry import Registry, default_registry


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


def render(data: Mapping[str, Any], fmt: str, *, vietnamese: bool = False, registry: Registry | None = None) -> bytes:
    """The report in format `fmt` (one of `formats()`); `vietnamese` writes 83,55 instead of 83.55."""
    registry = registry or default_registry()
    found = registry.report_formats.get(fmt)
    if found is None:
        raise ValueError(f"unknown report format {fmt!r}; formats are: {', '.join(formats(registry))}")
    out = found.render(data, vietnamese=vietnamese)
    if not isinstance(out, (bytes, bytearray)):
        raise PluginError(f"report format {fmt!r} of plugin {found.plugin} returned {type(out).__name__}, not bytes")
    return bytes(out)


def write_report(data: Mapping[str, Any], fmt: str, path: str | Path, *, vietnamese: bool = False,
                 registry: Registry | None = None) -> Path:
    return write_atomic(path, render(data, fmt, vietnamese=vietnamese, registry=registry))
