"""A server killed with SIGKILL in the middle of a write burst loses nothing it acknowledged and keeps
nothing half-written; restarted, it resumes (issue #14, "Proof").

The server is a real uvicorn process on the test's database (SQLite and PostgreSQL). Clients save
self-assessments as fast as they can, from several threads; the server is killed at random moments
of the burst (no shutdown, no flush), restarted, and the clients carry on, re-reading what they did
not hear back about. Afterwards the database is read directly and checked against every save a
client was told succeeded (`ledger.Ledger.check`): each acknowledged version is in the audit trail
with its value, each row is at least at its newest acknowledged version, and each row equals its
newest audit row (a change and its audit row are one transaction).
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from decimal import Decimal
from pathlib import Path

import httpx2 as httpx
from sqlalchemy import select

import parrules
from parrules.service.auth import SESSION, issue_token
from parrules.service.models import Account, Campaign, Entry, Membership, Unit, utcnow
from parrules.service.transfer import import_campaign
from tests.service.conftest import ROOT, Service
from tests.service.helpers import FIRST_SET
from tests.service.ledger import Ledger
from tests.service.processes import Server

KILLS = 3
CLIENTS = 4


def _campaign(service: Service, tmp_path: Path) -> dict[str, str]:
    """Campaign first-2024 from the first set's files, in self-assessment; a clerk token per unit."""
    campaign = tmp_path / "campaign.toml"
    campaign.write_text(f'[campaign]\nid = "first-2024"\nname = "Thử"\ncriteria_set = "{FIRST_SET.as_posix()}"\n'
                        f'submissions = ["{(ROOT / "examples/first-set/submissions").as_posix()}"]\n', "utf-8")
    tokens: dict[str, str] = {}
    with service.database.writing() as session:
        row = import_campaign(session, campaign)
        for unit in session.scalars(select(Unit).where(Unit.campaign_id == row.id)):
            account = Account(username=f"clerk-{unit.code}", display_name=unit.code, password_hash=None,
                              created_at=utcnow())
            session.add(account)
            session.flush()
            session.add(Membership(account_id=account.id, campaign_id=row.id, role="clerk", unit_id=unit.id))
            tokens[unit.code], _ = issue_token(session, account, SESSION, dt.timedelta(hours=1))
        assert session.scalar(select(Campaign.phase)) == "self_assessment"
    return tokens


def test_sigkill_in_a_write_burst_loses_nothing_acknowledged(service: Service, tmp_path: Path) -> None:
    tokens = _campaign(service, tmp_path)
    criteria = parrules.load_criteria_set(FIRST_SET)
    choices = {code: [Decimal(0), criteria.nodes[code].max_points] for code in criteria.leaves
               if criteria.nodes[code].role == "base"}
    server = Server(service.settings.url, tmp_path / "server").start()
    ledger, lock = Ledger(), threading.Lock()
    unanswered: list[str] = []
    unexpected: list[str] = []
    stop = threading.Event()
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)

    def clerk(number: int) -> None:
        unit = sorted(tokens)[number % len(tokens)]
        mine = random.Random(seed + number)
        headers = {"Authorization": f"Bearer {tokens[unit]}"}
        versions: dict[str, int] = {}
        while not stop.is_set():
            code = mine.choice(sorted(choices))
            points = mine.choice(choices[code])
            base = server.base
            try:
                if code not in versions:
                    found = httpx.get(f"{base}/campaigns/first-2024/units/{unit}/criteria/{code}", headers=headers,
                                      timeout=10)
                    versions[code] = found.json()["entry"]["version"]
                answer = httpx.put(f"{base}/campaigns/first-2024/units/{unit}/criteria/{code}", headers=headers,
                                   json={"version": versions[code], "self_assessment": str(points)}, timeout=10)
            except (httpx.TransportError, ValueError, KeyError) as exc:  # killed under us: we were told nothing
                with lock:
                    unanswered.append(type(exc).__name__)
                versions.pop(code, None)
                time.sleep(0.02)
                continue
            if answer.status_code == 200:
                saved = answer.json()["entry"]
                with lock:
                    ledger.saved(("first-2024", unit, code, 0), saved["version"], saved["self_assessment"])
                versions[code] = saved["version"]
            else:
                if answer.status_code != 409:  # 409: two threads of one unit raced for a version
                    with lock:
                        unexpected.append(f"{answer.status_code} {answer.text[:300]}")
                versions.pop(code, None)

    def acknowledged(more: int, within: float = 60) -> None:
        """Wait until `more` saves more are acknowledged (a bound, not a measurement: a loaded machine
        is slow, a stuck server is a failure)."""
        target, deadline = ledger.count + more, time.monotonic() + within
        while ledger.count < target:
            assert time.monotonic() < deadline, f"saves stalled at {ledger.count} (seed {seed}): {server.errors()}"
            time.sleep(0.005)

    threads = [threading.Thread(target=clerk, args=(i,), daemon=True) for i in range(CLIENTS)]
    try:
        for thread in threads:
            thread.start()
        for _ in range(KILLS):
            acknowledged(rng.randint(2, 8))  # a random point of the burst: after some saves, within others
            time.sleep(rng.uniform(0, 0.05))
            server.kill()
            server.start()
        acknowledged(3)  # restarted: it resumes
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=15)
        server.stop()
    assert unexpected == [], f"seed {seed}: {server.errors()[-3000:]}"
    assert unanswered, f"no save was cut off by a kill (seed {seed}): the burst did not cover the kills"
    assert ledger.check(service.database) == [], f"seed {seed}"

def test_the_check_finds_a_lost_save_and_a_half_written_row(service: Service, tmp_path: Path) -> None:
    """The ledger's check is what the fault test relies on: it must see what it is there to see."""
    tokens = _campaign(service, tmp_path)
    headers = {"Authorization": f"Bearer {tokens['SNV']}"}
    read = service.client.get("/api/v1/campaigns/first-2024/units/SNV/criteria/1.2", headers=headers)
    saved = service.client.put("/api/v1/campaigns/first-2024/units/SNV/criteria/1.2", headers=headers,
                               json={"version": read.json()["entry"]["version"], "self_assessment": "2"})
    assert saved.status_code == 200, saved.text
    version = saved.json()["entry"]["version"]
    ledger = Ledger()
    ledger.saved(("first-2024", "SNV", "1.2", 0), version, "2")
    assert ledger.check(service.database) == []
    told_otherwise = Ledger()
    told_otherwise.saved(("first-2024", "SNV", "1.2", 0), version, "1")
    told_otherwise.saved(("first-2024", "SNV", "1.2", 0), version + 1, "0")
    problems = told_otherwise.check(service.database)
    assert any(f"version {version} (1) is not in the trail" in p for p in problems)
    assert any(f"older than the acknowledged {version + 1}" in p for p in problems)
    with service.database.writing() as session:  # a change without its audit row
        unit = session.scalar(select(Unit).where(Unit.code == "SNV"))
        assert unit is not None
        entry = session.scalar(select(Entry).where(Entry.unit_id == unit.id, Entry.code == "1.2"))
        assert entry is not None
        entry.self_points = "1"
    assert any("half-written" in p for p in ledger.check(service.database))
