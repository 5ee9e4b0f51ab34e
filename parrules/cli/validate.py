"""`parrules validate SET [SUBMISSIONS…]` or `parrules validate CAMPAIGN`: check without scoring.

Given a set, checks it and submissions against it. Given a campaign file (a TOML whose top table is
`[campaign]`), checks everything `parrules campaign` would refuse for a data reason — the file, its
set, every submission, last year's results and the code mapping — through the same loaders the run
uses (`campaign.run.load_campaign` and `load_inputs`), plus the checks below of each submission.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from parrules.cli.common import (
    EXIT_OK,
    add_language,
    add_quiet,
    check_stdin,
    load_submission_args,
    set_language,
    speak,
    speak_campaign,
    usage_error,
)
from parrules.messages import say

if TYPE_CHECKING:
    from parrules.errors import Problem
    from parrules.sets.criteria_set import CriteriaSet
    from parrules.submissions.submission import Submission

NAME = "validate"


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("set", metavar=say("cli.metavar.set_or_campaign"), help=say("cli.validate.arg.set"))
    p.add_argument("submissions", nargs="*", metavar=say("cli.metavar.submissions"),
                   help=say("cli.validate.arg.submissions"))
    add_language(p)
    add_quiet(p)


def submission_problems(criteria: CriteriaSet, subs: Sequence[Submission]) -> list[Problem]:
    """What `validate` finds in submissions against their set, beyond what loading them finds: what
    scoring would refuse (unknown codes, answers out of range), answers scoring would error (a figure
    no PAR criterion can hold, a value the rule cannot score) and base criteria nothing would score —
    each of the last two leaves the unit's figure incomplete — so a clerk fixes them all before a run.
    Answers are judged for all submissions at once (one rule call per criterion, as scoring does),
    then said file by file."""
    from parrules.submissions.submission import answer_problems, unscored_criteria, validate_submission

    judged: dict[str, list[Problem]] = {}
    for problem in answer_problems(criteria, subs):
        judged.setdefault(problem.file, []).append(problem)
    return [p for sub in subs for p in (*validate_submission(criteria, sub), *judged.pop(sub.source, ()),
                                         *unscored_criteria(criteria, sub))]


def is_campaign_file(path: str | Path) -> bool:
    """Whether `path` is a campaign file: a TOML document whose top table is `[campaign]` (and not a set)."""
    from parrules.errors import ProblemsError
    from parrules.files.reading import read_document

    if Path(path).suffix.lower() != ".toml":
        return False
    try:
        data = read_document(path).data
    except ProblemsError:
        return False  # loading it as a set says what is wrong with it
    return isinstance(data.get("campaign"), dict) and "set" not in data


def run(args: argparse.Namespace) -> int:
    check_stdin(args.submissions)  # before any work
    if is_campaign_file(args.set):
        if args.submissions:
            return usage_error(say("cli.usage.campaign_submissions"))
        return _campaign(args)
    from parrules.errors import raise_if
    from parrules.sets.criteria_set import load_criteria_set

    criteria = load_criteria_set(args.set)
    speak(args, set_language(criteria), criteria=criteria)
    if not args.quiet:  # the set is sound, whatever the submissions' problems turn out to be
        print(say("cli.validate.set", file=args.set, id=criteria.id, nodes=len(criteria.nodes),
                  leaves=len(criteria.leaves), points=criteria.meta.total_points))
    subs = load_submission_args(args.submissions) if args.submissions else []
    raise_if(submission_problems(criteria, subs))
    if not args.quiet:
        if len(subs) == 1:
            print(say("cli.validate.submission_one", id=criteria.id, name=subs[0].name, code=subs[0].code))
        elif subs:
            print(say("cli.validate.submissions", n=len(subs), id=criteria.id))
    return EXIT_OK


def _campaign(args: argparse.Namespace) -> int:
    from parrules.campaign.run import load_campaign, load_inputs

    campaign = load_campaign(args.set)
    speak_campaign(args, campaign)
    inputs = load_inputs(campaign, check=submission_problems)
    if not args.quiet:
        parts = [say("cli.validate.campaign_submissions", n=len(inputs.submissions)),
                 say("cli.validate.campaign_set", id=campaign.criteria.id)]
        if inputs.previous is not None:
            parts.append(say("cli.validate.campaign_previous", n=len(inputs.previous.units)))
        if inputs.mapping is not None:
            parts.append(say("cli.validate.campaign_mapping", n=len(inputs.mapping.codes)))
        print(say("cli.validate.campaign", file=args.set, parts=", ".join(parts)))
    return EXIT_OK
