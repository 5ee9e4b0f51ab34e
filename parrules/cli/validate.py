"""`parrules validate SET [SUBMISSIONS…]`: check a set, and submissions against it, without scoring."""

from __future__ import annotations

import argparse

from parrules.cli.common import EXIT_OK

NAME = "validate"
HELP = "check a criteria set (and submissions against it) without scoring"


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("set", help="criteria-set TOML file")
    p.add_argument("submissions", nargs="*", help="submission files or folders")


def run(args: argparse.Namespace) -> int:
    from parrules.errors import ProblemsError
    from parrules.sets.criteria_set import load_criteria_set
    from parrules.submissions.folders import expand_submissions
    from parrules.submissions.submission import (
        figure_problems,
        load_submissions,
        unscored_criteria,
        validate_submission,
    )

    criteria = load_criteria_set(args.set)
    leaves = len(criteria.leaves)
    print(f"ok: {args.set}: set '{criteria.id}' — {len(criteria.nodes)} nodes, {leaves} scored criteria, "
          f"{criteria.meta.total_points} points")
    subs = load_submissions(expand_submissions(args.submissions))
    problems = [p for sub in subs for p in (*validate_submission(criteria, sub), *figure_problems(criteria, sub),
                                             *unscored_criteria(criteria, sub))]
    if problems:
        raise ProblemsError(problems)
    for sub in subs:
        print(f"ok: {sub.source}: {sub.name} ({sub.code})")
    return EXIT_OK
