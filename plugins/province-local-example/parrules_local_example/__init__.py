"""A province-local parrules plugin: the share of dossiers digitised at reception.

Provinces score "số hóa hồ sơ khi tiếp nhận" (Decree 45/2020) in their own sets, and the ministry's
standard plugins do not read it. This package shows the whole path a province takes: one check over
the dossier export, registered through the `register_checks` hook, installed as its own distribution
and found by entry point. It imports only the public API of parrules, and writes its explanations
from its own catalogue, `messages.toml` (Vietnamese and English), in the voice of the run.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from parrules import Catalogue, Measurement, UnitEvidence, hookimpl, records, rounded_percent

MESSAGES = Catalogue.load(Path(__file__).with_name("messages.toml"))
say = MESSAGES.say
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
        raise ValueError(say("local.no_column", file=path.name, missing=", ".join(repr(m) for m in missing),
                             columns=", ".join(headers)))
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
            out[unit.code] = ValueError(say("local.no_data", data=data))
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
        note = say("local.unreadable", rows=bad, column=column) if bad else ""
        if share is None:
            explanation = say("local.no_dossiers", unit=unit.code, file=path.name, note=note)
        else:  # the rate last, rounded as the set declares: the rule that scores it goes on from it
            explanation = say("local.digitised", digitised=yes, counted=counted, note=note,
                              share=rounded_percent(share))
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
