"""DOCX: the annex a province attaches to its decision publishing the PAR Index (Quyết định công bố
Chỉ số CCHC).

Laid out as such annexes are: "Phụ lục" and the title centred at the top, the decisions the criteria
set rests on, then per cohort (khối sở, ban, ngành; khối UBND cấp huyện …) the ranked table — rank,
unit, the points of each field (named in the header), the total, the index when it differs from the
total, the band and the change on last year — on landscape A4 in Times New Roman, the table's header
repeated on every page. Vietnamese unless the voice says otherwise.

The same campaign JSON gives the same bytes: python-docx writes the moment of saving into the zip
entries and the template's dates into the core properties, so both are fixed here. Rows are built as
WordprocessingML directly (python-docx's `add_row` re-reads the whole table for every cell), which
keeps a 10,000-unit annex to seconds.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Mapping, Sequence
from copy import deepcopy
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from parrules.messages import current_voice, say
from parrules.reports.common import ReportData
from parrules.reports.views import (
    UnitView,
    band_names,
    cohort_label,
    cohorts,
    field_points_text,
    fields_of,
    has_previous,
    incomplete_banner,
    index_is_total,
    movement_text,
    percent_text,
    points_text,
    revision,
    title_block,
    unit_status_text,
    unit_views,
)

_FIXED_TIME = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_FONT = "Times New Roman"
_PAGE_WIDTH, _PAGE_HEIGHT, _MARGIN = Mm(297), Mm(210), Mm(15)


def render_docx(view: ReportData) -> bytes:
    """The annex's bytes, the same for the same campaign JSON."""
    data = view.data
    document = Document()
    _setup(document, title_block(data).title)
    _Annex(document, data).write()
    out = io.BytesIO()
    document.save(out)
    return _fixed_zip(out.getvalue())


def _setup(document: Any, title: str) -> None:
    """Landscape A4, Times New Roman (as Nghị định 30/2020 asks of administrative documents), the
    document's language, and core properties that do not change from one render to the next."""
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = _PAGE_WIDTH, _PAGE_HEIGHT
    section.left_margin = section.right_margin = _MARGIN
    section.top_margin = section.bottom_margin = Mm(15)
    normal = document.styles["Normal"]
    normal.font.name = _FONT
    normal.font.size = Pt(12)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), _FONT)
    lang = OxmlElement("w:lang")
    language = "vi-VN" if current_voice().language == "vi" else "en-GB"
    lang.set(qn("w:val"), language)
    normal.element.get_or_add_rPr().append(lang)
    props = document.core_properties
    props.author = props.last_modified_by = "parrules"
    props.created = props.modified = props.last_printed = _FIXED_TIME.replace(tzinfo=None)
    props.revision = 1
    props.title = title
    props.language = language
    props.comments = ""


class _Annex:
    def __init__(self, document: Any, data: Mapping[str, Any]) -> None:
        self.doc, self.data = document, data
        self.views = unit_views(data)
        self.fields = fields_of(data)
        self.bands = band_names(data)
        self.previous = has_previous(data)
        self.one_column = index_is_total(data, self.views.values())

    def paragraph(self, text: str, *, bold: bool = False, italic: bool = False, size: float | None = None,
                  centre: bool = False, after: float = 2) -> Any:
        p = self.doc.add_paragraph()
        p.paragraph_format.space_after = Pt(after)
        if centre:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(text)
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
        return p

    def write(self) -> None:
        block = title_block(self.data)
        self.paragraph(say("docx.annex"), bold=True, centre=True, size=13)
        self.paragraph(say("docx.heading"), bold=True, centre=True, size=14)
        self.paragraph(block.title, bold=True, centre=True, size=13)
        self.paragraph(say("docx.attached"), italic=True, centre=True, after=8)
        for basis in block.legal_basis:
            self.paragraph(f"{say('report.legal_basis.heading')}: {basis}", italic=True, size=11)
        if block.set_name and block.set_name != block.title:
            self.paragraph(say("report.set", name=block.set_name), size=11)
        if block.period:
            self.paragraph(say("report.period", period=block.period), size=11)
        if block.date:
            self.paragraph(say("report.date", day=block.date), size=11)
        banner = incomplete_banner(self.data)
        if banner:
            self.paragraph(banner, bold=True, size=11)
        groups = list(cohorts(self.data, self.views))
        for number, (name, units) in enumerate(groups, start=1):
            if len(groups) > 1 or name != "all":
                self.paragraph(say("docx.cohort", n=number, cohort=cohort_label(name)), bold=True, size=12, after=4)
            self.table(units)
        self.paragraph("", after=4)
        self.notes()

    def columns(self) -> list[tuple[str, float, str]]:
        """(header, width in mm, alignment) of each column: the fields share what the rank, total,
        index, band and change leave, up to 22 mm each, and the unit's name takes the rest."""
        head = [(say("report.col.rank"), 14.0, "c")]
        tail = [(say("report.col.total"), 17.0, "r")]
        if not self.one_column:
            tail.append((say("report.col.index"), 17.0, "r"))
        tail.append((say("report.col.band"), 24.0, "c"))
        if self.previous:
            tail.append((say("report.col.change"), 38.0, "l"))
        usable = (_PAGE_WIDTH - 2 * _MARGIN) / Mm(1)
        other = sum(w for _, w, _ in head + tail)
        field = min(22.0, max(12.0, (usable - other - 45.0) / max(1, len(self.fields))))
        name = usable - other - field * len(self.fields)
        return [*head, (say("report.col.unit"), name, "l"),
                *[(f"{f['code']}. {f.get('name', '')}", field, "r") for f in self.fields], *tail]

    def row(self, unit: UnitView) -> list[str]:
        cells = [str(unit.rank) if unit.rank is not None else "—", unit.name]
        for f in self.fields:
            found = unit.field(f["code"])
            cells.append(field_points_text(found) if found else "—")
        cells.append(points_text(unit.total))
        if not self.one_column:
            cells.append(percent_text(unit.index))
        cells.append(unit_status_text(unit) if unit.incomplete else
                     self.bands.get(unit.band, unit.band) if unit.band else "—")
        if self.previous:
            cells.append(movement_text(unit, in_points=self.one_column))
        return cells

    def table(self, units: Sequence[UnitView]) -> None:
        cols = self.columns()
        table = self.doc.add_table(rows=0, cols=len(cols))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        widths = [Mm(w) for _, w, _ in cols]
        for column, width in zip(table.columns, widths):
            column.width = width
        body = table._tbl  # noqa: SLF001 - python-docx's documented way to the table's XML element
        body.append(_filled(_tr(widths, ["c"] * len(cols), header=True, size=9), [h for h, _, _ in cols]))
        template = _tr(widths, [a for _, _, a in cols], size=10)
        for unit in units:
            body.append(_filled(deepcopy(template), self.row(unit)))

    def notes(self) -> None:
        """After the tables: what a revision of the set changed, and the units with no last year."""
        change = revision(self.data)
        if change is None:
            return
        self.paragraph(say("report.compared_with", previous_set=change.previous_set or "—"), italic=True, size=11)
        if change.removed:
            self.paragraph(say("report.revision.removed", codes=", ".join(change.removed)), italic=True, size=11)
        if change.added:
            self.paragraph(say("report.revision.added", codes=", ".join(f"{c} {n}".strip() for c, n in change.added)),
                           italic=True, size=11)
        if change.units_without_previous:
            names = [self.views[c].name if c in self.views else c for c in change.units_without_previous]
            self.paragraph(say("report.revision.new_units", units=", ".join(names)), italic=True, size=11)


_ALIGN = {"l": "left", "c": "center", "r": "right"}
_T = qn("w:t")


def _filled(tr: Any, texts: Sequence[str]) -> Any:
    """A row made by `_tr` with its cells' texts put in."""
    for t, text in zip(tr.iter(_T), texts):
        t.text = text
    return tr


def _tr(widths: Sequence[int], aligns: Sequence[str], *, header: bool = False, size: float = 10) -> Any:
    """An empty table row as WordprocessingML, copied for every unit (making one is what costs);
    a header row is bold, shaded and repeated on every page."""
    tr = OxmlElement("w:tr")
    trpr = _sub(tr, "w:trPr")
    _sub(trpr, "w:cantSplit")
    if header:
        _sub(trpr, "w:tblHeader")
    for width, align in zip(widths, aligns):
        tc = _sub(tr, "w:tc")
        tcpr = _sub(tc, "w:tcPr")
        _sub(tcpr, "w:tcW", w=str(int(width / 635)), type="dxa")  # EMU → twentieths of a point
        if header:
            _sub(tcpr, "w:shd", val="clear", color="auto", fill="DDEBF7")
        _sub(tcpr, "w:vAlign", val="center")
        p = _sub(tc, "w:p")
        ppr = _sub(p, "w:pPr")
        _sub(ppr, "w:spacing", before="0", after="0")
        _sub(ppr, "w:jc", val=_ALIGN[align])
        r = _sub(p, "w:r")
        rpr = _sub(r, "w:rPr")
        if header:
            _sub(rpr, "w:b")
        _sub(rpr, "w:sz", val=str(int(size * 2)))
        _sub(r, "w:t").set(qn("xml:space"), "preserve")
    return tr


def _sub(parent: Any, tag: str, **attributes: str) -> Any:
    """A child element `tag` with WordprocessingML attributes (w:val=… given as val=…)."""
    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), value)
    parent.append(element)
    return element


def _fixed_zip(blob: bytes) -> bytes:
    """The same package with every entry dated 1980-01-01 (zip's epoch) instead of the saving time."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(blob)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(entry.filename))
    return out.getvalue()
