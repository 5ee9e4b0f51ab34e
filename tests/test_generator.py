"""The dossier generator: same seed → same bytes, the sample export's shape, shares as requested.

The files are read back with the csv module, not DuckDB, so the check does not share code with what
it checks.
"""

from __future__ import annotations

import csv
import importlib.util
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "fixtures" / "sample-dossier-export.csv"  # the export whose shape the generator copies


def _load_generator():
    spec = importlib.util.spec_from_file_location("generate_dossiers", ROOT / "benchmarks" / "generate_dossiers.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


def _make(tmp_path: Path, name: str, rows: int, **shares) -> gen.Outputs:
    out = gen.Outputs(csv=tmp_path / f"{name}.csv", parquet=tmp_path / f"{name}.parquet",
                      units=tmp_path / f"{name}-units.csv", services=tmp_path / f"{name}-services.csv")
    seed = shares.pop("seed", 7)
    gen.generate(gen.Plan(rows=rows, units=40, seed=seed, shares=gen.Shares(**shares)), out)
    return out


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _date(text: str):
    try:
        return datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        return None


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> tuple[gen.Outputs, list[dict[str, str]]]:
    out = _make(tmp_path_factory.mktemp("clean"), "d", 30_000, late=0.2, apology=0.5, online_level4=0.6)
    return out, _rows(out.csv)


def test_headers_bom_and_value_shapes_match_the_sample_export(clean) -> None:
    out, rows = clean
    raw = out.csv.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(SAMPLE, encoding="utf-8-sig", newline="") as fh:
        sample_headers = next(csv.reader(fh))
    assert list(rows[0].keys()) == sample_headers
    assert [int(r["STT"]) for r in rows] == list(range(1, len(rows) + 1))
    assert {r["Hình thức nộp"] for r in rows} == {"Trực tiếp", "Trực tuyến", "Bưu chính công ích"}
    assert {r["Mức độ DVC"] for r in rows} == {"Mức độ 2", "Mức độ 3", "Mức độ 4"}
    assert {r["Trả kết quả qua BCCI"] for r in rows} == {"Có", "Không"}
    assert all(_date(r["Ngày tiếp nhận"]) and _date(r["Ngày hẹn trả"]) for r in rows)
    assert len({r["Mã hồ sơ"] for r in rows}) == len(rows)  # no faults requested: ids unique
    assert "Thẩm định, phê duyệt đề án" in out.services.read_text(encoding="utf-8-sig")  # quoted comma


def test_same_seed_gives_the_same_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    a = _make(tmp_path, "a", 5_000, faulty=0.05)
    b = _make(tmp_path, "b", 5_000, faulty=0.05)
    c = _make(tmp_path, "c", 5_000, faulty=0.05, seed=8)
    assert a.csv.read_bytes() == b.csv.read_bytes()
    assert a.units.read_bytes() == b.units.read_bytes()
    assert a.services.read_bytes() == b.services.read_bytes()
    assert a.csv.read_bytes() != c.csv.read_bytes()
    same = duckdb.connect().execute(f"SELECT count(*) FROM (SELECT * FROM '{a.parquet}' EXCEPT ALL "
                      f"SELECT * FROM read_csv('{a.csv}', all_varchar=true))").fetchone()[0]
    assert same == 0  # Parquet holds the same rows as the CSV (text dates, as exported)


def test_shares_are_roughly_as_requested(clean) -> None:
    _, rows = clean
    resolved = [r for r in rows if r["Ngày trả kết quả"]]
    late = [r for r in resolved if _date(r["Ngày trả kết quả"]) > _date(r["Ngày hẹn trả"])]
    assert 0.13 < len(late) / len(resolved) < 0.27
    letters = [r for r in late if r["Số thư xin lỗi"]]
    assert 0.35 < len(letters) / len(late) < 0.65
    after = [r for r in letters if _date(r["Ngày thư xin lỗi"]) > _date(r["Ngày hẹn trả"])]
    assert 0.1 < len(after) / len(letters) < 0.3
    on_time = [r for r in resolved if _date(r["Ngày trả kết quả"]) <= _date(r["Ngày hẹn trả"])]
    assert len(on_time) + len(late) == len(resolved)
    assert not [r for r in on_time if r["Số thư xin lỗi"]]  # letters only when late
    by_level = Counter((r["Mức độ DVC"], r["Hình thức nộp"] == "Trực tuyến") for r in rows)
    assert by_level[("Mức độ 2", True)] == 0  # a level-2 service cannot be submitted online
    online4 = by_level[("Mức độ 4", True)] / (by_level[("Mức độ 4", True)] + by_level[("Mức độ 4", False)])
    assert 0.45 < online4 < 0.75
    offline = [r for r in rows if r["Hình thức nộp"] != "Trực tuyến"]
    postal = sum(r["Hình thức nộp"] == "Bưu chính công ích" for r in offline) / len(offline)
    assert 0.03 < postal < 0.07
    assert 0.003 < (len(rows) - len(resolved)) / len(rows) < 0.02  # still open


def test_seasonal_volume_dips_at_tet_and_weekends(clean) -> None:
    _, rows = clean
    days = [_date(r["Ngày tiếp nhận"]) for r in rows]
    months = Counter(d.month for d in days)
    assert months[2] < 0.7 * months[3]
    assert months[12] > months[7]
    weekdays = Counter(d.weekday() for d in days)
    assert weekdays[6] < 0.1 * weekdays[2]


def test_units_and_services_catalogues_cover_the_dossiers(clean) -> None:
    out, rows = clean
    units = {r["Mã đơn vị"]: r for r in _rows(out.units)}
    assert len(units) == 40 and {r["Loại đơn vị"] for r in units.values()} == {"department", "district", "commune"}
    offered = {(r["Mã đơn vị"], r["Mã TTHC"]): r["Mức độ DVC"] for r in _rows(out.services)}
    for r in rows:
        assert offered[(r["Mã đơn vị"], r["Mã TTHC"])] == r["Mức độ DVC"]
    volume = Counter(r["Mã đơn vị"] for r in rows)
    assert max(volume.values()) > 5 * min(volume.values())  # departments are far busier than communes


def test_catalogue_can_use_the_newer_level_names(tmp_path: Path) -> None:
    out = gen.Outputs(services=tmp_path / "services.csv")
    gen.generate(gen.Plan(rows=10, units=5, new_level_names=True), out)
    assert {r["Mức độ DVC"] for r in _rows(out.services)} == {"Mức độ 2", "Một phần", "Toàn trình"}


def test_faulty_rows_carry_every_kind_of_fault(tmp_path: Path) -> None:
    out = _make(tmp_path, "f", 20_000, faulty=0.1)
    rows = _rows(out.csv)
    units = {r["Mã đơn vị"] for r in _rows(out.units)}
    unknown = sum(r["Mã đơn vị"] not in units for r in rows)
    impossible = sum(r["Ngày tiếp nhận"].startswith("31/02/") for r in rows)
    missing = sum(r["Ngày tiếp nhận"] == "" for r in rows)
    backwards = sum(bool(_date(r["Ngày trả kết quả"]) and _date(r["Ngày tiếp nhận"])
                         and _date(r["Ngày trả kết quả"]) < _date(r["Ngày tiếp nhận"])) for r in rows)
    repeated = len(rows) - len({r["Mã hồ sơ"] for r in rows})
    for count in (unknown, impossible, missing, backwards, repeated):
        assert 250 < count < 550  # 10 % faulty spread over five kinds: about 400 each


def test_benchmark_sql_agrees_with_the_tthc_check_on_faulty_data(tmp_path: Path) -> None:
    """The benchmark's hand-written query (b) and parrules (a) must compute the same metrics, bad rows
    included, or its timings compare different work."""
    spec = importlib.util.spec_from_file_location("bench_tthc", ROOT / "benchmarks" / "bench_tthc.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    out = _make(tmp_path, "b", 20_000, faulty=0.05, late=0.2)
    typed = tmp_path / "b-dates.parquet"
    gen.generate(gen.Plan(rows=20_000, units=40, seed=7, shares=gen.Shares(faulty=0.05, late=0.2)),
                 gen.Outputs(parquet=typed), parquet_dates="date")
    units = [r["Mã đơn vị"] for r in _rows(out.units)]
    for path in (out.csv, out.parquet, typed):
        a = bench.run_parrules(path, units)
        b = bench.run_duckdb(path, units)
        c = bench.run_pandas(path, units)
        assert len(a) == len(b) == len(c) == len(units)
        assert bench.compare({"parrules": {"metrics": a}, "sql": {"metrics": b}, "pandas": {"metrics": c}}) == []
        assert sum(m["bad_rows"] for m in a.values()) > 500  # the faults were there to disagree on
        assert sum(m["late_count"] for m in a.values()) > 2000


def test_parquet_with_typed_dates_holds_the_same_dates_and_null_for_impossible_ones(tmp_path: Path) -> None:
    out = _make(tmp_path, "t", 5_000, faulty=0.1)
    typed = tmp_path / "t-dates.parquet"
    gen.generate(gen.Plan(rows=5_000, units=40, seed=7, shares=gen.Shares(faulty=0.1)), gen.Outputs(parquet=typed),
                 parquet_dates="date")
    con = duckdb.connect()
    types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '{typed}')").fetchall())
    assert all(types[h] == "DATE" for h in gen.DATE_HEADERS) and types["Mã hồ sơ"] == "VARCHAR"
    rows = _rows(out.csv)
    got = con.execute(f"SELECT {', '.join(chr(34) + h + chr(34) for h in gen.DATE_HEADERS)} FROM '{typed}'").fetchall()
    assert len(got) == len(rows)  # same rows in the same order as the text file
    impossible = 0
    for row, dates in zip(rows, got):
        for header, value in zip(gen.DATE_HEADERS, dates):
            assert value == _date(row[header])  # None for a blank cell and for 31/02
            impossible += row[header].startswith("31/02/")
    assert impossible > 20
