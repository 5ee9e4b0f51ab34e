"""Built-in evidence checks over what every submission carries: its evidence documents.

"A plan counts only if issued by its deadline" is the commonest evidence rule in provincial forms
(Đắk Mil lost points for issuing its TTHC control plan late). Checks over record exports (dossiers,
service catalogues, registers, survey forms) live in the standard plugins under `plugins/`; the
`documents.plan` check of parrules-documents asks the same question of the province's document
register, so the verdict both give (`parrules.records.DeadlineVerdict`, with `deadline_param`) lives
in the public API, where a plugin may use it. The words of the verdict are written here, in the
voice of the run, from the catalogue (`checks.toml`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from parrules.files.reading import nfc
from parrules.messages import say
from parrules.plugins.contracts import Document, Measurement, UnitEvidence
from parrules.plugins.hookspecs import hookimpl
from parrules.records import DeadlineVerdict, deadline_param


def _matches(doc: Document, params: Mapping[str, Any]) -> bool:
    kind = params.get("kind")
    if kind and nfc(doc.kind).lower() != nfc(str(kind)).lower():
        return False
    needle = params.get("title_contains")
    if needle and nfc(str(needle)).lower() not in nfc(doc.title).lower():
        return False
    criterion = params.get("criterion")
    return not (criterion and nfc(str(criterion)) not in doc.criteria)


def _describe(doc: Document) -> str:
    name = doc.number or doc.title or say("check.document.unnamed")
    return say("check.document.dated", document=name, day=doc.date) if doc.date \
        else say("check.document.undated", document=name)


def issued_by_deadline(units: Sequence[UnitEvidence], params: Mapping[str, Any]) -> dict[str, Measurement]:
    deadline = deadline_param(params)
    out: dict[str, Measurement] = {}
    none_attached = say("check.deadline.none_attached")
    for unit in units:
        docs = sorted((d for d in unit.documents if _matches(d, params)),
                      key=lambda d: d.date or date.max)
        if not docs:
            out[unit.code] = Measurement(
                {"issued": False, "on_time": False, "days_late": None, "count": 0},
                {"issued": none_attached, "on_time": none_attached},
            )
            continue
        first = docs[0]
        verdict = DeadlineVerdict(first.date, deadline)
        described = _describe(first)
        trail = verdict.explain(described)
        out[unit.code] = Measurement(
            {**verdict.metrics(), "count": len(docs)},
            {"issued": described, "on_time": trail, "days_late": trail},
        )
    return out


@hookimpl
def register_checks(register: Callable[..., Any]) -> None:
    register(
        "document.deadline",
        issued_by_deadline,
        description="An evidence document (by kind, title or criterion) was issued on or before a deadline",
        metrics={
            "on_time": "yes if the earliest matching document is dated on or before the deadline",
            "issued": "yes if any matching document is attached",
            "days_late": "days between the deadline and the earliest matching document",
            "count": "number of matching documents",
        },
        params_schema={
            "type": "object",
            "properties": {"deadline": {}, "kind": {"type": "string"}, "title_contains": {"type": "string"},
                           "criterion": {"type": "string"}},
            "required": ["deadline"],
            "additionalProperties": False,
        },
    )
