"""The XLSX rows written as XML text (`parrules.reports.sheet_xml`): every text comes back as it was
given, in the right cell, whatever characters it holds, and the workbook stays one Excel opens."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from parrules.campaign.run import campaign_result, spec_for
from parrules.reports import render
from parrules.reports.sheet_xml import column_letter, text_xml

from ..campaign_data import hand_set, split, unit

NAMES = ["<script>alert(1)</script>", "=1+1", "a & b > c", " leading and trailing ", "ctrl\x01char\x1f",
         "_x0041_ written out", "Huyện Đắk Mil"]


def _read_back(name: str) -> str:
    """What openpyxl reads back: it decodes the `_x005F_` escape but leaves a control character in the
    `_xHHHH_` form it is stored in (Excel shows the character)."""
    return re.sub(r"[\x00-\x08\x0b-\x1f]", lambda m: f"_x{ord(m.group()):04X}_", name)


@pytest.fixture
def workbook(tmp_path) -> bytes:
    criteria = hand_set(tmp_path)
    subs = [unit(f"U{i}", split(str(60 + i)), name=name) for i, name in enumerate(NAMES)]
    return render(campaign_result(spec_for(criteria, id="r"), criteria, subs).to_dict(), "xlsx")


def test_every_text_comes_back_as_written(workbook: bytes) -> None:
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    detail = book["Chi tiết tiêu chí"]
    rows = list(detail.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(NAMES) * 5 == detail.max_row - 1
    by_code = {r[0]: r[1] for r in rows}
    assert by_code == {f"U{i}": _read_back(name) for i, name in enumerate(NAMES)}
    ranking = book["Xếp hạng"]
    top = int(ranking.auto_filter.ref.split(":")[0][1:])
    names = {r[3]: r[4] for r in ranking.iter_rows(min_row=top + 1, values_only=True)}
    assert names == {f"U{i}": _read_back(name) for i, name in enumerate(NAMES)}
    for row in detail.iter_rows(min_row=2):
        assert row[0].data_type == "s" and row[1].data_type == "s"  # "=1+1" is text, never a formula
        assert row[4].data_type == "n" and row[4].number_format == "0.00" and isinstance(row[4].value, (int, float))


def test_the_sheets_say_their_size_and_share_their_strings(workbook: bytes) -> None:
    archive = zipfile.ZipFile(io.BytesIO(workbook))
    names = archive.namelist()
    assert "xl/sharedStrings.xml" in names
    assert b"sharedStrings.xml" in archive.read("[Content_Types].xml")
    assert b"sharedStrings.xml" in archive.read("xl/_rels/workbook.xml.rels")
    detail = archive.read("xl/worksheets/sheet3.xml").decode("utf-8")
    assert re.search(r'<dimension ref="A1:K36"/>', detail)  # header and 7 units × 5 criteria, A to K
    assert detail.count("<row ") == 36
    strings = archive.read("xl/sharedStrings.xml").decode("utf-8")
    unique = int(re.search(r'uniqueCount="(\d+)"', strings).group(1))
    assert unique == strings.count("<si>") and unique < int(re.search(r' count="(\d+)"', strings).group(1))


def test_text_xml_escapes_as_xlsxwriter_does() -> None:
    assert text_xml("a<b>&c") == "<is><t>a&lt;b&gt;&amp;c</t></is>"
    assert text_xml("\x01") == "<is><t>_x0001_</t></is>"
    assert text_xml("_x0041_") == "<is><t>_x005F_x0041_</t></is>"
    assert text_xml(" x") == '<is><t xml:space="preserve"> x</t></is>'
    assert text_xml('"quotes" stay') == '<is><t>"quotes" stay</t></is>'


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == \
        ["A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]


def test_numbers_are_rounded_as_the_set_rounds(workbook: bytes) -> None:
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    for row in book["Chi tiết tiêu chí"].iter_rows(min_row=2, values_only=True):
        for value in row[4:8]:
            if isinstance(value, float):
                assert Decimal(str(value)) == Decimal(str(value)).quantize(Decimal("0.01"))
