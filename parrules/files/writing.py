"""Writing results: deterministic JSON with exact decimals, and atomic file writes.

The same inputs must give byte-identical JSON (so a published figure can be re-derived and diffed),
and a crash or Ctrl-C must never leave a half-written report where yesterday's good one stood.
orjson writes Decimals as exact JSON numbers through `Fragment`, which json.dumps cannot.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from queue import Queue
from threading import Thread
from typing import Any, BinaryIO

import orjson

from parrules.amounts import MAX_ADJUSTED_EXPONENT, MIN_ADJUSTED_EXPONENT, plain
from parrules.errors import OutputError, ParrulesError


def decimal_json(value: Decimal) -> str:
    """A Decimal as exact JSON number text: 13.50 stays 13.50, an integral 1E+1 is 10; a figure beyond
    any PAR bound (1E+99999999, which a hostile answer may carry into `declared`) keeps its exponent."""
    text = str(value)
    if text[-1] != "0" and "." in text and "E" not in text:  # a fraction written out (73.1234): as it is
        return text
    if not value.is_finite() or (value and not MIN_ADJUSTED_EXPONENT <= value.adjusted() <= MAX_ADJUSTED_EXPONENT):
        return str(value)
    return plain(value) if value == value.to_integral_value() else format(value, "f")


def json_default(value: Any) -> Any:
    """What orjson cannot write itself: Decimals as exact numbers, sets sorted, paths with slashes."""
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
    return orjson.dumps(data, default=json_default, option=option) + b"\n"


def write_atomic(path: str | Path, content: bytes | bytearray | memoryview | str | Iterable[bytes]) -> Path:
    """Write to a temporary file beside the target, then rename it into place.

    `content` may be pieces (an iterator of bytes): they are written by a second thread while the
    next ones are made, so a large JSON costs little more than making it. If making a piece fails,
    the target is left as it was. A new file gets the permissions `open()` would give it (the umask
    applies); a file replaced keeps its own.
    """
    target = output_path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = _temporary_beside(target)
    except OSError as exc:
        raise ParrulesError(f"{target}: cannot write here: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            if isinstance(content, (bytes, bytearray, memoryview, str)):
                handle.write(content.encode("utf-8") if isinstance(content, str) else content)
            else:
                _write_pieces(handle, content)
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists():
            os.chmod(tmp, stat.S_IMODE(target.stat().st_mode))
        os.replace(tmp, target)
    except OSError as exc:  # a full disk, a quota, a file system gone read-only: nothing half-written stays
        Path(tmp).unlink(missing_ok=True)
        raise ParrulesError(f"{target}: could not be written: {exc.strerror or exc}; it was left as it was") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def output_path(path: str | Path) -> Path:
    """`path` as a place to write a file, or `OutputError` saying why it is not one.

    Outputs go only to regular files: writing atomically replaces what is at the path, and a device
    (`/dev/null`), a pipe or a directory must never be replaced by a file. Checked before anything is
    written, so a command can check its `-o` before it does any work.
    """
    target = Path(path)
    if "\0" in str(target):
        raise OutputError(f"{str(target)!r}: a file name cannot hold a NUL character")
    try:
        if target.exists() and not target.is_file():
            kind = "a directory" if target.is_dir() else "not a regular file (a device, a pipe or a socket)"
            raise OutputError(f"{target}: is {kind}; give the path of a file to write")
        for parent in target.parents:
            if parent.exists():
                if not parent.is_dir():
                    raise OutputError(f"{target}: {parent} is a file, not a folder")
                break
    except OSError as exc:  # a name too long for the file system, a folder not readable
        raise OutputError(f"{target}: {exc.strerror or exc}") from None
    return target


def output_folder(path: str | Path) -> Path:
    """`path` as a folder to write files into (it may not exist yet), or `OutputError`."""
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: is a file, not a folder; give the folder to write the reports into")
    output_path(folder / "report")  # nothing in the way above it
    return folder


def _temporary_beside(target: Path) -> tuple[int, Path]:
    """A new file next to `target`, created as open() would (mode 0666 less the umask, by the kernel)."""
    while True:
        tmp = target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp"
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666), tmp
        except FileExistsError:
            continue


_SYNC_EVERY = 32 * 2**20
_datasync = getattr(os, "fdatasync", os.fsync)  # macOS and Windows have fsync only


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
                        _datasync(handle.fileno())
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
        close = getattr(pieces, "close", None)
        if close is not None:  # a generator left half way runs its cleanup now, not at collection
            close()
    if failed:
        raise failed[0]
