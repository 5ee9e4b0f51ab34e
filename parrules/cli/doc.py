"""`parrules doc SET`: a criteria set as the official numbered table (see `parrules.sets.official_table`)."""

from __future__ import annotations

import argparse

from parrules.cli.common import EXIT_OK, add_language, add_output, emit, set_language, speak
from parrules.messages import say

NAME = "doc"


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("set", metavar=say("cli.metavar.set"), help=say("cli.doc.arg.set"))
    p.add_argument("--format", choices=("markdown", "html"), default="markdown", help=say("cli.doc.arg.format"))
    add_output(p)
    add_language(p)


def run(args: argparse.Namespace) -> int:
    from parrules.sets.criteria_set import load_criteria_set
    from parrules.sets.official_table import render_html, render_markdown, resolve_set_path

    criteria = load_criteria_set(resolve_set_path(args.set))
    speak(args, set_language(criteria), criteria=criteria)
    emit(render_html(criteria) if args.format == "html" else render_markdown(criteria), args.output)
    return EXIT_OK
