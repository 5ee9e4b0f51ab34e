"""The `parrules campaign` and `parrules report` commands, with a progress bar on long runs.

`campaign` runs a campaign file and writes the campaign JSON plus any reports; `report` renders
reports from a campaign JSON written earlier (no re-scoring) or straight from a campaign file.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from parrules.campaign.run import CAMPAIGN_FORMAT, load_campaign, run_campaign
from parrules.cli.main import EXIT_OK, EXIT_USAGE, command
from parrules.cli.tables import render as render_table
from parrules.errors import Problem, ProblemsError
from parrules.files.reading import read_document
from parrules.files.writing import write_atomic
from parrules.reports import FORMATS, SUFFIXES, render

PROGRESS_FROM = 200  # units; smaller runs finish before a bar would help


class ProgressBar:
    """A one-line bar on stderr: redrawn in place on a terminal, a line per tenth otherwise."""

    def __init__(self, stream: TextIO | None = None, *, force: bool = False, width: int = 30) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.force = force
        self.width = width
        self.tty = self.stream.isatty()
        self.last: tuple[str, int] = ("", -1)
        self.started = time.monotonic()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if total < PROGRESS_FROM and not self.force:
            return
        tenth = done * 10 // total if total else 10
        if not self.tty and (stage, tenth) == self.last:
            return
        self.last = (stage, tenth)
        filled = self.width * done // total if total else self.width
        bar = "#" * filled + "." * (self.width - filled)
        text = f"{stage:<8} [{bar}] {done}/{total} {time.monotonic() - self.started:5.1f}s"
        if self.tty:
            self.stream.write("\r" + text + ("\n" if done >= total else ""))
        else:
            self.stream.write(text + "\n")
        self.stream.flush()


def _formats(text: str) -> list[str]:
    wanted = [f.strip() for f in text.split(",") if f.strip()]
    bad = [f for f in wanted if f not in FORMATS]
    if bad:
        raise SystemExit(_usage(f"unknown format {bad[0]!r}; formats are: {', '.join(FORMATS)}"))
    return wanted


def _usage(message: str) -> int:
    print(f"parrules: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _campaign_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("campaign", help="campaign TOML file")
    p.add_argument("-o", "--output-dir", help="folder for the campaign JSON and reports (default: print the ranking only)")
    p.add_argument("--formats", default="json,csv,md,xlsx,html",
                   help=f"reports to write with --output-dir, comma-separated from {','.join(FORMATS)}")
    p.add_argument("--vi", action="store_true", help="Vietnamese number format (83,55) in reports and the table")
    p.add_argument("--progress", action="store_true", help="always show the progress bar (default: from 200 units)")


@command("campaign", "score a campaign: rank within cohorts, compare with last year, analyse gaps", _campaign_args)
def _campaign(args: argparse.Namespace) -> int:
    bar = ProgressBar(force=args.progress)
    campaign = load_campaign(args.campaign)
    result = run_campaign(campaign, progress=bar)
    data = result.to_dict()
    print(ranking_table(data, vietnamese=args.vi))
    if args.output_dir:
        out = Path(args.output_dir)
        formats = _formats(args.formats)
        for i, fmt in enumerate(formats, start=1):
            path = out / f"{campaign.spec.id}{SUFFIXES[fmt]}"
            if fmt == "json":
                result.write_json(path)
            else:
                write_atomic(path, render(data, fmt, vietnamese=args.vi))
            bar("writing", i, len(formats))
            print(f"wrote {path}", file=sys.stderr)
    return EXIT_OK


def _report_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", help="a campaign JSON (written by `parrules campaign -o`) or a campaign TOML file")
    p.add_argument("--format", choices=FORMATS, default="html", help="report format (default: html)")
    p.add_argument("-o", "--output", required=True, help="report file to write (atomically)")
    p.add_argument("--vi", action="store_true", help="Vietnamese number format (83,55)")
    p.add_argument("--progress", action="store_true", help="always show the progress bar")


@command("report", "render a report (JSON, CSV, Markdown, XLSX, HTML) from a campaign", _report_args)
def _report(args: argparse.Namespace) -> int:
    source = Path(args.source)
    if source.suffix.lower() == ".json":
        data = load_campaign_json(source)
    else:
        data = run_campaign(load_campaign(source), progress=ProgressBar(force=args.progress)).to_dict()
    write_atomic(args.output, render(data, args.format, vietnamese=args.vi))
    print(f"wrote {args.output}", file=sys.stderr)
    return EXIT_OK


def load_campaign_json(path: str | Path) -> dict[str, Any]:
    """A campaign JSON read back with exact decimals, checked against the shipped schema."""
    import jsonschema

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


def ranking_table(data: dict[str, Any], *, vietnamese: bool = False) -> str:
    """The ranking of every cohort as a terminal table."""
    from parrules.reports.common import ReportData, rank_text

    view = ReportData(data, vietnamese=vietnamese)
    blocks = []
    for cohort, units in view.cohorts():
        rows = []
        for unit in units:
            yoy = unit.get("yoy") or {}
            change = yoy.get("index", {}).get("change") if yoy.get("found") else None
            rows.append([rank_text(unit["placing"]), unit["unit"]["code"], unit["unit"]["name"],
                         view.points(unit["total_points"]), view.pct(unit["index"]), view.band_name(unit.get("band")),
                         view.signed(change, view.percent_decimals) if change is not None else ""])
        blocks.append(f"{cohort}:\n" + render_table(["hạng", "mã", "đơn vị", "điểm", "chỉ số %", "xếp loại", "± năm trước"],
                                                     rows, [True, False, False, True, True, False, True]))
    return "\n\n".join(blocks)
