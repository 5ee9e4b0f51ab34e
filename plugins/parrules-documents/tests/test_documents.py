"""documents.plan and documents.reports over a register, with the expected metrics worked out by hand."""

from __future__ import annotations

import textwrap
import unicodedata
from datetime import date
from decimal import Decimal
from pathlib import Path

import parrules_documents  # installed from requirements.txt, as a province installs it
import pytest

import parrules

HEAD = "Mã đơn vị,Số ký hiệu,Loại văn bản,Ngày ban hành,Trích yếu\n"
SUBJECT = "Kế hoạch kiểm soát thủ tục hành chính năm 2024"
NFD_PLAN = unicodedata.normalize("NFD", "kế hoạch")  # typed on another keyboard, lower case


@pytest.fixture
def registry() -> parrules.Registry:
    reg = parrules.Registry(entry_points=False)
    reg.add_plugin(parrules_documents, name="documents")
    return reg


def unit(code: str, base: Path, **data: Path) -> parrules.UnitEvidence:
    return parrules.UnitEvidence(code, f"Đơn vị {code}", "department", "2024", {}, (), data, base)


def write_register(tmp_path: Path, body: str, name: str = "register.csv") -> Path:
    path = tmp_path / name
    path.write_text("\ufeff" + HEAD + textwrap.dedent(body).lstrip(), encoding="utf-8")
    return path


@pytest.fixture
def register(tmp_path: Path) -> Path:
    return write_register(tmp_path, f"""
        U1,01/KH-UBND,Kế hoạch,02/01/2024,Kế hoạch tuyên truyền năm 2024
        U1,15/KH-UBND,Kế hoạch,20/01/2024,{SUBJECT}
        U2,07/KH-SNV,Kế hoạch,05/02/2024,{SUBJECT}
        U3,11/BC-STP,Báo cáo,10/01/2024,Báo cáo kiểm soát thủ tục hành chính quý IV
        U4,03/KH-SYT,{NFD_PLAN},2024-01-31,{SUBJECT.upper()}
        U5,09/KH-UBND,Kế hoạch,31/02/2024,{SUBJECT}
        U5,10/KH-UBND,Kế hoạch,10/01/2024,{SUBJECT}
        U6,12/KH-UBND,Kế hoạch,,{SUBJECT}
        U7,21/KH-UBND,Kế hoạch,25/01/2024,{SUBJECT}
        U7,21/KH-UBND,Kế hoạch,25/01/2024,{SUBJECT}
        U7,22/KH-UBND,Kế hoạch,03/02/2024,{SUBJECT}
        X9,99/KH-UBND,Kế hoạch,01/01/2024,{SUBJECT}
        """)


PLAN = {"type": "Kế hoạch", "subject_contains": "kiểm soát thủ tục hành chính", "deadline": date(2024, 1, 31)}


def test_plan_issued_by_its_deadline(registry, register, tmp_path) -> None:
    units = [unit(c, tmp_path, register=register) for c in ("U1", "U2", "U3", "U4", "U5", "U6", "U7")]
    got = registry.checks["documents.plan"].evaluate(units, PLAN)
    metrics = {code: dict(m.metrics) for code, m in got.items()}
    assert metrics == {
        "U1": {"issued": True, "on_time": True, "days_late": 0},  # the other plan has another subject
        "U2": {"issued": True, "on_time": False, "days_late": 5},  # 05/02 against 31/01
        "U3": {"issued": False, "on_time": False, "days_late": None},  # only a report
        "U4": {"issued": True, "on_time": True, "days_late": 0},  # NFD, lower case, ISO date, on the day
        "U5": {"issued": True, "on_time": True, "days_late": 0},  # 31/02 unreadable, 10/01 counts
        "U6": {"issued": False, "on_time": False, "days_late": None},  # its only plan has no date
        "U7": {"issued": True, "on_time": True, "days_late": 0},
    }
    assert got["U2"].explain("on_time") == ("Kế hoạch 07/KH-SNV ngày 05/02/2024 có trích yếu chứa “kiểm soát thủ tục "
                                           "hành chính”: trễ 5 ngày (thời hạn 31/01/2024)")
    with parrules.speaking(language="en"):  # the number after the type in English too, the subject last
        english = registry.checks["documents.plan"].evaluate(units, PLAN)["U2"].explain("on_time")
    assert english.startswith("Kế hoạch 07/KH-SNV of 5 Feb 2024 containing 'kiểm soát thủ tục hành chính'"), english
    assert dict(got["U5"].issues) == {"invalid_date": 1}
    assert "1 dòng có ngày ban hành không đọc được" in got["U5"].explain("on_time")
    assert dict(got["U6"].issues) == {"missing_date": 1}
    assert "không có Kế hoạch" in got["U6"].explain("issued")
    assert "1 dòng không có ngày ban hành" in got["U6"].explain("issued")
    assert dict(got["U7"].issues) == {"duplicate_number": 1}
    assert got["U1"].sources == {str(register): parrules.records.file_sha256(register)}


def test_reports_late_and_missing_against_due_dates(registry, tmp_path) -> None:
    path = write_register(tmp_path, """
        U1,10/BC-UBND,Báo cáo,14/03/2024,Báo cáo CCHC quý I
        U1,20/BC-UBND,Báo cáo,20/06/2024,Báo cáo CCHC quý II
        U1,30/BC-UBND,Báo cáo,10/09/2024,Báo cáo CCHC quý III
        U1,40/BC-UBND,Báo cáo,01/12/2024,Báo cáo CCHC năm
        U2,11/BC-UBND,Báo cáo,10/03/2024,Báo cáo CCHC quý I
        U2,12/BC-UBND,Báo cáo,12/03/2024,Báo cáo CCHC quý I (bổ sung)
        U2,13/BC-UBND,Báo cáo,17/09/2024,Báo cáo CCHC quý III
        U2,14/BC-UBND,Báo cáo,xx/09/2024,Báo cáo CCHC quý III
        U3,01/KH-UBND,Kế hoạch,10/01/2024,Kế hoạch CCHC
        """)
    params = {"type": "Báo cáo", "due": [date(2024, 3, 15), date(2024, 6, 15), date(2024, 9, 15),
                                          date(2024, 12, 15)]}
    units = [unit(c, tmp_path, register=path) for c in ("U1", "U2", "U3")]
    got = registry.checks["documents.reports"].evaluate(units, params)
    # U1: Q1 on time; 20/06 answers Q2 5 days late (10/09 is still there for Q3); Q3, year on time.
    assert dict(got["U1"].metrics) == {"late_count": 1, "missing_count": 0, "report_count": 4}
    assert "hạn 15/06/2024: 20/BC-UBND ngày 20/06/2024, trễ 5 ngày" in got["U1"].explain("late_count")
    # U2: Q1 on time (the supplement of 12/03 is an extra); 17/09 is after Q3's due date and the only
    # report left, so it is the year's report, on time; Q2 and Q3 are missing.
    assert dict(got["U2"].metrics) == {"late_count": 0, "missing_count": 2, "report_count": 3}
    assert dict(got["U2"].issues) == {"invalid_date": 1}
    assert ("hạn 15/09/2024: không có báo cáo; hạn 15/12/2024: 13/BC-UBND ngày 17/09/2024, đúng hạn"
            in got["U2"].explain("missing_count"))
    assert dict(got["U3"].metrics) == {"late_count": 0, "missing_count": 4, "report_count": 0}
    with parrules.speaking("en"):  # the same check in an English run
        english = registry.checks["documents.reports"].evaluate(units, params)
    assert "due 15 Jun 2024: 20/BC-UBND of 20 Jun 2024, 5 days late" in english["U1"].explain("late_count")
    assert english["U2"].explain("missing_count").endswith(" (matching rows not counted: 1 with an unreadable issue date)")


def test_a_unit_without_a_register_or_with_a_broken_one_errors_alone(registry, register, tmp_path) -> None:
    broken = write_register(tmp_path, "", name="empty.csv")
    broken.write_text("\ufeffMã đơn vị,Số hiệu,Loại văn bản,Ngày ban hành\nU9,1,Kế hoạch,01/01/2024\n",
                      encoding="utf-8")
    units = [unit("U1", tmp_path, register=register), unit("U8", tmp_path),
             unit("U9", tmp_path, register=broken), unit("U10", tmp_path, register=tmp_path / "nowhere.csv")]
    with parrules.speaking(language="en"):  # the problems below are read in English
        got = registry.checks["documents.plan"].evaluate(units, PLAN)
    assert got["U1"].metrics["on_time"] is True
    assert isinstance(got["U8"], parrules.ProblemsError) and "--data register=" in str(got["U8"])
    assert isinstance(got["U9"], parrules.ProblemsError)
    assert "Số ký hiệu" in str(got["U9"]) and "columns.number" in str(got["U9"])
    assert isinstance(got["U10"], parrules.ProblemsError) and "not found" in str(got["U10"])


def test_column_mapping_and_parquet(registry, tmp_path) -> None:
    import duckdb
    path = tmp_path / "so-van-ban.parquet"
    duckdb.connect().execute(
        f"COPY (SELECT 'U1' AS don_vi, '5/KH' AS so, 'Kế hoạch' AS loai, DATE '2024-02-02' AS ngay, "
        f"'{SUBJECT}' AS trich_yeu) TO '{path}' (FORMAT parquet)")
    params = {**PLAN, "data": "so", "columns": {"unit": "don_vi", "number": "so", "type": "loai",
                                                "issued": "ngay", "subject": "trich_yeu"}}
    got = registry.checks["documents.plan"].evaluate([unit("U1", tmp_path, so=path)], params)
    assert dict(got["U1"].metrics) == {"issued": True, "on_time": False, "days_late": 2}


def test_scored_through_a_criteria_set(registry, register, tmp_path) -> None:
    set_path = tmp_path / "set.toml"
    set_path.write_text(textwrap.dedent("""
        [set]
        id = "docs"
        name = "Văn bản"
        level = "department"
        total_points = 2

        [criteria."1"]
        name = "Ban hành Kế hoạch kiểm soát TTHC đúng hạn"
        max_points = 1
        rule = "yes_no"
        check = "documents.plan"
        metric = "on_time"
        check_params = { type = "Kế hoạch", subject_contains = "kiểm soát thủ tục", deadline = 2024-01-31 }

        [criteria."2"]
        name = "Báo cáo đúng hạn"
        max_points = 1
        rule = "deduction"
        per_occurrence = 0.25
        check = "documents.reports"
        metric = "late_count"
        check_params = { type = "Kế hoạch", due = [2024-01-15, 2024-01-31] }
        """), encoding="utf-8")
    criteria = parrules.load_criteria_set(set_path, registry)
    subs = []
    for code in ("U1", "U2"):
        path = tmp_path / f"{code}.toml"
        path.write_text(f'[unit]\ncode = "{code}"\nname = "Đơn vị {code}"\nkind = "department"\nperiod = 2024\n',
                        encoding="utf-8")
        subs.append(parrules.load_submission(path))
    run = parrules.score_many(criteria, subs, data={"register": register})
    u1, u2 = run.units
    assert u1.leaf("1").final_points == Decimal(1) and u2.leaf("1").final_points == Decimal(0)
    # U1's plans: 02/01 answers 15/01 on time, 20/01 answers 31/01 on time; U2: 05/02 answers 15/01
    # late, 31/01 missing → one late report, 0.25 deducted.
    assert u1.leaf("2").final_points == Decimal(1)
    assert u2.leaf("2").final_points == Decimal("0.75")
    assert u2.leaf("1").explanation.endswith(": trễ 5 ngày (thời hạn 31/01/2024) → Không → 0/1 điểm")
    english = parrules.score_many(criteria, subs, data={"register": register}, language="en").units[1]
    assert english.leaf("1").explanation.endswith(", deadline 31 Jan 2024: 5 days late → no → 0 of 1")
    assert english.leaf("2").explanation == ("1 Kế hoạch in the register for 2 due dates: 1 late, 1 missing; "
                                             "due 15 Jan 2024: missing; due 31 Jan 2024: 07/KH-SNV of 5 Feb 2024, "
                                             "5 days late → 1 × −0.25 → 0.75 of 1 (never below 0)")
