"""Year-over-year: points, percentage and rank change per unit and per field, across revised sets too.

Last year's figures come from a parrules results JSON (`parrules score --format json`, or the JSON of a
campaign run). When the criteria set was revised between the years, a TOML mapping declares which old
code became which new one:

    [mapping]
    from_set = "par-2019"        # optional: checked against the previous results
    to_set = "par-2020"          # optional: checked against this year's set
    [mapping.codes]
    "2.3" = "2.4"                # renumbered
    "2.4" = "2.5"
    "6.4" = ""                   # dropped: reported as having no counterpart
    "5.1" = "5.1"                # several old codes may map to one new code: their points are added

Codes the mapping does not list keep their code when this year's set has it. Nothing is guessed: an
old criterion without a counterpart and a new criterion without a predecessor are listed as such, and
a field whose make-up changed that way is compared only as a field total, with the unmatched codes
named beside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

from parrules.campaign.ranking import cohort_of, competition_ranks
from parrules.errors import Problem, ProblemsError, key_path
from parrules.files.reading import nfc, read_document
from parrules.sets.criteria_set import CriteriaSet, code_sort_key

RESULT_FORMATS = ("parrules.results/1", "parrules.campaign/1", "parrules.campaign/2")


@dataclass(slots=True)
class PreviousUnit:
    code: str
    name: str
    kind: str
    cohort: str
    index: Decimal | None
    total_points: Decimal | None
    band: str | None
    rank: int | None
    field_ranks: dict[str, int | None]
    nodes: dict[str, tuple[Decimal | None, Decimal | None]]  # code -> (points, percent)
    leaves: dict[str, Decimal | None]  # code -> final points


@dataclass(slots=True)
class PreviousResults:
    path: str
    criteria_set_id: str
    units: dict[str, PreviousUnit]
    ranked: bool  # ranks came from the file (a campaign run), not recomputed here


@dataclass(slots=True)
class CodeMapping:
    """Old code -> new code ('' = no counterpart)."""

    codes: dict[str, str]
    from_set: str = ""
    to_set: str = ""
    path: str = ""

    def new_code(self, old: str, new_codes: Sequence[str] | set[str]) -> str:
        if old in self.codes:
            return self.codes[old]
        return old if old in new_codes else ""


def load_previous(path: str | Path) -> PreviousResults:
    """Read last year's results JSON (a `score --format json` output or a campaign run's JSON)."""
    doc = read_document(path, what="previous results")
    label = doc.label
    data = doc.data
    fmt = data.get("format")
    if fmt not in RESULT_FORMATS:
        raise ProblemsError([Problem(label, "format", f"not a parrules results file (format {fmt!r})",
                                     hint="use the JSON of `parrules score --format json` or of `parrules campaign`")])
    problems: list[Problem] = []
    units: dict[str, PreviousUnit] = {}
    ranked = fmt != "parrules.results/1"
    raw_units = data.get("units")
    if not isinstance(raw_units, list):
        raise ProblemsError([Problem(label, "units", "a list of units is missing")])
    for i, raw in enumerate(raw_units):
        try:
            info = raw["unit"]
            code = nfc(str(info["code"]))
            nodes = {nfc(n["code"]): (_dec(n.get("points")), _dec(n.get("percent"))) for n in raw.get("nodes", [])}
            leaves = {nfc(leaf["code"]): _dec(leaf.get("final_points")) for leaf in raw.get("leaves", [])}
            place = raw.get("placing") or {}
            units[code] = PreviousUnit(
                code, nfc(str(info.get("name", ""))), nfc(str(info.get("kind", ""))), nfc(str(info.get("cohort", ""))),
                _dec(raw.get("index")), _dec(raw.get("total_points")), raw.get("band"),
                place.get("rank"), {nfc(k): v for k, v in (place.get("field_ranks") or {}).items()}, nodes, leaves)
        except (KeyError, TypeError, AttributeError) as exc:
            problems.append(Problem(label, key_path("units", i), f"unit entry is incomplete ({exc})"))
    if problems:
        raise ProblemsError(problems)
    set_id = str((data.get("criteria_set") or {}).get("id", ""))
    return PreviousResults(label, set_id, units, ranked)


def _dec(value: Any) -> Decimal | None:
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def load_mapping(path: str | Path, previous_set: str = "", current: CriteriaSet | None = None) -> CodeMapping:
    """Read a TOML code mapping, checking that every new code exists in this year's set."""
    doc = read_document(path, what="code mapping")
    label = doc.label
    problems: list[Problem] = []

    def add(keys: tuple[object, ...], message: str, hint: str | None = None) -> None:
        problems.append(Problem(label, key_path(*keys), message, line=doc.lines.line(*keys), hint=hint))

    table = doc.data.get("mapping")
    if not isinstance(table, dict):
        raise ProblemsError([Problem(label, "mapping", "the [mapping] table is missing",
                                     hint='add [mapping.codes] with lines such as "2.3" = "2.4"')])
    for key in table:
        if key not in ("from_set", "to_set", "codes"):
            add(("mapping", key), f"unknown key '{key}' in [mapping]", hint="known keys: codes, from_set, to_set")
    codes_raw = table.get("codes", {})
    codes: dict[str, str] = {}
    if not isinstance(codes_raw, dict):
        add(("mapping", "codes"), "must be a table of old code = new code")
        codes_raw = {}
    for old, new in codes_raw.items():
        if not isinstance(new, str):
            add(("mapping", "codes", old), "the new code must be text, \"\" for no counterpart",
                hint="one old criterion maps to one new criterion; a split criterion has no counterpart")
            continue
        new_code = nfc(new.strip())
        if current is not None and new_code and new_code not in current.nodes:
            add(("mapping", "codes", old), f"'{new_code}' is not a criterion of set '{current.id}'")
        codes[nfc(old.strip())] = new_code
    from_set, to_set = str(table.get("from_set", "")), str(table.get("to_set", ""))
    if from_set and previous_set and from_set != previous_set:
        add(("mapping", "from_set"), f"the mapping is from set '{from_set}' but the previous results are of '{previous_set}'")
    if to_set and current is not None and to_set != current.id:
        add(("mapping", "to_set"), f"the mapping is to set '{to_set}' but this campaign uses '{current.id}'")
    if problems:
        raise ProblemsError(problems)
    return CodeMapping(codes, from_set, to_set, label)


@dataclass(frozen=True, slots=True)
class Change:
    """A figure this year against last year (None where either year has none)."""

    previous: Decimal | None
    current: Decimal | None
    change: Decimal | None

    def to_dict(self) -> dict[str, Any]:
        return {"previous": self.previous, "current": self.current, "change": self.change}


@dataclass(frozen=True, slots=True)
class RankChange:
    previous: int | None
    current: int | None
    change: int | None  # positive = moved up

    def to_dict(self) -> dict[str, Any]:
        return {"previous": self.previous, "current": self.current, "change": self.change}


@dataclass(frozen=True, slots=True)
class FieldChange:
    code: str
    previous_codes: tuple[str, ...]
    points: Change
    percent: Change
    rank: RankChange

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "previous_codes": list(self.previous_codes), "points": self.points.to_dict(),
                "percent": self.percent.to_dict(), "rank": self.rank.to_dict()}


@dataclass(frozen=True, slots=True)
class UnitChange:
    code: str
    found: bool
    total: Change
    index: Change
    rank: RankChange
    previous_band: str | None
    fields: tuple[FieldChange, ...] = ()
    criteria: Mapping[str, Change] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def direction(self) -> str:
        c = self.index.change
        return "none" if c is None else "up" if c > 0 else "down" if c < 0 else "same"

    def to_dict(self) -> dict[str, Any]:
        return {"found": self.found, "total": self.total.to_dict(), "index": self.index.to_dict(),
                "rank": self.rank.to_dict(), "previous_band": self.previous_band, "direction": self.direction,
                "fields": [f.to_dict() for f in self.fields],
                "criteria": {code: c.to_dict() for code, c in self.criteria.items()}}


@dataclass(frozen=True, slots=True)
class YearOverYear:
    previous_path: str
    previous_set: str
    mapping_path: str
    units: Mapping[str, UnitChange]
    removed: tuple[str, ...]  # old criteria with no counterpart
    added: tuple[str, ...]  # new criteria with no predecessor
    missing_units: tuple[str, ...]  # units with no previous result

    def to_dict(self) -> dict[str, Any]:
        return {"previous_results": self.previous_path, "previous_set": self.previous_set,
                "mapping": self.mapping_path or None, "removed_criteria": list(self.removed),
                "added_criteria": list(self.added), "units_without_previous": list(self.missing_units)}


def _change(previous: Decimal | None, current: Decimal | None) -> Change:
    return Change(previous, current, None if previous is None or current is None else current - previous)


def _rank_change(previous: int | None, current: int | None) -> RankChange:
    return RankChange(previous, current, None if previous is None or current is None else previous - current)


def compare(criteria: CriteriaSet, placings: Sequence[Any], previous: PreviousResults,
            mapping: CodeMapping | None = None, *, cohorts: Mapping[str, Sequence[str]] | None = None,
            rank_by: str = "index") -> YearOverYear:
    """Compare this year's placings (from `ranking.rank_units`) with last year's results."""
    mapping = mapping or CodeMapping({})
    new_codes = set(criteria.nodes)
    old_codes: set[str] = set()
    for unit in previous.units.values():
        old_codes.update(unit.nodes)
        old_codes.update(unit.leaves)
    predecessors: dict[str, list[str]] = {}
    removed = []
    for old in sorted(old_codes, key=code_sort_key):
        new = mapping.new_code(old, new_codes)
        if new:
            predecessors.setdefault(new, []).append(old)
        else:
            removed.append(old)
    added = [code for code in criteria.nodes if code not in predecessors]
    prev_ranks, prev_field_ranks = _previous_ranks(criteria, previous, mapping, cohorts, rank_by)
    units: dict[str, UnitChange] = {}
    missing = []
    for placing in placings:
        unit = placing.unit
        code = unit.unit.code
        old = previous.units.get(code)
        if old is None:
            missing.append(code)
            units[code] = UnitChange(code, False, _change(None, unit.total_points), _change(None, unit.index),
                                     _rank_change(None, placing.rank), None)
            continue
        fields = []
        for node in unit.fields:
            olds = predecessors.get(node.code, [])
            points = _sum([old.nodes.get(c, (None, None))[0] for c in olds]) if olds else None
            pct = old.nodes[olds[0]][1] if len(olds) == 1 and olds[0] in old.nodes else None
            fields.append(FieldChange(
                node.code, tuple(olds), _change(points, node.points), _change(pct, node.percent),
                _rank_change(prev_field_ranks.get(code, {}).get(node.code), placing.field_ranks.get(node.code))))
        by_criterion = {}
        for leaf in unit.leaves:
            olds = predecessors.get(leaf.code, [])
            if olds and all(c in old.leaves for c in olds):
                by_criterion[leaf.code] = _change(_sum([old.leaves[c] for c in olds]), leaf.final_points)
        units[code] = UnitChange(code, True, _change(old.total_points, unit.total_points),
                                 _change(old.index, unit.index), _rank_change(prev_ranks.get(code), placing.rank),
                                 old.band, tuple(fields), MappingProxyType(by_criterion))
    return YearOverYear(previous.path, previous.criteria_set_id, mapping.path, MappingProxyType(units),
                        tuple(removed), tuple(added), tuple(missing))


def _sum(values: list[Decimal | None]) -> Decimal | None:
    known = [v for v in values if v is not None]
    return sum(known, Decimal(0)) if known else None


def _previous_ranks(criteria: CriteriaSet, previous: PreviousResults, mapping: CodeMapping,
                    cohorts: Mapping[str, Sequence[str]] | None, rank_by: str
                    ) -> tuple[dict[str, int | None], dict[str, dict[str, int | None]]]:
    """Last year's ranks: from the file when it was a campaign run, else ranked here the same way."""
    new_codes = set(criteria.nodes)
    if previous.ranked:
        fields = {u.code: {mapping.new_code(c, new_codes): r for c, r in u.field_ranks.items()}
                  for u in previous.units.values()}
        return {u.code: u.rank for u in previous.units.values()}, fields
    declared = dict(cohorts) if cohorts else dict(criteria.meta.cohorts)
    groups: dict[str, list[PreviousUnit]] = {}
    for unit in previous.units.values():
        groups.setdefault(cohort_of(unit.cohort, unit.kind, declared), []).append(unit)
    ranks: dict[str, int | None] = {}
    field_ranks: dict[str, dict[str, int | None]] = {u: {} for u in previous.units}
    for members in groups.values():
        key = "index" if rank_by == "index" else "total_points"
        got = competition_ranks({u.code: None if getattr(u, key) is None or u.index is None else (getattr(u, key),)
                                 for u in members})
        ranks.update(got)  # type: ignore[arg-type]
        old_fields = {c for u in members for c in u.nodes if "." not in c}
        for old in old_fields:
            new = mapping.new_code(old, new_codes)
            if not new:
                continue
            got = competition_ranks({u.code: None if u.nodes.get(old, (None, None))[1] is None
                                     else (u.nodes[old][1],) for u in members})
            for unit_code, rank in got.items():
                field_ranks[unit_code][new] = rank  # type: ignore[index]
    return ranks, field_ranks
