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
from parrules.cli.common import EXIT_OK, command_voice, say_failure, say_problems, usage_error
from parrules.errors import OutputError, ParrulesError, ProblemsError
from parrules.files.writing import output_path
from parrules.messages import LANGUAGES, say, speaking
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
        print(say("cli.warning.command_skipped", name=command.name, plugin=command.plugin,
                  error=f"{type(exc).__name__}: {exc}"), file=sys.stderr)
        return False
    return True


def _asked_language(argv: Sequence[str]) -> str | None:
    """`--lang X` as given, before the parser that reads it exists (None: not given, or not a language)."""
    for i, arg in enumerate(argv):
        value = arg.partition("=")[2] if arg.startswith("--lang=") else (
            argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else None)
        if value in LANGUAGES:
            return value
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run `parrules ARGV`; returns the exit code (0 ok, 1 data problems, 2 usage, 3 incomplete)."""
    registry = default_registry()
    argv = sys.argv[1:] if argv is None else list(argv)
    with speaking(_asked_language(argv)):  # warnings said while the parser is built speak `--lang` too
        parser = build_parser(registry)
    args = parser.parse_args(argv)
    run = registry.commands[args.command].run
    with command_voice(args):  # messages said after a command failed are in its voice too
        try:
            output = getattr(args, "output", None)
            if isinstance(output, str) and output != "-":
                output_path(output)  # before any work: a run is not thrown away for a bad -o
            return run(args)
        except OutputError as exc:
            return usage_error(str(exc))
        except ProblemsError as exc:
            return say_problems(exc.problems, scored=bool(getattr(args, "scores", False)))
        except ParrulesError as exc:
            return say_failure(str(exc))
        except BrokenPipeError:
            return EXIT_OK
        except KeyboardInterrupt:
            print(say("cli.interrupted"), file=sys.stderr)
            return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
