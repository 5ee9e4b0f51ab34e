"""How far each unit is in the phase: criteria self-assessed, appraised per step, deductions explained.

Counts only, read in one query per kind for the whole campaign, so the council's dashboard of 63
provinces costs a few queries, not a live score per unit (scores are the engine's, on the unit's page
and in the results).

The steps follow `roles`: base criteria are appraised in rounds 1 and 2, each followed by its
explanation; bonus and penalty criteria are appraised in their own step (round 1), followed by
theirs. A deduction is what `submissions.deducts` says (fewer points, more on a penalty criterion,
N/A where the unit claimed points), so the counts are the deductions the API lets the unit explain.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from parrules.service.models import Appraisal, Campaign, Entry, Unit
from parrules.service.roles import EXTRA_ROLES, Phase
from parrules.service.scoring import campaign_criteria
from parrules.service.submissions import claimed, deducts, points_value

STEPS = (Phase.EXPLANATION.value, Phase.EXPLANATION_2.value, Phase.BONUS_PENALTY_EXPLANATION.value)
"""The explanation steps, by the phase they happen in."""


def _steps() -> dict[str, int]:
    return dict.fromkeys(STEPS, 0)


@dataclass
class UnitProgress:
    code: str
    name: str
    self_assessed: int = 0
    rounds: dict[int, int] = field(default_factory=lambda: {1: 0, 2: 0})  # base criteria appraised per round
    extra: int = 0  # bonus and penalty criteria appraised (their own step)
    deductions: dict[str, int] = field(default_factory=_steps)  # per explanation step: what the unit may explain
    explained: dict[str, int] = field(default_factory=_steps)


def step_of(criterion_role: str, round: int) -> str | None:
    """The explanation step (its phase) that answers round `round` of a criterion of this role."""
    if criterion_role in EXTRA_ROLES:
        return Phase.BONUS_PENALTY_EXPLANATION.value if round == 1 else None
    return {1: Phase.EXPLANATION.value, 2: Phase.EXPLANATION_2.value}.get(round)


@dataclass(frozen=True)
class Leaves:
    """How many criteria each step appraises: base ones in rounds 1 and 2, bonus/penalty in theirs."""

    base: int
    extra: int


def leaf_counts(session: Session, campaign: Campaign) -> Leaves:
    _, criteria = campaign_criteria(session, campaign)
    extra = sum(1 for code in criteria.leaves if criteria.nodes[code].role in EXTRA_ROLES)
    return Leaves(len(criteria.leaves) - extra, extra)


def campaign_progress(session: Session, campaign: Campaign, unit_id: int | None = None) -> list[UnitProgress]:
    """Every unit's progress (or one unit's), in code order."""
    _, criteria = campaign_criteria(session, campaign)
    units = select(Unit).where(Unit.campaign_id == campaign.id).order_by(Unit.code)
    if unit_id is not None:
        units = units.where(Unit.id == unit_id)
    found = {u.id: UnitProgress(u.code, u.name) for u in session.scalars(units)}
    ids = list(found)
    if not ids:
        return []
    own: dict[tuple[int, str], str | None] = {}
    for e in session.scalars(select(Entry).where(Entry.unit_id.in_(ids))):
        own[(e.unit_id, e.code)] = e.self_points
        found[e.unit_id].self_assessed += e.self_points is not None
    for a in session.scalars(select(Appraisal).where(Appraisal.unit_id.in_(ids))):
        node = criteria.nodes.get(a.code)
        if node is None:
            continue
        role = node.role
        progress = found[a.unit_id]
        if role in EXTRA_ROLES:
            progress.extra += a.round == 1
        else:
            progress.rounds[a.round] = progress.rounds.get(a.round, 0) + 1
        step = step_of(role, a.round)
        if step and deducts(points_value(a.points), claimed(own.get((a.unit_id, a.code)), role), role):
            progress.deductions[step] += 1
            progress.explained[step] += bool(a.response.strip())
    return list(found.values())
