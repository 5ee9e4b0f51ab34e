"""What every `parrules` command shares: exit codes, writing its output, usage errors, common options.

Exit codes: 0 success, 1 problems in the data (each printed as file:line: key path: message),
2 wrong usage. A user's mistake never prints a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from parrules.files.writing import write_atomic

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2


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


def emit(text: str, output: str | None) -> None:
    """Write a command's output to `output` atomically, or to standard output when none or `-` is given."""
    if output and output != "-":
        write_atomic(output, text)
        print(f"wrote {output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
