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

from parrules.amounts import to_decimal
from parrules.campaign.ranking import cohort_of, competition_ranks
from parrules.errors import Problem, ProblemsError, did_you_mean, key_path
from parrules.files.reading import nfc, read_document
from parrules.messages import say
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
    incomplete: bool = False  # last year's figure was not complete: nothing is compared with it


@dataclass(slots=True)
class PreviousResults:
    path: str
    criteria_set_id: str
    units: dict[str, PreviousUnit]
    ranked: bool  # ranks came from the file (a campaign run), not recomputed here
    codes: frozenset[str] = frozenset()  # every criterion code last year's results name

    def criteria_codes(self) -> frozenset[str]:
        """Last year's criterion codes: the set's list in a campaign JSON, and every code a unit has.

        One definition for both users of it: the mapping is checked against it (an old code that is
        not one is a typo) and the comparison lists the old codes nothing maps to."""
        found = set(self.codes)
        for unit in self.units.values():
            found.update(unit.nodes)
            found.update(unit.leaves)
        return frozenset(found)


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


_RESULTS_HINT = "problem.previous.hint"
"""The catalogue key of what to give instead of a wrong results file (said when the problem is made)."""
_NO_VALUE = object()


class _Fields:
    """Reads a hand-editable JSON value by value: each wrong one becomes a Problem naming the file
    and the key path (`units[3].total_points`), and reading goes on, so every mistake of the file is
    said in one run and none reaches the comparison as a traceback."""

    def __init__(self, label: str, problems: list[Problem]) -> None:
        self.label = label
        self.problems = problems

    def wrong(self, keys: tuple[object, ...], message: str, hint: str | None = _RESULTS_HINT) -> None:
        """A problem at `keys`; `hint` is the results-file hint unless another text (or None) is given."""
        hint = say(_RESULTS_HINT) if hint == _RESULTS_HINT else hint
        self.problems.append(Problem(self.label, key_path(*keys), message, hint=hint))

    def get(self, table: dict[str, Any], keys: tuple[object, ...], *, required: bool) -> Any:
        if keys[-1] in table:
            return table[keys[-1]]
        if required:
            self.wrong(keys, say("problem.previous.missing"))
        return _NO_VALUE

    def table(self, table: dict[str, Any], keys: tuple[object, ...], *, required: bool = False) -> dict[str, Any] | None:
        value = self.get(table, keys, required=required)
        if value is _NO_VALUE or (value is None and not required):
            return None
        if not isinstance(value, dict):
            self.wrong(keys, say("problem.previous.must_be", what=say("problem.previous.kind.object"), kind=_kind(value)))
            return None
        return value

    def items(self, table: dict[str, Any], keys: tuple[object, ...]) -> list[Any]:
        value = self.get(table, keys, required=True)
        if value is _NO_VALUE:
            return []
        if not isinstance(value, list):
            self.wrong(keys, say("problem.previous.must_be", what=say("problem.previous.kind.list"), kind=_kind(value)))
            return []
        return value

    def text(self, table: dict[str, Any], keys: tuple[object, ...], *, required: bool = False,
             null: bool = False) -> str | None:
        value = self.get(table, keys, required=required)
        if value is _NO_VALUE or (value is None and null):
            return None
        if not isinstance(value, str):
            what = say("problem.previous.kind.text_or_null" if null else "problem.previous.kind.text")
            self.wrong(keys, say("problem.previous.must_be", what=what, kind=_kind(value)))
            return None
        if required and not value.strip():
            self.wrong(keys, say("problem.previous.empty"))
            return None
        return nfc(value)

    def number(self, table: dict[str, Any], keys: tuple[object, ...], *, required: bool = False) -> Decimal | None:
        """A figure of last year, through the one number path (`amounts.to_decimal`) and its bounds."""
        value = self.get(table, keys, required=required)
        if value is _NO_VALUE or value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            self.wrong(keys, say("problem.previous.must_be", what=say("problem.previous.kind.number_or_null"),
                                 kind=_kind(value)))
            return None
        try:
            return to_decimal(value)
        except ValueError as exc:
            self.wrong(keys, str(exc))
            return None

    def rank(self, value: Any, keys: tuple[object, ...]) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.wrong(keys, say("problem.previous.rank", value=_shown(value)))
            return None
        return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return say("problem.previous.kind.bool", value=str(value).lower())
    kind = {dict: "object", list: "list", str: "text", int: "number", Decimal: "number"}.get(type(value))
    return say(f"problem.previous.kind.{kind}") if kind else type(value).__name__


def _shown(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else _kind(value) if isinstance(value, (bool, dict, list)) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def load_previous(path: str | Path) -> PreviousResults:
    """Read last year's results JSON (a `score --format json` output or a campaign run's JSON).

    The file may have been edited by hand (a unit's figure corrected after an appeal), so every value
    this module uses is checked for its type and, for numbers, for the bounds of a PAR figure; every
    mistake is a Problem with the key path, raised together, never a traceback."""
    doc = read_document(path, what=say("problem.what.previous"))
    label = doc.label
    data = doc.data
    fmt = data.get("format")
    if not isinstance(fmt, str) or fmt not in RESULT_FORMATS:
        raise ProblemsError([Problem(label, "format", say("problem.previous.not_results", format=_shown(fmt)),
                                     hint=say("problem.previous.formats_hint", formats=", ".join(RESULT_FORMATS)))])
    problems: list[Problem] = []
    read = _Fields(label, problems)
    set_info = read.table(data, ("criteria_set",)) or {}
    set_id = read.text(set_info, ("criteria_set", "id")) or ""
    codes = set()
    if isinstance(set_info.get("criteria"), list):  # a campaign JSON lists the set's criteria
        for i, node in enumerate(set_info["criteria"]):
            if not isinstance(node, dict):
                read.wrong(("criteria_set", "criteria", i), say("problem.previous.entry", kind=_kind(node)))
            elif code := read.text(node, ("criteria_set", "criteria", i, "code"), required=True):
                codes.add(code)
    units: dict[str, PreviousUnit] = {}
    where: dict[str, int] = {}
    for i, raw in enumerate(read.items(data, ("units",))):
        unit = _previous_unit(read, raw, i)
        if unit is None:
            continue
        if unit.code in where:
            read.wrong(("units", i, "unit", "code"),
                       say("problem.previous.unit_twice", code=unit.code, at=key_path("units", where[unit.code])),
                       hint=say("problem.previous.unit_twice_hint"))
            continue
        where[unit.code] = i
        units[unit.code] = unit
    if problems:
        raise ProblemsError(problems)
    return PreviousResults(label, set_id, units, fmt != "parrules.results/1", frozenset(codes))


def _previous_unit(read: _Fields, raw: Any, i: int) -> PreviousUnit | None:
    """One unit entry of last year's results, or None (with its problems said) when it is malformed."""
    at: tuple[object, ...] = ("units", i)
    before = len(read.problems)
    if not isinstance(raw, dict):
        read.wrong(at, say("problem.previous.unit_entry", kind=_kind(raw)))
        return None
    info = read.table(raw, (*at, "unit"), required=True)
    code = read.text(info, (*at, "unit", "code"), required=True) if info is not None else None
    info = info or {}
    name, kind, cohort = (read.text(info, (*at, "unit", key)) or "" for key in ("name", "kind", "cohort"))
    index = read.number(raw, (*at, "index"), required=True)
    total = read.number(raw, (*at, "total_points"), required=True)
    band = read.text(raw, (*at, "band"), null=True)
    place = read.table(raw, (*at, "placing")) or {}
    rank = read.rank(place.get("rank"), (*at, "placing", "rank"))
    field_ranks: dict[str, int | None] = {}
    for field_code, value in (read.table(place, (*at, "placing", "field_ranks")) or {}).items():
        field_ranks[nfc(field_code)] = read.rank(value, (*at, "placing", "field_ranks", field_code))
    nodes: dict[str, tuple[Decimal | None, Decimal | None]] = {}
    for j, node in enumerate(read.items(raw, (*at, "nodes"))):
        entry = _criterion(read, node, (*at, "nodes", j), nodes)
        if entry is not None:
            nodes[entry[0]] = (read.number(entry[1], (*at, "nodes", j, "points")),
                               read.number(entry[1], (*at, "nodes", j, "percent")))
    leaves: dict[str, Decimal | None] = {}
    for j, leaf in enumerate(read.items(raw, (*at, "leaves"))):
        entry = _criterion(read, leaf, (*at, "leaves", j), leaves)
        if entry is not None:
            leaves[entry[0]] = read.number(entry[1], (*at, "leaves", j, "final_points"))
    if len(read.problems) > before or code is None:
        return None
    return PreviousUnit(code, name, kind, cohort, index, total, band, rank, field_ranks, nodes, leaves,
                        bool(raw.get("incomplete")))


def _criterion(read: _Fields, raw: Any, at: tuple[object, ...], seen: Mapping[str, Any]
               ) -> tuple[str, dict[str, Any]] | None:
    """(code, entry) of a node or leaf of a unit's results; None when it is not one (said)."""
    if not isinstance(raw, dict):
        read.wrong(at, say("problem.previous.entry", kind=_kind(raw)))
        return None
    code = read.text(raw, (*at, "code"), required=True)
    if code is None:
        return None
    if code in seen:
        read.wrong((*at, "code"), say("problem.previous.criterion_twice", code=code),
                   hint=say("problem.previous.criterion_twice_hint"))
        return None
    return code, raw


def load_mapping(path: str | Path, previous: PreviousResults | str = "",
                 current: CriteriaSet | None = None) -> CodeMapping:
    """Read a TOML code mapping and check it against both years.

    `previous` is last year's results (or only their set's id, which checks `from_set` alone). Every
    new code must be a criterion of this year's set; every old code one of last year's results — a
    typo there would silently turn a renamed criterion into "removed" plus "added" and lose its
    change. An old code the mapping does not list keeps its code when this year's set has it; when
    another old code is mapped onto that same code the two would be added together without anyone
    having said so, so the mapping must list the self-mapping (`"5.1" = "5.1"`) to mean it.
    """
    doc = read_document(path, what=say("problem.what.mapping"))
    label = doc.label
    problems: list[Problem] = []

    def add(keys: tuple[object, ...], message: str, hint: str | None = None) -> None:
        problems.append(Problem(label, key_path(*keys), message, line=doc.lines.line(*keys), hint=hint))

    if isinstance(previous, str):
        previous_set, old_codes, last_year = previous, frozenset(), ""
    else:
        previous_set, old_codes = previous.criteria_set_id, previous.criteria_codes()
        last_year = (say("problem.mapping.last_year_of", path=previous.path, set=previous_set) if previous_set
                     else say("problem.mapping.last_year", path=previous.path))
    table = doc.data.get("mapping")
    if not isinstance(table, dict):
        raise ProblemsError([Problem(label, "mapping", say("problem.mapping.missing"),
                                     hint=say("problem.mapping.missing_hint"))])
    for key in table:
        if key not in ("from_set", "to_set", "codes"):
            add(("mapping", key), say("problem.key.unknown", key=key, table="[mapping]"),
                hint=say("problem.key.known", keys="codes, from_set, to_set"))
    codes_raw = table.get("codes", {})
    codes: dict[str, str] = {}
    written: dict[str, str] = {}  # old code -> the key as the file spells it, for the line
    if not isinstance(codes_raw, dict):
        add(("mapping", "codes"), say("problem.mapping.codes_table"))
        codes_raw = {}
    for old, new in codes_raw.items():
        if not isinstance(new, str):
            add(("mapping", "codes", old), say("problem.mapping.new_code_text"),
                hint=say("problem.mapping.new_code_text_hint"))
            continue
        new_code, old_code = nfc(new.strip()), nfc(old.strip())
        if current is not None and new_code and new_code not in current.nodes:
            add(("mapping", "codes", old), say("problem.mapping.not_new", code=new_code, set=current.id),
                hint=did_you_mean(new_code, current.nodes))
        if old_codes and old_code not in old_codes:
            add(("mapping", "codes", old), say("problem.mapping.not_old", code=old_code, last_year=last_year),
                hint=did_you_mean(old_code, old_codes) or say("problem.mapping.not_old_hint"))
        codes[old_code] = new_code
        written[old_code] = old
    for old_code, new_code in codes.items():  # codes this year's set has keep them unless listed
        kept = new_code in old_codes and new_code not in codes and (current is None or new_code in current.nodes)
        if new_code and new_code != old_code and kept:
            add(("mapping", "codes", written[old_code]),
                say("problem.mapping.silent_merge", old=old_code, new=new_code),
                hint=say("problem.mapping.silent_merge_hint", new=new_code))
    from_set, to_set = str(table.get("from_set", "")), str(table.get("to_set", ""))
    if from_set and previous_set and from_set != previous_set:
        add(("mapping", "from_set"), say("problem.mapping.from_set", mapped=from_set, set=previous_set))
    if to_set and current is not None and to_set != current.id:
        add(("mapping", "to_set"), say("problem.mapping.to_set", mapped=to_set, set=current.id))
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


def _change(previous: Decimal | None, current: Decimal | None, comparable: bool = True) -> Change:
    """`comparable` False: either year's figure is incomplete, so no change is computed from it."""
    return Change(previous, current,
                  None if previous is None or current is None or not comparable else current - previous)


def _rank_change(previous: int | None, current: int | None) -> RankChange:
    return RankChange(previous, current, None if previous is None or current is None else previous - current)


def compare(criteria: CriteriaSet, placings: Sequence[Any], previous: PreviousResults,
            mapping: CodeMapping | None = None, *, cohorts: Mapping[str, Sequence[str]] | None = None,
            rank_by: str = "index") -> YearOverYear:
    """Compare this year's placings (from `ranking.rank_units`) with last year's results."""
    mapping = mapping or CodeMapping({})
    new_codes = set(criteria.nodes)
    old_codes = previous.criteria_codes()
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
        comparable = not unit.incomplete and not old.incomplete  # a partial total is no figure to compare
        fields = []
        for node in unit.fields:
            olds = predecessors.get(node.code, [])
            # a field made of several old ones is compared only when the unit had every one of them
            points = _sum([old.nodes[c][0] for c in olds]) if olds and all(c in old.nodes for c in olds) else None
            pct = old.nodes[olds[0]][1] if len(olds) == 1 and olds[0] in old.nodes else None
            fields.append(FieldChange(
                node.code, tuple(olds), _change(points, node.points, comparable), _change(pct, node.percent, comparable),
                _rank_change(prev_field_ranks.get(code, {}).get(node.code), placing.field_ranks.get(node.code))))
        by_criterion = {}
        for leaf in unit.leaves:
            olds = predecessors.get(leaf.code, [])
            if olds and all(c in old.leaves for c in olds):
                by_criterion[leaf.code] = _change(_sum([old.leaves[c] for c in olds]), leaf.final_points)
        units[code] = UnitChange(code, True, _change(old.total_points, unit.total_points, comparable),
                                 _change(old.index, unit.index, comparable),
                                 _rank_change(prev_ranks.get(code), placing.rank),
                                 old.band, tuple(fields), MappingProxyType(by_criterion))
    return YearOverYear(previous.path, previous.criteria_set_id, mapping.path, MappingProxyType(units),
                        tuple(removed), tuple(added), tuple(missing))


def _sum(values: list[Decimal | None]) -> Decimal | None:
    known = [v for v in values if v is not None]
    return sum(known, Decimal(0)) if known else None


def _previous_ranks(criteria: CriteriaSet, previous: PreviousResults, mapping: CodeMapping,
                    cohorts: Mapping[str, Sequence[str]] | None, rank_by: str
                    ) -> tuple[dict[str, int | None], dict[str, dict[str, int | None]]]:
    """Last year's ranks: from the file when it was a campaign run, else ranked here as this year's are
    (an incomplete unit unranked, a penalty part ranking the least penalised first; ties shared, since
    a plain results file carries no campaign's tie-break)."""
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
        got = competition_ranks({u.code: None if getattr(u, key) is None or u.index is None or u.incomplete
                                 else (getattr(u, key),) for u in members})
        ranks.update(got)  # type: ignore[arg-type]
        old_fields = {c for u in members for c in u.nodes if "." not in c}
        for old in old_fields:
            new = mapping.new_code(old, new_codes)
            if not new:
                continue
            sign = -1 if criteria.nodes[new].role == "penalty" else 1
            got = competition_ranks({u.code: None if u.nodes.get(old, (None, None))[1] is None or u.incomplete
                                     or u.index is None else (sign * u.nodes[old][1],) for u in members})
            for unit_code, rank in got.items():
                field_ranks[unit_code][new] = rank  # type: ignore[index]
    return ranks, field_ranks
