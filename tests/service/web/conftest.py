"""A throw-away service for the web tests: the example campaign `examples/province-2018` (63 provinces,
the 2018 central set, its data files) imported into a fresh SQLite database, one account per role,
served by uvicorn in a thread on a free port of the loopback, on SQLite and on PostgreSQL. The browser is the HTML report test's
(`chromium`, `browser`, `artefacts`: Debian's Chromium, screenshots under `$PARRULES_ARTEFACTS`).

Accounts use the cheap argon2 profile of the service's tests, so logging in stays fast; everything
else (the app, its routes, the database) is the production code.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from parrules.service.app import create_app
from parrules.service.auth import hash_password
from parrules.service.db import Database, migrate
from parrules.service.models import Account, Campaign, Membership, PhaseSchedule, Unit, utcnow
from parrules.service.roles import Phase, Role
from parrules.service.settings import Argon2Profile, Settings
from parrules.service.transfer import import_campaign

# Debian's Chromium through Playwright and the artefacts folder: the HTML report's browser fixtures;
# Debian's PostgreSQL, started for the session, and a migrated template database: the service's.
from ...reports.test_html_browser import artefacts, browser, chromium  # noqa: F401

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "province-2018" / "campaign.toml"
CAMPAIGN = "par-province-2018"
PASSWORD = "correct horse battery"
CHEAP_ARGON2 = Argon2Profile(time_cost=1, memory_cost_kib=64, parallelism=1)
ACCOUNTS = (  # username, role, unit
    ("clerk-01", Role.CLERK, "01"), ("clerk-94", Role.CLERK, "94"), ("appraiser", Role.APPRAISER, None),
    ("chair", Role.CHAIR, None), ("viewer", Role.VIEWER, None), ("admin", Role.ADMINISTRATOR, None))
DEADLINE = dt.datetime(2099, 1, 10, 17, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
"""The self-assessment's deadline: far ahead, so saves are allowed and the home page shows it."""
_numbers = itertools.count(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    url: str
    settings: Settings
    database: Database
    kind: str


def prepare(settings: Settings) -> None:
    database = Database(settings.url)
    migrate(database.engine)
    with database.writing() as session:
        campaign = import_campaign(session, EXAMPLE, phase=Phase.SELF_ASSESSMENT)
        for username, role, unit in ACCOUNTS:
            account = Account(username=username, display_name=f"{username} <b>(thử)</b>", administrator=False,
                              password_hash=hash_password(settings, PASSWORD), created_at=utcnow())
            session.add(account)
            session.flush()
            unit_id = session.scalar(select(Unit.id).where(Unit.campaign_id == campaign.id, Unit.code == unit)) \
                if unit else None
            session.add(Membership(account_id=account.id, campaign_id=campaign.id, role=role.value, unit_id=unit_id))
        schedule = session.get(PhaseSchedule, (campaign.id, Phase.SELF_ASSESSMENT.value))
        assert schedule is not None
        schedule.closes_at = DEADLINE
    database.dispose()


def fresh_database(kind: str, request: pytest.FixtureRequest, folder: Path) -> str:
    """The URL of a new, migrated database: SQLite in `folder`, or a copy of the PostgreSQL template."""
    if kind == "sqlite":
        return f"sqlite:///{folder / 'parrules.db'}"
    server = request.getfixturevalue("postgres_url")
    template = request.getfixturevalue("postgres_template")
    name = f"parrules_web_{os.getpid()}_{next(_numbers)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    admin.dispose()
    return server.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The service on each kind of database, for one test module."""
    import uvicorn

    folder = tmp_path_factory.mktemp("web-service")
    settings = Settings(data_dir=folder, database_url=fresh_database(request.param, request, folder),
                        argon2=CHEAP_ARGON2)
    prepare(settings)
    port = free_port()
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the web test's service did not start", pytrace=False)
        time.sleep(0.05)
    try:
        yield Served(f"http://127.0.0.1:{port}", settings, app.state.database, request.param)
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def campaign_phase(served: Served) -> str:
    with served.database.reading() as session:
        return session.scalar(select(Campaign.phase).where(Campaign.code == CAMPAIGN)) or ""
