"""A run's checks share one records session: a file two checks read is opened once (issue #13)."""

from __future__ import annotations

import types
from decimal import Decimal
from pathlib import Path

import parrules
from parrules import Measurement, hookimpl, records
from parrules.testing import build_set, build_submission, registry_with


def test_two_checks_of_one_run_share_the_records_they_open(tmp_path: Path) -> None:
    export = tmp_path / "rows.csv"
    export.write_text("ma_don_vi,so\nU1,3\nU2,5\n", encoding="utf-8")
    opened: list[records.Records] = []

    def counting(units, params):
        con = records.connect()
        rows = records.open_records(con, export, {"unit": "ma_don_vi", "n": "so"}, required=["unit", "n"],
                                    what="test rows")
        opened.append(rows)
        found = dict(con.execute(f"SELECT unit, sum(CAST(n AS INTEGER)) FROM {rows.view} GROUP BY unit").fetchall())
        return {u.code: Measurement({"n": Decimal(found.get(u.code, 0))}) for u in units}

    module = types.ModuleType("two_checks")

    @hookimpl
    def register_checks(register):
        for name in ("first", "second"):
            register(f"demo.{name}", counting, description=name, metrics={"n": "n"})

    module.register_checks = register_checks  # type: ignore[attr-defined]
    criteria = build_set({
        "1": {"name": "Một", "max_points": 5, "rule": "proportional", "check": "demo.first", "metric": "n",
              "cap": 5},
        "2": {"name": "Hai", "max_points": 5, "rule": "proportional", "check": "demo.second", "metric": "n",
              "cap": 5},
    }, registry=registry_with(module))
    run = parrules.score_many(criteria, [build_submission("U1"), build_submission("U2")])
    assert [run.unit(c).leaf("1").final_points for c in ("U1", "U2")] == [3, 5]
    assert [run.unit(c).leaf("2").final_points for c in ("U1", "U2")] == [3, 5]
    assert len(opened) == 2 and opened[0] is opened[1]  # described and read once for the run

    opened.clear()  # outside a run, each call opens its own
    con = records.connect()
    counting([], {})
    counting([], {})
    assert len(opened) == 2 and opened[0] is not opened[1]
    con.close()
