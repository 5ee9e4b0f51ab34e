"""XLSX: a workbook a Home Affairs department can publish as it is, and a clerk can go on working in.

The first sheet is the ranking as provinces publish it: a title block (the campaign, the set, the
decisions it rests on, the period), then the wide matrix — a row per unit, a column per field (named
in the header), the total, the index, the rank, the band (coloured) and the change on last year. It
prints landscape on A4, one page wide, its header repeated on every page. Then the band distribution
with a chart, the per-criterion detail, every appraisal round with the unit's explanation, the flags
for appraisers and, after a revision of the set, the criteria it removed and added. Every sheet has
an autofilter, frozen panes and column widths taken from its content.

Numbers are written as numbers with number formats ("0.00"), never as text, so the clerk can sort,
sum and chart them; Excel shows the decimal separator of the reader's locale (83,55 in Vietnamese).
A criterion that is N/A, not evaluated or errored has its status written where its points would be:
an empty or 0.00 cell would read as a figure. XlsxWriter makes each sheet — title block, header,
widths, formats, frozen panes, autofilter, print setup, charts — and the rows below the headers are
written as XML text (`sheet_xml`) into the workbook it closed: the detail sheet has a row per unit and
criterion, 760,000 rows at 10,000 units, and XlsxWriter's cell by cell writing was most of the time.
"""

from __future__ import annotations

import datetime
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

import xlsxwriter

from parrules.amounts import round_to, rounder
from parrules.messages import current_voice, say
from parrules.reports.common import ReportData
from parrules.reports.sheet_xml import (
    SharedStrings,
    SheetRows,
    column_letter,
    insert_rows,
    text_rows,
    text_xml,
)
from parrules.reports.views import (
    NOT_A_FIGURE,
    UnitView,
    band_names,
    bands_in_order,
    cohort_label,
    cohorts,
    criteria_of,
    field_points_text,
    flag_label,
    has_previous,
    incomplete_banner,
    index_is_total,
    revision,
    stage_label,
    status_label,
    title_block,
    trail,
    unit_status_text,
    unit_views,
)

_FIXED_TIME = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
_BAND_COLOURS = ("#C6EFCE", "#E2EFDA", "#FFEB9C", "#FCE4D6", "#FFC7CE")  # best → worst
_DASH = "—"


def render_xlsx(view: ReportData) -> bytes:
    """The workbook's bytes; the same campaign JSON gives the same bytes (fixed creation time)."""
    out = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="parrules-xlsx-") as scratch:
        book = xlsxwriter.Workbook(out, {"constant_memory": True, "tmpdir": scratch,
                                         "strings_to_formulas": False, "strings_to_numbers": False,
                                         "strings_to_urls": False})
        # Same data, same bytes: the workbook's creation time would otherwise be the moment of rendering.
        book.set_properties({"created": _FIXED_TIME, "title": title_block(view.data).title})
        workbook = _Workbook(book, view.data)
        workbook.fill()
        book.close()
    return insert_rows(out.getvalue(), workbook.spliced, workbook.strings) if workbook.spliced else out.getvalue()


def _number_format(decimals: int, signed: bool = False) -> str:
    plain = "0." + "0" * decimals if decimals else "0"
    return f"+{plain};-{plain};{plain}" if signed else plain


def _width(header: str, texts: Iterable[str], cap: int, least: int = 6) -> int:
    """A column as wide as its longest text (up to `cap`) or the longest word of its wrapped header."""
    longest = max((len(t) for t in texts), default=0)
    return max(least, min(cap, longest), *(len(w) for w in header.split())) + 2


def _set_rounding(decimals: int, mode: str) -> Callable[[Any], Decimal]:
    """A JSON number (a Decimal, or an int where the file had no decimals) rounded as the set rounds."""
    rnd = rounder(decimals, mode)
    return lambda value: rnd(value if type(value) is Decimal else Decimal(value))

class _Column:
    """A column of a sheet: its header, how its cells are written, its width."""

    __slots__ = ("header", "kind", "value", "width")

    def __init__(self, header: str, kind: str, value: Callable[[Any], Any], width: int = 0) -> None:
        self.header, self.kind, self.value, self.width = header, kind, value, width


class _Workbook:
    def __init__(self, book: Any, data: Mapping[str, Any]) -> None:
        self.book, self.data = book, data
        voice = current_voice()
        self.language = voice.language
        # A cell shows its number with the set's decimals, but Excel would round the exact value its own
        # way (half away from zero): the value is rounded first as the set rounds, so a cell never says
        # 1,73 where the set rounding down says 1,72 (and the explanation beside it says so).
        self.rounded = {kind: _set_rounding(decimals, voice.mode) for kind, decimals in (
            ("points", voice.decimals), ("spoints", voice.decimals),
            ("pct", voice.percent_decimals), ("spct", voice.percent_decimals))}
        made: dict[tuple[tuple[str, Any], ...], Any] = {}

        def add(properties: dict[str, Any]) -> Any:
            # One object per distinct format ("pct" is "points" when the decimals agree): XlsxWriter gives
            # an index only to the first of identical formats, and the rows written as XML name the index.
            key = tuple(sorted(properties.items()))
            if key not in made:
                made[key] = book.add_format(properties)
            return made[key]
        self.f = {
            "title": add({"bold": True, "font_size": 14, "text_wrap": True, "valign": "top"}),
            "note": add({"text_wrap": True, "valign": "top"}),
            "bold": add({"bold": True}),
            "header": add({"bold": True, "text_wrap": True, "valign": "vcenter", "align": "center",
                           "border": 1, "bg_color": "#DDEBF7"}),
            "text": None, "int": None, "band": None,
            "points": add({"num_format": _number_format(voice.decimals)}),
            "pct": add({"num_format": _number_format(voice.percent_decimals)}),
            "spoints": add({"num_format": _number_format(voice.decimals, signed=True)}),
            "spct": add({"num_format": _number_format(voice.percent_decimals, signed=True)}),
            "sint": add({"num_format": "+0;-0;0"}),
            "date": add({"num_format": "dd/mm/yyyy" if voice.language == "vi" else "d mmm yyyy", "align": "left"}),
            "dash": add({"align": "right"}),
            # the detail's final points: a number, or the status where there is none, to the right alike
            "final": add({"num_format": _number_format(voice.decimals), "align": "right"}),
        }
        self.spliced: dict[int, SheetRows] = {}  # sheets whose rows are added after XlsxWriter is done
        self.strings = SharedStrings()  # the texts their cells share
        self.views = unit_views(data)
        self.cohorts = list(cohorts(data, self.views))
        self.ordered = [u for _, units in self.cohorts for u in units]
        self.raw = {u["unit"]["code"]: u for u in data.get("units", ())}
        self.criteria = criteria_of(data)
        self.bands = band_names(data)
        self.previous = has_previous(data)

    def fill(self) -> None:
        banner = incomplete_banner(self.data)
        if banner:  # first, before any ranking: this workbook is not one to publish as it is
            note = self.book.add_worksheet(say("xlsx.sheet.incomplete"))
            note.set_column(0, 0, 120)
            note.write_string(0, 0, banner, self.f["bold"])
            for i, unit in enumerate((u for u in self.ordered if u.incomplete), start=2):
                note.write_string(i, 0, f"{unit.code} {unit.name}: {unit_status_text(unit)}")
        self.ranking()
        self.band_sheet()
        self.detail()
        self.appraisals()
        self.flags()
        self.revision()

    # --- helpers --------------------------------------------------------------------------------

    def sheet(self, title: str, columns: Sequence[_Column], *, preamble: Sequence[str] = (), frozen_columns: int = 2,
              rows: int = 0) -> tuple[Any, int]:
        """A sheet with its title block (`preamble`: the title, then notes), header row, widths, frozen
        panes, autofilter and print setup; returns it with the header's row."""
        ws = self.book.add_worksheet(title)
        last = len(columns) - 1
        for i, column in enumerate(columns):
            ws.set_column(i, i, column.width or _width(column.header, (), 12))
        for i, line in enumerate(preamble):  # rows go out in order (constant_memory): the title block first
            ws.set_row(i, 40 if i == 0 else 15 * max(1, -(-len(line) // max(1, self.row_width(columns)))))
            ws.merge_range(i, 0, i, max(last, 1), line, self.f["title" if i == 0 else "note"])
        header_row = len(preamble) + 1 if preamble else 0
        ws.set_row(header_row, 15 * max(1, max(_lines(c) for c in columns)))
        for i, column in enumerate(columns):
            ws.write_string(header_row, i, column.header, self.f["header"])
        last_row = header_row + max(rows, 1)
        ws.freeze_panes(header_row + 1, frozen_columns)
        ws.autofilter(header_row, 0, last_row, last)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)  # one page wide, as many pages long as it takes
        ws.repeat_rows(header_row)
        ws.print_area(0, 0, last_row, last)
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
        ws.set_footer("&C" + say("xlsx.footer"))
        # The dash's format, on the (empty) column past the last: a format no cell XlsxWriter writes uses
        # is not in the workbook's styles, and the rows, written after, name it.
        ws.set_column(last + 1, last + 1, None, self.f["dash"])
        return ws, header_row

    @staticmethod
    def row_width(columns: Sequence[_Column]) -> int:
        """About how many characters a merged row of the title block holds."""
        return sum(c.width or 12 for c in columns)

    def add_rows(self, ws: Any, header_row: int, columns: Sequence[_Column], items: Sequence[Any]) -> None:
        """The rows of a sheet (a row per item, below its header), made as XML text (`sheet_xml`) once
        XlsxWriter has closed the workbook: a None is a dash, a text stays text (an empty one is no
        cell), a date is a date, a number a number in its column's format, rounded as the set rounds."""
        for i, column in enumerate(columns):  # the formats, on the columns: the rows name them by index
            if self.f.get(column.kind) is not None:
                ws.set_column(i, i, column.width or _width(column.header, (), 12), self.f[column.kind])
        if items:
            self.spliced[ws.index] = SheetRows(self.rows_xml(columns, items, header_row + 1),
                                               header_row + len(items), len(columns) - 1)

    def rows_xml(self, columns: Sequence[_Column], items: Sequence[Any], first: int) -> Iterator[str]:
        """`add_rows`' rows as XML, from the (0-based) row `first` on; made as the workbook is copied."""
        dash = f' s="{_style(self.f["dash"])}" t="inlineStr">{text_xml(_DASH)}</c>'
        shared = self.strings.cell
        kinds = [(column_letter(i), column.value, self.rounded.get(column.kind),
                  "" if self.f.get(column.kind) is None else f' s="{_style(self.f[column.kind])}"')
                 for i, column in enumerate(columns)]
        for r, item in enumerate(items, start=first + 1):
            row = [f'<row r="{r}">']
            for letter, value_of, rounded, style in kinds:
                value = value_of(item)
                if value is None:
                    row.append(f'<c r="{letter}{r}"{dash}')
                elif isinstance(value, str):
                    if value:
                        row.append(f'<c r="{letter}{r}"{shared(value)}</c>')
                elif isinstance(value, datetime.date):
                    row.append(f'<c r="{letter}{r}"{style}><v>{_excel_day(value)}</v></c>')
                else:
                    row.append(f'<c r="{letter}{r}"{style}><v>{rounded(value) if rounded else _number_text(value)}</v></c>')
            row.append("</row>")
            yield "".join(row)

    # --- the ranking matrix ---------------------------------------------------------------------

    def ranking_columns(self) -> list[_Column]:
        fields = [c for c in self.data["criteria_set"].get("criteria", []) if c.get("depth") == 0]
        names = [u.name for u in self.ordered]
        cols = [_Column(say("report.col.cohort"), "text", lambda u: cohort_label(u.cohort),
                        _width("", (cohort_label(n) for n, _ in self.cohorts), 20)),
                _Column(say("report.col.rank"), "int", lambda u: u.rank, 8),
                _Column(say("report.col.rank_of"), "int", lambda u: u.rank_of, 8),
                _Column(say("report.col.unit_code"), "text", lambda u: u.code, _width("", (u.code for u in self.ordered), 14)),
                _Column(say("report.col.unit_name"), "text", lambda u: u.name, _width("", names, 45, 16))]
        for f in fields:
            cols.append(_Column(f"{f['code']}. {f.get('name', '')}", "points", _field_getter(f["code"]), 12))
        cols.append(_Column(say("report.col.total"), "points", lambda u: u.total, 10))
        one_column = index_is_total(self.data, self.ordered)
        if not one_column:
            total = Decimal(str(self.data["criteria_set"].get("total_points", 100)))
            if any(u.applicable_max is not None and u.applicable_max != total for u in self.ordered):
                cols.append(_Column(say("report.col.applicable_max"), "points", lambda u: u.applicable_max, 10))
            cols.append(_Column(say("report.col.index"), "pct", lambda u: u.index, 10))
        band_texts = [self.bands.get(b, b) for b in self.bands]
        cols.append(_Column(say("report.col.band"), "band", lambda u: self.bands.get(u.band, u.band) if u.band else None,
                            _width("", band_texts, 30, 8)))
        if self.previous:
            cols += [
                _Column(say("report.col.previous_total"), "points", lambda u: u.total_change.previous, 11),
                _Column(say("report.col.previous_rank"), "int", lambda u: u.rank_change.previous, 10),
            ]
            if any(u.previous_band for u in self.ordered):  # last year's set may have had no bands
                cols.append(_Column(say("report.col.previous_band"), "text",
                                    lambda u: self.bands.get(u.previous_band, u.previous_band) if u.previous_band else None,
                                    _width("", band_texts, 30, 10)))
            cols.append(_Column(say("report.col.total_change"), "spoints", lambda u: u.total_change.change, 12))
            if not one_column:
                cols.append(_Column(say("report.col.index_change"), "spct", lambda u: u.index_change.change, 13))
            cols.append(_Column(say("report.col.rank_change"), "sint", lambda u: u.rank_change.change, 12))
        statuses = [unit_status_text(u) for u in self.ordered]
        cols.append(_Column(say("report.col.status"), "text", unit_status_text, _width("", statuses, 40, 8)))
        return cols

    def ranking(self) -> None:
        block = title_block(self.data)
        cols = self.ranking_columns()
        lines = [say("report.set", name=block.set_name)] if block.set_name and block.set_name != block.title else []
        lines += [f"{say('report.legal_basis.heading')}: {basis}" for basis in block.legal_basis]
        period = say("report.period", period=block.period) if block.period else ""
        if block.date:
            period = (period + "; " if period else "") + say("report.date", day=block.date)
        lines += [period] if period else []
        change = revision(self.data)
        if change is not None:
            lines.append(say("report.compared_with", previous_set=change.previous_set or _DASH))
        ws, header_row = self.sheet(say("xlsx.sheet.ranking"), cols, preamble=[block.title, *lines], frozen_columns=5,
                                    rows=len(self.ordered))
        self.add_rows(ws, header_row, cols, self.ordered)
        band_col = next(i for i, c in enumerate(cols) if c.kind == "band")
        self.colour_bands(ws, header_row + 1, header_row + max(len(self.ordered), 1), band_col)
        for i, column in enumerate(cols):
            if column.kind in ("spoints", "spct", "sint"):
                ws.conditional_format(header_row + 1, i, header_row + max(len(self.ordered), 1), i, {
                    "type": "icon_set", "icon_style": "3_arrows",
                    "icons": [{"criteria": ">", "type": "number", "value": 0},
                              {"criteria": ">=", "type": "number", "value": 0}]})

    def colour_bands(self, ws: Any, first: int, last: int, column: int) -> None:
        """Each band's cells in its colour, best green to worst red, in the bands' order."""
        ordered = bands_in_order(self.data)
        for i, band in enumerate(ordered):
            step = 0 if len(ordered) == 1 else round(i * (len(_BAND_COLOURS) - 1) / (len(ordered) - 1))
            name = self.bands[band["code"]].replace('"', '""')
            ws.conditional_format(first, column, last, column, {
                "type": "cell", "criteria": "==", "value": f'"{name}"',
                "format": self.book.add_format({"bg_color": _BAND_COLOURS[step]})})

    # --- bands and their chart ------------------------------------------------------------------

    def band_sheet(self) -> None:
        """Units per band and cohort, and a chart of it: the distribution is what a chart shows best."""
        stats = [(name, next((c.get("statistics") or {} for c in self.data.get("cohorts", ()) if c["name"] == name), {}))
                 for name, _ in self.cohorts]
        rows: list[tuple[str, str]] = [(b["code"], self.bands[b["code"]]) for b in bands_in_order(self.data)]
        for extra, key in (("none", "report.band.none"), ("incomplete", "report.band.incomplete")):
            if any((s.get("band_counts") or {}).get(extra) for _, s in stats):
                rows.append((extra, say(key)))
        cols = [_Column(say("report.col.band"), "text", lambda row: row[1], _width("", (r[1] for r in rows), 40, 10))]
        for i, (name, _) in enumerate(stats):
            label = cohort_label(name)
            cols.append(_Column(f"{label}: {say('report.col.count')}", "int",
                                lambda row, i=i: row[2][i][0], _width(label, (), 12)))
            cols.append(_Column(f"{label}: {say('report.col.share')}", "pct",
                                lambda row, i=i: row[2][i][1], _width(label, (), 12)))
        table = []
        for code, label in rows:
            cells = []
            for _, s in stats:
                count = int((s.get("band_counts") or {}).get(code, 0))
                units = int(s.get("units") or 0)
                share = round_to(Decimal(count) * 100 / units, current_voice().percent_decimals) if units else None
                cells.append((count, share))
            table.append((code, label, cells))
        ws, header_row = self.sheet(say("xlsx.sheet.bands"), cols, frozen_columns=1, rows=len(table))
        self.add_rows(ws, header_row, cols, table)
        if not table or not stats:  # no cohort (a hand-made JSON): a chart of no series cannot be drawn
            return
        chart = self.book.add_chart({"type": "column"})
        sheet = say("xlsx.sheet.bands")
        for i, (name, _) in enumerate(stats):
            chart.add_series({"name": cohort_label(name), "categories": [sheet, 1, 0, len(table), 0],
                              "values": [sheet, 1, 1 + 2 * i, len(table), 1 + 2 * i],
                              "data_labels": {"value": True}})
        chart.set_title({"name": say("xlsx.chart.bands")})
        chart.set_legend({"position": "bottom" if len(stats) > 1 else "none"})
        chart.set_y_axis({"name": say("report.col.count"), "major_gridlines": {"visible": True}})
        ws.insert_chart(len(table) + 2, 0, chart, {"x_scale": 1.4, "y_scale": 1.2})

    # --- per criterion ---------------------------------------------------------------------------

    def detail(self) -> None:
        """A row per unit and criterion: the hot path of a large campaign. XlsxWriter makes the sheet
        and its header; the rows are made here as XML text (`sheet_xml`), the labels and the
        criteria's cells made once, and put into the workbook once it is closed."""
        crit_names = {code: str(c.get("name", "")) for code, c in self.criteria.items()}
        maxima = {code: c.get("max_points") for code, c in self.criteria.items()}
        units = [(u, self.raw[u.code]) for u in self.ordered]
        cols = [_Column(say("report.col.unit_code"), "text", str, _width("", (u.code for u, _ in units), 14)),
                _Column(say("report.col.unit_name"), "text", str, _width("", (u.name for u, _ in units), 40, 16)),
                _Column(say("report.col.criterion_code"), "text", str, _width("", crit_names, 12)),
                _Column(say("report.col.criterion"), "text", str, _width("", crit_names.values(), 60, 16)),
                _Column(say("report.col.max"), "points", str, 9),
                _Column(say("report.col.self"), "points", str, 10),
                _Column(say("report.col.computed"), "points", str, 11),
                _Column(say("report.col.final"), "final", str, 12),
                _Column(say("report.col.stage"), "text", str, 22),
                _Column(say("report.col.status"), "text", str, 16),
                _Column(say("report.col.explanation"), "text", str, 80)]
        if self.previous:
            cols += [_Column(say("report.col.previous_points"), "points", str, 11),
                     _Column(say("report.col.total_change"), "spoints", str, 12)]
        count = sum(len(raw.get("leaves", ())) for _, raw in units)
        ws, header_row = self.sheet(say("xlsx.sheet.detail"), cols, frozen_columns=4, rows=count)
        for i, column in enumerate(cols):  # the numbers' formats, on the columns: the rows name them by index
            if column.kind != "text":
                ws.set_column(i, i, column.width, self.f[column.kind])
        self.spliced[ws.index] = SheetRows(self.detail_rows(units, crit_names, maxima, header_row + 1),
                                           header_row + count, len(cols) - 1)

    def detail_rows(self, units: list[tuple[UnitView, Mapping[str, Any]]], crit_names: Mapping[str, str],
                    maxima: Mapping[str, Any], first: int) -> Iterator[str]:
        """The detail sheet's rows as XML, from its `first` (0-based) row on; made while the workbook is
        copied, after XlsxWriter has given each format its index."""
        points, final = _style(self.f["points"]), _style(self.f["final"])
        spoints = _style(self.f["spoints"]) if self.previous else None  # the change on last year's points
        rnd = self.rounded["points"]
        numbers: dict[Any, str] = {}  # a value's text, rounded as the set rounds: values repeat

        def number(value: Any) -> str:
            text = numbers.get(value)
            if text is None:
                text = numbers[value] = str(rnd(value))
            return text
        strings = self.strings
        shared = strings.cell
        statuses = {s: status_label(s) for s in ("full", "partial", "zero", *NOT_A_FIGURE)}
        dash = text_xml(_DASH)
        criteria = {code: (code, crit_names.get(code, ""),
                           "" if maxima.get(code) is None else f'<c r="E%d" s="{points}"><v>{number(maxima[code])}</v></c>')
                    for code in crit_names}
        stages: dict[tuple[Any, int], str] = {}
        previous = self.previous
        number_of = numbers.get
        r = first
        for unit, raw in units:
            code, name = unit.code, unit.name
            changes = (raw.get("yoy") or {}).get("criteria") or {} if previous else {}
            for leaf in raw.get("leaves", ()):
                r += 1
                get = leaf.get
                c = leaf["code"]
                c_code, c_name, c_max = criteria.get(c) or (c, "", "")
                status = get("status", "")
                label = statuses.get(status) or str(status)
                rounds = get("appraisals")
                key = (get("final_stage"), rounds[-1].get("round", 1) if rounds else 0)
                stage = stages.get(key)
                if stage is None:
                    stage = stages[key] = stage_label(*key)
                row = [f'<row r="{r}"><c r="A{r}"{shared(code)}</c><c r="B{r}"{shared(name)}</c>'
                       f'<c r="C{r}"{shared(c_code)}</c><c r="D{r}"{shared(c_name)}</c>']
                if c_max:
                    row.append(c_max % r)
                if (v := get("self_points")) is not None:
                    row.append(f'<c r="F{r}" s="{points}"><v>{number_of(v) or number(v)}</v></c>')
                if (v := get("computed_points")) is not None:
                    row.append(f'<c r="G{r}" s="{points}"><v>{number_of(v) or number(v)}</v></c>')
                if status in NOT_A_FIGURE:
                    row.append(f'<c r="H{r}" s="{final}"{shared(label)}</c>')
                elif (v := get("final_points")) is not None:
                    row.append(f'<c r="H{r}" s="{final}"><v>{number_of(v) or number(v)}</v></c>')
                else:
                    row.append(f'<c r="H{r}" s="{final}" t="inlineStr">{dash}</c>')
                row.append(f'<c r="I{r}"{shared(stage)}</c><c r="J{r}"{shared(label)}</c>')
                if text := get("explanation"):
                    row.append(f'<c r="K{r}"{shared(text)}</c>')
                if previous and (moved := changes.get(c)):
                    if (v := moved.get("previous")) is not None:
                        row.append(f'<c r="L{r}" s="{points}"><v>{number(v)}</v></c>')
                    if (v := moved.get("change")) is not None:
                        row.append(f'<c r="M{r}" s="{spoints}"><v>{number(v)}</v></c>')
                row.append("</row>")
                yield "".join(row)

    def appraisals(self) -> None:
        """Every appraisal round of every criterion, with the unit's explanation (giải trình)."""
        rows = []
        for unit in self.ordered:
            for item in trail(self.data, self.raw[unit.code], self.criteria, only=_appraised):
                rows += [(unit, item, rnd) for rnd in item.rounds]
        cols = [_Column(say("report.col.unit_code"), "text", lambda t: t[0].code, _width("", (t[0].code for t in rows), 14)),
                _Column(say("report.col.unit_name"), "text", lambda t: t[0].name, _width("", (t[0].name for t in rows), 40, 16)),
                _Column(say("report.col.criterion_code"), "text", lambda t: t[1].code, 12),
                _Column(say("report.col.criterion"), "text", lambda t: t[1].name, _width("", (t[1].name for t in rows), 50, 16)),
                _Column(say("report.col.round"), "int", lambda t: t[2].round, 10),
                _Column(say("report.col.appraised"), "points",
                        lambda t: status_label("not_applicable") if t[2].not_applicable else t[2].points, 11),
                _Column(say("report.col.reason"), "text", lambda t: t[2].reason, _width("", (t[2].reason for t in rows), 60, 12)),
                _Column(say("report.col.by"), "text", lambda t: t[2].by, _width("", (t[2].by for t in rows), 30, 12)),
                _Column(say("report.col.at"), "date", lambda t: t[2].at, 12),
                _Column(say("report.col.response"), "text", lambda t: t[2].response,
                        _width("", (t[2].response for t in rows), 60, 16))]
        ws, header_row = self.sheet(say("xlsx.sheet.appraisals"), cols, frozen_columns=3, rows=len(rows))
        self.add_rows(ws, header_row, cols, rows)

    def flags(self) -> None:
        """The flags for appraisers: a row per flag, which at 10,000 units is tens of thousands of rows of
        text, so they are written as XML text like the detail's (`sheet_xml.text_rows`)."""
        rows = [(unit, leaf["code"], flag) for unit in self.ordered for leaf in self.raw[unit.code].get("leaves", ())
                for flag in leaf.get("flags") or ()]
        cols = [_Column(say("report.col.unit_code"), "text", lambda t: t[0].code, _width("", (t[0].code for t in rows), 14)),
                _Column(say("report.col.unit_name"), "text", lambda t: t[0].name, _width("", (t[0].name for t in rows), 40, 16)),
                _Column(say("report.col.criterion_code"), "text", lambda t: t[1], 12),
                _Column(say("report.col.flag"), "text", lambda t: flag_label(t[2]["kind"]), 34),
                _Column(say("report.col.message"), "text", lambda t: str(t[2].get("message", "")),
                        _width("", (str(t[2].get("message", "")) for t in rows), 80, 16))]
        ws, header_row = self.sheet(say("xlsx.sheet.flags"), cols, frozen_columns=3, rows=len(rows))
        labels: dict[str, str] = {}

        def texts(row: tuple[UnitView, str, Mapping[str, Any]]) -> tuple[str, ...]:
            kind = row[2]["kind"]
            label = labels.get(kind)
            if label is None:
                label = labels[kind] = flag_label(kind)
            return row[0].code, row[0].name, row[1], label, str(row[2].get("message", ""))
        if rows:
            self.spliced[ws.index] = SheetRows(text_rows(map(texts, rows), header_row + 1, self.strings), header_row + len(rows),
                                               len(cols) - 1)

    def revision(self) -> None:
        """After a revision of the set: last year's criteria that are gone and this year's new ones."""
        change = revision(self.data)
        if change is None or not (change.removed or change.added):
            return
        rows = [(say("xlsx.revision.removed"), code, "") for code in change.removed]
        rows += [(say("xlsx.revision.added"), code, name) for code, name in change.added]
        cols = [_Column(say("xlsx.revision.change"), "text", lambda t: t[0], _width("", (t[0] for t in rows), 60)),
                _Column(say("report.col.criterion_code"), "text", lambda t: t[1], 12),
                _Column(say("report.col.criterion"), "text", lambda t: t[2], _width("", (t[2] for t in rows), 60, 16))]
        ws, header_row = self.sheet(say("xlsx.sheet.revision"), cols, frozen_columns=0, rows=len(rows))
        self.add_rows(ws, header_row, cols, rows)


def _field_getter(code: str) -> Callable[[UnitView], Any]:
    def value(unit: UnitView) -> Any:
        found = unit.field(code)
        if found is None:
            return None
        return found.points if found.applicable else field_points_text(found)
    return value


def _style(fmt: Any) -> int:
    """The index XlsxWriter gave a format when it closed the workbook (a format a column or a cell of its
    own uses; see `_Workbook.add_rows`)."""
    if fmt.xf_index is None:
        raise RuntimeError("an XLSX format is named by rows but used by no column or cell XlsxWriter wrote")
    return int(fmt.xf_index)


def _excel_day(value: datetime.date) -> int:
    """A day as Excel numbers it (1 = 1 January 1900), counting the 29 February 1900 Excel believes in."""
    serial = (datetime.date(value.year, value.month, value.day) - datetime.date(1899, 12, 31)).days
    return serial + 1 if serial > 59 else serial


def _number_text(value: Any) -> str:
    """A number that is not rounded (a count, a rank) as a cell's value."""
    return str(value) if isinstance(value, (int, Decimal)) and not isinstance(value, bool) else f"{float(value):.16G}"


def _lines(column: _Column) -> int:
    """How many lines the wrapped header takes at the column's width."""
    width = max(column.width - 2, 1)
    return min(6, max(1, -(-len(column.header) // width)))



def _appraised(leaf: Mapping[str, Any]) -> bool:
    return bool(leaf.get("appraisals"))
