"""Which files of a folder are submissions, for the command line and for campaign files alike."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from parrules.files.reading import path_problem

SUBMISSION_SUFFIXES = (".toml", ".json")


def submission_files(folder: Path) -> list[Path]:
    """The folder's *.toml and *.json files (any case), in name order."""
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in SUBMISSION_SUFFIXES)


def expand_submissions(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given; folders contribute their submission files in name order.

    A path no file can have (a NUL, a name over 255 bytes) is kept as given, not looked at: reading
    it says what is wrong, as a problem of that path (`files.reading.read_document`)."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path_problem(raw) is None and _is_dir(path):
            try:
                out.extend(submission_files(path))
            except OSError:  # a folder that may not be read: reading it as a file says why, as a problem
                out.append(path)
        else:
            out.append(path)
    return out


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # a path the system refuses to look at: reading it says why
        return False
