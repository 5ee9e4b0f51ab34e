"""A criteria set rendered as the table a clerk knows from the official decisions (`parrules doc SET`).

Provinces publish a set as a numbered table (STT | lĩnh vực / tiêu chí / tiêu chí thành phần | điểm tối
đa | cách chấm | tài liệu kiểm chứng). Rendering it from the TOML means the document people read and
the rules the engine scores are the same thing. The scoring method is the criterion's own `method`
text when the set gives one, otherwise it is written from the rule's parameters, so a band table can
never say something different from what is scored. Provenance is shown on every row: a modeled
criterion must not pass for an official one. HTML output is one self-contained page; every value from
the set is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from parrules.amounts import HUNDRED, format_points, to_decimal
from parrules.sets.criteria_set import CriteriaSet, Node

LEVELS = {"ministry": "Bộ, cơ quan ngang bộ", "province": "Tỉnh, thành phố trực thuộc Trung ương",
          "department": "Sở, ban, ngành cấp tỉnh", "district": "UBND cấp huyện", "commune": "UBND cấp xã"}
DEPTH = ("Lĩnh vực", "Tiêu chí", "Tiêu chí thành phần")
PROVENANCE = {"transcribed": "Chép từ nguồn", "modeled": "Mô hình", "inferred": "Suy luận", None: "—"}
NO_VALUE = {"full": "đạt điểm tối đa", "zero": "0 điểm", "not_applicable": "không áp dụng",
            "not_evaluated": "chưa chấm"}


def vn(value: Any) -> str:
    """A number as Vietnamese documents write it: 1,5 and 13,70 become "1,5" and "13,7"."""
    return format_points(to_decimal(value), vietnamese=True)


def _points(value: Decimal) -> str:
    return f"{vn(value)} điểm"


def _bound(value: Any, unit: str) -> str:
    return f"{vn(value)}{unit}"


def _band_text(band: Mapping[str, Any], leaf_max: Decimal, unit: str) -> str:
    points = to_decimal(band["points"]) if "points" in band else leaf_max * to_decimal(band["percent"]) / HUNDRED
    low, high = band.get("from"), band.get("below")
    if low is not None and high is not None:
        when = f"từ {_bound(low, unit)} đến dưới {_bound(high, unit)}"
    elif low is not None and unit == "%" and to_decimal(low) == HUNDRED:
        when = "đạt 100%"
    elif low is not None:
        when = f"từ {_bound(low, unit)} trở lên"
    elif high is not None:
        when = f"dưới {_bound(high, unit)}"
    else:
        when = "mọi giá trị"
    return f"{when}: {_points(points)}"


def rule_text(node: Node) -> str:
    """The scoring method written from the rule's parameters, in plain Vietnamese."""
    params = node.params
    top = node.max_points
    rule = node.rule.name if node.rule else ""
    if rule == "yes_no":
        return f"Có/đạt: {_points(top)}; không: 0 điểm"
    if rule == "choice":
        return "; ".join(f"{name}: {_points(top * to_decimal(pct) / HUNDRED)}" for name, pct in params["options"].items())
    if rule == "bands":
        unit = str(params.get("unit", "%")).strip() or "%"
        bands = sorted(params["bands"], key=lambda b: -to_decimal(b["from"]) if b.get("from") is not None else Decimal(1))
        text = "; ".join(_band_text(b, top, unit) for b in bands)
        return text[:1].upper() + text[1:]
    if rule == "proportional":
        cap = to_decimal(params.get("cap", 100))
        floor = to_decimal(params.get("floor", 0))
        text = (f"Điểm = {vn(top)} × tỷ lệ (%) ÷ {vn(cap)}%; từ {vn(cap)}% trở lên: {_points(top)}" if cap != HUNDRED
                else f"Điểm = {vn(top)} × tỷ lệ đạt được (%) ÷ 100")
        return text + (f"; dưới {vn(floor)}%: 0 điểm" if floor else "")
    if rule == "deduction":
        if "per_occurrence" in params:
            return f"Tối đa {_points(top)}; trừ {_points(to_decimal(params['per_occurrence']))} cho mỗi lần vi phạm; không thấp hơn 0"
        parts = "; ".join(f"{name}: trừ {vn(pct)}% số điểm" for name, pct in params["severities"].items())
        return f"Không vi phạm: {_points(top)}; {parts}; không thấp hơn 0"
    if rule in ("bonus", "penalty"):
        word = "Cộng" if rule == "bonus" else "Trừ"
        each = f"{_points(to_decimal(params['per_item']))} cho mỗi trường hợp" if "per_item" in params else "theo số điểm được xác định"
        return f"{word} {each}; tối đa {_points(top)}"
    if rule == "survey":
        weights = ", ".join(f"{name} {vn(pct)}%" for name, pct in params["weights"].items())
        return f"Bình quân các phiếu điều tra, mỗi phương án trả lời được tính: {weights} của {_points(top)}"
    if rule == "manual":
        return "Hội đồng thẩm định chấm điểm"
    return node.rule.description if node.rule else ""


def method_text(node: Node) -> str:
    """The criterion's `method` verbatim if the set gives one, otherwise the text written from its rule."""
    if node.spec.method.strip():
        return node.spec.method.strip()
    text = rule_text(node)
    if node.check is not None:
        text = f"Tính tự động từ dữ liệu ({node.check.name}: {node.metric}). {text}"
        if node.spec.if_no_value != "not_evaluated":
            text += f". Không có số liệu để tính: {NO_VALUE[node.spec.if_no_value]}"
    if node.spec.allow_na:
        text += ". Được đánh giá “không áp dụng” khi đơn vị không phát sinh nhiệm vụ"
    return text


# What the standard checks read, in a clerk's words; data names follow the agreed plugin contracts.
DATA_WORDS = {"dossiers": "Dữ liệu hồ sơ TTHC của hệ thống một cửa điện tử",
              "services": "Danh mục dịch vụ công trực tuyến", "register": "Sổ đăng ký văn bản",
              "survey": "Phiếu điều tra xã hội học, khảo sát sự hài lòng"}
DEFAULT_DATA = {"tthc.dossiers": ("dossiers",), "dvc.services": ("services", "dossiers"),
                "documents.plan": ("register",), "documents.reports": ("register",),
                "survey.question": ("survey",), "survey.sipas": ("survey",)}


def evidence_text(node: Node) -> str:
    items = list(node.spec.evidence)
    if node.check is not None:
        params = node.spec.check_params
        given = [params[k] for k in ("data", "catalogue", "dossiers") if isinstance(params.get(k), str)]
        names = given or list(DEFAULT_DATA.get(node.check.name, ()))
        items += [f"{DATA_WORDS.get(n, 'Dữ liệu')} ({n})" for n in names] or [f"Dữ liệu cho {node.check.name}"]
    return "; ".join(items)


@dataclass(frozen=True)
class Row:
    code: str
    level: str
    depth: int
    name: str
    max_points: str
    method: str
    evidence: str
    provenance: str
    note: str


def rows(criteria: CriteriaSet) -> list[Row]:
    """One row per field, criterion and sub-criterion, in official order."""
    out = []
    for node in criteria.walk():
        spec = node.spec
        note = " ".join(part for part in (spec.source and f"{spec.source}.", spec.note) if part)
        level = DEPTH[min(node.depth, 2)] if node.role == "base" else ("Điểm thưởng" if node.role == "bonus" else "Điểm trừ")
        out.append(Row(node.code, level, node.depth, node.name, vn(node.max_points),
                       method_text(node) if node.is_leaf else "", evidence_text(node) if node.is_leaf else "",
                       PROVENANCE.get(spec.provenance, str(spec.provenance)), note))
    return out


def metadata(criteria: CriteriaSet) -> list[tuple[str, str]]:
    meta = criteria.meta
    items = [("Mã bộ tiêu chí", meta.id), ("Cơ quan ban hành", meta.issuer)]
    for basis in meta.legal_basis:
        when = f" ngày {basis.date.strftime('%d/%m/%Y')}" if basis.date else ""
        items.append(("Căn cứ", f"{basis.number}{when}" + (f" — {basis.title}" if basis.title else "")))
    items += [("Năm đánh giá", str(meta.year or "")), ("Giai đoạn", meta.period),
              ("Đối tượng", LEVELS.get(meta.level, meta.level)), ("Tổng điểm", _points(meta.total_points)),
              ("Phiên bản", meta.version)]
    for band in meta.bands:
        mark = " (suy luận, chưa được công bố)" if band.inferred else ""
        note = f" — {band.note}" if band.note else ""
        items.append(("Xếp loại", f"{band.name or band.code}{mark}{note}"))
    counts: dict[str | None, int] = {}
    for node in criteria.nodes.values():
        counts[node.spec.provenance] = counts.get(node.spec.provenance, 0) + 1
    items.append(("Nguồn gốc nội dung", "; ".join(f"{PROVENANCE.get(k, k)}: {v} mục" for k, v in sorted(
        counts.items(), key=lambda kv: str(kv[0])))))
    return [(k, v) for k, v in items if v]


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("<", "&lt;").strip()


def render_markdown(criteria: CriteriaSet) -> str:
    meta = criteria.meta
    lines = [f"# {_md(meta.name)}", ""]
    lines += [f"- **{key}:** {_md(value)}" for key, value in metadata(criteria)]
    if meta.description:
        lines += ["", _md(meta.description)]
    if meta.sources:
        lines += ["", "**Nguồn:**", ""] + [f"{i}. {_md(s)}" for i, s in enumerate(meta.sources, 1)]
    lines += ["", "| STT | Lĩnh vực / Tiêu chí / Tiêu chí thành phần | Điểm tối đa | Phương pháp chấm điểm "
              "| Tài liệu kiểm chứng | Nguồn gốc |", "|---|---|---:|---|---|---|"]
    for row in rows(criteria):
        name = _md(row.name)
        name = f"**{name.upper()}**" if row.depth == 0 else ("&nbsp;" * 4 * row.depth) + name
        origin = row.provenance + (f": {_md(row.note)}" if row.note else "")
        code = f"**{row.code}**" if row.depth == 0 else row.code
        lines.append(f"| {code} | {name} | {row.max_points} | {_md(row.method)} | {_md(row.evidence)} | {origin} |")
    lines.append(f"| | **TỔNG CỘNG** | **{vn(meta.total_points)}** | | | |")
    return "\n".join(lines) + "\n"


_CSS = """
body{font-family:"Times New Roman",serif;margin:2em;color:#111}
h1{font-size:1.3em;text-align:center;text-transform:uppercase}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em}dt{font-weight:bold}
table{border-collapse:collapse;width:100%;font-size:.92em}
th,td{border:1px solid #444;padding:.3em .5em;vertical-align:top}th{background:#eee}
td.pts{text-align:right;white-space:nowrap}tr.d0 td{font-weight:bold;background:#f6f6f6}
tr.d0 td.name{text-transform:uppercase}tr.d2 td.name{padding-left:2em;font-style:italic}
tr.d1 td.name{padding-left:1em}.modeled{color:#8a4b00}.small{font-size:.85em;color:#444}
tfoot td{font-weight:bold}
"""


def render_html(criteria: CriteriaSet) -> str:
    meta = criteria.meta

    def e(text: object) -> str:
        return html.escape(str(text), quote=True)

    parts = ["<!DOCTYPE html>", '<html lang="vi">', "<head>", '<meta charset="utf-8">',
             f"<title>{e(meta.name)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
             f"<h1>{e(meta.name)}</h1>", "<dl>"]
    parts += [f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in metadata(criteria)]
    parts.append("</dl>")
    if meta.description:
        parts.append(f"<p>{e(meta.description)}</p>")
    if meta.sources:
        parts += ["<p><b>Nguồn:</b></p>", "<ol>"] + [f"<li>{e(s)}</li>" for s in meta.sources] + ["</ol>"]
    parts += ["<table>", "<thead><tr><th>STT</th><th>Lĩnh vực / Tiêu chí / Tiêu chí thành phần</th>"
              "<th>Điểm tối đa</th><th>Phương pháp chấm điểm</th><th>Tài liệu kiểm chứng</th><th>Nguồn gốc</th>"
              "</tr></thead>", "<tbody>"]
    for row in rows(criteria):
        css = "modeled" if row.provenance == PROVENANCE["modeled"] else ""
        note = f'<div class="small">{e(row.note)}</div>' if row.note else ""
        parts.append(
            f'<tr class="d{min(row.depth, 2)}" data-code="{e(row.code)}" data-level="{e(row.level)}">'
            f"<td>{e(row.code)}</td><td class=\"name\">{e(row.name)}</td><td class=\"pts\">{e(row.max_points)}</td>"
            f"<td>{e(row.method)}</td><td>{e(row.evidence)}</td><td class=\"{css}\">{e(row.provenance)}{note}</td></tr>"
        )
    parts += ["</tbody>", f'<tfoot><tr><td></td><td>TỔNG CỘNG</td><td class="pts">{e(vn(meta.total_points))}</td>'
              "<td></td><td></td><td></td></tr></tfoot>", "</table>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"


def resolve_set_path(name: str) -> Path:
    """A path as given, or the id of a shipped set (criteria_sets/<id>.toml) when no such file exists."""
    path = Path(name)
    if path.exists():
        return path
    shipped = Path(__file__).resolve().parents[2] / "criteria_sets" / f"{name}.toml"
    return shipped if shipped.exists() else path

