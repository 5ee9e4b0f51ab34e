"""Standard parrules checks over survey answer forms: weighted question scores and the SIPAS index.

Installed as its own distribution and found through the ``parrules`` entry-point group, exactly as a
province's own plugin is; it imports only parrules' public API. Survey columns (configurable with
``check_params.columns``): "Mã đơn vị", "Mã phiếu", "Câu hỏi", "Trả lời"; CSV, XLSX or Parquet.
Repeated rows, blank answers, answers outside the options and forms answering one question twice
differently are counted in the measurement's issues and named in the explanation. How
`survey.sipas` computes its index is stated in `parrules_survey.sipas`. Explanations are written in
the voice of the run (Vietnamese or English) from the plugin's catalogue, `messages.toml`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import parrules

from . import question, sipas
from .texts import MESSAGES

__all__ = ["MESSAGES", "register_checks"]

_COMMON = {
    "data": {"type": "string", "description": "data name of the survey file (default: survey)"},
    "columns": {"type": "object", "additionalProperties": {"type": "string"},
                "description": "file headers for unit, form, question, answer"},
}


@parrules.hookimpl
def register_checks(register: Callable[..., Any]) -> None:
    register(
        "survey.question",
        question.evaluate,
        description="Weighted score of one survey question: Σ option weight over the forms that answered it",
        metrics={
            "score_percent": "average of the answer weights (in %) over the forms that answered the question",
            "forms": "forms with one valid answer to the question",
        },
        params_schema={"type": "object",
                       "properties": {**_COMMON, "question": {"type": "string"},
                                      "weights": {"type": "object", "minProperties": 1}},
                       "required": ["question", "weights"], "additionalProperties": False},
    )
    register(
        "survey.sipas",
        sipas.evaluate,
        description="Satisfaction index (SIPAS): share of satisfied answers among all answers on the scale",
        metrics={
            "sipas_index": "satisfied answers ÷ answers on the satisfaction scale × 100 (see parrules_survey.sipas)",
            "forms": "forms with at least one answer on the scale",
        },
        params_schema={"type": "object",
                       "properties": {**_COMMON,
                                      "questions": {"type": "array", "items": {"type": "string"}},
                                      "scale": {"type": "array", "items": {"type": "string"}},
                                      "satisfied": {"type": "array", "items": {"type": "string"}}},
                       "additionalProperties": False},
    )
