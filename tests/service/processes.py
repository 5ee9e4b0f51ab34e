"""Real processes for the service's tests and its load benchmark: a throw-away PostgreSQL server and
uvicorn serving the app, each started here and stopped by whoever started it.

PostgreSQL is Debian's (`/usr/lib/postgresql/*/bin`): `initdb` refuses to run as root, so as root
(CI) the server is initialised and run as the `postgres` user (`runuser`), in a temporary folder
that user owns, listening on 127.0.0.1 on a free port; `throwaway_postgres` stops it and removes
its folder when the block ends. It raises `Unavailable` with the reason when it cannot start: the
tests turn that into a failure (never a skip), the benchmark into a message.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx2 as httpx


class Unavailable(RuntimeError):
    """A server could not be started; the message says why."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def postgres_binary(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or ([shutil.which(name)] if shutil.which(name) else [])
    if not found or not found[-1]:
        raise Unavailable(f"PostgreSQL's {name} was not found (apt-get install postgresql)")
    return str(found[-1])


@contextlib.contextmanager
def throwaway_postgres(*, max_connections: int = 60, durable: bool = False) -> Iterator[str]:
    """A PostgreSQL server for the block: the URL of its `postgres` database. `durable=False` (tests)
    turns fsync off; the benchmark and the fault test keep PostgreSQL's defaults, so a commit
    is on disk when it is acknowledged."""
    initdb, pg_ctl = postgres_binary("initdb"), postgres_binary("pg_ctl")
    base = Path(tempfile.mkdtemp(prefix="parrules-pg-"))
    as_postgres: list[str] = []
    if os.geteuid() == 0:
        as_postgres = ["runuser", "-u", "postgres", "--"]
        shutil.chown(base, "postgres", "postgres")
    data, log = base / "data", base / "server.log"
    port = free_port()

    def run(*command: str) -> None:
        done = subprocess.run([*as_postgres, *command], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            extra = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise Unavailable(f"PostgreSQL could not start ({' '.join(command[:2])}): {done.stderr.strip()} {extra}")

    try:
        run(initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync")
        options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c max_connections={max_connections}"
        if not durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        run(pg_ctl, "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "60", "start")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run([*as_postgres, pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"],
                           capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)


def create_database(server_url: str, name: str, template: str | None = None) -> str:
    """A new database on the server (copied from `template` when given); its URL."""
    from sqlalchemy import create_engine, text

    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    admin.dispose()
    return server_url.rsplit("/", 1)[0] + "/" + name


class Server:
    """uvicorn serving the app from the environment (`PARRULES_*`), in its own process group."""

    def __init__(self, url: str, data_dir: Path, *, workers: int = 1, port: int | None = None,
                 environment: Mapping[str, str] | None = None) -> None:
        self.url, self.data_dir, self.workers = url, data_dir, workers
        self.port = port or free_port()
        self.environment = dict(environment or {})
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"

    @property
    def log(self) -> Path:
        return self.data_dir / "server.log"

    def errors(self) -> str:
        """What the server wrote to its standard error so far."""
        return self.log.read_text("utf-8", errors="replace") if self.log.exists() else ""

    def start(self, timeout: float = 60) -> Server:
        env = {**os.environ, **self.environment, "PARRULES_DATABASE_URL": self.url,
               "PARRULES_DATA_DIR": str(self.data_dir)}
        command = [sys.executable, "-m", "uvicorn", "--factory", "parrules.service.app:app_from_environment",
                   "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning", "--no-access-log"]
        if self.workers > 1:
            command += ["--workers", str(self.workers)]
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:  # a file, not a pipe nobody reads: a long run never blocks on it
            self.process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log,
                                            start_new_session=True)
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{self.base}/auth/me", timeout=2).status_code == 401:
                    return self
            except httpx.TransportError:
                pass
            if self.process.poll() is not None:
                raise Unavailable(f"the server exited with {self.process.returncode}: {self.errors()[-2000:]}")
            if time.monotonic() > deadline:
                self.stop()
                raise Unavailable("the server did not start")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL to the whole process group: no shutdown handler, no flush, nothing finishes."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
