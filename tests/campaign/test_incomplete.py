"""A campaign with a criterion nothing scored says so, loudly, everywhere: stderr, exit code 3 (0 with
--provisional), and a mark in every report; the unit is not ranked as if its total were complete."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest

import parrules
from parrules.cli.main import main

from .test_campaign import write_campaign


@pytest.fixture(autouse=True)
def _english():
    """These tests read the English texts of problems (a Vietnamese run is pinned in
    tests/sets/test_problem_language.py): the library speaks the voice active when a problem is made."""
    with parrules.speaking(language="en"):
        yield



@pytest.fixture
def campaign(tmp_path: Path) -> Path:
    path = write_campaign(tmp_path)
    sub = path.parent / "submissions" / "so-b.toml"  # Sở B forgets criterion 2.2
    sub.write_text(sub.read_text(encoding="utf-8").replace('"2.2" = 0\n', ""), encoding="utf-8")
    return path


def test_exit_3_with_a_summary_and_every_report_marked(campaign: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["campaign", str(campaign), "-o", str(out)]) == 3
    captured = capsys.readouterr()
    assert "chưa đủ: 1/4 đơn vị có tiêu chí chưa chấm được (1 tiêu chí)" in captured.err  # the set speaks Vietnamese
    assert "SB (Sở B): 2.2 chưa đánh giá" in captured.err and "--provisional" in captured.err
    assert "⚠ chưa đủ: 2.2 chưa đánh giá" in captured.out  # the ranking printed on the terminal

    data = json.loads((out / "thu-2024.json").read_text(encoding="utf-8"))
    assert data["complete"] is False
    sb = next(u for u in data["units"] if u["unit"]["code"] == "SB")
    assert sb["incomplete"] == [{"code": "2.2", "status": "not_evaluated",
                                 "reason": "Chưa có điểm: không có điểm tự chấm, minh chứng hay điểm thẩm định"}]
    assert sb["placing"]["rank"] is None  # 80 points, but not a complete 80
    sc = next(u for u in data["units"] if u["unit"]["code"] == "SC")
    assert sc["incomplete"] == [] and sc["placing"]["rank"] == 2

    rows = list(csv.reader(io.StringIO((out / "thu-2024.csv").read_text(encoding="utf-8-sig")), delimiter=";"))
    status = rows[0].index("Tình trạng")
    by_code = {row[3]: row for row in rows[1:]}
    assert by_code["SB"][status] == "chưa đủ: 2.2 chưa đánh giá" and by_code["SC"][status] == "đủ"

    md = (out / "thu-2024.md").read_text(encoding="utf-8")
    assert md.splitlines()[2].startswith("> **KẾT QUẢ CHƯA ĐẦY ĐỦ — 1 đơn vị có 1 tiêu chí chưa chấm được")
    html = (out / "thu-2024.html").read_text(encoding="utf-8")
    assert '<p class="incomplete" role="alert"><strong>KẾT QUẢ CHƯA ĐẦY ĐỦ' in html
    assert html.index("KẾT QUẢ CHƯA ĐẦY ĐỦ") < html.index("Xếp hạng —")
    book = openpyxl.load_workbook(out / "thu-2024.xlsx", read_only=True)
    assert book.sheetnames[0] == "CHƯA ĐẦY ĐỦ"
    ranking = book["Xếp hạng"]
    rows = list(ranking.iter_rows(values_only=True))
    headers = next(r for r in rows if "Tình trạng" in r)  # below the title block
    row = next(r for r in rows if r[headers.index("Mã đơn vị")] == "SB")
    assert row[headers.index("Tình trạng")] == "chưa đủ: 2.2 chưa đánh giá" and row[headers.index("Xếp hạng")] == "—"  # not ranked
    import docx  # python-docx: the annex states it too, before its table, and in the unit's row

    annex = docx.Document(str(out / "thu-2024.docx"))
    assert any(p.text.startswith("KẾT QUẢ CHƯA ĐẦY ĐỦ") for p in annex.paragraphs)
    cells = [c.text for table in annex.tables for r in table.rows for c in r.cells]
    assert "chưa đủ: 2.2 chưa đánh giá" in cells


def test_provisional_accepts_and_still_marks(campaign: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["campaign", str(campaign), "-o", str(out), "--formats", "json", "--provisional"]) == 0
    assert "chấp nhận là kết quả tạm thời" in capsys.readouterr().err
    assert json.loads((out / "thu-2024.json").read_text(encoding="utf-8"))["complete"] is False


def test_score_says_the_same(campaign: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = campaign.parent.parent
    code = main(["score", str(base / "sets" / "hand.toml"), str(campaign.parent / "submissions"), "--format", "json"])
    captured = capsys.readouterr()
    assert code == 3 and "SB (Sở B): 2.2 chưa đánh giá" in captured.err
    data = json.loads(captured.out)
    assert data["complete"] is False
    assert [u["unit"]["code"] for u in data["units"] if u["incomplete"]] == ["SB"]


def test_a_complete_campaign_exits_0_and_says_nothing_of_it(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["campaign", str(write_campaign(tmp_path)), "-o", str(out), "--formats", "json,md"]) == 0
    assert "chưa đủ" not in capsys.readouterr().err
    assert json.loads((out / "thu-2024.json").read_text(encoding="utf-8"))["complete"] is True
    assert "CHƯA ĐẦY ĐỦ" not in (out / "thu-2024.md").read_text(encoding="utf-8")


def test_the_summary_in_english(campaign: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["campaign", str(campaign), "-o", str(tmp_path / "out"), "--formats", "json", "--lang", "en"]) == 3
    err = capsys.readouterr().err
    assert "SB (Sở B): 2.2 not evaluated" in err and "--provisional" in err


def test_validate_says_it_first(campaign: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = campaign.parent.parent
    assert main(["validate", "--lang", "en", str(base / "sets" / "hand.toml"), str(campaign.parent / "submissions")]) == 1
    err = capsys.readouterr().err
    assert "so-b.toml" in err and 'answers."2.2"' in err and "would be 'not evaluated'" in err
    assert "Traceback" not in err
