"""`parrules schema [NAME]`: the JSON Schema of a format, for editors and other systems."""

from __future__ import annotations

import argparse

from parrules.cli.common import EXIT_OK, add_language, emit
from parrules.files.schemas import SCHEMA_NAMES

NAME = "schema"
HELP = "print the JSON Schema of a format (for editors and other systems)"


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", choices=SCHEMA_NAMES, nargs="?", default="criteria-set")
    p.add_argument("-o", "--output", help="write to this file (atomically) instead of standard output; - for "
                                          "standard output")
    add_language(p)


def run(args: argparse.Namespace) -> int:
    from parrules.files.schemas import dump, generated_schema

    emit(dump(generated_schema(args.name)), args.output)
    return EXIT_OK
