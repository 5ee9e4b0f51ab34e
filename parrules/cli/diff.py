"""`parrules diff OLD NEW`: what changed between two criteria sets (see `parrules.sets.diff`)."""

from __future__ import annotations

import argparse

from parrules.cli.common import EXIT_OK, add_language, add_output, emit, set_language, speak
from parrules.messages import say

NAME = "diff"


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("old", metavar=say("cli.metavar.old"), help=say("cli.diff.arg.old"))
    p.add_argument("new", metavar=say("cli.metavar.new"), help=say("cli.diff.arg.new"))
    p.add_argument("--format", choices=("text", "json"), default="text", help=say("cli.diff.arg.format"))
    add_output(p)
    add_language(p)


def run(args: argparse.Namespace) -> int:
    from parrules.files.writing import to_json
    from parrules.sets.criteria_set import load_criteria_set
    from parrules.sets.diff import diff_sets, render_text

    old, new = load_criteria_set(args.old), load_criteria_set(args.new)
    speak(args, set_language(new), criteria=new)
    diff = diff_sets(old, new)
    emit(to_json(diff.to_dict()).decode("utf-8") if args.format == "json" else render_text(diff), args.output)
    return EXIT_OK
