"""parrules.records: record files as DuckDB views with canonical columns, and the errors clerks see."""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from pathlib import Path

import duckdb
import openpyxl
import pytest

import parrules
from parrules import records


@pytest.fixture(autouse=True)
def english():
    """The messages asserted below are the English ones; `test_problems_and_rates_speak_the_voice_of_the_run` reads both."""
    with parrules.speaking("en"):
        yield


COLUMNS = {"unit": "Mã đơn vị", "received": "Ngày tiếp nhận", "note": "Ghi chú"}
TEXT = ("Mã đơn vị,Ngày tiếp nhận\n"
        "U1,01/02/2024\n"
        "U1,2024-02-03\n"
        "U2,31/02/2024\n"
        "U2,\n"
        "U2,05/02/2024 08:30\n")


def read(path: Path, **kw) -> list[tuple]:
    con = records.connect()
    rec = records.open_records(con, path, COLUMNS, required=("unit", "received"), optional=("note",),
                               dates=("received",), **kw)
    return records.fetch(con, f"SELECT unit, received, received__given, note FROM {rec.view}", rec)


EXPECTED = [
    ("U1", dt.date(2024, 2, 1), True, None),
    ("U1", dt.date(2024, 2, 3), True, None),
    ("U2", None, True, None),  # 31/02: given but invalid
    ("U2", None, False, None),  # missing
    ("U2", dt.date(2024, 2, 5), True, None),
]


@pytest.mark.parametrize("bom", ["", "\ufeff"])
def test_csv_with_or_without_bom_and_both_date_styles(tmp_path, bom) -> None:
    path = tmp_path / "d.csv"
    path.write_text(bom + TEXT, encoding="utf-8")
    assert read(path) == EXPECTED


def test_headers_match_across_unicode_forms_case_and_spacing(tmp_path) -> None:
    path = tmp_path / "nfd.csv"
    path.write_text(unicodedata.normalize("NFD", "MÃ ĐƠN VỊ ,  ngày tiếp  nhận\n") + TEXT.split("\n", 1)[1],
                    encoding="utf-8")
    assert read(path) == EXPECTED


def test_semicolon_delimited_export(tmp_path) -> None:
    path = tmp_path / "semi.csv"
    path.write_text(TEXT.replace(",", ";"), encoding="utf-8")
    assert read(path) == EXPECTED


def test_xlsx_with_date_cells_and_text(tmp_path) -> None:
    path = tmp_path / "d.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Mã đơn vị", "Ngày tiếp nhận"])
    sheet.append(["U1", dt.datetime(2024, 2, 1)])
    sheet.append(["U1", "2024-02-03"])
    sheet.append(["U2", "31/02/2024"])
    sheet.append(["U2", None])
    sheet.append(["U2", dt.datetime(2024, 2, 5, 8, 30)])
    book.save(path)
    assert read(path) == EXPECTED


def test_parquet_text_and_typed_dates(tmp_path) -> None:
    text = tmp_path / "text.parquet"
    src = tmp_path / "src.csv"
    src.write_text(TEXT, encoding="utf-8")
    duckdb.execute(f"COPY (SELECT * FROM read_csv('{src}', all_varchar = true)) TO '{text}' (FORMAT parquet)")
    assert read(text) == EXPECTED
    typed = tmp_path / "typed.parquet"
    duckdb.execute(f"""COPY (SELECT * FROM (VALUES (1, DATE '2024-02-01'), (2, NULL))
                       t("Mã đơn vị", "Ngày tiếp nhận")) TO '{typed}' (FORMAT parquet)""")
    assert read(typed) == [("1", dt.date(2024, 2, 1), True, None), ("2", None, False, None)]


def test_sha256_and_headers(tmp_path) -> None:
    path = tmp_path / "d.csv"
    path.write_text(TEXT, encoding="utf-8")
    rec = records.open_records(records.connect(), path, COLUMNS, required=("unit",), optional=("note",))
    assert rec.sha256 == "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    assert rec.headers == {"unit": "Mã đơn vị"} and rec.has("unit") and not rec.has("note")
    assert rec.file_headers == ("Mã đơn vị", "Ngày tiếp nhận")


def test_missing_file_and_missing_columns_are_problems_naming_them(tmp_path) -> None:
    with pytest.raises(parrules.ProblemsError) as missing:
        read(tmp_path / "nope.csv")
    assert missing.value.problems[0].file == str(tmp_path / "nope.csv")
    assert "not found" in missing.value.problems[0].message

    path = tmp_path / "d.csv"
    path.write_text("Mã đơn vi,Ngày nhận\nU1,01/02/2024\n", encoding="utf-8")
    with pytest.raises(parrules.ProblemsError) as err:
        read(path, what="dossier export", key="check_params.columns")
    unit, received = err.value.problems
    assert (unit.file, unit.path) == (str(path), "check_params.columns.unit")
    assert unit.message == "the dossier export has no column 'Mã đơn vị' (needed for unit)"
    assert unit.hint == "did you mean 'Mã đơn vi'?"
    assert received.path == "check_params.columns.received"
    assert received.hint in ("did you mean 'Ngày nhận'?", "the file's headers are: Mã đơn vi, Ngày nhận")

    with pytest.raises(parrules.ProblemsError) as unmapped:
        records.open_records(records.connect(), path, {}, required=("unit",))
    assert "no header is mapped to the column 'unit'" in str(unmapped.value)


def test_empty_file_and_header_only_file(tmp_path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(parrules.ProblemsError) as err:
        read(empty)
    assert [p.message for p in err.value.problems] == ["the data file is empty"]
    header_only = tmp_path / "header.csv"
    header_only.write_text("\ufeff" + TEXT.splitlines()[0] + "\n", encoding="utf-8")
    assert read(header_only) == []


def test_unsupported_suffix_and_damaged_xlsx(tmp_path) -> None:
    odd = tmp_path / "d.ods"
    odd.write_text("x", encoding="utf-8")
    with pytest.raises(parrules.ProblemsError, match="suffix '.ods'"):
        read(odd)
    bad = tmp_path / "d.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(parrules.ProblemsError, match="cannot open the data file as an XLSX workbook"):
        read(bad)


def test_unparsable_csv_reports_its_line(tmp_path) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes(TEXT.encode() + "U3,06/02/2024\nU4,07/02/2024\n".encode("cp1258") + "U5,\xe2\n".encode("latin-1"))
    with pytest.raises(parrules.ProblemsError) as err:
        read(path)
    (problem,) = err.value.problems
    assert problem.file == str(path) and problem.line is not None
    assert "not utf-8" in problem.message and "CSV UTF-8" in problem.hint


def test_group_units_reads_each_file_once_and_takes_the_submissions_mapping(tmp_path) -> None:
    shared, own = tmp_path / "shared.csv", tmp_path / "own.csv"

    def unit(code, figures=None, **data):
        return parrules.UnitEvidence(code, code, "", "", figures or {}, (), data, tmp_path)

    units = [unit("A", dossiers=shared), unit("B", dossiers=shared), unit("C", dossiers=own),
             unit("D", {"columns": {"dossiers": {"unit": "Đơn vị"}}}, dossiers=shared), unit("E")]
    groups, failed = records.group_units(units, "dossiers", {"unit": "Mã đơn vị"}, what="dossier export")
    assert [(g.path.name, [u.code for u in g.units], g.columns["unit"]) for g in groups] == [
        ("shared.csv", ["A", "B"], "Mã đơn vị"), ("own.csv", ["C"], "Mã đơn vị"), ("shared.csv", ["D"], "Đơn vị")]
    assert list(failed) == ["E"] and "no dossier export given" in str(failed["E"])


def test_unit_codes_match_as_written() -> None:
    codes = records.UnitCodes(["000.00.19.H21", "Sở Nội vụ"], known=["000.00.20.H21"])
    assert codes.match(" 000.00.19.h21 ") == "000.00.19.H21"
    assert codes.match(unicodedata.normalize("NFD", "SỞ NỘI VỤ")) == "Sở Nội vụ"
    assert codes.match("000.00.20.H21") is None and codes.is_known("000.00.20.H21")
    assert not codes.is_known("000.00.99.H21")
    with parrules.speaking(language="vi"):
        assert codes.shown(None) == "(để trống)" and codes.shown(" ") == "(để trống)"
    with parrules.speaking(language="en"):
        assert codes.shown(None) == "(blank)"


def test_percent_is_exact() -> None:
    assert records.percent(2, 3) == parrules.to_decimal("66.66666666666666666666666666666667")
    assert records.percent(1, 0) is None


# -- helpers the standard checks share through the public API ------------------------------------------


def test_online_channel_and_rate_wording() -> None:
    for channel in ("Trực tuyến", "TRỰC TUYẾN mức độ 4", unicodedata.normalize("NFD", "DVC trực tuyến"), "online"):
        assert records.is_online_channel(channel), channel
    for channel in ("Trực tiếp", "Bưu chính công ích", "", None):
        assert not records.is_online_channel(channel), channel
    assert records.format_rate(records.percent(2, 3)) == "66.67 %"
    assert records.format_rate(parrules.to_decimal("75.000")) == "75 %"
    assert records.format_rate(None) == "—"


def test_dossier_columns_are_read_only() -> None:
    assert records.DOSSIER_COLUMNS["unit"] == "Mã đơn vị"
    assert {**records.DOSSIER_COLUMNS, "unit": "Đơn vị"}["unit"] == "Đơn vị"  # how a check overrides them
    with pytest.raises(TypeError):
        records.DOSSIER_COLUMNS["unit"] = "Đơn vị"  # type: ignore[index]


def test_unit_catalogue_codes_and_sources(tmp_path) -> None:
    first, second = tmp_path / "units.csv", tmp_path / "more.csv"
    first.write_text("Mã đơn vị,Tên đơn vị\nU1,Sở A\nU2,Sở B\n,trống\n", encoding="utf-8")
    second.write_text("Đơn vị\nU3\n", encoding="utf-8")

    def unit(code, **data):
        return parrules.UnitEvidence(code, code, "", "", {}, (), data, tmp_path)

    con = records.connect()
    codes, sources = records.read_unit_catalogue(con, [unit("U1", units=first), unit("U2", units=first), unit("U9")], {})
    assert codes == {"U1", "U2"} and sources == {str(first): records.file_sha256(first)}
    codes, _ = records.read_unit_catalogue(con, [unit("U3", cat=second)], {"units": "cat", "units_column": "Đơn vị"})
    assert codes == {"U3"}
    assert records.read_unit_catalogue(con, [unit("U1")], {}) == (set(), {})
    with pytest.raises(parrules.ProblemsError, match="needed for unit"):
        records.read_unit_catalogue(con, [unit("U3", units=second)], {})
    assert set(records.UNIT_CATALOGUE_PARAMS) == {"units", "units_column"}


def test_deadline_verdict_on_time_late_and_undated() -> None:
    from parrules.messages import speaking

    deadline = dt.date(2024, 1, 31)
    on_time = records.DeadlineVerdict(dt.date(2024, 1, 31), deadline)
    assert on_time.metrics() == {"issued": True, "on_time": True, "days_late": 0}
    late = records.DeadlineVerdict(dt.date(2024, 2, 5), deadline)
    assert late.metrics() == {"issued": True, "on_time": False, "days_late": 5}
    undated = records.DeadlineVerdict(None, deadline)
    assert (undated.on_time, undated.days_late) == (False, None)
    with speaking("en"):
        assert on_time.explain("15/KH-UBND") == "15/KH-UBND, deadline 31 Jan 2024: on time"
        assert late.explain("plan") == "plan, deadline 31 Jan 2024: 5 days late"
        assert undated.explain("plan") == "plan, deadline 31 Jan 2024: undated, so not on time"
    with speaking("vi"):
        assert on_time.explain("15/KH-UBND") == "15/KH-UBND: đúng hạn (thời hạn 31/01/2024)"
        assert late.explain("Kế hoạch") == "Kế hoạch: trễ 5 ngày (thời hạn 31/01/2024)"
        assert records.DeadlineVerdict(dt.date(2024, 2, 1), deadline).explain("Kế hoạch") == \
            "Kế hoạch: trễ 1 ngày (thời hạn 31/01/2024)"
        assert undated.explain("Kế hoạch").startswith("Kế hoạch: không ghi ngày ban hành")


def test_deadline_param_must_be_a_toml_date() -> None:
    assert records.deadline_param({"deadline": dt.date(2024, 1, 31)}) == dt.date(2024, 1, 31)
    with pytest.raises(ValueError, match=r"check_params.deadline must be a TOML date .*'31/01/2024'"):
        records.deadline_param({"deadline": "31/01/2024"})


# -- one database for a whole run (records.session) ------------------------------------------------------


def test_a_session_reads_a_small_file_once_and_shares_it_with_every_check(tmp_path) -> None:
    path = tmp_path / "d.csv"
    path.write_text(TEXT, encoding="utf-8")
    outside = read(path)
    with records.session() as opened:
        first = records.connect()
        rec = records.open_records(first, path, COLUMNS, required=("unit", "received"), optional=("note",),
                                   dates=("received",))
        first.close()  # a check closes its connection: the session's database and the view stay
        second = records.connect()
        again = records.open_records(second, path, COLUMNS, required=("unit", "received"), optional=("note",),
                                     dates=("received",))
        assert again is rec and rec.view != '"records"'
        tables = {name for (name,) in second.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        assert len(tables) == 1  # the CSV was copied into the session's database once
        assert records.fetch(second, f"SELECT unit, received, received__given, note FROM {rec.view}", rec) == outside
        assert rec.sha256 == records.file_sha256(path)
        with records.session() as inner:  # entering again inside one is the same session
            assert inner is opened
        # A file changed during the run is read afresh.
        path.write_text(TEXT + "U3,06/02/2024\n", encoding="utf-8")
        changed = records.open_records(second, path, COLUMNS, required=("unit", "received"), optional=("note",),
                                       dates=("received",))
        assert changed is not rec
        assert len(records.fetch(second, f"SELECT * FROM {changed.view}", changed)) == len(outside) + 1
    assert read(path)[-1] == ("U3", dt.date(2024, 2, 6), True, None)  # and after the session, as before


def test_a_session_remembers_what_a_check_reads_whole_and_a_changed_file_is_read_again(tmp_path) -> None:
    path = tmp_path / "d.csv"
    path.write_text(TEXT, encoding="utf-8")
    calls: list[int] = []

    def rows(con, rec):  # type: ignore[no-untyped-def]
        calls.append(1)
        return records.fetch(con, f"SELECT unit FROM {rec.view}", rec)

    def open_(con):  # type: ignore[no-untyped-def]
        return records.open_records(con, path, COLUMNS, required=("unit", "received"), dates=("received",))

    con = records.connect()
    rec = open_(con)
    assert records.remembered(rec, "units", lambda: rows(con, rec)) == records.remembered(
        rec, "units", lambda: rows(con, rec))
    assert len(calls) == 2  # outside a session: worked out on every call
    con.close()
    calls.clear()
    with records.session():
        first, second = records.connect(), records.connect()
        got = records.remembered(open_(first), "units", lambda: rows(first, open_(first)))
        assert records.remembered(open_(second), "units", lambda: rows(second, open_(second))) is got
        assert len(calls) == 1
        assert records.remembered(open_(second), "other", lambda: rows(second, open_(second))) == got
        assert len(calls) == 2  # another name: its own value
        path.write_text(TEXT + "U3,06/02/2024\n", encoding="utf-8")
        changed = records.remembered(open_(second), "units", lambda: rows(second, open_(second)))
        assert len(changed) == len(got) + 1 and len(calls) == 3


def test_a_check_in_another_thread_sees_the_callers_session(tmp_path) -> None:
    import contextvars
    import threading

    path = tmp_path / "d.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Mã đơn vị", "Ngày tiếp nhận"])
    book.active.append(["U1", dt.datetime(2024, 2, 1)])
    book.save(path)
    got: list[object] = []
    with records.session():
        def check() -> None:
            con = records.connect()
            rec = records.open_records(con, path, COLUMNS, required=("unit", "received"), dates=("received",))
            got.append(records.fetch(con, f"SELECT unit, received FROM {rec.view}", rec))
            con.close()

        for _ in range(2):  # as the engine runs each check: in a thread, in a copy of the caller's context
            thread = threading.Thread(target=contextvars.copy_context().run, args=(check,))
            thread.start()
            thread.join()
    assert got == [[("U1", dt.date(2024, 2, 1))]] * 2


def test_a_mixed_date_column_reads_alike_whatever_format_its_first_cells_have(tmp_path) -> None:
    # The format guessed from the top of a column is only tried first: every cell below is still read.
    iso_first = "Mã đơn vị,Ngày tiếp nhận\n" + "U0,2024-01-01\n" * 50 + TEXT.split("\n", 1)[1]
    path = tmp_path / "iso.csv"
    path.write_text(iso_first, encoding="utf-8")
    assert read(path)[50:] == EXPECTED
    garbage = tmp_path / "garbage.csv"
    garbage.write_text("Mã đơn vị,Ngày tiếp nhận\nU1,hôm qua\nU1,  \nU1, 05/02/2024 \nU1,2024-13-01\n", encoding="utf-8")
    assert [(r[1], r[2]) for r in read(garbage)] == [(None, True), (None, False), (dt.date(2024, 2, 5), True),
                                                      (None, True)]


def test_typed_columns_keep_the_files_type(tmp_path) -> None:
    path = tmp_path / "typed.parquet"
    duckdb.execute(f"""COPY (SELECT * FROM (VALUES (24000001::BIGINT, true, 'U1'), (24000002, NULL, 'U2'))
                       t(record_id, by_post, unit)) TO '{path}' (FORMAT parquet)""")
    con = records.connect()
    columns = {"id": "record_id", "post": "by_post", "unit": "unit"}
    rec = records.open_records(con, path, columns, required=("id", "unit"), optional=("post",), typed=("id", "post"))
    assert rec.types == {"id": "BIGINT", "unit": "VARCHAR", "post": "BOOLEAN"}
    assert records.fetch(con, f"SELECT id, post FROM {rec.view}", rec) == [(24000001, True), (24000002, None)]
    text = records.open_records(con, path, columns, required=("id",), view="as_text")
    assert text.types == {"id": "VARCHAR"}
    assert records.fetch(con, f"SELECT id FROM {text.view}", text) == [("24000001",), ("24000002",)]


def test_problems_and_rates_speak_the_voice_of_the_run(tmp_path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("Mã đơn vi\nU1\n", encoding="utf-8")
    said = {}
    for language in ("vi", "en"):
        with parrules.speaking(language):
            with pytest.raises(parrules.ProblemsError) as missing:
                records.open_records(records.connect(), tmp_path / "nope.csv", COLUMNS, required=("unit",),
                                     what="dossier export")
            with pytest.raises(parrules.ProblemsError) as column:
                records.open_records(records.connect(), path, COLUMNS, required=("unit",), what="survey file",
                                     key="check_params.columns")
            with pytest.raises(parrules.ProblemsError) as own_words:
                records.open_records(records.connect(), tmp_path / "nope.csv", COLUMNS, what="plan register")
            said[language] = (missing.value.problems[0].message, column.value.problems[0].message,
                              column.value.problems[0].hint, own_words.value.problems[0].message,
                              records.format_rate(records.percent(2, 3)), records.format_rate(None))
    assert said["vi"] == ("không tìm thấy tệp hồ sơ TTHC", "tệp phiếu khảo sát không có cột 'Mã đơn vị' (cần cho unit)",
                          "có phải là 'Mã đơn vi'?", "không tìm thấy plan register", "66,67 %", "—")
    assert said["en"] == ("dossier export not found", "the survey file has no column 'Mã đơn vị' (needed for unit)",
                          "did you mean 'Mã đơn vi'?", "plan register not found", "66.67 %", "—")
    assert missing.value.problems[0].code == "not_found" and column.value.problems[0].code == "missing_column"
