"""The `parrules` command: validate, score, plugins, schema.

Exit codes: 0 success, 1 problems in the data (each printed as file:line: key path: message),
2 wrong usage. A user's mistake never prints a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from parrules import __version__
from parrules.cli.tables import render, run_table, unit_table
from parrules.errors import ParrulesError, ProblemsError
from parrules.files.schemas import SCHEMA_NAMES, dump, generated_schema
from parrules.files.writing import to_json, write_atomic
from parrules.plugins.registry import default_registry
from parrules.scoring.engine import Engine
from parrules.sets.criteria_set import load_criteria_set
from parrules.submissions.submission import check_submission, load_submissions

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2
SUBMISSION_SUFFIXES = (".toml", ".json")

Command = Callable[[argparse.Namespace], int]
Arguments = Callable[[argparse.ArgumentParser], None]
_COMMANDS: dict[str, tuple[str, Arguments, Command]] = {}

# Modules that add further subcommands with @command; imported when the parser is built.
COMMAND_MODULES: tuple[str, ...] = ("parrules.sets.show", "parrules.sets.diff", "parrules.cli.new", "parrules.sets.official_table",
                                     "parrules.cli.campaign")


def command(name: str, help: str, arguments: Arguments) -> Callable[[Command], Command]:
    """Register a subcommand: `arguments` adds its options, the decorated function runs it."""

    def wrap(run: Command) -> Command:
        _COMMANDS[name] = (help, arguments, run)
        return run

    return wrap


def expand_submissions(paths: Sequence[str]) -> list[Path]:
    """Files as given; folders contribute their *.toml and *.json files in name order."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out.extend(sorted(p for p in path.iterdir() if p.suffix.lower() in SUBMISSION_SUFFIXES))
        else:
            out.append(path)
    return out


def parse_data(items: Sequence[str]) -> dict[str, Path]:
    data = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name or not value:
            raise SystemExit(_usage_error(f"--data expects NAME=PATH, got {item!r}"))
        data[name.strip()] = Path(value.strip())
    return data


def emit(text: str, output: str | None) -> None:
    """Write a command's output to `output` atomically, or to standard output when none is given."""
    if output:
        write_atomic(output, text)
        print(f"wrote {output}", file=sys.stderr)
    else:
        sys.stdout.write(text)


def _usage_error(message: str) -> int:
    print(f"parrules: error: {message}", file=sys.stderr)
    return EXIT_USAGE


# -- validate ------------------------------------------------------------------------------------
def _validate_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("set", help="criteria-set TOML file")
    p.add_argument("submissions", nargs="*", help="submission files or folders")


@command("validate", "check a criteria set (and submissions against it) without scoring", _validate_args)
def _validate(args: argparse.Namespace) -> int:
    criteria = load_criteria_set(args.set)
    leaves = len(criteria.leaves)
    print(f"ok: {args.set}: set '{criteria.id}' — {len(criteria.nodes)} nodes, {leaves} scored criteria, "
          f"{criteria.meta.total_points} points")
    subs = load_submissions(expand_submissions(args.submissions))
    problems = [p for sub in subs for p in check_submission(criteria, sub)]
    if problems:
        raise ProblemsError(problems)
    for sub in subs:
        print(f"ok: {sub.source}: {sub.name} ({sub.code})")
    return EXIT_OK


# -- score ---------------------------------------------------------------------------------------
def _score_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("set", help="criteria-set TOML file")
    p.add_argument("submissions", nargs="+", help="submission files (TOML or JSON) or folders of them")
    p.add_argument("--format", choices=("table", "json"), default="table", help="output format (default: table)")
    p.add_argument("-o", "--output", help="write to this file (atomically) instead of standard output")
    p.add_argument("--data", action="append", default=[], metavar="NAME=PATH",
                   help="a campaign-wide data file shared by all units, e.g. dossiers=exports/2024.csv")
    p.add_argument("--detail", action="store_true", help="table: show every criterion with its explanation")
    p.add_argument("--vi", action="store_true", help="table: Vietnamese number format (83,55)")


@command("score", "score submissions against a criteria set", _score_args)
def _score(args: argparse.Namespace) -> int:
    criteria = load_criteria_set(args.set)
    subs = load_submissions(expand_submissions(args.submissions))
    run = Engine().score_many(criteria, subs, data=parse_data(args.data))
    decimals = criteria.meta.rounding.decimals
    if args.format == "json":
        text = to_json(run.to_dict()).decode("utf-8")
    elif len(run.units) == 1:
        text = unit_table(run.units[0], decimals=decimals, vietnamese=args.vi, detail=args.detail) + "\n"
    else:
        text = run_table(run, decimals=decimals, vietnamese=args.vi) + "\n"
        if args.detail:
            text += "\n".join("\n" + unit_table(u, decimals=decimals, vietnamese=args.vi, detail=True)
                              for u in run.units) + "\n"
    emit(text, args.output)
    errors = [(u.unit.code, leaf) for u in run.units for leaf in u.errors]
    for code, leaf in errors:
        print(f"error: unit {code}, criterion {leaf.code}: {leaf.error}", file=sys.stderr)
    return EXIT_DATA if errors else EXIT_OK


# -- plugins -------------------------------------------------------------------------------------
def _plugins_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="machine-readable output")


@command("plugins", "list installed plugins and the rule kinds and checks each provides", _plugins_args)
def _plugins(args: argparse.Namespace) -> int:
    registry = default_registry()
    infos = registry.plugins()
    if args.json:
        data = {
            "plugins": [{"name": i.name, "version": i.version, "builtin": i.builtin, "hooks": list(i.hooks),
                         "rule_kinds": list(i.rule_kinds), "checks": list(i.checks)} for i in infos],
            "rule_kinds": {k: {"plugin": v.plugin, "description": v.description}
                           for k, v in sorted(registry.rule_kinds.items())},
            "checks": {k: {"plugin": v.plugin, "description": v.description, "metrics": dict(v.metrics)}
                       for k, v in sorted(registry.checks.items())},
            "failures": [{"name": f.name, "error": f.error} for f in registry.failures],
        }
        sys.stdout.write(to_json(data).decode())
        return EXIT_OK
    rows = [[i.name, i.version, ", ".join(i.hooks), ", ".join(i.rule_kinds) or "—", ", ".join(i.checks) or "—"]
            for i in infos]
    print(render(["plugin", "version", "hooks", "rule kinds", "checks"], rows, [False] * 5))
    print("\nrule kinds:")
    for name, kind in sorted(registry.rule_kinds.items()):
        print(f"  {name:<20} {kind.description}  [{kind.plugin}]")
    print("\nchecks:")
    for name, check in sorted(registry.checks.items()):
        print(f"  {name:<20} {check.description}  [{check.plugin}]")
        for metric, text in check.metrics.items():
            print(f"      metric {metric}: {text}")
    for failure in registry.failures:
        print(f"\nwarning: plugin {failure.name} was skipped: {failure.error}", file=sys.stderr)
    return EXIT_OK


# -- schema --------------------------------------------------------------------------------------
def _schema_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", choices=SCHEMA_NAMES, nargs="?", default="criteria-set")
    p.add_argument("-o", "--output", help="write to this file instead of standard output")


@command("schema", "print the JSON Schema of a format (for editors and other systems)", _schema_args)
def _schema(args: argparse.Namespace) -> int:
    emit(dump(generated_schema(args.name)), args.output)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="parrules",
        description="Score public administrations against criteria sets (Chỉ số cải cách hành chính).",
    )
    parser.add_argument("--version", action="version", version=f"parrules {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        importlib.import_module(module)
    for name, (help_text, add_arguments, _) in _COMMANDS.items():
        add_arguments(sub.add_parser(name, help=help_text, description=help_text))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    run = _COMMANDS[args.command][2]
    try:
        return run(args)
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
