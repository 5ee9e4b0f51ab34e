"""A self-contained HTML report: one file that works offline, opened by anyone with a browser.

No external assets and no script: styles are inline, charts are inline SVG, so the file can be mailed
or put on a USB stick and shows the same everywhere. Every text from a set, a submission or a plugin
goes through `escape` — a unit named `<script>…` is shown as text, never run.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from parrules.amounts import to_decimal
from parrules.reports.common import FLAG_LABELS, STATUS_LABELS, ReportData, arrow, rank_text

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;margin:0;color:#1d2733;background:#fff}
header{background:#14365d;color:#fff;padding:1.2rem 2rem}header h1{margin:0;font-size:1.5rem}
main{padding:1rem 2rem;max-width:1200px}h2{border-bottom:2px solid #14365d;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.9rem}th,td{border:1px solid #ccd4de;padding:.25rem .5rem;vertical-align:top}
th{background:#eef2f7;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.up{color:#0a7a32}.down{color:#b3261e}.same{color:#666}.flag{color:#8a4b00}
nav ul{columns:3;font-size:.9rem}section.unit{border-top:1px solid #ccd4de;margin-top:2rem;break-before:page}
.muted{color:#5b6775;font-size:.85rem}svg text{font-family:inherit;font-size:11px}
p.incomplete{background:#fdecea;border:2px solid #b3261e;padding:.6rem 1rem}span.incomplete{color:#b3261e}
@media print{header{background:none;color:#000}}
"""


def render_html(view: ReportData) -> str:
    ids = {u["unit"]["code"]: f"u{i}" for i, u in enumerate(view.units, start=1)}
    cs = view.data["criteria_set"]
    parts = [
        "<!DOCTYPE html>", '<html lang="vi">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(view.title)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
        f"<header><h1>{escape(view.title)}</h1>"
        f"<div>Bộ tiêu chí: {escape(str(cs['name']))} ({escape(str(cs['id']))}); tổng điểm {view.points(cs['total_points'])}</div>"
        "</header>", "<main>",
    ]
    if view.incomplete_units:  # before any ranking: not a result to publish as it is
        parts.append(f'<p class="incomplete" role="alert"><strong>{escape(view.incomplete_banner())}</strong></p>')
    for cohort, units in view.cohorts():
        parts += _cohort(view, cohort, units, ids)
    parts.append('<h2 id="units">Từng đơn vị</h2><nav><ul>')
    parts += [f'<li><a href="#{ids[u["unit"]["code"]]}">{escape(u["unit"]["name"])}</a></li>' for u in view.units]
    parts.append("</ul></nav>")
    for unit in view.units:
        parts += _unit(view, unit, ids[unit["unit"]["code"]])
    parts += [f'<p class="muted">{escape(str(view.data.get("generator", "parrules")))}</p>', "</main>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"


def _move(view: ReportData, yoy: Mapping[str, Any] | None, key: str = "index") -> str:
    if not yoy or not yoy.get("found"):
        return '<span class="muted">—</span>'
    change = yoy[key]["change"]
    if change is None:
        return '<span class="muted">—</span>'
    css = "up" if to_decimal(change) > 0 else "down" if to_decimal(change) < 0 else "same"
    decimals = view.percent_decimals if key == "index" else view.decimals
    return f'<span class="{css}">{arrow(change)} {escape(view.signed(change, decimals))}</span>'


def _rank_move(yoy: Mapping[str, Any] | None) -> str:
    if not yoy or not yoy.get("found") or yoy["rank"]["change"] is None:
        return ""
    change = yoy["rank"]["change"]
    css = "up" if change > 0 else "down" if change < 0 else "same"
    return f' <span class="{css}">{arrow(change)}{abs(change) if change else ""}</span>'


def _cohort(view: ReportData, cohort: str, units: list[Mapping[str, Any]], ids: Mapping[str, str]) -> list[str]:
    stats = view.cohort_stats(cohort)
    out = [f"<h2>Xếp hạng — {escape(cohort)}</h2>",
           "<table><thead><tr><th>Hạng</th><th>Đơn vị</th><th>Tổng điểm</th><th>Chỉ số (%)</th><th>Xếp loại</th>"
           "<th>So với năm trước</th></tr></thead><tbody>"]
    for unit in units:
        yoy = unit.get("yoy")
        out.append(
            f'<tr><td class="n">{escape(rank_text(unit["placing"]))}{_rank_move(yoy)}</td>'
            f'<td><a href="#{ids[unit["unit"]["code"]]}">{escape(unit["unit"]["name"])}</a></td>'
            f'<td class="n">{view.points(unit["total_points"])}</td><td class="n">{view.pct(unit["index"])}</td>'
            f'<td>{_band_or_status(view, unit)}</td><td class="n">{_move(view, yoy)}</td></tr>')
    out.append("</tbody></table>")
    out.append(f'<p>Chỉ số trung bình {view.pct(stats.get("mean_index"))} %, trung vị {view.pct(stats.get("median_index"))} %'
               f' ({stats.get("units", 0)} đơn vị).</p>')
    out += _band_chart(view, stats.get("band_counts", {}))
    out += _heat_map(view, units, ids)
    out += _bar_chart(view, units)
    return out


def _band_or_status(view: ReportData, unit: Mapping[str, Any]) -> str:
    if unit.get("incomplete"):
        return f'<span class="incomplete">⚠ {escape(view.status_text(unit))}</span>'
    return escape(view.band_name(unit.get("band")))


def _band_chart(view: ReportData, counts: Mapping[str, int]) -> list[str]:
    total = sum(counts.values()) or 1
    rows = list(counts.items())
    height = 24 * len(rows) + 8
    out = ["<h3>Phân bố theo nhóm</h3>",
           f'<svg role="img" aria-label="Phân bố theo nhóm" width="620" height="{height}" viewBox="0 0 620 {height}">']
    for i, (code, count) in enumerate(rows):
        y = 4 + 24 * i
        width = round(380 * count / total)
        label = {"none": "Không xếp loại", "incomplete": "Chưa đủ dữ liệu"}.get(code) or view.band_name(code)
        out.append(f'<text x="0" y="{y + 15}">{escape(label)}</text>'
                   f'<rect x="200" y="{y}" width="{width}" height="18" fill="#3d6fa8"></rect>'
                   f'<text x="{206 + width}" y="{y + 15}">{count}</text>')
    out.append("</svg>")
    return out


def _heat(pct: Any) -> str:
    if pct is None:
        return "#f3f3f3"
    value = max(0.0, min(100.0, float(pct)))
    return f"hsl({round(value * 1.2)},70%,{88 - round(value * 0.2)}%)"


def _heat_map(view: ReportData, units: list[Mapping[str, Any]], ids: Mapping[str, str]) -> list[str]:
    out = ["<h3>Tỷ lệ điểm theo lĩnh vực (%)</h3>", "<table><thead><tr><th>Đơn vị</th>"]
    out += [f'<th title="{escape(str(f["name"]))}">{escape(str(f["code"]))}</th>' for f in view.fields]
    out.append("</tr></thead><tbody>")
    for unit in units:
        cells = []
        for f in view.fields:
            node = view.field_of(unit, f["code"])
            pct = node["percent"] if node else None
            cells.append(f'<td class="n" style="background:{_heat(pct)}">{view.pct(pct)}</td>')
        out.append(f'<tr><td><a href="#{ids[unit["unit"]["code"]]}">{escape(unit["unit"]["name"])}</a></td>{"".join(cells)}</tr>')
    out.append("</tbody></table>")
    return out


def _bar_chart(view: ReportData, units: list[Mapping[str, Any]]) -> list[str]:
    top = max([to_decimal(u["total_points"]) for u in units] + [to_decimal(view.data["criteria_set"]["total_points"])])
    height = 22 * len(units) + 8
    out = ["<h3>Tổng điểm</h3>",
           f'<svg role="img" aria-label="Tổng điểm" width="760" height="{height}" viewBox="0 0 760 {height}">']
    for i, unit in enumerate(units):
        y = 4 + 22 * i
        width = round(float(to_decimal(unit["total_points"]) / top) * 440) if top else 0
        out.append(f'<text x="0" y="{y + 14}">{escape(_short(unit["unit"]["name"]))}</text>'
                   f'<rect x="240" y="{y}" width="{width}" height="16" fill="#14365d"></rect>'
                   f'<text x="{246 + width}" y="{y + 14}">{view.points(unit["total_points"])}</text>')
    out.append("</svg>")
    return out


def _short(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _unit(view: ReportData, unit: Mapping[str, Any], anchor: str) -> list[str]:
    info, place, yoy = unit["unit"], unit["placing"], unit.get("yoy")
    out = [f'<section class="unit" id="{anchor}"><h2>{escape(info["name"])} <span class="muted">{escape(info["code"])}</span></h2>',
           f'<p>Tổng điểm <b>{view.points(unit["total_points"])}</b> / {view.points(unit["applicable_max"])}, '
           f'chỉ số <b>{view.pct(unit["index"])} %</b> {_move(view, yoy)}, {escape(view.band_name(unit.get("band")))}, '
           f'hạng {escape(rank_text(place))}{_rank_move(yoy)} trong khối {escape(place["cohort"])}.</p>']
    if unit.get("incomplete"):
        out.append('<p class="incomplete"><strong>⚠ Chưa đủ dữ liệu, chưa xếp hạng</strong></p><ul>'
                   + "".join(f'<li>{escape(m["code"])}: {escape(m["reason"])}</li>' for m in unit["incomplete"])
                   + "</ul>")
    fields_yoy = {f["code"]: f for f in (yoy or {}).get("fields", [])}
    out.append("<table><thead><tr><th>Lĩnh vực</th><th>Điểm</th><th>Tỷ lệ (%)</th><th>Hạng</th><th>So với năm trước</th>"
               "</tr></thead><tbody>")
    for f in view.fields:
        node = view.field_of(unit, f["code"])
        if node is None:
            continue
        fy = fields_yoy.get(f["code"])
        move = _move(view, {"found": True, "points": fy["points"]}, "points") if fy else '<span class="muted">—</span>'
        out.append(f'<tr><td>{escape(f["code"])}. {escape(f["name"])}</td><td class="n">{view.points(node["points"])}'
                   f' / {view.points(node["applicable_max"])}</td><td class="n">{view.pct(node["percent"])}</td>'
                   f'<td class="n">{place["field_ranks"].get(f["code"]) or "—"}</td><td class="n">{move}</td></tr>')
    out.append("</tbody></table>")
    gaps = unit.get("gaps") or {}
    for key, label in (("next_band", "Để lên nhóm"), ("next_rank", "Để lên hạng")):
        target = gaps.get(key)
        if target and target.get("reachable"):
            name = view.band_name(target["label"]) if key == "next_band" else target["label"]
            out.append(f"<p>{label} <b>{escape(str(name))}</b>: đạt tối đa các tiêu chí "
                       f"{escape(', '.join(target['criteria']))} (+{view.points(target['gain'])} điểm, "
                       f"chỉ số {view.pct(target['resulting_index'])} %).</p>")
    out.append("<h3>Chi tiết và giải thích</h3><table><thead><tr><th>Mã</th><th>Tiêu chí</th><th>Tối đa</th><th>Tự chấm</th>"
               "<th>Minh chứng</th><th>Điểm</th><th>Tình trạng</th><th>Giải thích</th></tr></thead><tbody>")
    for leaf in view.leaves(unit):
        flags = "".join(f'<div class="flag">⚠ {escape(FLAG_LABELS.get(fl["kind"], fl["kind"]))}: {escape(fl["message"])}</div>'
                        for fl in leaf["flags"])
        out.append(f'<tr><td>{escape(leaf["code"])}</td><td>{escape(view.name(leaf["code"]))}</td>'
                   f'<td class="n">{view.points(leaf["max_points"])}</td><td class="n">{view.points(leaf["self_points"])}</td>'
                   f'<td class="n">{view.points(leaf["computed_points"])}</td><td class="n">{view.points(leaf["final_points"])}</td>'
                   f'<td>{escape(STATUS_LABELS.get(leaf["status"], leaf["status"]))}</td>'
                   f'<td>{escape(leaf["explanation"])}{flags}</td></tr>')
    out.append("</tbody></table>")
    warnings = unit.get("warnings") or []
    if warnings:
        out.append("<ul>" + "".join(f'<li class="flag">{escape(w)}</li>' for w in warnings) + "</ul>")
    out.append("</section>")
    return out
