"""The self-assessment form, generated from the criteria set: which input fits each leaf's rule, and
what the clerk typed turned into the value the API takes.

The input follows the rule kind's `input_schema` and parameters, so a plugin's rule kind gets a
sensible input too: yes / no (/ not applicable) for a boolean, the options of a `choice`, a figure
with its unit for `bands` and `proportional`, a count for a `deduction` per occurrence (one count
per severity otherwise), none for `manual` (only an appraiser scores it) and a read-only note for
answers that come from a data import (a survey's distribution). Figures are read exactly as typed,
in either style (98,7 or 98.7): they go to the API as `Decimal`, never through a float.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from parrules import CriteriaSet
from parrules.service.problems import ServiceProblem

NA = "na"


@dataclass(frozen=True)
class Field:
    """How one leaf is answered on the page."""

    kind: str  # yes_no, choice, figure, count, severities, none, imported
    unit: str = ""
    options: tuple[str, ...] = ()


def field_for(criteria: CriteriaSet, code: str) -> Field:
    node = criteria.nodes[code]
    rule = node.rule
    if rule is None or not rule.needs_input:
        return Field("none")
    params = node.params
    if rule.name == "yes_no":
        return Field("yes_no")
    if rule.name == "choice":
        return Field("choice", options=tuple(params.get("options", {})))
    if rule.name == "deduction":
        if "severities" in params:
            return Field("severities", options=tuple(params["severities"]))
        return Field("count")
    if rule.name in ("bands", "proportional"):
        unit = str(params.get("unit", " %")).strip() if rule.name == "bands" else "%"
        return Field("figure", unit=unit)
    types = (rule.input_schema or {}).get("type", [])
    types = [types] if isinstance(types, str) else list(types)
    if "boolean" in types:
        return Field("yes_no")
    if "number" in types:
        return Field("figure")
    if "string" in types:
        return Field("text")
    return Field("imported")


def figure(text: str, what: str) -> Decimal:
    """A figure as a person types it: 98,7 or 98.7 (a comma is the decimal mark; dots and spaces
    before it group thousands)."""
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "")
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ServiceProblem(422, "invalid", f"{what}: '{text}' is not a number", web_key="web.error.not_number",
                             value=text) from None
    if not value.is_finite():
        raise ServiceProblem(422, "invalid", f"{what}: '{text}' is not a number", web_key="web.error.not_number",
                             value=text)
    return value


def self_points(text: str | None) -> Decimal | str | None:
    """The self-assessed points typed (None: cleared; "na": not applicable)."""
    if text is None or not str(text).strip():
        return None
    if str(text).strip().lower() == NA:
        return NA
    return figure(str(text), "self-assessment")


def answer(field: Field, raw: Any) -> Any:
    """The answer the API takes for what was typed (None: cleared)."""
    if field.kind == "severities":
        counts = {}
        for name, text in dict(raw or {}).items():
            if name not in field.options:
                raise ServiceProblem(422, "invalid", f"unknown severity '{name}'")
            if str(text).strip():
                counts[name] = _count(str(text))
        return counts or None
    text = "" if raw is None else str(raw).strip()
    if not text:
        return None
    if field.kind == "yes_no":
        if text not in ("yes", "no"):
            raise ServiceProblem(422, "invalid", f"'{text}' is neither yes nor no")
        return text == "yes"
    if field.kind == "choice":
        if text not in field.options:
            raise ServiceProblem(422, "invalid", f"'{text}' is not one of the options")
        return text
    if field.kind == "count":
        return _count(text)
    if field.kind == "figure":
        return figure(text, "answer")
    if field.kind == "text":
        return text
    raise ServiceProblem(422, "invalid", "this criterion's answer comes from a data import, not from the form")


def _count(text: str) -> Decimal:
    value = figure(text, "count")
    if value < 0 or value != value.to_integral_value():
        raise ServiceProblem(422, "invalid", f"'{text}' is not a whole number of occurrences",
                             web_key="web.error.not_count", value=text)
    return value


def shown_answer(field: Field, value: Any) -> Any:
    """The stored answer as the form shows it (the inverse of `answer`)."""
    if value is None:
        return {} if field.kind == "severities" else ""
    if field.kind == "yes_no":
        return "yes" if value is True else "no" if value is False else str(value)
    if field.kind == "severities":
        return dict(value) if isinstance(value, dict) else {}
    return value
