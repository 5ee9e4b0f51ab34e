"""Typed results: per leaf every stage and the final points, per node the sums, per unit the index.

Results are plain slotted dataclasses (10,000 units × 90 leaves must stay cheap) that serialise to
JSON with a published schema (`parrules schema results`). Points stay Decimal and are written to JSON
as exact numbers, so 78.35 is 78.35 in every consumer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

Status = Literal["full", "partial", "zero", "not_applicable", "not_evaluated", "error"]


@dataclass(slots=True)
class Flag:
    """A disagreement or gap an appraiser should look at."""

    kind: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message}


@dataclass(slots=True)
class AppraisalRound:
    round: int
    points: Decimal | None
    not_applicable: bool
    reason: str
    by: str
    at: date | None
    response: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"round": self.round, "points": self.points, "not_applicable": self.not_applicable,
                "reason": self.reason, "by": self.by, "at": self.at.isoformat() if self.at else None,
                "response": self.response}


@dataclass(slots=True)
class LeafResult:
    """One criterion for one unit: every score stage, the final points and how they came about."""

    code: str
    max_points: Decimal
    self_points: Decimal | None
    computed_points: Decimal | None
    appraisals: list[AppraisalRound]
    final_points: Decimal | None
    final_stage: str | None
    status: Status
    explanation: str
    declared: Any = None
    verified: Any = None
    flags: list[Flag] = field(default_factory=list)
    error: str | None = None
    #: raw JSON while a run is being written, and the gap-analysis loss while one is made: units in
    #: the same situation share one LeafResult, so such work is done once per shared object
    _json: Any = field(default=None, init=False, repr=False, compare=False)
    _loss: Any = field(default=None, init=False, repr=False, compare=False)

    @property
    def applicable(self) -> bool:
        return self.status != "not_applicable"

    def to_dict(self, *, compact: bool = False) -> dict[str, Any]:
        """Plain data; `compact` (the campaign format) leaves out the maximum, which the criteria list
        holds, and every key whose value would be null or an empty list."""
        data = {
            "code": self.code, "max_points": self.max_points, "status": self.status,
            "self_points": self.self_points, "computed_points": self.computed_points,
            "appraisals": [a.to_dict() for a in self.appraisals],
            "final_points": self.final_points, "final_stage": self.final_stage,
            "explanation": self.explanation, "declared": _jsonable(self.declared),
            "verified": _jsonable(self.verified), "flags": [f.to_dict() for f in self.flags],
            "error": self.error,
        }
        if compact:
            del data["max_points"]
            return {key: value for key, value in data.items() if value is not None and value != []}
        return data


@dataclass(slots=True)
class NodeResult:
    """A field or criterion with sub-criteria: achieved points over the applicable maximum."""

    code: str
    name: str
    depth: int
    max_points: Decimal
    applicable_max: Decimal
    points: Decimal
    percent: Decimal | None
    _json: Any = field(default=None, init=False, repr=False, compare=False)  # see LeafResult._json

    def to_dict(self, *, compact: bool = False) -> dict[str, Any]:
        """Plain data; `compact` (the campaign format) leaves out what the criteria list holds."""
        if compact:
            return {"code": self.code, "applicable_max": self.applicable_max, "points": self.points,
                    "percent": self.percent}
        return {"code": self.code, "name": self.name, "depth": self.depth, "max_points": self.max_points,
                "applicable_max": self.applicable_max, "points": self.points, "percent": self.percent}


@dataclass(slots=True)
class UnitInfo:
    code: str
    name: str
    kind: str
    period: str
    cohort: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "kind": self.kind, "period": self.period,
                "cohort": self.cohort}


@dataclass(slots=True)
class Provenance:
    """What produced a figure: the set's content hash, parrules' version, plugins, input files."""

    criteria_set_id: str
    criteria_set_hash: str
    parrules_version: str
    plugins: list[tuple[str, str]]
    inputs: list[tuple[str, str]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "criteria_set": {"id": self.criteria_set_id, "sha256": self.criteria_set_hash},
            "parrules_version": self.parrules_version,
            "plugins": [{"name": n, "version": v} for n, v in self.plugins],
            "inputs": [{"path": p, "sha256": h} for p, h in self.inputs],
        }


@dataclass(slots=True)
class UnitResult:
    """A unit's scores: per node, per leaf, the total, the index and the band."""

    unit: UnitInfo
    nodes: list[NodeResult]
    leaves: list[LeafResult]
    base_points: Decimal
    bonus_points: Decimal
    penalty_points: Decimal
    total_points: Decimal
    applicable_max: Decimal
    index: Decimal | None
    band: str | None
    provenance: Provenance
    warnings: list[str] = field(default_factory=list)

    @property
    def fields(self) -> list[NodeResult]:
        """The top-level nodes (lĩnh vực), including bonus and penalty parts."""
        return [node for node in self.nodes if node.depth == 0]

    def leaf(self, code: str) -> LeafResult:
        for leaf in self.leaves:
            if leaf.code == code:
                return leaf
        raise KeyError(code)

    def node(self, code: str) -> NodeResult:
        for node in self.nodes:
            if node.code == code:
                return node
        raise KeyError(code)

    @property
    def errors(self) -> list[LeafResult]:
        return [leaf for leaf in self.leaves if leaf.status == "error"]

    def to_dict(self, fragments: JsonFragments | None = None, *, compact: bool = False) -> dict[str, Any]:
        """Plain data; with `fragments` (for writing JSON only) leaves, nodes and numbers are raw JSON;
        `compact` is the campaign format's shape of nodes and leaves."""
        if fragments is not None:
            num = fragments.number
            return {
                "unit": self.unit.to_dict(),
                "total_points": num(self.total_points), "base_points": num(self.base_points),
                "bonus_points": num(self.bonus_points), "penalty_points": num(self.penalty_points),
                "applicable_max": num(self.applicable_max), "index": num(self.index), "band": self.band,
                "nodes": fragments.many(self.nodes, compact=compact),
                "leaves": fragments.many(self.leaves, compact=compact),
                "warnings": list(self.warnings),
                "provenance": fragments.once(self.provenance),
            }
        return {
            "unit": self.unit.to_dict(),
            "total_points": self.total_points, "base_points": self.base_points,
            "bonus_points": self.bonus_points, "penalty_points": self.penalty_points,
            "applicable_max": self.applicable_max, "index": self.index, "band": self.band,
            "nodes": [n.to_dict(compact=compact) for n in self.nodes],
            "leaves": [leaf.to_dict(compact=compact) for leaf in self.leaves],
            "warnings": list(self.warnings),
            "provenance": self.provenance.to_dict(),
        }


@dataclass(slots=True)
class RunResult:
    """The results of scoring many units against one criteria set."""

    criteria_set_id: str
    criteria_set_name: str
    total_points: Decimal
    units: list[UnitResult]

    def unit(self, code: str) -> UnitResult:
        for result in self.units:
            if result.unit.code == code:
                return result
        raise KeyError(code)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "parrules.results/1",
            "criteria_set": {"id": self.criteria_set_id, "name": self.criteria_set_name,
                             "total_points": self.total_points},
            "units": [u.to_dict() for u in self.units],
        }


class JsonFragments:
    """Raw JSON for results that repeat, so writing 10,000 units × 90 leaves stays cheap.

    Units in the same situation share one result object (a leaf, a node, a gap-analysis loss), so
    each object is serialised once and its raw JSON reused (`orjson.Fragment`); a number is turned
    into JSON text once per distinct spelling. The bytes are the same as writing the plain
    `to_dict()` with `output.to_json(..., indent=False)`.
    """

    def __init__(self) -> None:
        from .output import _default

        self._number_json = _default
        self._numbers: dict[str, Any] = {}
        self._by_id: dict[int, tuple[Decimal, Any]] = {}
        self._raw: dict[int, Any] = {}
        self._keep: list[Any] = []  # objects whose id keys `_raw`: alive while the fragments are

    def number(self, value: Decimal | None) -> Any:
        if value is None:
            return None
        hit = self._by_id.get(id(value))  # results share their Decimal objects too
        if hit is not None and hit[0] is value:
            return hit[1]
        key = str(value)
        found = self._numbers.get(key)
        if found is None:
            found = self._numbers[key] = self._number_json(value)
        self._by_id[id(value)] = (value, found)
        return found

    def default(self, value: Any) -> Any:
        """orjson's `default`: Decimals through the number cache, the rest as `output.to_json` does."""
        return self.number(value) if type(value) is Decimal else self._number_json(value)

    def dumps(self, data: Any) -> bytes:
        import orjson

        return orjson.dumps(data, default=self.default, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)

    def raw(self, data: Any) -> Any:
        import orjson

        return orjson.Fragment(self.dumps(data))

    def once(self, item: Any) -> Any:
        """Raw JSON of `item.to_dict()`, made once per object."""
        found = self._raw.get(id(item))
        if found is None:
            found = self._raw[id(item)] = self.raw(item.to_dict())
            self._keep.append(item)
        return found

    def many(self, items: list[Any], **shape: Any) -> list[Any]:
        """Raw JSON of each result in a list (leaves, nodes, losses); a shared object is serialised once.

        The raw JSON is kept on the object (`_json`) until `release()`, which is faster to reach than
        any lookup table when 10,000 units × 90 leaves point at a few thousand distinct results.
        """
        parts = [item._json for item in items]
        if None in parts:
            parts = [part if part is not None else self._remember(item, shape) for part, item in zip(parts, items)]
        return parts

    def _remember(self, item: Any, shape: dict[str, Any]) -> Any:
        made = item._json = self.raw(item.to_dict(**shape))
        self._keep.append(item)
        return made

    def release(self) -> None:
        """Take the raw JSON off the results again (they may change after being written)."""
        for item in self._keep:
            if hasattr(item, "_json"):
                item._json = None
        self._keep.clear()


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value
