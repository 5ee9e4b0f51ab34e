"""The FastAPI application: `create_app(settings)` builds it; each worker process calls it once.

A worker holds only its database engine and a cache of loaded criteria sets (immutable, keyed by
content): every piece of state — accounts, tokens, login attempts, campaigns, versions, the audit
trail, files — is in the database, so any number of workers behind a reverse proxy serve the same
service. The schema is migrated when the app starts (`db.migrate`, under a lock).

Why FastAPI (docs/service.md): it writes the OpenAPI 3.1 document from the code (`/openapi.json`),
from which PHP, .NET and Java clients are generated; its request models are pydantic, which the
library already uses; and it serves synchronous code (the engine, SQLAlchemy) from a thread pool.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from parrules import __version__
from parrules.service import library, problems
from parrules.service.db import Database, migrate
from parrules.service.routes import accounts, auth, campaigns, criteria_sets, history, imports, units
from parrules.service.settings import Settings
from parrules.service.web import mount as mount_web

DESCRIPTION = """The PAR Index workflow over the parrules library: criteria sets, stateless scoring,
and campaigns with state (phases and deadlines, units' self-assessments, appraisal rounds,
explanations, publication), every change audited.

Authenticate with `POST /api/v1/auth/login`, then send `Authorization: Bearer <token>`.
Errors are RFC 9457 problem documents (`application/problem+json`). Figures are exact decimals:
send JSON numbers (read digit for digit) or decimal strings."""


def create_app(settings: Settings | None = None) -> FastAPI:
    """The service for `settings` (default: from the environment, `Settings.from_environment`)."""
    settings = settings or Settings.from_environment()
    database = Database(settings.url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        migrate(database.engine)
        library.read_messages()  # before any request: see library.read_messages
        yield
        database.dispose()

    app = FastAPI(title="parrules service", version=__version__, description=DESCRIPTION, lifespan=lifespan)
    app.state.settings = settings
    app.state.database = database
    problems.install(app)
    for module in (auth, accounts, criteria_sets, imports, campaigns, history, units):
        app.include_router(module.api)
    mount_web(app)  # the web pages (parrules/service/web/, docs/web.md)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            components = schema.setdefault("components", {})
            components.setdefault("schemas", {})["Problem"] = problems.PROBLEM_SCHEMA
            components["schemas"].update(_hoisted(library.results_schema(), "Results"))
            components["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
            schema["security"] = [{"bearer": []}]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def _hoisted(schema: dict[str, Any], name: str) -> dict[str, Any]:
    """A JSON Schema with `$defs` as OpenAPI components: `name` and `name_<def>`, references rewritten,
    so a client generator finds every type under #/components/schemas."""
    definitions = schema.pop("$defs", {})
    schema.pop("$schema", None)
    schema.pop("$id", None)

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: (f"#/components/schemas/{name}_{v.rsplit('/', 1)[1]}"
                        if k == "$ref" and isinstance(v, str) and v.startswith("#/$defs/") else rewrite(v))
                    for k, v in node.items()}
        if isinstance(node, list):
            return [rewrite(v) for v in node]
        return node

    out = {name: rewrite(schema)}
    out.update({f"{name}_{key}": rewrite(value) for key, value in definitions.items()})
    return out


def app_from_environment() -> FastAPI:
    """For `uvicorn --factory parrules.service.app:app_from_environment` (several workers)."""
    return create_app(Settings.from_environment())
