"""Built-in report formats: JSON, CSV, Markdown, XLSX, HTML and the DOCX annex, registered like a
province's own.

Each renderer is imported when a report is rendered, not when the registry loads, so `parrules --help`
does not pay for the spreadsheet writer. Every text a report shows is written in the voice of the run
(`parrules.messages.speaking`) with the set's decimals: Vietnamese unless `language` — or a voice the
caller entered — says otherwise. `vietnamese` is still accepted, for the callers that pass it, until
`--lang` replaces it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from parrules.plugins.hookspecs import ReportFormatRegistrar, hookimpl


def _json(data: Mapping[str, Any], *, vietnamese: bool = False, language: str | None = None) -> bytes:
    from parrules.files.writing import to_json

    return to_json(data, indent=False)  # indentation would make a large campaign's file far bigger, for no reader


def _voiced(renderer: Callable[[Any], Any]) -> Callable[..., Any]:
    """A format function that reads the campaign JSON and renders inside the report's voice: bytes,
    or `parrules.reports.ReportFiles` for a report that is a folder of files."""

    def render(data: Mapping[str, Any], *, vietnamese: bool = False, language: str | None = None) -> bytes:
        from parrules.reports.common import ReportData
        from parrules.reports.views import report_voice
        from parrules.scoring.collector import no_gc_pauses

        view = ReportData(data)
        # A report makes some objects per unit and cell among the millions of the campaign JSON; the
        # cyclic collector would rescan all of them again and again for garbage a report does not make.
        with report_voice(data, language), no_gc_pauses():
            out = renderer(view)
        return out.encode("utf-8") if isinstance(out, str) else out

    render.__doc__ = renderer.__doc__
    return render


def _csv(view: Any) -> bytes:
    from parrules.reports.csv_report import render_csv

    return render_csv(view)


def _markdown(view: Any) -> str:
    from parrules.reports.markdown import render_markdown

    return render_markdown(view)


def _xlsx(view: Any) -> bytes:
    from parrules.reports.xlsx import render_xlsx

    return render_xlsx(view)


def _docx(view: Any) -> bytes:
    from parrules.reports.docx import render_docx

    return render_docx(view)


def _html(view: Any) -> Any:
    """One page for a campaign of ordinary size; past a few megabytes, a folder (`ReportFiles`) with
    the ranking on its index page and the units' detail on linked pages."""
    from parrules.reports.html import html_report

    return html_report(view)


@hookimpl
def register_report_formats(register: ReportFormatRegistrar) -> None:
    register("json", _json, suffix=".json", description="The campaign JSON: every figure, exact decimals")
    register("csv", _voiced(_csv), suffix=".csv", description="A row per unit, a column per field, last year beside")
    register("md", _voiced(_markdown), suffix=".md",
             description="Markdown: the ranking, bands, statistics, each unit's losses and appraisal trail")
    register("xlsx", _voiced(_xlsx), suffix=".xlsx",
             description="An XLSX workbook to publish: the ranking matrix, bands, per-criterion detail, appraisals, flags")
    register("html", _voiced(_html), suffix=".html", description="A self-contained HTML page that works offline")
    register("docx", _voiced(_docx), suffix=".docx",
             description="A DOCX annex to the decision publishing the PAR Index: the ranked table by cohort")
