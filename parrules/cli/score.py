"""`parrules score SET SUBMISSIONS…`: score units, as a table or the JSON results.

A submission path `-` reads one submission from standard input (TOML or JSON), so a web form's
export can be piped in; the table fits the terminal, or is plain text when piped.
"""

from __future__ import annotations

import argparse

from parrules.cli.common import (
    DEFAULT_CHECK_TIMEOUT,
    add_check_timeout,
    add_language,
    add_output,
    add_progress,
    add_provisional,
    add_quiet,
    check_stdin,
    done,
    emit,
    load_submission_args,
    parse_data,
    say_incomplete,
    set_language,
    speak,
    terminal_width,
    to_stdout,
)
from parrules.messages import say

NAME = "score"


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("set", metavar=say("cli.metavar.set"), help=say("cli.option.set"))
    p.add_argument("submissions", nargs="+", metavar=say("cli.metavar.submissions"),
                   help=say("cli.option.submissions"))
    p.add_argument("--format", choices=("table", "json"), default="table", help=say("cli.score.arg.format"))
    add_output(p)
    p.add_argument("--data", action="append", default=[], metavar=say("cli.metavar.data"),
                   help=say("cli.score.arg.data"))
    p.add_argument("--detail", action="store_true", help=say("cli.score.arg.detail"))
    add_language(p)
    add_quiet(p)
    add_progress(p)
    add_check_timeout(p, default=DEFAULT_CHECK_TIMEOUT)
    add_provisional(p)
    p.set_defaults(scores=True)


def run(args: argparse.Namespace) -> int:
    from parrules.cli.progress import ProgressBar
    from parrules.cli.tables import run_table, unit_table
    from parrules.scoring.engine import Engine
    from parrules.sets.criteria_set import load_criteria_set

    check_stdin(args.submissions)  # options first: nothing is read or scored for a wrong command line
    data = parse_data(args.data)
    criteria = load_criteria_set(args.set)
    voice = speak(args, set_language(criteria), criteria=criteria)
    subs = load_submission_args(args.submissions)
    with ProgressBar(force=args.progress, quiet=args.quiet) as bar:
        bar("scoring", 0, len(subs))
        # Input files are named relative to the set file's folder: the same command from another
        # working directory writes the same bytes (docs/cli.md).
        result = Engine().score_many(criteria, subs, data=data, check_timeout=args.check_timeout,
                                     relative_to=criteria.path.parent if criteria.path else None,
                                     language=voice.language)
        bar("scoring", len(subs), len(subs))
    width = terminal_width(args.output)
    if args.format == "json":  # from each distinct result, compact: to_json(result.to_dict(), indent=False)
        if to_stdout(args.output):
            emit(result.to_json(), args.output, announce=False)
        else:
            result.write_json(args.output)  # streamed, atomic: units written while the next are made
    else:
        if len(result.units) == 1:
            text = unit_table(result.units[0], criteria, detail=args.detail, width=width) + "\n"
        else:
            text = run_table(result, criteria, width=width) + "\n"
            if args.detail:
                text += "".join("\n" + unit_table(u, criteria, detail=True, width=width) + "\n" for u in result.units)
        emit(text, args.output, announce=False)
    code = say_incomplete(result.units, provisional=args.provisional)
    n = len(result.units)
    if to_stdout(args.output):
        done(say("cli.done.scored_one") if n == 1 else say("cli.done.scored", units=n), quiet=args.quiet)
    else:
        done(say("cli.done.scored_one_wrote", path=args.output) if n == 1 else
             say("cli.done.scored_wrote", units=n, path=args.output), quiet=args.quiet)
    return code
