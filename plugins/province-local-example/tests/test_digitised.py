"""Tests of the digitised-at-reception check, with the fixtures parrules ships for plugin authors."""

from pathlib import Path

import parrules
from parrules.testing import assert_explains, assert_points, assert_status, assert_total

HEADER = "Mã đơn vị,Số hóa khi tiếp nhận\n"
CRITERIA = {
    "1": {"name": "Tỷ lệ hồ sơ được số hóa khi tiếp nhận", "max_points": 2, "rule": "proportional",
          "check": "local.digitised_at_reception", "metric": "digitised_share"},
}


def _export(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "dossiers.csv"
    path.write_text("\ufeff" + HEADER + rows, encoding="utf-8")
    return path


def test_check_is_registered(parrules_registry):
    check = parrules_registry.checks["local.digitised_at_reception"]
    assert set(check.metrics) == {"digitised_share", "dossier_count", "digitised_count", "bad_rows"}


def test_share_scores_proportionally(tmp_path, parrules_set, parrules_submission, parrules_score):
    data = _export(tmp_path, "A,Có\nA,Không\nA,có\nA,Có\nB,Không\n")
    result = parrules_score(parrules_set(CRITERIA), [parrules_submission("A"), parrules_submission("B")],
                            data={"dossiers": data})
    assert_points(result, "1", "1.5", unit="A")  # 3 of 4 → 75 % of 2 points
    assert_explains(result, "1", "3/4 hồ sơ được số hóa khi tiếp nhận → 75 % × 2 → 1,5/2 điểm", unit="A")
    assert_points(result, "1", 0, unit="B")
    assert_total(result, "1.5", unit="A")


def test_unreadable_values_are_reported_not_counted(tmp_path, parrules_set, parrules_submission, parrules_score):
    data = _export(tmp_path, "A,Có\nA,?\n")
    result = parrules_score(parrules_set(CRITERIA), parrules_submission("A"), data={"dossiers": data})
    assert_points(result, "1", 2)
    assert_explains(result, "1", "không tính 1 dòng có giá trị “Số hóa khi tiếp nhận” không đọc được")
    # an English run writes the same from the English side of messages.toml, rounded as the set says
    data = _export(tmp_path, "A,Có\nA,Không\nA,có\nA,?\n")
    english = parrules.score(parrules_set(CRITERIA), parrules_submission("A"), data={"dossiers": data}, language="en")
    assert english.leaf("1").explanation == ("2 of 3 dossiers digitised at reception (1 rows with an unreadable "
                                             "'Số hóa khi tiếp nhận' value not counted) → 66.67 % × 2 → 1.33 of 2")


def test_unit_without_dossiers_is_not_evaluated(tmp_path, parrules_set, parrules_submission, parrules_score):
    data = _export(tmp_path, "A,Có\n")
    result = parrules_score(parrules_set(CRITERIA), parrules_submission("Z"), data={"dossiers": data})
    assert_status(result, "1", "not_evaluated")


def test_missing_column_marks_the_criterion_errored(tmp_path, parrules_set, parrules_submission, parrules_score):
    path = tmp_path / "dossiers.csv"
    path.write_text("Mã đơn vị,Khác\nA,Có\n", encoding="utf-8")
    result = parrules_score(parrules_set(CRITERIA), parrules_submission("A"), data={"dossiers": path})
    assert_status(result, "1", "error")
    assert_explains(result, "1", "không có cột 'Số hóa khi tiếp nhận'")
