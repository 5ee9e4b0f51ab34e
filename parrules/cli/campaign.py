"""`parrules campaign CAMPAIGN`: run a campaign file, print the ranking, write the campaign JSON and reports.

Everything the command line can get wrong is refused before the run (an unknown `--formats` entry,
an output folder that cannot be one, `-o -`), so a mistake never costs the 5–8 s of a provincial
run. The progress line (`parrules.cli.progress.ProgressBar`, importable from here too) is shared with
`parrules report`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from parrules.cli.common import (
    add_check_timeout,
    add_language,
    add_progress,
    add_provisional,
    add_quiet,
    done,
    report_language,
    say_incomplete,
    speak_campaign,
    terminal_width,
    usage_error,
)
from parrules.cli.progress import ProgressBar
from parrules.messages import say

NAME = "campaign"


def report_formats(text: str) -> list[str]:
    """The formats `--formats` names, each a registered one; an unknown one is wrong usage (exit 2)."""
    from parrules.reports import formats

    known = formats()
    wanted = [f.strip() for f in text.split(",") if f.strip()]
    bad = [f for f in wanted if f not in known]
    if bad:
        raise SystemExit(usage_error(say("cli.usage.unknown_format", name=repr(bad[0]), known=", ".join(known))))
    return wanted


def arguments(p: argparse.ArgumentParser) -> None:
    from parrules.reports import formats

    p.add_argument("campaign", metavar=say("cli.metavar.campaign"), help=say("cli.campaign.arg.campaign"))
    p.add_argument("-o", "--output-dir", metavar=say("cli.metavar.folder"), help=say("cli.campaign.arg.output_dir"))
    p.add_argument("--formats", default="json,csv,md,xlsx,html,docx", metavar=say("cli.metavar.formats"),
                   help=say("cli.campaign.arg.formats", formats=",".join(formats())))
    add_language(p)
    add_quiet(p)
    add_progress(p)
    add_check_timeout(p)  # none given: the campaign file's check_timeout, else the default
    add_provisional(p)
    p.set_defaults(scores=True)


def run(args: argparse.Namespace) -> int:
    from parrules.campaign.run import load_campaign, run_campaign
    from parrules.cli.tables import ranking_table
    from parrules.files.writing import output_folder, output_path
    from parrules.reports import suffixes, write_report

    if args.output_dir == "-":
        return usage_error(say("cli.usage.campaign_stdout"))
    formats = report_formats(args.formats)  # before any work, whether or not -o is given
    if args.output_dir:
        output_folder(args.output_dir)
    campaign = load_campaign(args.campaign)
    voice = speak_campaign(args, campaign)
    out = Path(args.output_dir) if args.output_dir else None
    suffix = suffixes()
    if out is not None:  # every file it will write, now that the campaign's id names them
        for fmt in formats:
            output_path(out / f"{campaign.spec.id}{suffix[fmt]}")
    with ProgressBar(force=args.progress, quiet=args.quiet) as bar:
        result = run_campaign(campaign, progress=bar, check_timeout=args.check_timeout, language=voice.language)
        data = result.to_dict()
        if out is not None:
            for i, fmt in enumerate(formats, start=1):
                path = out / f"{campaign.spec.id}{suffix[fmt]}"
                if fmt == "json":
                    result.write_json(path)
                else:  # a report too big for one file is written as a folder (parrules.reports.write_report)
                    write_report(data, fmt, path, **report_language(voice))
                bar("writing", i, len(formats))
    if not args.quiet:
        print(ranking_table(data, width=terminal_width()))
    code = say_incomplete(result.run.units, provisional=args.provisional)
    units = len(result.run.units)
    if out is None:
        done(say("cli.done.scored_one") if units == 1 else say("cli.done.scored", units=units), quiet=args.quiet)
    else:
        done(say("cli.done.scored_wrote_files", units=units, files=len(formats), folder=str(out)), quiet=args.quiet)
    return code
