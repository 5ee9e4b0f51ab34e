"""Generate realistic, deterministic dossier exports of any size (for tests and benchmarks).

Why a generator: real one-stop-shop exports hold citizens' data and cannot ship with the project, but
the TTHC checks must be tested on data shaped like them and benchmarked at provincial (1–5 M
dossiers a year) and national (hundreds of millions) scale. The output has the headers and value
shapes of `tests/fixtures/sample-dossier-export.csv`: UTF-8 with BOM, Vietnamese headers,
dd/mm/yyyy dates, "Mức độ 2/3/4", "Trực tiếp / Trực tuyến / Bưu chính công ích", "Có/Không".

What is modelled (each share is a knob, varied per unit around the requested mean so that units
score differently):
- units of three kinds (departments, districts, communes) with very different volumes, written as a
  unit catalogue (units.csv);
- procedures with a service level and a legal processing time, each unit offering a window of them,
  written as the service catalogue the `dvc.services` check reads (services.csv);
- seasonal volume: fewer dossiers around Tết (February) and at weekends, more at year end;
- late share, apology-letter share among late dossiers, letters dated after the due date;
- online share per service level (none at level 2), submissions and returns by public post;
- dossiers still open, and an optional share of faulty rows of the kinds real exports carry:
  impossible dates (31/02), missing dates, completed before received, repeated dossier ids, unit codes
  missing from the catalogue.

Rows are computed by DuckDB from a hash of (row number, seed, field): no Python object per row, so
100 M rows stream to disk in bounded memory, and the same seed gives the same bytes (for a given
DuckDB version, whose `hash` function defines the stream). Usage:

    python benchmarks/generate_dossiers.py --rows 10000000 --units 1000 --out benchmarks/data/10m \
        --format csv --format parquet
    python benchmarks/generate_dossiers.py --rows 10m --out benchmarks/data/dossiers-10m-dates \
        --format parquet --parquet-dates date      # typed DATE columns, as a database dump carries
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import sys
import tempfile
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

HEADERS = (
    "STT", "Mã hồ sơ", "Mã đơn vị", "Đơn vị tiếp nhận", "Mã TTHC", "Tên TTHC", "Mức độ DVC",
    "Hình thức nộp", "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày trả kết quả", "Trả kết quả qua BCCI",
    "Số thư xin lỗi", "Ngày thư xin lỗi",
)
UNIT_HEADERS = ("Mã đơn vị", "Tên đơn vị", "Loại đơn vị")
SERVICE_HEADERS = ("Mã đơn vị", "Mã TTHC", "Tên TTHC", "Mức độ DVC")
FAULTS = ("invalid_date", "missing_date", "completed_before_received", "duplicate_id", "unknown_unit")
UNKNOWN_UNIT = "999.99.99.H21"

DEPARTMENTS = (
    "Sở Nội vụ", "Sở Tư pháp", "Sở Kế hoạch và Đầu tư", "Sở Tài chính", "Sở Công Thương",
    "Sở Nông nghiệp và Phát triển nông thôn", "Sở Giao thông vận tải", "Sở Xây dựng",
    "Sở Tài nguyên và Môi trường", "Sở Thông tin và Truyền thông", "Sở Lao động - Thương binh và Xã hội",
    "Sở Văn hóa, Thể thao và Du lịch", "Sở Khoa học và Công nghệ", "Sở Giáo dục và Đào tạo", "Sở Y tế",
    "Thanh tra tỉnh", "Ban Dân tộc", "Sở Ngoại vụ", "Ban Quản lý các khu công nghiệp",
)
PLACES = (
    "Đắk Mil", "Đắk Song", "Đắk R'Lấp", "Cư Jút", "Krông Nô", "Đắk Glong", "Tuy Đức", "Gia Nghĩa",
    "Nghĩa Đức", "Quảng Thành", "Đắk Lao", "Thuận An", "Nam Dong", "Ea Pô", "Đắk Wil", "Tâm Thắng",
    "Nâm N'Jang", "Trường Xuân", "Quảng Sơn", "Đắk Ha", "Nhân Cơ", "Kiến Thành", "Đạo Nghĩa", "Quảng Tín",
)
PROCEDURES = (
    ("2.000908", "Chứng thực bản sao từ bản chính", 3, 3),
    ("1.001757", "Cấp Phiếu lý lịch tư pháp", 4, 10),
    ("2.001019", "Thẩm định, phê duyệt đề án", 2, 15),
    ("1.004227", "Đăng ký khai sinh", 4, 3),
    ("1.000894", "Cấp giấy phép xây dựng", 3, 15),
    ("1.001193", "Đăng ký kết hôn", 4, 5),
    ("1.003583", "Cấp giấy chứng nhận quyền sử dụng đất lần đầu", 2, 30),
    ("2.001157", "Đăng ký thành lập hộ kinh doanh", 4, 3),
    ("1.001612", "Cấp giấy phép lái xe", 3, 10),
    ("2.000794", "Cấp giấy phép kinh doanh bán lẻ rượu", 3, 10),
    ("1.000656", "Đăng ký thường trú", 3, 7),
    ("1.001022", "Cấp giấy chứng nhận đủ điều kiện an toàn thực phẩm", 2, 20),
    ("2.000488", "Xác nhận tình trạng hôn nhân", 4, 3),
    ("1.004949", "Hỗ trợ chi phí mai táng cho đối tượng bảo trợ xã hội", 2, 10),
    ("1.003005", "Cấp giấy phép môi trường", 3, 30),
)
LEGAL_DAYS = (1, 3, 5, 7, 10, 15, 20, 30)
# Relative daily volume by month: Tết in late January / February empties the one-stop shops,
# the year-end push fills them.
MONTH_FACTOR = (1.15, 0.55, 1.05, 1.0, 1.0, 1.05, 0.9, 0.95, 1.0, 1.05, 1.1, 1.25)
WEEKDAY_FACTOR = (1.0, 1.0, 1.0, 1.0, 1.0, 0.15, 0.03)
SEASON_BUCKETS = 10_000


@dataclass(frozen=True)
class Shares:
    """Requested means; each unit draws its own share around them (see `_units`)."""

    late: float = 0.06
    apology: float = 0.7  # of late dossiers, share with an apology letter
    apology_after_due: float = 0.2  # of letters, share dated after the due date
    online_level3: float = 0.35
    online_level4: float = 0.6
    postal_in: float = 0.05  # of dossiers not submitted online, share received by public post
    postal_return: float = 0.12  # share of results returned by public post (most postal submissions too)
    open: float = 0.01  # still without a completion date
    faulty: float = 0.0  # rows carrying one of FAULTS


@dataclass(frozen=True)
class Plan:
    rows: int
    units: int = 1000
    procedures: int = 120
    procedures_per_unit: int = 25
    seed: int = 2024
    year: int = 2024
    shares: Shares = field(default_factory=Shares)
    # Newer catalogues name levels 3 and 4 "Một phần" / "Toàn trình" (partly / fully online).
    new_level_names: bool = False


@dataclass(frozen=True)
class Outputs:
    csv: Path | None = None
    parquet: Path | None = None
    units: Path | None = None
    services: Path | None = None


def _initials(name: str) -> str:
    plain = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return "".join(w[0] for w in plain.replace("-", " ").split() if w[0].isalpha()).upper()


def _unit_code(index: int) -> str:
    return f"{index // 10_000:03d}.{index // 100 % 100:02d}.{index % 100:02d}.H21"


def _units(plan: Plan) -> list[tuple]:
    """Unit catalogue with per-unit volume weight and shares drawn around the requested means."""
    rnd = random.Random(plan.seed)
    s = plan.shares
    n_dep = max(1, round(plan.units * 0.03))
    n_dis = max(0, min(plan.units - n_dep, round(plan.units * 0.07)))
    out = []
    for i in range(plan.units):
        if i < n_dep:
            kind, base, weight = "department", DEPARTMENTS[i % len(DEPARTMENTS)], 8.0
            lap = i // len(DEPARTMENTS)
        elif i < n_dep + n_dis:
            j = i - n_dep
            kind, base, weight = "district", f"UBND huyện {PLACES[j % len(PLACES)]}", 5.0
            lap = j // len(PLACES)
        else:
            j = i - n_dep - n_dis
            kind, base, weight = "commune", f"UBND xã {PLACES[j % len(PLACES)]}", 1.0
            lap = j // len(PLACES)
        name = base if lap == 0 else f"{base} {lap + 1}"
        weight *= rnd.lognormvariate(0, 0.5)

        def around(mean: float, spread: float = 0.6) -> float:
            return min(1.0, max(0.0, mean * rnd.uniform(1 - spread, 1 + spread)))

        out.append((
            i, _unit_code(i), name, kind, weight, around(s.late, 0.9), around(s.apology, 0.4),
            around(s.online_level3), around(s.online_level4, 0.4), _initials(name)[:6],
        ))
    return out


def _procedures(plan: Plan) -> list[tuple]:
    rnd = random.Random(plan.seed + 1)
    out = []
    for i in range(plan.procedures):
        if i < len(PROCEDURES):
            code, name, level, days = PROCEDURES[i]
        else:
            code = f"{1 + i % 2}.{rnd.randrange(1000, 9999):04d}{i % 100:02d}"
            level = rnd.choices((2, 3, 4), weights=(3, 4, 3))[0]
            days = rnd.choice(LEGAL_DAYS)
            name = f"Thủ tục hành chính lĩnh vực {1 + i % 40} số {i + 1}"
        out.append((i, code, name, level, days))
    return out


def _season(plan: Plan) -> list[tuple[int, str]]:
    """Bucket → received date, so that a uniform bucket draws dates with seasonal weights."""
    import datetime as dt

    day = dt.date(plan.year, 1, 1)
    days, weights = [], []
    while day.year == plan.year:
        days.append(day)
        weights.append(MONTH_FACTOR[day.month - 1] * WEEKDAY_FACTOR[day.weekday()])
        day += dt.timedelta(days=1)
    total = sum(weights)
    out, acc, k = [], 0.0, 0
    for bucket in range(SEASON_BUCKETS):
        target = (bucket + 0.5) / SEASON_BUCKETS * total
        while acc + weights[k] < target and k < len(days) - 1:
            acc += weights[k]
            k += 1
        out.append((bucket, days[k].isoformat()))
    return out


def _unit_buckets(units: list[tuple]) -> tuple[int, list[tuple[int, int]]]:
    """Bucket → unit index in proportion to unit weights (largest remainder, at least one bucket)."""
    n = max(65_536, len(units) * 64)
    total = sum(u[4] for u in units)
    quotas = [max(1, int(u[4] / total * n)) for u in units]
    spare = n - sum(quotas)
    order = sorted(range(len(units)), key=lambda i: -(units[i][4] / total * n - int(units[i][4] / total * n)))
    for i in order[: max(0, spare)]:
        quotas[i] += 1
    buckets, b = [], 0
    for index, q in enumerate(quotas):
        for _ in range(q):
            buckets.append((b, index))
            b += 1
    return len(buckets), buckets


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    """Bulk-load through a temporary CSV: list parameters and executemany take tens of seconds for
    65,536 buckets on some DuckDB versions, a CSV read takes milliseconds on all of them. Floats are
    written with repr, which reads back to the same double, so the output stays byte-identical."""
    fd, tmp = tempfile.mkstemp(suffix=".csv", prefix="parrules-gen-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(rows)
        con.execute(f"INSERT INTO {table} SELECT * FROM read_csv('{tmp}', header = false, all_varchar = true)")
    finally:
        os.unlink(tmp)


def _load_tables(con: duckdb.DuckDBPyConnection, plan: Plan) -> tuple[list[tuple], list[tuple], int]:
    units = _units(plan)
    procs = _procedures(plan)
    n_buckets, buckets = _unit_buckets(units)
    con.execute("CREATE TEMP TABLE units (idx INTEGER, code VARCHAR, name VARCHAR, kind VARCHAR, w DOUBLE,"
                " late_p DOUBLE, apology_p DOUBLE, on3_p DOUBLE, on4_p DOUBLE, tag VARCHAR)")
    _insert(con, "units", units)
    con.execute("CREATE TEMP TABLE procs (idx INTEGER, code VARCHAR, name VARCHAR, level INTEGER, days INTEGER)")
    _insert(con, "procs", procs)
    con.execute("CREATE TEMP TABLE season (bucket INTEGER, day DATE)")
    _insert(con, "season", _season(plan))
    con.execute("CREATE TEMP TABLE ubuckets (bucket INTEGER, idx INTEGER)")
    _insert(con, "ubuckets", buckets)
    return units, procs, n_buckets


def _dossier_sql(plan: Plan, n_buckets: int) -> str:
    s, seed, k = plan.shares, int(plan.seed), min(plan.procedures_per_unit, plan.procedures)
    width = max(5, len(str(plan.rows)))

    def u(field_no: int) -> str:  # a uniform draw in [0, 1) for this row and field
        return f"((hash(i * 32 + {field_no}, {seed}) >> 11)::DOUBLE / 9007199254740992.0)"

    def h(field_no: int) -> str:
        return f"hash(i * 32 + {field_no}, {seed})"

    def dmy(expr: str) -> str:
        return f"strftime({expr}, '%d/%m/%Y')"

    dossier_id = f"'H21.' || lpad((i + 1)::VARCHAR, {width}, '0')"
    return f"""
    WITH draw AS (
        SELECT i, {u(10)} AS u_open, {u(11)} AS u_late, {u(12)} AS u_apo, {u(13)} AS u_after,
               {u(14)} AS u_online, {u(15)} AS u_postal, {u(16)} AS u_ret, {u(17)} AS u_fault,
               ({h(1)} % {n_buckets})::INTEGER AS ub, ({h(2)} % {SEASON_BUCKETS})::INTEGER AS sb,
               ({h(3)} % {k})::INTEGER AS pj, ({h(4)} % 1000000)::INTEGER AS small,
               ({h(18)} % {len(FAULTS)})::INTEGER AS fault_kind
        FROM range({int(plan.rows)}) t(i)
    ), base AS (
        SELECT d.*, un.code AS unit_code, un.name AS unit_name, un.tag, un.late_p, un.apology_p,
               un.on3_p, un.on4_p, p.code AS proc_code, p.name AS proc_name, p.level, p.days,
               se.day AS received
        FROM draw d
        JOIN ubuckets b ON b.bucket = d.ub
        JOIN units un ON un.idx = b.idx
        JOIN season se ON se.bucket = d.sb
        JOIN procs p ON p.idx = (un.idx * 31 + d.pj) % {int(plan.procedures)}
    ), shaped AS (
        SELECT *,
               received + days::INTEGER AS due,
               u_open < {s.open} AS is_open,
               u_late < late_p AS is_late,
               CASE WHEN level = 3 AND u_online < on3_p THEN 'Trực tuyến'
                    WHEN level = 4 AND u_online < on4_p THEN 'Trực tuyến'
                    WHEN u_postal < {s.postal_in} THEN 'Bưu chính công ích'
                    ELSE 'Trực tiếp' END AS channel,
               u_fault < {s.faulty} AS is_faulty
        FROM base
    ), done AS (
        SELECT *,
               CASE WHEN is_open THEN NULL
                    WHEN is_late THEN due + (1 + small % 10)::INTEGER
                    ELSE received + (small % (days + 1))::INTEGER END AS completed,
               NOT is_open AND is_late AND u_apo < apology_p AS has_letter
        FROM shaped
    )
    SELECT
        i + 1 AS "STT",
        CASE WHEN is_faulty AND fault_kind = 3 AND i > 0
             THEN 'H21.' || lpad(i::VARCHAR, {width}, '0') ELSE {dossier_id} END AS "Mã hồ sơ",
        CASE WHEN is_faulty AND fault_kind = 4 THEN '{UNKNOWN_UNIT}' ELSE unit_code END AS "Mã đơn vị",
        CASE WHEN is_faulty AND fault_kind = 4 THEN 'Đơn vị không có trong danh mục'
             ELSE unit_name END AS "Đơn vị tiếp nhận",
        proc_code AS "Mã TTHC",
        proc_name AS "Tên TTHC",
        'Mức độ ' || level AS "Mức độ DVC",
        channel AS "Hình thức nộp",
        CASE WHEN is_faulty AND fault_kind = 0 THEN '31/02/' || year(received)
             WHEN is_faulty AND fault_kind = 1 THEN NULL
             ELSE {dmy('received')} END AS "Ngày tiếp nhận",
        {dmy('due')} AS "Ngày hẹn trả",
        CASE WHEN is_faulty AND fault_kind = 2 THEN {dmy('received - (1 + small % 5)::INTEGER')}
             ELSE {dmy('completed')} END AS "Ngày trả kết quả",
        CASE WHEN channel = 'Bưu chính công ích' AND u_ret < 0.8 THEN 'Có'
             WHEN u_ret < {s.postal_return} THEN 'Có' ELSE 'Không' END AS "Trả kết quả qua BCCI",
        CASE WHEN has_letter THEN (1 + small % 997)::VARCHAR || '/TXL-' || tag END AS "Số thư xin lỗi",
        CASE WHEN has_letter THEN
             {dmy(f"CASE WHEN u_after < {s.apology_after_due} THEN due + (1 + small % 4)::INTEGER"
                  " ELSE due - (small % 3)::INTEGER END")} END AS "Ngày thư xin lỗi"
    FROM done
    """


def _level_name(level: int, new: bool) -> str:
    if new and level in (3, 4):
        return "Một phần" if level == 3 else "Toàn trình"
    return f"Mức độ {level}"


def _write_csv(path: Path, rows: Sequence[Sequence[object]], headers: Sequence[str]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        writer.writerows(rows)
    os.replace(tmp, path)


def _copy_csv(con: duckdb.DuckDBPyConnection, sql: str, path: Path) -> None:
    """DuckDB writes the rows; the BOM and header are ours, as the one-stop-shop systems write them."""
    body = path.with_name(path.name + ".body")
    tmp = path.with_name(path.name + ".tmp")
    con.execute(f"COPY ({sql}) TO '{body}' (FORMAT csv, HEADER false)")
    with open(tmp, "wb") as out:
        out.write(("\ufeff" + ",".join(HEADERS) + "\n").encode("utf-8"))
        with open(body, "rb") as src:
            shutil.copyfileobj(src, out, 16 * 1024 * 1024)
    body.unlink()
    os.replace(tmp, path)


DATE_HEADERS = ("Ngày tiếp nhận", "Ngày hẹn trả", "Ngày trả kết quả", "Ngày thư xin lỗi")


def typed_dates_sql(sql: str) -> str:
    """The rows of `sql` with the four date columns as DATE instead of dd/mm/yyyy text.

    What a typed export (a database dump to Parquet) carries. An impossible date such as 31/02 cannot
    be stored in a DATE column, so those cells are NULL: in such a file they are missing dates.
    """
    cols = ", ".join(f"try_strptime(\"{h}\", '%d/%m/%Y')::DATE AS \"{h}\"" for h in DATE_HEADERS)
    return f"SELECT * REPLACE ({cols}) FROM ({sql})"


def generate(plan: Plan, outputs: Outputs, *, memory_limit: str = "2GB",
             parquet_dates: str = "text") -> dict[str, float]:
    """Write the requested files; returns seconds spent per file.

    `parquet_dates` "text" writes the Parquet dates as dd/mm/yyyy text like the CSV (what exports
    converted from the one-stop-shop's CSV carry); "date" writes typed DATE columns (`typed_dates_sql`).
    """
    if parquet_dates not in ("text", "date"):
        raise ValueError(f"parquet_dates must be 'text' or 'date', not {parquet_dates!r}")
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute("SET preserve_insertion_order = true")
    units, procs, n_buckets = _load_tables(con, plan)
    sql = _dossier_sql(plan, n_buckets)
    timings: dict[str, float] = {}
    for target in (outputs.csv, outputs.parquet, outputs.units, outputs.services):
        if target is not None:
            Path(target).parent.mkdir(parents=True, exist_ok=True)
    if outputs.units is not None:
        _write_csv(Path(outputs.units), [(u[1], u[2], u[3]) for u in units], UNIT_HEADERS)
    if outputs.services is not None:
        k = min(plan.procedures_per_unit, plan.procedures)
        rows = []
        for u in units:
            for j in range(k):
                p = procs[(u[0] * 31 + j) % plan.procedures]
                rows.append((u[1], p[1], p[2], _level_name(p[3], plan.new_level_names)))
        _write_csv(Path(outputs.services), rows, SERVICE_HEADERS)
    if outputs.parquet is not None:
        start = time.perf_counter()
        path = Path(outputs.parquet)
        tmp = path.with_name(path.name + ".tmp")
        rows = typed_dates_sql(sql) if parquet_dates == "date" else sql
        con.execute(f"COPY ({rows}) TO '{tmp}' (FORMAT parquet, COMPRESSION zstd)")
        os.replace(tmp, path)
        timings["parquet"] = time.perf_counter() - start
    if outputs.csv is not None:
        start = time.perf_counter()
        _copy_csv(con, sql, Path(outputs.csv))
        timings["csv"] = time.perf_counter() - start
    con.close()
    return timings


def _parse_count(text: str) -> int:
    text = text.strip().lower().replace("_", "")
    factor = {"k": 1_000, "m": 1_000_000, "g": 1_000_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if factor > 1 else text) * factor)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=_parse_count, required=True, help="number of dossiers, e.g. 10m")
    parser.add_argument("--units", type=_parse_count, default=1000)
    parser.add_argument("--procedures", type=int, default=120)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--out", type=Path, required=True,
                        help="output prefix: writes PREFIX.csv / PREFIX.parquet, units.csv and services.csv beside it")
    parser.add_argument("--format", action="append", choices=("csv", "parquet"), dest="formats")
    parser.add_argument("--memory-limit", default="2GB")
    parser.add_argument("--parquet-dates", choices=("text", "date"), default="text",
                        help="Parquet date columns as dd/mm/yyyy text (default, like the CSV) or typed DATE")
    parser.add_argument("--new-level-names", action="store_true",
                        help='service catalogue names levels 3/4 "Một phần"/"Toàn trình"')
    for name, default in asdict(Shares()).items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=float, default=default, dest=f"share_{name}")
    args = parser.parse_args(argv)
    shares = Shares(**{k[len("share_"):]: v for k, v in vars(args).items() if k.startswith("share_")})
    plan = Plan(rows=args.rows, units=args.units, procedures=args.procedures, seed=args.seed, year=args.year,
                shares=shares, new_level_names=args.new_level_names)
    formats = set(args.formats or ["csv"])
    prefix: Path = args.out
    outputs = Outputs(
        csv=prefix.with_name(prefix.name + ".csv") if "csv" in formats else None,
        parquet=prefix.with_name(prefix.name + ".parquet") if "parquet" in formats else None,
        units=prefix.parent / "units.csv",
        services=prefix.parent / "services.csv",
    )
    timings = generate(plan, outputs, memory_limit=args.memory_limit, parquet_dates=args.parquet_dates)
    for fmt, seconds in timings.items():
        print(f"{fmt}: {plan.rows:,} rows in {seconds:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
