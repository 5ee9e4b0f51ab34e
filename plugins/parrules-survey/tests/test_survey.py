"""survey.question and survey.sipas over answer forms, with the expected figures worked out by hand."""

from __future__ import annotations

import textwrap
import unicodedata
from decimal import Decimal
from pathlib import Path

import parrules_survey  # installed from requirements.txt, as a province installs it
import pytest

import parrules

HEAD = "Mã đơn vị,Mã phiếu,Câu hỏi,Trả lời\n"


@pytest.fixture
def registry() -> parrules.Registry:
    reg = parrules.Registry(entry_points=False)
    reg.add_plugin(parrules_survey, name="survey")
    return reg


def unit(code: str, base: Path, **data: Path) -> parrules.UnitEvidence:
    return parrules.UnitEvidence(code, f"Đơn vị {code}", "district", "2024", {}, (), data, base)


def write(tmp_path: Path, body: str, name: str = "survey.csv") -> Path:
    path = tmp_path / name
    path.write_text("\ufeff" + HEAD + textwrap.dedent(body).lstrip(), encoding="utf-8")
    return path


WEIGHTS = {"A": 100, "B": 60, "C": 20, "D": 0}


def test_question_score_is_the_mean_weight_over_forms(registry, tmp_path) -> None:
    path = write(tmp_path, """
        U1,P1,Câu 5,A
        U1,P2,Câu 5,A
        U1,P3,Câu 5,B
        U1,P4,Câu 5,c
        U1,P1,Câu 6,D
        U2,P1,Câu 5,B
        U2,P2,Câu 5,B
        U2,P2,Câu 5,B
        U2,P3,Câu 5,E
        U2,P4,Câu 5,
        U2,P5,Câu 5,A
        U2,P5,Câu 5,D
        U2,,Câu 5,A
        U3,P1,Câu 6,A
        """)
    units = [unit(c, tmp_path, survey=path) for c in ("U1", "U2", "U3")]
    got = registry.checks["survey.question"].evaluate(units, {"question": "câu 5", "weights": WEIGHTS})
    # U1: A, A, B, C → (100 + 100 + 60 + 20) / 4 = 70; Câu 6 is another question.
    assert dict(got["U1"].metrics) == {"score_percent": Decimal(70), "forms": 4}
    assert got["U1"].explain("score_percent") == "“câu 5”: 2 × A (100 %), 1 × B (60 %), 1 × C (20 %) trên 4 phiếu → 70 %"
    with parrules.speaking("en"):
        english = registry.checks["survey.question"].evaluate(units, {"question": "câu 5", "weights": WEIGHTS})
    assert english["U1"].explain("score_percent") == "'câu 5': 2 × A (100 %), 1 × B (60 %), 1 × C (20 %) over 4 forms → 70 %"
    assert "1 answers not among the options" in english["U2"].explain("forms")
    # U2: P1 B, P2 B (its repeated row counts once) → (60 + 60) / 2 = 60. Left out: P3's E (not an
    # option), P4's blank, P5's two different answers, a row without a form id.
    assert dict(got["U2"].metrics) == {"score_percent": Decimal(60), "forms": 2}
    assert dict(got["U2"].issues) == {"duplicate_row": 1, "unknown_answer": 1, "missing_answer": 1,
                                      "conflicting_answers": 2, "missing_form": 1}
    assert "1 câu trả lời không thuộc các phương án" in got["U2"].explain("forms")
    # U3 never answered Câu 5: no value, so the leaf's if_no_value decides.
    assert dict(got["U3"].metrics) == {"score_percent": None, "forms": 0}


def test_question_score_keeps_exact_thirds(registry, tmp_path) -> None:
    path = write(tmp_path, "U1,P1,Q,A\nU1,P2,Q,B\nU1,P3,Q,D\n")
    got = registry.checks["survey.question"].evaluate([unit("U1", tmp_path, survey=path)],
                                                       {"question": "Q", "weights": WEIGHTS})
    assert got["U1"].metrics["score_percent"] == Decimal(160) / 3


def test_sipas_index_is_the_share_of_satisfied_answers(registry, tmp_path) -> None:
    nfd = unicodedata.normalize("NFD", "Rất hài lòng")
    path = write(tmp_path, f"""
        U1,P1,Q1,Hài lòng
        U1,P1,Q2,{nfd}
        U1,P1,Q3,Bình thường
        U1,P2,Q1,Không hài lòng
        U1,P2,Q2,hài lòng
        U1,P2,Q3,Không ý kiến
        U1,P3,Q1,
        U2,P1,Q1,Rất không hài lòng
        U3,P1,Q1,Không ý kiến
        """)
    units = [unit(c, tmp_path, survey=path) for c in ("U1", "U2", "U3")]
    got = registry.checks["survey.sipas"].evaluate(units, {})
    # U1: on the scale: Hài lòng, Rất hài lòng (NFD), Bình thường, Không hài lòng, hài lòng = 5;
    # satisfied 3 → 60 %; "Không ý kiến" and the blank are reported, not counted.
    assert dict(got["U1"].metrics) == {"sipas_index": Decimal(60), "forms": 2}
    assert dict(got["U1"].issues) == {"unknown_answer": 1, "missing_answer": 1}
    assert got["U1"].explain("sipas_index").startswith("3/5 câu trả lời trên thang đo là hài lòng, từ 2 phiếu → 60 %")
    assert dict(got["U2"].metrics) == {"sipas_index": Decimal(0), "forms": 1}
    assert dict(got["U3"].metrics) == {"sipas_index": None, "forms": 0}
    only_q1 = registry.checks["survey.sipas"].evaluate(units[:1], {"questions": ["Q1"]})
    assert dict(only_q1["U1"].metrics) == {"sipas_index": Decimal(50), "forms": 2}


def test_xlsx_and_column_mapping(registry, tmp_path) -> None:
    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Đơn vị", "Số phiếu", "Nội dung câu hỏi", "Phương án"])
    for form, answer in (("1", "A"), ("2", "D"), ("3", "B"), ("4", "B")):
        sheet.append(["U1", form, "Câu 1", answer])
    path = tmp_path / "phieu.xlsx"
    book.save(path)
    params = {"data": "phieu", "question": "Câu 1", "weights": WEIGHTS,
              "columns": {"unit": "Đơn vị", "form": "Số phiếu", "question": "Nội dung câu hỏi", "answer": "Phương án"}}
    got = registry.checks["survey.question"].evaluate([unit("U1", tmp_path, phieu=path)], params)
    assert dict(got["U1"].metrics) == {"score_percent": Decimal(55), "forms": 4}  # (100+0+60+60)/4


def test_missing_and_malformed_files_error_only_their_units(registry, tmp_path) -> None:
    good = write(tmp_path, "U1,P1,Q,Hài lòng\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("Mã đơn vị,Phiếu,Câu hỏi,Trả lời\nU2,P1,Q,Hài lòng\n", encoding="utf-8")
    units = [unit("U1", tmp_path, survey=good), unit("U2", tmp_path, survey=bad), unit("U3", tmp_path)]
    got = registry.checks["survey.sipas"].evaluate(units, {})
    assert got["U1"].metrics["sipas_index"] == Decimal(100)
    assert isinstance(got["U2"], parrules.ProblemsError) and "Mã phiếu" in str(got["U2"])
    assert isinstance(got["U3"], parrules.ProblemsError) and "--data survey=" in str(got["U3"])


def test_scored_through_a_criteria_set(registry, tmp_path) -> None:
    path = write(tmp_path, "U1,P1,Câu 1,A\nU1,P2,Câu 1,C\nU2,P1,Câu 1,D\n"
                           "U1,P1,SIPAS,Hài lòng\nU1,P2,SIPAS,Bình thường\n")
    set_path = tmp_path / "set.toml"
    set_path.write_text(textwrap.dedent("""
        [set]
        id = "survey"
        name = "Điều tra xã hội học"
        level = "district"
        total_points = 12

        [criteria."1"]
        name = "Câu 1"
        max_points = 2
        rule = "proportional"
        check = "survey.question"
        metric = "score_percent"
        check_params = { question = "Câu 1", weights = { A = 100, B = 60, C = 20, D = 0 } }

        [criteria."2"]
        name = "Chỉ số SIPAS"
        max_points = 10
        rule = "proportional"
        check = "survey.sipas"
        metric = "sipas_index"
        if_no_value = "zero"
        check_params = { questions = ["SIPAS"] }
        """), encoding="utf-8")
    criteria = parrules.load_criteria_set(set_path, registry)
    subs = []
    for code in ("U1", "U2"):
        sub = tmp_path / f"{code}.toml"
        sub.write_text(f'[unit]\ncode = "{code}"\nname = "Đơn vị {code}"\nkind = "district"\nperiod = 2024\n',
                       encoding="utf-8")
        subs.append(parrules.load_submission(sub))
    run = parrules.score_many(criteria, subs, data={"survey": path})
    u1, u2 = run.units
    assert u1.leaf("1").final_points == Decimal("1.2")  # (100 + 20) / 2 = 60 % of 2
    assert u2.leaf("1").final_points == Decimal(0)
    assert u1.leaf("2").final_points == Decimal(5)  # 1 of 2 satisfied = 50 % of 10
    assert u2.leaf("2").final_points == Decimal(0)
    assert u2.leaf("2").explanation == "không có câu trả lời nào trên thang đo mức độ hài lòng; không có số liệu → 0 điểm"
    # a rate the check rounds as the set declares is not repeated by the rule that scores it
    assert u1.leaf("2").explanation == ("1/2 câu trả lời trên thang đo là hài lòng, từ 2 phiếu → 50 % × 10 "
                                        "→ 5/10 điểm")
