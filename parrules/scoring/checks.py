"""Running evidence checks: one call per (check, parameters) for all units, failures contained.

A check reads shared data files (a province's dossier export, the document register…) once for
every unit, so it is called once with all units. Whatever a plugin's check does wrong — raises
anything, `sys.exit` included, runs past its time limit, returns something other than a mapping,
gives an exception or a wrong type for a unit — becomes a `CheckFailed` for the units concerned:
their criterion errors and the run goes on.

The time limit: a Python thread cannot be killed, and a process per check would pay start-up and the
pickling of every unit's evidence on each call, so each call runs in a daemon thread that is
abandoned when the limit passes. The abandoned thread runs on until the check returns or parrules
exits (a daemon thread never holds the process open); its result, if it ever comes, is ignored.

What a unit reads of a failure is written in the voice of the run (`checks.toml`); the check's own
thread runs in a copy of the caller's context, so it speaks that voice too.
"""

from __future__ import annotations

import contextvars
import json
import threading
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from parrules.messages import CORE, say
from parrules.plugins.contracts import CheckKind, Measurement, UnitEvidence
from parrules.scoring.inputs import CheckFailed
from parrules.sets.criteria_set import CriteriaSet, Node
from parrules.submissions.submission import Submission

Measured = Mapping[str, Mapping[str, Measurement | CheckFailed]]
"""Per check key (`check_key`), per unit code: what the check measured, or why it failed."""

DEFAULT_CHECK_TIMEOUT = 60
"""Seconds one check call may take for all units (`--check-timeout`, `check_timeout` in a campaign)."""

MAX_CHECK_TIMEOUT = 86_400
"""The longest limit that can be asked for, a day: longer is a typo, and 0 already means no limit."""

Timeout = float | Decimal | None
"""Seconds a check call may take; 0: no limit; None: not said, so `DEFAULT_CHECK_TIMEOUT` (the
command line, the campaign file and the API all mean the same by both)."""


def check_timeout_seconds(value: object) -> float:
    """A time limit as the user wrote it (option text, a TOML number) → seconds; 0 is no limit.

    Refused with a ValueError that says what to write: anything but a number from 0 to a day (text,
    a negative, NaN, infinity, a yes/no). The one reading of a limit, for the command line and the
    campaign file alike.
    """
    limit = str(MAX_CHECK_TIMEOUT)
    if isinstance(value, bool):
        raise ValueError(say("rule.check_limit.yes_no", max=limit))
    try:
        seconds = Decimal(value.strip() if isinstance(value, str) else value)  # type: ignore[arg-type]
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(say("rule.check_limit.not_a_number", max=limit, value=repr(str(value)[:40]))) from None
    if not seconds.is_finite() or not 0 <= seconds <= MAX_CHECK_TIMEOUT:
        raise ValueError(say("rule.check_limit.not_a_number", max=limit, value=str(value)[:40]))
    return float(seconds)


def check_key(node: Node) -> str:
    """The check a criterion reads, with its parameters: criteria with the same key share one call."""
    assert node.check is not None
    return node.check.name + json.dumps(node.spec.check_params, sort_keys=True, default=str)


def run_checks(criteria: CriteriaSet, subs: Sequence[Submission], data: Mapping[str, Path], *,
               timeout: Timeout = None) -> Measured:
    """Every check the set uses, each distinct (check, parameters) once for all units, each call
    given at most `timeout` seconds (0: no limit; None: `DEFAULT_CHECK_TIMEOUT`).

    All the calls share one `parrules.records.session`: one DuckDB database for the run, each record
    file described (and, when small, read) once however many checks read it — the 19 check calls of
    the 2018 set otherwise re-read the same few files each."""
    from parrules.records import session  # here: a run whose set has no checks never loads DuckDB

    out: dict[str, dict[str, Measurement | CheckFailed]] = {}
    evidence: list[UnitEvidence] | None = None
    with session():
        for node in criteria.nodes.values():
            if node.check is None:
                continue
            key = check_key(node)
            if key in out:
                continue
            if evidence is None:
                evidence = [sub.evidence(data) for sub in subs]
            out[key] = evaluate(node.check, node.spec.check_params, evidence, timeout=timeout)
    return out


def evaluate(check: CheckKind, params: Mapping[str, Any], evidence: Sequence[UnitEvidence], *,
             timeout: Timeout = None) -> dict[str, Measurement | CheckFailed]:
    """One check for all units; a failure of the check — or a call past `timeout` seconds — is every
    unit's failure, never the run's."""
    seconds = check_timeout_seconds(DEFAULT_CHECK_TIMEOUT if timeout is None else timeout)  # wrong: a caller's bug
    done, outcome = _within(seconds or None, lambda: _measure(check, params, evidence), f"parrules-check-{check.name}")
    if not done:
        failed = CheckFailed(say("check.timed_out", check=check.name, seconds=seconds))
        return {unit.code: failed for unit in evidence}
    if isinstance(outcome, BaseException):
        raise outcome  # Ctrl-C in the check's thread: `_measure` contains everything else
    return outcome


def _within(seconds: float | None, work: Callable[[], Any], name: str) -> tuple[bool, Any]:
    """(True, what `work` returned or raised), or (False, None) when it is still running after
    `seconds`; with no limit it simply runs here, in this thread.

    `work` runs in a daemon thread in a copy of this thread's context (the run's voice, decimal
    context), so it behaves as if called here; the caller keeps receiving Ctrl-C while it waits.
    """
    if seconds is None:
        return True, work()
    box: list[Any] = []
    context = contextvars.copy_context()

    def target() -> None:
        try:
            box.append(context.run(work))
        except BaseException as exc:  # a thread's exception would be printed and lost: hand it back
            box.append(exc)

    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        return False, None
    return True, box[0]


def _measure(check: CheckKind, params: Mapping[str, Any],
             evidence: Sequence[UnitEvidence]) -> dict[str, Measurement | CheckFailed]:
    """The check's call and the reading of its answer (a plugin's own mapping may fail or hang as
    well), with every failure but Ctrl-C turned into `CheckFailed`."""
    try:
        found = check.evaluate(evidence, params)
        if not isinstance(found, Mapping):
            raise TypeError(say("check.not_a_mapping", type=type(found).__name__))
    except KeyboardInterrupt:  # only the user's Ctrl-C stops the run
        raise
    except BaseException as exc:  # anything else, SystemExit too: the run goes on, every unit's leaf shows it
        failed = CheckFailed(say("check.failed", check=check.name, error=f"{type(exc).__name__}: {exc}"))
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
            out[unit.code] = CheckFailed(say("check.unit_failed", check=check.name, error=value))
        elif isinstance(value, Measurement):
            out[unit.code] = value
        else:
            out[unit.code] = CheckFailed(say("check.not_a_measurement", check=check.name, type=type(value).__name__))
    return out


def issue_label(code: str) -> str:
    """What a check's faulty rows were, in the reader's words when the catalogue knows the check's code
    (the standard plugins' missing_date, duplicate_id…), else the code as the plugin named it."""
    key = f"check.issue.{code}"
    return CORE.say(key) if key in CORE else code


def record_sources_and_faults(measured: Measured, unit_code: str) -> tuple[list[tuple[str, str]], list[str]]:
    """The record files the checks read for one unit (for its provenance), and the faulty rows they
    counted (invalid dates, repeated ids…), which reach the appraiser as warnings, in the voice of the
    run (the issues are named by the check's own codes: missing_date, duplicate_id…)."""
    sources: list[tuple[str, str]] = []
    notes: list[str] = []
    for key, found in measured.items():
        m = found.get(unit_code)
        if isinstance(m, Measurement):
            sources.extend(m.sources.items())
            text = ", ".join(say("check.issue.other", n=n, issue=issue_label(issue)) for issue, n in m.issues.items() if n)
            if not text:
                continue
            note = say("check.faulty_rows", check=key.partition("{")[0], faults=text)
            if note not in notes:
                notes.append(note)
    return sources, notes
