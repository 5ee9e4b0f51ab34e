"""parrules check `tthc.dossiers`: administrative-procedure dossiers verified from a one-stop-shop export.

The PAR Index rewards resolving dossiers (hồ sơ TTHC) by their due date, apologising in writing for
every late one (thư xin lỗi), using the public postal service (bưu chính công ích) and online
submission. Units declare these figures; this check recomputes them from the dossier export, one row
per dossier, for every unit of a campaign in ONE DuckDB query (GROUP BY unit), so a province's
millions of dossiers never become Python objects.

Bad rows are counted per unit and reported, never silently dropped: a missing or impossible date
(31/02) or a dossier completed before it was received cannot be classified and is left out of the
rates; rows sharing a dossier id are all flagged but still counted (which copy is genuine cannot be
told from the export); rows whose unit code is neither a scored unit nor in the optional unit
catalogue belong to nobody and are reported to every unit scored from that file. A dossier still
open after its due date on the `as_of` date counts as late. `as_of` defaults to something the data
fixes, never the day of the run, so the same files always give the same scores: the last day of the
unit's period when the period is a year (31/12/2024 for 2024), else the latest received or completion
date in the export (the day it was taken, near enough).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import parrules
from parrules import Measurement, UnitEvidence, hookimpl, rounded_percent
from parrules.records import (
    DOSSIER_COLUMNS,
    UNIT_CATALOGUE_PARAMS,
    FileGroup,
    Records,
    UnitCodes,
    fetch,
    format_rate,
    is_online_channel,
    normalize_label,
    open_records,
    percent,
    read_unit_catalogue,
)

from .texts import MESSAGES, say

__all__ = [
    "COLUMNS",
    "MESSAGES",
    "DossierCounts",
    "evaluate",
    "is_online",
    "is_postal",
    "known_units",
    "pct",
    "unknown_note",
]

# The names this plugin exported before these helpers moved to parrules.records, kept for plugins
# that import them from here.
COLUMNS = DOSSIER_COLUMNS
is_online = is_online_channel
pct = format_rate
known_units = read_unit_catalogue

# Canonical columns of the export read here; their headers are parrules.records.DOSSIER_COLUMNS (shared
# with dvc.services, which reads the same export), overridden with check_params.columns.
REQUIRED = ("id", "unit", "received", "due", "completed")
OPTIONAL = ("channel", "postal_return", "apology_no", "apology_date")
DATES = ("received", "due", "completed", "apology_date")

METRICS = {
    "dossier_count": "dossiers of the unit counted (rows without faults that prevent classification)",
    "resolved_count": "counted dossiers with a completion date",
    "on_time_rate": "% of resolved dossiers resolved by their due date",
    "late_count": "dossiers resolved after their due date or still open past it",
    "apology_rate": "% of late dossiers with an apology letter (none when no dossier was late)",
    "apology_missing": "late dossiers without an apology letter",
    "apology_after_due": "late dossiers whose apology letter is dated after the due date",
    "postal_rate": "% of counted dossiers received or returned via the public postal service (BCCI)",
    "online_rate": "% of counted dossiers submitted online",
    "bad_rows": "rows of the unit with a fault (missing/invalid date, completed before received, shared id)",
}

ISSUES = {
    "missing_date": "missing received or due date",
    "invalid_date": "invalid date",
    "completed_before_received": "completed before received",
    "duplicate_id": "dossier id also used on another row",
}

# One pass: per-row flags, then one GROUP BY over unit and the two text columns classified in Python.
# `rows` is inlined for Parquet (the duplicate scan then reads the id column only) and materialised
# for CSV/XLSX, where parsing the file twice would cost more than keeping the slim rows in memory.
# Repeated ids are found by sorting the ids and comparing each with its neighbour: on 10 M distinct
# ids that took about half the CPU time of a hash GROUP BY id (docs/benchmarks.md). Each row is then
# marked once (`dup`, a semi-join against the few repeated ids) and the mark reused by both counts.
_SQL = """
WITH rows AS {materialized} (
    SELECT unit, channel, postal_return, id,
        (NOT received__given OR NOT due__given) AS missing_date,
        ((received__given AND received IS NULL) OR (due__given AND due IS NULL)
            OR (completed__given AND completed IS NULL)
            OR (apology_date__given AND apology_date IS NULL)) AS invalid_date,
        coalesce(completed < received, false) AS before_received,
        completed IS NOT NULL AS resolved,
        completed <= due AS on_time,
        completed > due AS resolved_late,
        (NOT completed__given AND due < ?) AS open_late,
        (nullif(trim(apology_no), '') IS NOT NULL OR apology_date__given) AS apology,
        coalesce(apology_date > due, false) AS apology_after
    FROM {view}
),
duplicated AS (
    SELECT DISTINCT id
    FROM (SELECT id, lag(id) OVER (ORDER BY id) AS previous FROM rows WHERE id IS NOT NULL AND {check_ids})
    WHERE id = previous
),
flagged AS (
    SELECT *, (missing_date OR invalid_date OR before_received) AS left_out,
        coalesce(id IN (SELECT id FROM duplicated), false) AS dup
    FROM rows
)
SELECT unit, channel, postal_return,
    count(*),
    count(*) FILTER (WHERE dup),
    count(*) FILTER (WHERE missing_date),
    count(*) FILTER (WHERE invalid_date),
    count(*) FILTER (WHERE before_received),
    count(*) FILTER (WHERE left_out OR dup),
    count(*) FILTER (WHERE NOT left_out),
    count(*) FILTER (WHERE NOT left_out AND resolved),
    count(*) FILTER (WHERE NOT left_out AND on_time),
    count(*) FILTER (WHERE NOT left_out AND resolved_late),
    count(*) FILTER (WHERE NOT left_out AND open_late),
    count(*) FILTER (WHERE NOT left_out AND (resolved_late OR open_late) AND apology),
    count(*) FILTER (WHERE NOT left_out AND (resolved_late OR open_late) AND apology AND apology_after)
FROM flagged
GROUP BY ALL
"""


@dataclass
class DossierCounts:
    """Exact per-unit counts from the query; metrics are derived from these with Decimal."""

    rows: int = 0
    duplicate_id: int = 0
    missing_date: int = 0
    invalid_date: int = 0
    completed_before_received: int = 0
    bad_rows: int = 0
    counted: int = 0
    resolved: int = 0
    on_time: int = 0
    resolved_late: int = 0
    open_late: int = 0
    late_with_apology: int = 0
    apology_after_due: int = 0
    postal: int = 0
    online: int = 0
    unknown_units: Counter[str] = field(default_factory=Counter)

    def add(self, values: Sequence[int]) -> None:
        names = ("rows", "duplicate_id", "missing_date", "invalid_date", "completed_before_received",
                 "bad_rows", "counted", "resolved", "on_time", "resolved_late", "open_late",
                 "late_with_apology", "apology_after_due")
        for name, value in zip(names, values):
            setattr(self, name, getattr(self, name) + int(value))


def is_postal(channel: object, postal_return: object = None) -> bool:
    """Received via the public postal service, or the result returned by it ('Có', 'x', 'yes', '1')."""
    label = normalize_label(channel)
    if "bưu chính" in label or "bcci" in label or "postal" in label:
        return True
    return normalize_label(postal_return) in {"có", "co", "x", "yes", "y", "1", "true", "đúng"}


def unknown_note(unknown: Counter[str]) -> str:
    """'1 row in the file with unit code 000.00.99.H21 that is neither a scored unit nor in the unit
    catalogue (not counted for anyone)', in the voice of the run."""
    if not unknown:
        return ""
    codes = ", ".join(sorted(unknown)[:5]) + (", …" if len(unknown) > 5 else "")
    return _one_or_many("tthc.unknown_units", sum(unknown.values()), codes=codes)


def _as_of(params: Mapping[str, Any], period: object = None) -> dt.date | None:
    """`as_of` from the params, else 31 December of a year period, else None (latest date in the export)."""
    value = params.get("as_of")
    if value is None:
        text = str(period or "").strip()
        return dt.date(int(text), 12, 31) if len(text) == 4 and text.isdigit() else None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def count_group(con: Any, group: FileGroup, codes: UnitCodes, as_of: dt.date | None, *,
                check_ids: bool = True) -> tuple[Records, dict[str, DossierCounts], dt.date]:
    """Run the one query over one file; counts per scored unit of the group (+ unknown codes).

    `as_of` None means the latest received or completion date in the file (one extra scan of two
    columns); the date used is returned. Finding repeated dossier ids means sorting every id of the
    file: on Parquet that is about half of the query's cost, which `check_ids=False`
    (check_params.duplicate_ids = false) skips for exports whose ids are a database key.
    """
    rec = open_records(con, group.path, group.columns, required=REQUIRED, optional=OPTIONAL, dates=DATES,
                       view="dossiers", what="dossier export", key="check_params.columns")
    if as_of is None:
        latest = fetch(con, f"SELECT max(greatest(received, completed)) FROM {rec.view}", rec,
                       what="dossier export")[0][0]
        as_of = latest if latest is not None else dt.date.min  # no dated row: nothing can be open-late
    materialized = "NOT MATERIALIZED" if rec.format == "parquet" else "MATERIALIZED"
    sql = _SQL.format(materialized=materialized, view=rec.view, check_ids="true" if check_ids else "false")
    rows = fetch(con, sql, rec, [as_of], what="dossier export")
    members = {u.code for u in group.units}
    counts = {code: DossierCounts() for code in members}
    unknown: Counter[str] = Counter()
    for unit_raw, channel, postal_return, *values in rows:
        code = codes.match(unit_raw)
        if code is None:
            if not codes.is_known(unit_raw):
                unknown[codes.shown(unit_raw)] += int(values[0])
            continue
        if code not in members:
            continue
        c = counts[code]
        c.add(values)
        counted = int(values[6])
        if is_postal(channel, postal_return):
            c.postal += counted
        if is_online_channel(channel):
            c.online += counted
    for c in counts.values():
        c.unknown_units = unknown
    return rec, counts, as_of


def measure(c: DossierCounts, as_of: dt.date, sources: Mapping[str, str], *, check_ids: bool = True) -> Measurement:
    """Turn one unit's counts into metrics (exact Decimal rates) and a clerk's explanations, written
    in the voice of the run with every rate rounded as the set declares."""
    late = c.resolved_late + c.open_late
    with_apology = c.late_with_apology
    on_time_rate = percent(c.on_time, c.resolved)
    apology_rate = percent(with_apology, late)
    postal_rate = percent(c.postal, c.counted)
    online_rate = percent(c.online, c.counted)
    faults = {key: getattr(c, key) for key in ISSUES if getattr(c, key)}
    issues = dict(faults)
    if c.unknown_units:
        issues["unknown_unit"] = sum(c.unknown_units.values())

    left_out = c.rows - c.counted
    fault_text = ", ".join(say(f"tthc.issue.{k}", n=n) for k, n in faults.items())
    left_text = ", ".join(say(f"tthc.issue.{k}", n=n) for k, n in faults.items() if k != "duplicate_id")
    notes = [_one_or_many("tthc.left_out", left_out, faults=left_text)] if left_out else []
    if c.duplicate_id:
        notes.append(_one_or_many("tthc.shared_id", c.duplicate_id))
    note = say("tthc.notes", notes="; ".join(notes)) if notes else ""
    bad = _one_or_many("tthc.bad_rows", c.bad_rows, faults=fault_text) if c.bad_rows else say("tthc.bad_rows.none")
    if c.duplicate_id:
        bad += say("tthc.bad_rows.shared_counted")
    unknown = unknown_note(c.unknown_units)
    if unknown:
        bad += "; " + unknown
    if not check_ids:
        bad += say("tthc.bad_rows.ids_not_checked")
    late_text = say("tthc.late.one") if late == 1 else say("tthc.late.many", late=late)
    if c.open_late:
        late_text += say("tthc.late.open", resolved=c.resolved_late, open=c.open_late, day=as_of)
    none_counted = say("tthc.none_counted")

    metrics = {
        "dossier_count": c.counted,
        "resolved_count": c.resolved,
        "on_time_rate": on_time_rate,
        "late_count": late,
        "apology_rate": apology_rate,
        "apology_missing": late - with_apology,
        "apology_after_due": c.apology_after_due,
        "postal_rate": postal_rate,
        "online_rate": online_rate,
        "bad_rows": c.bad_rows,
    }
    explanations = {
        "dossier_count": say("tthc.dossier_count", counted=c.counted, rows=c.rows, note=note),
        "resolved_count": say("tthc.resolved_count", resolved=c.resolved, counted=c.counted, note=note),
        "on_time_rate": say("tthc.on_time_rate", on_time=c.on_time, resolved=c.resolved, note=note,
                            rate=rounded_percent(on_time_rate)) if c.resolved else say("tthc.no_resolved") + note,
        "late_count": late_text + note,
        "apology_rate": _one_or_many("tthc.apology_rate", with_apology, late=late_text, note=note,
                                     rate=rounded_percent(apology_rate), count_as="letters")
                        if late else say("tthc.no_late") + note,
        "apology_missing": say("tthc.apology_missing", missing=late - with_apology, late=late, note=note),
        "apology_after_due": _one_or_many("tthc.apology_after_due", c.apology_after_due, note=note,
                                          count_as="letters"),
        "postal_rate": say("tthc.postal_rate", postal=c.postal, counted=c.counted, note=note,
                           rate=rounded_percent(postal_rate)) if c.counted else none_counted + note,
        "online_rate": say("tthc.online_rate", online=c.online, counted=c.counted, note=note,
                           rate=rounded_percent(online_rate)) if c.counted else none_counted + note,
        "bad_rows": bad,
    }
    return Measurement(metrics, explanations, dict(sources), issues)


def _one_or_many(key: str, n: int, *, count_as: str = "rows", **values: Any) -> str:
    """`key.one` for one, `key.many` (with the count as `count_as`) for more: English says "1 row" and
    "2 rows"."""
    return say(f"{key}.one", **values) if n == 1 else say(f"{key}.many", **{count_as: n}, **values)


def evaluate(units: Sequence[UnitEvidence], params: Mapping[str, Any]) -> dict[str, Measurement | BaseException]:
    """Every unit's TTHC metrics: one query per distinct dossier file (normally one for the campaign)."""
    data_name = params.get("data", "dossiers")
    columns = {**DOSSIER_COLUMNS, **params.get("columns", {})}
    check_ids = bool(params.get("duplicate_ids", True))
    groups, failed = parrules.records.group_units(units, data_name, columns, what="dossier export")
    out: dict[str, Measurement | BaseException] = dict(failed)
    con = parrules.records.connect()
    try:
        known, catalogue_sources = read_unit_catalogue(con, units, params)
        codes = UnitCodes((u.code for u in units), known)
        for group in _by_as_of(groups, params):
            try:
                rec, counts, as_of = count_group(con, group, codes, _as_of(params, group.units[0].period),
                                                 check_ids=check_ids)
                sources = {str(rec.path): rec.sha256, **catalogue_sources}
            except parrules.ProblemsError as exc:
                out.update({u.code: exc for u in group.units})
                continue
            for code, c in counts.items():
                out[code] = measure(c, as_of, sources, check_ids=check_ids)
    finally:
        con.close()
    return out


def _by_as_of(groups: Sequence[FileGroup], params: Mapping[str, Any]) -> list[FileGroup]:
    """Split file groups whose units would get different default `as_of` dates (periods 2023 and 2024
    scored from one file): one query per date, normally still one for the whole campaign."""
    out = []
    for group in groups:
        parts: dict[dt.date | None, list[UnitEvidence]] = {}
        for unit in group.units:
            parts.setdefault(_as_of(params, unit.period), []).append(unit)
        out += [FileGroup(group.path, group.columns, tuple(members)) for members in parts.values()]
    return out


PARAMS_SCHEMA = {
    "type": "object",
    "properties": {
        "data": {"type": "string", "description": "data name of the dossier export (default 'dossiers')"},
        "columns": {"type": "object", "additionalProperties": {"type": "string"},
                    "description": "canonical column → header in the file: " + ", ".join(DOSSIER_COLUMNS)},
        "as_of": {"description": "date on which still-open dossiers past their due date count as late "
                                 "(TOML date; default: 31 December of the unit's period when it is a year, else the "
                                 "latest received or completion date in the export)"},
        "duplicate_ids": {"type": "boolean", "description": "look for rows sharing a dossier id (default true; "
                                                            "false only for exports whose ids are a database key)"},
        **UNIT_CATALOGUE_PARAMS,
    },
    "additionalProperties": False,
}


@hookimpl
def register_checks(register: Callable[..., Any]) -> None:
    register(
        "tthc.dossiers",
        evaluate,
        description="Administrative-procedure dossiers from a one-stop-shop export: on time, late with "
                    "apology letters, postal and online shares, bad rows",
        metrics=METRICS,
        params_schema=PARAMS_SCHEMA,
    )
