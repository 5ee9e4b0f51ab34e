"""`documents.plan`: was the plan issued, and by its deadline?

"A plan counts only if issued by its deadline" is the commonest evidence rule in provincial forms
(Đắk Mil lost points for issuing its TTHC control plan late). The built-in `document.deadline` reads
the documents a unit attached to its submission; this check reads the register the province keeps,
so the council no longer opens each attachment to read its date. Both give the same verdict, from
`parrules.records.DeadlineVerdict`, in the same words (this plugin's catalogue says them as the
built-in's does): only where the documents come from differs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import parrules

from . import register
from .texts import say


def evaluate(units: Sequence[parrules.UnitEvidence], params: Mapping[str, Any]) -> dict[str, Any]:
    deadline = parrules.records.deadline_param(params)
    wanted = register.what(params, "plan")
    out: dict[str, Any] = {}
    for code, found in register.read(units, params).items():
        if isinstance(found, Exception):
            out[code] = found
            continue
        note = found.bad_rows_note()
        dated = found.dated()
        if not dated:
            trail = say("documents.plan.none", wanted=wanted, deadline=deadline, note=note)
            metrics = {"issued": False, "on_time": False, "days_late": None}
        else:
            first = dated[0]
            verdict = parrules.records.DeadlineVerdict(first.issued, deadline)
            trail = verdict.explain(register.found(params, "plan", first)) + note
            metrics = verdict.metrics()
        out[code] = parrules.Measurement(
            metrics, {"issued": trail, "on_time": trail, "days_late": trail},
            sources=dict([found.source]), issues=dict(found.issues))
    return out
