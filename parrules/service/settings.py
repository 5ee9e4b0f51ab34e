"""The service's configuration: where the database and the file cache are, and the security limits.

Read from `PARRULES_*` environment variables so that every worker process of one deployment
(`uvicorn --workers N`, or several machines behind a reverse proxy) is configured alike without
sharing memory; `parrules serve` sets them from its options before it starts the workers.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

DEFAULT_DATA_DIR = "parrules-data"


@dataclass(frozen=True)
class Argon2Profile:
    """argon2id parameters. The default is RFC 9106's second recommended option (64 MiB, 3 passes),
    memory-hard so a stolen table of hashes costs an attacker memory per guess, not just time."""

    time_cost: int = 3
    memory_cost_kib: int = 65536
    parallelism: int = 4


@dataclass(frozen=True)
class Settings:
    """Everything a worker needs to know; nothing here is state, so workers can be many."""

    data_dir: Path = Path(DEFAULT_DATA_DIR)
    database_url: str = ""
    session_hours: float = 8.0
    api_token_days: float = 90.0
    login_window_minutes: float = 15.0
    login_failures_per_account: int = 5
    login_failures_per_address: int = 30
    argon2: Argon2Profile = field(default_factory=Argon2Profile)
    max_set_bytes: int = 2 * 1024 * 1024
    max_body_bytes: int = 64 * 1024 * 1024  # a dossier export of a province's year, at most
    max_evidence_bytes: int = 20 * 1024 * 1024
    timezone: str = "Asia/Ho_Chi_Minh"

    @property
    def url(self) -> str:
        """The database URL: the configured one, else SQLite embedded in the data folder."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'parrules.db').resolve()}"

    @property
    def cache_dir(self) -> Path:
        """Files derived from the database (campaign folders for evidence checks); any worker can
        rebuild them, so deleting this folder loses nothing."""
        return self.data_dir / "cache"

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from `PARRULES_DATA_DIR`, `PARRULES_DATABASE_URL`, `PARRULES_SESSION_HOURS`,
        `PARRULES_API_TOKEN_DAYS`, `PARRULES_TIMEZONE` (the rest keep their defaults)."""
        env = os.environ if environ is None else environ
        settings = cls(data_dir=Path(env.get("PARRULES_DATA_DIR", DEFAULT_DATA_DIR)),
                       database_url=env.get("PARRULES_DATABASE_URL", ""))
        changes: dict[str, object] = {}
        if "PARRULES_SESSION_HOURS" in env:
            changes["session_hours"] = float(env["PARRULES_SESSION_HOURS"])
        if "PARRULES_API_TOKEN_DAYS" in env:
            changes["api_token_days"] = float(env["PARRULES_API_TOKEN_DAYS"])
        if "PARRULES_TIMEZONE" in env:
            changes["timezone"] = env["PARRULES_TIMEZONE"]
        return replace(settings, **changes) if changes else settings  # type: ignore[arg-type]
