"""Rows of a worksheet written as XML text, put into a workbook XlsxWriter has closed.

XlsxWriter spends about 6 µs on a cell (a cell object, its attributes, an XML writer call); the detail
sheet of a 10,000-unit campaign has 760,000 rows of 11 to 13 cells, and written that way it took ten
times as long as the CSV and JSON reports together. Its cells are of a few kinds only — a shared
or inline string, a number, a number with a style — so they are written here as text: a few string
joins a row. XlsxWriter still makes everything else of the sheet (the header row, column widths and styles,
frozen panes, autofilter, print setup), and the workbook is then copied entry by entry, the sheet's
rows inserted before its `</sheetData>` and its `<dimension>` widened to them. The copy keeps
XlsxWriter's fixed entry dates, so the same campaign still gives the same bytes.

The XML escapes are XlsxWriter's own rules for an inline string: `&`, `<`, `>` as entities, control
characters as `_xHHHH_` (and a literal `_xHHHH_` with its underscore escaped), `xml:space="preserve"`
for text with a leading or trailing space.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import IO

_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b-\x1f]|_x[0-9a-fA-F]{4}_")
_ESCAPED_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")
_DIMENSION = re.compile(rb'<dimension ref="[A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?"/>')
_BATCH = 4096  # rows joined before they are compressed
#: zlib's fastest level: on a detail sheet of 490 MB of XML it is three times as fast as the default
#: (1.7 s against 4.7 s) for a file a quarter larger.
_LEVEL = 1
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#: Where a workbook names its shared strings: the package's list of parts and the workbook's relations.
_DECLARE_STRINGS = {
    "[Content_Types].xml": (b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                         b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'),
    "xl/_rels/workbook.xml.rels": (b"</Relationships>", b'<Relationship Id="rIdParrulesStrings" Type="http://schemas.'
                                                        b'openxmlformats.org/officeDocument/2006/relationships/'
                                                        b'sharedStrings" Target="sharedStrings.xml"/>'),
}


def text_xml(text: str) -> str:
    """The `<is>` of an inline string cell holding `text`."""
    if _SPECIAL.search(text):
        text = _ESCAPED_ESCAPE.sub(r"_x005F\1", text)
        text = _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", text)
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if text and (text[0].isspace() or text[-1].isspace()):
        return f'<is><t xml:space="preserve">{text}</t></is>'
    return f"<is><t>{text}</t></is>"


def column_letter(index: int) -> str:
    """A (0-based) column index as Excel names it: 0 → A, 26 → AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def text_rows(rows: Iterable[Iterable[str]], first: int, strings: SharedStrings) -> Iterator[str]:
    """Rows of text cells as XML, from the (0-based) row `first` on, the texts shared; an empty text is
    no cell."""
    letters: list[str] = []
    shared = strings.cell
    for r, row in enumerate(rows, start=first + 1):
        cells = [f'<row r="{r}">']
        for c, text in enumerate(row):
            if c == len(letters):
                letters.append(column_letter(c))
            if text:
                cells.append(f'<c r="{letters[c]}{r}"{shared(text)}</c>')
        cells.append("</row>")
        yield "".join(cells)


class SharedStrings:
    """The workbook's table of shared strings: a text that many cells hold (a unit's name in each of its
    76 rows, a criterion's name in each unit's) is written once, and its cells name it by number —
    `<c t="s"><v>12</v></c>` — which halves the detail sheet's XML, and the time to compress it."""

    def __init__(self) -> None:
        self.numbers: dict[str, str] = {}  # text → its number, as the cell's text
        self.count = 0  # cells that name one (the table says how many)

    def cell(self, text: str) -> str:
        """The `t="s"` attribute and value of a cell holding `text` (counted as one more cell)."""
        self.count += 1
        found = self.numbers.get(text)
        if found is None:
            found = self.numbers[text] = str(len(self.numbers))
        return f' t="s"><v>{found}</v>'

    def xml(self) -> bytes:
        items = "".join(f"<si>{text_xml(text)[4:-5]}</si>" for text in self.numbers)  # <t>…</t> of the <is>
        return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{_MAIN}" '
                f'count="{self.count}" uniqueCount="{len(self.numbers)}">{items}</sst>').encode()


class SheetRows:
    """The rows of one worksheet, as XML, for `insert_rows`: `last_row` and `last_column` (0-based)
    are the range they fill with the sheet's header, for its `<dimension>`."""

    def __init__(self, rows: Iterable[str], last_row: int, last_column: int) -> None:
        self.rows, self.last_row, self.last_column = rows, last_row, last_column


def insert_rows(workbook: bytes, sheets: Mapping[int, SheetRows], strings: SharedStrings | None = None) -> bytes:
    """The workbook with each sheet's rows (by the sheet's 0-based index) after the rows it has, and the
    shared strings they name (a workbook XlsxWriter wrote in `constant_memory` mode has none of its own)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, \
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=_LEVEL) as target:
        names = {f"xl/worksheets/sheet{index + 1}.xml": rows for index, rows in sheets.items()}
        for found_info in source.infolist():
            content = source.read(found_info)
            info = zipfile.ZipInfo(found_info.filename, found_info.date_time)  # XlsxWriter's fixed date
            info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, found_info.external_attr
            setattr(info, "compress_level" if hasattr(info, "compress_level") else "_compresslevel", _LEVEL)  # 3.13 / 3.11
            rows = names.pop(info.filename, None)
            if rows is None:
                if strings is not None and info.filename in _DECLARE_STRINGS:
                    content = _declare(content, *_DECLARE_STRINGS[info.filename])
                target.writestr(info, content)
                continue
            head, found, tail = content.partition(b"</sheetData>")
            if not found:
                raise ValueError(f"{info.filename}: no rows to add to (the sheet has no <sheetData>)")
            dimension = f'<dimension ref="A1:{column_letter(rows.last_column)}{rows.last_row + 1}"/>'.encode()
            head = _DIMENSION.sub(dimension, head, count=1)
            with target.open(info, "w", force_zip64=rows.last_row > 1_000_000) as stream:
                if rows.last_row > _BATCH:
                    _stream(stream, head, rows.rows, found + tail)
                else:  # a small sheet: a thread would cost more than it saves
                    stream.write(head + "".join(rows.rows).encode("utf-8") + found + tail)
        if names:
            raise ValueError(f"the workbook has no sheet {', '.join(sorted(names))}")
        if strings is not None:
            if "xl/sharedStrings.xml" in source.namelist():
                raise ValueError("the workbook has shared strings of its own (written without constant_memory?)")
            info = zipfile.ZipInfo("xl/sharedStrings.xml", (1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, strings.xml(), compresslevel=_LEVEL)
    return out.getvalue()


def _declare(content: bytes, close: bytes, element: bytes) -> bytes:
    """`content` with `element` added before its `close` tag, where it is missing."""
    if element in content:
        return content
    head, found, tail = content.rpartition(close)
    if not found:
        raise ValueError(f"cannot declare the shared strings: no {close.decode()}")
    return head + element + found + tail


def _stream(stream: IO[bytes], head: bytes, rows: Iterable[str], tail: bytes) -> None:
    """Write `head`, the rows and `tail` to a zip entry. zlib lets go of the GIL, so the rows are
    compressed by a second thread while the next ones are made; one worker keeps the writes in order,
    and at most two batches in flight bound the memory."""
    pending: deque[Future[int]] = deque()
    with ThreadPoolExecutor(1, thread_name_prefix="parrules-xlsx") as compressing:
        def write(data: bytes) -> None:
            pending.append(compressing.submit(stream.write, data))
            while len(pending) > 2:
                pending.popleft().result()
        write(head)
        batch: list[str] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= _BATCH:
                write("".join(batch).encode("utf-8"))
                batch.clear()
        write("".join(batch).encode("utf-8") + tail)
        while pending:
            pending.popleft().result()
