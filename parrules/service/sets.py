"""Criteria sets kept by the service: validated when uploaded, stored as their exact TOML, loaded
through the library (`parrules.criteria_set_from_text`) and kept loaded per worker by content hash.

A loaded `CriteriaSet` is immutable and named by the sha256 of its text, so the per-worker cache
holds no state: any worker loads the same set from the same row. A set that `extends` another file
is refused on upload: the library would resolve the base path on the server's disk, which is a path
the client would choose. Upload the resolved set instead (`parrules show SET --resolved`).
"""

from __future__ import annotations

import hashlib
import sys
import threading
from collections import OrderedDict
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from parrules import CriteriaSet, Problem, ProblemsError, criteria_set_from_text
from parrules.service.measurements import caching_registry
from parrules.service.models import CriteriaSetRecord, utcnow
from parrules.service.problems import ServiceProblem, not_found

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

SET_FILE = "criteria-set.toml"

_LOADED: OrderedDict[str, CriteriaSet] = OrderedDict()
_LOCK = threading.Lock()
_KEPT = 16


def decode_set(raw: bytes, name: str = SET_FILE) -> str:
    """The text of an uploaded set, or a problem naming the file."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProblemsError([Problem(name, "", f"not UTF-8 text (byte {exc.start})", hint="save the file as UTF-8")]) \
            from None


def load_text(text: str, name: str = SET_FILE) -> CriteriaSet:
    """Validate and load a set's text with the library; `ProblemsError` lists every problem (with
    `name` as the file, and the key path and line of each)."""
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except (tomllib.TOMLDecodeError, RecursionError, ValueError):
        data = {}  # the library says what is wrong, with the line
    if isinstance(data, dict) and "extends" in data:
        raise ProblemsError([Problem(name, "extends", "a set uploaded to the service cannot extend another file",
                                     hint="upload the resolved set: parrules show SET --resolved",
                                     code="extends_refused")])
    return criteria_set_from_text(text, caching_registry(), name=name)


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def store_set(session: Session, text: str, account_id: int | None) -> tuple[CriteriaSetRecord, bool]:
    """Validate and keep a set (once per content); returns the row and whether it is new."""
    criteria = load_text(text)
    digest = text_digest(text)
    found = session.scalar(select(CriteriaSetRecord).where(CriteriaSetRecord.sha256 == digest))
    if found is not None:
        return found, False
    record = CriteriaSetRecord(sha256=digest, set_id=criteria.id, name=criteria.meta.name, toml=text,
                               uploaded_by=account_id, uploaded_at=utcnow())
    session.add(record)
    session.flush()
    _keep(digest, criteria)
    return record, True


def find_set(session: Session, reference: str) -> CriteriaSetRecord:
    """A stored set by its sha256 (hex, with or without the `sha256:` prefix)."""
    digest = reference.removeprefix("sha256:").lower()
    record = session.scalar(select(CriteriaSetRecord).where(CriteriaSetRecord.sha256 == digest))
    if record is None:
        raise not_found(f"no criteria set with sha256 {digest[:16]}…")
    return record


def loaded(record: CriteriaSetRecord) -> CriteriaSet:
    """The stored set, loaded (once per worker)."""
    with _LOCK:
        found = _LOADED.get(record.sha256)
        if found is not None:
            _LOADED.move_to_end(record.sha256)
            return found
    try:
        criteria = load_text(record.toml)
    except ProblemsError as exc:  # valid when stored; a plugin it needs may since have been removed
        raise ServiceProblem(500, "internal", "a stored criteria set no longer loads: "
                             + "; ".join(str(p) for p in exc.problems[:3])) from None
    _keep(record.sha256, criteria)
    return criteria


def _keep(digest: str, criteria: CriteriaSet) -> None:
    with _LOCK:
        _LOADED[digest] = criteria
        while len(_LOADED) > _KEPT:
            _LOADED.popitem(last=False)


def set_summary(record: CriteriaSetRecord) -> dict[str, object]:
    criteria = loaded(record)
    return {"sha256": record.sha256, "id": record.set_id, "name": record.name,
            "total_points": criteria.meta.total_points, "criteria": len(criteria.nodes),
            "leaves": len(criteria.leaves), "uploaded_at": record.uploaded_at.isoformat()}
