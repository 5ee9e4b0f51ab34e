"""Reading a document register (sổ đăng ký văn bản) once for all units of a campaign.

A register is one row per issued document: unit, number and symbol (Số ký hiệu), type (Loại văn bản),
issue date (Ngày ban hành) and subject (Trích yếu). It may be one campaign-wide file or one file per
unit; either way each distinct file is opened once, and only the rows of the wanted document type
reach Python (the type is matched in Python on the few distinct values, so "Kế hoạch" typed in
another Unicode composition or case still matches).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import parrules

from .texts import say

COLUMNS = {
    "unit": "Mã đơn vị",
    "number": "Số ký hiệu",
    "type": "Loại văn bản",
    "issued": "Ngày ban hành",
    "subject": "Trích yếu",
}
label = parrules.records.normalize_label


@dataclass(frozen=True)
class Entry:
    """One register row of the wanted type for one unit."""

    number: str
    subject: str
    issued: date | None
    date_given: bool

    def describe(self) -> str:
        number = self.number or say("documents.entry.unnumbered")
        if self.issued is None:
            return say("documents.entry.unreadable_date", number=number)
        return say("documents.entry.dated", number=number, day=self.issued)


@dataclass
class UnitEntries:
    """A unit's matching entries, with the bad rows found among them (counted, never dropped silently)."""

    entries: list[Entry] = field(default_factory=list)
    issues: dict[str, int] = field(default_factory=dict)
    source: tuple[str, str] = ("", "")

    def dated(self) -> list[Entry]:
        """Entries with a readable date, earliest first; one per document number."""
        seen: set[str] = set()
        out = []
        for entry in sorted((e for e in self.entries if e.issued), key=lambda e: (e.issued, e.number)):
            key = label(entry.number)
            if key and key in seen:
                continue
            seen.add(key)
            out.append(entry)
        return out

    def bad_rows_note(self) -> str:
        if not self.issues:
            return ""
        parts = [say(f"documents.bad_rows.{kind}", n=n) if kind in _BAD_ROWS
                 else say("documents.bad_rows.other", n=n, kind=kind) for kind, n in sorted(self.issues.items())]
        return say("documents.bad_rows.note", rows=", ".join(parts))


_BAD_ROWS = ("missing_date", "invalid_date", "duplicate_number")  # the issues this module counts


def _matches(entry_type: str, wanted: str | None) -> bool:
    return wanted is None or label(entry_type) == label(wanted)


def read(units: Sequence[parrules.UnitEvidence], params: Mapping[str, Any]) -> dict[str, UnitEntries | Exception]:
    """Each unit's register entries of `params["type"]` whose subject contains `subject_contains`."""
    columns = {**COLUMNS, **params.get("columns", {})}
    groups, failed = parrules.records.group_units(units, params.get("data", "register"), columns,
                                                  what="document register")
    out: dict[str, UnitEntries | Exception] = dict(failed)
    needle = label(params["subject_contains"]) if params.get("subject_contains") else ""
    for group in groups:
        try:
            out.update(_read_file(group, params.get("type"), needle))
        except Exception as exc:  # one unreadable file errors its units, not the run
            out.update({unit.code: exc for unit in group.units})
    return out


def _read_file(group: parrules.records.FileGroup, wanted_type: str | None, needle: str) -> dict[str, UnitEntries]:
    codes = parrules.records.UnitCodes(u.code for u in group.units)
    con = parrules.records.connect()
    try:
        rec = parrules.records.open_records(
            con, group.path, group.columns, required=("unit", "number", "type", "issued"), optional=("subject",),
            dates=("issued",), what="document register", key="check_params.columns")
        # A register is small and the 2018 set asks it ten times (one call per document type): it
        # is read whole once per session and each call keeps its type and units in Python.
        every = parrules.records.remembered(rec, "documents.register", lambda: parrules.records.fetch(
            con, f"SELECT unit, number, subject, issued, issued__given, type FROM {rec.view}", rec))
    finally:
        con.close()
    types = {t for *_, t in every if t is not None and _matches(t, wanted_type)}
    raw_units = {row[0] for row in every if row[0] is not None and codes.match(row[0]) is not None}
    rows = [row[:5] for row in every if row[5] in types and row[0] in raw_units]
    result = {u.code: UnitEntries(source=(str(group.path), rec.sha256)) for u in group.units}
    for unit_raw, number, subject, issued, given in rows:
        if needle and needle not in label(subject):
            continue
        bucket = result[codes.match(unit_raw)]
        bucket.entries.append(Entry((number or "").strip(), (subject or "").strip(), issued, bool(given)))
        if issued is None:
            kind = "invalid_date" if given else "missing_date"
            bucket.issues[kind] = bucket.issues.get(kind, 0) + 1
    for bucket in result.values():
        numbers = [label(e.number) for e in bucket.entries if e.issued and e.number]
        repeated = len(numbers) - len(set(numbers))
        if repeated:
            bucket.issues["duplicate_number"] = repeated
    return result


def what(params: Mapping[str, Any], default: str) -> str:
    """How the wanted documents are named in explanations, in the voice of the run: "Kế hoạch có trích
    yếu chứa “kiểm soát TTHC”"; `default` ("plan", "report") names them when the check has no type."""
    text = str(params.get("type") or say(f"documents.default.{default}"))
    if params.get("subject_contains"):
        return say("documents.wanted", type=text, subject=params["subject_contains"])
    return text


def found(params: Mapping[str, Any], default: str, entry: Entry) -> str:
    """The wanted document that was found, named as a reader says it: the number and date right after
    the type, the subject last ("Kế hoạch 07/KH-SNV ngày 05/02/2024 có trích yếu chứa “…”", never the
    number after the subject, where it reads as part of it)."""
    text = str(params.get("type") or say(f"documents.default.{default}"))
    if params.get("subject_contains"):
        return say("documents.found", type=text, entry=entry.describe(), subject=params["subject_contains"])
    return say("documents.found_plain", type=text, entry=entry.describe())
