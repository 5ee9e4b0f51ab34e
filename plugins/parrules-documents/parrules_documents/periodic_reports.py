"""`documents.reports`: periodic reports sent on time, late, or not at all.

Forms deduct a fixed amount per late or missing report (quarterly and annual PAR reports). Each due
date is one period, and reports answer periods in date order (see `match`): a report dated after the
previous due date and on or before this one is on time; a report dated after this due date is late
for this period when the next period still has its own report, else it belongs to the next period and
this one is missing. Extra reports (a supplement sent the same quarter) are counted in
`report_count` but answer no period twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import parrules

from . import register
from .texts import say


def due_dates(params: Mapping[str, Any]) -> list[date]:
    dues = params.get("due")
    if not isinstance(dues, list) or not dues or not all(isinstance(d, date) for d in dues):
        raise ValueError(say("documents.params.due"))
    return sorted(dues)


def match(dues: Sequence[date], reports: Sequence[register.Entry]) -> list[tuple[date, register.Entry | None, bool]]:
    """(due date, report or None, on time) per period; `reports` are dated, earliest first.

    Periods are taken in order; each looks at the earliest unused report dated after the previous due
    date. On or before its own due date: on time. After it: late for this period only if the next
    period still has a report of its own (two or more unused reports up to the next due date), or
    this is the last period; otherwise the report belongs to a later period and this one is missing.
    """
    used: set[int] = set()
    out: list[tuple[date, register.Entry | None, bool]] = []
    for i, due in enumerate(dues):
        start = dues[i - 1] if i else date.min
        nxt = dues[i + 1] if i + 1 < len(dues) else None
        free = [j for j, rep in enumerate(reports) if j not in used and rep.issued > start]
        if not free:
            out.append((due, None, False))
            continue
        first = reports[free[0]]
        if first.issued <= due:
            on_time, take = True, True
        elif nxt is None:
            on_time, take = False, True
        else:
            before_next = [j for j in free if reports[j].issued <= nxt]
            on_time, take = False, first.issued <= nxt and len(before_next) >= 2
        if take:
            used.add(free[0])
            out.append((due, first, on_time))
        else:
            out.append((due, None, False))
    return out


def evaluate(units: Sequence[parrules.UnitEvidence], params: Mapping[str, Any]) -> dict[str, Any]:
    dues = due_dates(params)
    wanted = register.what(params, "report")
    out: dict[str, Any] = {}
    for code, found in register.read(units, params).items():
        if isinstance(found, Exception):
            out[code] = found
            continue
        reports = found.dated()
        lines, late, missing = [], 0, 0
        for due, rep, on_time in match(dues, reports):
            if rep is None:
                missing += 1
                lines.append(say("documents.reports.missing", due=due))
            elif on_time:
                lines.append(say("documents.reports.on_time", due=due, report=rep.describe()))
            else:
                late += 1
                days = (rep.issued - due).days
                lines.append(say("documents.reports.late_one", due=due, report=rep.describe()) if days == 1
                             else say("documents.reports.late", due=due, report=rep.describe(), days=days))
        summary = say("documents.reports.summary", reports=len(reports), wanted=wanted, dues=len(dues), late=late,
                      missing=missing, periods="; ".join(lines), note=found.bad_rows_note())
        out[code] = parrules.Measurement(
            {"late_count": late, "missing_count": missing, "report_count": len(reports)},
            {"late_count": summary, "missing_count": summary, "report_count": summary},
            sources=dict([found.source]), issues=dict(found.issues))
    return out
