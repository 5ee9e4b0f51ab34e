"""Typed results: per leaf every stage and the final points, per node the sums, per unit the index.

Results are frozen, slotted dataclasses holding tuples: units in the same situation share one
`LeafResult` or `NodeResult` object (see `parrules.scoring.sharing`), so nothing a caller does to one
unit's result may show up on another's — there is nothing to mutate: tables a unit declared are kept
as read-only mappings and tuples (`frozen`). Results compare by value. `LeafResult` and `NodeResult`
hash by identity: they are the objects units share, and work done once per shared object (the
campaign JSON, gap analysis) is keyed by them — two equal results of different runs stay two
entries of a set. They serialise to JSON with a published schema (`parrules schema results`). Points stay Decimal and are written to JSON as exact numbers, so 78.35 is 78.35 in every
consumer.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from parrules.files.writing import write_atomic
from parrules.scoring.collector import no_gc_pauses
from parrules.scoring.frozen_init import cheap_init

Status = Literal["full", "partial", "zero", "not_applicable", "not_evaluated", "error"]


@cheap_init
@dataclass(frozen=True, slots=True)
class Flag:
    """A disagreement or gap an appraiser should look at."""

    kind: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message}


@cheap_init
@dataclass(frozen=True, slots=True)
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


@cheap_init
@dataclass(frozen=True, slots=True)
class LeafResult:
    """One criterion for one unit: every score stage, the final points and how they came about."""

    code: str
    max_points: Decimal
    self_points: Decimal | None
    computed_points: Decimal | None
    appraisals: tuple[AppraisalRound, ...]
    final_points: Decimal | None
    final_stage: str | None
    status: Status
    explanation: str
    declared: Any = None
    verified: Any = None
    flags: tuple[Flag, ...] = ()
    error: str | None = None

    __hash__ = object.__hash__  # by identity: see the module's docstring

    @property
    def applicable(self) -> bool:
        return self.status != "not_applicable"

    def to_dict(self, *, compact: bool = False) -> dict[str, Any]:
        """Plain data; `compact` (the campaign format) leaves out the maximum, which the criteria list
        holds, and every key whose value would be null or an empty list."""
        if compact:  # built directly: a campaign serialises tens of thousands of distinct leaves
            data: dict[str, Any] = {"code": self.code, "status": self.status, "explanation": self.explanation}
            if self.self_points is not None:
                data["self_points"] = self.self_points
            if self.computed_points is not None:
                data["computed_points"] = self.computed_points
            if self.final_points is not None:
                data["final_points"] = self.final_points
            if self.final_stage is not None:
                data["final_stage"] = self.final_stage
            if self.error is not None:
                data["error"] = self.error
            for key, value in (("declared", self.declared), ("verified", self.verified)):
                if value is not None and (value := _jsonable(value)) != []:
                    data[key] = value
            if self.appraisals:
                data["appraisals"] = [a.to_dict() for a in self.appraisals]
            if self.flags:
                data["flags"] = [f.to_dict() for f in self.flags]
            return data
        return {
            "code": self.code, "max_points": self.max_points, "status": self.status,
            "self_points": self.self_points, "computed_points": self.computed_points,
            "appraisals": [a.to_dict() for a in self.appraisals],
            "final_points": self.final_points, "final_stage": self.final_stage,
            "explanation": self.explanation, "declared": _jsonable(self.declared),
            "verified": _jsonable(self.verified), "flags": [f.to_dict() for f in self.flags],
            "error": self.error,
        }


@cheap_init
@dataclass(frozen=True, slots=True)
class NodeResult:
    """A field or criterion with sub-criteria: achieved points over the applicable maximum."""

    code: str
    name: str
    depth: int
    max_points: Decimal
    applicable_max: Decimal
    points: Decimal
    percent: Decimal | None

    __hash__ = object.__hash__  # by identity: see the module's docstring

    def to_dict(self, *, compact: bool = False) -> dict[str, Any]:
        """Plain data; `compact` (the campaign format) leaves out what the criteria list holds."""
        if compact:
            return {"code": self.code, "applicable_max": self.applicable_max, "points": self.points,
                    "percent": self.percent}
        return {"code": self.code, "name": self.name, "depth": self.depth, "max_points": self.max_points,
                "applicable_max": self.applicable_max, "points": self.points, "percent": self.percent}


@cheap_init
@dataclass(frozen=True, slots=True)
class UnitInfo:
    code: str
    name: str
    kind: str
    period: str
    cohort: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "kind": self.kind, "period": self.period,
                "cohort": self.cohort}


@cheap_init
@dataclass(frozen=True, slots=True)
class Provenance:
    """What produced a figure: the set's content hash, parrules' version, plugins, input files."""

    criteria_set_id: str
    criteria_set_hash: str
    parrules_version: str
    plugins: tuple[tuple[str, str], ...]
    inputs: tuple[tuple[str, str], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "criteria_set": {"id": self.criteria_set_id, "sha256": self.criteria_set_hash},
            "parrules_version": self.parrules_version,
            "plugins": [{"name": n, "version": v} for n, v in self.plugins],
            "inputs": [{"path": p, "sha256": h} for p, h in self.inputs],
        }


@cheap_init
@dataclass(frozen=True, slots=True)
class UnitResult:
    """A unit's scores: per node, per leaf, the total, the index and the band."""

    unit: UnitInfo
    nodes: tuple[NodeResult, ...]
    leaves: tuple[LeafResult, ...]
    base_points: Decimal
    bonus_points: Decimal
    penalty_points: Decimal
    total_points: Decimal
    applicable_max: Decimal
    index: Decimal | None
    band: str | None
    provenance: Provenance
    warnings: tuple[str, ...] = ()
    #: the criteria that keep the unit's figure from being complete (see `scoring.totals.incomplete`):
    #: each counts as 0 points, so the total is not a figure to publish as it is
    incomplete: tuple[LeafResult, ...] = ()

    @property
    def fields(self) -> list[NodeResult]:
        """The top-level nodes (lĩnh vực), including bonus and penalty parts."""
        return [node for node in self.nodes if node.depth == 0]

    def leaf(self, code: str) -> LeafResult:
        code = unicodedata.normalize("NFC", code)  # codes are NFC everywhere, as the loaders make them
        for leaf in self.leaves:
            if leaf.code == code:
                return leaf
        raise KeyError(code)

    def node(self, code: str) -> NodeResult:
        code = unicodedata.normalize("NFC", code)
        for node in self.nodes:
            if node.code == code:
                return node
        raise KeyError(code)

    @property
    def errors(self) -> list[LeafResult]:
        return [leaf for leaf in self.leaves if leaf.status == "error"]

    def incomplete_dict(self) -> list[dict[str, str]]:
        """`incomplete` as plain data: code, status and why, per criterion."""
        return [{"code": leaf.code, "status": leaf.status, "reason": leaf.error or leaf.explanation}
                for leaf in self.incomplete]

    def to_dict(self, *, compact: bool = False) -> dict[str, Any]:
        """Plain data; `compact` is the campaign format's shape of nodes and leaves."""
        return {
            "unit": self.unit.to_dict(),
            "total_points": self.total_points, "base_points": self.base_points,
            "bonus_points": self.bonus_points, "penalty_points": self.penalty_points,
            "applicable_max": self.applicable_max, "index": self.index, "band": self.band,
            "nodes": [n.to_dict(compact=compact) for n in self.nodes],
            "leaves": [leaf.to_dict(compact=compact) for leaf in self.leaves],
            "warnings": list(self.warnings),
            "incomplete": self.incomplete_dict(),
            "provenance": self.provenance.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class RunResult:
    """The results of scoring many units against one criteria set."""

    criteria_set_id: str
    criteria_set_name: str
    total_points: Decimal
    units: tuple[UnitResult, ...]

    @property
    def complete(self) -> bool:
        """Whether every unit's every criterion was scored: no error, nothing left not evaluated."""
        return not any(unit.incomplete for unit in self.units)

    def unit(self, code: str) -> UnitResult:
        code = unicodedata.normalize("NFC", code)  # a web app may send the NFD spelling of a Vietnamese code
        for result in self.units:
            if result.unit.code == code:
                return result
        raise KeyError(code)

    def to_dict(self, *, units: Any = None) -> dict[str, Any]:
        """Plain data (schema: `parrules schema results`); `units` stands in for the list of unit
        entries (the fast writer puts them in itself)."""
        return {
            "format": "parrules.results/1",
            "criteria_set": {"id": self.criteria_set_id, "name": self.criteria_set_name,
                             "total_points": self.total_points},
            "complete": self.complete,
            "units": units if units is not None else [u.to_dict() for u in self.units],
        }

    def to_json(self, *, indent: bool = False) -> bytes:
        """The run JSON as bytes: the same as `to_json(self.to_dict(), indent=indent)`, made faster."""
        from parrules.scoring.json_writer import run_json_chunks  # it reads results: imported when used

        with no_gc_pauses():
            return b"".join(run_json_chunks(self, indent=indent))

    def write_json(self, path: str | Path, *, indent: bool = False) -> Path:
        """Write the run JSON atomically, streamed: units are serialised while earlier ones are written
        (what `parrules score --format json` writes, compact: the same data as `to_dict()`)."""
        from parrules.scoring.json_writer import run_json_chunks

        with no_gc_pauses():
            return write_atomic(path, run_json_chunks(self, indent=indent))


_AS_IS = {str, bool, int, Decimal, type(None)}


def frozen(value: Any) -> Any:
    """A declared or verified value that no one can change through a result: tables become
    read-only mappings (of frozen values) and lists tuples; numbers, text and dates are as they are."""
    if value.__class__ in _AS_IS:
        return value
    if isinstance(value, Mapping):
        return MappingProxyType({k: frozen(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(frozen(v) for v in value)
    return value


def _jsonable(value: Any) -> Any:
    if value.__class__ in _AS_IS:
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value
