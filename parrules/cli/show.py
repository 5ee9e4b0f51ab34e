"""`parrules show SET [--resolved]`: the tree a set defines, or the effective set as TOML."""

from __future__ import annotations

import argparse

from parrules.cli.common import EXIT_OK, emit

NAME = "show"
HELP = "print a criteria set's tree, or with --resolved the effective set as TOML"


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("set", help="criteria-set TOML file")
    p.add_argument("--resolved", action="store_true",
                   help="print the effective set as TOML, with every `extends` applied")
    p.add_argument("-o", "--output", help="with --resolved: write the TOML to this file (atomically)")


def run(args: argparse.Namespace) -> int:
    from parrules.sets.criteria_set import load_criteria_set
    from parrules.sets.show import resolved_toml, tree_view

    if args.resolved:
        emit(resolved_toml(args.set), args.output)
        return EXIT_OK
    print(tree_view(load_criteria_set(args.set)))
    return EXIT_OK
