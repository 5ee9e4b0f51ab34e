"""`parrules diff OLD NEW`: what changed between two criteria sets (see `parrules.sets.diff`)."""

from __future__ import annotations

import argparse

from parrules.cli.common import EXIT_OK, add_language, emit, set_language, speak

NAME = "diff"
HELP = "show criteria added, removed, renamed or moved, maxima and rules changed between two sets"


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("old", help="the earlier criteria set (TOML)")
    p.add_argument("new", help="the revised criteria set (TOML)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    p.add_argument("-o", "--output", help="write to this file (atomically) instead of standard output; - for "
                                          "standard output")
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
