"""`parrules score SET SUBMISSIONS…`: score units, as a table or the JSON results."""

from __future__ import annotations

import argparse

from parrules.cli.common import add_provisional, emit, parse_data, say_incomplete

NAME = "score"
HELP = "score submissions against a criteria set"


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("set", help="criteria-set TOML file")
    p.add_argument("submissions", nargs="+", help="submission files (TOML or JSON) or folders of them")
    p.add_argument("--format", choices=("table", "json"), default="table", help="output format (default: table)")
    p.add_argument("-o", "--output", help="write to this file (atomically) instead of standard output")
    p.add_argument("--data", action="append", default=[], metavar="NAME=PATH",
                   help="a campaign-wide data file shared by all units, e.g. dossiers=exports/2024.csv")
    p.add_argument("--detail", action="store_true", help="table: show every criterion with its explanation")
    p.add_argument("--vi", action="store_true", help="table: Vietnamese number format (83,55)")
    add_provisional(p)


def run(args: argparse.Namespace) -> int:
    from parrules.cli.tables import run_table, unit_table
    from parrules.files.writing import to_json
    from parrules.scoring.engine import Engine
    from parrules.sets.criteria_set import load_criteria_set
    from parrules.submissions.folders import expand_submissions
    from parrules.submissions.submission import load_submissions

    criteria = load_criteria_set(args.set)
    subs = load_submissions(expand_submissions(args.submissions))
    result = Engine().score_many(criteria, subs, data=parse_data(args.data))
    decimals = criteria.meta.rounding.decimals
    if args.format == "json":
        text = to_json(result.to_dict()).decode("utf-8")
    elif len(result.units) == 1:
        text = unit_table(result.units[0], decimals=decimals, vietnamese=args.vi, detail=args.detail) + "\n"
    else:
        text = run_table(result, decimals=decimals, vietnamese=args.vi) + "\n"
        if args.detail:
            text += "\n".join("\n" + unit_table(u, decimals=decimals, vietnamese=args.vi, detail=True)
                              for u in result.units) + "\n"
    emit(text, args.output)
    return say_incomplete(result.units, provisional=args.provisional)
