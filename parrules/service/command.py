"""`parrules serve`: run the service; `--demo` opens the example campaign in an embedded database.

A command module like those of `parrules.cli` (`NAME`, `HELP`, `arguments`, `run`), registered by
`parrules.builtins.commands`. Besides serving, it imports a campaign file into the service
(`--import`), exports one back to files (`--export`) and creates the first administrator
(`--create-admin`); those do their job and exit.

The options become `PARRULES_*` environment variables before the workers start, so every worker
process (`--workers N`) reads the same configuration (`Settings.from_environment`).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from parrules.messages import say

if TYPE_CHECKING:
    from parrules.service.db import Database
    from parrules.service.settings import Settings

NAME = "serve"
HELP = "run the service (API over HTTP, campaigns in a database); --demo opens the example campaign"
MISSING = "parrules serve needs the service's packages: pip install 'parrules[service]'"


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help=say("cli.serve.arg.host"))
    p.add_argument("--port", type=int, default=8000, help=say("cli.serve.arg.port"))
    p.add_argument("--workers", type=int, default=1, help=say("cli.serve.arg.workers"))
    p.add_argument("--data-dir", metavar=say("cli.metavar.folder"), help=say("cli.serve.arg.data_dir"))
    p.add_argument("--database", help=say("cli.serve.arg.database"))
    p.add_argument("--demo", action="store_true", help=say("cli.serve.arg.demo"))
    p.add_argument("--import", dest="imports", action="append", default=[], metavar=say("cli.metavar.campaign") + ".toml",
                   help=say("cli.serve.arg.import"))
    p.add_argument("--phase", default="self_assessment", help=say("cli.serve.arg.phase"))
    p.add_argument("--export", nargs=2, metavar=(say("cli.metavar.campaign"), say("cli.metavar.folder")),
                   help=say("cli.serve.arg.export"))
    p.add_argument("--create-admin", metavar=say("cli.metavar.username"), help=say("cli.serve.arg.create_admin"))


def _settings(args: argparse.Namespace) -> Settings:
    """The options as `PARRULES_*` variables (inherited by the workers), read back as settings."""
    from parrules.service.settings import Settings

    if args.data_dir:
        os.environ["PARRULES_DATA_DIR"] = args.data_dir
    elif args.demo and "PARRULES_DATA_DIR" not in os.environ:
        os.environ["PARRULES_DATA_DIR"] = "parrules-demo"
    if args.database:
        os.environ["PARRULES_DATABASE_URL"] = args.database
    return Settings.from_environment()


def run(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from parrules.service.db import Database, migrate
    except ImportError:
        print(MISSING, file=sys.stderr)
        return 2
    from parrules.service.roles import Phase

    settings = _settings(args)
    database = Database(settings.url)
    migrate(database.engine)
    acted = False
    if args.create_admin:
        _create_admin(database, settings, args.create_admin)
        acted = True
    for path in args.imports:
        from parrules.service.transfer import import_campaign

        with database.writing() as session:
            campaign = import_campaign(session, path, phase=Phase(args.phase))
            print(f"imported {path} as campaign '{campaign.code}' ({campaign.phase})", file=sys.stderr)
        acted = True
    if args.export:
        _export(database, *args.export)
        acted = True
    if acted:
        database.dispose()
        return 0
    if args.demo:
        from parrules.service.demo import prepare

        lines = prepare(database, settings)
        print(f"parrules serve --demo: http://{args.host}:{args.port}/docs (database {settings.url})", file=sys.stderr)
        print("demo accounts (new passwords at every start):", file=sys.stderr)
        for line in lines:
            print(line, file=sys.stderr)
    database.dispose()
    uvicorn.run("parrules.service.app:app_from_environment", factory=True, host=args.host, port=args.port,
                workers=args.workers, proxy_headers=True,
                forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"))
    return 0


def _create_admin(database: Database, settings: Settings, username: str) -> None:
    from sqlalchemy import select

    from parrules.service.auth import hash_password
    from parrules.service.models import Account, utcnow

    password = os.environ.get("PARRULES_ADMIN_PASSWORD") or getpass.getpass(f"password for {username}: ")
    with database.writing() as session:
        account = session.scalar(select(Account).where(Account.username == username))
        if account is None:
            session.add(Account(username=username, display_name=username, administrator=True,
                                password_hash=hash_password(settings, password), created_at=utcnow()))
        else:
            account.password_hash = hash_password(settings, password)
            account.administrator = True
    print(f"site administrator '{username}' is ready", file=sys.stderr)


def _export(database: Database, code: str, folder: str) -> None:
    from parrules.service.problems import ServiceProblem
    from parrules.service.routes.common import find_campaign
    from parrules.service.transfer import campaign_files, write_files

    with database.reading() as session:
        try:
            campaign = find_campaign(session, code)
        except ServiceProblem as exc:
            from parrules import ParrulesError

            raise ParrulesError(exc.detail) from None
        path = write_files(campaign_files(session, campaign), Path(folder))
    print(f"wrote {path} (parrules campaign {path} scores it)", file=sys.stderr)
