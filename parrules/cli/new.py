"""`parrules new plugin NAME` and `parrules new set [PATH]`: write a starting point (see `parrules.authoring`)."""

from __future__ import annotations

import argparse
import sys

from parrules.cli.common import EXIT_OK, add_language
from parrules.messages import say

# The levels of `parrules.sets.model.Level`, written out so `parrules --help` need not load the set
# model (tests/cli/test_cli.py checks that the two agree).
LEVELS = ("ministry", "province", "department", "district", "district_office", "commune")

NAME = "new"
HELP = "write a starting point: `new plugin NAME` (a package) or `new set [PATH]` (a criteria set)"


def arguments(p: argparse.ArgumentParser) -> None:
    add_language(p)
    sub = p.add_subparsers(dest="what", metavar="WHAT", required=True)
    plugin = sub.add_parser("plugin", help="an installable plugin package with one check, one rule kind, tests")
    plugin.add_argument("name", help="plugin name, e.g. dak-nong (package parrules-dak-nong)")
    plugin.add_argument("--dir", default=".", help="where to create the package folder (default: here)")
    skeleton = sub.add_parser("set", help="a commented criteria set that validates")
    skeleton.add_argument("path", nargs="?", default="criteria.toml", help="file to write (default: criteria.toml)")
    skeleton.add_argument("--id", default="my-set", help="the set's id")
    skeleton.add_argument("--name", default="Bộ tiêu chí xác định Chỉ số CCHC", help="the set's name")
    skeleton.add_argument("--level", default="department",
                          choices=LEVELS)
    skeleton.add_argument("--year", type=int, default=2025)


def run(args: argparse.Namespace) -> int:
    from parrules.authoring import plugin_names, write_plugin, write_set

    if args.what == "plugin":
        root = write_plugin(args.name, args.dir)
        names = plugin_names(args.name)
        print(say("cli.new.plugin", root=root, check=names["check"], rule=names["rule"]))
        print(say("cli.new.plugin_next", root=root), file=sys.stderr)
    else:
        path = write_set(args.path, set_id=args.id, name=args.name, level=args.level, year=args.year)
        print(say("cli.new.set", path=path))
    return EXIT_OK
