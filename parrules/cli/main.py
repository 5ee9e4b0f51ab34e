"""The `parrules` command: its subcommands are the commands plugins register (hook `register_commands`).

The built-in commands (validate, score, plugins, schema, show, diff, new, doc, campaign, report) are
registered by `parrules.builtins.commands`, a province's by its own package; each lives in a module of
its own under `parrules.cli`. Exit codes: 0 success, 1 problems in the data (each printed as
file:line: key path: message), 2 wrong usage. A user's mistake never prints a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from parrules import __version__
from parrules.cli.common import EXIT_DATA, EXIT_OK, usage_error
from parrules.errors import OutputError, ParrulesError, ProblemsError
from parrules.files.writing import output_path
from parrules.plugins.registry import DEFAULT_PLUGINS, Command, Registry, default_registry


def build_parser(registry: Registry | None = None) -> argparse.ArgumentParser:
    """The parser with a subcommand per registered command (by default, of the process-wide registry)."""
    registry = registry or default_registry()
    parser = argparse.ArgumentParser(
        prog="parrules",
        description="Score public administrations against criteria sets (Chỉ số cải cách hành chính).",
    )
    parser.add_argument("--version", action="version", version=f"parrules {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, command in registry.commands.items():
        if not _arguments_work(command):
            continue
        subparser = sub.add_parser(name, help=command.help, description=command.help)
        if command.arguments is not None:
            command.arguments(subparser)
    return parser


def _arguments_work(command: Command) -> bool:
    """A plugin whose options cannot be added loses its command, never the whole `parrules`."""
    if command.plugin in DEFAULT_PLUGINS or command.arguments is None:
        return True
    try:
        command.arguments(argparse.ArgumentParser(prog=f"parrules {command.name}"))
    except Exception as exc:
        print(f"warning: command {command.name} of plugin {command.plugin} was skipped: "
              f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return False
    return True


def main(argv: Sequence[str] | None = None) -> int:
    registry = default_registry()
    args = build_parser(registry).parse_args(argv)
    run = registry.commands[args.command].run
    try:
        output = getattr(args, "output", None)
        if isinstance(output, str) and output != "-":
            output_path(output)  # before any work: a run is not thrown away for a bad -o
        return run(args)
    except OutputError as exc:
        return usage_error(str(exc))
    except ProblemsError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        count = len(exc.problems)
        print(f"{count} problem{'s' if count != 1 else ''} found; nothing was scored.", file=sys.stderr)
        return EXIT_DATA
    except ParrulesError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_DATA
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        print("interrupted; no output file was changed", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
