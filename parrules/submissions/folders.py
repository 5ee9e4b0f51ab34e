"""Which files of a folder are submissions, for the command line and for campaign files alike."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

SUBMISSION_SUFFIXES = (".toml", ".json")


def submission_files(folder: Path) -> list[Path]:
    """The folder's *.toml and *.json files (any case), in name order."""
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in SUBMISSION_SUFFIXES)


def expand_submissions(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given; folders contribute their submission files in name order."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out.extend(submission_files(path))
        else:
            out.append(path)
    return out
