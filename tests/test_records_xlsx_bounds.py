"""Reading an XLSX export costs what the cells in the file do, not what the sheet declares.

The workbooks are written by hand (a zip of five small XML parts), as a hostile one would be: a
2 KB file can declare a sheet of A1:XFD1048576, put one stray cell in its last corner or a row past
the last an XLSX sheet can have. Work is measured by counting what openpyxl hands over — rows, and
the cells in them — never by the clock; the count stops early, so a reader without the bounds fails
here quickly instead of running for hours.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import parrules
from parrules.records import XLSX_MAX_ROWS, connect, fetch, open_records


@pytest.fixture(autouse=True)
def english():
    """The messages asserted below are the English ones; tests/test_records.py reads both."""
    with parrules.speaking("en"):
        yield


_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
        'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/></Types>'),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
        '<sheet name="Hồ sơ" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'),
}
_SHEET = '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
_LIMIT = 3 * XLSX_MAX_ROWS  # rows (or cells) counted before the count gives up: a bounded reader never nears it


def _text(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _table() -> str:
    """A real export, small: two columns, two units."""
    return ('<row r="1">' + _text("A1", "Mã đơn vị") + _text("B1", "Số hồ sơ") + '</row>'
            '<row r="2">' + _text("A2", "U1") + '<c r="B2"><v>3</v></c></row>'
            '<row r="3">' + _text("A3", "U2") + '<c r="B3"><v>5</v></c></row>')


def _book(path: Path, rows: str, *, dimension: str | None = None) -> Path:
    sheet = _SHEET + (f'<dimension ref="{dimension}"/>' if dimension else "") + f"<sheetData>{rows}</sheetData></worksheet>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in {**_PARTS, "xl/worksheets/sheet1.xml": sheet}.items():
            z.writestr(name, text)
    return path


class Work:
    """Rows and cells openpyxl hands over while the sheet is read (a row it pads counts every cell)."""

    def __init__(self) -> None:
        self.rows = self.cells = 0

    def counting(self, rows: Iterator[Any]) -> Iterator[Any]:
        for row in rows:
            self.rows += 1
            self.cells += len(row)
            if self.rows > _LIMIT or self.cells > _LIMIT:
                return  # a reader that follows the declared size would go on for hours
            yield row


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch) -> Work:
    counted = Work()
    load = openpyxl.load_workbook

    def loading(*args: Any, **kwargs: Any) -> Any:
        book = load(*args, **kwargs)
        for sheet in book.worksheets:
            iter_rows = sheet.iter_rows
            sheet.iter_rows = lambda *a, _rows=iter_rows, **k: counted.counting(_rows(*a, **k))
        return book

    monkeypatch.setattr(openpyxl, "load_workbook", loading)
    return counted


def _read(path: Path) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    con = connect()
    rec = open_records(con, path, {"unit": "Mã đơn vị", "n": "Số hồ sơ"}, required=("unit", "n"),
                       what="dossier export")
    return rec.file_headers, fetch(con, f"SELECT unit, n FROM {rec.view} ORDER BY unit", rec)


def test_a_sheet_declaring_a_million_rows_and_16384_columns_is_read_as_the_cells_it_holds(
        tmp_path: Path, work: Work) -> None:
    path = _book(tmp_path / "declared.xlsx", _table(), dimension="A1:XFD1048576")
    assert path.stat().st_size < 3000
    assert _read(path) == (("Mã đơn vị", "Số hồ sơ"), [("U1", "3"), ("U2", "5")])
    assert (work.rows, work.cells) == (3, 6)  # the declared 17 billion cells were never asked for


def test_one_stray_cell_in_the_last_corner_is_ignored(tmp_path: Path, work: Work) -> None:
    stray = '<row r="1048576">' + _text("XFD1048576", "x") + "</row>"
    path = _book(tmp_path / "stray.xlsx", _table() + stray)
    assert _read(path) == (("Mã đơn vị", "Số hồ sơ"), [("U1", "3"), ("U2", "5")])
    # every row the file does not have comes empty (nothing to read in it); the one stray row comes
    # as wide as its cell: 6 cells of the table, 16,384 of that row, nothing more
    assert work.rows == XLSX_MAX_ROWS and work.cells == 6 + 16_384


def test_a_stray_cell_right_of_the_header_row_does_not_widen_the_table(tmp_path: Path, work: Work) -> None:
    rows = _table().replace("</row>", _text("XFD1", "ghi chú") + "</row>", 1)
    headers, found = _read(_book(tmp_path / "wide-header.xlsx", rows))
    assert headers == ("Mã đơn vị", "Số hồ sơ", "ghi chú") and found == [("U1", "3"), ("U2", "5")]
    assert work.cells == 16_384 + 4  # the data rows stay as wide as their own cells


def test_a_row_past_the_last_a_sheet_can_have_is_refused(tmp_path: Path, work: Work) -> None:
    far = '<row r="99999999">' + _text("A99999999", "U3") + "</row>"
    path = _book(tmp_path / "far.xlsx", _table() + far)
    with pytest.raises(parrules.ProblemsError) as caught:
        _read(path)
    [problem] = caught.value.problems
    assert problem.file == str(path)
    assert "rows past row 1,048,576, the last an XLSX sheet can have" in problem.message
    assert "dossier export" in problem.message and "CSV" in (problem.hint or "")
    assert work.rows <= XLSX_MAX_ROWS + 1


def test_a_wide_header_over_empty_rows_is_refused_early(tmp_path: Path, work: Work) -> None:
    """16,384 headers and rows with one cell each would make a table of billions of empty cells."""
    header = '<row r="1">' + "".join(_text(f"{openpyxl.utils.get_column_letter(i)}1", f"h{i}")
                                     for i in range(1, 16_385)) + "</row>"
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(2, 2_002))
    path = _book(tmp_path / "sparse.xlsx", header + rows)
    with pytest.raises(parrules.ProblemsError) as caught:
        con = connect()
        open_records(con, path, {"unit": "h1"}, required=("unit",))
    [problem] = caught.value.problems
    assert "16,384 columns with a header but only" in problem.message and "no export is that empty" in problem.message
    assert work.rows < 300  # refused after some 250 rows of 16,384 cells, not at the end of the sheet


def test_a_forged_cell_reference_is_one_problem_naming_the_file(tmp_path: Path) -> None:
    rows = _table() + '<row r="4"><c r="not-a-cell"><v>1</v></c></row>'
    path = _book(tmp_path / "forged.xlsx", rows)
    with pytest.raises(parrules.ProblemsError) as caught:
        _read(path)
    [problem] = caught.value.problems
    assert problem.file == str(path) and "cannot read the dossier export's first sheet" in problem.message


def test_no_temporary_file_is_left_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    path = _book(tmp_path / "far.xlsx", _table() + '<row r="2000000">' + _text("A2000000", "U3") + "</row>")
    with pytest.raises(parrules.ProblemsError, match="rows past row"):  # refused while the CSV was being written
        _read(path)
    assert list((tmp_path / "tmp").iterdir()) == []
