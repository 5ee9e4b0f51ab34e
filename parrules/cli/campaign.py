"""`parrules campaign CAMPAIGN`: run a campaign file, print the ranking, write the campaign JSON and reports.

The progress bar shown on long runs is shared with `parrules report` (`parrules.cli.report`).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from parrules.cli.common import add_provisional, say_incomplete, usage_error

NAME = "campaign"
HELP = "score a campaign: rank within cohorts, compare with last year, analyse gaps"

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
    from parrules.reports import formats

    known = formats()
    wanted = [f.strip() for f in text.split(",") if f.strip()]
    bad = [f for f in wanted if f not in known]
    if bad:
        raise SystemExit(usage_error(f"unknown format {bad[0]!r}; formats are: {', '.join(known)}"))
    return wanted


def arguments(p: argparse.ArgumentParser) -> None:
    from parrules.reports import formats

    p.add_argument("campaign", help="campaign TOML file")
    p.add_argument("-o", "--output-dir", help="folder for the campaign JSON and reports (default: print the ranking only)")
    p.add_argument("--formats", default="json,csv,md,xlsx,html",
                   help=f"reports to write with --output-dir, comma-separated from {','.join(formats())}")
    p.add_argument("--vi", action="store_true", help="Vietnamese number format (83,55) in reports and the table")
    p.add_argument("--progress", action="store_true", help="always show the progress bar (default: from 200 units)")
    add_provisional(p)


def run(args: argparse.Namespace) -> int:
    from parrules.campaign.run import load_campaign, run_campaign
    from parrules.files.writing import output_folder, output_path, write_atomic
    from parrules.reports import render, suffixes

    bar = ProgressBar(force=args.progress)
    if args.output_dir == "-":
        return usage_error("campaign writes several files: give -o a folder (parrules report … -o - writes one to "
                           "standard output)")
    if args.output_dir:
        output_folder(args.output_dir)  # before any work
        _formats(args.formats)
    campaign = load_campaign(args.campaign)
    if args.output_dir:  # every file it will write, now that the campaign's id names them
        for fmt in _formats(args.formats):
            output_path(Path(args.output_dir) / f"{campaign.spec.id}{suffixes()[fmt]}")
    result = run_campaign(campaign, progress=bar)
    data = result.to_dict()
    print(ranking_table(data, vietnamese=args.vi))
    if args.output_dir:
        out = Path(args.output_dir)
        formats = _formats(args.formats)
        suffix = suffixes()
        for i, fmt in enumerate(formats, start=1):
            path = out / f"{campaign.spec.id}{suffix[fmt]}"
            if fmt == "json":
                result.write_json(path)
            else:
                write_atomic(path, render(data, fmt, vietnamese=args.vi))
            bar("writing", i, len(formats))
            print(f"wrote {path}", file=sys.stderr)
    return say_incomplete(result.run.units, provisional=args.provisional)


def ranking_table(data: dict[str, Any], *, vietnamese: bool = False) -> str:
    """The ranking of every cohort as a terminal table."""
    from parrules.cli.tables import render as render_table
    from parrules.reports.common import ReportData, rank_text

    view = ReportData(data, vietnamese=vietnamese)
    blocks = []
    for cohort, units in view.cohorts():
        rows = []
        for unit in units:
            yoy = unit.get("yoy") or {}
            change = yoy.get("index", {}).get("change") if yoy.get("found") else None
            rows.append([rank_text(unit["placing"]), unit["unit"]["code"], unit["unit"]["name"],
                         view.points(unit["total_points"]), view.pct(unit["index"]),
                         view.band_name(unit.get("band")) if not unit.get("incomplete") else "⚠ " + view.status_text(unit),
                         view.signed(change, view.percent_decimals) if change is not None else ""])
        blocks.append(f"{cohort}:\n" + render_table(["hạng", "mã", "đơn vị", "điểm", "chỉ số %", "xếp loại", "± năm trước"],
                                                     rows, [True, False, False, True, True, False, True]))
    return "\n\n".join(blocks)
