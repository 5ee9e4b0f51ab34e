"""dvc.services over a small catalogue and dossier export, with the shares worked out by hand."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import parrules_dvc
import pytest

import parrules

CATALOGUE = """\ufeffMã đơn vị,Mã TTHC,Tên TTHC,Mức độ DVC
U1,P1,Thủ tục 1,Mức độ 2
U1,P2,Thủ tục 2,Mức độ 3
U1,P3,Thủ tục 3,Mức độ 4
U1,P4,Thủ tục 4,Một phần
U1,P5,Thủ tục 5,Toàn trình
U1,P6,Thủ tục 6,chưa rõ
U2,Q1,Thủ tục 7,Mức độ 3
U2,Q2,Thủ tục 8,Mức độ 2
ZZ,Q3,Thủ tục 9,Mức độ 4
"""

HEAD = "Mã hồ sơ,Mã đơn vị,Mã TTHC,Hình thức nộp,Ngày tiếp nhận,Ngày hẹn trả,Ngày trả kết quả\n"
DOSSIERS = [
    ("U1", "P1", "Trực tiếp"),  # level 2: not in any share
    ("U1", "P2", "Trực tuyến"),
    ("U1", "P2", "Trực tuyến"),
    ("U1", "P2", "Trực tiếp"),
    ("U1", "P4", "Trực tuyến"),  # partly online = level 3 → level 3: 4 dossiers, 3 online
    ("U1", "P3", "Trực tuyến"),
    ("U1", "P5", "Bưu chính công ích"),  # fully online = level 4 → level 4: 2 dossiers, 1 online
    ("U1", "P9", "Trực tuyến"),  # not in U1's catalogue: reported, left out
    ("U2", "Q2", "Trực tuyến"),  # U2 has no dossier of a level-3/4 procedure
]


def write(tmp_path: Path, catalogue: str = CATALOGUE) -> tuple[Path, Path]:
    services = tmp_path / "services.csv"
    services.write_text(catalogue, encoding="utf-8")
    dossiers = tmp_path / "dossiers.csv"
    lines = [f"H{i},{u},{p},{c},01/03/2024,05/03/2024,04/03/2024" for i, (u, p, c) in enumerate(DOSSIERS)]
    dossiers.write_text(HEAD + "\n".join(lines) + "\n", encoding="utf-8")
    return services, dossiers


def unit(code: str, base: Path, **data: Path) -> parrules.UnitEvidence:
    return parrules.UnitEvidence(code, code, "department", "2024", {}, (), data, base)


def test_shares_by_hand(tmp_path) -> None:
    services, dossiers = write(tmp_path)
    got = parrules_dvc.evaluate([unit("U1", tmp_path, services=services, dossiers=dossiers),
                                 unit("U2", tmp_path, services=services, dossiers=dossiers),
                                 unit("U3", tmp_path, services=services)], {})
    u1, u2, u3 = got["U1"], got["U2"], got["U3"]
    # U1: 5 readable procedures (P6's level unreadable), 4 at level 3/4, 2 at level 4.
    assert dict(u1.metrics) == {
        "level34_share": Decimal(80), "level4_share": Decimal(40),
        "online_dossier_share": Decimal("66.66666666666666666666666666666667"),  # 4 of 6
        "online_share_level3": Decimal(75), "online_share_level4": Decimal(50),
    }
    assert u1.issues == {"unknown_level": 1, "procedure_not_in_catalogue": 1, "unknown_unit": 1}
    assert u1.explain("online_share_level3") == (
        "3/4 hồ sơ của thủ tục mức độ 3 được nộp trực tuyến (không tính 1 hồ sơ của thủ tục không có trong danh mục "
        "của đơn vị; không tính 1 dòng có mã đơn vị không được chấm điểm và không có trong danh mục đơn vị) → 75 %")
    assert u1.explain("online_dossier_share").endswith(") → 66,67 %")
    assert "mức độ không đọc được ('chưa rõ')" in u1.explain("level34_share")
    with parrules.speaking("en"):
        english = parrules_dvc.evaluate([unit("U1", tmp_path, services=services, dossiers=dossiers)], {})["U1"]
    assert english.explain("online_share_level3").startswith("3 of 4 dossiers of level-3 procedures submitted online (")
    assert "1 dossiers of procedures not in the unit's catalogue left out" in english.explain("online_dossier_share")
    assert english.explain("level34_share") == (  # U2 and U3 are not scored here: their rows are nobody's
        "4 of 5 procedures offered at level 3 or 4 (2 level 3, 2 level 4) (1 catalogue rows with a level that cannot "
        "be read ('chưa rõ') left out; 4 rows with unit codes neither scored nor catalogued, not counted) → 80 %")
    assert set(u1.sources) == {str(services.resolve()), str(dossiers.resolve())}
    # U2: Q1 level 3, Q2 level 2; its one dossier is of Q2.
    assert dict(u2.metrics) == {"level34_share": Decimal(50), "level4_share": Decimal(0), "online_dossier_share": None,
                                "online_share_level3": None, "online_share_level4": None}
    assert u2.explain("online_dossier_share").startswith("không có hồ sơ nào của thủ tục mức độ 3, 4")
    # U3 is in nobody's catalogue and has no dossier export.
    assert u3.metrics["level34_share"] is None and u3.explain("online_dossier_share").startswith("không có tệp dữ liệu hồ sơ")


def test_one_catalogue_for_every_unit(tmp_path) -> None:
    services, dossiers = write(tmp_path, "Mã TTHC,Mức độ DVC\nP2,Mức độ 3\nP3,Mức độ 4\nQ2,Mức độ 2\n")
    got = parrules_dvc.evaluate([unit("U1", tmp_path, services=services, dossiers=dossiers),
                                 unit("U2", tmp_path, services=services, dossiers=dossiers)], {})
    assert got["U1"].metrics["level34_share"] == Decimal("66.66666666666666666666666666666667")
    # U1's dossiers of P2 (3, 2 online) and P3 (1, online); P1, P4, P5, P9 are not in this catalogue.
    assert got["U1"].metrics["online_dossier_share"] == Decimal(75)
    assert got["U1"].issues == {"procedure_not_in_catalogue": 4}


def test_missing_catalogue_fails_only_its_unit(tmp_path) -> None:
    services, dossiers = write(tmp_path)
    with parrules.speaking(language="en"):  # the problems below are read in English
        got = parrules_dvc.evaluate([unit("U1", tmp_path, services=services, dossiers=dossiers),
                                     unit("U2", tmp_path, services=tmp_path / "nope.csv", dossiers=dossiers),
                                     unit("U4", tmp_path, dossiers=dossiers)], {})
    assert got["U1"].metrics["level4_share"] == Decimal(40)
    assert isinstance(got["U2"], parrules.ProblemsError) and "service catalogue not found" in str(got["U2"])
    assert "no service catalogue given" in str(got["U4"])


def test_catalogue_header_mapping(tmp_path) -> None:
    services, dossiers = write(tmp_path, CATALOGUE.replace("Mức độ DVC", "Muc do"))
    got = parrules_dvc.evaluate([unit("U1", tmp_path, services=services)], {})
    assert isinstance(got["U1"], parrules.ProblemsError)
    assert got["U1"].problems[0].path == "check_params.catalogue_columns.level"
    got = parrules_dvc.evaluate([unit("U1", tmp_path, services=services)], {"catalogue_columns": {"level": "Muc do"}})
    assert got["U1"].metrics["level34_share"] == Decimal(80)


@pytest.mark.parametrize(("label", "level"), [("Mức độ 2", 2), ("mức độ 4", 4), ("DVC một phần", 3),
                                              ("Toàn trình", 4), ("3", 3), ("", None), ("khác", None)])
def test_service_level_labels(label, level) -> None:
    assert parrules_dvc.service_level(label) == level


def test_installed_entry_points_register_both_checks() -> None:
    registry = parrules.Registry()
    assert {"tthc.dossiers", "dvc.services"} <= set(registry.checks)
    assert registry.checks["dvc.services"].plugin == "dvc" and registry.checks["tthc.dossiers"].plugin == "tthc"
