"""Markdown: the ranking, bands, statistics and each unit's losses and appraisal trail, for a wiki page
or a pull request.

The same views as every other report (`parrules.reports.views`): last year beside this year when the
campaign was compared with it, N/A and errors shown as such, bands best first, names of a shared rank
in Vietnamese order, and every number rounded as the set declares.
"""

from __future__ import annotations

from typing import Any

from parrules.messages import say
from parrules.reports.common import ReportData
from parrules.reports.views import (
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
    index_is_total,
    movement_text,
    percent_text,
    points_text,
    rank_text,
    revision,
    status_label,
    title_block,
    trail,
    unit_status_text,
    unit_views,
)


def _cell(text: Any) -> str:
    """Table cells: pipes and line breaks would break the table; HTML in names must stay text."""
    value = str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_markdown(view: ReportData) -> str:
    return _Markdown(view.data).render()


class _Markdown:
    def __init__(self, data: Any) -> None:
        self.data = data
        self.views = unit_views(data)
        self.fields = fields_of(data)
        self.bands = band_names(data)
        self.criteria = criteria_of(data)
        self.previous = has_previous(data)
        self.one_column = index_is_total(data, self.views.values())

    def band(self, code: str | None) -> str:
        return "—" if code is None else self.bands.get(code, code)

    def render(self) -> str:
        block = title_block(self.data)
        cs = self.data["criteria_set"]
        lines = [f"# {_cell(block.title)}", ""]
        banner = incomplete_banner(self.data)
        if banner:
            lines += [f"> **{_cell(banner)}**", ""]
        lines += [f"{_cell(say('report.set', name=cs.get('name', '')))} (`{_cell(cs.get('id', ''))}`)", ""]
        lines += [f"- {_cell(say('report.legal_basis.heading'))}: {_cell(b)}" for b in block.legal_basis]
        if block.period:
            lines.append(f"- {_cell(say('report.period', period=block.period))}")
        if block.date:
            lines.append(f"- {_cell(say('report.date', day=block.date))}")
        change = revision(self.data)
        if change is not None:
            lines.append(f"- {_cell(say('report.compared_with', previous_set=change.previous_set or '—'))}")
            if change.removed:
                lines.append(f"- {_cell(say('report.revision.removed', codes=', '.join(change.removed)))}")
            if change.added:
                codes = ", ".join(f"{c} {n}".strip() for c, n in change.added)
                lines.append(f"- {_cell(say('report.revision.added', codes=codes))}")
        if lines[-1]:
            lines.append("")
        legend = "; ".join(f"{f['code']}. {f.get('name', '')}" for f in self.fields)
        for cohort, units in cohorts(self.data, self.views):
            lines += [f"## {_cell(say('report.ranking', cohort=cohort_label(cohort)))}", ""]
            lines += self.table(units)
            lines += ["", _cell(say("report.fields_legend", fields=legend)), ""] if self.fields else [""]
            lines += self.band_counts(cohort)
        lines += [f"## {_cell(say('md.each_unit'))}", ""]
        for unit in self.data.get("units", ()):
            lines += self.unit(self.views[unit["unit"]["code"]], unit)
        return "\n".join(lines).rstrip() + "\n"

    def table(self, units: list[UnitView]) -> list[str]:
        head = [say("report.col.rank"), say("report.col.unit"), say("report.col.total")]
        align = ["---:", "---", "---:"]
        if not self.one_column:
            head.append(say("report.col.index"))
            align.append("---:")
        head.append(say("report.col.band"))
        align.append("---")
        if self.previous:
            head.append(say("report.col.change"))
            align.append("---")
        head += [f["code"] for f in self.fields]
        align += ["---:"] * len(self.fields)
        lines = ["| " + " | ".join(_cell(h) for h in head) + " |", "|" + "|".join(align) + "|"]
        for unit in units:
            band = self.band(unit.band) if not unit.incomplete else f"⚠ {unit_status_text(unit)}"
            row = [rank_text(unit.rank, unit.rank_of), unit.name, points_text(unit.total)]
            if not self.one_column:
                row.append(percent_text(unit.index))
            row.append(band)
            if self.previous:
                row.append(movement_text(unit, in_points=self.one_column))
            for f in self.fields:
                found = unit.field(f["code"])
                row.append(field_points_text(found) if found else "—")
            lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
        return lines

    def band_counts(self, cohort: str) -> list[str]:
        stats = next((c.get("statistics") or {} for c in self.data.get("cohorts", ()) if c["name"] == cohort), {})
        counts = stats.get("band_counts") or {}
        lines = [f"### {_cell(say('md.bands'))}", ""]
        for band in bands_in_order(self.data):
            lines.append(f"- {_cell(self.band(band['code']))}: {counts.get(band['code'], 0)}")
        for extra, key in (("none", "report.band.none"), ("incomplete", "report.band.incomplete")):
            if counts.get(extra):
                lines.append(f"- {_cell(say(key))}: {counts[extra]}")
        lines += ["", _cell(say("md.statistics", mean=stats.get("mean_index"), median=stats.get("median_index"))), ""]
        return lines

    def unit(self, unit: UnitView, raw: Any) -> list[str]:
        rank = rank_text(unit.rank, unit.rank_of)
        if self.one_column:
            summary = say("md.unit_summary_total", total=unit.total, band=self.band(unit.band), rank=rank)
        else:
            summary = say("md.unit_summary", total=unit.total, index=unit.index, band=self.band(unit.band), rank=rank)
        lines = [f"### {_cell(unit.name)} ({_cell(unit.code)})", "", _cell(summary), ""]
        if unit.previous_found:
            last = {"total": unit.total_change.previous, "band": self.band(unit.previous_band),
                    "rank": "—" if unit.rank_change.previous is None else unit.rank_change.previous,
                    "movement": movement_text(unit, in_points=self.one_column)}
            if self.one_column:
                lines += [_cell(say("md.last_year_total", **last)), ""]
            else:
                lines += [_cell(say("md.last_year", index=unit.index_change.previous, **last)), ""]
        if unit.incomplete:
            lines += [f"**{_cell(say('md.incomplete'))}** — {_cell(unit_status_text(unit))}:", ""]
            lines += [f"- {_cell(m['code'])}: {_cell(m.get('reason', ''))}" for m in raw.get("incomplete") or ()] + [""]
        leaves = {leaf["code"]: leaf for leaf in raw.get("leaves", ())}
        gaps = raw.get("gaps") or {}
        losses = gaps.get("losses") or []
        if losses:
            lines += [f"| {_cell(say('report.col.criterion'))} | {_cell(say('md.lost'))} | "
                      f"{_cell(say('report.col.explanation'))} |", "|---|---:|---|"]
            for loss in losses[:10]:
                name = self.criteria.get(loss["code"], {}).get("name", "")
                explanation = leaves.get(loss["code"], {}).get("explanation", "")
                lines.append(f"| {_cell(loss['code'])} {_cell(name)} | {points_text(loss.get('lost'))} | "
                             f"{_cell(explanation)} |")
            lines.append("")
        for key, message in (("next_band", "md.next_band"), ("next_rank", "md.next_rank")):
            target = gaps.get(key)
            if target and target.get("reachable"):
                label = self.band(target["label"]) if key == "next_band" else target["label"]
                lines.append("- " + _cell(say(message, label=label, criteria=", ".join(target["criteria"]),
                                               gain=target.get("gain"))))
        items = trail(self.data, raw, self.criteria, only=_flagged_or_appraised)
        for item in items:
            for kind, text in item.flags:
                lines.append(f"- ⚠ {_cell(item.code)}: {_cell(flag_label(kind))} — {_cell(text)}")
        rounds = [(item, rnd) for item in items for rnd in item.rounds]
        if rounds:
            lines += ([""] if lines[-1] else []) + [f"#### {_cell(say('md.trail'))}", ""]
            for item, rnd in rounds:
                points = status_label("not_applicable") if rnd.not_applicable else points_text(rnd.points)
                text = say("md.round", code=item.code, round=rnd.round, points=points, reason=rnd.reason or "—")
                if rnd.at:
                    text += say("md.round_by_at", by=rnd.by or "—", day=rnd.at)
                elif rnd.by:
                    text += say("md.round_by", by=rnd.by)
                if rnd.response:
                    text += "; " + say("md.response", response=rnd.response)
                lines.append(f"- {_cell(text)}")
        lines.append("")
        return lines


def _flagged_or_appraised(leaf: Any) -> bool:
    """The leaves a unit's section lists besides its losses: those with flags or appraisal rounds."""
    return bool(leaf.get("flags") or leaf.get("appraisals"))
