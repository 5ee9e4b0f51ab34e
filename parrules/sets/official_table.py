"""A criteria set rendered as the annex of a decision (`parrules doc SET`), for the people who apply it.

Provinces publish a set as a numbered table (STT | lĩnh vực / tiêu chí / tiêu chí thành phần | điểm tối
đa | phương pháp chấm điểm | tài liệu kiểm chứng). Rendering it from the TOML means the document people
read and the rules the engine scores are the same thing. The scoring method is the criterion's own
`method` text when the set gives one, otherwise it is written from the rule's parameters, so a band
table can never say something different from what is scored.

It reads like an annex, not like our files: every text comes from the message catalogue
(`catalogues/doc.toml`, Vietnamese unless the voice says otherwise), the data a check reads is named
as a clerk knows it (the document register, not `documents.plan: on_time`), and where a row comes
from is a source note — "Theo nguồn [1]: …", pointing into the numbered list of sources — instead of
our research notes' words (`seed 004`, `provenance = "modeled"`). A modeled criterion still says it
is not official text: it must not pass for an official one. HTML output is one self-contained page;
every value from the set is escaped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from parrules.amounts import HUNDRED, to_decimal
from parrules.messages import current_voice, say, speaking
from parrules.messages.numbers import format_number
from parrules.sets.criteria_set import CriteriaSet, Node


def vn(value: Any) -> str:
    """A number as the reader's documents write it, as exact as the set gives it: 1,5 and 13,7 in
    Vietnamese (the voice's language; 1.5 in English)."""
    return format_number(to_decimal(value), None, current_voice().language)


def _points(value: Decimal) -> str:
    return say("doc.points", points=value)


_LEVELS: dict[str, Callable[[], str]] = {
    "ministry": lambda: say("doc.level.ministry"), "province": lambda: say("doc.level.province"),
    "department": lambda: say("doc.level.department"), "district": lambda: say("doc.level.district"),
    "commune": lambda: say("doc.level.commune")}
_STATUSES: dict[str, Callable[[], str]] = {
    "full": lambda: say("status.full"), "zero": lambda: say("status.zero"),
    "not_applicable": lambda: say("status.not_applicable"), "not_evaluated": lambda: say("status.not_evaluated")}
# What a criterion's data is called in a decision; data names follow the agreed plugin contracts.
_DATA: dict[str, Callable[[], str]] = {
    "dossiers": lambda: say("doc.data.dossiers"), "services": lambda: say("doc.data.services"),
    "register": lambda: say("doc.data.register"), "survey": lambda: say("doc.data.survey")}
DEFAULT_DATA = {"tthc.dossiers": ("dossiers",), "dvc.services": ("services", "dossiers"),
                "documents.plan": ("register",), "documents.reports": ("register",),
                "survey.question": ("survey",), "survey.sipas": ("survey",)}
"""The data each standard check reads when its parameters name none."""

# A document's kind from its number's symbol (2636/QĐ-BNV, 61/2018/NĐ-CP, 6203/BNV-CCHC).
_KINDS: tuple[tuple[str, Callable[[], str]], ...] = (
    ("QĐ", lambda: say("doc.kind.decision")), ("NĐ", lambda: say("doc.kind.decree")),
    ("NQ", lambda: say("doc.kind.resolution")), ("TT", lambda: say("doc.kind.circular")),
    ("CT", lambda: say("doc.kind.directive")), ("KH", lambda: say("doc.kind.plan")),
    ("HD", lambda: say("doc.kind.guidance")))


def _band_text(band: Mapping[str, Any], leaf_max: Decimal, unit: str) -> str:
    points = to_decimal(band["points"]) if "points" in band else leaf_max * to_decimal(band["percent"]) / HUNDRED
    low, high = band.get("from"), band.get("below")
    if low is not None and high is not None:
        when = say("doc.band.between", low=to_decimal(low), high=to_decimal(high), unit=unit)
    elif low is not None and unit == "%" and to_decimal(low) == HUNDRED:
        when = say("doc.band.full")
    elif low is not None:
        when = say("doc.band.from", low=to_decimal(low), unit=unit)
    elif high is not None:
        when = say("doc.band.below", high=to_decimal(high), unit=unit)
    else:
        when = say("doc.band.any")
    return say("doc.band.points", when=when, points=points)


def rule_text(node: Node) -> str:
    """The scoring method written from the rule's parameters, in the reader's language."""
    params = node.params
    top = node.max_points
    rule = node.rule.name if node.rule else ""
    if rule == "yes_no":
        return say("doc.rule.yes_no", top=top)
    if rule == "choice":
        return "; ".join(say("doc.rule.option", option=name, points=top * to_decimal(pct) / HUNDRED)
                         for name, pct in params["options"].items())
    if rule == "bands":
        unit = str(params.get("unit", "%")).strip() or "%"
        bands = sorted(params["bands"], key=lambda b: -to_decimal(b["from"]) if b.get("from") is not None else Decimal(1))
        return _capitalised("; ".join(_band_text(b, top, unit) for b in bands))
    if rule == "proportional":
        cap = to_decimal(params.get("cap", 100))
        floor = to_decimal(params.get("floor", 0))
        text = (say("doc.rule.proportional_cap", top=top, cap=cap) if cap != HUNDRED
                else say("doc.rule.proportional", top=top))
        return say("doc.rule.floor", text=text, floor=floor) if floor else text
    if rule == "deduction":
        if "per_occurrence" in params:
            return say("doc.rule.per_occurrence", top=top, each=to_decimal(params["per_occurrence"]))
        parts = "; ".join(say("doc.rule.severity", name=name, percent=to_decimal(pct))
                          for name, pct in params["severities"].items())
        return say("doc.rule.severities", top=top, parts=parts)
    if rule == "bonus":
        if "per_item" in params:
            return say("doc.rule.bonus_each", each=to_decimal(params["per_item"]), top=top)
        return say("doc.rule.bonus_points", top=top)
    if rule == "penalty":
        if "per_item" in params:
            return say("doc.rule.penalty_each", each=to_decimal(params["per_item"]), top=top)
        return say("doc.rule.penalty_points", top=top)
    if rule == "survey":
        weights = ", ".join(say("doc.rule.survey_weight", answer=name, percent=to_decimal(pct))
                            for name, pct in params["weights"].items())
        return say("doc.rule.survey", weights=weights, top=top)
    if rule == "manual":
        return say("doc.rule.manual")
    return node.rule.description if node.rule else ""


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _data_names(node: Node) -> list[str]:
    """The data a check-driven criterion reads: as its parameters name them, else its check's default."""
    if node.check is None:
        return []
    params = node.spec.check_params
    given = [params[k] for k in ("data", "catalogue", "dossiers") if isinstance(params.get(k), str)]
    return given or list(DEFAULT_DATA.get(node.check.name, ()))


def _data_words(name: str) -> str:
    return _DATA[name]() if name in _DATA else say("doc.data.named", name=name)


def method_text(node: Node) -> str:
    """The criterion's `method` verbatim if the set gives one, otherwise the text written from its rule."""
    if node.spec.method.strip():
        return node.spec.method.strip()
    text = rule_text(node)
    if node.check is not None:
        names = _data_names(node)
        data = ", ".join(_data_words(n) for n in names) if names else say("doc.data.any")
        text = say("doc.method.computed", data=data[:1].lower() + data[1:], text=text)
        if node.spec.if_no_value != "not_evaluated":
            text = say("doc.method.no_value", text=text, status=_STATUSES[node.spec.if_no_value]())
    if node.spec.allow_na:
        text = say("doc.method.allow_na", text=text)
    return text


def evidence_text(node: Node) -> str:
    """The evidence documents the set lists, then the data an evidence check reads, named for a clerk."""
    items = list(node.spec.evidence)
    if node.check is not None:
        items += [_data_words(n) for n in _data_names(node)] or [say("doc.data.any")]
    return "; ".join(items)


# -- our research words, said for a reader ------------------------------------------------------------
_SEED = re.compile(r"\bseeds? (\d{3}(?:\s*[-–/,]\s*\d{3})*)")
_PROVENANCE_WORDS = re.compile(r"\s*\(provenance\s*=\s*\"?[a-z]+\"?\)")


class _Sources:
    """The set's numbered sources, and what a reference to one of our archived articles ("seed 004")
    becomes in a reader's text: the number of the listed source it is ("nguồn [1]"), or "a reference
    consulted" when the set does not list it."""

    def __init__(self, sources: Sequence[str]) -> None:
        self.numbers: dict[str, int] = {}
        self.listed: list[str] = []
        for n, source in enumerate(sources, 1):
            found = _SEED.match(source)
            if found:
                for seed in re.findall(r"\d{3}", found.group(1)):
                    self.numbers.setdefault(seed, n)
                source = source[found.end():].lstrip(" :")
            self.listed.append(self.text(source))

    def text(self, text: str) -> str:
        """A text from the set with our internal words replaced by what a reader understands."""
        return _PROVENANCE_WORDS.sub("", _SEED.sub(self._reference, text)).strip()

    def _reference(self, found: re.Match[str]) -> str:
        seeds = re.findall(r"\d{3}", found.group(1))
        numbers = sorted({self.numbers[s] for s in seeds if s in self.numbers})
        if not numbers or len(numbers) < len({s for s in seeds}):
            return say("doc.source.unlisted")
        return ", ".join(say("doc.source.ref", n=n) for n in numbers)


def basis_text(number: str, day: Any = None, issuer: str = "") -> str:
    """A legal document as a decision cites it: "Quyết định số 2636/QĐ-BNV ngày 10/12/2018 của Bộ Nội vụ"."""
    symbol = number.upper()
    kinds = [say_kind for code, say_kind in _KINDS if f"/{code}-" in symbol]
    if kinds:
        kind = kinds[0]()
    elif "-" in symbol.partition("/")[2]:  # 6203/BNV-CCHC: agency-department, an official letter
        kind = say("doc.kind.letter")
    else:
        kind = say("doc.kind.document")
    text = say("doc.basis.number", kind=kind, number=number)
    if day is not None:
        text = say("doc.basis.date", text=text, day=day)
    return say("doc.basis.issuer", text=text, issuer=issuer) if issuer else text


def source_note(criteria: CriteriaSet, node: Node, sources: _Sources | None = None) -> str:
    """Where a row comes from, said for a reader: the source it was transcribed from ("Theo nguồn
    [1]: …", or the set's legal basis when the row names no source), or that it is modeled or inferred
    and so not official text; the row's note after it."""
    sources = sources or _Sources(criteria.meta.sources)
    spec = node.spec
    source = sources.text(spec.source) if spec.source else ""
    if spec.provenance == "transcribed":
        basis = criteria.meta.legal_basis
        origin = (source or (basis_text(basis[0].number, basis[0].date, basis[0].issuer) if basis else ""))
        text = say("doc.source.from", source=origin) if origin else say("doc.source.published")
    else:
        text = {"modeled": lambda: say("doc.source.modeled"), "inferred": lambda: say("doc.source.inferred")}.get(
            spec.provenance or "", lambda: "")()
        text = f"{text} — {source}" if text and source else text or source
    note = sources.text(spec.note) if spec.note else ""
    return f"{text}. {note}" if text and note else text or note


@dataclass(frozen=True)
class Row:
    code: str
    level: str
    depth: int
    name: str
    max_points: str
    method: str
    evidence: str
    source: str
    modeled: bool


def _level(node: Node) -> str:
    if node.role == "bonus":
        return say("doc.role.bonus")
    if node.role == "penalty":
        return say("doc.role.penalty")
    return (say("doc.depth.field"), say("doc.depth.criterion"), say("doc.depth.sub_criterion"))[min(node.depth, 2)]


def rows(criteria: CriteriaSet) -> list[Row]:
    """One row per field, criterion and sub-criterion, in official order."""
    sources = _Sources(criteria.meta.sources)
    return [Row(node.code, _level(node), node.depth, node.name, vn(node.max_points),
                method_text(node) if node.is_leaf else "", evidence_text(node) if node.is_leaf else "",
                source_note(criteria, node, sources), node.spec.provenance == "modeled")
            for node in criteria.walk()]


_CONTENT: tuple[tuple[str | None, Callable[[int], str]], ...] = (
    ("transcribed", lambda n: say("doc.content.transcribed", n=n)),
    ("inferred", lambda n: say("doc.content.inferred", n=n)),
    ("modeled", lambda n: say("doc.content.modeled", n=n)),
    (None, lambda n: say("doc.content.unstated", n=n)))


def metadata(criteria: CriteriaSet) -> list[tuple[str, str]]:
    """The set's particulars as (label, value) lines, in the order a decision's annex gives them."""
    meta = criteria.meta
    sources = _Sources(meta.sources)
    items = [(say("doc.meta.id"), meta.id), (say("doc.meta.issuer"), meta.issuer)]
    for basis in meta.legal_basis:
        cited = basis_text(basis.number, basis.date, basis.issuer)
        items.append((say("doc.meta.basis"), cited + (f" — {sources.text(basis.title)}" if basis.title else "")))
    items += [(say("doc.meta.year"), str(meta.year or "")), (say("doc.meta.period"), meta.period),
              (say("doc.meta.level"), _LEVELS[meta.level]() if meta.level in _LEVELS else meta.level),
              (say("doc.meta.total"), _points(meta.total_points)), (say("doc.meta.version"), meta.version)]
    for band in meta.bands:
        name = band.name or band.code
        shown = say("doc.band_inferred", band=name) if band.inferred else name
        items.append((say("doc.meta.band"), shown + (f" — {sources.text(band.note)}" if band.note else "")))
    counts: dict[str | None, int] = {}
    for node in criteria.nodes.values():
        counts[node.spec.provenance] = counts.get(node.spec.provenance, 0) + 1
    if set(counts) != {None}:  # a set that says nothing about provenance gets no line about it
        items.append((say("doc.meta.content"), "; ".join(words(counts[kind]) for kind, words in _CONTENT
                                                          if counts.get(kind))))
    return [(k, v) for k, v in items if v]


def _columns() -> list[str]:
    return [say("doc.col.code"), say("doc.col.name"), say("doc.col.max"), say("doc.col.method"),
            say("doc.col.evidence"), say("doc.col.source")]


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("<", "&lt;").strip()


def render_markdown(criteria: CriteriaSet, language: str | None = None) -> str:
    """The annex as Markdown, in `language` (default: the current voice, Vietnamese unless set)."""
    with speaking(language):
        meta = criteria.meta
        sources = _Sources(meta.sources)
        lines = [f"# {_md(meta.name)}", ""]
        lines += [f"- **{key}:** {_md(value)}" for key, value in metadata(criteria)]
        if meta.description:
            lines += ["", _md(sources.text(meta.description))]
        if sources.listed:
            lines += ["", f"**{say('doc.sources')}:**", ""] + [f"{i}. {_md(s)}" for i, s in enumerate(sources.listed, 1)]
        lines += ["", "| " + " | ".join(_columns()) + " |", "|---|---|---:|---|---|---|"]
        for row in rows(criteria):
            name = _md(row.name)
            name = f"**{name.upper()}**" if row.depth == 0 else ("&nbsp;" * 4 * row.depth) + name
            code = f"**{row.code}**" if row.depth == 0 else row.code
            lines.append(f"| {code} | {name} | {row.max_points} | {_md(row.method)} | {_md(row.evidence)} "
                         f"| {_md(row.source)} |")
        lines.append(f"| | **{say('doc.total')}** | **{vn(meta.total_points)}** | | | |")
        return "\n".join(lines) + "\n"


_CSS = """
body{font-family:"Times New Roman",serif;margin:2em;color:#111}
h1{font-size:1.3em;text-align:center;text-transform:uppercase}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em}dt{font-weight:bold}
table{border-collapse:collapse;width:100%;font-size:.92em}
th,td{border:1px solid #444;padding:.3em .5em;vertical-align:top}th{background:#eee}
td.pts{text-align:right;white-space:nowrap}tr.d0 td{font-weight:bold;background:#f6f6f6}
tr.d0 td.name{text-transform:uppercase}tr.d2 td.name{padding-left:2em;font-style:italic}
tr.d1 td.name{padding-left:1em}.modeled{color:#8a4b00}
tfoot td{font-weight:bold}
"""


def render_html(criteria: CriteriaSet, language: str | None = None) -> str:
    """The annex as one self-contained HTML page, in `language` (default: the current voice)."""
    with speaking(language):
        meta = criteria.meta
        sources = _Sources(meta.sources)

        def e(text: object) -> str:
            return html.escape(str(text), quote=True)

        parts = ["<!DOCTYPE html>", f'<html lang="{current_voice().language}">', "<head>", '<meta charset="utf-8">',
                 f"<title>{e(meta.name)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
                 f"<h1>{e(meta.name)}</h1>", "<dl>"]
        parts += [f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in metadata(criteria)]
        parts.append("</dl>")
        if meta.description:
            parts.append(f"<p>{e(sources.text(meta.description))}</p>")
        if sources.listed:
            parts += [f"<p><b>{e(say('doc.sources'))}:</b></p>", "<ol>"] + [f"<li>{e(s)}</li>" for s in sources.listed]
            parts.append("</ol>")
        parts += ["<table>", "<thead><tr>" + "".join(f"<th>{e(c)}</th>" for c in _columns()) + "</tr></thead>",
                  "<tbody>"]
        for row in rows(criteria):
            css = ' class="modeled"' if row.modeled else ""
            parts.append(
                f'<tr class="d{min(row.depth, 2)}" data-code="{e(row.code)}" data-level="{e(row.level)}">'
                f"<td>{e(row.code)}</td><td class=\"name\">{e(row.name)}</td><td class=\"pts\">{e(row.max_points)}</td>"
                f"<td>{e(row.method)}</td><td>{e(row.evidence)}</td><td{css}>{e(row.source)}</td></tr>"
            )
        parts += ["</tbody>", f'<tfoot><tr><td></td><td>{e(say("doc.total"))}</td>'
                  f'<td class="pts">{e(vn(meta.total_points))}</td><td></td><td></td><td></td></tr></tfoot>',
                  "</table>", "</body>", "</html>"]
        return "\n".join(parts) + "\n"


def resolve_set_path(name: str) -> Path:
    """A path as given, or the id of a shipped set (criteria_sets/<id>.toml) when no such file exists."""
    path = Path(name)
    if path.exists():
        return path
    shipped = Path(__file__).resolve().parents[2] / "criteria_sets" / f"{name}.toml"
    return shipped if shipped.exists() else path
