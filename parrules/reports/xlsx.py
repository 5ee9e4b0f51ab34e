"""XLSX: the ranking, per-field scores, per-criterion detail and flags, as a Home Affairs clerk keeps them.

Numbers are written as numbers with number formats ("0.00"), never as text, so the clerk can sort,
sum and chart them; Excel shows the decimal separator of the reader's locale (83,55 in Vietnamese).
openpyxl is used because it is pure Python (installs everywhere, 3.10+) and can also read the file
back, which is how the tests check the cells.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .common import FLAG_LABELS, STATUS_LABELS, ReportData, as_decimal


def render_xlsx(view: ReportData) -> bytes:
    """The workbook, written row by row (openpyxl's write-only mode): a campaign of 10,000 units has
    760,000 detail rows, and a workbook kept whole in memory took minutes to fill."""
    book = Workbook(write_only=True)
    points_format = "0." + "0" * view.decimals if view.decimals else "0"
    pct_format = "0." + "0" * view.percent_decimals if view.percent_decimals else "0"
    bold = Font(bold=True)

    def sheet(title: str, headers: list[str], widths: list[int]) -> Any:
        ws = book.create_sheet(title)
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "A2"
        header = []
        for text in headers:
            cell = WriteOnlyCell(ws, value=text)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        return ws

    def put(ws: Any, row: list[Any], formats: dict[int, str]) -> None:
        cells = []
        for column, value in enumerate(row, start=1):
            cell = WriteOnlyCell(ws, value=_cell_value(value))
            if cell.data_type == "f":
                cell.data_type = "s"  # a unit's name starting with "=" stays text, never a formula
            if column in formats:
                cell.number_format = formats[column]
            cells.append(cell)
        ws.append(cells)

    ranking = sheet("Xếp hạng", ["Khối", "Xếp hạng", "Trên tổng số", "Mã đơn vị", "Tên đơn vị", "Tổng điểm",
                                 "Điểm tối đa áp dụng", "Chỉ số (%)", "Xếp loại", "Thay đổi chỉ số", "Thay đổi hạng"],
                    [14, 9, 9, 12, 40, 11, 11, 11, 22, 12, 12])
    for _cohort, units in view.cohorts():
        for unit in units:
            info, place, yoy = unit["unit"], unit["placing"], unit.get("yoy") or {}
            put(ranking, [place["cohort"], place["rank"], place["rank_of"], info["code"], info["name"],
                          unit["total_points"], unit["applicable_max"], unit["index"], view.band_name(unit.get("band")),
                          (yoy.get("index") or {}).get("change"), (yoy.get("rank") or {}).get("change")],
                {6: points_format, 7: points_format, 8: pct_format, 10: pct_format})
    # Sheets are written one after another in write-only mode: each walks the units again.
    fields_ws = sheet("Điểm theo lĩnh vực", ["Mã đơn vị", "Tên đơn vị", "Mã lĩnh vực", "Lĩnh vực", "Điểm",
                                             "Điểm tối đa", "Tỷ lệ (%)", "Hạng lĩnh vực"], [12, 40, 10, 50, 10, 10, 10, 10])
    for _cohort, units in view.cohorts():
        for unit in units:
            info, place = unit["unit"], unit["placing"]
            for f in view.fields:
                node = view.field_of(unit, f["code"])
                if node is None:
                    continue
                put(fields_ws, [info["code"], info["name"], f["code"], f["name"], node["points"], node["applicable_max"],
                                node["percent"], place["field_ranks"].get(f["code"])],
                    {5: points_format, 6: points_format, 7: pct_format})
    detail = sheet("Chi tiết tiêu chí", ["Mã đơn vị", "Tên đơn vị", "Mã tiêu chí", "Tiêu chí", "Điểm tối đa",
                                         "Tự chấm", "Điểm tính theo minh chứng", "Điểm cuối cùng", "Giai đoạn",
                                         "Tình trạng", "Giải thích"], [12, 40, 10, 60, 10, 10, 10, 10, 12, 14, 80])
    flags: list[list[Any]] = []
    for _cohort, units in view.cohorts():
        for unit in units:
            info = unit["unit"]
            for leaf in view.leaves(unit):
                put(detail, [info["code"], info["name"], leaf["code"], view.name(leaf["code"]), leaf["max_points"],
                             leaf["self_points"], leaf["computed_points"], leaf["final_points"], leaf["final_stage"],
                             STATUS_LABELS.get(leaf["status"], leaf["status"]), leaf["explanation"]],
                    {5: points_format, 6: points_format, 7: points_format, 8: points_format})
                flags.extend([info["code"], info["name"], leaf["code"], FLAG_LABELS.get(flag["kind"], flag["kind"]),
                              flag["message"]] for flag in leaf["flags"])
    flags_ws = sheet("Cảnh báo", ["Mã đơn vị", "Tên đơn vị", "Mã tiêu chí", "Loại cảnh báo", "Nội dung"],
                     [12, 40, 10, 32, 80])
    for row in flags:
        put(flags_ws, row, {})
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell_value(value: Any) -> Any:
    """Decimals become numbers (openpyxl writes them as numeric cells); text stays text."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return as_decimal(value)
    return value
