"""What a plugin registers and what it hands back: rule kinds, checks and their values.

These are the types of parrules' public API that plugin authors touch. Built-in rules and checks use
exactly the same types, registered through the same hooks, so a province's plugin is never a
second-class citizen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

JSONSchema = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Leaf:
    """What a rule sees of the criterion it scores: its code, maximum and parameters."""

    code: str
    name: str
    max_points: Decimal
    params: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Scored:
    """A rule's verdict for one unit: points (within 0..max), a readable trail, or an input error."""

    points: Decimal | None
    explanation: str
    error: str | None = None


@dataclass(frozen=True, slots=True, eq=False)
class RuleKind:
    """A way to turn one input value per unit into points, for a whole column of units at once.

    `score(leaf, values)` gets one value per unit (a declared answer or a verified metric, never
    None or "not applicable": the engine settles those first) and returns one `Scored` per value.
    `validate(leaf)` returns problems with the parameters that a JSON Schema cannot express
    (a band worth more than the maximum, bands that overlap).
    """

    name: str
    score: Callable[[Leaf, Sequence[Any]], Sequence[Scored]]
    description: str
    params_schema: JSONSchema = field(default_factory=lambda: {"type": "object"})
    input_schema: JSONSchema | None = None
    validate: Callable[[Leaf], Sequence[str]] | None = None
    needs_input: bool = True
    role: str = "base"
    plugin: str = ""
    plugin_version: str = ""


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    """An evidence document (tài liệu kiểm chứng) a submission lists: its number, date, issuer and
    title, the file (inside the submission's folder) when one is attached, and the criteria it proves."""

    number: str = ""
    date: date | None = None
    issuer: str = ""
    title: str = ""
    kind: str = ""
    file: Path | None = None
    criteria: tuple[str, ...] = ()


Document = EvidenceFile
"""The former name of `EvidenceFile`, kept for plugins written against it."""


@dataclass(frozen=True, slots=True)
class UnitEvidence:
    """Everything a check may read about one unit: identity, declared figures, documents, data files."""

    code: str
    name: str
    kind: str
    period: str
    figures: Mapping[str, Any]
    documents: Sequence[EvidenceFile]
    data: Mapping[str, Path]
    base_dir: Path


@dataclass(frozen=True, slots=True)
class Measurement:
    """A check's findings for one unit: named metrics, each with a readable explanation.

    `sources` names the files the metrics were computed from (with their hashes) so the result's
    provenance stamp can list them. `issues` counts bad records (rows with invalid dates, duplicate
    ids...) that were reported rather than silently dropped.
    """

    metrics: Mapping[str, Any]
    explanations: Mapping[str, str] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)
    issues: Mapping[str, int] = field(default_factory=dict)

    def explain(self, metric: str) -> str:
        return self.explanations.get(metric, "")


@dataclass(frozen=True, slots=True, eq=False)
class CheckKind:
    """An evidence check: reads every unit's evidence in one call and returns metrics per unit.

    `evaluate(units, params)` returns a mapping unit code -> `Measurement`, or an exception instance
    for a unit whose evidence could not be read; a unit missing from the mapping is "not evaluated".
    If `evaluate` itself raises, every unit gets that error and the run goes on.
    """

    name: str
    evaluate: Callable[[Sequence[UnitEvidence], Mapping[str, Any]], Mapping[str, Measurement | BaseException]]
    description: str
    metrics: Mapping[str, str]
    params_schema: JSONSchema = field(default_factory=lambda: {"type": "object"})
    plugin: str = ""
    plugin_version: str = ""
