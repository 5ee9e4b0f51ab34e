"""Fixtures of the service's tests: every test that takes `service` runs on SQLite and on PostgreSQL.

PostgreSQL is Debian's, started for the test session by `processes.throwaway_postgres` (as the
`postgres` user when run as root, on 127.0.0.1 and a free port, stopped at the end; the load
benchmark starts its server the same way). If it cannot start, the PostgreSQL tests fail with the
reason — they are never skipped.

Each test gets a fresh database copied from one migrated once per session (a file copy on SQLite,
`CREATE DATABASE … TEMPLATE` on PostgreSQL), and argon2 with a small memory cost so that logging in
stays cheap (the production profile is tested on its own).
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from parrules import to_json
from parrules.service.app import create_app
from parrules.service.auth import hash_password
from parrules.service.db import Database, migrate
from parrules.service.models import Account, utcnow
from parrules.service.settings import Argon2Profile, Settings
from tests.service.processes import Unavailable, create_database, throwaway_postgres

CHEAP_ARGON2 = Argon2Profile(time_cost=1, memory_cost_kib=64, parallelism=1)
PASSWORD = "correct horse battery"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL server for the session: the URL of its `postgres` database."""
    try:
        with throwaway_postgres() as url:
            yield url
    except Unavailable as exc:
        pytest.fail(f"{exc}: the service's tests run on PostgreSQL too, and are not skipped", pytrace=False)


@pytest.fixture(scope="session")
def postgres_template(postgres_url: str) -> str:
    """A database migrated once, that each test's database is copied from."""
    database = Database(create_database(postgres_url, "parrules_template"))
    migrate(database.engine)
    database.dispose()
    return "parrules_template"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "parrules.db"
    database = Database(f"sqlite:///{path}")
    migrate(database.engine)
    database.dispose()
    return path


_numbers = itertools.count(1)


def database_url(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, migrated database of `kind` for one test."""
    if kind == "sqlite":
        target = tmp_path / "data" / "parrules.db"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(request.getfixturevalue("sqlite_template"), target)
        return f"sqlite:///{target}"
    server = request.getfixturevalue("postgres_url")
    template = request.getfixturevalue("postgres_template")
    return create_database(server, f"parrules_test_{os.getpid()}_{next(_numbers)}", template)


@dataclass
class Service:
    """A running app (as a worker), its settings, and logged-in clients by username."""

    kind: str
    settings: Settings
    client: TestClient
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def database(self) -> Database:
        return self.client.app.state.database  # type: ignore[attr-defined]

    def account(self, username: str, *, administrator: bool = False, password: str = PASSWORD) -> None:
        with self.database.writing() as session:
            if session.scalar(select(Account.id).where(Account.username == username)) is None:
                session.add(Account(username=username, display_name=f"{username} (test)", administrator=administrator,
                                    password_hash=hash_password(self.settings, password), created_at=utcnow()))

    def login(self, username: str, password: str = PASSWORD) -> str:
        response = self.client.post("/api/v1/auth/login", json={"username": username, "password": password})
        assert response.status_code == 200, response.text
        self.tokens[username] = response.json()["token"]
        return self.tokens[username]

    def headers(self, username: str) -> dict[str, str]:
        if username not in self.tokens:
            self.login(username)
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    def call(self, method: str, path: str, username: str, expect: int | None = None, **kwargs: Any) -> Any:
        headers = {**self.headers(username), **kwargs.pop("headers", {})}
        if "json" in kwargs:  # sent as the library writes JSON: Decimals as exact numbers
            kwargs["content"] = to_json(kwargs.pop("json"), indent=False)
            headers.setdefault("Content-Type", "application/json")
        response = self.client.request(method, "/api/v1" + path, headers=headers, **kwargs)
        if expect is not None:
            assert response.status_code == expect, f"{method} {path} as {username}: {response.status_code} {response.text}"
        return response


def make_settings(url: str, data_dir: Path, **changes: Any) -> Settings:
    return Settings(data_dir=data_dir, database_url=url, argon2=CHEAP_ARGON2, **changes)


@pytest.fixture(params=["sqlite", "postgresql"])
def service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Service]:
    """The service on a fresh database, with a site administrator `admin`."""
    url = database_url(request.param, request, tmp_path)
    settings = make_settings(url, tmp_path / "data")
    with TestClient(create_app(settings)) as client:
        svc = Service(request.param, settings, client)
        svc.account("admin", administrator=True)
        yield svc
