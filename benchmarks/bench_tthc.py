"""Benchmark: every TTHC metric for every unit, (a) parrules vs (b) hand-written DuckDB SQL vs (c) pandas.

Why: a province has 1–5 M dossiers a year and the country hundreds of millions. parrules' promise is
that scoring through its public API (a criteria set whose leaves read the `tthc.dossiers` check) costs
about what a competent analyst's single DuckDB query costs, and far less than the pandas script a
province would otherwise write. Each measurement runs in its own subprocess so that its peak memory
(max RSS from `os.wait4`) is its own; wall time is measured inside the child around the work (reading
the file through to metrics in hand), rows/s is rows in the file ÷ that time. The three must agree:
their per-unit counts and rates are compared before any figure is printed.

    python benchmarks/generate_dossiers.py --rows 10m --out benchmarks/data/dossiers-10m --format csv --format parquet
    python benchmarks/bench_tthc.py --rows 10m               # (a), (b), (c) on CSV and Parquet
    python benchmarks/bench_tthc.py --scale 1m,10m,100m      # (a) alone on Parquet at each size

(b) and (c) implement the check's documented definitions (see `parrules_tthc`): rows with a missing
or invalid date or completed before received are left out of the rates; rows sharing a dossier id are
bad but still counted; a dossier still open past its due date on `AS_OF` is late; an apology letter
is a number or a date; postal = received via bưu chính công ích or returned via BCCI.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
AS_OF = dt.date(2025, 6, 30)
COUNTS = ("dossier_count", "resolved_count", "late_count", "apology_missing", "apology_after_due", "bad_rows")
RATES = ("on_time_rate", "apology_rate", "postal_rate", "online_rate")
METRICS = COUNTS + RATES
#: --no-duplicate-ids: all three skip the repeated-id scan (tthc.dossiers' `duplicate_ids = false`),
#: to show how much of the cost finding repeated ids over every id is.
CHECK_IDS = os.environ.get("BENCH_TTHC_CHECK_IDS", "1") == "1"


# -- (a) parrules through its public API ---------------------------------------------------------

def _criteria_text() -> str:
    """A small set with one leaf per TTHC metric, all reading one `tthc.dossiers` call."""
    ids = "" if CHECK_IDS else ", duplicate_ids = false"
    params = f'check_params = {{ as_of = {AS_OF.isoformat()}{ids} }}'
    leaves = []
    for i, metric in enumerate(METRICS, start=1):
        if metric in RATES:
            rule = 'rule = "proportional"\nif_no_value = "full"'
        else:
            rule = 'rule = "deduction"\nper_occurrence = 0.0001'
        leaves.append(f'[criteria."{i}"]\nname = "{metric}"\nmax_points = 1\n{rule}\n'
                      f'check = "tthc.dossiers"\nmetric = "{metric}"\n{params}\n')
    head = (f'[set]\nid = "bench-tthc"\nname = "Benchmark TTHC"\nlevel = "department"\n'
            f'total_points = {len(METRICS)}\n\n')
    return head + "\n".join(leaves)


def run_parrules(path: Path, units: list[str]) -> dict[str, dict[str, Any]]:
    import parrules

    registry = parrules.Registry()
    criteria = parrules.criteria_set_from_text(_criteria_text(), registry)
    subs = [parrules.submission_from_dict({"unit": {"code": code, "name": code, "kind": "department",
                                                    "period": 2024}}) for code in units]
    run = parrules.score_many(criteria, subs, data={"dossiers": path})
    out = {}
    for unit in run.units:
        found = {leaf.code: leaf for leaf in unit.leaves}
        errors = [leaf.error for leaf in unit.leaves if leaf.error]
        if errors:
            raise SystemExit(f"parrules failed for {unit.unit.code}: {errors[0]}")
        out[unit.unit.code] = {m: found[str(i)].verified for i, m in enumerate(METRICS, start=1)}
    return out


# -- (b) one hand-written DuckDB query ----------------------------------------------------------

SQL = """
WITH raw AS (
    SELECT "Mã đơn vị" AS unit, "Mã hồ sơ" AS id, "Hình thức nộp" AS channel,
           "Trả kết quả qua BCCI" AS ret, "Số thư xin lỗi" AS ano,
           "Ngày tiếp nhận" AS r_txt, "Ngày hẹn trả" AS d_txt, "Ngày trả kết quả" AS c_txt,
           "Ngày thư xin lỗi" AS a_txt
    FROM {source}
), parsed AS (
    SELECT unit, id, channel, ret, ano,
           {r} AS received, {d} AS due, {c} AS completed, {a} AS apology_date,
           {r_given} AS r_given, {d_given} AS d_given, {c_given} AS c_given, {a_given} AS a_given
    FROM raw
), flagged AS (
    SELECT *,
           (NOT r_given OR NOT d_given
            OR (r_given AND received IS NULL) OR (d_given AND due IS NULL)
            OR (c_given AND completed IS NULL) OR (a_given AND apology_date IS NULL)
            OR coalesce(completed < received, false)) AS left_out,
           (completed > due OR (NOT c_given AND due < DATE '{as_of}')) AS late,
           (coalesce(ano, '') <> '' OR a_given) AS letter
    FROM parsed
), dup AS (
    SELECT id FROM raw WHERE id IS NOT NULL AND {check_ids} GROUP BY id HAVING count(*) > 1
)
SELECT unit,
       count(*) FILTER (WHERE NOT left_out) AS dossier_count,
       count(*) FILTER (WHERE NOT left_out AND completed IS NOT NULL) AS resolved_count,
       count(*) FILTER (WHERE NOT left_out AND completed <= due) AS on_time,
       count(*) FILTER (WHERE NOT left_out AND late) AS late_count,
       count(*) FILTER (WHERE NOT left_out AND late AND letter) AS with_letter,
       count(*) FILTER (WHERE NOT left_out AND late AND letter AND apology_date > due) AS apology_after_due,
       count(*) FILTER (WHERE NOT left_out AND (channel = 'Bưu chính công ích' OR ret = 'Có')) AS postal,
       count(*) FILTER (WHERE NOT left_out AND channel = 'Trực tuyến') AS online,
       count(*) FILTER (WHERE left_out OR id IN (SELECT id FROM dup)) AS bad_rows
FROM flagged
GROUP BY unit
"""


def _pct(part: int, whole: int) -> Decimal | None:
    return None if whole == 0 else Decimal(part) * 100 / Decimal(whole)


def _finish(unit: str, dossier_count: int, resolved: int, on_time: int, late: int, with_letter: int,
            after: int, postal: int, online: int, bad: int) -> tuple[str, dict[str, Any]]:
    return str(unit), {
        "dossier_count": int(dossier_count), "resolved_count": int(resolved), "late_count": int(late),
        "apology_missing": int(late - with_letter), "apology_after_due": int(after), "bad_rows": int(bad),
        "on_time_rate": _pct(on_time, resolved), "apology_rate": _pct(with_letter, late),
        "postal_rate": _pct(postal, dossier_count), "online_rate": _pct(online, dossier_count),
    }


def run_duckdb(path: Path, units: list[str]) -> dict[str, dict[str, Any]]:
    import duckdb

    source = (f"read_parquet('{path}')" if path.suffix == ".parquet"
              else f"read_csv('{path}', header = true, all_varchar = true)")
    con = duckdb.connect()
    typed = "DATE" in dict(con.execute(f'SELECT column_name, column_type FROM (DESCRIBE SELECT "Ngày tiếp nhận" '
                                       f"FROM {source})").fetchall()).values()
    # The analyst knows the export: typed DATE columns are used as they are, text is dd/mm/yyyy.
    dates = {}
    for key in "rdca":
        col = f"{key}_txt"
        dates[key] = col if typed else f"try_strptime({col}, '%d/%m/%Y')::DATE"
        dates[f"{key}_given"] = f"{col} IS NOT NULL" if typed else f"coalesce({col}, '') <> ''"
    sql = SQL.format(source=source, as_of=AS_OF.isoformat(), check_ids="true" if CHECK_IDS else "false", **dates)
    rows = con.execute(sql).fetchall()
    wanted = set(units)
    return dict(_finish(*row) for row in rows if row[0] in wanted)


# -- (c) pandas -----------------------------------------------------------------------------------

def run_pandas(path: Path, units: list[str]) -> dict[str, dict[str, Any]]:
    import pandas as pd

    cols = ["Mã đơn vị", "Mã hồ sơ", "Hình thức nộp", "Trả kết quả qua BCCI", "Số thư xin lỗi",
            "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày trả kết quả", "Ngày thư xin lỗi"]
    if path.suffix == ".parquet":
        df = pd.read_parquet(path, columns=cols)
    else:
        df = pd.read_csv(path, usecols=cols, dtype=str, engine="pyarrow", encoding="utf-8-sig")
    df.columns = ["unit", "id", "channel", "ret", "ano", "r", "d", "c", "a"]
    dates = {}
    for col in ("r", "d", "c", "a"):
        if not pd.api.types.is_string_dtype(df[col]):  # typed DATE columns (--parquet-dates date)
            parsed = pd.to_datetime(df[col])
            dates[col] = (parsed, parsed.notna())
            continue
        text = df[col].fillna("")
        given = text != ""
        parsed = pd.to_datetime(text.where(given), format="%d/%m/%Y", errors="coerce")
        dates[col] = (parsed, given)
    (r, r_g), (d, d_g), (c, c_g), (a, a_g) = dates["r"], dates["d"], dates["c"], dates["a"]
    left_out = (~r_g | ~d_g | (r_g & r.isna()) | (d_g & d.isna()) | (c_g & c.isna()) | (a_g & a.isna())
                | (c < r).fillna(False))
    keep = ~left_out
    late = ((c > d) | (~c_g & (d < pd.Timestamp(AS_OF)))) & keep
    letter = (df["ano"].fillna("") != "") | a_g
    dup = (df["id"].notna() & df["id"].duplicated(keep=False)) if CHECK_IDS else False
    frame = pd.DataFrame({
        "unit": df["unit"],
        "dossier_count": keep,
        "resolved_count": keep & c.notna(),
        "on_time": keep & (c <= d),
        "late_count": late,
        "with_letter": late & letter,
        "apology_after_due": late & letter & (a > d),
        "postal": keep & ((df["channel"] == "Bưu chính công ích") | (df["ret"] == "Có")),
        "online": keep & (df["channel"] == "Trực tuyến"),
        "bad_rows": left_out | dup,
    })
    sums = frame.groupby("unit", sort=False).sum()
    wanted = set(units)
    return dict(_finish(unit, *map(int, row)) for unit, row in zip(sums.index, sums.itertuples(index=False))
                if unit in wanted)


ENGINES = {"a": ("parrules", run_parrules), "b": ("DuckDB SQL", run_duckdb), "c": ("pandas", run_pandas)}


# -- one measurement in a child process -----------------------------------------------------------

def _units(path: Path) -> list[str]:
    import csv

    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [row["Mã đơn vị"] for row in csv.DictReader(fh)]


def child(engine: str, path: Path, units_file: Path, out: Path) -> None:
    units = _units(units_file)
    start = time.perf_counter()
    metrics = ENGINES[engine][1](path, units)
    seconds = time.perf_counter() - start
    out.write_text(json.dumps({"seconds": seconds, "metrics": metrics}, default=str), encoding="utf-8")


def measure(engine: str, path: Path, units_file: Path) -> dict[str, Any]:
    """Run one engine on one file in a fresh interpreter; wall time from the child, peak RSS from wait4."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        proc = subprocess.Popen([sys.executable, __file__, "--child", engine, str(path), str(units_file), str(out)])
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            return {"failed": f"exit code {proc.returncode}", "peak_mb": usage.ru_maxrss / 1024}
        result = json.loads(out.read_text(encoding="utf-8"))
    result["peak_mb"] = usage.ru_maxrss / 1024  # Linux reports KiB
    result["cpu"] = usage.ru_utime + usage.ru_stime  # whole child, interpreter start included
    return result


def _rows(path: Path) -> int:
    import duckdb

    if path.suffix == ".parquet":
        return duckdb.connect().execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()[0]
    with open(path, "rb") as fh:
        return sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 24), b"")) - 1


def _same(x: Any, y: Any) -> bool:
    if x is None or y is None:
        return x is None and y is None
    return abs(Decimal(str(x)) - Decimal(str(y))) < Decimal("1e-9")


def compare(results: dict[str, dict[str, Any]]) -> list[str]:
    """Differences between engines' per-unit metrics (empty when they agree)."""
    names = [k for k, v in results.items() if "metrics" in v]
    problems = []
    if len(names) < 2:
        return problems
    base = results[names[0]]["metrics"]
    for other in names[1:]:
        theirs = results[other]["metrics"]
        if set(base) != set(theirs):
            problems.append(f"{names[0]} and {other} report different units "
                            f"({len(set(base) ^ set(theirs))} differ)")
        for unit in sorted(set(base) & set(theirs)):
            for metric in METRICS:
                if not _same(base[unit][metric], theirs[unit][metric]):
                    problems.append(f"{unit} {metric}: {names[0]}={base[unit][metric]} {other}={theirs[unit][metric]}")
    return problems


def _load() -> str:
    with open("/proc/loadavg", encoding="ascii") as fh:
        return " ".join(fh.read().split()[:3])


def _row(label: str, res: dict[str, Any], rows: int) -> str:
    if "failed" in res:
        return f"| {label} | failed: {res['failed']} | | | {res['peak_mb']:,.0f} |"
    secs = res["seconds"]
    return f"| {label} | {secs:,.2f} | {rows / secs:,.0f} | {res['cpu']:,.2f} | {res['peak_mb']:,.0f} |"


def matrix(size: str, engines: str, formats: list[str]) -> int:
    units_file = DATA / "units.csv"
    print(f"## {size} dossiers, {len(_units(units_file)):,} units — {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, load before: {_load()}"
          + ("" if os.environ.get("BENCH_TTHC_CHECK_IDS", "1") == "1" else "; repeated ids NOT checked"))
    failed = False
    for fmt in formats:
        path = DATA / f"dossiers-{size}.{fmt}"
        rows = _rows(path)
        results = {e: measure(e, path, units_file) for e in engines}
        print(f"\n### {fmt.upper()} ({path.name}, {rows:,} rows, {path.stat().st_size / 1e6:,.0f} MB)\n")
        print("| engine | wall s | rows/s | CPU s | peak MiB |\n|---|---:|---:|---:|---:|")
        for e in engines:
            print(_row(f"({e}) {ENGINES[e][0]}", results[e], rows))
        ok = {e: r for e, r in results.items() if "seconds" in r}
        if "a" in ok and "b" in ok:
            print(f"\na/b = {ok['a']['seconds'] / ok['b']['seconds']:.2f} (bar ≤ 1.5)", end="")
        if "a" in ok and "c" in ok:
            bar = 5 if fmt == "parquet" else 2
            print(f"; c/a = {ok['c']['seconds'] / ok['a']['seconds']:.2f} (bar ≥ {bar})", end="")
        print()
        diffs = compare({ENGINES[e][0]: r for e, r in results.items()})
        if diffs:
            failed = True
            print(f"DISAGREEMENT ({len(diffs)}): " + "; ".join(diffs[:10]))
        else:
            print(f"metrics agree for all {len(next(iter(ok.values()))['metrics']):,} units" if ok else "")
    print(f"\nload after: {_load()}")
    return 1 if failed else 0


def scale(sizes: list[str]) -> int:
    units_file = DATA / "units.csv"
    print(f"## (a) parrules on Parquet by volume — {os.cpu_count()} cores, load before: {_load()}\n")
    print("| rows | wall s | rows/s | CPU s | peak MiB |\n|---:|---:|---:|---:|---:|")
    for size in sizes:
        path = DATA / f"dossiers-{size}.parquet"
        rows = _rows(path)
        res = measure("a", path, units_file)
        print(_row(f"{rows:,}", res, rows), flush=True)
    print(f"\nload after: {_load()}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", default="10m", help="data size suffix: benchmarks/data/dossiers-<rows>.csv/.parquet")
    parser.add_argument("--engines", default="abc")
    parser.add_argument("--formats", default="parquet,csv")
    parser.add_argument("--no-duplicate-ids", action="store_true",
                        help="all engines skip the repeated-id scan (tthc.dossiers duplicate_ids = false)")
    parser.add_argument("--scale", help="comma-separated sizes for the (a)-only Parquet table, e.g. 1m,10m,100m")
    parser.add_argument("--child", nargs=4, metavar=("ENGINE", "FILE", "UNITS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.no_duplicate_ids:
        os.environ["BENCH_TTHC_CHECK_IDS"] = "0"  # children read it at import
    if args.child:
        engine, path, units, out = args.child
        child(engine, Path(path), Path(units), Path(out))
        return 0
    if args.scale:
        return scale(args.scale.split(","))
    return matrix(args.rows, args.engines, args.formats.split(","))


if __name__ == "__main__":
    raise SystemExit(main())
