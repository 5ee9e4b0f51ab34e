"""Publishing formats: the XLSX and DOCX a department publishes, CSV and Markdown with last year beside
this year, N/A and unscored criteria shown as such, and no number with more decimals than the set's."""

from __future__ import annotations

import csv
import datetime
import io
import re
import time
import zipfile
from decimal import Decimal

import docx
import openpyxl
import pytest

import parrules
from parrules.campaign.run import campaign_result, spec_for
from parrules.campaign.yoy import load_previous
from parrules.messages import speaking
from parrules.reports import render
from parrules.reports.views import bands_in_order, in_rank_order, unit_views

from ..campaign_data import hand_set

# Three fields; 1.2 and the whole of field 3 may be N/A; the bands are listed B, A, C as the 2018 set
# lists them; the index has one decimal, points two.
SET = """
[set]
id = "pub"
name = "Bộ chỉ số CCHC thử"
level = "province"
total_points = 100
rounding = { decimals = 2, percent_decimals = 1 }
bands = [
  { code = "B", name = "Nhóm B", from = 75, below = 80 },
  { code = "A", name = "Nhóm A", from = 80 },
  { code = "C", name = "Nhóm C", below = 75 },
]

[criteria."1"]
name = "Công tác chỉ đạo, điều hành CCHC"
max_points = 60

[criteria."1.1"]
name = "Kế hoạch CCHC"
max_points = 30
rule = "manual"

[criteria."1.2"]
name = "Báo cáo CCHC"
max_points = 20
rule = "manual"
allow_na = true

[criteria."1.3"]
name = "Kiểm tra CCHC"
max_points = 10
rule = "manual"

[criteria."2"]
name = "Cải cách thủ tục hành chính"
max_points = 30

[criteria."2.1"]
name = "Công khai TTHC"
max_points = 15
rule = "manual"

[criteria."2.2"]
name = "Giải quyết TTHC đúng hạn"
max_points = 15
rule = "manual"

[criteria."3"]
name = "Khảo sát sự hài lòng"
max_points = 10

[criteria."3.1"]
name = "Chỉ số hài lòng"
max_points = 10
rule = "manual"
allow_na = true
"""

# Last year's set had 2.3 where this year's has 2.2: a revision that removed one and added the other.
OLD_SET = SET.replace('id = "pub"', 'id = "pub-old"').replace('[criteria."2.2"]', '[criteria."2.3"]')

LEGAL_BASIS = [{"number": "2636/QĐ-BNV", "date": "2018-12-10", "issuer": "Bộ Nội vụ",
                "title": "Phê duyệt Đề án xác định Chỉ số CCHC"}]


def _unit(code: str, name: str, points: dict[str, str], appraisals: list[dict] | None = None) -> parrules.Submission:
    return parrules.submission_from_dict({
        "unit": {"code": code, "name": name, "kind": "province", "period": 2024},
        "self_assessment": {c: p if p == "na" else Decimal(p) for c, p in points.items()},
        "appraisals": appraisals or []})


def _campaign(tmp_path, *, previous: bool = True) -> dict:
    criteria = hand_set(tmp_path, SET, "pub.toml")
    prev = None
    if previous:
        old = hand_set(tmp_path, OLD_SET, "old.toml")
        last = parrules.score_many(old, [
            _unit("A", "Sở Nội vụ", {"1.1": "30", "1.2": "10", "1.3": "10", "2.1": "10", "2.3": "10", "3.1": "5"}),
            _unit("B", "Sở Tư pháp", {"1.1": "30", "1.2": "20", "1.3": "10", "2.1": "15", "2.3": "15", "3.1": "10"}),
            _unit("T", "Tuy Đức", {"1.1": "20", "1.2": "20", "1.3": "10", "2.1": "10", "2.3": "10", "3.1": "10"}),
        ])
        path = tmp_path / "prev.json"
        parrules.write_atomic(path, parrules.to_json(last.to_dict()))
        prev = load_previous(path)
    subs = [
        # N/A on 1.2 and on all of field 3: 52.5 of an applicable 70 → index 75.0 (a total of 52.5).
        _unit("A", "Sở Nội vụ", {"1.1": "30", "1.2": "na", "1.3": "7.5", "2.1": "15", "2.2": "0", "3.1": "na"}),
        # Two appraisal rounds on 2.2, the second after the unit's explanation.
        _unit("B", "Sở Tư pháp", {"1.1": "30", "1.2": "20", "1.3": "10", "2.1": "15", "2.2": "15", "3.1": "10"},
              [{"code": "2.2", "round": 1, "points": Decimal("5"), "reason": "Còn 12 hồ sơ trễ hạn",
                "by": "Hội đồng thẩm định", "at": datetime.date(2025, 1, 20),
                "response": "Đã gửi thư xin lỗi cho 12 hồ sơ"},
               {"code": "2.2", "round": 2, "points": Decimal("10"), "reason": "Chấp nhận một phần giải trình",
                "by": "Hội đồng thẩm định", "at": datetime.date(2025, 2, 3)}]),
        # Equal points: a shared rank, listed in Vietnamese order (Đ after D, before T).
        _unit("T", "Tuy Đức", {"1.1": "30", "1.2": "10", "1.3": "10", "2.1": "10", "2.2": "10", "3.1": "10"}),
        _unit("D", "Đắk R'Lấp", {"1.1": "30", "1.2": "10", "1.3": "10", "2.1": "10", "2.2": "10", "3.1": "10"}),
        # 2.1 left unanswered: not evaluated, so the unit is incomplete and not ranked.
        _unit("C", "Sở Y tế", {"1.1": "30", "1.2": "20", "1.3": "10", "2.2": "10", "3.1": "10"}),
    ]
    result = campaign_result(spec_for(criteria, id="pub-2024", name="Chỉ số CCHC năm 2024 của các sở (thử)"),
                             criteria, subs, previous=prev)
    data = result.to_dict()
    # The set's legal basis, as the campaign JSON carries it once `criteria_set.legal_basis` is written.
    data["criteria_set"]["legal_basis"] = LEGAL_BASIS
    return data


@pytest.fixture
def data(tmp_path):
    return _campaign(tmp_path)


def _xlsx(data):
    return openpyxl.load_workbook(io.BytesIO(render(data, "xlsx")))


def _matrix(book):
    ranking = book["Xếp hạng"]
    top = int(re.match(r"[A-Z]+(\d+)", ranking.auto_filter.ref).group(1))
    headers = [c.value for c in ranking[top]]
    rows = {r[3]: dict(zip(headers, r)) for r in ranking.iter_rows(min_row=top + 1, values_only=True)}
    return ranking, top, headers, rows


def test_xlsx_title_block_matrix_and_print_setup(data) -> None:
    book = _xlsx(data)
    assert book.sheetnames[:3] == ["CHƯA ĐẦY ĐỦ", "Xếp hạng", "Phân loại"]  # unit C is incomplete: said first
    ranking, top, headers, rows = _matrix(book)
    assert ranking["A1"].value == "Chỉ số CCHC năm 2024 của các sở (thử)"
    block = [ranking.cell(r, 1).value for r in range(2, top)]
    assert "Căn cứ: 2636/QĐ-BNV ngày 10/12/2018 của Bộ Nội vụ — Phê duyệt Đề án xác định Chỉ số CCHC" in block
    assert "Kỳ đánh giá: 2024" in block
    assert headers == ["Khối", "Xếp hạng", "Trên tổng số", "Mã đơn vị", "Tên đơn vị",
                       "1. Công tác chỉ đạo, điều hành CCHC", "2. Cải cách thủ tục hành chính",
                       "3. Khảo sát sự hài lòng", "Tổng điểm", "Điểm tối đa áp dụng", "Chỉ số CCHC (%)",
                       "Xếp loại", "Tổng điểm năm trước", "Xếp hạng năm trước", "Xếp loại năm trước",
                       "Tăng/Giảm điểm so với năm trước", "Tăng/Giảm chỉ số so với năm trước (điểm %)",
                       "Tăng/Giảm thứ hạng so với năm trước", "Tình trạng"]
    a = rows["A"]
    assert a["3. Khảo sát sự hài lòng"] == "không áp dụng"  # N/A field: its status, not 0.00
    assert Decimal(str(a["Tổng điểm"])) == Decimal("52.5") and Decimal(str(a["Chỉ số CCHC (%)"])) == Decimal("75")
    assert a["Xếp loại"] == "Nhóm B" and a["Xếp loại năm trước"] == "Nhóm B"
    assert Decimal(str(a["Tổng điểm năm trước"])) == Decimal("75") and a["Xếp hạng năm trước"] == 3
    assert Decimal(str(a["Tăng/Giảm điểm so với năm trước"])) == Decimal("-22.5")
    assert a["Tăng/Giảm thứ hạng so với năm trước"] == -1
    b = rows["B"]
    assert b["Xếp hạng"] == 1 and b["Tăng/Giảm thứ hạng so với năm trước"] == 0
    assert rows["D"]["Tăng/Giảm điểm so với năm trước"] == "—"  # new this year: no figure, not 0
    assert rows["C"]["Xếp hạng"] == "—" and rows["C"]["Tình trạng"].startswith("chưa đủ: 2.1 chưa đánh giá")
    # Shared rank 2: Đắk R'Lấp before Tuy Đức.
    assert [code for code in rows][:3] == ["B", "D", "T"] and rows["D"]["Xếp hạng"] == rows["T"]["Xếp hạng"] == 2
    # Print setup: landscape A4, one page wide, the header repeated on every page; filters and frozen panes.
    setup = ranking.page_setup
    assert (setup.orientation, setup.paperSize, setup.fitToHeight) == ("landscape", 9, 0)
    assert setup.fitToWidth in (None, 1) and ranking.sheet_properties.pageSetUpPr.fitToPage
    assert ranking.print_title_rows == f"${top}:${top}"
    assert ranking.auto_filter.ref == f"A{top}:S{top + 5}"
    assert ranking.freeze_panes == f"F{top + 1}"
    assert ranking.column_dimensions["E"].width >= len("Đắk R'Lấp")
    # Bands coloured: one rule per band on the band column.
    rules = [r for cf in ranking.conditional_formatting for r in cf.rules if r.type == "cellIs"]
    assert sorted(r.formula[0] for r in rules) == ['"Nhóm A"', '"Nhóm B"', '"Nhóm C"']
    for sheet in book.worksheets[1:]:
        assert sheet.auto_filter.ref and sheet.freeze_panes and sheet.page_setup.orientation == "landscape"


def test_xlsx_bands_chart_detail_and_appraisal_trail(data) -> None:
    raw = render(data, "xlsx")
    assert "xl/charts/chart1.xml" in zipfile.ZipFile(io.BytesIO(raw)).namelist()
    book = openpyxl.load_workbook(io.BytesIO(raw))
    bands = [r for r in book["Phân loại"].iter_rows(min_row=2, values_only=True) if r[0]]
    assert [r[0] for r in bands] == ["Nhóm A", "Nhóm B", "Nhóm C", "Chưa đủ dữ liệu, chưa xếp hạng"]  # best first
    assert [r[1] for r in bands] == [3, 1, 0, 1]
    detail = {(r[0], r[2]): r for r in book["Chi tiết tiêu chí"].iter_rows(min_row=2, values_only=True)}
    assert detail[("A", "1.2")][7] == "không áp dụng" and detail[("A", "1.2")][9] == "không áp dụng"
    assert detail[("C", "2.1")][7] == "chưa đánh giá"
    assert detail[("B", "2.2")][8] == "thẩm định vòng 2" and detail[("B", "2.2")][7] == 10
    assert detail[("B", "2.1")][11:13] == (15, 0)  # last year's points and the change
    assert ("B", "2.3") not in detail
    trail = [r for r in book["Thẩm định"].iter_rows(min_row=2, values_only=True)]
    assert [(r[0], r[2], r[4], r[5]) for r in trail] == [("B", "2.2", 1, 5), ("B", "2.2", 2, 10)]
    first = trail[0]
    assert first[6:8] == ("Còn 12 hồ sơ trễ hạn", "Hội đồng thẩm định")
    assert first[8] == datetime.datetime(2025, 1, 20) and first[9] == "Đã gửi thư xin lỗi cho 12 hồ sơ"
    revision = [r for r in book["Thay đổi bộ tiêu chí"].iter_rows(min_row=2, values_only=True)]
    assert [(r[0].split(" ")[0], r[1]) for r in revision] == [("Bỏ", "2.3"), ("Mới", "2.2")]


def test_docx_annex(data) -> None:
    document = docx.Document(io.BytesIO(render(data, "docx")))
    text = [p.text for p in document.paragraphs]
    assert text[:4] == ["Phụ lục", "KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH", "Chỉ số CCHC năm 2024 của các sở (thử)",
                        "(Kèm theo Quyết định công bố Chỉ số CCHC)"]
    assert "Căn cứ: 2636/QĐ-BNV ngày 10/12/2018 của Bộ Nội vụ — Phê duyệt Đề án xác định Chỉ số CCHC" in text
    assert any("Tiêu chí năm trước không còn" in t and "2.3" in t for t in text)
    section = document.sections[0]
    assert section.orientation == docx.enum.section.WD_ORIENT.LANDSCAPE
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)
    table = document.tables[0]
    header = [c.text for c in table.rows[0].cells]
    assert header == ["Xếp hạng", "Đơn vị", "1. Công tác chỉ đạo, điều hành CCHC", "2. Cải cách thủ tục hành chính",
                      "3. Khảo sát sự hài lòng", "Tổng điểm", "Chỉ số CCHC (%)", "Xếp loại", "Tăng/Giảm so với năm trước"]
    assert table.rows[0]._tr.trPr.find(docx.oxml.ns.qn("w:tblHeader")) is not None  # repeated on every page
    rows = {r.cells[1].text: [c.text for c in r.cells] for r in table.rows[1:]}
    assert list(rows) == ["Sở Tư pháp", "Đắk R'Lấp", "Tuy Đức", "Sở Nội vụ", "Sở Y tế"]
    assert rows["Sở Nội vụ"] == ["4", "Sở Nội vụ", "37,50", "15,00", "không áp dụng", "52,50", "75,0", "Nhóm B",
                                 "▶ ±0,0 điểm %, giảm 1 bậc"]
    assert rows["Sở Tư pháp"][-1] == "▼ −5,0 điểm %, giữ nguyên thứ hạng"
    assert rows["Đắk R'Lấp"][-1] == "năm trước chưa có kết quả"
    assert rows["Sở Y tế"][0] == "—" and rows["Sở Y tế"][7].startswith("chưa đủ")
    with speaking("en"):
        english = docx.Document(io.BytesIO(render(data, "docx")))
    assert english.paragraphs[0].text == "Annex" and english.tables[0].rows[0].cells[0].text == "Rank"


def test_xlsx_and_docx_are_the_same_bytes_on_every_run(data) -> None:
    first = {fmt: render(data, fmt) for fmt in ("xlsx", "docx")}
    time.sleep(1.1)  # zip entries and core properties are dated to the second
    assert {fmt: render(data, fmt) for fmt in ("xlsx", "docx")} == first
    with zipfile.ZipFile(io.BytesIO(first["docx"])) as package:
        assert {info.date_time for info in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = package.read("docProps/core.xml").decode()
    assert "2000-01-01T00:00:00Z" in core and "2013" not in core


def _csv(data, language="vi"):
    with speaking(language):
        text = render(data, "csv").decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";" if language == "vi" else ","))


def test_csv_year_over_year_columns_and_labels(data, tmp_path) -> None:
    rows = _csv(data)
    head = rows[0]
    named = {r[3]: dict(zip(head, r)) for r in rows[1:]}
    assert head[5:17] == ["Tổng điểm", "Chỉ số CCHC (%)", "Xếp loại", "Tổng điểm năm trước", "Chỉ số năm trước (%)",
                          "Xếp hạng năm trước", "Xếp loại năm trước", "Tăng/Giảm điểm so với năm trước",
                          "Tăng/Giảm chỉ số so với năm trước (điểm %)", "Tăng/Giảm thứ hạng so với năm trước",
                          "Tình trạng", "1. Công tác chỉ đạo, điều hành CCHC"]
    a = named["A"]
    assert (a["Tổng điểm"], a["Chỉ số CCHC (%)"], a["Tổng điểm năm trước"], a["Tăng/Giảm điểm so với năm trước"]) == \
        ("52,50", "75,0", "75,00", "-22,50")
    assert a["3. Khảo sát sự hài lòng"] == "không áp dụng"
    assert a["Tăng/Giảm thứ hạng so với năm trước"] == "-1" and named["B"]["Tăng/Giảm chỉ số so với năm trước (điểm %)"] == "-5,0"
    assert named["D"]["Tổng điểm năm trước"] == "" and named["D"]["Xếp hạng năm trước"] == ""  # no result, no 0
    assert [r[3] for r in rows[1:]] == ["B", "D", "T", "A", "C"]  # Đắk R'Lấp before Tuy Đức at rank 2
    assert all(any(row[i] for row in rows[1:]) for i in range(len(head)))  # no column left empty
    # Without a previous year there is no year-over-year column, and no column is empty.
    (tmp_path / "alone").mkdir()
    alone = _csv(_campaign(tmp_path / "alone", previous=False))
    assert not any("năm trước" in h for h in alone[0])
    assert all(any(row[i] for row in alone[1:]) for i in range(len(alone[0])))


def test_markdown_year_over_year_trail_and_bands(data) -> None:
    text = render(data, "md").decode()
    assert "| 4/5 | Sở Nội vụ | 52,50 | 75,0 | Nhóm B | ▶ ±0,0 điểm %, giảm 1 bậc | 37,50 | 15,00 | không áp dụng |" \
        in text  # field 3 was N/A: its label, not 0,00
    assert "| — | Sở Y tế | 80,00 | 80,0 | ⚠ chưa đủ: 2.1 chưa đánh giá |" in text
    assert "Lĩnh vực: 1. Công tác chỉ đạo, điều hành CCHC; 2. Cải cách thủ tục hành chính; 3. Khảo sát sự hài lòng" in text
    bands = text.split("### Phân loại")[1].split("\n\n")[1].splitlines()
    assert bands == ["- Nhóm A: 3", "- Nhóm B: 1", "- Nhóm C: 0", "- Chưa đủ dữ liệu, chưa xếp hạng: 1"]
    assert "- 2.2 vòng 1: 5,00 — Còn 12 hồ sơ trễ hạn (Hội đồng thẩm định, ngày 20/01/2025); " \
           "giải trình: Đã gửi thư xin lỗi cho 12 hồ sơ" in text
    assert "- 2.2 vòng 2: 10,00 — Chấp nhận một phần giải trình" in text
    assert "Tiêu chí năm trước không còn trong bộ tiêu chí năm nay: 2.3" in text
    assert "Năm trước: 75,00 điểm, chỉ số 75,0 %, Nhóm B, hạng 3; ▶ ±0,0 điểm %, giảm 1 bậc." in text


_NUMBER = re.compile(r"(?<![\d.,])\d+(?:[.,]\d+)+")


def _too_precise(texts, decimals: int) -> list[str]:
    """Numbers in texts with more decimals than `decimals` (dates and codes such as 2636/QĐ have none)."""
    found = []
    for text in texts:
        for match in _NUMBER.finditer(str(text)):
            tail = re.split(r"[.,]", match.group())[-1]
            if len(tail) > decimals:
                found.append(match.group())
    return found


def test_no_number_has_more_decimals_than_the_set_declares(data) -> None:
    texts = [render(data, "md").decode(), render(data, "csv").decode("utf-8-sig")]
    document = docx.Document(io.BytesIO(render(data, "docx")))
    texts += [p.text for p in document.paragraphs]
    texts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert not _too_precise(texts, 2)
    book = _xlsx(data)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, float):
                    assert Decimal(repr(value)).as_tuple().exponent >= -2, (sheet.title, value)
                elif isinstance(value, str):
                    assert not _too_precise([value], 2), (sheet.title, value)
    # The index and every percentage keep the set's one decimal.
    _, _, _, rows = _matrix(book)
    assert all(Decimal(repr(float(r["Chỉ số CCHC (%)"]))).as_tuple().exponent >= -1
               for r in rows.values() if isinstance(r["Chỉ số CCHC (%)"], float))
    assert "75,0" in texts[0] and "75,00 %" not in texts[0]
    assert _too_precise(["57,14285714 %"], 2)  # the scan finds what it looks for


def test_views_order_bands_and_names(data) -> None:
    assert [b["code"] for b in bands_in_order(data)] == ["A", "B", "C"]  # listed B, A, C in the set
    views = unit_views(data)
    assert [u.name for u in in_rank_order([views["T"], views["D"], views["C"], views["B"]])] == \
        ["Sở Tư pháp", "Đắk R'Lấp", "Tuy Đức", "Sở Y tế"]
    a = views["A"]
    assert (a.index_change.previous, a.index_change.change, a.rank_change.previous, a.rank_change.change) == \
        (Decimal("75"), Decimal("0.0"), 3, -1)
    assert a.index_change.direction == "same" and a.rank_change.direction == "down"
    assert not a.field("3").applicable and a.field("1").points == Decimal("37.50")
