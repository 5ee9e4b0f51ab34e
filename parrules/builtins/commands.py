"""Built-in `parrules` commands, registered through `register_commands` like a province's own.

Each command is a module of `parrules.cli` (`serve`: of `parrules.service`, the HTTP service) with its
`NAME`, `arguments(parser)` and `run(args)`; the modules import what a command needs when it runs or
when its options are added (`parrules score --help`), so importing them all costs little and
`parrules --help`, which adds no command's options, stays cheap. Each command's one-line help is in
the message catalogue (`cli.command.NAME`, `parrules.cli.common.help_key`), so `--help` says it in the run's language.
The order here is the order `parrules --help` lists them in.
"""

from __future__ import annotations

from parrules.cli import campaign, diff, doc, new, plugins, report, schema, score, show, validate
from parrules.cli.common import help_key
from parrules.messages import say, speaking
from parrules.plugins.hookspecs import CommandRegistrar, hookimpl
from parrules.service import command as serve

COMMANDS = (validate, score, plugins, schema, show, diff, new, doc, campaign, report, serve)


@hookimpl
def register_commands(register: CommandRegistrar) -> None:
    with speaking("en"):  # the registry's record (`parrules plugins --json`); `--help` says it in the run's voice
        for command in COMMANDS:
            register(command.NAME, command.run, help=say(help_key(command.NAME)), arguments=command.arguments)
