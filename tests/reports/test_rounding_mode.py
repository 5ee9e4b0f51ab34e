"""A set that rounds down at report shows 1,72 — not 1,73 — in every report, as its explanation says."""

from __future__ import annotations

import io
import json
import zipfile
from decimal import Decimal

import parrules
from parrules.campaign.run import campaign_result, spec_for
from parrules.reports import render

from ..campaign_data import hand_set

DOWN = """
[set]
id = "down"
name = "Bộ tiêu chí làm tròn xuống"
level = "province"
total_points = 2
rounding = { decimals = 2, mode = "down", at = "report" }

[criteria."1"]
name = "Lĩnh vực một"
max_points = 2

[criteria."1.1"]
name = "Hồ sơ trực tuyến"
max_points = 2
rule = "proportional"
cap = 50
"""


def _data(tmp_path):
    criteria = hand_set(tmp_path, DOWN)
    sub = parrules.submission_from_dict({"unit": {"code": "U", "name": "Sở U", "kind": "department"},
                                         "answers": {"1.1": Decimal("43.2")}})
    return json.loads(campaign_result(spec_for(criteria), criteria, [sub]).to_json(), parse_float=Decimal)


def test_every_format_rounds_as_the_set_does(tmp_path) -> None:
    data = _data(tmp_path)
    assert data["criteria_set"]["rounding_mode"] == "down"
    leaf = data["units"][0]["leaves"][0]
    assert Decimal(str(leaf["final_points"])) == Decimal("1.728")  # exact in the JSON
    assert "1,72/2 điểm" in leaf["explanation"]
    for fmt in ("csv", "md", "html"):
        text = render(data, fmt).decode("utf-8-sig")
        assert "1,72" in text and "1,73" not in text, fmt
    book = zipfile.ZipFile(io.BytesIO(render(data, "xlsx")))
    sheets = "".join(book.read(n).decode() for n in book.namelist() if n.startswith("xl/worksheets/"))
    assert "<v>1.72</v>" in sheets and "1.728" not in sheets and "1.73" not in sheets
