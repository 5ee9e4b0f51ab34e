"""Files as content-addressed blobs in the database, and their copies on disk for the evidence checks.

A file's name is its sha256, so no client ever chooses a path the service writes to, the same file
uploaded twice is stored once, and a published report can be served byte for byte as long as the
database lives. Evidence checks read files from disk (DuckDB, openpyxl), so a blob is copied under
`Settings.cache_dir` when one is needed: written to a temporary name and renamed, so two workers
copying the same blob at once both end with the whole file.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from parrules import write_atomic
from parrules.service.models import Blob, utcnow
from parrules.service.problems import not_found


def put_blob(session: Session, content: bytes, media_type: str) -> str:
    """Store `content` (once) and return its sha256 hex."""
    digest = hashlib.sha256(content).hexdigest()
    values = {"sha256": digest, "size": len(content), "media_type": media_type, "content": content,
              "created_at": utcnow()}
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
    session.execute(insert(Blob).values(**values).on_conflict_do_nothing(index_elements=["sha256"]))
    return digest


def blob_content(session: Session, digest: str) -> bytes:
    content = session.scalar(select(Blob.content).where(Blob.sha256 == digest))
    if content is None:
        raise not_found("no such file")
    return bytes(content)


def on_disk(session: Session, cache: Path, digest: str, suffix: str = "") -> Path:
    """The blob as a file under `cache`, copied there when it is not yet (checked by its hash)."""
    target = cache / "blobs" / digest[:2] / f"{digest}{suffix}"
    if target.is_file() and hashlib.sha256(target.read_bytes()).hexdigest() == digest:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, blob_content(session, digest))
    return target


EVIDENCE_TYPES = {
    ".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
    ".txt": "text/plain", ".doc": "application/msword", ".xls": "application/vnd.ms-excel",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odt": "application/vnd.oasis.opendocument.text", ".ods": "application/vnd.oasis.opendocument.spreadsheet",
}
"""Evidence files the service keeps: the documents provinces attach (scans, office files, text)."""

DATA_TYPES = {
    ".csv": "text/csv", ".parquet": "application/vnd.apache.parquet",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
"""Campaign data files the evidence checks read (`parrules.records`)."""


def suffix_for(media_type: str, table: dict[str, str]) -> str | None:
    """The suffix the service writes a file of this media type under (None: not accepted)."""
    media_type = media_type.split(";")[0].strip().lower()
    return next((suffix for suffix, known in table.items() if known == media_type), None)
