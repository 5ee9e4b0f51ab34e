"""`parrules show SET [--resolved]`: the tree a set defines, or the effective set as TOML."""

from __future__ import annotations

import argparse

from parrules.cli.common import EXIT_OK, add_language, add_output, emit, set_language, speak
from parrules.messages import say

NAME = "show"


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("set", metavar=say("cli.metavar.set"), help=say("cli.option.set"))
    p.add_argument("--resolved", action="store_true", help=say("cli.show.arg.resolved"))
    add_output(p, help_key="cli.show.arg.output")
    add_language(p)


def run(args: argparse.Namespace) -> int:
    from parrules.sets.criteria_set import load_criteria_set
    from parrules.sets.show import resolved_toml, tree_view

    if args.resolved:
        emit(resolved_toml(args.set), args.output)
        return EXIT_OK
    criteria = load_criteria_set(args.set)
    speak(args, set_language(criteria), criteria=criteria)
    emit(tree_view(criteria) + "\n", args.output)
    return EXIT_OK
