"""Reports people read, rendered from the campaign JSON: JSON, CSV, Markdown, XLSX and HTML.

`render(data, fmt)` returns the bytes of one format; `write_report` writes them atomically. Every
format is rendered from the same dictionary (`CampaignResult.to_dict()` or a campaign JSON file read
back), so the figures agree across formats and an old run can be re-rendered without re-scoring.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from parrules.files.writing import to_json, write_atomic
from parrules.reports.common import ReportData

FORMATS = ("json", "csv", "md", "xlsx", "html")
SUFFIXES = {"json": ".json", "csv": ".csv", "md": ".md", "xlsx": ".xlsx", "html": ".html"}


def render(data: Mapping[str, Any], fmt: str, *, vietnamese: bool = False) -> bytes:
    """The report in format `fmt` (one of FORMATS); `vietnamese` writes 83,55 instead of 83.55."""
    if fmt == "json":
        return to_json(data, indent=False)  # 10,000 units: indentation alone would add hundreds of MB
    view = ReportData(data, vietnamese=vietnamese)
    if fmt == "csv":
        from parrules.reports.csv_report import render_csv

        return render_csv(view)
    if fmt == "md":
        from parrules.reports.markdown import render_markdown

        return render_markdown(view).encode("utf-8")
    if fmt == "xlsx":
        from parrules.reports.xlsx import render_xlsx

        return render_xlsx(view)
    if fmt == "html":
        from parrules.reports.html import render_html

        return render_html(view).encode("utf-8")
    raise ValueError(f"unknown report format {fmt!r}; formats are: {', '.join(FORMATS)}")


def write_report(data: Mapping[str, Any], fmt: str, path: str | Path, *, vietnamese: bool = False) -> Path:
    return write_atomic(path, render(data, fmt, vietnamese=vietnamese))
