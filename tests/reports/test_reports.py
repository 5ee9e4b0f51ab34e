"""Reports from one campaign JSON: schema, CSV, Markdown, XLSX with numeric cells, escaped HTML."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal

import jsonschema
import openpyxl
import pytest

import parrules
from parrules.campaign.run import campaign_result, spec_for
from parrules.campaign.yoy import load_previous
from parrules.files.schemas import shipped_schema
from parrules.messages import speaking
from parrules.reports import render

from ..campaign_data import hand_set, split, unit

EVIL = "<script>alert(1)</script>"


@pytest.fixture
def result(tmp_path):
    criteria = hand_set(tmp_path)
    last_year = parrules.score_many(criteria, [unit("A", split("70")), unit("B", split("83.55"))])
    previous = tmp_path / "prev.json"
    parrules.write_atomic(previous, parrules.to_json(last_year.to_dict()))
    subs = [unit("A", split("87.59"), name="Sở A | <b>đậm</b>", appraisals={"2.2": "2.59"}),
            unit("B", split("83.55"), name=EVIL),
            unit("C", split("60"), name="=1+1"), unit("H", split("75"), kind="district", name="Huyện Đắk Mil")]
    return campaign_result(spec_for(criteria, id="r"), criteria, subs,
                           previous=load_previous(previous))


@pytest.fixture
def data(result):
    return result.to_dict()


def test_fast_json_is_byte_identical_to_the_plain_path(result) -> None:
    assert result.to_json() == render(result.to_dict(), "json")


def test_json_matches_the_shipped_schema(data) -> None:
    loaded = json.loads(render(data, "json"))
    jsonschema.Draft202012Validator(shipped_schema("campaign")).validate(loaded)
    b = next(u for u in loaded["units"] if u["unit"]["code"] == "B")
    assert b["yoy"]["rank"] == {"previous": 1, "current": 2, "change": -1}
    assert b["index"] == 83.55


def test_csv_has_a_row_per_unit_and_a_column_per_field(data) -> None:
    # Vietnamese by default: a semicolon between columns and a decimal comma; in English a comma and a point.
    rows = list(csv.reader(io.StringIO(render(data, "csv").decode("utf-8-sig")), delimiter=";"))
    assert rows[0][-2:] == ["1. Lĩnh vực một", "2. Lĩnh vực hai"]
    assert len(rows) == 1 + 4
    a = next(r for r in rows if r[3] == "A")
    # A 100-point set without N/A: the index is the total, so one column shows it, not two.
    assert rows[0][5:7] == ["Tổng điểm", "Xếp loại"]
    assert a[5:7] == ["87,59", "Nhóm A"] and a[-2:] == ["60,00", "27,59"]
    with speaking("en"):
        en = list(csv.reader(io.StringIO(render(data, "csv").decode("utf-8-sig"))))
    assert next(r for r in en if r[3] == "A")[5] == "87.59" and en[0][5] == "Total points"


def test_markdown_escapes_table_breakers_and_html(data) -> None:
    text = render(data, "md", vietnamese=True).decode()
    assert "Sở A \\| &lt;b&gt;đậm&lt;/b&gt;" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and EVIL not in text
    assert "| 2/3 |" in text and "83,55" in text
    # A 100-point set shows the total alone, so the change is in points; B kept 83.55 but fell to 2nd.
    assert "▲ +17,59 điểm, tăng 1 bậc" in text  # A rose from 70.00
    assert "▶ ±0,00 điểm, giảm 1 bậc" in text


def test_xlsx_sheets_headers_and_numeric_cells(data) -> None:
    book = openpyxl.load_workbook(io.BytesIO(render(data, "xlsx")))
    assert book.sheetnames == ["Xếp hạng", "Phân loại", "Chi tiết tiêu chí", "Thẩm định", "Cảnh báo"]
    ranking = book["Xếp hạng"]
    header = ranking.auto_filter.ref.split(":")[0]  # the matrix starts below the title block
    top = int(header[1:])
    headers = [c.value for c in ranking[top]]
    assert headers[:8] == ["Khối", "Xếp hạng", "Trên tổng số", "Mã đơn vị", "Tên đơn vị", "1. Lĩnh vực một",
                           "2. Lĩnh vực hai", "Tổng điểm"]
    row = next(r for r in ranking.iter_rows(min_row=top + 1) if r[3].value == "B")
    assert row[7].data_type == "n" and row[7].number_format == "0.00" and Decimal(str(row[7].value)) == Decimal("83.55")
    assert row[1].value == 2 and row[1].data_type == "n"
    formula = next(r for r in ranking.iter_rows(min_row=top + 1) if r[3].value == "C")
    assert formula[4].value == "=1+1" and formula[4].data_type == "s"
    detail = book["Chi tiết tiêu chí"]
    assert detail.max_row == 1 + 4 * 5
    cell = next(r for r in detail.iter_rows(min_row=2) if r[0].value == "A" and r[2].value == "2.1")[7]
    assert cell.data_type == "n" and cell.number_format == "0.00"


def test_html_is_self_contained_and_escapes_everything(data) -> None:
    html = render(data, "html", vietnamese=True).decode()
    assert EVIL not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["'](?!#)""", html)  # only in-page links
    assert "@import" not in html and "url(" not in html
    assert html.count("<svg") == 8  # departments: bands, index, field spread, index change, field change; districts (no last year): three
    assert "83,55" in html and "▲" in html
    assert html.count('class="unit"') == 4


def test_csv_cells_a_spreadsheet_would_run_are_neutralised(data) -> None:
    """OWASP's rule: a text cell starting with = + - @ (or a tab or CR) gets a leading apostrophe."""
    for language, delimiter in (("en", ","), ("vi", ";")):
        with speaking(language):
            text = render(data, "csv").decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        named = {row[3]: row for row in rows[1:]}
        assert named["C"][4] == "'=1+1"
        assert named["B"][4] == EVIL  # text that runs nothing stays as it is
        assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)


def test_xlsx_is_the_same_bytes_on_every_run(data) -> None:
    import time

    first = render(data, "xlsx")
    time.sleep(1.1)  # the workbook's creation time is written to the second
    assert render(data, "xlsx") == first
