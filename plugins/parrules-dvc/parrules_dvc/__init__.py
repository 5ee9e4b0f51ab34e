"""parrules check `dvc.services`: online public services offered (level 3/4) and actually used.

The PAR Index scores two things about online public services (dịch vụ công trực tuyến, DVC): the
share of a unit's administrative procedures offered at level 3 or 4 — since Decree 42/2022 "partly
online" (một phần) and "fully online" (toàn trình) — and the share of dossiers of those procedures
that people actually submitted online. The first comes from the service catalogue, the second from
the dossier export that `tthc.dossiers` reads, joined on the procedure code. Both are read by DuckDB
in one grouped query each, for every unit at once.

Reported, never silently dropped: catalogue rows whose level cannot be read, dossiers of procedures
missing from the unit's catalogue, and rows whose unit code is neither scored nor catalogued.
Explanations are written in the voice of the run (Vietnamese or English) from the plugin's catalogue,
`messages.toml`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import parrules
from parrules import Measurement, UnitEvidence, hookimpl
from parrules.records import (
    DOSSIER_COLUMNS,
    UNIT_CATALOGUE_PARAMS,
    UnitCodes,
    fetch,
    is_online_channel,
    normalize_label,
    open_records,
    percent,
    read_unit_catalogue,
)

from .texts import MESSAGES, say

__all__ = ["CATALOGUE_COLUMNS", "MESSAGES", "evaluate", "service_level"]

#: Canonical column → header in the service catalogue (override with check_params.catalogue_columns).
CATALOGUE_COLUMNS: dict[str, str] = {
    "unit": "Mã đơn vị",
    "procedure": "Mã TTHC",
    "name": "Tên TTHC",
    "level": "Mức độ DVC",
}

METRICS = {
    "level34_share": "% of the unit's procedures offered at level 3 or 4 (partly or fully online)",
    "level4_share": "% of the unit's procedures offered at level 4 (fully online)",
    "online_dossier_share": "% of dossiers of level-3/4 procedures submitted online",
    "online_share_level3": "% of dossiers of level-3 procedures submitted online",
    "online_share_level4": "% of dossiers of level-4 procedures submitted online",
}

_DIGIT = re.compile(r"\b([1-4])\b")


def service_level(label: object) -> int | None:
    """'Mức độ 3' → 3, 'Một phần' → 3, 'Toàn trình' → 4, '4' → 4; None when it cannot be read."""
    text = normalize_label(label)
    if not text:
        return None
    if "toàn trình" in text or "toan trinh" in text:
        return 4
    if "một phần" in text or "mot phan" in text:
        return 3
    found = _DIGIT.findall(text)
    return int(found[-1]) if found else None


@dataclass
class _Unit:
    levels: dict[str, int] = field(default_factory=dict)  # procedure → level
    unreadable: Counter[str] = field(default_factory=Counter)  # level label → catalogue rows
    dossiers: Counter[int] = field(default_factory=Counter)  # level → dossiers
    online: Counter[int] = field(default_factory=Counter)  # level → online dossiers
    not_in_catalogue: int = 0
    has_dossiers: bool = False
    sources: dict[str, str] = field(default_factory=dict)


def _read_catalogue(con: Any, group: parrules.records.FileGroup, codes: UnitCodes,
                    state: dict[str, _Unit], unknown: Counter[str]) -> None:
    rec = open_records(con, group.path, group.columns, required=("procedure", "level"), optional=("unit",),
                       view="services", what="service catalogue", key="check_params.catalogue_columns")
    rows = fetch(con, f"SELECT unit, procedure, level, count(*) FROM {rec.view} GROUP BY ALL", rec,
                 what="service catalogue")
    members = {u.code for u in group.units}
    for unit_raw, procedure, label, n in rows:
        # A catalogue without a unit column is one list for every unit that reads it.
        targets = members if not rec.has("unit") else {codes.match(unit_raw)} & members
        if rec.has("unit") and not targets and not codes.is_known(unit_raw):
            unknown[codes.shown(unit_raw)] += int(n)
        level = service_level(label)
        for code in targets:
            u = state[code]
            u.sources[str(rec.path)] = rec.sha256
            if level is None:
                u.unreadable[str(label)] += int(n)
            else:
                key = normalize_label(procedure)
                u.levels[key] = max(level, u.levels.get(key, 0))


def _read_dossiers(con: Any, group: parrules.records.FileGroup, codes: UnitCodes,
                   state: dict[str, _Unit], unknown: Counter[str]) -> None:
    rec = open_records(con, group.path, group.columns, required=("unit", "procedure"), optional=("channel",),
                       view="dossiers", what="dossier export", key="check_params.columns")
    rows = fetch(con, f"SELECT unit, procedure, channel, count(*) FROM {rec.view} GROUP BY ALL", rec,
                 what="dossier export")
    members = {u.code for u in group.units}
    for code in members:
        state[code].has_dossiers = True
        state[code].sources[str(rec.path)] = rec.sha256
    for unit_raw, procedure, channel, n in rows:
        code = codes.match(unit_raw)
        if code is None:
            if not codes.is_known(unit_raw):
                unknown[codes.shown(unit_raw)] += int(n)
            continue
        if code not in members:
            continue
        u = state[code]
        level = u.levels.get(normalize_label(procedure))
        if level is None:
            u.not_in_catalogue += int(n)
            continue
        u.dossiers[level] += int(n)
        if is_online_channel(channel):
            u.online[level] += int(n)


def _measure(u: _Unit, unknown: Counter[str]) -> Measurement:
    procedures = len(u.levels)
    l3 = sum(1 for level in u.levels.values() if level == 3)
    l4 = sum(1 for level in u.levels.values() if level == 4)
    level34_share = percent(l3 + l4, procedures)
    level4_share = percent(l4, procedures)
    d34, o34 = u.dossiers[3] + u.dossiers[4], u.online[3] + u.online[4]
    shares: dict[str, Decimal | None] = {
        "online_dossier_share": percent(o34, d34),
        "online_share_level3": percent(u.online[3], u.dossiers[3]),
        "online_share_level4": percent(u.online[4], u.dossiers[4]),
    }
    issues: dict[str, int] = {}
    catalogue_notes: list[str] = []
    dossier_notes: list[str] = []
    if u.unreadable:
        issues["unknown_level"] = sum(u.unreadable.values())
        labels = ", ".join(sorted(repr(k) for k in u.unreadable))
        catalogue_notes.append(say("dvc.unknown_level", rows=issues["unknown_level"], labels=labels))
    if u.not_in_catalogue:
        issues["procedure_not_in_catalogue"] = u.not_in_catalogue
        dossier_notes.append(say("dvc.not_in_catalogue", dossiers=u.not_in_catalogue))
    if unknown:
        issues["unknown_unit"] = sum(unknown.values())
        short = say("dvc.unknown_units", rows=issues["unknown_unit"])
        catalogue_notes.append(short)
        dossier_notes.append(short)
    level_note = say("dvc.notes", notes="; ".join(catalogue_notes)) if catalogue_notes else ""
    note = say("dvc.notes", notes="; ".join(dossier_notes)) if dossier_notes else ""

    def share(online: int, total: int, level: str, value: Decimal | None) -> str:
        what = say(f"dvc.level.{level}")
        if not u.has_dossiers:
            return say("dvc.no_export") + note
        if not total:
            return say("dvc.no_dossiers_of", level=what) + note
        return say("dvc.online_share", online=online, total=total, level=what, note=note,
                   rate=parrules.rounded_percent(value))

    no_procedures = say("dvc.no_procedures") + level_note
    explanations = {
        "level34_share": say("dvc.level34_share", offered=l3 + l4, procedures=procedures, level3=l3, level4=l4,
                             note=level_note, rate=parrules.rounded_percent(level34_share)) if procedures else no_procedures,
        "level4_share": say("dvc.level4_share", offered=l4, procedures=procedures, note=level_note,
                            rate=parrules.rounded_percent(level4_share)) if procedures else no_procedures,
        "online_dossier_share": share(o34, d34, "level34", shares["online_dossier_share"]),
        "online_share_level3": share(u.online[3], u.dossiers[3], "level3", shares["online_share_level3"]),
        "online_share_level4": share(u.online[4], u.dossiers[4], "level4", shares["online_share_level4"]),
    }
    metrics = {"level34_share": level34_share, "level4_share": level4_share, **shares}
    return Measurement(metrics, explanations, dict(u.sources), issues)


def evaluate(units: Sequence[UnitEvidence], params: Mapping[str, Any]) -> dict[str, Measurement | BaseException]:
    """Catalogue shares and online-dossier shares for every unit: one grouped query per distinct file."""
    records = parrules.records
    catalogue_name = params.get("catalogue", "services")
    dossiers_name = params.get("dossiers", "dossiers")
    out: dict[str, Measurement | BaseException] = {}
    state = {u.code: _Unit() for u in units}
    unknown: Counter[str] = Counter()
    con = records.connect()
    try:
        known, unit_sources = read_unit_catalogue(con, units, params)
        codes = UnitCodes((u.code for u in units), known)
        groups, failed = records.group_units(units, catalogue_name,
                                             {**CATALOGUE_COLUMNS, **params.get("catalogue_columns", {})},
                                             what="service catalogue")
        out.update(failed)
        for group in groups:
            try:
                _read_catalogue(con, group, codes, state, unknown)
            except parrules.ProblemsError as exc:
                out.update({u.code: exc for u in group.units})
        with_dossiers = [u for u in units if u.code not in out and dossiers_name in u.data]
        groups, _ = records.group_units(with_dossiers, dossiers_name,
                                        {**DOSSIER_COLUMNS, **params.get("columns", {})}, what="dossier export")
        for group in groups:
            try:
                _read_dossiers(con, group, codes, state, unknown)
            except parrules.ProblemsError as exc:
                out.update({u.code: exc for u in group.units})
    finally:
        con.close()
    for u in units:
        if u.code not in out:
            state[u.code].sources.update(unit_sources)
            out[u.code] = _measure(state[u.code], unknown)
    return out


PARAMS_SCHEMA = {
    "type": "object",
    "properties": {
        "catalogue": {"type": "string", "description": "data name of the service catalogue (default 'services')"},
        "dossiers": {"type": "string", "description": "data name of the dossier export (default 'dossiers')"},
        "catalogue_columns": {"type": "object", "additionalProperties": {"type": "string"},
                              "description": "canonical column → header: " + ", ".join(CATALOGUE_COLUMNS)},
        "columns": {"type": "object", "additionalProperties": {"type": "string"},
                    "description": "dossier export headers, as for tthc.dossiers"},
        **UNIT_CATALOGUE_PARAMS,
    },
    "additionalProperties": False,
}


@hookimpl
def register_checks(register: Callable[..., Any]) -> None:
    register(
        "dvc.services",
        evaluate,
        description="Online public services: share of procedures at level 3/4 (catalogue) and share of "
                    "their dossiers submitted online (dossier export)",
        metrics=METRICS,
        params_schema=PARAMS_SCHEMA,
    )
