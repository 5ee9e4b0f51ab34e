"""A unit's rows ↔ the submission format (`docs/submissions.md`), so files and the service are one model.

`unit_submission` writes what the database holds for a unit as the JSON a province's web app
would export; the library reads it (`parrules.submission_from_dict`) and scores it, and the export
writes it as `submissions/<unit>.json`, which `parrules campaign` reads the same way. Values are
kept exact both ways: points as their decimal text, answers and figures as the library's JSON.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from parrules import to_json
from parrules.service.models import Appraisal, Document, Entry, Unit
from parrules.service.roles import EXTRA_ROLES

NA = "na"
_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")


def safe_name(text: str, fallback: str) -> str:
    """`text` when it is a plain file name (letters, digits, `.`, `_`, `-`; no `..`), else `fallback`:
    names the service writes are built from such names only, never from a client's path."""
    return text if _SAFE.match(text) and ".." not in text else fallback


def points_text(value: Decimal | str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        if value != NA:
            raise ValueError(f"points must be a number or 'na', not {value!r}")
        return NA
    return str(value)


def points_value(text: str | None) -> Decimal | str | None:
    if text is None:
        return None
    return NA if text == NA else Decimal(text)


def claimed(self_points: str | None, criterion_role: str) -> Decimal | str | None:
    """What the unit claims on a criterion: its self-assessment; on a bonus or penalty criterion it
    left out, 0 (no bonus claimed, no penalty incurred, as the library scores it)."""
    own = points_value(self_points)
    return Decimal(0) if own is None and criterion_role in EXTRA_ROLES else own


def lowers(new: Decimal | str | None, previous: Decimal | str | None, criterion_role: str = "base") -> bool:
    """Whether points `new` instead of `previous` lower the unit's total: fewer points on a base or
    bonus criterion, more on a penalty criterion (its points are taken off)."""
    if not (isinstance(new, Decimal) and isinstance(previous, Decimal)):
        return False
    return new > previous if criterion_role == "penalty" else new < previous


def deducts(given: Decimal | str | None, own: Decimal | str | None, criterion_role: str = "base") -> bool:
    """Whether an appraisal's points `given` are a deduction from what the unit claimed (`own`, see
    `claimed`): what lowers the total, or N/A where the unit claimed points. Only a deduction needs
    the council's reason and may be explained by the unit."""
    return isinstance(own, Decimal) and (given == NA or lowers(given, own, criterion_role))


def json_text(value: Any) -> str:
    """A JSON value as the library writes it (exact decimals, sorted keys), on one line."""
    return to_json(value, indent=False).decode("utf-8").rstrip("\n")


def json_value(text: str | None) -> Any:
    return None if text is None else json.loads(text, parse_float=Decimal)


def evidence_name(unit: Unit, document: Document) -> str | None:
    """Where a document's file is written beside the unit's submission: named by the unit's file stem
    and the file's hash, never by the name it was uploaded under."""
    if document.sha256 is None:
        return None
    return f"evidence/{unit.file_stem}/{document.sha256[:16]}{document.suffix}"


def unit_rows(session: Session, unit: Unit) -> tuple[list[Entry], list[Appraisal], list[Document]]:
    entries = list(session.scalars(select(Entry).where(Entry.unit_id == unit.id).order_by(Entry.code)))
    appraisals = list(session.scalars(select(Appraisal).where(Appraisal.unit_id == unit.id)
                                      .order_by(Appraisal.code, Appraisal.round)))
    documents = list(session.scalars(select(Document).where(Document.unit_id == unit.id).order_by(Document.position)))
    return entries, appraisals, documents


@dataclass(frozen=True)
class UnitState:
    """A unit's submission document as one transaction read it, and the evidence files it names
    (name beside the submission → sha256 of the blob), to score it after that transaction ends."""

    document: dict[str, Any]
    files: tuple[tuple[str, str], ...]


def unit_state(session: Session, unit: Unit, set_id: str) -> UnitState:
    entries, appraisals, documents = unit_rows(session, unit)
    files = tuple((name, d.sha256 or "") for d in documents if (name := evidence_name(unit, d)) is not None)
    return UnitState(submission_document(unit, set_id, entries, appraisals, documents), files)


def unit_submission(session: Session, unit: Unit, set_id: str) -> dict[str, Any]:
    """The unit's submission in the file format (what `GET …/submission` and the export give)."""
    entries, appraisals, documents = unit_rows(session, unit)
    return submission_document(unit, set_id, entries, appraisals, documents)


def submission_document(unit: Unit, set_id: str, entries: list[Entry], appraisals: list[Appraisal],
                        documents: list[Document]) -> dict[str, Any]:
    self_assessment = {e.code: points_value(e.self_points) for e in entries if e.self_points is not None}
    answers = {e.code: json_value(e.answer) for e in entries if e.answer is not None}
    out: dict[str, Any] = {
        "criteria_set": set_id,
        "unit": {"code": unit.code, "name": unit.name, "kind": unit.kind, "period": unit.period,
                 "cohort": unit.cohort},
        "self_assessment": self_assessment,
        "answers": answers,
        "figures": json_value(unit.figures) or {},
        "documents": [_document(unit, d) for d in documents],
        "appraisals": [_appraisal(a) for a in appraisals],
    }
    return out


def _document(unit: Unit, document: Document) -> dict[str, Any]:
    out: dict[str, Any] = {"number": document.number, "issuer": document.issuer, "title": document.title,
                           "kind": document.kind, "criteria": json_value(document.criteria) or []}
    if document.date is not None:
        out["date"] = document.date.isoformat()
    name = evidence_name(unit, document)
    if name is not None:
        out["file"] = name
    return out


def _appraisal(appraisal: Appraisal) -> dict[str, Any]:
    out: dict[str, Any] = {"code": appraisal.code, "round": appraisal.round,
                           "points": points_value(appraisal.points), "reason": appraisal.reason,
                           "by": appraisal.by, "response": appraisal.response}
    if appraisal.at is not None:
        out["at"] = appraisal.at.isoformat()
    return out


def entry_view(entry: Entry | None, code: str) -> dict[str, Any]:
    """An entry as the API shows it (version 0: nothing saved yet)."""
    if entry is None:
        return {"code": code, "self_assessment": None, "answer": None, "answered": False, "version": 0}
    return {"code": code, "self_assessment": points_value(entry.self_points), "answer": json_value(entry.answer),
            "answered": entry.answer is not None, "version": entry.version}


def appraisal_view(appraisal: Appraisal) -> dict[str, Any]:
    return {"code": appraisal.code, "round": appraisal.round, "points": points_value(appraisal.points),
            "reason": appraisal.reason, "by": appraisal.by,
            "at": appraisal.at.isoformat() if appraisal.at else None, "response": appraisal.response,
            "version": appraisal.version}


def document_view(unit: Unit, document: Document) -> dict[str, Any]:
    return {"id": document.id, "position": document.position, "number": document.number,
            "date": document.date.isoformat() if document.date else None, "issuer": document.issuer,
            "title": document.title, "kind": document.kind, "criteria": json_value(document.criteria) or [],
            "file": {"sha256": document.sha256, "suffix": document.suffix} if document.sha256 else None,
            "version": document.version}
