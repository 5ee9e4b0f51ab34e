"""The HTML report: Jinja2 templates with autoescaping, charts as inline SVG, no script, no network.

A department publishes this page, so it must show the same everywhere and run nothing: styles are
inline, charts are SVG drawn by the templates from numbers worked out here, and every text from a
set, a submission or a plugin is escaped by Jinja2's autoescape — a unit named `<script>…` is shown
as text. The templates (`templates/`) hold all the markup; `base.html` is the page skeleton the
service's pages will share.

What a reader sees is the ranking first: one wide table per cohort (the unit's name stays in view
while the field columns scroll on a phone), with last year beside this year when there is one, the
charts that say what the table cannot (how the index is spread, which fields are weak across units,
how units moved), then each unit in a collapsed block with every criterion and its appraisal trail.

A small campaign is one file. A large one would not be: 10,000 units of detail are hundreds of
megabytes, which no browser opens and no one mails. So the detail goes to pages of its own once the
whole report would pass `ONE_FILE_UP_TO`, and the report becomes a folder (`ReportFiles`): the main
page (`index.html`: summary, charts, ranking) and `units/NNN.html`, each at most about
`DETAIL_PAGE_UP_TO`, linked both ways. Texts come from the message catalogue in the current voice;
numbers are rounded as the set declares.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache
from typing import Any

import jinja2
from markupsafe import Markup

from parrules.amounts import to_decimal
from parrules.messages import current_voice, say
from parrules.messages.numbers import format_number
from parrules.reports import ReportFiles
from parrules.reports.common import ReportData
from parrules.reports.views import (
    CriterionTrail,
    UnitView,
    band_names,
    bands_in_order,
    cohort_label,
    cohorts,
    criteria_of,
    field_points_text,
    fields_of,
    flag_label,
    has_previous,
    incomplete_banner,
    index_change_text,
    index_is_total,
    leaf_points_text,
    percent_text,
    points_change_text,
    points_text,
    rank_change_text,
    report_voice,
    revision,
    signed_number,
    stage_label,
    status_label,
    title_block,
    trail,
    unit_status_text,
    unit_views,
)

ONE_FILE_UP_TO = 12 * 2**20
"""Bytes: a report up to this size is one file with every unit's detail inline."""

DETAIL_PAGE_UP_TO = 4 * 2**20
"""Bytes of unit detail per page when the detail has pages of its own (a page holds one unit at least)."""

MAIN_PAGE = "index.html"
DETAIL_FOLDER = "units"

HEAT = (("h1", None, Decimal(50)), ("h2", Decimal(50), Decimal(65)), ("h3", Decimal(65), Decimal(80)),
        ("h4", Decimal(80), Decimal(90)), ("h5", Decimal(90), None))
"""The heat map's classes: a field's points as a share of its maximum, in five steps (CSS colours them)."""

# Chart geometry, in SVG user units (the charts are 640 wide and scale to their column, see report.css).
_PLOT_LEFT, _PLOT_RIGHT = 36, 600


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The templates, autoescaped (every value is HTML-escaped unless it is already markup).

    `say` and the number filters are globals, so a template writes every text and figure in the voice
    the report is rendered in; undefined names fail loudly instead of printing nothing."""
    env = jinja2.Environment(loader=jinja2.PackageLoader("parrules.reports", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    env.globals.update(say=say, cohort_label=cohort_label, status_label=status_label, stage_label=stage_label,
                       flag_label=flag_label, leaf_points_text=leaf_points_text, field_points_text=field_points_text,
                       points_change_text=points_change_text, index_change_text=index_change_text,
                       rank_change_text=rank_change_text, signed_count=_signed_count,
                       share_ticks=[(_x(Decimal(v), Decimal(0), Decimal(100)), v) for v in range(0, 101, 20)],
                       plot=(_PLOT_LEFT, _PLOT_RIGHT))
    env.filters.update(points=points_text, pct=percent_text, signed=signed_number, signed_pct=_signed_percent,
                       count=_count, number=_number)
    return env


# --- numbers: the views' formatting; a dash for no figure, never 0 -----------------------------------

def _signed_percent(value: Any) -> str:
    return signed_number(value, percent=True)


def _count(value: Any) -> str:
    return "—" if value is None else format_number(int(value), 0, current_voice().language)


def _number(value: Any) -> str:
    """A number as exact as it is (chart axes: 55, 2,5), in the reader's style."""
    return format_number(to_decimal(value), None, current_voice().language)


def _signed_count(value: int | None) -> str:
    return "—" if value is None else ("+" if value > 0 else "−" if value < 0 else "±") + _count(abs(value))


def heat_class(percent: Decimal | None) -> str:
    """The heat map's class of a field's share of its maximum ('' when there is no share)."""
    if percent is None:
        return ""
    for css, low, high in HEAT:
        if (low is None or percent >= low) and (high is None or percent < high):
            return css
    return ""  # pragma: no cover - the steps cover every number


# --- the page model: what the templates draw ----------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Bar:
    """One bar of the band chart: a band (or no band / incomplete), its count and share of the cohort."""

    label: str
    count: int
    share: Decimal | None
    width: float
    css: str


@dataclass(frozen=True, slots=True)
class Bin:
    """One bar of a histogram, laid out: the range it counts, the count, where it is drawn."""

    low: Decimal
    high: Decimal
    count: int
    x: float
    width: float
    height: float
    css: str = ""


@dataclass(frozen=True, slots=True)
class Histogram:
    """A histogram laid out: its bars, the axis ticks, the dashed lines (band thresholds, zero)."""

    bins: tuple[Bin, ...]
    ticks: tuple[tuple[float, Decimal, bool], ...]  # x, value, whether a phone leaves its label out
    lines: tuple[tuple[float, str], ...]  # x, label
    step: Decimal
    plot_height: int


@dataclass(frozen=True, slots=True)
class Spread:
    """One field across the cohort's units: lowest, quartiles, median, highest share of its maximum."""

    code: str
    name: str
    units: int
    low: Decimal
    q1: Decimal
    median: Decimal
    q3: Decimal
    high: Decimal
    x: tuple[float, float, float, float, float]
    weakest: bool


@dataclass(frozen=True, slots=True)
class FieldMove:
    """A field's mean change in share of its maximum across the units compared with last year."""

    code: str
    name: str
    units: int
    mean: Decimal
    x: float
    width: float
    css: str


@dataclass(frozen=True, slots=True)
class Movement:
    """How a cohort's units moved on last year: the index change histogram, counts, fields, bands."""

    histogram: Histogram | None
    up: int
    down: int
    same: int
    without: int
    fields: tuple[FieldMove, ...]
    zero_x: float
    bands: tuple[str, ...]  # the transition table's columns: this year's bands (and no band)
    transitions: tuple[tuple[str, tuple[int, ...]], ...]  # previous band label, count per current band


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    css: str


@dataclass(frozen=True, slots=True)
class Row:
    """One unit in the ranking table."""

    unit: UnitView
    href: str
    band: str
    previous_band: str
    fields: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class Cohort:
    key: str
    name: str
    units: int
    ranked: int
    mean_index: Decimal | None
    median_index: Decimal | None
    bands: tuple[Bar, ...]
    index: Histogram | None
    spread: tuple[Spread, ...]
    movement: Movement | None
    rows: tuple[Row, ...]


@dataclass(frozen=True, slots=True)
class DetailPage:
    """A page of unit detail in a report that is a folder: its file, its units' names (first, last)."""

    number: int
    path: str
    first: str
    last: str
    units: int


class _Report:
    """The campaign JSON read once into what the templates show (views from `parrules.reports.views`)."""

    def __init__(self, view: ReportData) -> None:
        self.data = data = view.data
        self.fields = fields_of(data)
        self.criteria = criteria_of(data)
        self.views = unit_views(data)
        self.band_names = band_names(data)
        self.bands = bands_in_order(data)
        self.previous = has_previous(data)
        self.previous_bands = any(u.previous_band for u in self.views.values())  # none when last year had no bands
        self.revision = revision(data)
        self.show_index = not index_is_total(data, self.views.values())
        self.anchors = {u["unit"]["code"]: f"u{i}" for i, u in enumerate(data.get("units", ()), start=1)}
        self.raw = {u["unit"]["code"]: u for u in data.get("units", ())}
        self.cohorts = [(name, units) for name, units in cohorts(data, self.views)]
        self.title_block = title_block(data)
        self.total_points = _decimal(data["criteria_set"].get("total_points"))
        self.generator = str(data.get("generator") or "parrules")
        stats = data.get("statistics") or {}
        self.stats = {"units": len(self.views), "ranked": int(stats.get("ranked", 0)),
                      "mean": _decimal(stats.get("mean_index")), "median": _decimal(stats.get("median_index"))}
        self.banner = incomplete_banner(data)

    def band_label(self, code: str | None) -> str:
        """A band by the name the set gives it; no band is said as such (a set without bands: a dash)."""
        if code is None:
            return say("html.bands.none") if self.bands else "—"
        return self.band_names.get(code, code)

    def unit_band(self, unit: UnitView) -> str:
        """The band column: an incomplete unit shows what is missing, never a band its partial total earns."""
        return "⚠ " + unit_status_text(unit) if unit.incomplete else self.band_label(unit.band)

    # -- the ranking ------------------------------------------------------------------------------------
    def cohort(self, number: int, name: str, units: Sequence[UnitView], href: Mapping[str, str]) -> Cohort:
        """A cohort's section; the charts count complete units only, as the campaign's statistics do."""
        stats = next((c.get("statistics") or {} for c in self.data.get("cohorts", ()) if c["name"] == name), {})
        rows = tuple(self.row(u, href[u.code]) for u in units)
        complete = [u for u in units if not u.incomplete]
        return Cohort(f"c{number}", cohort_label(name), len(units), int(stats.get("ranked", 0)),
                      _decimal(stats.get("mean_index")), _decimal(stats.get("median_index")),
                      self.band_bars(stats.get("band_counts") or {}, len(units)),
                      self.index_histogram(complete), self.spread(complete),
                      self.movement(complete) if self.previous else None, rows)

    def row(self, unit: UnitView, href: str) -> Row:
        """A ranking row; a field with no applicable criterion says "không áp dụng", not 0,00."""
        cells = []
        for f in self.fields:
            node = unit.field(f["code"])
            if node is None:
                cells.append(Cell("—", ""))
            elif not node.applicable:
                cells.append(Cell(say("status.not_applicable"), "hna"))
            else:
                cells.append(Cell(points_text(node.points), heat_class(node.percent)))
        return Row(unit, href, self.unit_band(unit), self.previous_band(unit) or "—", tuple(cells))

    def previous_band(self, unit: UnitView) -> str:
        """Last year's band by this year's name for it ('' when last year gave none or had no bands)."""
        return self.band_names.get(unit.previous_band, unit.previous_band) if unit.previous_band else ""

    def band_bars(self, counts: Mapping[str, int], units: int) -> tuple[Bar, ...]:
        """Bands best first as the set declares them, then units below every band, then incomplete ones."""
        rows = [(self.band_names.get(b["code"], b["code"]), int(counts.get(b["code"], 0)), f"b{i}")
                for i, b in enumerate(self.bands)]
        if counts.get("none"):
            rows.append((say("html.bands.none"), int(counts["none"]), "bnone"))
        if counts.get("incomplete"):
            rows.append((say("html.bands.incomplete"), int(counts["incomplete"]), "bincomplete"))
        top = max([c for _, c, _ in rows] + [1])
        return tuple(Bar(label, count, _share(count, units), round(300 * count / top, 1), css)
                     for label, count, css in rows)

    def index_histogram(self, units: Sequence[UnitView]) -> Histogram | None:
        """How the index is spread, in steps of 5 from 50 (or lower) to 100, with the band thresholds:
        the table lists units one by one, this shows where most of them are and how far from a band."""
        values = [u.index for u in units if u.index is not None]
        if not values:
            return None
        step = Decimal(5)
        low = min(Decimal(math.floor(min(values) / step)) * step, Decimal(50))
        high = max(Decimal(100), Decimal(math.ceil(max(values) / step)) * step)
        edges = _edges(low, high, step)
        counts = [0] * (len(edges) - 1)
        for v in values:
            i = min(int((v - low) // step), len(counts) - 1)
            counts[i] += 1
        lines = tuple((_x(to_decimal(b["from"]), low, high), b["code"]) for b in self.bands
                      if b.get("from") is not None and low < to_decimal(b["from"]) < high)
        return _histogram(edges, counts, lines, step, ["up"] * len(counts))

    def spread(self, units: Sequence[UnitView]) -> tuple[Spread, ...]:
        """Each field's share of its maximum across units (lowest, quartiles, median, highest): which
        fields are weak everywhere and which only for some — what no row of the table shows."""
        out = []
        for f in self.fields:
            shares = sorted(node.percent for u in units if (node := u.field(f["code"])) is not None
                            and node.percent is not None and node.applicable)
            if not shares:
                continue
            five = (shares[0], _quantile(shares, Decimal("0.25")), _quantile(shares, Decimal("0.5")),
                    _quantile(shares, Decimal("0.75")), shares[-1])
            xs = tuple(_x(min(v, Decimal(100)), Decimal(0), Decimal(100)) for v in five)
            out.append(Spread(f["code"], str(f.get("name", "")), len(shares), *five, xs, False))  # type: ignore[arg-type]
        if len(out) > 1:
            weakest = min(out, key=lambda s: (s.median, s.q1))
            out = [replace(s, weakest=True) if s is weakest else s for s in out]
        return tuple(out)

    def movement(self, units: Sequence[UnitView]) -> Movement:
        """How units moved on last year: the index changes binned, the mean change per field, bands."""
        changes = [u.index_change.change for u in units if u.previous_found and u.index_change.change is not None]
        up = sum(1 for c in changes if c > 0)
        down = sum(1 for c in changes if c < 0)
        histogram = _change_histogram(changes) if changes else None
        moves = []
        for f in self.fields:
            found = [fv.percent_change.change for u in units if (fv := u.field(f["code"])) is not None
                     and fv.percent_change.change is not None]
            if found:
                moves.append((f, len(found), _mean(found)))
        reach = max([abs(m) for _, _, m in moves] + [Decimal(1)])
        fields = tuple(FieldMove(f["code"], str(f.get("name", "")), n, m,
                                 *_diverging(m, reach), "up" if m > 0 else "down" if m < 0 else "same")
                       for f, n, m in moves)
        transitions, labels = self.transitions(units)
        return Movement(histogram, up, down, len(changes) - up - down, len(units) - len(changes), fields,
                        _diverging(Decimal(0), reach)[0], labels, transitions)

    def transitions(self, units: Sequence[UnitView]) -> tuple[tuple[tuple[str, tuple[int, ...]], ...], tuple[str, ...]]:
        """Units counted by last year's band (rows) and this year's (columns); none when last year had no
        bands at all. Last year's bands come first in this year's order, then codes a revised set dropped."""
        if not any(u.previous_found and u.previous_band is not None for u in units):
            return (), ()
        codes: list[str | None] = [b["code"] for b in self.bands] + [None]
        labels = tuple(self.band_label(c) for c in codes)
        dropped = sorted({u.previous_band for u in units if u.previous_found and u.previous_band not in codes},
                         key=str)
        rows: list[tuple[str, str | None]] = [(self.band_label(c), c) for c in codes[:-1] + dropped + [None]]
        count: dict[tuple[str | None, str | None], int] = {}
        without = [0] * len(codes)
        for u in units:
            column = codes.index(u.band) if u.band in codes else len(codes) - 1
            if u.previous_found:
                count[(u.previous_band, codes[column])] = count.get((u.previous_band, codes[column]), 0) + 1
            else:
                without[column] += 1
        table = [(label, tuple(count.get((code, c), 0) for c in codes)) for label, code in rows]
        table.append((say("html.transition.no_previous"), tuple(without)))
        return tuple(row for row in table if any(row[1])), labels

    # -- the detail ------------------------------------------------------------------------------------
    def detail(self, unit: UnitView) -> dict[str, Any]:
        """What a unit's block shows: the views of its fields and criteria, its gaps and warnings."""
        raw = self.raw[unit.code]
        gaps = raw.get("gaps") or {}
        targets = []
        for key in ("next_band", "next_rank"):
            target = gaps.get(key)
            if target and target.get("reachable"):
                label = self.band_label(target["label"]) if key == "next_band" else str(target["label"])
                targets.append((key, label, ", ".join(target.get("criteria") or ()), target.get("gain"),
                                target.get("resulting_index")))
        losses = [(loss["code"], str(self.criteria.get(loss["code"], {}).get("name", "")), loss.get("lost"))
                  for loss in (gaps.get("losses") or ())[:5]]
        reasons = {m["code"]: str(m.get("reason") or "") for m in raw.get("incomplete") or ()}
        return {"unit": unit, "anchor": self.anchors[unit.code], "band": self.unit_band(unit),
                "previous_band": self.previous_band(unit),
                "criteria": trail(self.data, raw, self.criteria), "targets": targets, "losses": losses,
                "warnings": [str(w) for w in raw.get("warnings") or ()], "reasons": reasons,
                "previous": self.previous, "show_index": self.show_index}


# --- helpers of the charts ---------------------------------------------------------------------------

def _decimal(value: Any) -> Decimal | None:
    return None if value is None else to_decimal(value)


def _share(count: int, whole: int) -> Decimal | None:
    return None if not whole else Decimal(count) * 100 / whole


def _mean(values: Sequence[Decimal | int]) -> Decimal:
    return sum((Decimal(v) for v in values), Decimal(0)) / len(values)


def _quantile(ordered: Sequence[Decimal], q: Decimal) -> Decimal:
    """The q-quantile of sorted numbers, interpolated between the closest ranks (as a spreadsheet does)."""
    position = (len(ordered) - 1) * q
    below = int(position)
    if below + 1 >= len(ordered):
        return ordered[-1]
    return ordered[below] + (ordered[below + 1] - ordered[below]) * (position - below)


def _x(value: Decimal, low: Decimal, high: Decimal) -> float:
    return round(_PLOT_LEFT + float((value - low) / (high - low)) * (_PLOT_RIGHT - _PLOT_LEFT), 1)


def _edges(low: Decimal, high: Decimal, step: Decimal) -> list[Decimal]:
    edges = [low]
    while edges[-1] < high:
        edges.append(edges[-1] + step)
    return edges


_PLOT_HEIGHT = 160


def _histogram(edges: Sequence[Decimal], counts: Sequence[int], lines: Iterable[tuple[float, str]],
               step: Decimal, css: Sequence[str]) -> Histogram:
    top = max(counts) or 1
    low, high = edges[0], edges[-1]
    bins = tuple(Bin(edges[i], edges[i + 1], n, _x(edges[i], low, high),
                     round(_x(edges[i + 1], low, high) - _x(edges[i], low, high) - 2, 1),
                     round(_PLOT_HEIGHT * n / top, 1), css[i]) for i, n in enumerate(counts))
    every = step * max(1, math.ceil((len(edges) - 1) / 10))
    shown = [e for e in edges if e % every == 0] or [low, high]  # round values: 50, 60 …, or −5, 0, 5 …
    ticks = tuple((_x(e, low, high), e, i % 2 == 1 and len(shown) > 6) for i, e in enumerate(shown))
    return Histogram(bins, ticks, tuple(lines), step, _PLOT_HEIGHT)


_STEPS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10), Decimal(20), Decimal(50))


def _change_histogram(changes: Sequence[Decimal | int]) -> Histogram:
    """Index changes in percentage points, binned symmetrically around 0 (falls left, rises right)."""
    reach = max(abs(Decimal(c)) for c in changes) or Decimal(1)
    step = next((s for s in _STEPS if reach / s <= 8), _STEPS[-1])
    side = Decimal(math.ceil(reach / step)) * step
    edges = _edges(-side, side, step)
    counts = [0] * (len(edges) - 1)
    for c in changes:
        c = Decimal(c)
        i = min(max(int((c + side) // step), 0), len(counts) - 1)
        counts[i] += 1
    css = ["down" if e < 0 else "up" for e in edges[:-1]]
    return _histogram(edges, counts, [(_x(Decimal(0), -side, side), "0")], step, css)


def _diverging(value: Decimal, reach: Decimal) -> tuple[float, float]:
    """x and width of a bar from the middle of the plot: left for a fall, right for a rise."""
    middle = (_PLOT_LEFT + _PLOT_RIGHT) / 2
    length = round(float(abs(value) / reach) * (_PLOT_RIGHT - _PLOT_LEFT) / 2, 1)
    return (round(middle - length, 1) if value < 0 else middle), length


# --- rendering ---------------------------------------------------------------------------------------

def render_html(view: ReportData) -> str:
    """The report as one page, every unit's detail inline (collapsed): any size, in the current voice."""
    return _render(view, one_file_up_to=None)[MAIN_PAGE].decode("utf-8")


def html_report(view: ReportData, *, one_file_up_to: int = ONE_FILE_UP_TO,
                page_up_to: int = DETAIL_PAGE_UP_TO) -> bytes | ReportFiles:
    """The HTML report: one file when it stays under `one_file_up_to` bytes, else a folder (`ReportFiles`)
    of the main page and pages of unit detail of about `page_up_to` bytes each."""
    files = _render(view, one_file_up_to=one_file_up_to, page_up_to=page_up_to)
    return files[MAIN_PAGE] if len(files) == 1 else files


def _render(view: ReportData, *, one_file_up_to: int | None, page_up_to: int = DETAIL_PAGE_UP_TO) -> ReportFiles:
    with report_voice(view.data):
        report = _Report(view)
        env = environment()
        module = env.get_template("unit.html").module
        block, rows = module.unit, _Rows(module.row)  # type: ignore[attr-defined]
        order = [u for _, units in report.cohorts for u in units]
        listed = {u.code for u in order}
        order += [u for code, u in report.views.items() if code not in listed]  # a unit in no cohort
        # Each unit's block is kept as UTF-8 bytes: half the memory of the text, and its size is known.
        blocks = [(unit, str(block(**report.detail(unit), criterion_row=rows)).encode("utf-8")) for unit in order]
        common = {"title": view.title, "lang": current_voice().language, "report": report,
                  "heat": [(css, low, high) for css, low, high in HEAT]}
        main = env.get_template("report.html")
        if one_file_up_to is None or sum(len(b) for _, b in blocks) <= one_file_up_to:
            href = {u.code: "#" + report.anchors[u.code] for u in order}
            page = main.render(**common, cohorts=_cohorts(report, href), pages=())
            return ReportFiles({MAIN_PAGE: _fill(page, [b for _, b in blocks])}, main=MAIN_PAGE)
        pages = _paginate(blocks, page_up_to)
        width = max(3, len(str(len(pages))))
        names = [f"{DETAIL_FOLDER}/{i:0{width}d}.html" for i in range(1, len(pages) + 1)]
        href = {u.code: f"{name}#{report.anchors[u.code]}" for name, chunk in zip(names, pages) for u, _ in chunk}
        listing = tuple(DetailPage(i, name, chunk[0][0].name, chunk[-1][0].name, len(chunk))
                        for i, (name, chunk) in enumerate(zip(names, pages), start=1))
        files = {MAIN_PAGE: main.render(**common, cohorts=_cohorts(report, href),
                                        pages=listing).encode("utf-8")}
        detail = env.get_template("units.html")
        for number, (name, chunk) in enumerate(zip(names, pages)):
            page = detail.render(**common, page=listing[number], pages=listing, root="../")
            files[name] = _fill(page, [b for _, b in chunk])
        return ReportFiles(files, main=MAIN_PAGE)


_BLOCKS = "<!--parrules:units-->"
"""Where a page's template leaves room for the unit blocks, which are joined in as bytes."""


def _fill(page: str, blocks: Sequence[bytes]) -> bytes:
    head, tail = page.split(_BLOCKS)
    return b"".join((head.encode("utf-8"), *blocks, tail.encode("utf-8")))


def _paginate(blocks: Sequence[tuple[UnitView, bytes]], budget: int) -> list[list[tuple[UnitView, bytes]]]:
    """Unit blocks in report order, cut into pages of at most `budget` bytes (one block at least)."""
    pages: list[list[tuple[UnitView, bytes]]] = [[]]
    size = 0
    for unit, text in blocks:
        if pages[-1] and size + len(text) > budget:
            pages.append([])
            size = 0
        pages[-1].append((unit, text))
        size += len(text)
    return pages


class _Rows:
    """A criterion's table row, rendered once per distinct result and then reused.

    Most units of a campaign share most criterion results (the same answer gives the same points and
    explanation), so a 10,000-unit report renders a few ten thousand distinct rows, not 760,000. The
    views are frozen, so a result is its own key; the memory is bounded."""

    LIMIT = 50_000

    def __init__(self, macro: Any) -> None:
        self.macro = macro
        self.made: dict[tuple[CriterionTrail, bool], Markup] = {}

    def __call__(self, item: CriterionTrail, previous: bool) -> Markup:
        key = (item, previous)
        found = self.made.get(key)
        if found is None:
            if len(self.made) >= self.LIMIT:
                self.made.clear()
            found = self.made[key] = self.macro(item, previous)
        return found


def _cohorts(report: _Report, href: Mapping[str, str]) -> list[Cohort]:
    return [report.cohort(i, name, units, href) for i, (name, units) in enumerate(report.cohorts, start=1)]
