"""Markdown: the ranking, bands, statistics and each unit's losses, for a wiki page or a pull request."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from parrules.reports.common import FLAG_LABELS, ReportData, arrow, rank_text


def _cell(text: Any) -> str:
    """Table cells: pipes and line breaks would break the table; HTML in names must stay text."""
    value = str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_markdown(view: ReportData) -> str:
    lines = [f"# {_cell(view.title)}", ""]
    if view.incomplete_units:
        lines += [f"> **{_cell(view.incomplete_banner())}**", ""]
    lines += [f"Bộ tiêu chí: {_cell(view.data['criteria_set']['name'])} (`{view.data['criteria_set']['id']}`)", ""]
    for cohort, units in view.cohorts():
        stats = view.cohort_stats(cohort)
        lines += [f"## Xếp hạng — {_cell(cohort)}", ""]
        head = ["Hạng", "Đơn vị", "Tổng điểm", "Chỉ số (%)", "Xếp loại", "So với năm trước"]
        head += [f"{f['code']}" for f in view.fields]
        lines.append("| " + " | ".join(head) + " |")
        lines.append("|" + "|".join(["---:", "---", "---:", "---:", "---", "---"] + ["---:"] * len(view.fields)) + "|")
        for unit in units:
            lines.append("| " + " | ".join(_row(view, unit)) + " |")
        lines += ["", "### Phân loại", ""]
        for code, count in stats.get("band_counts", {}).items():
            label = {"none": "Không xếp loại", "incomplete": "Chưa đủ dữ liệu, chưa xếp hạng"}.get(code)
            lines.append(f"- {_cell(label or view.band_name(code))}: {count}")
        lines += ["", f"Chỉ số trung bình: {view.pct(stats.get('mean_index'))} %; "
                  f"trung vị: {view.pct(stats.get('median_index'))} %", ""]
    lines += ["## Từng đơn vị", ""]
    for unit in view.units:
        lines += _unit(view, unit)
    return "\n".join(lines).rstrip() + "\n"


def _row(view: ReportData, unit: Mapping[str, Any]) -> list[str]:
    yoy = unit.get("yoy") or {}
    moved = ""
    if yoy.get("found"):
        change = yoy["index"]["change"]
        moved = f"{arrow(change)} {view.signed(change, view.percent_decimals)} %"
        rank_change = yoy["rank"]["change"]
        if rank_change:
            moved += f", {'lên' if rank_change > 0 else 'xuống'} {abs(rank_change)} bậc"
    band = view.band_name(unit.get("band")) if not unit.get("incomplete") else f"⚠ {view.status_text(unit)}"
    row = [rank_text(unit["placing"]), _cell(unit["unit"]["name"]), view.points(unit["total_points"]),
           view.pct(unit["index"]), _cell(band), moved]
    for f in view.fields:
        node = view.field_of(unit, f["code"])
        row.append(view.points(node["points"]) if node else "—")
    return row


def _unit(view: ReportData, unit: Mapping[str, Any]) -> list[str]:
    info = unit["unit"]
    lines = [f"### {_cell(info['name'])} ({_cell(info['code'])})", "",
             f"Tổng điểm {view.points(unit['total_points'])}, chỉ số {view.pct(unit['index'])} %, "
             f"{_cell(view.band_name(unit.get('band')))}, hạng {rank_text(unit['placing'])}.", ""]
    if unit.get("incomplete"):
        lines += [f"**⚠ Chưa đủ dữ liệu, chưa xếp hạng** — {_cell(view.status_text(unit))}:", ""]
        lines += [f"- {_cell(m['code'])}: {_cell(m['reason'])}" for m in unit["incomplete"]] + [""]
    gaps = unit.get("gaps") or {}
    losses = view.losses(unit)
    if losses:
        lines += ["| Tiêu chí | Mất điểm | Giải thích |", "|---|---:|---|"]
        for loss in losses[:10]:
            lines.append(f"| {_cell(loss['code'])} {_cell(loss['name'])} | {view.points(loss['lost'])} | "
                         f"{_cell(loss['explanation'])} |")
        lines.append("")
    for key, label in (("next_band", "Để lên nhóm"), ("next_rank", "Để lên hạng")):
        target = gaps.get(key)
        if target and target.get("reachable"):
            target_label = view.band_name(target["label"]) if key == "next_band" else target["label"]
            lines.append(f"- {label} {_cell(target_label)}: đạt tối đa các tiêu chí "
                         f"{', '.join(_cell(c) for c in target['criteria'])} (+{view.points(target['gain'])} điểm)")
    flags = [(leaf["code"], flag) for leaf in view.leaves(unit) for flag in leaf["flags"]]
    for code, flag in flags:
        lines.append(f"- ⚠ {_cell(code)}: {_cell(FLAG_LABELS.get(flag['kind'], flag['kind']))} — {_cell(flag['message'])}")
    lines.append("")
    return lines
