"""Running evidence checks: one call per (check, parameters) for all units, failures contained.

A check reads shared data files (a province's dossier export, the document register…) once for
every unit, so it is called once with all units. Whatever a plugin's check does wrong — raises
anything, `sys.exit` included,
returns something other than a mapping, gives an exception or a wrong type for a unit — becomes a
`CheckFailed` for the units concerned: their criterion errors and the run goes on.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from parrules.plugins.contracts import CheckKind, Measurement, UnitEvidence
from parrules.scoring.inputs import CheckFailed
from parrules.sets.criteria_set import CriteriaSet, Node
from parrules.submissions.submission import Submission

Measured = Mapping[str, Mapping[str, Measurement | CheckFailed]]
"""Per check key (`check_key`), per unit code: what the check measured, or why it failed."""


def check_key(node: Node) -> str:
    """The check a criterion reads, with its parameters: criteria with the same key share one call."""
    assert node.check is not None
    return node.check.name + json.dumps(node.spec.check_params, sort_keys=True, default=str)


def run_checks(criteria: CriteriaSet, subs: Sequence[Submission], data: Mapping[str, Path]) -> Measured:
    """Every check the set uses, each distinct (check, parameters) once for all units."""
    out: dict[str, dict[str, Measurement | CheckFailed]] = {}
    evidence: list[UnitEvidence] | None = None
    for node in criteria.nodes.values():
        if node.check is None:
            continue
        key = check_key(node)
        if key in out:
            continue
        if evidence is None:
            evidence = [sub.evidence(data) for sub in subs]
        out[key] = evaluate(node.check, node.spec.check_params, evidence)
    return out


def evaluate(check: CheckKind, params: Mapping[str, Any],
             evidence: Sequence[UnitEvidence]) -> dict[str, Measurement | CheckFailed]:
    """One check for all units; a failure of the check is every unit's failure, never the run's."""
    try:
        found = check.evaluate(evidence, params)
        if not isinstance(found, Mapping):
            raise TypeError(f"returned {type(found).__name__}, not a mapping of unit code to Measurement")
    except KeyboardInterrupt:  # only the user's Ctrl-C stops the run
        raise
    except BaseException as exc:  # anything else, SystemExit too: the run goes on, every unit's leaf shows it
        failed = CheckFailed(f"check '{check.name}' failed: {type(exc).__name__}: {exc}")
        return {unit.code: failed for unit in evidence}
    out: dict[str, Measurement | CheckFailed] = {}
    for unit in evidence:
        try:
            value = found.get(unit.code)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # a plugin's own mapping that fails when read
            value = exc
        if value is None:
            continue
        if isinstance(value, BaseException):
            out[unit.code] = CheckFailed(f"check '{check.name}': {value}")
        elif isinstance(value, Measurement):
            out[unit.code] = value
        else:
            out[unit.code] = CheckFailed(f"check '{check.name}' returned {type(value).__name__}, not a Measurement")
    return out


def record_sources_and_faults(measured: Measured, unit_code: str) -> tuple[list[tuple[str, str]], list[str]]:
    """The record files the checks read for one unit (for its provenance), and the faulty rows they
    counted (invalid dates, repeated ids…), which reach the appraiser as warnings."""
    sources: list[tuple[str, str]] = []
    notes: list[str] = []
    for key, found in measured.items():
        m = found.get(unit_code)
        if isinstance(m, Measurement):
            sources.extend(m.sources.items())
            text = ", ".join(f"{n} {issue}" for issue, n in m.issues.items() if n)
            note = f"{key.partition('{')[0]}: rows with faults in the records: {text}"
            if text and note not in notes:
                notes.append(note)
    return sources, notes
