"""`survey.sipas`: a unit's citizen-satisfaction index (Chỉ số hài lòng, SIPAS) from answer forms.

How the index is computed here — not an official formula: the Ministry of Home Affairs' SIPAS
methodology (Quyết định 1001/QĐ-BNV, 11/12/2023, for 2023–2026) could not be consulted while writing
this check, so parrules does not claim to reproduce it. This check computes the plain share

    sipas_index = answers in `satisfied` ÷ answers in `scale` × 100   (per unit, over all its forms)

i.e. the share of satisfied answers over all answers on the satisfaction scale, every question and
form weighing the same. Defaults: scale = Rất không hài lòng, Không hài lòng, Bình thường, Hài lòng,
Rất hài lòng; satisfied = Hài lòng, Rất hài lòng. `questions` limits it to the satisfaction
questions of the form. Answers outside the scale (blank, "Không ý kiến") are counted as issues and
left out of both numerator and denominator. A province whose method differs (weights per question,
weights per answer level) states it with `survey.question` leaves or its own plugin.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import parrules

from . import forms
from .texts import say

SCALE = ("Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng")
SATISFIED = ("Hài lòng", "Rất hài lòng")


def _labels(params: Mapping[str, Any], key: str, default: Sequence[str]) -> set[str]:
    value = params.get(key, list(default))
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ValueError(say("survey.params.labels", key=key, example=list(default)))
    return {forms.label(v) for v in value}


def evaluate(units: Sequence[parrules.UnitEvidence], params: Mapping[str, Any]) -> dict[str, Any]:
    scale = _labels(params, "scale", SCALE)
    satisfied = _labels(params, "satisfied", SATISFIED)
    if not satisfied <= scale:
        raise ValueError(say("survey.params.satisfied_in_scale"))
    questions = params.get("questions")

    def read(group: parrules.records.FileGroup) -> dict[str, Any]:
        rows, digest = forms.answers(group, questions)
        out = {}
        for code, unit_rows in rows.items():
            settled, issues = forms.settle(unit_rows)
            on_scale = happy = 0
            answered: set[str] = set()
            for (form, _question), answer in settled.items():
                if answer not in scale:
                    issues["unknown_answer"] = issues.get("unknown_answer", 0) + 1
                    continue
                on_scale += 1
                happy += answer in satisfied
                answered.add(form)
            if on_scale == 0:
                index = None
                trail = say("survey.sipas.unanswered")
            else:
                index = Decimal(happy) * 100 / on_scale
                trail = say("survey.sipas.scored", satisfied=happy, answers=on_scale, forms=len(answered),
                            index=parrules.rounded_percent(index))
            trail += forms.issues_note(issues)
            out[code] = parrules.Measurement(
                {"sipas_index": index, "forms": len(answered)}, {"sipas_index": trail, "forms": trail},
                sources={str(group.path): digest}, issues=issues)
        return out

    return forms.by_file(units, params, read)
