"""The terminal's tables: the scores of a run, one unit's criteria, a campaign's ranking.

On a terminal a table is drawn with rich and fits the terminal's width: names and explanations wrap,
figures never wrap nor are cut (when even the figures do not fit, the table is as wide as they need).
Anywhere else — a file, a pipe, a test — it is plain text: no colour, no box drawing, no width limit,
so it can be piped to `grep` and compared line by line. Both measure text as rich does, by its cells
(a Vietnamese combining mark takes none).

Every cell is a text in the current voice (`parrules.messages.speaking`): figures rounded as the set
declares and written as the language writes them, and a criterion whose points are not a figure
(not applicable, not evaluated, errored) shows that label, never 0.00. rich is imported by `draw`
only when a table is drawn, so `parrules --help` does not pay for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from parrules.messages import say

if TYPE_CHECKING:
    from parrules.scoring.results import LeafResult, NodeResult, RunResult, UnitResult
    from parrules.sets.criteria_set import CriteriaSet

_NARROWEST_TEXT = 12  # cells a wrapping column keeps however narrow the terminal


@dataclass(frozen=True, slots=True)
class Column:
    """A column of a terminal table: `figure` is right-aligned and never wrapped or cut; `wrap` may
    wrap onto more lines (names, explanations); other columns (codes, labels) stay on one line."""

    header: str
    figure: bool = False
    wrap: bool = False


def draw(columns: Sequence[Column], rows: Sequence[Sequence[str]], *, width: int | None = None) -> str:
    """The table as text: fitted to a terminal `width` wide, or plain text of any width (None).

    Returned without a trailing newline."""
    if width is None:
        return _plain(columns, rows)
    from io import StringIO

    from rich import box
    from rich.cells import cell_len
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True,
                  header_style="bold", expand=False)
    needed = 0
    for i, column in enumerate(columns):
        widest = max([cell_len(column.header), *(max(map(cell_len, str(r[i]).splitlines() or [""])) for r in rows)])
        if column.wrap:
            least = min(widest, _NARROWEST_TEXT)
            table.add_column(column.header, overflow="fold", min_width=least)
        else:
            least = widest
            table.add_column(column.header, justify="right" if column.figure else "left", no_wrap=True,
                             min_width=widest)
        needed += least + 2
    for row in rows:
        table.add_row(*(Text(str(cell), style="yellow" if str(cell).startswith("⚠") else "") for cell in row))
    out = StringIO()
    console = Console(file=out, width=max(width, needed), force_terminal=True, color_system="standard",
                      highlight=False, markup=False, emoji=False, legacy_windows=False, soft_wrap=False)
    console.print(table)
    return out.getvalue().rstrip("\n")


def _plain(columns: Sequence[Column], rows: Sequence[Sequence[str]]) -> str:
    """The table for a file or a pipe: a line per row, a line of "-" under the header, columns two
    spaces apart, figures right-aligned, nothing wrapped, no trailing spaces.

    Laid out here rather than by rich: with no width to fit there is nothing to lay out but padding,
    and rich takes about a millisecond a row, seconds for the ranking of 10,000 units. Widths are
    rich's own measure of a text's cells (a combining mark takes none, a wide character two)."""
    from rich.cells import cell_len

    texts = [[str(cell) for cell in row] for row in rows]
    widths = [max([cell_len(c.header), *(cell_len(r[i]) for r in texts)]) for i, c in enumerate(columns)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join((" " * (w - cell_len(t)) + t) if c.figure else (t + " " * (w - cell_len(t)))
                         for t, w, c in zip(cells, widths, columns)).rstrip()

    return "\n".join([line([c.header for c in columns]), "  ".join("-" * w for w in widths),
                      *(line(r) for r in texts)])


# -- cells in the current voice ----------------------------------------------------------------------
def band_name(criteria: CriteriaSet, code: str | None) -> str:
    """The name the set gives a band ("Nhóm tương đối cao"), its code when it gives none; a dash for none."""
    if code is None:
        return "—"
    return next((b.name or b.code for b in criteria.meta.bands if b.code == code), code)


def _leaf_points(leaf: LeafResult) -> str:
    """A leaf's points, or its status when they are not a figure (never 0.00 for N/A)."""
    from parrules.reports.views import NOT_A_FIGURE, points_text, status_label

    if leaf.status in NOT_A_FIGURE:
        return status_label(leaf.status)
    return points_text(leaf.final_points)


def _not_a_figure(leaves: Sequence[LeafResult]) -> str | None:
    """The label of a field or node none of whose criteria is a figure, None when some are: an
    error first, then not evaluated, then not applicable."""
    from parrules.reports.views import NOT_A_FIGURE, status_label

    found = {leaf.status for leaf in leaves}
    if not leaves or not found <= set(NOT_A_FIGURE):
        return None
    return status_label(next(s for s in ("error", "not_evaluated", "not_applicable") if s in found))


def _under(code: str, leaves: Sequence[LeafResult]) -> list[LeafResult]:
    prefix = code + "."
    return [leaf for leaf in leaves if leaf.code == code or leaf.code.startswith(prefix)]


def _node_points(node: NodeResult, leaves: Sequence[LeafResult]) -> tuple[str, str]:
    """A node's points and share; its label and a dash when none of its criteria is a figure."""
    from parrules.reports.views import percent_text, points_text

    label = _not_a_figure(_under(node.code, leaves))
    if label is not None:
        return label, "—"
    return points_text(node.points), percent_text(node.percent)


def index_repeats_total(total_points: Decimal, units: Sequence[UnitResult]) -> bool:
    """Whether the index says what the total says for every unit (a 100-point set without N/A): a
    table then shows the total alone, not two identical columns."""
    from parrules.reports.views import index_is_total

    views = [_Figures(u.total_points, u.index) for u in units]
    return index_is_total({"criteria_set": {"total_points": total_points}}, views)


@dataclass(frozen=True, slots=True)
class _Figures:
    """What `views.index_is_total` reads of a unit."""

    total: Decimal | None
    index: Decimal | None


# -- the tables ----------------------------------------------------------------------------------------
def run_table(run: RunResult, criteria: CriteriaSet, *, width: int | None = None) -> str:
    """Every unit of a run: its fields' points, total, index (unless it repeats the total) and band."""
    from parrules.reports.views import percent_text, points_text

    if not run.units:
        return say("cli.table.no_units")
    fields = [f.code for f in run.units[0].fields]
    with_index = not index_repeats_total(run.total_points, run.units)
    columns = [Column(say("cli.table.code")), Column(say("cli.table.unit"), wrap=True),
               *(Column(say("cli.table.field", code=code), figure=True) for code in fields),
               Column(say("cli.table.total"), figure=True),
               *([Column(say("cli.table.index"), figure=True)] if with_index else []),
               Column(say("cli.table.band"), wrap=True)]
    rows = []
    for unit in run.units:
        nodes = {f.code: f for f in unit.fields}
        cells = [_node_points(nodes[code], unit.leaves)[0] if code in nodes else "—" for code in fields]
        band = say("cli.table.incomplete") if unit.incomplete else band_name(criteria, unit.band)
        rows.append([unit.unit.code, unit.unit.name, *cells, points_text(unit.total_points),
                     *([percent_text(unit.index)] if with_index else []), band])
    title = say("cli.table.run_title", name=run.criteria_set_name, n=len(run.units))
    return title + "\n" + draw(columns, rows, width=width)


def unit_table(result: UnitResult, criteria: CriteriaSet, *, detail: bool = False, width: int | None = None) -> str:
    """One unit: its fields (with `detail`, every criterion in the set's order, top-level leaves too,
    each with its name, status and explanation), the total, and the flags for the appraisers."""
    from parrules.reports.views import flag_label, points_text, status_label

    nodes = {n.code: n for n in result.nodes}
    leaves = {leaf.code: leaf for leaf in result.leaves}
    columns = [Column(say("cli.table.code")), Column(say("cli.table.criterion"), wrap=True),
               Column(say("cli.table.max"), figure=True), Column(say("cli.table.points"), figure=True),
               Column(say("cli.table.share"), figure=True)]
    if detail:
        columns += [Column(say("cli.table.status"), wrap=True), Column(say("cli.table.explanation"), wrap=True)]
    rows = []
    for spec in criteria.walk():
        node, leaf = nodes.get(spec.code), leaves.get(spec.code)
        if node is None and leaf is None:
            continue  # a criterion this unit was not scored on
        if not detail and (node is None or node.depth > 0):
            continue
        name = "  " * spec.depth + spec.name
        if node is not None:
            got, share = _node_points(node, result.leaves)
        else:
            got, share = "", ""
        if leaf is not None and node is None:
            got = _leaf_points(leaf)
        row = [spec.code, name, points_text(spec.max_points), got, share]
        if detail:
            row += [status_label(leaf.status), leaf.error or leaf.explanation] if leaf is not None else ["", ""]
        rows.append(row)
    head = f"{result.unit.name} ({result.unit.code})"
    total_alone = index_repeats_total(criteria.meta.total_points, [result])
    band = band_name(criteria, result.band)
    summary = (say("cli.unit.summary_total", total=result.total_points, max=result.applicable_max, band=band)
               if total_alone else
               say("cli.unit.summary", total=result.total_points, max=result.applicable_max, index=result.index,
                   band=band))
    if result.bonus_points or result.penalty_points:
        summary += "  " + say("cli.unit.bonus_penalty", bonus=result.bonus_points, penalty=result.penalty_points)
    lines = [head, draw(columns, rows, width=width), summary]
    flags = [(leaf.code, flag) for leaf in result.leaves for flag in leaf.flags]
    if flags:
        lines.append(say("cli.unit.flags"))
        lines.extend(f"  {code}  {flag_label(flag.kind)}: {flag.message}" for code, flag in flags)
    if result.incomplete:
        lines.append(say("cli.unit.incomplete", n=len(result.incomplete)))
    return "\n".join(lines)


def ranking_table(data: Mapping[str, Any], *, width: int | None = None) -> str:
    """The ranking of every cohort of a campaign JSON: rank, unit, total, index (unless it repeats the
    total), band by its name, and the change on last year when there was a last year."""
    from parrules.reports import views

    units = views.unit_views(data)
    total_alone = views.index_is_total(data, units.values())
    previous = views.has_previous(data)
    names = views.band_names(data)
    columns = [Column(say("cli.table.rank")), Column(say("cli.table.code")), Column(say("cli.table.unit"), wrap=True),
               Column(say("cli.table.total"), figure=True),
               *([] if total_alone else [Column(say("cli.table.index"), figure=True)]),
               Column(say("cli.table.band"), wrap=True),
               *([Column(say("cli.table.change"), wrap=True)] if previous else [])]
    blocks = []
    for cohort, members in views.cohorts(data, units):
        rows = []
        for unit in members:
            band = ("⚠ " + views.unit_status_text(unit)) if unit.incomplete else \
                ("—" if unit.band is None else names.get(unit.band, unit.band))
            rows.append([views.rank_text(unit.rank, unit.rank_of), unit.code, unit.name,
                         views.points_text(unit.total),
                         *([] if total_alone else [views.percent_text(unit.index)]), band,
                         *([views.movement_text(unit, in_points=total_alone)] if previous else [])])
        title = say("cli.table.cohort_title", cohort=views.cohort_label(cohort), n=len(members))
        blocks.append(title + "\n" + draw(columns, rows, width=width))
    return "\n\n".join(blocks)


def render(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool], *,
           width: int | None = None) -> str:
    """A table from headers, rows and which columns are figures (right-aligned, never cut); the
    others wrap on a terminal. The shape `parrules show`'s tree is drawn in (`sets.show.tree_view`)."""
    return draw([Column(h, figure=r, wrap=not r) for h, r in zip(headers, right)], rows, width=width)
