"""The explanation of round 2 and the bonus/penalty step: three phases in the yearly cycle.

The schema does not change (a phase is a name in `campaigns.phase` and `phase_schedule.phase`), but
every campaign has one `phase_schedule` row per scheduled phase — the row its deadline and dates are
kept in — so campaigns created before these phases existed get theirs: `explanation_2`,
`bonus_penalty` and `bonus_penalty_explanation`, with no dates. A campaign already past round 2
keeps its phase; it simply never visits the new ones.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

NEW_PHASES = ("explanation_2", "bonus_penalty", "bonus_penalty_explanation")

campaigns = sa.table("campaigns", sa.column("id", sa.Integer()))
schedule = sa.table("phase_schedule", sa.column("campaign_id", sa.Integer()), sa.column("phase", sa.String(30)))


def upgrade() -> None:
    connection = op.get_bind()
    have = {(c, p) for c, p in connection.execute(sa.select(schedule.c.campaign_id, schedule.c.phase))}
    rows = [{"campaign_id": c, "phase": p} for (c,) in connection.execute(sa.select(campaigns.c.id))
            for p in NEW_PHASES if (c, p) not in have]
    if rows:
        op.bulk_insert(schedule, rows)


def downgrade() -> None:
    op.execute(schedule.delete().where(schedule.c.phase.in_(NEW_PHASES)))
