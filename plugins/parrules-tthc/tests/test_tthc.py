"""tthc.dossiers over small dossier exports whose metrics are worked out by hand in the comments."""

from __future__ import annotations

import contextlib
import datetime as dt
import textwrap
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import parrules_tthc
import pytest

import parrules

FIXTURE = Path(__file__).parent / "fixtures" / "sample-dossier-export.csv"
HEAD = ("STT,Mã hồ sơ,Mã đơn vị,Đơn vị tiếp nhận,Mã TTHC,Tên TTHC,Mức độ DVC,Hình thức nộp,Ngày tiếp nhận,"
        "Ngày hẹn trả,Ngày trả kết quả,Trả kết quả qua BCCI,Số thư xin lỗi,Ngày thư xin lỗi")
DATE_HEADERS = [HEAD.split(",")[i] for i in (8, 9, 10, 13)]
A1, A2, A3 = "000.00.01.H21", "000.00.02.H21", "000.00.03.H21"
AS_OF = dt.date(2024, 12, 31)

# (id, unit, channel, received, due, completed, returned by post, apology no, apology date)
ROWS = [
    # A1: 7 dossiers, all sound. Resolved 5 (not ); on time → 2/5 = 40 %.
    # Late: resolved late + A-6 open past due on 31/12/2024 = 4 (A-7 is due in 2025).
    # Apology letters for A-3 (dated before due) and A-4 (dated after due) → 2/4 = 50 %, 2 missing,
    # 1 after due. Postal: A-3 by post, A-4 returned by post → 2/7. Online: → 3/7.
    ("A-1", A1, "Trực tuyến", "01/03/2024", "05/03/2024", "04/03/2024", "Không", "", ""),
    ("A-2", A1, "Trực tiếp", "01/03/2024", "05/03/2024", "05/03/2024", "Không", "", ""),
    ("A-3", A1, "Bưu chính công ích", "01/03/2024", "05/03/2024", "07/03/2024", "Không", "12/TXL", "04/03/2024"),
    ("A-4", A1, "Trực tiếp", "01/03/2024", "05/03/2024", "08/03/2024", "Có", "13/TXL", "06/03/2024"),
    ("A-5", A1, "Trực tuyến", "01/03/2024", "05/03/2024", "09/03/2024", "Không", "", ""),
    ("A-6", A1, "Trực tiếp", "01/03/2024", "05/03/2024", "", "Không", "", ""),
    ("A-7", A1, "Trực tuyến", "20/12/2024", "10/01/2025", "", "Không", "", ""),
    # A2 (ISO dates, a code written " 000.00.02.h21 "): 6 rows. Left out: B-3 (no received date),
    # B-4 (30/02), B-5 (completed before received). B-1 appears twice: both rows flagged, both
    # counted. Counted 3 (B-1, B-2, B-1 again), all resolved, on time 2 → 66.67 %; late 1 (B-2),
    # no apology → 0 %. Online 1/3. Bad rows: 3 left out + 2 sharing an id = 5.
    ("B-1", A2, "Trực tuyến", "2024-04-01", "2024-04-10", "2024-04-02", "Không", "", ""),
    ("B-2", " 000.00.02.h21 ", "Trực tiếp", "2024-04-01", "2024-04-10", "2024-04-11", "Không", "", ""),
    ("B-3", A2, "Trực tiếp", "", "10/04/2024", "11/04/2024", "Không", "", ""),
    ("B-4", A2, "Trực tiếp", "30/02/2024", "10/04/2024", "11/04/2024", "Không", "", ""),
    ("B-5", A2, "Trực tiếp", "10/04/2024", "20/04/2024", "05/04/2024", "Không", "", ""),
    ("B-1", A2, "Trực tiếp", "01/04/2024", "10/04/2024", "03/04/2024", "Không", "", ""),
    # A3 exists (in the unit catalogue) but is not scored; 999 exists nowhere.
    ("C-1", A3, "Trực tiếp", "01/04/2024", "10/04/2024", "03/04/2024", "Không", "", ""),
    ("X-1", "999", "Trực tiếp", "01/04/2024", "10/04/2024", "03/04/2024", "Không", "", ""),
]

A1_METRICS = {
    "dossier_count": 7, "resolved_count": 5, "on_time_rate": Decimal(40), "late_count": 4,
    "apology_rate": Decimal(50), "apology_missing": 2, "apology_after_due": 1,
    "postal_rate": Decimal("28.57142857142857142857142857142857"),
    "online_rate": Decimal("42.85714285714285714285714285714286"), "bad_rows": 0,
    # Every row is "Mức độ 3": the three online dossiers are level 3, i.e. partly online; 2 late with a letter.
    "late_with_apology": 2, "online_level3_rate": Decimal("42.85714285714285714285714285714286"),
    "online_level4_rate": Decimal(0), "fully_online_rate": Decimal(0),
    "partly_online_rate": Decimal("42.85714285714285714285714285714286"),
}
A2_METRICS = {
    "dossier_count": 3, "resolved_count": 3, "on_time_rate": Decimal("66.66666666666666666666666666666667"),
    "late_count": 1, "apology_rate": Decimal(0), "apology_missing": 1, "apology_after_due": 0,
    "postal_rate": Decimal(0), "online_rate": Decimal("33.33333333333333333333333333333333"), "bad_rows": 5,
    "late_with_apology": 0, "online_level3_rate": Decimal("33.33333333333333333333333333333333"),
    "online_level4_rate": Decimal(0), "fully_online_rate": Decimal(0),
    "partly_online_rate": Decimal("33.33333333333333333333333333333333"),
}


def csv_text(rows=ROWS) -> str:
    lines = [HEAD]
    for i, (id_, unit, channel, received, due, completed, post, apo_no, apo_date) in enumerate(rows, 1):
        lines.append(",".join([str(i), id_, unit, "Đơn vị", "1.001757", "Thủ tục", "Mức độ 3", channel, received,
                               due, completed, post, apo_no, apo_date]))
    return "\n".join(lines) + "\n"


def write_export(tmp_path: Path, fmt: str, rows=ROWS) -> Path:
    path = tmp_path / f"dossiers.{ 'xlsx' if fmt == 'xlsx' else 'parquet' if fmt.startswith('parquet') else 'csv'}"
    text = csv_text(rows)
    if fmt == "csv_bom":
        path.write_text("\ufeff" + text, encoding="utf-8")
    elif fmt == "csv":
        path.write_text(text, encoding="utf-8")
    elif fmt in ("parquet", "parquet_dates"):
        src = tmp_path / "src.csv"
        src.write_text(text, encoding="utf-8")
        rows_sql = f"SELECT * FROM read_csv('{src}', all_varchar = true)"
        if fmt == "parquet_dates":  # typed DATE columns, as a database dump carries
            cols = ", ".join(f'try_strptime("{h}", \'%d/%m/%Y\')::DATE AS "{h}"' for h in DATE_HEADERS)
            rows_sql = f"SELECT * REPLACE ({cols}) FROM ({rows_sql})"
        duckdb.execute(f"COPY ({rows_sql}) TO '{path}' (FORMAT parquet)")
    else:  # xlsx as exported by a spreadsheet: real date cells where the date is valid, text elsewhere
        book = openpyxl.Workbook()
        sheet = book.active
        for n, line in enumerate(text.splitlines()):
            cells: list[object] = list(line.split(","))
            if n:
                cells[0] = int(cells[0])
                for i in (8, 9, 10, 13):
                    with contextlib.suppress(ValueError):
                        cells[i] = dt.datetime.strptime(str(cells[i]), "%d/%m/%Y")
                cells = [None if c == "" else c for c in cells]
            sheet.append(cells)
        book.save(path)
    return path


def unit(code: str, base: Path, figures: dict | None = None, *, period: str = "2024",
         **data: Path) -> parrules.UnitEvidence:
    return parrules.UnitEvidence(code, f"Đơn vị {code}", "department", period, figures or {}, (), data, base)


def evaluate(units, **params):
    return parrules_tthc.evaluate(units, {"as_of": AS_OF, **params})


@pytest.mark.parametrize("fmt", ["csv_bom", "csv", "parquet", "xlsx"])
def test_metrics_by_hand_in_every_format(tmp_path, fmt) -> None:
    path = write_export(tmp_path, fmt)
    got = evaluate([unit(A1, tmp_path, dossiers=path), unit(A2, tmp_path, dossiers=path)])
    assert dict(got[A1].metrics) == A1_METRICS
    assert dict(got[A2].metrics) == A2_METRICS
    assert got[A2].issues == {"missing_date": 1, "invalid_date": 1, "completed_before_received": 1,
                              "duplicate_id": 2, "unknown_unit": 2}
    assert got[A1].issues == {"unknown_unit": 2}
    assert got[A1].sources == {str(path.resolve()): parrules.records.file_sha256(path)}


def test_parquet_with_typed_date_columns(tmp_path) -> None:
    path = write_export(tmp_path, "parquet_dates", ROWS[:7])  # A1's rows: dd/mm/yyyy, all valid
    assert "DATE" in str(duckdb.execute(f"DESCRIBE SELECT \"Ngày hẹn trả\" FROM '{path}'").fetchall())
    assert dict(evaluate([unit(A1, tmp_path, dossiers=path)])[A1].metrics) == A1_METRICS


CLERK_READS = {  # what each language says of A1's and A2's rows (csv_bom): the run's voice chooses
    "vi": {
        "apology_rate": "4 hồ sơ trễ hạn (3 hồ sơ giải quyết sau ngày hẹn trả, 1 hồ sơ chưa giải quyết đã quá hạn "
                        "tính đến ngày 31/12/2024), 2 thư xin lỗi → 50 %",
        "on_time_rate": "2/5 hồ sơ đã giải quyết đúng hạn → 40 %",
        "a2_on_time_rate": "2/3 hồ sơ đã giải quyết đúng hạn (không tính 3 dòng có lỗi: 1 dòng thiếu ngày tiếp nhận "
                           "hoặc ngày hẹn trả, 1 dòng có ngày không hợp lệ, 1 dòng có ngày hoàn thành trước ngày "
                           "tiếp nhận; 2 dòng trùng mã hồ sơ, vẫn được tính) → 66,67 %",
        "bad_rows": ("5 dòng có lỗi", "1 dòng thiếu ngày tiếp nhận hoặc ngày hẹn trả", "1 dòng có ngày không hợp lệ",
                     "1 dòng có ngày hoàn thành trước ngày tiếp nhận", "2 dòng có mã hồ sơ trùng với dòng khác",
                     "2 dòng trong tệp có mã đơn vị 000.00.03.H21, 999"),
    },
    "en": {
        "apology_rate": "4 late dossiers (3 resolved after the due date, 1 still open past it on 31 Dec 2024), "
                        "2 apology letters → 50 %",
        "on_time_rate": "2 of 5 resolved dossiers resolved by the due date → 40 %",
        "a2_on_time_rate": "2 of 3 resolved dossiers resolved by the due date (3 rows with faults left out: 1 missing "
                           "received or due date, 1 invalid date, 1 completed before received; 2 rows sharing a "
                           "dossier id, counted) → 66.67 %",
        "bad_rows": ("5 rows with faults", "1 missing received or due date", "1 invalid date",
                     "1 completed before received", "2 dossier id also used on another row",
                     "2 rows in the file with unit code 000.00.03.H21, 999"),
    },
}


@pytest.mark.parametrize("language", ["vi", "en"])
def test_explanations_a_clerk_can_read(tmp_path, language) -> None:
    path = write_export(tmp_path, "csv_bom")
    with parrules.speaking(language):
        got = evaluate([unit(A1, tmp_path, dossiers=path), unit(A2, tmp_path, dossiers=path)])
    a1, a2 = got[A1], got[A2]
    said = CLERK_READS[language]
    assert a1.explain("apology_rate") == said["apology_rate"]
    assert a1.explain("on_time_rate") == said["on_time_rate"]
    assert a2.explain("on_time_rate") == said["a2_on_time_rate"]
    bad = a2.explain("bad_rows")
    assert [part for part in said["bad_rows"] if part not in bad] == []
    with parrules.speaking(language, percent_decimals=1):  # rates are rounded as the voice of the run says
        rate = evaluate([unit(A2, tmp_path, dossiers=path)])[A2].explain("on_time_rate")
    assert rate.endswith({"vi": ") → 66,7 %", "en": ") → 66.7 %"}[language])


def test_unit_catalogue_tells_other_units_from_unknown_codes(tmp_path) -> None:
    path = write_export(tmp_path, "csv")
    catalogue = tmp_path / "units.csv"
    catalogue.write_text(f"Mã đơn vị,Tên đơn vị\n{A1},Sở A\n{A2},Sở B\n{A3},Sở C\n", encoding="utf-8")
    got = evaluate([unit(A1, tmp_path, dossiers=path, units=catalogue)])
    assert got[A1].issues == {"unknown_unit": 1}
    assert "mã đơn vị 999 " in got[A1].explain("bad_rows")
    assert str(catalogue.resolve()) in got[A1].sources or str(catalogue) in got[A1].sources


def test_row_without_a_unit_code_is_reported_not_dropped(tmp_path) -> None:
    path = write_export(tmp_path, "csv", [*ROWS[:2], ("Z-1", "", "Trực tiếp", "01/03/2024", "05/03/2024",
                                                      "04/03/2024", "Không", "", "")])
    got = evaluate([unit(A1, tmp_path, dossiers=path)])
    assert got[A1].metrics["dossier_count"] == 2 and got[A1].issues == {"unknown_unit": 1}
    assert "1 dòng trong tệp có mã đơn vị (để trống)" in got[A1].explain("bad_rows")


def test_apology_rate_has_no_value_without_late_dossiers(tmp_path) -> None:
    path = write_export(tmp_path, "csv", ROWS[:2])
    got = evaluate([unit(A1, tmp_path, dossiers=path)])
    assert got[A1].metrics["late_count"] == 0
    assert got[A1].metrics["apology_rate"] is None
    assert got[A1].explain("apology_rate") == "không có hồ sơ trễ hạn: không cần thư xin lỗi"


def test_open_dossier_is_late_only_after_its_due_date(tmp_path) -> None:
    path = write_export(tmp_path, "csv", ROWS[5:7])  # A-6 due 05/03/2024, A-7 due 10/01/2025, both open
    assert evaluate([unit(A1, tmp_path, dossiers=path)], as_of=dt.date(2024, 3, 5))[A1].metrics["late_count"] == 0
    assert evaluate([unit(A1, tmp_path, dossiers=path)], as_of=dt.date(2024, 3, 6))[A1].metrics["late_count"] == 1
    assert evaluate([unit(A1, tmp_path, dossiers=path)], as_of="2025-01-11")[A1].metrics["late_count"] == 2


def test_as_of_defaults_to_the_end_of_a_year_period_not_the_day_of_the_run(tmp_path) -> None:
    # A-6 (due 05/03/2024) and A-7 (due 10/01/2025) are open; no as_of in the params.
    path = write_export(tmp_path, "csv", ROWS[5:7])
    got = parrules_tthc.evaluate([unit(A1, tmp_path, dossiers=path, period="2024")], {})[A1]
    assert got.metrics["late_count"] == 1
    assert "1 hồ sơ chưa giải quyết đã quá hạn tính đến ngày 31/12/2024" in got.explain("late_count")
    got = parrules_tthc.evaluate([unit(A1, tmp_path, dossiers=path, period="2025")], {})[A1]
    assert got.metrics["late_count"] == 2
    assert "2 hồ sơ chưa giải quyết đã quá hạn tính đến ngày 31/12/2025" in got.explain("late_count")


def test_as_of_defaults_to_the_latest_date_in_the_export_when_the_period_is_not_a_year(tmp_path) -> None:
    # Latest received/completed date: A-7 received 20/12/2024 → only A-6 is open past its due date.
    path = write_export(tmp_path, "csv", ROWS[5:7])
    got = parrules_tthc.evaluate([unit(A1, tmp_path, dossiers=path, period="2024-Q4")], {})[A1]
    assert got.metrics["late_count"] == 1
    assert "quá hạn tính đến ngày 20/12/2024" in got.explain("late_count")
    # A-8 completed 15/01/2025 (late itself) moves the date past A-7's due date 10/01/2025.
    a8 = ("A-8", A1, "Trực tiếp", "02/01/2025", "03/01/2025", "15/01/2025", "Không", "", "")
    path = write_export(tmp_path, "csv", [*ROWS[5:7], a8])
    got = parrules_tthc.evaluate([unit(A1, tmp_path, dossiers=path, period="2024-Q4")], {})[A1]
    assert got.metrics["late_count"] == 3
    assert ("(1 hồ sơ giải quyết sau ngày hẹn trả, 2 hồ sơ chưa giải quyết đã quá hạn tính đến ngày 15/01/2025)"
            in got.explain("late_count"))


def test_units_of_different_years_in_one_file_each_get_their_own_as_of(tmp_path) -> None:
    twins = [(f"C-{r[0]}", A2, *r[2:]) for r in ROWS[5:7]]
    path = write_export(tmp_path, "csv", [*ROWS[5:7], *twins])
    got = parrules_tthc.evaluate([unit(A1, tmp_path, dossiers=path, period="2024"),
                                  unit(A2, tmp_path, dossiers=path, period="2025")], {})
    assert got[A1].metrics["late_count"] == 1 and got[A2].metrics["late_count"] == 2
    assert got[A1].issues == {} and got[A2].issues == {}


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_an_id_on_three_rows_flags_all_three_and_blank_ids_are_not_repeats(tmp_path, fmt) -> None:
    base = ROWS[0]
    rows = [(i, *base[1:]) for i in ("X-1", "X-1", "X-2", "X-1", "", "", "X-3", "x-3")]
    got = evaluate([unit(A1, tmp_path, dossiers=write_export(tmp_path, fmt, rows))])[A1]
    assert got.metrics["bad_rows"] == 3 and got.issues == {"duplicate_id": 3}
    assert got.metrics["dossier_count"] == 8


def test_duplicate_ids_can_be_left_unchecked(tmp_path) -> None:
    path = write_export(tmp_path, "csv")
    got = evaluate([unit(A2, tmp_path, dossiers=path)], duplicate_ids=False)
    assert got[A2].metrics["bad_rows"] == 3 and "duplicate_id" not in got[A2].issues
    assert "không kiểm tra mã hồ sơ trùng (duplicate_ids = false)" in got[A2].explain("bad_rows")


def test_typed_parquet_dates(tmp_path) -> None:
    path = tmp_path / "typed.parquet"
    duckdb.execute(f"""COPY (SELECT * FROM (VALUES
        ('T-1', '{A1}', 'Trực tuyến', DATE '2024-05-01', DATE '2024-05-05', DATE '2024-05-06', NULL::DATE),
        ('T-2', '{A1}', 'Trực tiếp', DATE '2024-05-01', DATE '2024-05-05', NULL, NULL)
        ) t(ma, don_vi, kenh, nhan, hen, tra, thu)) TO '{path}' (FORMAT parquet)""")
    columns = {"id": "ma", "unit": "don_vi", "channel": "kenh", "received": "nhan", "due": "hen", "completed": "tra",
               "apology_date": "thu"}
    got = evaluate([unit(A1, tmp_path, dossiers=path)], columns=columns)
    # T-1 resolved a day late, T-2 open past due on 31/12/2024: 2 late, 0 of 1 resolved on time.
    assert got[A1].metrics["late_count"] == 2 and got[A1].metrics["on_time_rate"] == Decimal(0)
    assert got[A1].metrics["online_rate"] == Decimal(50) and got[A1].metrics["postal_rate"] == Decimal(0)


def test_sample_export_and_its_four_faulty_rows() -> None:
    # The last four rows: H21.00031 still open past its due date 20/03/2024 (late, not a fault),
    # H21.00032 completed before received, H21.00005 again with 31/02, unit 000.00.99.H21 unknown.
    units = [unit(code, FIXTURE.parent, dossiers=FIXTURE) for code in ("000.00.19.H21", "000.00.20.H21", "000.00.29.H21")]
    got = evaluate(units)
    tp, nv, dm = (got[u.code] for u in units)
    # Sở Tư pháp: 9 rows, all counted; 7 of 8 resolved on time; late H21.00022 (letter 24/03 after
    # due 22/03) and the open H21.00031; H21.00005 shares its id with the Đắk Mil row.
    assert dict(tp.metrics) == {
        "dossier_count": 9, "resolved_count": 8, "on_time_rate": Decimal("87.5"), "late_count": 2,
        "apology_rate": Decimal(50), "apology_missing": 1, "apology_after_due": 1,
        "postal_rate": Decimal("33.33333333333333333333333333333333"),
        "online_rate": Decimal("33.33333333333333333333333333333333"), "bad_rows": 1,
        # Online: H21.00003 and H21.00005 (level 4), H21.00008 (level 3); H21.00022 late with a letter.
        "late_with_apology": 1, "online_level3_rate": Decimal("11.11111111111111111111111111111111"),
        "online_level4_rate": Decimal("22.22222222222222222222222222222222"),
        "fully_online_rate": Decimal("22.22222222222222222222222222222222"),
        "partly_online_rate": Decimal("11.11111111111111111111111111111111")}
    assert tp.issues == {"duplicate_id": 1, "unknown_unit": 1}
    # Sở Nội vụ: 11 rows, H21.00032 left out; 8 of 10 on time; postal 5 of 10; online 3 of 10.
    assert dict(nv.metrics) == {
        "dossier_count": 10, "resolved_count": 10, "on_time_rate": Decimal(80), "late_count": 2,
        "apology_rate": Decimal(0), "apology_missing": 2, "apology_after_due": 0,
        "postal_rate": Decimal(50), "online_rate": Decimal(30), "bad_rows": 1,
        # Online: H21.00001, H21.00012 (level 3), H21.00030 (level 4); H21.00032 (level 4) is left out.
        "late_with_apology": 0, "online_level3_rate": Decimal(20), "online_level4_rate": Decimal(10),
        "fully_online_rate": Decimal(10), "partly_online_rate": Decimal(20)}
    assert nv.issues == {"completed_before_received": 1, "unknown_unit": 1}
    # Đắk Mil: 13 rows, the 31/02 row left out; 6 of 12 on time; 2 of 6 late with a letter.
    assert dict(dm.metrics) == {
        "dossier_count": 12, "resolved_count": 12, "on_time_rate": Decimal(50), "late_count": 6,
        "apology_rate": Decimal("33.33333333333333333333333333333333"), "apology_missing": 4,
        "apology_after_due": 0, "postal_rate": Decimal("16.66666666666666666666666666666667"),
        "online_rate": Decimal(25), "bad_rows": 1,
        # Online: H21.00009, H21.00029 (level 3), H21.00014 (level 4); letters for H21.00011, H21.00020.
        "late_with_apology": 2, "online_level3_rate": Decimal("16.66666666666666666666666666666667"),
        "online_level4_rate": Decimal("8.333333333333333333333333333333333"),
        "fully_online_rate": Decimal("8.333333333333333333333333333333333"),
        "partly_online_rate": Decimal("16.66666666666666666666666666666667")}
    assert dm.issues == {"invalid_date": 1, "duplicate_id": 1, "unknown_unit": 1}
    assert "000.00.99.H21" in dm.explain("bad_rows")


def test_missing_column_names_the_file_and_the_nearest_header(tmp_path) -> None:
    path = write_export(tmp_path, "csv")
    said = {"vi": ("tệp hồ sơ TTHC không có cột 'Ngày tiếp nhân' (cần cho received)", "có phải là 'Ngày tiếp nhận'?"),
            "en": ("the dossier export has no column 'Ngày tiếp nhân' (needed for received)",
                   "did you mean 'Ngày tiếp nhận'?")}
    for language, (message, hint) in said.items():
        with parrules.speaking(language):
            got = evaluate([unit(A1, tmp_path, dossiers=path)], columns={"received": "Ngày tiếp nhân"})
        error = got[A1]
        assert isinstance(error, parrules.ProblemsError)
        (problem,) = error.problems
        assert problem.file == str(path.resolve())
        assert problem.path == "check_params.columns.received" and problem.code == "missing_column"
        assert (problem.message, problem.hint) == (message, hint)


def test_column_mapping_from_the_submission(tmp_path) -> None:
    path = tmp_path / "renamed.csv"
    path.write_text(csv_text().replace("Ngày tiếp nhận", "Ngày nhận hồ sơ"), encoding="utf-8")
    figures = {"columns": {"dossiers": {"received": "Ngày nhận hồ sơ"}}}
    got = evaluate([unit(A1, tmp_path, figures, dossiers=path)])
    assert dict(got[A1].metrics) == A1_METRICS


def test_missing_file_and_unreadable_file_fail_only_their_unit(tmp_path) -> None:
    good = write_export(tmp_path, "csv")
    latin = tmp_path / "latin1.csv"
    latin.write_bytes(csv_text().encode("cp1258", errors="replace"))  # a Windows-1258 export
    got = evaluate([unit(A1, tmp_path, dossiers=good), unit(A2, tmp_path, dossiers=tmp_path / "nope.csv"),
                    unit(A3, tmp_path, dossiers=latin), unit("000.00.04.H21", tmp_path)])
    assert dict(got[A1].metrics) == A1_METRICS
    assert "không tìm thấy tệp hồ sơ TTHC" in str(got[A2]) and "nope.csv" in str(got[A2])
    assert "latin1.csv" in str(got[A3]) and "không đọc được tệp hồ sơ TTHC" in str(got[A3])
    assert "not utf-8 encoded" in str(got[A3]) and "lưu tệp dưới dạng CSV UTF-8" in str(got[A3])
    assert "đơn vị này chưa có tệp hồ sơ TTHC" in str(got["000.00.04.H21"])
    with parrules.speaking("en"):
        got = evaluate([unit(A2, tmp_path, dossiers=tmp_path / "nope.csv"), unit(A3, tmp_path, dossiers=latin)])
    assert "dossier export not found" in str(got[A2]) and "save it as CSV UTF-8" in str(got[A3])


SET = """
[set]
id = "tthc"
name = "TTHC"
level = "department"
total_points = 3
declared_vs_verified = "{policy}"

[criteria."1"]
name = "Tỷ lệ hồ sơ giải quyết đúng hạn"
max_points = 2
rule = "proportional"
check = "tthc.dossiers"
metric = "on_time_rate"
check_params = {{ as_of = 2025-01-01 }}

[criteria."2"]
name = "Tỷ lệ hồ sơ trễ hạn có thư xin lỗi"
max_points = 1
rule = "proportional"
check = "tthc.dossiers"
metric = "apology_rate"
check_params = {{ as_of = 2025-01-01 }}
if_no_value = "full"
"""


def run_campaign(tmp_path: Path, policy: str, submissions: dict[str, str]) -> parrules.RunResult:
    registry = parrules.Registry(entry_points=False)
    registry.add_plugin(parrules_tthc, name="tthc")
    set_path = tmp_path / "set.toml"
    set_path.write_text(SET.format(policy=policy), encoding="utf-8")
    criteria = parrules.load_criteria_set(set_path, registry)
    subs = []
    for code, body in submissions.items():
        path = tmp_path / f"{code}.toml"
        path.write_text(f'[unit]\ncode = "{code}"\nname = "Đơn vị"\nkind = "department"\nperiod = 2024\n'
                        + textwrap.dedent(body), encoding="utf-8")
        subs.append(parrules.load_submission(path))
    return parrules.score_many(criteria, subs, data={"dossiers": FIXTURE})


@pytest.mark.parametrize(("policy", "points"), [("verified", Decimal("1.75")), ("declared", Decimal("1.9"))])
def test_declared_figure_that_records_contradict(tmp_path, policy, points) -> None:
    # Sở Tư pháp declares 95 % on time; the export shows 7 of 8 = 87.5 % → 2 × 87.5 % = 1.75 points.
    run = run_campaign(tmp_path, policy, {"000.00.19.H21": '[answers]\n"1" = 95\n'})
    leaf = run.units[0].leaf("1")
    assert leaf.declared == 95 and leaf.verified == Decimal("87.5")
    assert leaf.final_points == points
    (flag,) = [f for f in leaf.flags if f.kind == "declared_differs"]
    scored = {"verified": "số liệu hệ thống", "declared": "số liệu kê khai"}[policy]
    assert flag.message == f"Kê khai 95, hệ thống ghi nhận 87,5; chấm theo {scored}"
    shown = parrules.to_json(run).decode()
    assert "declared_differs" in shown and "87.5" in shown


def test_campaign_where_one_units_file_is_missing(tmp_path) -> None:
    run = run_campaign(tmp_path, "verified", {
        "000.00.19.H21": "",
        "000.00.20.H21": '[data]\ndossiers = "missing.csv"\n',
        "000.00.29.H21": "",
    })
    tp, nv, dm = run.units
    assert nv.leaf("1").status == "error" and "missing.csv" in nv.leaf("1").explanation
    assert nv.leaf("2").status == "error"
    assert tp.leaf("1").final_points == Decimal("1.75") and tp.leaf("2").final_points == Decimal("0.5")
    # Đắk Mil: 50 % on time → 1 point; 2 of 6 late with a letter → 1/3 of a point, rounded to 0.33.
    assert dm.leaf("1").final_points == Decimal(1) and dm.leaf("2").final_points == Decimal("0.33")
    assert dm.leaf("1").explanation == ("6/12 hồ sơ đã giải quyết đúng hạn "
                                        "(không tính 1 dòng có lỗi: 1 dòng có ngày không hợp lệ; 1 dòng trùng mã hồ "
                                        "sơ, vẫn được tính) → 50 % × 2 → 1/2 điểm")
    # The bad rows reach the result even though no criterion scores bad_rows.
    assert dm.warnings == ("tthc.dossiers: các dòng có lỗi trong dữ liệu hệ thống: 1 dòng có ngày không đọc được, "
                           "1 dòng trùng mã hồ sơ, 1 dòng của đơn vị không có trong danh mục",)


# -- what a province's values mean: check_params.values ------------------------------------------------

LEVELS = {"dossier_count", "online_rate", "online_level3_rate", "online_level4_rate", "fully_online_rate",
          "partly_online_rate", "postal_rate"}


def levels_of(measurement) -> dict:
    return {k: v for k, v in measurement.metrics.items() if k in LEVELS}


def test_the_sample_export_with_its_levels_mapped_to_fully_and_partly_online() -> None:
    # Đắk Mil's 12 counted dossiers: online H21.00009 and H21.00029 (Mức độ 3), H21.00014 (Mức độ 4). Mapped
    # as the 2022 names, level 3 → một phần, level 4 → toàn trình: no dossier is "level 3" or "level 4" any
    # more, 2 are partly and 1 fully online. Mapping the post to the counter takes H21… out of postal only
    # where the result was not returned by post either.
    values = {"level": {"Mức độ 3": "partial", "mức  độ 4": "full", "Mức độ 2": "other"},
              "channel": {"Bưu chính công ích": "counter"}}
    dm = evaluate([unit("000.00.29.H21", FIXTURE.parent, dossiers=FIXTURE)], values=values)["000.00.29.H21"]
    assert levels_of(dm) == {
        "dossier_count": 12, "online_rate": Decimal(25), "online_level3_rate": Decimal(0),
        "online_level4_rate": Decimal(0), "fully_online_rate": Decimal("8.333333333333333333333333333333333"),
        "partly_online_rate": Decimal("16.66666666666666666666666666666667"),
        "postal_rate": Decimal("16.66666666666666666666666666666667")}  # both returned by post (Có)
    assert dm.explain("fully_online_rate") == ("1/12 hồ sơ xử lý trực tuyến toàn trình (kể cả mức độ 4) (không tính 1 dòng "
                                               "có lỗi: 1 dòng có ngày không hợp lệ; 1 dòng trùng mã hồ sơ, vẫn được tính)"
                                               " → 8,33 %")
    # Sở Nội vụ's post dossiers H21.00010 (returned by post) still count as postal; the other three no longer.
    nv = evaluate([unit("000.00.20.H21", FIXTURE.parent, dossiers=FIXTURE)], values=values)["000.00.20.H21"]
    assert nv.metrics["postal_rate"] == Decimal(20)
    assert not {k for k in nv.issues if k.startswith("unclassified")}  # every value of the sample has a class


# A province's own export: channel codes, levels written as numbers, a kiosk, a value nobody mapped.
OWN = [  # (id, channel, level, received, due, completed, returned by post)
    ("P-1", "web", "4", "2024-03-01", "2024-03-05", "2024-03-04", "N"),
    ("P-2", "WEB ", "3", "2024-03-01", "2024-03-05", "2024-03-06", "N"),
    ("P-3", "online_l4", "", "2024-03-01", "2024-03-05", "2024-03-05", "N"),
    ("P-4", "kiosk", "2", "2024-03-01", "2024-03-05", "2024-03-05", "Y"),
    ("P-5", "counter", "2", "2024-03-01", "2024-03-05", "2024-03-05", "N"),
    ("P-6", "Zalo", "3", "2024-03-01", "2024-03-05", "2024-03-05", "N"),
    ("P-7", "web", "L5", "2024-03-01", "2024-03-05", "2024-03-05", "maybe"),
    ("P-8", "postal", "2", "2024-03-01", "2024-03-05", "2024-03-09", ""),
]
OWN_COLUMNS = {"id": "id", "unit": "agency", "channel": "channel", "level": "level", "received": "received",
               "due": "due", "completed": "completed", "postal_return": "by_post"}
OWN_VALUES = {"channel": {"web": "online", "kiosk": "counter", "online_l4": "online_level4"},
              "level": {"L5": "other"}, "postal_return": {"Y": "yes", "N": "no"}}


def write_own(tmp_path: Path, fmt: str, rows=OWN) -> Path:
    text = "id,agency,channel,level,received,due,completed,by_post\n" + "".join(
        f"{r[0]},{A1},{r[1]},{r[2]},{r[3]},{r[4]},{r[5]},{r[6]}\n" for r in rows)
    src = tmp_path / "own.csv"
    src.write_text(text, encoding="utf-8")
    if fmt == "csv":
        return src
    path = tmp_path / "own.parquet"
    duckdb.execute(f"COPY (SELECT * FROM read_csv('{src}', all_varchar = true)) TO '{path}' (FORMAT parquet)")
    return path


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_provinces_own_channel_and_level_values_mapped(tmp_path, fmt) -> None:
    path = write_own(tmp_path, fmt)
    got = evaluate([unit(A1, tmp_path, dossiers=path)], columns=OWN_COLUMNS, values=OWN_VALUES)[A1]
    # 8 dossiers. Online: P-1 (web, level 4), P-2 ("WEB ", level 3), P-3 (online_l4: the level is in the
    # channel), P-7 (web, level L5 mapped to other) = 4/8. Level 3: P-2; level 4: P-1, P-3; fully = level 4,
    # partly = level 3. Postal: P-8 by channel, P-4 returned by post (Y) = 2/8. P-6 "Zalo" matches no class:
    # counted, in no share, reported. P-7's postal return "maybe" cannot be read: not postal, reported.
    assert levels_of(got) == {
        "dossier_count": 8, "online_rate": Decimal(50), "online_level3_rate": Decimal("12.5"),
        "online_level4_rate": Decimal(25), "fully_online_rate": Decimal(25), "partly_online_rate": Decimal("12.5"),
        "postal_rate": Decimal(25)}
    assert got.metrics["late_with_apology"] == 0 and got.metrics["late_count"] == 2  # P-2, P-8
    assert got.issues == {"unclassified_channel": 1, "unclassified_postal_return": 1}
    assert "1 hồ sơ có hình thức nộp không thuộc loại nào (Zalo): khai báo trong check_params.values.channel" \
        in got.explain("online_rate")
    assert "(maybe)" in got.explain("postal_rate") and "Zalo" in got.explain("postal_rate")
    with parrules.speaking("en"):
        got = evaluate([unit(A1, tmp_path, dossiers=path)], columns=OWN_COLUMNS, values=OWN_VALUES)[A1]
    assert got.explain("online_rate") == (
        "4 of 8 dossiers submitted online (1 dossier with a channel that matches no class (Zalo): map it in "
        "check_params.values.channel) → 50 %")


def test_unmapped_values_fall_back_to_the_default_rules_and_unknown_ones_are_counted(tmp_path) -> None:
    # Without check_params.values: "web" (3 rows, one written "WEB "), "kiosk" and "Zalo" mean nothing to
    # the default rules (5 rows unclassified), "online_l4" contains "online", "counter" and "postal" are
    # known; an online dossier without a level (P-3) is an unclassified level; "Y"/"N" are the default yes/no.
    path = write_own(tmp_path, "csv")
    got = evaluate([unit(A1, tmp_path, dossiers=path)], columns=OWN_COLUMNS)[A1]
    assert got.issues == {"unclassified_channel": 5, "unclassified_level": 1, "unclassified_postal_return": 1}
    assert got.metrics["online_rate"] == Decimal("12.5")  # P-3 only
    assert got.metrics["online_level4_rate"] == Decimal(0) and got.metrics["postal_rate"] == Decimal(25)
    assert "5 hồ sơ có hình thức nộp không thuộc loại nào (WEB , Zalo, kiosk, web)" in got.explain("online_rate")
    assert "1 hồ sơ trực tuyến có mức độ không thuộc loại nào ((trống))" in got.explain("online_level4_rate")


def test_an_export_without_levels_has_no_level_shares(tmp_path) -> None:
    rows = [(i, A1, c, "01/03/2024", "05/03/2024", "04/03/2024", "Không", "", "") for i, c in
            (("L-1", "Trực tuyến"), ("L-2", "Trực tiếp"))]
    path = write_export(tmp_path, "csv", rows)
    columns = {"level": "no such column"}  # an optional column the file does not have
    got = evaluate([unit(A1, tmp_path, dossiers=path)], columns=columns)[A1]
    assert got.metrics["online_rate"] == Decimal(50)
    assert {k: got.metrics[k] for k in ("online_level3_rate", "fully_online_rate")} == \
        {"online_level3_rate": None, "fully_online_rate": None}
    assert got.explain("fully_online_rate").startswith("tệp hồ sơ không có cột mức độ DVC")
    # A channel mapping that names levels gives them back.
    got = evaluate([unit(A1, tmp_path, dossiers=path)], columns=columns,
                   values={"channel": {"Trực tuyến": "online_full"}})[A1]
    assert got.metrics["fully_online_rate"] == Decimal(50) and got.metrics["online_level4_rate"] == Decimal(0)


def test_toan_trinh_and_mot_phan_labels_are_fully_and_partly_online(tmp_path) -> None:
    base = ROWS[0]
    rows = [(f"T-{i}", *base[1:]) for i in range(4)]
    text = csv_text(rows).splitlines()
    levels = ["DVC trực tuyến toàn trình", "Một phần", "Mức độ 4", "Toàn  trình"]
    lines = [text[0]] + [line.replace("Mức độ 3", level) for line, level in zip(text[1:], levels)]
    path = tmp_path / "levels.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    got = evaluate([unit(A1, tmp_path, dossiers=path)])[A1]
    assert {k: got.metrics[k] for k in ("online_level4_rate", "fully_online_rate", "partly_online_rate")} == {
        "online_level4_rate": Decimal(25), "fully_online_rate": Decimal(75), "partly_online_rate": Decimal(25)}
    assert got.issues == {}


def test_a_class_that_does_not_exist_is_refused_when_the_set_is_loaded(tmp_path) -> None:
    registry = parrules.Registry(entry_points=False)
    registry.add_plugin(parrules_tthc, name="tthc")
    text = SET.format(policy="verified").replace(
        "check_params = { as_of = 2025-01-01 }",
        'check_params = { as_of = 2025-01-01, values = { channel = { web = "website" } } }', 1)
    path = tmp_path / "set.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(parrules.ProblemsError) as err:
        parrules.load_criteria_set(path, registry)
    assert "website" in str(err.value) and "values" in str(err.value)


def test_unclassified_values_reach_the_units_warnings(tmp_path) -> None:
    path = write_own(tmp_path, "csv")
    registry = parrules.Registry(entry_points=False)
    registry.add_plugin(parrules_tthc, name="tthc")
    set_path = tmp_path / "set.toml"
    columns = ", ".join(f'{k} = "{v}"' for k, v in OWN_COLUMNS.items())
    set_path.write_text(SET.format(policy="verified").replace(
        "{ as_of = 2025-01-01 }", "{ as_of = 2025-01-01, columns = { " + columns + " } }"), encoding="utf-8")
    criteria = parrules.load_criteria_set(set_path, registry)
    sub = tmp_path / "u.toml"
    sub.write_text(f'[unit]\ncode = "{A1}"\nname = "Đơn vị"\nkind = "department"\nperiod = 2024\n', encoding="utf-8")
    run = parrules.score_many(criteria, [parrules.load_submission(sub)], data={"dossiers": path})
    (warning,) = run.units[0].warnings
    assert "5 hồ sơ có hình thức nộp không thuộc loại nào" in warning
    assert "1 hồ sơ trực tuyến có mức độ không thuộc loại nào" in warning


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_the_same_metrics_inside_a_records_session(tmp_path, fmt) -> None:
    path = write_export(tmp_path, fmt)
    units = [unit(A1, tmp_path, dossiers=path), unit(A2, tmp_path, dossiers=path)]
    with parrules.records.session():
        first = evaluate(units)
        again = evaluate(units, duplicate_ids=False)  # a second check call on the same file, as a set makes
    assert dict(first[A1].metrics) == A1_METRICS and dict(first[A2].metrics) == A2_METRICS
    assert again[A2].metrics["bad_rows"] == 3 and first[A1].sources == again[A1].sources


def test_the_readmes_examples_are_sets_that_load_and_the_mapping_they_show_works(tmp_path) -> None:
    import re

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", readme, re.S)
    assert len(blocks) == 2
    registry = parrules.Registry(entry_points=False)
    registry.add_plugin(parrules_tthc, name="tthc")
    for n, block in enumerate(blocks):
        path = tmp_path / f"readme-{n}.toml"
        points = re.search(r"max_points = ([\d.]+)", block).group(1)
        leaf_alone = re.sub(r'criteria\."[\d.]+"', 'criteria."1"', block)  # the README's codes have parents elsewhere
        path.write_text(f'[set]\nid = "readme"\nname = "README"\nlevel = "department"\ntotal_points = {points}\n\n'
                        + leaf_alone, encoding="utf-8")
        criteria = parrules.load_criteria_set(path, registry)
        (leaf,) = [node for node in criteria.nodes.values() if node.check is not None]
        params = leaf.spec.check_params
    # The mapping of the second block, on an export written that way.
    rows = "".join(f"U1,{c},{lv},01/03/2024,05/03/2024,04/03/2024,{p}\n"
                   for c, lv, p in (("web", 4, "Y"), ("online_l3", 3, "N"), ("kiosk", 2, "N"), ("postal", 2, "N")))
    export = tmp_path / "agency.csv"
    export.write_text("agency_code,submission_channel,service_level,Ngày tiếp nhận,Ngày hẹn trả,Ngày trả kết quả,"
                      "returned\n" + rows, encoding="utf-8")
    params = {**params, "columns": {**params["columns"], "postal_return": "returned"}, "duplicate_ids": False}
    got = parrules_tthc.evaluate([unit("U1", tmp_path, dossiers=export)], {"as_of": AS_OF, **params})["U1"]
    assert {k: got.metrics[k] for k in ("fully_online_rate", "partly_online_rate", "postal_rate")} == {
        "fully_online_rate": Decimal(25), "partly_online_rate": Decimal(25), "postal_rate": Decimal(50)}
    assert got.issues == {}


def test_a_campaign_scored_inside_one_records_session_scores_the_same(tmp_path) -> None:
    submissions = {"000.00.19.H21": '[answers]\n"1" = 95\n', "000.00.29.H21": ""}
    alone = run_campaign(tmp_path, "verified", submissions)
    with parrules.records.session():  # as the engine enters it around a run's checks (one database, files read once)
        shared = run_campaign(tmp_path, "verified", submissions)
    assert [[leaf.to_dict() for leaf in u.leaves] for u in shared.units] == \
        [[leaf.to_dict() for leaf in u.leaves] for u in alone.units]
    assert [u.warnings for u in shared.units] == [u.warnings for u in alone.units]
