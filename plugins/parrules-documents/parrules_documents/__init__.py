"""Standard parrules checks over a document register: plans issued by their deadline, reports on time.

Installed as its own distribution and found through the ``parrules`` entry-point group, exactly as a
province's own plugin is; it imports only parrules' public API. Register columns (configurable with
``check_params.columns``): "Mã đơn vị", "Số ký hiệu", "Loại văn bản", "Ngày ban hành" (dd/mm/yyyy or
ISO), "Trích yếu"; CSV, XLSX or Parquet. Rows with a missing or unreadable date, or repeating a
number, are counted in the measurement's issues and named in the explanation. Explanations are
written in the voice of the run (Vietnamese or English) from the plugin's catalogue, `messages.toml`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import parrules

from . import periodic_reports, plan
from .texts import MESSAGES

__all__ = ["MESSAGES", "register_checks"]

_COMMON = {
    "data": {"type": "string", "description": "data name of the register (default: register)"},
    "type": {"type": "string", "description": "document type as written in 'Loại văn bản', e.g. Kế hoạch"},
    "subject_contains": {"type": "string", "description": "text the subject (Trích yếu) must contain"},
    "columns": {"type": "object", "additionalProperties": {"type": "string"},
                "description": "file headers for unit, number, type, issued, subject"},
}


@parrules.hookimpl
def register_checks(register: Callable[..., Any]) -> None:
    register(
        "documents.plan",
        plan.evaluate,
        description="A plan of the given type (and subject) is in the register, issued by its deadline",
        metrics={
            "on_time": "yes if the earliest matching document is dated on or before the deadline",
            "issued": "yes if a matching document with a readable date is in the register",
            "days_late": "days between the deadline and the earliest matching document (0 when on time)",
        },
        params_schema={"type": "object", "properties": {**_COMMON, "deadline": {}},
                       "required": ["deadline"], "additionalProperties": False},
    )
    register(
        "documents.reports",
        periodic_reports.evaluate,
        description="Periodic reports of the given type in the register: late and missing against due dates",
        metrics={
            "late_count": "due dates answered by a report dated after them",
            "missing_count": "due dates with no report at all",
            "report_count": "matching reports with a readable date in the register",
        },
        params_schema={"type": "object", "properties": {**_COMMON, "due": {"type": "array", "minItems": 1}},
                       "required": ["due"], "additionalProperties": False},
    )
