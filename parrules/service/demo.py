"""`parrules serve --demo`: the example campaign `examples/province-2018` in an embedded database,
with one account per role, their passwords printed on start.

The campaign is imported once (units, answers, self-scores, appraisals and evidence from its
submission files) in the self-assessment phase; the demo passwords and the API token are new at
every start, since they are printed, and the demo listens on the loopback only unless told otherwise.
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

from sqlalchemy import select

import parrules
from parrules.service.auth import API, hash_password, issue_token
from parrules.service.db import Database
from parrules.service.models import Account, Campaign, Membership, Unit, utcnow
from parrules.service.roles import Phase, Role
from parrules.service.settings import Settings
from parrules.service.transfer import import_campaign

DEMO_CAMPAIGN = Path("province-2018") / "campaign.toml"
DEMO_UNIT = "94"  # Sóc Trăng, whose published 2018 result the example reproduces
ACCOUNTS = (
    ("admin", "Quản trị hệ thống (demo)", Role.ADMINISTRATOR, True),
    ("chair", "Chủ tịch Hội đồng thẩm định (demo)", Role.CHAIR, False),
    ("appraiser", "Thành viên Hội đồng thẩm định (demo)", Role.APPRAISER, False),
    ("viewer", "Người xem (demo)", Role.VIEWER, False),
    (f"clerk-{DEMO_UNIT}", "Cán bộ UBND tỉnh Sóc Trăng (demo)", Role.CLERK, False),
    ("province-app", "Phần mềm của tỉnh (demo, API token)", Role.SYSTEM, False),
)


def examples_folder() -> Path:
    """`examples/` of this checkout (beside the installed package), else of the working directory."""
    for candidate in (Path(parrules.__file__).resolve().parents[1] / "examples", Path.cwd() / "examples"):
        if (candidate / DEMO_CAMPAIGN).is_file():
            return candidate
    raise parrules.ParrulesError("the demo needs examples/province-2018 (run it from a checkout of parrules)")


def prepare(database: Database, settings: Settings, examples: Path | None = None) -> list[str]:
    """Import the demo campaign when it is not there, (re)set the demo accounts; the lines to print."""
    path = (examples or examples_folder()) / DEMO_CAMPAIGN
    lines = []
    with database.writing() as session:
        campaign = session.scalar(select(Campaign).where(Campaign.code == "par-province-2018"))
        if campaign is None:
            campaign = import_campaign(session, path, phase=Phase.SELF_ASSESSMENT)
            lines.append(f"imported {path} as campaign '{campaign.code}' (phase: {campaign.phase})")
        unit_id = session.scalar(select(Unit.id).where(Unit.campaign_id == campaign.id, Unit.code == DEMO_UNIT))
        for username, name, role, administrator in ACCOUNTS:
            account = session.scalar(select(Account).where(Account.username == username))
            password = None if role is Role.SYSTEM else secrets.token_urlsafe(9)
            hashed = hash_password(settings, password) if password else None
            if account is None:
                account = Account(username=username, display_name=name, administrator=administrator,
                                  password_hash=hashed, created_at=utcnow())
                session.add(account)
                session.flush()
            else:
                account.password_hash = hashed
            if session.scalar(select(Membership.id).where(Membership.account_id == account.id,
                                                          Membership.campaign_id == campaign.id)) is None:
                session.add(Membership(account_id=account.id, campaign_id=campaign.id, role=role.value,
                                       unit_id=unit_id if role is Role.CLERK else None))
            if password:
                lines.append(f"  {role.value:<13} {username:<13} password {password}")
            else:
                token, _ = issue_token(session, account, API, dt.timedelta(days=1), "demo")
                lines.append(f"  {role.value:<13} {username:<13} API token {token}")
    return lines
