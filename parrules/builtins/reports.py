"""Built-in report formats: JSON, CSV, Markdown, XLSX and HTML, registered like a province's own.

Each renderer is imported when a report is rendered, not when the registry loads, so `parrules --help`
does not pay for the spreadsheet writer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from parrules.plugins.hookspecs import ReportFormatRegistrar, hookimpl


def _json(data: Mapping[str, Any], *, vietnamese: bool = False) -> bytes:
    from parrules.files.writing import to_json

    return to_json(data, indent=False)  # indentation would make a large campaign's file far bigger, for no reader


def _csv(data: Mapping[str, Any], *, vietnamese: bool = False) -> bytes:
    from parrules.reports.common import ReportData
    from parrules.reports.csv_report import render_csv

    return render_csv(ReportData(data, vietnamese=vietnamese))


def _markdown(data: Mapping[str, Any], *, vietnamese: bool = False) -> bytes:
    from parrules.reports.common import ReportData
    from parrules.reports.markdown import render_markdown

    return render_markdown(ReportData(data, vietnamese=vietnamese)).encode("utf-8")


def _xlsx(data: Mapping[str, Any], *, vietnamese: bool = False) -> bytes:
    from parrules.reports.common import ReportData
    from parrules.reports.xlsx import render_xlsx

    return render_xlsx(ReportData(data, vietnamese=vietnamese))


def _html(data: Mapping[str, Any], *, vietnamese: bool = False) -> bytes:
    from parrules.reports.common import ReportData
    from parrules.reports.html import render_html

    return render_html(ReportData(data, vietnamese=vietnamese)).encode("utf-8")


@hookimpl
def register_report_formats(register: ReportFormatRegistrar) -> None:
    register("json", _json, suffix=".json", description="The campaign JSON: every figure, exact decimals")
    register("csv", _csv, suffix=".csv", description="A row per unit, a column per field")
    register("md", _markdown, suffix=".md", description="Markdown: the ranking, bands, statistics and each unit's losses")
    register("xlsx", _xlsx, suffix=".xlsx", description="An XLSX workbook: the ranking, per-field scores, per-criterion detail and flags")
    register("html", _html, suffix=".html", description="A self-contained HTML page that works offline")
