"""The audit trail: one append-only row per change, written in the transaction of the change.

Who (account and username as it was), when, what (`action`), the unit and criterion, the round,
and the value before and after as the library's JSON. Because the row is added to the same
session as the change, the two are committed together or not at all: there is no change without
its row and no row for a change that was rolled back. The table refuses UPDATE and DELETE
(triggers, `migrations/versions/0001_first_schema.py`).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from parrules.service.auth import Principal
from parrules.service.models import AuditEntry, Campaign, Unit, utcnow
from parrules.service.submissions import json_text


def record(session: Session, who: Principal | None, campaign: Campaign | None, action: str, *,
           unit: Unit | None = None, code: str = "", round: int | None = None,
           before: Any = None, after: Any = None) -> AuditEntry:
    entry = AuditEntry(at=utcnow(), account_id=who.account_id if who else None,
                       username=who.username if who else "parrules serve", campaign_id=campaign.id if campaign else None,
                       unit_id=unit.id if unit else None, unit_code=unit.code if unit else "", code=code,
                       round=round, action=action, before=json_text(before), after=json_text(after))
    session.add(entry)
    return entry


def entries(session: Session, campaign: Campaign, *, unit: Unit | None = None, code: str | None = None,
            limit: int = 1000, after_id: int = 0) -> list[dict[str, Any]]:
    """The trail of a campaign, of one unit, or of one criterion of one unit, oldest first."""
    query = select(AuditEntry).where(AuditEntry.campaign_id == campaign.id, AuditEntry.id > after_id)
    if unit is not None:
        query = query.where(AuditEntry.unit_id == unit.id)
    if code is not None:
        query = query.where(AuditEntry.code == code)
    rows = session.scalars(query.order_by(AuditEntry.id).limit(limit))
    return [view(row) for row in rows]


def view(row: AuditEntry) -> dict[str, Any]:
    return {"id": row.id, "at": row.at.isoformat(), "username": row.username, "unit": row.unit_code or None,
            "code": row.code or None, "round": row.round, "action": row.action,
            "before": json.loads(row.before, parse_float=Decimal), "after": json.loads(row.after, parse_float=Decimal)}
