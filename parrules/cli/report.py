"""`parrules report SOURCE --format FORMAT -o FILE`: one report from a campaign JSON or a campaign file.

A campaign JSON written earlier by `parrules campaign -o` is re-rendered without re-scoring; a campaign
TOML file is scored first. Any registered report format works (`parrules plugins` lists them).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from parrules.cli.campaign import ProgressBar
from parrules.cli.common import EXIT_INCOMPLETE, EXIT_OK, add_provisional, say_incomplete

NAME = "report"
HELP = "render a report (JSON, CSV, Markdown, XLSX, HTML) from a campaign"


def arguments(p: argparse.ArgumentParser) -> None:
    from parrules.reports import formats

    p.add_argument("source", help="a campaign JSON (written by `parrules campaign -o`) or a campaign TOML file")
    p.add_argument("--format", choices=formats(), default="html", help="report format (default: html)")
    p.add_argument("-o", "--output", required=True, help="report file to write (atomically); - for standard output")
    p.add_argument("--vi", action="store_true", help="Vietnamese number format (83,55)")
    p.add_argument("--progress", action="store_true", help="always show the progress bar")
    add_provisional(p)


def run(args: argparse.Namespace) -> int:
    from parrules.campaign.run import load_campaign, run_campaign
    from parrules.files.writing import write_atomic
    from parrules.reports import render

    source = Path(args.source)
    units = None
    if source.suffix.lower() == ".json":
        data = load_campaign_json(source)
    else:
        result = run_campaign(load_campaign(source), progress=ProgressBar(force=args.progress))
        data, units = result.to_dict(), result.run.units
    content = render(data, args.format, vietnamese=args.vi)
    if args.output == "-":
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    else:
        write_atomic(args.output, content)
        print(f"wrote {args.output}", file=sys.stderr)
    if units is not None:
        return say_incomplete(units, provisional=args.provisional)
    if data.get("complete") is False and not args.provisional:  # re-rendered from a run that was incomplete
        print("the campaign JSON is marked incomplete (exit 3); pass --provisional to accept it", file=sys.stderr)
        return EXIT_INCOMPLETE
    return EXIT_OK


def load_campaign_json(path: str | Path) -> dict[str, Any]:
    """A campaign JSON read back with exact decimals, checked against the shipped schema."""
    import jsonschema

    from parrules.campaign.run import CAMPAIGN_FORMAT
    from parrules.errors import Problem, ProblemsError
    from parrules.files.reading import read_document
    from parrules.files.schemas import shipped_schema

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
        where = "/".join(str(p) for p in error.absolute_path)
        raise ProblemsError([Problem(doc.label, where, f"does not match the campaign schema: {error.message}")])
    return doc.data
