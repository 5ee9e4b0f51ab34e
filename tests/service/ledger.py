"""What clients were told succeeded, checked against the database afterwards (the load benchmark and
the fault test).

Each acknowledged save (a 200 with the version it made) goes into the ledger. `Ledger.check` then
reads the database directly and lists every way it disagrees:

- **lost**: an acknowledged save missing from the trail (no audit row with that version and value), or
  the row's current state older than the newest acknowledged version, or at that version with
  another value;
- **half-written**: a row whose state is not the `after` of its newest audit row (the change and its
  audit row are one transaction, so they must agree whatever happened to the server).

A save that was committed but never acknowledged (the server died before answering) is not an
error: the client was not told anything.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from parrules.service.db import Database
from parrules.service.models import Appraisal, AuditEntry, Campaign, Entry, Unit

Key = tuple[str, str, str, int]
"""(campaign, unit, criterion, round); round 0 is the unit's own entry (self-assessment)."""


def _points(value: Any) -> Decimal | str | None:
    if value is None or value == "na":
        return value
    return Decimal(str(value))


@dataclass
class Ledger:
    acknowledged: dict[Key, list[tuple[int, Any]]] = field(default_factory=lambda: defaultdict(list))

    def saved(self, key: Key, version: int, points: Any) -> None:
        self.acknowledged[key].append((version, _points(points)))

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.acknowledged.values())

    def check(self, database: Database) -> list[str]:
        """Every disagreement between the ledger and the database (empty: nothing lost, nothing half-written)."""
        problems: list[str] = []
        with database.reading() as session:
            for key, saves in self.acknowledged.items():
                problems += _check_key(session, key, saves)
        return problems


def _check_key(session: Session, key: Key, saves: list[tuple[int, Any]]) -> list[str]:
    campaign_code, unit_code, code, round_ = key
    unit = session.scalar(select(Unit).join(Campaign, Campaign.id == Unit.campaign_id)
                          .where(Campaign.code == campaign_code, Unit.code == unit_code))
    if unit is None:
        return [f"{key}: the unit is gone"]
    if round_ == 0:
        row: Entry | Appraisal | None = session.scalar(select(Entry).where(Entry.unit_id == unit.id, Entry.code == code))
        stored = None if row is None else _points(row.self_points)
        action, field_name = "entry.save", "self_assessment"
    else:
        row = session.scalar(select(Appraisal).where(Appraisal.unit_id == unit.id, Appraisal.code == code,
                                                     Appraisal.round == round_))
        stored = None if row is None else _points(row.points)
        action, field_name = "appraisal.save", "points"
    if row is None:
        return [f"{key}: {len(saves)} acknowledged saves, no row"]
    in_round = AuditEntry.round == round_ if round_ else AuditEntry.round.is_(None)
    trail = [json.loads(a, parse_float=Decimal) for a in session.scalars(
        select(AuditEntry.after).where(AuditEntry.unit_id == unit.id, AuditEntry.code == code,
                                       AuditEntry.action == action, in_round).order_by(AuditEntry.id))]
    in_trail = {(a["version"], _points(a[field_name])) for a in trail}
    problems = [f"{key}: acknowledged version {v} ({p}) is not in the trail" for v, p in saves if (v, p) not in in_trail]
    newest_version, newest_points = max(saves, key=lambda s: s[0])
    if row.version < newest_version:
        problems.append(f"{key}: at version {row.version}, older than the acknowledged {newest_version}")
    elif row.version == newest_version and stored != newest_points:
        problems.append(f"{key}: version {row.version} holds {stored}, the client was told {newest_points}")
    if trail and (trail[-1]["version"] != row.version or _points(trail[-1][field_name]) != stored):
        problems.append(f"{key}: half-written: the row is version {row.version} ({stored}), its newest audit row "
                        f"says version {trail[-1]['version']} ({trail[-1][field_name]}); the trail: "
                        f"{[(a['version'], str(a[field_name])) for a in trail]}, acknowledged: {saves}")
    return problems
