"""Evidence checks' measurements, remembered by the content they were measured from.

A live score runs the engine on one unit after each save. Nearly all of its time was the set's
evidence checks (19 calls on the 2018 central set, each reading the campaign's data files again),
although a save of an answer, a self-score or an appraisal changes nothing a check reads: a check
sees only the unit's `UnitEvidence` (identity, figures, documents and their files, the data files)
and its own parameters. So the checks of the sets the service loads are wrapped
(`caching_registry`): each unit's measurement is kept under a key made of the check (name, plugin,
version, parameters), the voice it was written in, and the unit's evidence with the sha256 of every
file it names. A unit whose evidence is unchanged gets the measurement the check gave for exactly
that content; a unit whose data or documents changed has a new key and is measured again. Nothing
here is campaign state — it is derived, immutable and rebuilt by any worker from the same files —
so workers still share nothing but the database.

A check's measurement of a unit may depend on the other units of its call, though: the standard
`dvc.services` check notes, in each unit's explanation, the rows of units that are not in the call.
So the measurements a live score uses are always made in one call for every unit of the campaign,
as `parrules campaign` makes them (`remembered_only` and `scoring.score_unit`): a unit's live
score says what the campaign's results say. What is kept per unit: its measurement, the exception
the check gave for it, or that the check left it out; a call that raises is kept for nobody.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from pathlib import Path
from typing import Any

from parrules import CheckKind, Measurement, Registry, UnitEvidence, current_voice

Evaluate = Callable[[Sequence[UnitEvidence], Mapping[str, Any]], Mapping[str, Any]]

_KEPT = 200_000  # measurements per worker: 63 provinces × 19 checks is 1,197; a year of every campaign fits


class _Remembered:
    """A bounded LRU map, safe across the threads of one worker."""

    def __init__(self, size: int) -> None:
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._size = size
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> Any:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                self.hits += 1
            else:
                self.misses += 1
            return found

    def put(self, key: str, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_MEASURED = _Remembered(_KEPT)
_NOT_EVALUATED = object()  # a check that left a unit out of its answer: remembered as well
_DIGESTS = _Remembered(10_000)
_KEYS = _Remembered(4096)  # id of an evidence object → (the object, its key)


def file_digest(path: Path) -> str:
    """The sha256 of a file, remembered by its path, size, inode and modification time (files the
    service writes are written once, atomically, under names derived from their content)."""
    try:
        stat = os.stat(path)
    except OSError:
        return "missing"
    key = f"{path}\0{stat.st_size}\0{stat.st_ino}\0{stat.st_mtime_ns}"
    found = _DIGESTS.get(key)
    if found is None:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        found = digest.hexdigest()
        _DIGESTS.put(key, found)
    return str(found)


def evidence_key(unit: UnitEvidence) -> str:
    """Everything a check can read of one unit, files by their content: equal keys, equal evidence.
    A run hands the same evidence objects to each of its checks, so the key is made once per object
    (the object is held beside its key, so its id cannot be reused while remembered)."""
    found = _KEYS.get(str(id(unit)))
    if found is not None and found[0] is unit:
        return str(found[1])
    key = _evidence_key(unit)
    _KEYS.put(str(id(unit)), (unit, key))
    return key


def _evidence_key(unit: UnitEvidence) -> str:
    documents = [[d.number, d.date.isoformat() if d.date else None, d.issuer, d.title, d.kind,
                  str(d.file) if d.file is not None else None,
                  file_digest(d.file) if d.file is not None else None, list(d.criteria)] for d in unit.documents]
    data = sorted([name, str(path), file_digest(Path(path))] for name, path in unit.data.items())
    text = json.dumps([unit.code, unit.name, unit.kind, unit.period, unit.figures, documents, data,
                       str(unit.base_dir)], sort_keys=True, default=repr, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _call_key(kind: CheckKind, params: Mapping[str, Any]) -> str:
    voice = current_voice()
    return json.dumps([kind.name, kind.plugin, kind.plugin_version, voice.language, voice.decimals,
                       voice.percent_decimals, voice.mode, params], sort_keys=True, default=repr,
                      ensure_ascii=False)


_REMEMBERED_ONLY: ContextVar[list[str] | None] = ContextVar("parrules_service_remembered_only", default=None)


@contextmanager
def remembered_only() -> Iterator[list[str]]:
    """Inside the block, checks measure nothing: a unit whose measurement is not remembered is left
    out of the check's answer and its check's name is added to the list yielded. A live score runs
    so, and when the list is not empty measures every unit of the campaign in one call instead —
    as `parrules campaign` does — since a check may note rows of units that are not in its call."""
    missed: list[str] = []
    token = _REMEMBERED_ONLY.set(missed)
    try:
        yield missed
    finally:
        _REMEMBERED_ONLY.reset(token)


_UNREMEMBERED: ContextVar[bool] = ContextVar("parrules_service_unremembered", default=False)


@contextmanager
def unremembered() -> Iterator[None]:
    """Inside the block, checks measure everything afresh and keep nothing: stateless scoring of
    posted submissions, whose measurements would be kept for nobody (and is compared, in the load
    benchmark, with the library in process, which keeps nothing either)."""
    token = _UNREMEMBERED.set(True)
    try:
        yield
    finally:
        _UNREMEMBERED.reset(token)


def remembering(kind: CheckKind, original: Evaluate) -> Evaluate:
    """`kind`'s evaluate, measuring only the units whose evidence it has not measured before."""

    def evaluate(units: Sequence[UnitEvidence], params: Mapping[str, Any]) -> Mapping[str, Any]:
        if _UNREMEMBERED.get():
            return original(units, params)
        call = _call_key(kind, params)
        keys = [hashlib.sha256(f"{call}\0{evidence_key(unit)}".encode()).hexdigest() for unit in units]
        out: dict[str, Any] = {}
        missing: list[int] = []
        for i, (unit, key) in enumerate(zip(units, keys)):
            found = _MEASURED.get(key)
            if found is None:
                missing.append(i)
            elif found is not _NOT_EVALUATED:
                out[unit.code] = found
        if not missing:
            return out
        missed = _REMEMBERED_ONLY.get()
        if missed is not None:
            missed.append(kind.name)
            return out
        measured = original([units[i] for i in missing], params)  # raises: the engine contains it, nothing kept
        if not isinstance(measured, Mapping):
            return measured  # the engine says what is wrong with it
        for i in missing:
            value = measured.get(units[i].code)
            if value is None:
                _MEASURED.put(keys[i], _NOT_EVALUATED)
            elif isinstance(value, (Measurement, Exception)):
                out[units[i].code] = value
                _MEASURED.put(keys[i], value)
            else:
                out[units[i].code] = value  # not a measurement: the engine says so, every time
        return out

    return evaluate


_REGISTRY: list[Registry] = []
_REGISTRY_LOCK = threading.Lock()


def caching_registry() -> Registry:
    """A registry of the plugins the CLI loads (`Registry()`), every check of it remembering its
    measurements; built once per worker. Sets loaded with it score exactly as the CLI's do."""
    with _REGISTRY_LOCK:
        if not _REGISTRY:
            registry = Registry()
            for name, kind in list(registry.checks.items()):
                registry.checks[name] = replace(kind, evaluate=remembering(kind, kind.evaluate))
            _REGISTRY.append(registry)
        return _REGISTRY[0]


def counts() -> tuple[int, int]:
    """(measurements found, measurements made) by this worker so far: what the tests look at."""
    return _MEASURED.hits, _MEASURED.misses


def forget() -> None:
    """Drop every remembered measurement (tests; they are rebuilt on demand)."""
    _MEASURED.clear()
    _DIGESTS.clear()
    _KEYS.clear()
