"""CSV: a row per unit, a column per field, for people who continue in a spreadsheet.

UTF-8 with a byte-order mark so Excel shows Vietnamese names correctly. With the Vietnamese number
format the decimal separator is a comma, so the column separator becomes a semicolon (as Excel in a
Vietnamese locale expects).

Text cells a spreadsheet would run as a formula (a unit named "=HYPERLINK(…)", "+1", "-x", "@SUM")
are neutralised as OWASP advises: a leading apostrophe makes the spreadsheet show the text as text.
"""

from __future__ import annotations

import csv
import io

from parrules.reports.common import ReportData


def render_csv(view: ReportData) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if view.vietnamese else ",", lineterminator="\r\n")
    fields = view.fields
    writer.writerow(["Khối", "Xếp hạng", "Trên tổng số", "Mã đơn vị", "Tên đơn vị", "Tổng điểm", "Chỉ số (%)",
                     "Xếp loại", "Tình trạng", *[as_text(f"{f['code']}. {f['name']}") for f in fields]])

    for _cohort, units in view.cohorts():
        for unit in units:
            place = unit["placing"]
            row = [as_text(place["cohort"]), place["rank"] if place["rank"] is not None else "", place["rank_of"],
                   as_text(unit["unit"]["code"]), as_text(unit["unit"]["name"]),
                   _plain(view.points(unit["total_points"]), view), _plain(view.pct(unit["index"]), view),
                   as_text(view.band_name(unit.get("band"))) if unit.get("band") else "",
                   as_text(view.status_text(unit))]
            for f in fields:
                node = view.field_of(unit, f["code"])
                row.append(_plain(view.points(node["points"]), view) if node else "")
            writer.writerow(row)
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


_RUNS_AS_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def as_text(value: object) -> str:
    """A text cell a spreadsheet shows as the text it is, never runs: see the module's docstring."""
    text = str(value)
    return "'" + text if text.startswith(_RUNS_AS_FORMULA) else text


def _plain(text: str, view: ReportData) -> str:
    """Numbers without thousands separators (a spreadsheet parses 1234.5, not 1,234.5)."""
    if text == "—":
        return ""
    return text.replace(".", "") if view.vietnamese else text.replace(",", "")
