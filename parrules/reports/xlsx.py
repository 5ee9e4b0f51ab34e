"""XLSX: the ranking, per-field scores, per-criterion detail and flags, as a Home Affairs clerk keeps them.

Numbers are written as numbers with number formats ("0.00"), never as text, so the clerk can sort,
sum and chart them; Excel shows the decimal separator of the reader's locale (83,55 in Vietnamese).
XlsxWriter streams rows to disk (`constant_memory`): the detail sheet has a row per unit and criterion,
which openpyxl (kept for reading spreadsheets) would hold in memory and write far more slowly.
"""

from __future__ import annotations

import datetime
import io
import tempfile
from decimal import Decimal
from typing import Any

import xlsxwriter

from parrules.reports.common import FLAG_LABELS, STATUS_LABELS, ReportData, as_decimal

_FIXED_TIME = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)


def render_xlsx(view: ReportData) -> bytes:
    out = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="parrules-xlsx-") as scratch:
        book = xlsxwriter.Workbook(out, {"constant_memory": True, "tmpdir": scratch,
                                         "strings_to_formulas": False, "strings_to_numbers": False,
                                         "strings_to_urls": False})
        # Same data, same bytes: the workbook's creation time would otherwise be the moment of rendering.
        book.set_properties({"created": _FIXED_TIME})
        _fill(book, view)
        book.close()
    return out.getvalue()


def _fill(book: Any, view: ReportData) -> None:
    points = book.add_format({"num_format": "0." + "0" * view.decimals if view.decimals else "0"})
    pct = book.add_format({"num_format": "0." + "0" * view.percent_decimals if view.percent_decimals else "0"})
    bold = book.add_format({"bold": True})
    next_row: dict[Any, int] = {}  # rows go out in order, one at a time (constant_memory)
    if view.incomplete_units:  # first, before any ranking: this workbook is not one to publish as it is
        note = book.add_worksheet("CHƯA ĐẦY ĐỦ")
        note.set_column(0, 0, 120)
        note.write_string(0, 0, view.incomplete_banner(), bold)
        for i, unit in enumerate(view.incomplete_units, start=2):
            note.write_string(i, 0, f"{unit['unit']['code']} {unit['unit']['name']}: {view.status_text(unit)}")

    def sheet(title: str, headers: list[str], widths: list[int]) -> Any:
        ws = book.add_worksheet(title)
        for i, width in enumerate(widths):
            ws.set_column(i, i, width)
        ws.freeze_panes(1, 0)
        ws.write_row(0, 0, headers, bold)
        next_row[ws] = 1
        return ws

    def put(ws: Any, row: list[Any], formats: dict[int, Any]) -> None:
        """One row; a text is always text (a name starting with "=" never becomes a formula)."""
        r = next_row[ws]
        for column, value in enumerate(row):
            value = _cell_value(value)
            if value is None:
                continue
            if isinstance(value, str):
                ws.write_string(r, column, value)
            elif isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
                ws.write_number(r, column, value, formats.get(column))
            else:
                ws.write(r, column, value)
        next_row[ws] = r + 1

    ranking = sheet("Xếp hạng", ["Khối", "Xếp hạng", "Trên tổng số", "Mã đơn vị", "Tên đơn vị", "Tổng điểm",
                                 "Điểm tối đa áp dụng", "Chỉ số (%)", "Xếp loại", "Thay đổi chỉ số", "Thay đổi hạng",
                                 "Tình trạng"],
                    [14, 9, 9, 12, 40, 11, 11, 11, 22, 12, 12, 30])
    fields_ws = sheet("Điểm theo lĩnh vực", ["Mã đơn vị", "Tên đơn vị", "Mã lĩnh vực", "Lĩnh vực", "Điểm",
                                             "Điểm tối đa", "Tỷ lệ (%)", "Hạng lĩnh vực"], [12, 40, 10, 50, 10, 10, 10, 10])
    detail = sheet("Chi tiết tiêu chí", ["Mã đơn vị", "Tên đơn vị", "Mã tiêu chí", "Tiêu chí", "Điểm tối đa",
                                         "Tự chấm", "Điểm tính theo minh chứng", "Điểm cuối cùng", "Giai đoạn",
                                         "Tình trạng", "Giải thích"], [12, 40, 10, 60, 10, 10, 10, 10, 12, 14, 80])
    flags_ws = sheet("Cảnh báo", ["Mã đơn vị", "Tên đơn vị", "Mã tiêu chí", "Loại cảnh báo", "Nội dung"],
                     [12, 40, 10, 32, 80])
    for _cohort, units in view.cohorts():
        for unit in units:
            info, place, yoy = unit["unit"], unit["placing"], unit.get("yoy") or {}
            put(ranking, [place["cohort"], place["rank"], place["rank_of"], info["code"], info["name"],
                          unit["total_points"], unit["applicable_max"], unit["index"], view.band_name(unit.get("band")),
                          (yoy.get("index") or {}).get("change"), (yoy.get("rank") or {}).get("change"),
                          view.status_text(unit)],
                {5: points, 6: points, 7: pct, 9: pct})
            for f in view.fields:
                node = view.field_of(unit, f["code"])
                if node is None:
                    continue
                put(fields_ws, [info["code"], info["name"], f["code"], f["name"], node["points"], node["applicable_max"],
                                node["percent"], place["field_ranks"].get(f["code"])],
                    {4: points, 5: points, 6: pct})
            for leaf in view.leaves(unit):
                put(detail, [info["code"], info["name"], leaf["code"], view.name(leaf["code"]), leaf["max_points"],
                             leaf["self_points"], leaf["computed_points"], leaf["final_points"], leaf["final_stage"],
                             STATUS_LABELS.get(leaf["status"], leaf["status"]), leaf["explanation"]],
                    {4: points, 5: points, 6: points, 7: points})
                for flag in leaf["flags"]:
                    put(flags_ws, [info["code"], info["name"], leaf["code"], FLAG_LABELS.get(flag["kind"], flag["kind"]),
                                   flag["message"]], {})


def _cell_value(value: Any) -> Any:
    """Decimals stay exact numbers (written as numeric cells); floats read from JSON become Decimals."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return as_decimal(value)
    return value
