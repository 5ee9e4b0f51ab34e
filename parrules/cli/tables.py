"""Readable tables for the terminal, with Vietnamese labels aligned and numbers right-aligned."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from decimal import Decimal

from parrules.amounts import format_points
from parrules.scoring.results import RunResult, UnitResult


def _width(text: str) -> int:
    text = unicodedata.normalize("NFC", text)
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * max(0, width - _width(text))
    return gap + text if right else text + gap


def render(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool]) -> str:
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(headers)]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(_pad(h, w, r) for h, w, r in zip(headers, widths, right)), line]
    out += ["  ".join(_pad(c, w, r) for c, w, r in zip(row, widths, right)) for row in rows]
    return "\n".join(out)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def unit_table(result: UnitResult, *, decimals: int = 2, vietnamese: bool = False, detail: bool = False) -> str:
    def num(value: Decimal | None) -> str:
        return format_points(value, decimals, vietnamese=vietnamese)

    children: dict[str, list] = {}
    for leaf in result.leaves:
        if "." in leaf.code:
            children.setdefault(leaf.code.rsplit(".", 1)[0], []).append(leaf)
    rows = []
    for node in result.nodes:
        if node.depth > 0 and not detail:
            continue
        pct = "" if node.percent is None else num(node.percent) + " %"
        rows.append([node.code, _short("  " * node.depth + node.name), num(node.max_points), num(node.points),
                     pct, ""])
        if detail:
            for leaf in children.get(node.code, ()):
                rows.append([leaf.code, _short("  " * (node.depth + 1) + leaf.explanation), num(leaf.max_points),
                             num(leaf.final_points), "", leaf.status])
    head = f"{result.unit.name} ({result.unit.code})"
    table = render(["Mã", "Lĩnh vực / tiêu chí", "Tối đa", "Đạt", "Tỷ lệ", "Trạng thái"], rows,
                   [False, False, True, True, True, False])
    summary = (f"Tổng điểm: {num(result.total_points)} / {num(result.applicable_max)}"
               f"  ·  Chỉ số: {num(result.index)} %  ·  Nhóm: {result.band or '—'}")
    if result.bonus_points or result.penalty_points:
        summary += f"  (thưởng +{num(result.bonus_points)}, trừ −{num(result.penalty_points)})"
    flags = sum(len(leaf.flags) for leaf in result.leaves)
    tail = []
    if flags:
        tail.append(f"{flags} flag(s) for appraisers")
    if result.incomplete:
        tail.append(f"⚠ chưa đủ: {len(result.incomplete)} criterion/criteria not scored (errors or not evaluated); "
                    "the total is not complete")
    return "\n".join([head, table, summary] + (["; ".join(tail)] if tail else []))


def run_table(run: RunResult, *, decimals: int = 2, vietnamese: bool = False) -> str:
    def num(value: Decimal | None) -> str:
        return format_points(value, decimals, vietnamese=vietnamese)

    if not run.units:
        return "no units"
    codes = [f.code for f in run.units[0].fields]
    rows = []
    for u in run.units:
        rows.append([u.unit.code, _short(u.unit.name, 40), *[num(f.points) for f in u.fields], num(u.total_points),
                     num(u.index), (u.band or "—") if not u.incomplete else "⚠ chưa đủ"])
    headers = ["Mã", "Đơn vị", *[f"LV{c}" for c in codes], "Tổng", "Chỉ số %", "Nhóm"]
    right = [False, False, *[True] * len(codes), True, True, False]
    return f"{run.criteria_set_name} — {len(run.units)} đơn vị\n" + render(headers, rows, right)
