"""Reading survey answer forms once for all units of a campaign.

One row per answer: unit (Mã đơn vị), form id (Mã phiếu), question (Câu hỏi), answer (Trả lời); CSV,
XLSX or Parquet, one campaign-wide file or one per unit. A sociological survey has a few thousand
forms per unit, so DuckDB counts answers per unit, question and label, and only those counts reach
Python, where labels are compared NFC-normalised and case-folded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import parrules

from .texts import say

COLUMNS = {"unit": "Mã đơn vị", "form": "Mã phiếu", "question": "Câu hỏi", "answer": "Trả lời"}
label = parrules.records.normalize_label

#: Rows reach Python as (unit code as in the submission, form, question, answer, copies of that row).
Row = tuple[str, str, str, str, int]


def by_file(units: Sequence[parrules.UnitEvidence], params: Mapping[str, Any],
            read: Callable[[parrules.records.FileGroup], dict[str, Any]]) -> dict[str, Any]:
    """Call `read` once per distinct survey file; a unit without one, or whose file fails, gets an error."""
    columns = {**COLUMNS, **params.get("columns", {})}
    groups, failed = parrules.records.group_units(units, params.get("data", "survey"), columns, what="survey file")
    out: dict[str, Any] = dict(failed)
    for group in groups:
        try:
            out.update(read(group))
        except Exception as exc:  # one unreadable file errors its units, not the run
            out.update({unit.code: exc for unit in group.units})
    return out


def answers(group: parrules.records.FileGroup, questions: Sequence[str] | None) -> tuple[dict[str, list[Row]], str]:
    """Distinct (form, question, answer) rows per unit with their copy counts; and the file's hash.

    `questions` limits the rows to those questions (compared as labels); None keeps every question.
    """
    codes = parrules.records.UnitCodes(u.code for u in group.units)
    con = parrules.records.connect()
    try:
        rec = parrules.records.open_records(
            con, group.path, group.columns, required=("unit", "form", "question", "answer"),
            what="survey file", key="check_params.columns")
        # The 2018 set asks one survey file eight times (a call per question): its distinct rows are
        # counted once per session and each call keeps its question and units in Python.
        every = parrules.records.remembered(rec, "survey.answers", lambda: parrules.records.fetch(
            con, f"SELECT unit, form, question, answer, count(*) FROM {rec.view} GROUP BY ALL", rec))
    finally:
        con.close()
    wanted = None if questions is None else {label(q) for q in questions}
    out: dict[str, list[Row]] = {u.code: [] for u in group.units}
    for unit_raw, form, question, answer, copies in every:
        if unit_raw is None or question is None or (wanted is not None and label(question) not in wanted):
            continue
        code = codes.match(unit_raw)
        if code is not None:
            out[code].append((unit_raw, label(form), label(question), label(answer), copies))
    return out, rec.sha256


def settle(rows: Sequence[Row]) -> tuple[dict[tuple[str, str], str], dict[str, int]]:
    """One answer per (form, question); bad rows counted by kind.

    A row repeated word for word counts once (`duplicate_row`); a form that gives two different answers
    to one question is left out for that question (`conflicting_answers`); a row without a form id or
    an answer is left out (`missing_form`, `missing_answer`).
    """
    issues: dict[str, int] = {}

    def count(kind: str, n: int = 1) -> None:
        issues[kind] = issues.get(kind, 0) + n

    seen: dict[tuple[str, str], set[str]] = {}
    for _unit, form, question, answer, copies in rows:
        if copies > 1:
            count("duplicate_row", copies - 1)
        if not form:
            count("missing_form", copies)
        elif not answer:
            count("missing_answer", copies)
        else:
            seen.setdefault((form, question), set()).add(answer)
    settled = {}
    for key, given in seen.items():
        if len(given) == 1:
            settled[key] = next(iter(given))
        else:
            count("conflicting_answers", len(given))
    return settled, issues


ISSUES = ("duplicate_row", "missing_form", "missing_answer", "unknown_answer", "conflicting_answers")
"""The bad rows the survey checks count (`settle`, and answers outside the options)."""


def issues_note(issues: Mapping[str, int]) -> str:
    """' (không tính: 2 dòng không có mã phiếu, …)', in the voice of the run; '' when nothing was wrong."""
    if not issues:
        return ""
    return say("survey.issues.note", issues=", ".join(
        say(f"survey.issues.{kind}", n=n) if kind in ISSUES else say("survey.issues.other", n=n, kind=kind)
        for kind, n in sorted(issues.items())))
