"""`parrules report SOURCE --format FORMAT -o FILE`: one report from a campaign JSON or a campaign file.

A campaign JSON written earlier by `parrules campaign -o` is re-rendered without re-scoring; a campaign
TOML file is scored first. Any registered report format works (`parrules plugins` lists them).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from parrules.cli.common import (
    EXIT_INCOMPLETE,
    EXIT_OK,
    add_check_timeout,
    add_language,
    add_progress,
    add_provisional,
    add_quiet,
    done,
    emit,
    report_language,
    say_incomplete,
    speak,
    speak_campaign,
    to_stdout,
)
from parrules.cli.progress import ProgressBar
from parrules.messages import say

NAME = "report"
HELP = "render a report (JSON, CSV, Markdown, XLSX, HTML) from a campaign"


def arguments(p: argparse.ArgumentParser) -> None:
    from parrules.reports import formats

    p.add_argument("source", help="a campaign JSON (written by `parrules campaign -o`) or a campaign TOML file")
    p.add_argument("--format", choices=formats(), default="html", help="report format (default: html)")
    p.add_argument("-o", "--output", required=True, help="report file to write (atomically); - for standard output")
    add_language(p)
    add_quiet(p)
    add_progress(p)
    add_check_timeout(p)  # for a campaign file, which is scored first; none given: the file's, else the default
    add_provisional(p)


def run(args: argparse.Namespace) -> int:
    from parrules.campaign.run import load_campaign, run_campaign
    from parrules.reports import render, write_report

    source = Path(args.source)
    units = None
    if source.suffix.lower() == ".json":
        data = load_campaign_json(source)
        declared = [(data.get(part) or {}).get("language") for part in ("campaign", "criteria_set")]
        voice = speak(args, *declared)
    else:
        args.scores = True  # a campaign file is scored: a problem in it means nothing was
        campaign = load_campaign(source)
        voice = speak_campaign(args, campaign)
        with ProgressBar(force=args.progress, quiet=args.quiet) as bar:
            result = run_campaign(campaign, progress=bar, check_timeout=args.check_timeout,
                                  language=voice.language)
        data, units = result.to_dict(), result.run.units
    language = report_language(voice)
    if to_stdout(args.output):
        emit(render(data, args.format, **language), args.output)
    else:  # a report too big for one file is written as a folder, its main page named
        write_report(data, args.format, args.output, **language)
    if units is not None:
        code = say_incomplete(units, provisional=args.provisional)
    elif data.get("complete") is False and not args.provisional:  # re-rendered from a run that was incomplete
        print(say("cli.incomplete.json"), file=sys.stderr)
        code = EXIT_INCOMPLETE
    else:
        code = EXIT_OK
    if not to_stdout(args.output):
        n = len(data.get("units") or ())
        done(say("cli.done.rendered", path=args.output, format=args.format, units=n) if units is None else
             say("cli.done.scored_rendered", units=n, path=args.output, format=args.format), quiet=args.quiet)
    return code


def load_campaign_json(path: str | Path) -> dict[str, Any]:
    """A campaign JSON read back with exact decimals, checked against the shipped schema."""
    import jsonschema

    from parrules.campaign.run import CAMPAIGN_FORMAT
    from parrules.errors import Problem, ProblemsError, key_path
    from parrules.files.reading import read_document
    from parrules.files.schemas import shipped_schema
    from parrules.reports.common import HAND_EDIT_HINT, check_data

    doc = read_document(path, what="campaign results")
    found = doc.data.get("format")
    if found != CAMPAIGN_FORMAT:
        older = isinstance(found, str) and found.startswith("parrules.campaign/")
        raise ProblemsError([Problem(doc.label, "format", f"not a campaign JSON in {CAMPAIGN_FORMAT} (format {found!r})",
                                     hint=("written by another parrules version: re-run" if older else "write one with")
                                     + " `parrules campaign CAMPAIGN.toml -o DIR`")])
    validator = jsonschema.Draft202012Validator(shipped_schema("campaign"))
    error = jsonschema.exceptions.best_match(validator.iter_errors(doc.data))
    if error is not None:
        where, message = list(error.absolute_path), f"does not match the campaign schema: {error.message}"
        if error.validator == "required" and isinstance(error.instance, dict):  # name the key, not its table
            missing = next((k for k in error.validator_value if k not in error.instance), None)
            if missing is not None:
                where, message = [*where, missing], "this key is missing (every campaign JSON has it)"
        raise ProblemsError([Problem(doc.label, key_path(*where), message, hint=HAND_EDIT_HINT)])
    check_data(doc.data, doc.label)  # what the schema cannot say: decimals, figures' bounds, nesting
    return doc.data
