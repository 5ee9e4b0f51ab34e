"""The habits a user of a command line expects (issue #12): `--lang`, texts from the catalogue, tables
that fit the terminal and pipe as plain text, a progress line on long runs, `--quiet`, a summary line,
`-o -` and `-` for standard input, options checked before any work, errors as JSON under
`--format json`, and `--detail` that shows names, explanations and the flags themselves."""

from __future__ import annotations

import io
import json
import re
import sys
import time
import types
from decimal import Decimal
from pathlib import Path

import pytest

import parrules
import parrules.reports.views
from parrules.cli import tables
from parrules.cli.main import build_parser, main
from parrules.cli.progress import ProgressBar
from parrules.messages import speaking
from parrules.plugins.hookspecs import hookimpl
from parrules.testing import build_set, build_submission, registry_with

from ..campaign.test_campaign import write_campaign
from ..conftest import ROOT

FIRST = ROOT / "examples" / "first-set"
SET, SUBS = FIRST / "criteria.toml", FIRST / "submissions"
SNV, STP = SUBS / "so-noi-vu.toml", SUBS / "so-tu-phap.toml"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
BOX = set("─│┌┐└┘├┤┬┴┼━┃╭╮╯╰")


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    """`parrules ARGS` in this process: (exit code, standard output, standard error)."""
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:  # argparse's usage errors
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def cells(line: str) -> list[str]:
    """The cells of a plain table's row (two spaces or more between columns)."""
    return re.split(r"\s{2,}", line.strip())


def explanations(capsys: pytest.CaptureFixture[str], *args: object) -> dict[str, str]:
    """Each criterion's explanation as `score --format json` gives it for the first-set submission(s)."""
    code, out, _ = run(capsys, "score", SET, *args, "--format", "json")
    assert code == 0
    return {leaf["code"]: leaf["explanation"] for leaf in json.loads(out)["units"][0]["leaves"]}


def pipe_in(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    """Standard input as a pipe holding `data`."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


@pytest.fixture
def incomplete_campaign(tmp_path: Path) -> Path:
    """The hand-scored campaign (4 units, a 100-point set) where Sở B leaves criterion 2.2 unscored."""
    path = write_campaign(tmp_path)
    sub = path.parent / "submissions" / "so-b.toml"
    sub.write_text(sub.read_text(encoding="utf-8").replace('"2.2" = 0\n', ""), encoding="utf-8")
    return path


# -- --lang ---------------------------------------------------------------------------------------------
def test_every_builtin_command_takes_lang() -> None:
    """`serve` is left out: a service's texts belong to each campaign it holds (the campaign's or its
    set's declared language), not to the command that started it."""
    parser = build_parser(registry_with())
    commands = next(a for a in parser._actions if a.dest == "command").choices
    missing = [name for name, sub in commands.items()
               if not any("--lang" in a.option_strings for a in sub._actions)]
    assert missing == ["serve"]


def test_vietnamese_by_default_english_with_lang_en(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "score", SET, SNV)
    assert code == 0
    assert "Tổng điểm: 16,75 / 20,00  ·  Chỉ số: 83,75 %  ·  Xếp loại: Nhóm tương đối cao" in out
    assert err.splitlines()[-1] == "Đã chấm 1 đơn vị"
    code, out, err = run(capsys, "score", SET, SNV, "--lang", "en")
    assert code == 0
    assert "Total: 16.75 of 20.00  ·  Index: 83.75 %  ·  Band: Nhóm tương đối cao" in out
    assert out.splitlines()[1].split() == ["Code", "Field", "/", "criterion", "Max", "Points", "Share", "%"]
    assert err.splitlines()[-1] == "Scored 1 unit"


def test_a_set_declares_its_language_and_lang_overrides_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    english = tmp_path / "criteria.toml"
    english.write_text(SET.read_text(encoding="utf-8").replace("[set]\n", '[set]\nlanguage = "en"\n', 1),
                       encoding="utf-8")
    code, out, err = run(capsys, "score", english, SNV)
    assert code == 0 and "Total: 16.75 of 20.00" in out and err == "Scored 1 unit\n"
    code, out, err = run(capsys, "score", english, SNV, "--lang", "vi")
    assert code == 0 and "Tổng điểm: 16,75 / 20,00" in out and err == "Đã chấm 1 đơn vị\n"
    code, _, err = run(capsys, "score", english, tmp_path / "nope.toml")  # said in the set's language too
    assert code == 1 and err.splitlines()[-1] == "1 problem found; nothing was scored."


def test_a_campaign_declares_its_language_and_lang_overrides_it(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = write_campaign(tmp_path, 'language = "en"\n')
    code, out, err = run(capsys, "campaign", path)
    assert code == 0 and out.startswith("Ranking — departments (3 units)\nRank ") and err == "Scored 4 units\n"
    code, out, err = run(capsys, "campaign", path, "--lang", "vi")
    assert code == 0 and out.startswith("Xếp hạng — departments (3 đơn vị)\nHạng ") and err == "Đã chấm 4 đơn vị\n"


def test_vi_is_a_deprecated_alias_of_lang_vi(capsys: pytest.CaptureFixture[str]) -> None:
    _, by_lang, _ = run(capsys, "score", SET, SUBS, "--lang", "en")
    code, out, err = run(capsys, "score", SET, SUBS, "--lang", "en", "--vi")  # the last one given wins
    assert code == 0 and out != by_lang and "5,25" in out
    assert out == run(capsys, "score", SET, SUBS, "--lang", "vi")[1]
    assert err.splitlines()[0] == "--vi đã cũ và sẽ bị bỏ: dùng --lang vi"


def test_an_unknown_language_is_wrong_usage(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "score", SET, SUBS, "--lang", "fr")
    assert code == 2 and out == "" and "--lang" in err and "'fr'" in err  # said in Vietnamese: fr is no language


def test_reports_are_written_in_the_language_of_the_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_campaign(tmp_path)
    assert run(capsys, "campaign", path, "-o", tmp_path / "out", "--formats", "json,md", "--lang", "en")[0] == 0
    written = (tmp_path / "out" / "thu-2024.md").read_text(encoding="utf-8")
    assert "## Ranking — departments" in written and "Xếp hạng" not in written
    data = json.loads((tmp_path / "out" / "thu-2024.json").read_bytes(), parse_float=Decimal)
    english = parrules.reports.render(data, "md", language="en")
    assert english != parrules.reports.render(data, "md", language="vi")
    assert run(capsys, "report", tmp_path / "out" / "thu-2024.json", "--format", "md", "-o", tmp_path / "r.md",
               "--lang", "en")[0] == 0
    assert (tmp_path / "r.md").read_bytes() == english


# -- texts from the catalogue ------------------------------------------------------------------------------
def test_the_incomplete_summary_in_both_languages(incomplete_campaign: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "campaign", incomplete_campaign)
    assert code == 3
    assert "chưa đủ: 1/4 đơn vị có tiêu chí chưa chấm được (1 tiêu chí)" in err
    assert "  SB (Sở B): 2.2 chưa đánh giá — " in err
    assert "kết quả chưa đầy đủ (mã thoát 3)" in err and "--provisional" in err
    assert "⚠ chưa đủ: 2.2 chưa đánh giá" in out
    code, out, err = run(capsys, "campaign", incomplete_campaign, "--lang", "en", "--provisional")
    assert code == 0
    assert "incomplete: 1 of 4 units have criteria not scored (1 in all)" in err
    assert "  SB (Sở B): 2.2 not evaluated — " in err
    assert "accepted as provisional (--provisional)" in err
    assert "⚠ incomplete: 2.2 not evaluated" in out


def test_problem_counts_say_nothing_was_scored_only_after_commands_that_score(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.toml"
    for args in (["validate", missing], ["show", missing], ["doc", missing], ["diff", missing, missing]):
        code, _, err = run(capsys, *args, "--lang", "en")
        assert code == 1 and err.splitlines()[-1] in ("1 problem found.", "2 problems found."), (args, err)
    code, _, err = run(capsys, "score", missing, SNV, "--lang", "en")
    assert code == 1 and err.splitlines()[-1] == "1 problem found; nothing was scored."
    code, _, err = run(capsys, "campaign", missing)
    assert code == 1 and err.splitlines()[-1] == "Có 1 lỗi trong dữ liệu; chưa chấm điểm đơn vị nào."


def test_usage_errors_in_both_languages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_campaign(tmp_path)
    assert run(capsys, "campaign", path, "-o", "-") == \
        (2, "", "parrules: lỗi cách dùng: campaign ghi nhiều tệp: -o cần một thư mục (parrules report … -o - ghi "
                "một báo cáo ra đầu ra chuẩn)\n")
    code, _, err = run(capsys, "campaign", path, "-o", "-", "--lang", "en")
    assert code == 2 and err.startswith("parrules: error: campaign writes several files")


# -- tables -----------------------------------------------------------------------------------------------
def test_tables_are_plain_text_when_not_on_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("COLUMNS", "40")  # a narrow terminal is no reason to wrap what goes to a pipe
    code, out, _ = run(capsys, "score", SET, STP, "--detail", "--lang", "en")
    assert code == 0
    assert not ANSI.search(out) and not BOX & set(out)
    assert all(line == line.rstrip() for line in out.splitlines())
    row = next(line for line in out.splitlines() if line.startswith("1.1 "))
    assert row.endswith(explanations(capsys, STP, "--lang", "en")["1.1"]) and len(row) > 40


def _cells_width(text: str) -> int:
    from rich.cells import cell_len

    return max(cell_len(ANSI.sub("", line)) for line in text.splitlines())


def test_a_terminal_table_fits_its_width_wrapping_names_never_cutting_figures() -> None:
    name = "Ủy ban nhân dân huyện Đắk R'Lấp và các phòng chuyên môn trực thuộc"
    columns = [tables.Column("Mã"), tables.Column("Đơn vị", wrap=True), tables.Column("Tổng điểm", figure=True),
               tables.Column("Chỉ số %", figure=True)]
    rows = [["DRL", name, "1.234,56", "83,55"], ["TD", "Tuy Đức", "12,64", "100,00"]]
    drawn = tables.draw(columns, rows, width=50)
    assert _cells_width(drawn) <= 50
    plain = ANSI.sub("", drawn)
    assert "1.234,56" in plain and "83,55" in plain and "100,00" in plain and "…" not in plain
    lines = [line for line in plain.splitlines() if line.strip()]
    first = next(i for i, line in enumerate(lines) if line.startswith("DRL"))
    assert " ".join(line[5:].split("1.234,56")[0].strip() for line in lines[first:first + 4]
                    if not line.startswith("TD")).startswith("Ủy ban nhân dân huyện")  # wrapped, not cut
    assert len([line for line in lines[first:] if not line.startswith("TD")]) > 1
    # narrower than the figures themselves: the table takes what they need rather than cut one
    narrow = ANSI.sub("", tables.draw(columns, rows, width=10))
    assert "1.234,56" in narrow and "100,00" in narrow


def test_score_draws_for_the_terminal_it_is_on(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.delenv("NO_COLOR", raising=False)
    code, out, _ = run(capsys, "score", SET, STP, "--detail", "--lang", "en")
    assert code == 0 and ANSI.search(out)  # a terminal gets the header in bold
    table = out.split("Total: ")[0]
    assert _cells_width(table) <= 100
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    said = explanations(capsys, STP, "--lang", "en")["1.1"].split()
    lines = [ANSI.sub("", line) for line in table.splitlines()]
    first = next(i for i, line in enumerate(lines) if line.startswith("1.1 "))
    wrapped = " ".join(" ".join(line.split()) for line in lines[first:first + 4])
    assert len(said) > 8 and " ".join(said[-6:]) in wrapped and "…" not in wrapped  # wrapped, whole


def test_not_a_figure_is_shown_as_its_label_never_as_zero(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", SET, SUBS, "--lang", "en")
    stp = next(cells(line) for line in out.splitlines() if line.startswith("STP "))
    assert stp[2:7] == ["2.50", "6.00", "4.14", "not evaluated", "12.64"]  # field T's one criterion was not
    code, out, _ = run(capsys, "score", SET, STP, "--detail")
    row = next(cells(line) for line in out.splitlines() if line.startswith("2.3 "))
    assert row[:5] == ["2.3", "Tiếp nhận, trả kết quả qua bưu chính công ích", "2,00", "không áp dụng", "không áp dụng"]


def _failing_plugin() -> types.ModuleType:
    plugin = types.ModuleType("failing_checks")

    def broken(units, params):
        raise RuntimeError("the export could not be read")

    @hookimpl
    def register_checks(register):
        register("demo.broken", broken, description="always fails", metrics={"n": "n"})

    plugin.register_checks = register_checks  # type: ignore[attr-defined]
    return plugin


def test_an_errored_criterion_and_its_field_show_the_error_label() -> None:
    criteria = build_set({
        "1": {"name": "Lĩnh vực một", "max_points": 2},
        "1.1": {"name": "Số hóa", "max_points": 1, "rule": "proportional", "check": "demo.broken", "metric": "n"},
        "1.2": {"name": "Ban hành", "max_points": 1, "rule": "yes_no"},
        "2": {"name": "Lĩnh vực hai", "max_points": 1, "rule": "proportional", "check": "demo.broken", "metric": "n"},
    }, registry=registry_with(_failing_plugin()))
    run_result = parrules.score_many(criteria, [build_submission("U1", answers={"1.2": True}),
                                                build_submission("U2", answers={"1.2": False})])
    with speaking("vi", decimals=2, percent_decimals=2):
        table = tables.run_table(run_result, criteria)
        detail = tables.unit_table(run_result.unit("U1"), criteria, detail=True)
    u1 = next(cells(line) for line in table.splitlines() if line.startswith("U1 "))
    assert u1 == ["U1", "Đơn vị U1", "1,00", "lỗi", "1,00", "33,33", "⚠ chưa đủ"]  # field 2 is all error
    row = next(cells(line) for line in detail.splitlines() if line.startswith("1.1 "))
    assert row[2:5] == ["1,00", "lỗi", "lỗi"] and row[5].endswith("the export could not be read")
    field = next(cells(line) for line in detail.splitlines() if line.startswith("2 "))
    assert field[2:5] == ["1,00", "lỗi", "—"]


def test_one_column_when_the_index_repeats_the_total(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "campaign", write_campaign(tmp_path))  # a 100-point set: index = total
    assert code == 0
    header = out.splitlines()[1].split()
    assert header == ["Hạng", "Mã", "Đơn", "vị", "Tổng", "điểm", "Xếp", "loại"]
    assert "Nhóm A" in out  # the band's name, not its code
    code, out, _ = run(capsys, "score", SET, SUBS)  # 20 points: the index says something else
    assert "Chỉ số %" in out.splitlines()[1] and "Nhóm tương đối cao" in out and "tuong_doi_cao" not in out


def test_detail_names_each_criterion_explains_it_and_lists_the_flags(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", SET, STP, "--detail", "--lang", "en")
    assert code == 0
    lines = out.splitlines()
    row = next(line for line in lines if line.startswith("1.1 "))
    assert "  Ban hành kế hoạch CCHC năm đúng thời hạn " in row  # the name where the name belongs
    said = explanations(capsys, STP, "--lang", "en")
    top_leaf = next(line for line in lines if line.startswith("3 "))  # a field that is itself a leaf
    assert "Sự hài lòng của người dân, tổ chức" in top_leaf and top_leaf.endswith(said["3"])
    flags = lines[lines.index("Flags for the appraisers:") + 1:]
    leaves = json.loads(run(capsys, "score", SET, STP, "--format", "json", "--lang", "en")[1])["units"][0]["leaves"]
    with speaking("en"):
        expected = [f"  {leaf['code']}  {parrules.reports.views.flag_label(f['kind'])}: {f['message']}"
                    for leaf in leaves for f in leaf.get("flags", [])]
    assert flags == expected and len(flags) == 4 and "flag(s)" not in out
    assert flags[0].startswith("  1.1  Self-score above the evidence: ")


# -- progress ---------------------------------------------------------------------------------------------
class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_line_appears_on_a_terminal_only_after_a_while() -> None:
    with speaking("en"):
        quick = _Terminal()
        with ProgressBar(quick, after=5) as bar:
            bar("scoring", 0, 10)
            bar("scoring", 10, 10)
        assert quick.getvalue() == ""  # a run that ends quickly stays silent
        slow = _Terminal()
        with ProgressBar(slow, after=0.05) as bar:
            bar("scoring", 3, 10)
            time.sleep(0.5)
        assert "scoring" in ANSI.sub("", slow.getvalue())


def test_progress_elsewhere_only_when_asked_and_then_plain(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = io.StringIO()
    ProgressBar(log)("scoring", 1, 1)
    assert log.getvalue() == ""
    path = write_campaign(tmp_path)
    code, _, err = run(capsys, "campaign", path, "--lang", "en")
    assert code == 0 and err == "Scored 4 units\n"
    code, _, err = run(capsys, "campaign", path, "--lang", "en", "--progress")
    assert code == 0 and "scoring  [" in err and "4/4" in err and not ANSI.search(err)
    code, _, err = run(capsys, "campaign", path, "--progress")
    assert "chấm điểm [" in err


# -- --quiet and the summary line ---------------------------------------------------------------------------
def test_quiet_prints_only_problems(tmp_path: Path, incomplete_campaign: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    good = write_campaign(tmp_path / "good")
    assert run(capsys, "campaign", good, "--quiet") == (0, "", "")
    assert run(capsys, "campaign", good, "-q", "-o", tmp_path / "out", "--formats", "json") == (0, "", "")
    assert (tmp_path / "out" / "thu-2024.json").is_file()
    assert run(capsys, "report", tmp_path / "out" / "thu-2024.json", "--format", "csv", "-o", tmp_path / "r.csv",
               "-q") == (0, "", "")
    assert run(capsys, "score", SET, SUBS, "-q", "-o", tmp_path / "s.json", "--format", "json") == (0, "", "")
    code, out, err = run(capsys, "score", SET, SUBS, "-q")
    assert code == 0 and "SNV" in out and err == ""  # what was asked for still comes out
    code, out, err = run(capsys, "campaign", incomplete_campaign, "-q")
    assert code == 3 and out == "" and "SB (Sở B): 2.2" in err  # incomplete results are problems


def test_a_summary_line_says_what_was_done(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, out = write_campaign(tmp_path), tmp_path / "out"
    code, _, err = run(capsys, "campaign", path, "-o", out, "--formats", "json,csv")
    assert code == 0 and err.splitlines()[-1] == f"Đã chấm 4 đơn vị, ghi 2 tệp vào {out}"
    code, _, err = run(capsys, "score", SET, SUBS, "-o", tmp_path / "s.txt", "--lang", "en")
    assert code == 0 and err == f"Scored 2 units, wrote {tmp_path / 's.txt'}\n"
    code, _, err = run(capsys, "report", out / "thu-2024.json", "--format", "md", "-o", tmp_path / "r.md", "--lang", "en")
    assert code == 0 and err == f"Wrote {tmp_path / 'r.md'} (md report, 4 units)\n"
    code, _, err = run(capsys, "report", path, "--format", "md", "-o", tmp_path / "r.md", "--lang", "en")
    assert code == 0 and err == f"Scored 4 units, wrote {tmp_path / 'r.md'} (md report)\n"


# -- -o - and - for standard input ----------------------------------------------------------------------------
def test_dash_output_writes_to_standard_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    campaign = write_campaign(tmp_path / "c")
    assert run(capsys, "campaign", campaign, "-o", tmp_path / "out", "--formats", "json", "-q")[0] == 0
    cases = {
        "score": ["score", SET, SUBS, "-o", "-"],
        "score json": ["score", SET, SUBS, "--format", "json", "-o", "-"],
        "doc": ["doc", SET, "-o", "-"],
        "show": ["show", SET, "-o", "-"],
        "show resolved": ["show", SET, "--resolved", "-o", "-"],
        "diff": ["diff", SET, SET, "-o", "-"],
        "schema": ["schema", "submission", "-o", "-"],
        "report": ["report", tmp_path / "out" / "thu-2024.json", "--format", "csv", "-o", "-"],
    }
    for name, args in cases.items():
        code, out, _ = run(capsys, *args)
        assert code == 0 and out.strip(), name
        assert not (tmp_path / "-").exists(), f"{name} wrote a file named '-'"
    code, out, _ = run(capsys, "score", SET, SUBS, "--format", "json", "-o", "-")
    assert [u["unit"]["code"] for u in json.loads(out)["units"]] == ["SNV", "STP"]


def test_a_submission_from_standard_input_toml_or_json(monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    from_file = json.loads(run(capsys, "score", SET, SNV, "--format", "json")[1])["units"][0]
    pipe_in(monkeypatch, SNV.read_bytes())
    code, out, _ = run(capsys, "score", SET, "-", "--format", "json")
    piped = json.loads(out)["units"][0]
    assert code == 0 and piped["total_points"] == from_file["total_points"] == 16.75
    assert piped["provenance"]["inputs"][0]["sha256"] == from_file["provenance"]["inputs"][0]["sha256"]

    data = parrules.files.reading.tomllib.loads(SNV.read_text(encoding="utf-8"))
    pipe_in(monkeypatch, json.dumps(data, default=str).encode())
    code, out, _ = run(capsys, "score", SET, "-", STP, "--format", "json")  # in the order given
    assert code == 0 and [u["unit"]["code"] for u in json.loads(out)["units"]] == ["SNV", "STP"]

    pipe_in(monkeypatch, b'[unit]\ncode = "X"\nname = "X"\nkind = "department"\nperiod = 2024\n[answers]\n"2.1" = \n')
    code, _, err = run(capsys, "validate", SET, "-", "--lang", "en")
    assert code == 1 and err.startswith("error: <stdin>:7: TOML syntax error")

    pipe_in(monkeypatch, SNV.read_bytes())
    code, _, err = run(capsys, "validate", SET, SNV, "-", "--lang", "en")
    assert code == 1 and "error: <stdin>: unit.code: unit code 'SNV' is also used by" in err


def test_standard_input_is_read_once_and_never_from_the_terminal(monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    pipe_in(monkeypatch, SNV.read_bytes())
    code, out, err = run(capsys, "score", SET, "-", "-", "--lang", "en")
    assert (code, out) == (2, "") and "standard input (-) can be read once" in err
    terminal = io.TextIOWrapper(io.BytesIO(b""), encoding="utf-8")
    monkeypatch.setattr(terminal, "isatty", lambda: True)
    monkeypatch.setattr(sys, "stdin", terminal)
    code, out, err = run(capsys, "score", SET, "-")
    assert (code, out) == (2, "") and "đầu vào chuẩn là màn hình" in err


# -- options before work, errors as JSON ----------------------------------------------------------------------
def test_options_are_checked_before_any_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    def no_work(*args: object, **kwargs: object) -> None:
        raise AssertionError("the campaign was loaded before the options were checked")

    monkeypatch.setattr("parrules.campaign.run.load_campaign", no_work)
    path = write_campaign(tmp_path)
    for extra in ([], ["-o", tmp_path / "out"]):
        code, out, err = run(capsys, "campaign", path, "--formats", "html,pdf", *extra, "--lang", "en")
        assert (code, out) == (2, "") and "unknown format 'pdf'" in err
    assert not (tmp_path / "out").exists()
    (tmp_path / "afile").write_text("keep", encoding="utf-8")
    code, out, _ = run(capsys, "campaign", path, "-o", tmp_path / "afile" / "sub")
    assert (code, out) == (2, "")
    code, out, _ = run(capsys, "score", SET, SUBS, "--data", "dossiers")
    assert (code, out) == (2, "")


def test_problems_are_json_on_standard_output_under_format_json(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[unit]\ncode = "X"\nname = "X"\nkind = "department"\nperiod = 2024\n[answers]\n"9.9" = 1\n',
                   encoding="utf-8")
    code, out, err = run(capsys, "score", SET, bad, "--format", "json")
    assert code == 1 and "error: " in err
    problems = json.loads(out)["problems"]
    assert problems and problems[0]["file"] == str(bad) and problems[0]["path"] == 'answers."9.9"'
    assert set(problems[0]) == {"file", "path", "line", "code", "message", "hint"}
    code, out, _ = run(capsys, "score", SET, SUBS, "--format", "json", "-o", tmp_path)  # a folder: wrong usage
    assert code == 2 and json.loads(out)["problems"][0]["code"] == "usage"
    code, out, _ = run(capsys, "diff", SET, tmp_path / "nope.toml", "--format", "json", "--lang", "en")
    assert code == 1 and json.loads(out)["problems"][0]["message"] == "criteria set not found"
    code, out, _ = run(capsys, "diff", SET, tmp_path / "nope.toml", "--format", "json")  # the run's language
    assert code == 1 and json.loads(out)["problems"][0]["message"] == "không tìm thấy bộ tiêu chí"
    code, out, _ = run(capsys, "score", SET, bad)  # a table was asked for: the problems stay on standard error
    assert code == 1 and out == ""


def _voice_plugin() -> types.ModuleType:
    """A check whose explanation says the language it was asked in."""
    from parrules import Measurement
    from parrules.messages import current_voice

    plugin = types.ModuleType("voice_checks")

    def voice(units, params):
        return {u.code: Measurement({"n": Decimal(1)}, {"n": f"voice={current_voice().language}"}) for u in units}

    @hookimpl
    def register_checks(register):
        register("demo.voice", voice, description="says its language", metrics={"n": "n"})

    plugin.register_checks = register_checks  # type: ignore[attr-defined]
    return plugin


def test_the_engine_writes_explanations_in_the_language_of_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from ..plugins.test_plugins import main_with

    registry = registry_with(_voice_plugin())
    (tmp_path / "set.toml").write_text('[set]\nid = "v"\nname = "Giọng"\nlevel = "department"\ntotal_points = 1\n'
                                       '[criteria."1"]\nname = "Giọng"\nmax_points = 1\nrule = "proportional"\n'
                                       'check = "demo.voice"\nmetric = "n"\n', encoding="utf-8")
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "u1.toml").write_text('[unit]\ncode = "U1"\nname = "Đơn vị"\nkind = "department"\n'
                                               'period = 2024\n', encoding="utf-8")

    def explanation(*args: object) -> str:
        assert main_with(registry, monkeypatch, [str(a) for a in args]) == 0
        return json.loads(capsys.readouterr().out)["units"][0]["leaves"][0]["explanation"]

    assert "voice=vi" in explanation("score", tmp_path / "set.toml", tmp_path / "subs", "--format", "json")
    assert "voice=en" in explanation("score", tmp_path / "set.toml", tmp_path / "subs", "--format", "json",
                                     "--lang", "en")
    campaign = tmp_path / "campaign.toml"
    campaign.write_text('[campaign]\nid = "v"\nname = "V"\ncriteria_set = "set.toml"\nsubmissions = ["subs"]\n'
                        'language = "en"\n', encoding="utf-8")
    assert main_with(registry, monkeypatch, ["campaign", str(campaign), "-o", str(tmp_path / "out"),
                                             "--formats", "json", "-q"]) == 0
    leaf = json.loads((tmp_path / "out" / "v.json").read_text(encoding="utf-8"))["units"][0]["leaves"][0]
    assert "voice=en" in leaf["explanation"]
