"""CSV: a row per unit, a column per field, for people who continue in a spreadsheet.

UTF-8 with a byte-order mark so Excel shows Vietnamese names correctly. In Vietnamese the decimal
separator is a comma, so the column separator becomes a semicolon (as Excel in a Vietnamese locale
expects); numbers carry no thousands separator, so a spreadsheet reads them as numbers.

What is not a figure is not written as one: a field whose criteria were all N/A says "không áp dụng";
a unit with no result last year has empty year-over-year cells, never 0. Last year's columns appear
only when the campaign was compared with last year, and the index column only when it differs from
the total (in a 100-point set without N/A they are the same number).

Text cells a spreadsheet would run as a formula (a unit named "=HYPERLINK(…)", "+1", "-x", "@SUM")
are neutralised as OWASP advises: a leading apostrophe makes the spreadsheet show the text as text.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from parrules.messages import current_voice, say
from parrules.messages.numbers import separators
from parrules.reports.common import ReportData
from parrules.reports.views import (
    band_names,
    cohort_label,
    cohorts,
    fields_of,
    has_previous,
    index_is_total,
    percent_text,
    points_text,
    signed_number,
    status_label,
    unit_status_text,
    unit_views,
)


def render_csv(view: ReportData) -> bytes:
    data = view.data
    voice = current_voice()
    group = separators(voice.language)[1]
    delimiter = ";" if separators(voice.language)[0] == "," else ","
    views = unit_views(data)
    fields = fields_of(data)
    bands = band_names(data)
    index = not index_is_total(data, views.values())
    previous = has_previous(data)
    previous_band = any(u.previous_band for u in views.values())  # last year's set may have had no bands

    def number(text: str) -> str:
        """A formatted figure as a spreadsheet reads it: no grouping, no sign for a positive change."""
        return "" if text == "—" else text.replace(group, "").lstrip("+±").replace("−", "-")

    head = [say("report.col.cohort"), say("report.col.rank"), say("report.col.rank_of"), say("report.col.unit_code"),
            say("report.col.unit_name"), say("report.col.total")]
    head += [say("report.col.index")] if index else []
    head += [say("report.col.band")]
    if previous:
        head += [say("report.col.previous_total"), *([say("report.col.previous_index")] if index else []),
                 say("report.col.previous_rank"), *([say("report.col.previous_band")] if previous_band else []),
                 say("report.col.total_change"),
                 *([say("report.col.index_change")] if index else []), say("report.col.rank_change")]
    head += [say("report.col.status")]
    head += [say("csv.field", code=f["code"], name=f.get("name", "")) for f in fields]

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([as_text(h) for h in head])
    for cohort, units in cohorts(data, views):
        for unit in units:
            row: list[Any] = [as_text(cohort_label(cohort)), "" if unit.rank is None else unit.rank,
                              "" if unit.rank_of is None else unit.rank_of, as_text(unit.code), as_text(unit.name),
                              number(points_text(unit.total))]
            if index:
                row.append(number(percent_text(unit.index)))
            row.append(as_text(bands.get(unit.band, unit.band)) if unit.band else "")
            if previous:
                row.append(number(points_text(unit.total_change.previous)))
                if index:
                    row.append(number(percent_text(unit.index_change.previous)))
                row.append("" if unit.rank_change.previous is None else unit.rank_change.previous)
                if previous_band:
                    row.append(as_text(bands.get(unit.previous_band, unit.previous_band)) if unit.previous_band else "")
                row.append(number(signed_number(unit.total_change.change)))
                if index:
                    row.append(number(signed_number(unit.index_change.change, percent=True)))
                row.append("" if unit.rank_change.change is None else unit.rank_change.change)
            row.append(as_text(unit_status_text(unit)))
            for f in fields:
                found = unit.field(f["code"])
                if found is None:
                    row.append("")
                elif not found.applicable:
                    row.append(as_text(status_label("not_applicable")))
                else:
                    row.append(number(points_text(found.points)))
            writer.writerow(row)
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


_RUNS_AS_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def as_text(value: object) -> str:
    """A text cell a spreadsheet shows as the text it is, never runs: see the module's docstring."""
    text = str(value)
    return "'" + text if text.startswith(_RUNS_AS_FORMULA) else text
