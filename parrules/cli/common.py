"""What every `parrules` command shares: exit codes, writing its output, usage errors, common options.

Exit codes: 0 success, 1 problems in the data (each printed as file:line: key path: message),
2 wrong usage, 3 results that are incomplete (a criterion errored or was not evaluated; see
`say_incomplete`). A user's mistake never prints a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from parrules.files.writing import write_atomic

if TYPE_CHECKING:
    from parrules.scoring.results import UnitResult

EXIT_OK, EXIT_DATA, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3
_LISTED = 20  # units listed by name in the summary of an incomplete run; the rest are counted


def usage_error(message: str) -> int:
    """Say what was wrong with the command line, as argparse does; returns EXIT_USAGE."""
    print(f"parrules: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def parse_data(items: Sequence[str]) -> dict[str, Path]:
    """`--data NAME=PATH` options as a mapping; anything else is a usage error (exit 2)."""
    data = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name or not value:
            raise SystemExit(usage_error(f"--data expects NAME=PATH, got {item!r}"))
        data[name.strip()] = Path(value.strip())
    return data


def add_provisional(p: argparse.ArgumentParser) -> None:
    """The option that accepts incomplete results (exit 0 instead of 3); the reports still mark them."""
    p.add_argument("--provisional", action="store_true",
                   help="accept results with errored or unevaluated criteria: exit 0 instead of 3 "
                        "(the units stay marked incomplete and unranked in every output)")


def say_incomplete(units: Sequence[UnitResult], *, provisional: bool) -> int:
    """Say on standard error which units' figures are incomplete and why; the exit code for it.

    A criterion that errored (a check that failed, a file that could not be read) or that nothing
    scored (no answer, self-assessment or appraisal) counts as 0 points, so such a unit's total is
    not a figure to publish: the run says so loudly and, unless `provisional`, exits 3.
    """
    affected = [u for u in units if u.incomplete]
    if not affected:
        return EXIT_OK
    count = sum(len(u.incomplete) for u in affected)
    print(f"incomplete: {len(affected)} of {len(units)} units have {count} criteria not scored; their totals "
          "are not complete figures and they are not ranked:", file=sys.stderr)
    for unit in affected[:_LISTED]:
        parts = "; ".join(f"{leaf.code} {leaf.status.replace('_', ' ')} — {leaf.error or leaf.explanation}"
                          for leaf in unit.incomplete)
        print(f"  {unit.unit.code} ({unit.unit.name}): {parts}", file=sys.stderr)
    if len(affected) > _LISTED:
        print(f"  … and {len(affected) - _LISTED} more units (every output lists them)", file=sys.stderr)
    if provisional:
        print("accepted as provisional (--provisional): the outputs mark these units incomplete", file=sys.stderr)
        return EXIT_OK
    print("the results are incomplete (exit 3): fix the data and run again, or pass --provisional to accept them",
          file=sys.stderr)
    return EXIT_INCOMPLETE


def emit(text: str, output: str | None) -> None:
    """Write a command's output to `output` atomically, or to standard output when none or `-` is given."""
    if output and output != "-":
        write_atomic(output, text)
        print(f"wrote {output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
