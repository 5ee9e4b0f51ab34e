"""The web interface of `parrules serve`: pages for clerks, appraisers, the chair and the public.

Server-rendered (Jinja2 templates, no build step), in Vietnamese and English from the message
catalogue, over the API's own route functions so every page obeys `roles.RULES` exactly as the API
does. `mount(app)` adds the pages and their static files to the service (docs/web.md).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from parrules.service.web import assessment, council, pages, results

STATIC = Path(__file__).with_name("static")


def mount(app: FastAPI) -> None:
    """Serve the pages at `/`, `/login`, `/home`, `/c/…`, `/results/…` and their files at `/static/web/`."""
    for module in (pages, assessment, council, results):
        app.include_router(module.web)
    app.mount("/static/web", StaticFiles(directory=str(STATIC)), name="web-static")
