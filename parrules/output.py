"""Writing results: deterministic JSON with exact decimals, and atomic file writes.

The same inputs must give byte-identical JSON (so a published figure can be re-derived and diffed),
and a crash or Ctrl-C must never leave a half-written report where yesterday's good one stood.
orjson writes Decimals as exact JSON numbers through `Fragment`, which json.dumps cannot.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from queue import Queue
from threading import Thread
from typing import Any, BinaryIO

import orjson

from .amounts import plain


def decimal_json(value: Decimal) -> str:
    """A Decimal as exact JSON number text: 13.50 stays 13.50, an integral 1E+1 is 10."""
    return plain(value) if value == value.to_integral_value() else format(value, "f")


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return orjson.Fragment(decimal_json(value))
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, Path):
        return value.as_posix()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def to_json(data: Any, *, indent: bool = True) -> bytes:
    """Deterministic JSON bytes: sorted keys, exact decimals, UTF-8 (Vietnamese stays readable)."""
    option = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS | (orjson.OPT_INDENT_2 if indent else 0)
    return orjson.dumps(data, default=_default, option=option) + b"\n"


def write_atomic(path: str | Path, content: bytes | str | Iterable[bytes]) -> Path:
    """Write to a temporary file beside the target, then rename it into place.

    `content` may be pieces (an iterator of bytes): they are written by a second thread while the
    next ones are made, so a large JSON costs little more than making it. If making a piece fails,
    the target is left as it was.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, _new_file_mode())  # mkstemp makes it private (0600); a report is an ordinary file
        with os.fdopen(fd, "wb") as handle:
            if isinstance(content, (bytes, str)):
                handle.write(content.encode("utf-8") if isinstance(content, str) else content)
            else:
                _write_pieces(handle, content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _new_file_mode() -> int:
    """The mode open() would give a new file: 0666 less the process umask (read without changing it)."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


_SYNC_EVERY = 32 * 2**20


def _write_pieces(handle: BinaryIO, pieces: Iterable[bytes]) -> None:
    """Write pieces in a second thread (file writes release the GIL) while this one makes the next.

    The writer also flushes to disk every 32 MiB, so the closing fsync waits for the last part only.
    """
    queue: Queue[bytes | None] = Queue(maxsize=8)
    failed: list[BaseException] = []

    def writer() -> None:
        unsynced = 0
        while (piece := queue.get()) is not None:
            if not failed:
                try:
                    handle.write(piece)
                    unsynced += len(piece)
                    if unsynced >= _SYNC_EVERY:
                        handle.flush()
                        os.fdatasync(handle.fileno())
                        unsynced = 0
                except BaseException as exc:  # reported to the maker; keep draining so it never blocks
                    failed.append(exc)

    thread = Thread(target=writer, name="parrules-writer", daemon=True)
    thread.start()
    try:
        for piece in pieces:
            if failed:
                break
            queue.put(piece)
    finally:
        queue.put(None)
        thread.join()
    if failed:
        raise failed[0]
