"""How far each unit is in the phase: criteria self-assessed, appraised per round, deductions explained.

Counts only, read in one query per kind for the whole campaign, so the council's dashboard of 63
provinces costs three queries, not a live score per unit (scores are the engine's, on the unit's page
and in the results).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from parrules.service.models import Appraisal, Campaign, Entry, Unit
from parrules.service.submissions import points_value


@dataclass
class UnitProgress:
    code: str
    name: str
    self_assessed: int = 0
    rounds: dict[int, int] = field(default_factory=lambda: {1: 0, 2: 0})
    deductions: int = 0  # round-1 points below the self-assessment (or N/A'd): what the unit may explain
    explained: int = 0


def campaign_progress(session: Session, campaign: Campaign, unit_id: int | None = None) -> list[UnitProgress]:
    """Every unit's progress (or one unit's), in code order."""
    units = select(Unit).where(Unit.campaign_id == campaign.id).order_by(Unit.code)
    if unit_id is not None:
        units = units.where(Unit.id == unit_id)
    found = {u.id: UnitProgress(u.code, u.name) for u in session.scalars(units)}
    ids = list(found)
    if not ids:
        return []
    counted = session.execute(select(Entry.unit_id, func.count()).where(
        Entry.unit_id.in_(ids), Entry.self_points.is_not(None)).group_by(Entry.unit_id))
    for uid, n in counted:
        found[uid].self_assessed = n
    for uid, rnd, n in session.execute(select(Appraisal.unit_id, Appraisal.round, func.count()).where(
            Appraisal.unit_id.in_(ids)).group_by(Appraisal.unit_id, Appraisal.round)):
        found[uid].rounds[rnd] = n
    own = {(e.unit_id, e.code): points_value(e.self_points)
           for e in session.scalars(select(Entry).where(Entry.unit_id.in_(ids)))}
    for a in session.scalars(select(Appraisal).where(Appraisal.unit_id.in_(ids), Appraisal.round == 1)):
        mine = own.get((a.unit_id, a.code))
        given = points_value(a.points)
        if isinstance(mine, Decimal) and (given == "na" or (isinstance(given, Decimal) and given < mine)):
            found[a.unit_id].deductions += 1
            found[a.unit_id].explained += bool(a.response.strip())
    return list(found.values())
