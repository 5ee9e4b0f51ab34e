"""The `parrules` command: its subcommands are the commands plugins register (hook `register_commands`).

The built-in commands (validate, score, plugins, schema, show, diff, new, doc, campaign, report) are
registered by `parrules.builtins.commands`, a province's by its own package; each lives in a module of
its own under `parrules.cli`. Exit codes: 0 success, 1 problems in the data (each printed as
file:line: key path: message), 2 wrong usage. A user's mistake never prints a traceback.

Help, usage errors and argparse's own words are said in the language asked for before the parser is
built: `--lang`, else `PARRULES_LANG`, else Vietnamese. Only the command on the command line gets its
options added (`parrules --help` adds none), so `parrules --help` loads no command's dependencies.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Collection, Sequence

from parrules import __version__
from parrules.cli.argparse_words import speaking_argparse
from parrules.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    command_help,
    command_voice,
    say_failure,
    say_problems,
    usage_error,
)
from parrules.messages import LANGUAGES, say, speaking
from parrules.plugins.registry import DEFAULT_PLUGINS, Command, Registry, default_registry

LANGUAGE_VARIABLE = "PARRULES_LANG"
"""The environment variable that gives the language when `--lang` does not (vi or en)."""


def build_parser(registry: Registry | None = None, *, options_of: Collection[str] | None = None
                 ) -> argparse.ArgumentParser:
    """The parser with a subcommand per registered command (by default, of the process-wide registry).

    `options_of`: the commands whose options are added (None: every command); the others are listed
    with their help and take no options. Texts are in the current voice (see `speaking_argparse` for
    argparse's own words)."""
    registry = registry or default_registry()
    parser = argparse.ArgumentParser(prog="parrules", description=say("cli.parser.description"))
    parser.add_argument("--version", action="version", version=f"parrules {__version__}",
                        help=say("cli.parser.version"))
    parser.add_argument("--lang", dest="top_lang", choices=LANGUAGES, default=None,
                        help=say("cli.parser.lang", variable=LANGUAGE_VARIABLE))
    sub = parser.add_subparsers(dest="command", metavar=say("cli.metavar.command"), required=True,
                                title=say("cli.parser.commands"))
    for name, command in registry.commands.items():
        if not _arguments_work(command):
            continue
        text = command_help(command)
        subparser = sub.add_parser(name, help=text, description=text)
        if command.arguments is not None and (options_of is None or name in options_of):
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


def _command_named(argv: Sequence[str]) -> str | None:
    """The command on the command line: the first word that is not a top-level option or its value."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--lang":
            skip = True
        elif arg == "--":
            return None
        elif not arg.startswith("-"):
            return arg
    return None


def language(argv: Sequence[str]) -> str:
    """The language of help and usage errors: `--lang`, else `PARRULES_LANG`, else Vietnamese.

    A `PARRULES_LANG` that is not a language is wrong usage (exit 2), said in Vietnamese."""
    asked = _asked_language(argv)
    if asked is not None:
        return asked
    variable = os.environ.get(LANGUAGE_VARIABLE, "").strip()
    if variable and variable not in LANGUAGES:
        raise SystemExit(usage_error(say("cli.usage.language_variable", variable=LANGUAGE_VARIABLE,
                                         value=repr(variable), known=", ".join(LANGUAGES))))
    return variable or "vi"


def main(argv: Sequence[str] | None = None) -> int:
    """Run `parrules ARGV`; returns the exit code (0 ok, 1 data problems, 2 usage, 3 incomplete)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        lang = language(argv)
    except SystemExit as exc:
        return int(exc.code or EXIT_USAGE)
    registry = default_registry()
    with speaking(lang), speaking_argparse():  # help, warnings and usage errors speak `--lang` too
        parser = build_parser(registry, options_of={_command_named(argv) or ""})
        args = parser.parse_args(argv)
    args.lang = getattr(args, "lang", None) or args.top_lang or (lang if _asked(argv) else None)
    command = registry.commands[args.command]
    if command.plugin not in DEFAULT_PLUGINS:  # before a plugin's command runs, all it registers is checked
        failed = {f.name: f.error for f in registry.failures}
        if command.plugin in failed:
            with speaking(lang):
                print(say("cli.warning.plugin_skipped", name=command.plugin, error=failed[command.plugin]),
                      file=sys.stderr)
            return EXIT_USAGE
    from parrules.errors import OutputError, ParrulesError, ProblemsError

    with command_voice(args):  # messages said after a command failed are in its voice too
        try:
            output = getattr(args, "output", None)
            if isinstance(output, str) and output != "-":
                from parrules.files.writing import output_path

                output_path(output)  # before any work: a run is not thrown away for a bad -o
            return command.run(args)
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


def _asked(argv: Sequence[str]) -> bool:
    """Whether a language was asked for (`--lang`, `PARRULES_LANG`) rather than left to the set."""
    return _asked_language(argv) is not None or bool(os.environ.get(LANGUAGE_VARIABLE, "").strip())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
