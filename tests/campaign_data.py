"""Builders for campaign tests: a small set whose points a test fixes by hand, and its units."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import parrules

# Two fields of manual criteria: a unit's points are exactly what its submission says, so every
# total, index, rank and band in a test is computed by hand.
SET = """
[set]
id = "hand"
name = "Bộ tiêu chí chấm tay"
level = "province"
total_points = 100
bands = [
  { code = "A", name = "Nhóm A", from = 80 },
  { code = "B", name = "Nhóm B", from = 75, below = 80 },
  { code = "C", name = "Nhóm C", below = 75 },
]
cohorts = { departments = ["department"], districts = ["district"] }

[criteria."1"]
name = "Lĩnh vực một"
max_points = 60

[criteria."1.1"]
name = "Tiêu chí 1.1"
max_points = 30
rule = "manual"

[criteria."1.2"]
name = "Tiêu chí 1.2"
max_points = 20
rule = "manual"

[criteria."1.3"]
name = "Tiêu chí 1.3"
max_points = 10
rule = "manual"

[criteria."2"]
name = "Lĩnh vực hai"
max_points = 40

[criteria."2.1"]
name = "Tiêu chí 2.1"
max_points = 25
rule = "manual"

[criteria."2.2"]
name = "Tiêu chí 2.2"
max_points = 15
rule = "manual"
"""


def hand_set(tmp_path: Path, text: str = SET, name: str = "set.toml") -> parrules.CriteriaSet:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return parrules.load_criteria_set(path, parrules.Registry(entry_points=False))


def unit(code: str, points: dict[str, str], *, kind: str = "department", name: str | None = None,
         appraisals: dict[str, str] | None = None) -> parrules.Submission:
    data = {
        "unit": {"code": code, "name": name or f"Đơn vị {code}", "kind": kind, "period": 2024},
        "self_assessment": {c: Decimal(p) for c, p in points.items()},
        "appraisals": [{"code": c, "points": Decimal(p), "round": 1, "reason": "thẩm định"}
                       for c, p in (appraisals or {}).items()],
    }
    return parrules.submission_from_dict(data)


def split(total: str) -> dict[str, str]:
    """Self-assessed points adding up to `total` (<= 100), filled criterion by criterion."""
    left = Decimal(total)
    out = {}
    for code, top in (("1.1", 30), ("1.2", 20), ("1.3", 10), ("2.1", 25), ("2.2", 15)):
        take = min(left, Decimal(top))
        out[code] = str(take)
        left -= take
    return out
