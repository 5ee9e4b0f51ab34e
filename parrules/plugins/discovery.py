"""Installed plugins: the `parrules` entry points and the version of a distribution, found cheaply.

Every `parrules` invocation loads every installed plugin, `--help` included. `importlib.metadata`
answers this, but importing it costs about 25 ms here (it pulls in the `email` package to read
METADATA headers): a third of what `parrules --help` may take (issue #13, ≤ 4 × a bare
interpreter). So when nothing in the process has imported it yet, the `entry_points.txt` and
`METADATA` files of the distributions on `sys.path` are read directly, as importlib.metadata reads
them (the first distribution of a name on `sys.path` wins). When it is already imported — a host
application, pytest — it is asked instead, so a host that replaced its answer (a test's fake entry
points) is obeyed; tests/plugins/test_discovery.py checks that both ways find the same.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from pathlib import Path
from typing import Any, Protocol


class Distribution(Protocol):
    @property
    def version(self) -> str: ...


class EntryPoint(Protocol):
    """What the registry uses of an entry point (`importlib.metadata.EntryPoint` is one)."""

    name: str
    value: str

    @property
    def dist(self) -> Distribution | None: ...

    def load(self) -> Any: ...


_SECTION = re.compile(r"^\s*\[\s*(?P<name>[^\]]+?)\s*\]\s*$")
_VALUE = re.compile(r"^(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


class _Dist:
    """A distribution's metadata folder; its version read when asked for. (Plain classes, not
    dataclasses: each dataclass costs its module ~0.4 ms to create, on the path of `--help`.)"""

    __slots__ = ("_version", "path")

    def __init__(self, path: Path) -> None:
        self.path = path
        self._version: str | None = None

    @property
    def version(self) -> str:
        if self._version is None:
            self._version = _metadata_version(self.path)
        return self._version


class _EntryPoint:
    __slots__ = ("dist", "group", "name", "value")

    def __init__(self, name: str, value: str, group: str, dist: _Dist | None = None) -> None:
        self.name, self.value, self.group, self.dist = name, value, group, dist

    def __repr__(self) -> str:
        return f"EntryPoint(name={self.name!r}, value={self.value!r}, group={self.group!r})"

    def load(self) -> Any:
        match = _VALUE.match(self.value)
        if match is None:
            raise ValueError(f"entry point {self.name!r}: {self.value!r} is not 'module' or 'module:attribute'")
        loaded: Any = importlib.import_module(match["module"])
        for attr in (match["attr"] or "").split(".") if match["attr"] else ():
            loaded = getattr(loaded, attr)
        return loaded


def _metadata_version(path: Path) -> str:
    for name in ("METADATA", "PKG-INFO"):
        try:
            with open(path / name, encoding="utf-8") as handle:
                for line in handle:
                    if line.startswith("Version:"):
                        return line.partition(":")[2].strip()
                    if not line.strip():
                        break  # the headers end at the first empty line
        except OSError:
            continue
    return "unknown"


def _distributions() -> list[tuple[str, Path]]:
    """(normalised name, metadata folder) of each distribution on sys.path, the first of a name only."""
    found: dict[str, Path] = {}
    for entry in sys.path:
        try:
            names = sorted(os.listdir(entry or "."))
        except OSError:  # a zip file or a folder that is not there
            continue
        for name in names:
            stem, dot, suffix = name.rpartition(".")
            if not dot or suffix not in ("dist-info", "egg-info"):
                continue
            found.setdefault(_normal(stem.partition("-")[0]), Path(entry or ".", name))
    return list(found.items())


def _read_entry_points(path: Path, group: str) -> list[_EntryPoint]:
    try:
        text = (path / "entry_points.txt").read_text(encoding="utf-8")
    except OSError:
        return []
    section, dist, out = None, _Dist(path), []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        header = _SECTION.match(line)
        if header:
            section = header["name"]
        elif section == group and "=" in stripped:
            name, _, value = stripped.partition("=")
            out.append(_EntryPoint(name.strip(), value.strip(), group, dist))
    return out


def entry_points(group: str) -> list[EntryPoint]:
    """The entry points of a group over the installed distributions (unsorted, as importlib gives them)."""
    metadata = sys.modules.get("importlib.metadata")
    if metadata is not None:
        return list(metadata.entry_points(group=group))
    return [ep for _, path in _distributions() for ep in _read_entry_points(path, group)]


def version(distribution: str) -> str | None:
    """The installed version of a distribution, None when it is not installed."""
    metadata = sys.modules.get("importlib.metadata")
    if metadata is not None:
        try:
            return metadata.version(distribution)
        except metadata.PackageNotFoundError:
            return None
    wanted = _normal(distribution)
    path = next((p for name, p in _distributions() if name == wanted), None)
    return None if path is None else _metadata_version(path)
