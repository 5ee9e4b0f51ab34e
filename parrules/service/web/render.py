"""Pages from Jinja2 templates, autoescaped, speaking the reader's language from the message catalogue.

Every word on a page comes from `parrules/messages/catalogues/web.toml` (and the library's shared
words: statuses, flags), through `t(key, **values)` — the catalogue's `say` — so a page exists in
Vietnamese and English like every report. Figures are formatted by the catalogue's number rules in
the set's decimals and rounding mode (83,55 in Vietnamese); a missing figure is a dash, never 0.
Everything a user typed reaches a page only through autoescaping (`StrictUndefined` makes a
misspelt variable an error instead of a blank).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse

from parrules.messages import CORE, current_voice, speaking
from parrules.messages.numbers import format_date, format_number
from parrules.reports.views import stage_label
from parrules.service.routes.common import settings_of
from parrules.service.web.session import CSRF_FIELD, csrf_for, language, session_token

TEMPLATES = Path(__file__).with_name("templates")
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
"""Scripts and styles only from our own static files (no inline script can run, even if escaping
failed somewhere), no framing."""


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def points(value: Any) -> str:
    """Points in the voice: the set's decimals and rounding mode; "na" is said, None is a dash."""
    if value == "na":
        return CORE.say("status.not_applicable")
    voice = current_voice()
    return format_number(_decimal(value), voice.decimals, voice.language, voice.mode)


def percent(value: Any) -> str:
    voice = current_voice()
    return format_number(_decimal(value), voice.percent_decimals, voice.language, voice.mode)


def exact(value: Any) -> str:
    """A figure as exact as it was typed, in the reader's style (98,7)."""
    return format_number(_decimal(value), None, current_voice().language)


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals["t"] = CORE.say
    env.globals["stage"] = stage_label
    env.filters.update(points=points, percent=percent, exact=exact)
    return env


ENV = _environment()


def moment_text(request: Request, value: str | dt.datetime | None) -> str:
    """A deadline as a reader of this service's time zone reads it: 17:00 10/01/2025."""
    if value is None:
        return "—"
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    local = moment.astimezone(ZoneInfo(settings_of(request).timezone))
    return f"{local:%H:%M} {format_date(local.date(), current_voice().language)}"


def local_input(request: Request, value: str | None) -> str:
    """A moment as a datetime-local input shows it, in the service's time zone."""
    if not value:
        return ""
    return dt.datetime.fromisoformat(value).astimezone(ZoneInfo(settings_of(request).timezone)).strftime("%Y-%m-%dT%H:%M")


def page(request: Request, template: str, status: int = 200, *, rounding: Any = None,
         headers: dict[str, str] | None = None, **context: Any) -> HTMLResponse:
    """The template rendered in the reader's language (and the set's decimals when given)."""
    lang = language(request)
    options = {}
    if rounding is not None:
        options = {"decimals": rounding.decimals, "percent_decimals": rounding.percent_decimals, "mode": rounding.mode}
    token = session_token(request)
    with speaking(lang, **options):
        body = ENV.get_template(template).render(
            request=request, lang=lang, csrf=csrf_for(token) if token else "", csrf_field=CSRF_FIELD,
            moment=lambda v: moment_text(request, v), local_input=lambda v: local_input(request, v),
            date_text=lambda d: format_date(d, lang) if d else "—",
            **context)
    response = HTMLResponse(body, status_code=status, headers={**SECURITY_HEADERS, **(headers or {})})
    if request.query_params.get("lang") in ("vi", "en"):
        response.set_cookie("parrules_lang", lang, max_age=365 * 86400, samesite="lax", path="/")
    return response
