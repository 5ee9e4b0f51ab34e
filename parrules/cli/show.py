"""`parrules show SET [--resolved]`: the tree a set defines, or the effective set as TOML."""

from __future__ import annotations

import argparse

from parrules.cli.common import EXIT_OK, add_language, emit, set_language, speak

NAME = "show"
HELP = "print a criteria set's tree, or with --resolved the effective set as TOML"


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("set", help="criteria-set TOML file")
    p.add_argument("--resolved", action="store_true",
                   help="print the effective set as TOML, with every `extends` applied")
    p.add_argument("-o", "--output", help="write the tree (or with --resolved the TOML) to this file (atomically) "
                                          "instead of standard output; - for standard output")
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
