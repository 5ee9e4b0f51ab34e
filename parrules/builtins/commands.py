"""Built-in `parrules` commands, registered through `register_commands` like a province's own.

Each command is a module of `parrules.cli` (`serve`: of `parrules.service`, the HTTP service) with its `NAME`, `HELP`, `arguments(parser)` and
`run(args)`; the modules import what a command needs when it runs, so `parrules --help` stays cheap.
The order here is the order `parrules --help` lists them in.
"""

from __future__ import annotations

from parrules.cli import campaign, diff, doc, new, plugins, report, schema, score, show, validate
from parrules.plugins.hookspecs import CommandRegistrar, hookimpl
from parrules.service import command as serve

COMMANDS = (validate, score, plugins, schema, show, diff, new, doc, campaign, report, serve)


@hookimpl
def register_commands(register: CommandRegistrar) -> None:
    for command in COMMANDS:
        register(command.NAME, command.run, help=command.HELP, arguments=command.arguments)
