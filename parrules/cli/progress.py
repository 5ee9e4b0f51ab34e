"""The progress line on standard error, for runs long enough that silence would look like a hang.

A campaign of 63 provinces runs 5–8 s, most of it in one call (scoring) that reports nothing while it
works; so the line does not wait for the next report to appear: a timer draws it once the run has
lasted `after` seconds (about 2), and rich's live display keeps its clock turning while the engine
works. On a terminal it is one line redrawn in place and removed at the end, so the table that
follows starts on a clean screen; elsewhere (a log, a pipe) nothing is drawn unless `--progress`
asks for it, and then it is a plain line per stage and tenth, without colour or control codes.

`ProgressBar` is the `progress(stage, done, total)` callback `campaign.run.run_campaign` and
`load_submissions` take; `close()` ends it (a `with` block does).
"""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import Any, TextIO

from parrules.messages import say

AFTER = 2.0
"""Seconds a run lasts before a terminal shows the progress line (unless `--progress`)."""


def stage_name(stage: str) -> str:
    """What a stage of the run is called in the current voice ("chấm điểm", "scoring")."""
    names = {"loading": say("cli.progress.loading"), "scoring": say("cli.progress.scoring"),
             "ranking": say("cli.progress.ranking"), "writing": say("cli.progress.writing")}
    return names.get(stage, stage)


class ProgressBar:
    """`progress(stage, done, total)` drawn on `stream` (standard error): on a terminal after `after`
    seconds as a live line, removed when done; with `force` from the start, and on a stream that is
    not a terminal as a plain line per stage and tenth; otherwise not at all."""

    def __init__(self, stream: TextIO | None = None, *, force: bool = False, width: int = 30,
                 after: float = AFTER, quiet: bool = False) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.force = force
        self.width = width
        self.quiet = quiet
        try:
            self.tty = self.stream.isatty()
        except (AttributeError, ValueError):
            self.tty = False
        self.started = time.monotonic()
        self.last: tuple[str, int] = ("", -1)
        self.state: tuple[str, int, int] = ("", 0, 0)
        self.description = ""  # the stage's name, said in the command's voice (the timer's thread has none)
        self._lock = threading.Lock()
        self._live: Any = None  # rich's Progress, once drawn
        self._task: Any = None
        self._closed = False
        self._timer: threading.Timer | None = None
        if self.tty and not quiet:
            self._timer = threading.Timer(0 if force else after, self._show)
            self._timer.daemon = True
            self._timer.start()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.quiet:
            return
        with self._lock:
            self.state = (stage, done, total)
            if self.tty:
                self.description = stage_name(stage)
                if self._live is not None:
                    self._live.update(self._task, description=self.description, completed=done, total=total or 1)
                return
        if self.force:
            self._line(stage, done, total)

    def _line(self, stage: str, done: int, total: int) -> None:
        """A plain line per stage and tenth, for a log: no control codes, nothing redrawn."""
        tenth = done * 10 // total if total else 10
        if (stage, tenth) == self.last:
            return
        self.last = (stage, tenth)
        filled = self.width * done // total if total else self.width
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"{stage_name(stage):<8} [{bar}] {done}/{total} {time.monotonic() - self.started:5.1f}s\n")
        self.stream.flush()

    def _show(self) -> None:
        """Draw the live line (the timer calls this once the run has lasted long enough)."""
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        with self._lock:
            if self._closed:
                return
            _, done, total = self.state
            console = Console(file=self.stream, highlight=False, markup=False, emoji=False)
            self._live = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                  MofNCompleteColumn(), TimeElapsedColumn(), console=console, transient=True,
                                  redirect_stdout=False, redirect_stderr=False)
            self._task = self._live.add_task(self.description, completed=done, total=total or None)
            self._live.start()

    def close(self) -> None:
        """Stop drawing and take the line off the terminal; the output that follows starts clean."""
        with self._lock:
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
            live, self._live = self._live, None
        if live is not None:
            live.stop()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()
