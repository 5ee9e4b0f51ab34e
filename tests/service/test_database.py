"""The schema: migrations and models agree, the audit trail is append-only in the database itself,
and concurrent saves from two workers never overwrite each other silently."""

from __future__ import annotations

import threading
import time
from decimal import Decimal
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from parrules.service.app import create_app
from parrules.service.db import migrate
from parrules.service.models import AuditEntry, Base, Entry
from tests.service.conftest import Service
from tests.service.helpers import CODE, advance, entry, first_campaign


def test_migrations_create_exactly_the_models(service: Service) -> None:
    engine = service.database.engine
    migrate(engine)  # at the newest revision already: nothing to do, nothing breaks
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0002"


def test_the_second_migration_gives_older_campaigns_the_new_phases(tmp_path: Any) -> None:
    """A database made before the round-2 explanation and the bonus/penalty step: its campaigns get a
    schedule row (for their deadlines) for each new phase, and nothing else changes."""
    from alembic import command
    from sqlalchemy import create_engine

    from parrules.service.db import alembic_config
    from parrules.service.roles import SCHEDULED

    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    command.upgrade(alembic_config(engine), "0001")
    old = ["self_assessment", "appraisal_1", "explanation", "appraisal_2", "survey", "publication"]
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO criteria_sets (id, sha256, set_id, name, toml, uploaded_at) "
                                "VALUES (1, 'x', 's', 'n', '', '2026-01-01')"))
        connection.execute(text("INSERT INTO campaigns (id, code, name, year, criteria_set_id, phase, settings, "
                                "created_at, version) VALUES (1, 'c', 'n', 2024, 1, 'appraisal_2', '{}', "
                                "'2026-01-01', 1)"))
        for phase in old:
            connection.execute(text("INSERT INTO phase_schedule (campaign_id, phase, closes_at) "
                                    "VALUES (1, :p, '2026-02-01')"), {"p": phase})
    migrate(engine)
    with engine.connect() as connection:
        rows = dict(connection.execute(text("SELECT phase, closes_at FROM phase_schedule WHERE campaign_id = 1")).all())
        assert connection.execute(text("SELECT phase FROM campaigns")).scalar() == "appraisal_2"
    assert set(rows) == {p.value for p in SCHEDULED}
    assert all(rows[p] is not None for p in old)
    assert all(rows[p] is None for p in ("explanation_2", "bonus_penalty", "bonus_penalty_explanation"))
    engine.dispose()


def test_the_audit_trail_refuses_update_and_delete(service: Service) -> None:
    first_campaign(service)
    with service.database.reading() as session:
        assert session.scalar(select(AuditEntry.id).limit(1)) is not None
    for statement in ("UPDATE audit SET username = 'someone else'", "DELETE FROM audit"):
        with pytest.raises(DBAPIError, match="append-only"), service.database.writing() as session:
            session.execute(text(statement))
    with service.database.reading() as session:
        assert "someone else" not in set(session.scalars(select(AuditEntry.username)))


def test_two_workers_saving_the_same_version_one_wins_one_is_told(service: Service) -> None:
    first_campaign(service)
    advance(service, "self_assessment", who="admin")
    service.call("PUT", f"/campaigns/{CODE}/units/SNV/criteria/2.1", "clerk-snv", 200,
                 json={"version": 0, "self_assessment": 1, "answer": 91})
    headers = service.headers("clerk-snv")
    # a second worker process: another app on the same database, nothing shared in memory
    with TestClient(create_app(service.settings)) as second:
        clients = [service.client, second]
        barrier = threading.Barrier(2)
        answers: list[Any] = [None, None]

        def save(i: int) -> None:
            barrier.wait()
            answers[i] = clients[i].put(f"/api/v1/campaigns/{CODE}/units/SNV/criteria/2.1", headers=headers,
                                        json={"version": 1, "self_assessment": 2 + i, "answer": 95 + i})

        threads = [threading.Thread(target=save, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200, 409], [a.text for a in answers]
    winner = next(i for i, a in enumerate(answers) if a.status_code == 200)
    assert entry(service, "SNV", "2.1")["entry"] == {"code": "2.1", "self_assessment": 2 + winner,
                                                     "answer": 95 + winner, "answered": True, "version": 2}
    with service.database.reading() as session:
        saves = list(session.scalars(select(AuditEntry).where(AuditEntry.action == "entry.save")))
        assert len(saves) == 2  # the first save and the winner's: the refused one left no trace
        stored = session.scalar(select(Entry.self_points).where(Entry.code == "2.1"))
    assert Decimal(stored or "") == 2 + winner


def test_a_save_that_changes_nothing_waits_for_a_save_in_flight(service: Service) -> None:
    """A save giving the stored value issues no UPDATE: it must still not pass a version that another
    transaction is replacing (the row is read FOR UPDATE), or it would be acknowledged at a version
    the row no longer has. Found by the fault test on PostgreSQL."""
    first_campaign(service)
    advance(service, "self_assessment", who="admin")
    service.call("PUT", f"/campaigns/{CODE}/units/SNV/criteria/2.1", "clerk-snv", 200,
                 json={"version": 0, "self_assessment": 2})
    headers = service.headers("clerk-snv")
    answer: list[Any] = []

    def same_value_at_version_1() -> None:
        answer.append(service.client.put(f"/api/v1/campaigns/{CODE}/units/SNV/criteria/2.1", headers=headers,
                                         json={"version": 1, "self_assessment": 2}))

    with service.database.writing() as session:  # another worker's save, not committed yet
        row = session.scalar(select(Entry).where(Entry.code == "2.1"))
        assert row is not None and row.version == 1
        row.self_points = "0"
        session.flush()
        thread = threading.Thread(target=same_value_at_version_1)
        thread.start()
        time.sleep(1.0)  # the API's save reaches the row while this transaction holds it
    thread.join(timeout=60)
    assert answer[0].status_code == 409, answer[0].text
    assert answer[0].json()["current_version"] == 2
