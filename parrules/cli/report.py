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


def arguments(p: argparse.ArgumentParser) -> None:
    from parrules.reports import formats

    p.add_argument("source", metavar=say("cli.metavar.source"), help=say("cli.report.arg.source"))
    p.add_argument("--format", choices=formats(), default="html", help=say("cli.report.arg.format"))
    p.add_argument("-o", "--output", required=True, metavar=say("cli.metavar.file"), help=say("cli.report.arg.output"))
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
    """A campaign JSON read back with exact decimals, checked against the shipped schema and the bounds
    of a PAR figure — unless its seal says it is byte for byte what a run of this parrules wrote
    (`parrules.files.seal`), which nothing since can have made unreportable."""
    from parrules.campaign.run import CAMPAIGN_FORMAT
    from parrules.errors import Problem, ProblemsError
    from parrules.files.reading import read_document
    from parrules.files.seal import SEAL_KEY, is_sealed
    from parrules.plugins.registry import parrules_version
    from parrules.reports.common import check_campaign

    doc = read_document(path, what=say("problem.what.results"))
    found = doc.data.get("format")
    if found != CAMPAIGN_FORMAT:
        older = isinstance(found, str) and found.startswith("parrules.campaign/")
        raise ProblemsError([Problem(doc.label, "format", f"not a campaign JSON in {CAMPAIGN_FORMAT} (format {found!r})",
                                     hint=("written by another parrules version: re-run" if older else "write one with")
                                     + " `parrules campaign CAMPAIGN.toml -o DIR`")])
    data = doc.data
    # Recognised: sealed, and by this version of parrules (`CampaignResult.to_dict` names it so), whose
    # checks are the ones the file would otherwise meet.
    recognised = isinstance(data.get(SEAL_KEY), str) and data.get("generator") == f"parrules {parrules_version()}" \
        and is_sealed(doc.raw)
    if isinstance(data.get(SEAL_KEY), str):
        del data[SEAL_KEY]  # the file's, not the campaign's: no report shows it, and an edit leaves it stale
    if not recognised:
        check_campaign(data, doc.label)
    return data
