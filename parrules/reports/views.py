"""What every report shows beyond the plain ranking: last year beside this year, the appraisal trail,
statuses for figures that are not figures, bands in order and names in Vietnamese order.

Every function here is a pure function of the campaign JSON (`CampaignResult.to_dict()` or the file
read back), so the HTML, XLSX, DOCX, CSV and Markdown reports show the same changes, the same labels
and the same order, and none of them re-derives a year-over-year figure its own way. Texts come from
the message catalogue in the current voice (`parrules.messages.speaking`): a report entry point
enters the voice once, and every helper here writes in it, rounded as the set declares.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from parrules.amounts import ROUNDING_MODES, to_decimal
from parrules.campaign.collation import vietnamese_key
from parrules.messages import current_voice, say, speaking
from parrules.messages.numbers import format_number
from parrules.scoring.results import AppraisalRound

NONE = "none"
UP, DOWN, SAME = "up", "down", "same"
ARROWS = {UP: "▲", DOWN: "▼", SAME: "▶", NONE: ""}
"""The direction of a change as an arrow (blank when there is nothing to compare with)."""

NOT_A_FIGURE = ("not_applicable", "not_evaluated", "error")
"""Leaf statuses whose points are not a figure: shown by their label, never as 0.00."""


def _number(value: Any) -> Decimal | None:
    """A figure of the JSON as a Decimal: read back with `parse_float=Decimal` most already are."""
    kind = type(value)
    if value is None or kind is Decimal:
        return value
    if kind is int:  # a whole number in the JSON (60, 100): exact as it is
        return Decimal(value)
    return to_decimal(value)


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


class Change(NamedTuple):
    """A figure this year against last year; `change` is None where either year has none.

    For a rank, `change` is positive when the unit moved up (rank 5 → 3 is +2), as the JSON says.
    A named tuple, not a dataclass: a report of 10,000 units makes some 300,000 of them."""

    previous: Decimal | int | None
    current: Decimal | int | None
    change: Decimal | int | None

    @property
    def direction(self) -> str:
        c = self.change
        return NONE if c is None else UP if c > 0 else DOWN if c < 0 else SAME

    @property
    def arrow(self) -> str:
        return ARROWS[self.direction]


NO_CHANGE = Change(None, None, None)


def _change(raw: Any, *, rank: bool = False) -> Change:
    if not raw:
        return NO_CHANGE
    read = _int if rank else _number
    return Change(read(raw.get("previous")), read(raw.get("current")), read(raw.get("change")))


class FieldView(NamedTuple):
    """One unit's field (lĩnh vực) this year, and its change on last year (a named tuple, for speed)."""

    code: str
    name: str
    role: str
    points: Decimal | None
    applicable_max: Decimal | None
    percent: Decimal | None
    rank: int | None
    points_change: Change = NO_CHANGE
    percent_change: Change = NO_CHANGE
    rank_change: Change = NO_CHANGE

    @property
    def applicable(self) -> bool:
        """False when every criterion of the field was N/A: its points are not a figure."""
        return self.applicable_max is None or self.applicable_max != 0


@dataclass(frozen=True, slots=True)
class UnitView:
    """One unit as every report shows it: this year, last year, the changes and why it is unranked.

    The change of each criterion is in `trail` (a row per criterion is what shows it)."""

    code: str
    name: str
    kind: str
    cohort: str
    rank: int | None
    rank_of: int | None
    total: Decimal | None
    applicable_max: Decimal | None
    index: Decimal | None
    band: str | None
    incomplete: tuple[tuple[str, str], ...]  # (criterion code, status) of each criterion not scored
    previous_found: bool
    total_change: Change
    index_change: Change
    rank_change: Change
    previous_band: str | None
    fields: tuple[FieldView, ...]

    def field(self, code: str) -> FieldView | None:
        for f in self.fields:
            if f.code == code:
                return f
        return None


def criteria_of(data: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The set's criteria by code (name, max_points, depth, field, role, leaf)."""
    return {c["code"]: c for c in data["criteria_set"].get("criteria", [])}


def fields_of(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The set's fields (top-level criteria) in the set's order."""
    return [c for c in data["criteria_set"].get("criteria", []) if c.get("depth") == 0]


def unit_view(data: Mapping[str, Any], unit: Mapping[str, Any],
              fields: Sequence[Mapping[str, Any]] | None = None) -> UnitView:
    """A unit entry of the campaign JSON as a `UnitView` (`fields` saves looking them up per unit)."""
    fields = fields_of(data) if fields is None else fields
    info, place, yoy = unit["unit"], unit.get("placing") or {}, unit.get("yoy") or {}
    nodes = {n["code"]: n for n in unit.get("nodes", ())}
    field_changes = {f["code"]: f for f in yoy.get("fields", ())}
    ranks = place.get("field_ranks") or {}
    views = []
    for f in fields:
        node = nodes.get(f["code"])
        if node is None:
            continue
        moved = field_changes.get(f["code"], {})
        views.append(FieldView(f["code"], str(f.get("name", "")), str(f.get("role") or "base"),
                               _number(node.get("points")), _number(node.get("applicable_max")),
                               _number(node.get("percent")), ranks.get(f["code"]),
                               _change(moved.get("points")), _change(moved.get("percent")),
                               _change(moved.get("rank"), rank=True)))
    return UnitView(
        info["code"], info.get("name", ""), info.get("kind", ""), place.get("cohort", info.get("cohort", "")),
        place.get("rank"), place.get("rank_of"), _number(unit.get("total_points")),
        _number(unit.get("applicable_max")), _number(unit.get("index")), unit.get("band"),
        tuple((m["code"], m.get("status", "")) for m in unit.get("incomplete") or ()),
        bool(yoy.get("found")), _change(yoy.get("total")), _change(yoy.get("index")),
        _change(yoy.get("rank"), rank=True), yoy.get("previous_band"), tuple(views))


def unit_views(data: Mapping[str, Any]) -> dict[str, UnitView]:
    """Every unit's view by unit code, in the JSON's order."""
    fields = fields_of(data)
    return {u["unit"]["code"]: unit_view(data, u, fields) for u in data.get("units", ())}


def has_previous(data: Mapping[str, Any]) -> bool:
    """Whether the campaign was compared with last year: reports add last year's columns only then."""
    return bool(data.get("year_over_year"))


@dataclass(frozen=True, slots=True)
class Revision:
    """What a revision of the set between the years changed: criteria without a counterpart."""

    previous_set: str
    mapping: str | None
    removed: tuple[str, ...]  # last year's codes with no counterpart (their names are not in this JSON)
    added: tuple[tuple[str, str], ...]  # (code, name) of this year's criteria with no predecessor
    units_without_previous: tuple[str, ...]


def revision(data: Mapping[str, Any]) -> Revision | None:
    """The year-over-year summary of the campaign JSON, None when there was no previous year."""
    yoy = data.get("year_over_year")
    if not yoy:
        return None
    names = criteria_of(data)
    return Revision(str(yoy.get("previous_set") or ""), yoy.get("mapping"),
                    tuple(yoy.get("removed_criteria") or ()),
                    tuple((c, str(names.get(c, {}).get("name", ""))) for c in yoy.get("added_criteria") or ()),
                    tuple(yoy.get("units_without_previous") or ()))


class CriterionTrail(NamedTuple):
    """How a criterion's final points came about for one unit: every stage, every round, the change.

    A named tuple: the detail of 10,000 units is nearly a million of them."""

    code: str
    name: str
    max_points: Decimal | None
    status: str
    self_points: Decimal | None
    computed_points: Decimal | None
    rounds: tuple[AppraisalRound, ...]  # the engine's own record of a round, read back from the JSON
    final_points: Decimal | None
    final_stage: str | None
    explanation: str
    flags: tuple[tuple[str, str], ...]  # (kind, message)
    error: str | None
    change: Change = NO_CHANGE

    @property
    def is_figure(self) -> bool:
        """False for N/A, not evaluated and errored criteria: their points are shown as a label."""
        return self.status not in NOT_A_FIGURE


def _date(value: Any) -> _dt.date | None:
    if value is None or isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value))
    except ValueError:  # a hand-edited file: the date stays unknown rather than wrong
        return None


def trail(data: Mapping[str, Any], unit: Mapping[str, Any],
          criteria: Mapping[str, Mapping[str, Any]] | None = None, *,
          only: Callable[[Mapping[str, Any]], Any] | None = None) -> list[CriterionTrail]:
    """Each of the unit's leaves with every appraisal round (`criteria` saves looking them up per unit;
    `only` keeps the leaves of the JSON it is true of, e.g. those with appraisals, before any work)."""
    criteria = criteria_of(data) if criteria is None else criteria
    changes = (unit.get("yoy") or {}).get("criteria") or {}
    out = []
    for leaf in unit.get("leaves", ()):
        if only is not None and not only(leaf):
            continue
        code = leaf["code"]
        spec = criteria.get(code, {})
        appraisals = leaf.get("appraisals")
        rounds = tuple(AppraisalRound(int(a.get("round", 0)), _number(a.get("points")), bool(a.get("not_applicable")),
                             str(a.get("reason") or ""), str(a.get("by") or ""), _date(a.get("at")),
                             str(a.get("response") or ""))
                       for a in appraisals) if appraisals else ()
        flags = leaf.get("flags")
        moved = changes.get(code)
        out.append(CriterionTrail(
            code, str(spec.get("name", "")), _number(spec.get("max_points")), str(leaf.get("status", "")),
            _number(leaf.get("self_points")), _number(leaf.get("computed_points")), rounds,
            _number(leaf.get("final_points")), leaf.get("final_stage"), str(leaf.get("explanation") or ""),
            tuple((f["kind"], str(f.get("message", ""))) for f in flags) if flags else (), leaf.get("error"),
            _change(moved) if moved else NO_CHANGE))
    return out


# --- texts, in the current voice ------------------------------------------------------------------

def points_text(value: Any) -> str:
    """Points rounded to the set's decimals in the reader's style ("83,55"); a dash when there are none."""
    voice = current_voice()
    return format_number(_number(value), voice.decimals, voice.language, voice.mode)


def percent_text(value: Any) -> str:
    """A percentage or the index rounded to the set's percent decimals; a dash when there is none."""
    voice = current_voice()
    return format_number(_number(value), voice.percent_decimals, voice.language, voice.mode)


def status_label(status: str) -> str:
    """What a leaf status is called ("không áp dụng", "chưa đánh giá", "lỗi", …)."""
    return say(f"status.{status}") if status in _STATUSES else status


_STATUSES = frozenset(("full", "partial", "zero", "not_applicable", "not_evaluated", "error"))
_FLAGS = frozenset(("error", "self_above_evidence", "lowered_without_reason", "missing_evidence",
                    "evidence_file_missing", "declared_differs"))


def flag_label(kind: str) -> str:
    """What a flag for appraisers is called ("Tự chấm cao hơn minh chứng", …); a plugin's own kind as is."""
    return say(f"flag.{kind}") if kind in _FLAGS else kind


def stage_label(stage: str | None, last_round: int = 1) -> str:
    """What the stage that gave the final points is called; an appraisal says its (last) round."""
    if stage is None:
        return "—"
    if stage == "appraisal":
        return say("stage.appraisal", round=last_round or 1)
    return say(f"stage.{stage}") if stage in ("computed", "self", "error") else stage


def leaf_points_text(item: CriterionTrail) -> str:
    """The final points of a criterion, or its status when they are not a figure (never 0.00 for N/A)."""
    if not item.is_figure or item.final_points is None:
        return status_label(item.status) if not item.is_figure else "—"
    return points_text(item.final_points)


def field_points_text(item: FieldView) -> str:
    """A field's points, or "không áp dụng" when none of its criteria applied."""
    return points_text(item.points) if item.applicable else status_label("not_applicable")


def _sign(value: Decimal | int) -> str:
    return "+" if value > 0 else "−" if value < 0 else "±"


def signed_number(value: Any, *, percent: bool = False) -> str:
    """+1,23 / −0,50 / ±0,00: a change as a bare signed number (table cells whose header names the unit)."""
    number = _number(value)
    if number is None:
        return "—"
    voice = current_voice()
    return _sign(number) + format_number(abs(number), voice.percent_decimals if percent else voice.decimals,
                                         voice.language, voice.mode)


def points_change_text(change: Change) -> str:
    """"+17,59 điểm": the change in points; a dash when there is no previous figure."""
    if change.change is None:
        return "—"
    return say("report.change.points", sign=_sign(change.change), value=abs(to_decimal(change.change)))


def index_change_text(change: Change) -> str:
    """"+17,59 điểm %": an index change is in percentage points, never "%"."""
    if change.change is None:
        return "—"
    return say("report.change.index", sign=_sign(change.change), value=abs(to_decimal(change.change)))


def rank_change_text(change: Change) -> str:
    """"tăng 2 bậc" / "giảm 1 bậc" / "giữ nguyên thứ hạng"; a dash when there is no previous rank."""
    if change.change is None:
        return "—"
    n = int(change.change)
    if n == 1:
        return say("report.change.rank_up_one")
    if n == -1:
        return say("report.change.rank_down_one")
    if n > 0:
        return say("report.change.rank_up", n=n)
    if n < 0:
        return say("report.change.rank_down", n=-n)
    return say("report.change.rank_same")


def movement_text(unit: UnitView, *, in_points: bool = False) -> str:
    """The unit's change on last year in one phrase: "▲ +17,59 điểm %, tăng 1 bậc" ('' with no figure).

    `in_points` gives the change of the total ("+17,59 điểm") instead of the index's: for a report that
    shows the total alone because the index repeats it (`index_is_total`)."""
    if not unit.previous_found:
        return say("report.change.new") if unit.index_change.current is not None else ""
    change = unit.total_change if in_points else unit.index_change
    text = points_change_text(change) if in_points else index_change_text(change)
    parts = [f"{change.arrow} {text}".strip()]
    if unit.rank_change.change is not None:
        parts.append(rank_change_text(unit.rank_change))
    return ", ".join(parts)


def rank_text(rank: int | None, rank_of: int | None) -> str:
    """"2/63", or a dash for an unranked unit."""
    return "—" if rank is None else f"{rank}/{rank_of}"


def unit_status_text(unit: UnitView) -> str:
    """"đủ", or "chưa đủ:" and each criterion not scored with its status."""
    if not unit.incomplete:
        return say("unit.complete")
    return say("unit.incomplete", criteria="; ".join(f"{code} {status_label(status)}" for code, status in unit.incomplete))


def cohort_label(name: str) -> str:
    """A cohort's name; the implicit cohort of every unit is called so ("toàn bộ"), not "all"."""
    return say("cohort.all") if name == "all" else name


# --- bands, names, order ---------------------------------------------------------------------------

def bands_in_order(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The set's bands best first (highest lower bound first), whatever order the set lists them in:
    a set may list B before A, a reader expects A, B, C."""
    bands = list(data["criteria_set"].get("bands", []))
    indexed = sorted(enumerate(bands), key=lambda ib: (
        -(_number(ib[1].get("from")) if ib[1].get("from") is not None else Decimal(-1)),
        -(_number(ib[1].get("below")) if ib[1].get("below") is not None else Decimal(1000)), ib[0]))
    return [band for _, band in indexed]


def band_names(data: Mapping[str, Any]) -> dict[str, str]:
    """Band code → the name the set gives it (its code when it gives none): "Nhóm A", not "A"."""
    return {b["code"]: str(b.get("name") or b["code"]) for b in data["criteria_set"].get("bands", [])}


def in_rank_order(units: Iterable[UnitView]) -> list[UnitView]:
    """Units by rank; within a shared rank (and among the unranked, last) in Vietnamese order of name."""
    return sorted(units, key=lambda u: (u.rank is None, u.rank or 0, vietnamese_key(u.name), u.code))


def cohorts(data: Mapping[str, Any], views: Mapping[str, UnitView] | None = None
            ) -> Iterator[tuple[str, list[UnitView]]]:
    """Cohorts in the campaign's order, each with its units in rank order (see `in_rank_order`)."""
    views = unit_views(data) if views is None else views
    for cohort in data.get("cohorts", ()):
        yield cohort["name"], in_rank_order(views[c] for c in cohort.get("units", ()) if c in views)


def index_is_total(data: Mapping[str, Any], views: Iterable[UnitView] | None = None) -> bool:
    """Whether the index repeats the total for every unit, as it does in a 100-point set without N/A:
    then a report shows one column, not two identical ones."""
    cs = data["criteria_set"]
    if _number(cs.get("total_points")) != 100:
        return False
    voice = current_voice()
    for unit in unit_views(data).values() if views is None else views:
        if format_number(unit.total, voice.decimals, "en") != format_number(unit.index, voice.percent_decimals, "en"):
            return False
    return True


# --- the title block --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class TitleBlock:
    """What heads a publication: the campaign, the set and the decisions it rests on, the period."""

    title: str
    set_name: str
    legal_basis: tuple[str, ...]
    period: str
    date: _dt.date | None


def title_block(data: Mapping[str, Any]) -> TitleBlock:
    """The heading of a publication, read from the campaign JSON.

    The legal basis (`criteria_set.legal_basis`) and the date (`campaign.date`) are shown when the JSON
    carries them; nothing is made up (in particular not today's date: the same JSON gives the same
    report bytes)."""
    cs, campaign = data["criteria_set"], data.get("campaign") or {}
    basis = []
    for item in cs.get("legal_basis") or ():
        if isinstance(item, str):
            basis.append(item)
            continue
        text = str(item.get("number") or "")
        if day := _date(item.get("date")):
            text += say("report.legal_basis.dated", day=day)
        if item.get("issuer"):
            text += say("report.legal_basis.issuer", issuer=item["issuer"])
        if item.get("title"):
            text += " — " + str(item["title"])
        basis.append(text)
    periods = sorted({str(u["unit"].get("period")) for u in data.get("units", ()) if u["unit"].get("period")})
    return TitleBlock(str(campaign.get("name") or cs.get("name", "")), str(cs.get("name", "")), tuple(basis),
                      ", ".join(periods), _date(campaign.get("date")))


def report_voice(data: Mapping[str, Any], language: str | None = None) -> AbstractContextManager[Any]:
    """The voice a report is written in: the set's decimals and rounding mode (a file written before the
    mode was recorded rounds half-up, as published), and `language` (None keeps the current voice's,
    Vietnamese unless the caller said otherwise). The JSON was checked when it was read."""
    cs = data["criteria_set"]
    mode = cs.get("rounding_mode") if cs.get("rounding_mode") in ROUNDING_MODES else "half_up"
    return speaking(language, decimals=int(cs.get("decimals", 2)), percent_decimals=int(cs.get("percent_decimals", 2)),
                    mode=mode)


def incomplete_banner(data: Mapping[str, Any]) -> str:
    """The sentence a report puts first when units are incomplete ('' when every unit is complete)."""
    units = [u for u in data.get("units", ()) if u.get("incomplete")]
    if not units:
        return ""
    return say("run.incomplete_banner", units=len(units), criteria=sum(len(u["incomplete"]) for u in units))
