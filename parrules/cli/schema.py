"""`parrules schema [NAME]`: the JSON Schema of a format, for editors and other systems."""

from __future__ import annotations

import argparse

from parrules.cli.common import EXIT_OK, add_language, add_output, emit
from parrules.messages import say

NAME = "schema"


def arguments(p: argparse.ArgumentParser) -> None:
    from parrules.files.schemas import SCHEMA_NAMES

    p.add_argument("name", choices=SCHEMA_NAMES, nargs="?", default="criteria-set",
                   metavar=say("cli.metavar.schema"), help=say("cli.schema.arg.name", names=", ".join(SCHEMA_NAMES)))
    add_output(p)
    add_language(p)


def run(args: argparse.Namespace) -> int:
    from parrules.files.schemas import dump, generated_schema

    emit(dump(generated_schema(args.name)), args.output)
    return EXIT_OK
