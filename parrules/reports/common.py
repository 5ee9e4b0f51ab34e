"""What every report format shares: reading the campaign JSON, formatting numbers, naming things.

Reports are rendered from the campaign JSON (`CampaignResult.to_dict()`, or the file a campaign run
wrote), never from engine objects, so `parrules report` can re-render last month's run without
re-scoring, and every format shows the same figures.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from parrules.amounts import format_points, to_decimal

FLAG_LABELS = {
    "error": "Lỗi chấm điểm",
    "self_above_evidence": "Tự chấm cao hơn minh chứng",
    "lowered_without_reason": "Hạ điểm không nêu lý do",
    "missing_evidence": "Thiếu tài liệu kiểm chứng",
    "evidence_file_missing": "Không tìm thấy tệp kiểm chứng",
    "declared_differs": "Số liệu kê khai khác số liệu hệ thống",
}

STATUS_LABELS = {
    "full": "đạt tối đa", "partial": "đạt một phần", "zero": "0 điểm", "not_applicable": "không áp dụng",
    "not_evaluated": "chưa đánh giá", "error": "lỗi",
}


_LEAF_KEYS = ("code", "max_points", "status", "self_points", "computed_points", "appraisals", "final_points",
              "final_stage", "explanation", "declared", "verified", "flags", "error")


class ReportData:
    """Convenient views over the campaign JSON."""

    def __init__(self, data: Mapping[str, Any], *, vietnamese: bool = False) -> None:
        self.data = data
        self.vietnamese = vietnamese
        cs = data["criteria_set"]
        self.decimals = int(cs.get("decimals", 2))
        self.percent_decimals = int(cs.get("percent_decimals", 2))
        self.criteria = {c["code"]: c for c in cs.get("criteria", [])}
        self.fields = [c for c in cs.get("criteria", []) if c.get("depth") == 0]
        self.bands = list(cs.get("bands", []))
        self.band_names = {b["code"]: (b.get("name") or b["code"]) for b in self.bands}
        self.units = list(data.get("units", []))

    @property
    def incomplete_units(self) -> list[Mapping[str, Any]]:
        """Units whose figure is incomplete (a criterion errored or was not evaluated)."""
        return [u for u in self.units if u.get("incomplete")]

    @property
    def complete(self) -> bool:
        """Whether the run is complete; files written before the field existed are taken at their word."""
        return bool(self.data.get("complete", True)) and not self.incomplete_units

    def incomplete_banner(self) -> str:
        """The sentence every report puts first when the run is incomplete ('' when it is complete)."""
        units = self.incomplete_units
        if not units:
            return ""
        count = sum(len(u["incomplete"]) for u in units)
        return (f"KẾT QUẢ CHƯA ĐẦY ĐỦ — {len(units)} đơn vị có {count} tiêu chí chưa chấm được (lỗi hoặc chưa "
                f"đánh giá); các đơn vị này chưa được xếp hạng. / INCOMPLETE RESULTS — {len(units)} units have "
                f"{count} criteria not scored (errors or not evaluated); they are not ranked.")

    def status_text(self, unit: Mapping[str, Any]) -> str:
        """'đủ' for a complete unit, else 'chưa đủ:' and each criterion not scored with why."""
        missing = unit.get("incomplete") or []
        if not missing:
            return "đủ"
        labels = {"error": "lỗi", "not_evaluated": "chưa đánh giá"}
        return "chưa đủ: " + "; ".join(f"{m['code']} {labels.get(m['status'], m['status'])}" for m in missing)

    @property
    def title(self) -> str:
        return str(self.data["campaign"].get("name") or self.data["criteria_set"].get("name", ""))

    def points(self, value: Any) -> str:
        return format_points(None if value is None else to_decimal(value), self.decimals, vietnamese=self.vietnamese)

    def pct(self, value: Any) -> str:
        return format_points(None if value is None else to_decimal(value), self.percent_decimals,
                             vietnamese=self.vietnamese)

    def signed(self, value: Any, decimals: int | None = None) -> str:
        if value is None:
            return "—"
        number = to_decimal(value)
        text = format_points(abs(number), self.decimals if decimals is None else decimals, vietnamese=self.vietnamese)
        return ("+" if number > 0 else "−" if number < 0 else "±") + text

    def band_name(self, code: str | None) -> str:
        return "—" if code is None else self.band_names.get(code, code)

    def name(self, code: str) -> str:
        return str(self.criteria.get(code, {}).get("name", ""))

    def field_of(self, unit: Mapping[str, Any], code: str) -> Mapping[str, Any] | None:
        """The unit's node of field `code` (a top-level criterion), or None."""
        if self.criteria.get(code, {}).get("depth") != 0:
            return None
        for node in unit.get("nodes", []):
            if node["code"] == code:
                return node
        return None

    def leaves(self, unit: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """The unit's leaves with every key present: the campaign format leaves out null and empty
        values and the maximum (which the criteria list holds)."""
        for leaf in unit.get("leaves", []):
            full = dict.fromkeys(_LEAF_KEYS)
            full.update(appraisals=[], flags=[], max_points=self.criteria.get(leaf["code"], {}).get("max_points"))
            full.update(leaf)
            yield full

    def losses(self, unit: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The unit's losses, largest first, with the criterion's name and the leaf's explanation,
        which the campaign format keeps in the criteria list and the unit's leaves."""
        leaves = {leaf["code"]: leaf for leaf in unit.get("leaves", [])}
        out = []
        for loss in (unit.get("gaps") or {}).get("losses") or []:
            leaf = leaves.get(loss["code"], {})
            out.append({"name": self.name(loss["code"]), "explanation": leaf.get("explanation", ""),
                        "points": leaf.get("final_points"), "status": leaf.get("status"), **loss})
        return out

    def cohorts(self) -> Iterator[tuple[str, list[Mapping[str, Any]]]]:
        """Cohorts in the campaign's order with their units in rank order."""
        by_code = {u["unit"]["code"]: u for u in self.units}
        for cohort in self.data.get("cohorts", []):
            yield cohort["name"], [by_code[c] for c in cohort.get("units", []) if c in by_code]

    def cohort_stats(self, name: str) -> Mapping[str, Any]:
        for cohort in self.data.get("cohorts", []):
            if cohort["name"] == name:
                return cohort.get("statistics", {})
        return {}


def arrow(change: Any) -> str:
    """▲ up, ▼ down, ▶ unchanged, blank when there is nothing to compare with."""
    if change is None:
        return ""
    number = to_decimal(change)
    return "▲" if number > 0 else "▼" if number < 0 else "▶"


def rank_text(placing: Mapping[str, Any]) -> str:
    rank = placing.get("rank")
    return "—" if rank is None else f"{rank}/{placing.get('rank_of')}"


def as_decimal(value: Any) -> Decimal | None:
    return None if value is None else to_decimal(value)
