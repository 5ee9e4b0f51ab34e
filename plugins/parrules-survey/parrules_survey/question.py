"""`survey.question`: the weighted score of one survey question.

Provincial forms weight the options of a sociological-survey question, e.g. A = 100 %, B = 60 %,
C = 20 %, D = 0 % of the question's maximum, and average over the forms that answered it. This check
does that from the answer forms themselves: `score_percent` = Σ weight of each form's answer ÷ forms,
exact in Decimal (the rule that turns it into points rounds where the set says).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import parrules

from . import forms
from .texts import say


def _weights(params: Mapping[str, Any]) -> dict[str, Decimal]:
    raw = params.get("weights")
    if not isinstance(raw, Mapping) or not raw:
        raise ValueError(say("survey.params.weights"))
    return {forms.label(k): parrules.to_decimal(v) for k, v in raw.items()}


def evaluate(units: Sequence[parrules.UnitEvidence], params: Mapping[str, Any]) -> dict[str, Any]:
    question = params.get("question")
    if not isinstance(question, str) or not question.strip():
        raise ValueError(say("survey.params.question"))
    weights = _weights(params)

    def read(group: parrules.records.FileGroup) -> dict[str, Any]:
        rows, digest = forms.answers(group, [question])
        out = {}
        for code, unit_rows in rows.items():
            settled, issues = forms.settle(unit_rows)
            tally: dict[str, int] = {}
            for answer in settled.values():
                if answer in weights:
                    tally[answer] = tally.get(answer, 0) + 1
                else:
                    issues["unknown_answer"] = issues.get("unknown_answer", 0) + 1
            n = sum(tally.values())
            if n == 0:
                score = None
                trail = say("survey.question.unanswered", question=question)
            else:
                score = sum((weights[a] * c for a, c in tally.items()), Decimal(0)) / n
                parts = ", ".join(say("survey.question.answer", count=c, option=a.upper(), weight=weights[a])
                                  for a, c in sorted(tally.items()))
                trail = say("survey.question.scored", question=question, answers=parts, forms=n,
                            score=parrules.rounded_percent(score))
            trail += forms.issues_note(issues)
            out[code] = parrules.Measurement(
                {"score_percent": score, "forms": n}, {"score_percent": trail, "forms": trail},
                sources={str(group.path): digest}, issues=issues)
        return out

    return forms.by_file(units, params, read)
