"""`parrules show SET`: the tree a set defines, or with --resolved the effective set as TOML.

A tailored set holds only its differences from the base; before publishing it a province wants to
read the whole set the engine will score.
"""

from __future__ import annotations

import argparse

from parrules.amounts import plain
from parrules.cli.main import EXIT_OK, command, emit
from parrules.cli.tables import render
from parrules.sets.criteria_set import load_criteria_set
from parrules.sets.tailoring import resolved_toml


def _show_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("set", help="criteria-set TOML file")
    p.add_argument("--resolved", action="store_true",
                   help="print the effective set as TOML, with every `extends` applied")
    p.add_argument("-o", "--output", help="with --resolved: write the TOML to this file (atomically)")


@command("show", "print a criteria set's tree, or with --resolved the effective set as TOML", _show_args)
def _show(args: argparse.Namespace) -> int:
    if args.resolved:
        emit(resolved_toml(args.set), args.output)
        return EXIT_OK
    criteria = load_criteria_set(args.set)
    rows = [["  " * n.depth + n.code, n.name, plain(n.max_points), n.rule.name if n.rule else "",
             n.check.name if n.check else ""] for n in criteria.walk()]
    print(f"{criteria.id}: {criteria.meta.name} — {plain(criteria.meta.total_points)} points")
    for file, digest in criteria.sources:
        print(f"  from {file} {digest}")
    print(render(["code", "name", "max", "rule", "check"], rows, [False, False, True, False, False]))
    return EXIT_OK
