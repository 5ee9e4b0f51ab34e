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
YEAR = 2025
"""The year a new set assesses unless `--year` says otherwise."""


def arguments(p: argparse.ArgumentParser) -> None:
    add_language(p)
    sub = p.add_subparsers(dest="what", metavar=say("cli.metavar.what"), required=True,
                           title=say("cli.parser.commands"))
    plugin_help, set_help = say("cli.new.arg.plugin"), say("cli.new.arg.set")
    plugin = sub.add_parser("plugin", help=plugin_help, description=plugin_help)
    plugin.add_argument("name", metavar=say("cli.metavar.name"), help=say("cli.new.arg.plugin_name"))
    plugin.add_argument("--dir", default=".", metavar=say("cli.metavar.folder"), help=say("cli.new.arg.dir"))
    skeleton = sub.add_parser("set", help=set_help, description=set_help)
    skeleton.add_argument("path", nargs="?", default="criteria.toml", metavar=say("cli.metavar.path"),
                          help=say("cli.new.arg.path"))
    skeleton.add_argument("--id", default="my-set", metavar=say("cli.metavar.id"), help=say("cli.new.arg.id"))
    skeleton.add_argument("--name", default="Bộ tiêu chí xác định Chỉ số CCHC", metavar=say("cli.metavar.name"),
                          help=say("cli.new.arg.name"))
    skeleton.add_argument("--level", default="department", choices=LEVELS, help=say("cli.new.arg.level"))
    skeleton.add_argument("--year", type=int, default=YEAR, metavar=say("cli.metavar.year"),
                          help=say("cli.new.arg.year", year=YEAR))


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
