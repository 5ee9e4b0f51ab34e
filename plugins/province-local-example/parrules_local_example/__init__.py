"""A province-local parrules plugin: the share of dossiers digitised at reception.

Provinces score "số hóa hồ sơ khi tiếp nhận" (Decree 45/2020) in their own sets, and the ministry's
standard plugins do not read it. This package shows the whole path a province takes: one check over
the dossier export, registered through the `register_checks` hook, installed as its own distribution
and found by entry point. It imports only the public API of parrules.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from parrules import Measurement, UnitEvidence, hookimpl, records

_YES = {"có", "co", "x", "yes", "true", "1", "đã số hóa"}
_NO = {"không", "khong", "no", "false", "0", "chưa số hóa", ""}


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip().lower()


def _read(path: Path, unit_column: str, column: str) -> tuple[dict[str, list[str]], str]:
    """Rows grouped by unit code; one pass over the file, shared by every unit."""
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig")
    reader = csv.DictReader(text.splitlines())
    headers = {unicodedata.normalize("NFC", h): h for h in reader.fieldnames or []}
    missing = [c for c in (unit_column, column) if unicodedata.normalize("NFC", c) not in headers]
    if missing:
        raise ValueError(f"{path.name} has no column {', '.join(repr(m) for m in missing)}; "
                         f"columns are {', '.join(headers)}")
    unit_key = headers[unicodedata.normalize("NFC", unit_column)]
    value_key = headers[unicodedata.normalize("NFC", column)]
    rows: dict[str, list[str]] = {}
    for row in reader:
        rows.setdefault((row.get(unit_key) or "").strip(), []).append(row.get(value_key) or "")
    return rows, records.sha256_digest(raw)


def digitised_at_reception(units: Sequence[UnitEvidence], params: Mapping[str, Any]) -> dict[str, Any]:
    data = params.get("data", "dossiers")
    column = params.get("column", "Số hóa khi tiếp nhận")
    unit_column = params.get("unit_column", "Mã đơn vị")
    cache: dict[Path, tuple[dict[str, list[str]], str] | Exception] = {}
    out: dict[str, Any] = {}
    for unit in units:
        path = unit.data.get(data)
        if path is None:
            out[unit.code] = ValueError(f"no data file named '{data}' (pass --data {data}=PATH)")
            continue
        if path not in cache:
            try:
                cache[path] = _read(path, unit_column, column)
            except (OSError, UnicodeDecodeError, ValueError) as exc:
                cache[path] = exc
        found = cache[path]
        if isinstance(found, Exception):
            out[unit.code] = found
            continue
        rows, digest = found
        values = [_norm(v) for v in rows.get(unit.code, [])]
        yes = sum(1 for v in values if v in _YES)
        no = sum(1 for v in values if v in _NO)
        bad = len(values) - yes - no
        counted = yes + no
        share = None if counted == 0 else Decimal(yes) * 100 / Decimal(counted)
        if share is None:
            explanation = f"no dossiers of {unit.code} in {path.name}"
        else:
            explanation = f"{yes} of {counted} dossiers digitised at reception → {share.quantize(Decimal('0.01'))} %"
        if bad:
            explanation += f" ({bad} rows with an unreadable '{column}' value not counted)"
        out[unit.code] = Measurement(
            {"digitised_share": share, "dossier_count": counted, "digitised_count": yes, "bad_rows": bad},
            {"digitised_share": explanation, "digitised_count": explanation},
            sources={str(path): digest},
            issues={"bad_value": bad} if bad else {},
        )
    return out


@hookimpl
def register_checks(register: Callable[..., Any]) -> None:
    register(
        "local.digitised_at_reception",
        digitised_at_reception,
        description="Share of dossiers digitised at reception (số hóa khi tiếp nhận), from the dossier export",
        metrics={
            "digitised_share": "% of the unit's dossiers digitised at reception (None when it has none)",
            "dossier_count": "dossiers of the unit with a readable yes/no value",
            "digitised_count": "dossiers digitised at reception",
            "bad_rows": "rows whose value is neither yes nor no (not counted)",
        },
        params_schema={
            "type": "object",
            "properties": {"data": {"type": "string"}, "column": {"type": "string"},
                           "unit_column": {"type": "string"}},
            "additionalProperties": False,
        },
    )
