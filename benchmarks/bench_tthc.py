"""Benchmark: every TTHC metric for every unit — parrules' `tthc.dossiers` against hand-written DuckDB.

Why: a province has 1–5 M dossiers a year and the country hundreds of millions. parrules' promise is
that scoring through its public API (a criteria set whose leaves read the `tthc.dossiers` check) costs
about what a competent analyst's single DuckDB query costs — on the user's export, not only on the
project's generator.

Default mode (issue #13): 10 M dossiers, 1,000 units, five files — the generator's Parquet with text
dates, its Parquet with DATE columns, its CSV (dd/mm/yyyy), and an export shaped unlike it
(`generate_export.py`: English headers, ISO dates, a boolean postal-return column, channel codes
`online_l3` / `online_l4`, integer ids) as CSV and as Parquet, read through the documented column
mapping. Engines, each in a fresh interpreter, interleaved over `--repeat` rounds:

- parrules, repeated ids checked (the default) and with `duplicate_ids = false`;
- the analyst's full query — one pass, the export's one date format, repeated ids by a window
  (`count(*) OVER (PARTITION BY id) > 1`) or by `GROUP BY id HAVING count(*) > 1` (the faster of the two
  is the peer of the bar);
- the minimal query: the same metrics with no id handling.

Before printing, parrules' metrics are compared with every peer's, exactly (integers, and rates to the
34 digits of `parrules.amounts.percent`), for every unit. Bars: parrules ≤ 1.5 × the full peer, parrules
without the id check ≤ 2 × the minimal query, parrules' peak RSS ≤ 2 GB.

    .venv/bin/python benchmarks/bench_tthc.py                 # all five files, 10m rows (generated if missing)
    .venv/bin/python benchmarks/bench_tthc.py --quick         # smoke run, 200k rows, under a minute
    .venv/bin/python benchmarks/bench_tthc.py --legacy --rows 10m     # the issue-4 table: (a) (b) (c), below
    .venv/bin/python benchmarks/bench_tthc.py --legacy --scale 1m,10m,100m

Data goes to --data-dir (default $PARRULES_BENCH_DATA, else /tmp/bench-data), never into the repository.

Legacy mode (issue 4): (a) parrules vs (b) hand-written DuckDB SQL vs (c) pandas, on the generator's
files. Each measurement runs in its own subprocess so that its peak memory (max RSS from `os.wait4`) is
its own; wall time is measured inside the child around the work (reading the file through to metrics
in hand), rows/s is rows in the file ÷ that time. The three must agree: their per-unit counts and rates
are compared before any figure is printed.

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
from typing import Any, NamedTuple

HERE = Path(__file__).resolve().parent
DATA = Path(os.environ.get("PARRULES_BENCH_DATA", "/tmp/bench-data"))  # --data-dir
AS_OF = dt.date(2025, 6, 30)
COUNTS = ("dossier_count", "resolved_count", "late_count", "late_with_apology", "apology_missing", "apology_after_due",
          "bad_rows")
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


def run_parrules(path: Path, units: list[str], criteria_text: str | None = None) -> dict[str, dict[str, Any]]:
    """The metrics parrules' `tthc.dossiers` measures per unit, for a set scoring each metric."""
    import parrules

    registry = parrules.Registry()
    criteria = parrules.criteria_set_from_text(criteria_text or _criteria_text(), registry)
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
        "late_with_apology": int(with_letter), "apology_missing": int(late - with_letter),
        "apology_after_due": int(after), "bad_rows": int(bad),
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


# == issue #13: four layouts (one unlike the generator's), analyst peers, the bars ==================
#
# Every engine runs in its own fresh interpreter; the work is timed inside the child from before its
# first import (parrules or duckdb) to per-unit metrics in hand, and the parent reads the child's CPU
# seconds and peak RSS from wait4. Rounds interleave the engines (the order rotates each round), so
# each ratio compares runs of one sitting; the tables give medians over the rounds.

#: Where the data lives (never inside the repository): --data-dir, else $PARRULES_BENCH_DATA.
DEFAULT_DATA = Path(os.environ.get("PARRULES_BENCH_DATA", "/tmp/bench-data"))
AS_OF_13 = dt.date(2024, 12, 31)  # the generators write 2024; open dossiers due before this are late
#: The column mapping a user of the English export writes in the set (tthc.dossiers check_params.columns);
#: the same as benchmarks/generate_export.py's COLUMNS (not imported: that module imports duckdb).
EXPORT_COLUMNS = {
    "id": "record_id", "unit": "agency_code", "procedure": "procedure_code", "level": "service_level",
    "channel": "submission_channel", "received": "received_date", "due": "due_date",
    "completed": "completed_date", "postal_return": "returned_by_post", "apology_no": "apology_ref",
    "apology_date": "apology_date",
}
#: What the English export's values mean, as its user writes it (tthc.dossiers check_params.values, see
#: plugins/parrules-tthc/README.md): the peer's `channel IN ('online_l3', 'online_l4')` and `= 'postal'`.
EXPORT_VALUES = {"channel": {"counter": "counter", "postal": "postal", "online_l3": "online_level3",
                             "online_l4": "online_level4"},
                 "postal_return": {"true": "yes", "false": "no"}}
GB = 10**9


class Layout(NamedTuple):  # not a dataclass: tests load this file without registering it as a module
    """One file of the matrix: where it is, how it is shaped, how to make it."""

    name: str
    file: str  # file name with {rows}
    shape: str  # "generator" (generate_dossiers.py) or "export" (generate_export.py)
    dates: str  # "dmy" text dd/mm/yyyy, "iso" text yyyy-mm-dd, "typed" DATE columns
    what: str

    def path(self, data: Path, rows: str) -> Path:
        return data / self.file.format(rows=rows)


LAYOUTS = {
    "parquet-text": Layout("parquet-text", "dossiers-{rows}.parquet", "generator", "dmy",
                           "Parquet, Vietnamese headers, dd/mm/yyyy text dates (generate_dossiers.py)"),
    "parquet-date": Layout("parquet-date", "dossiers-{rows}-dates.parquet", "generator", "typed",
                           "Parquet, Vietnamese headers, DATE columns (generate_dossiers.py --parquet-dates date)"),
    "csv-dmy": Layout("csv-dmy", "dossiers-{rows}.csv", "generator", "dmy",
                      "CSV with BOM, Vietnamese headers, dd/mm/yyyy (generate_dossiers.py)"),
    "csv-iso-en": Layout("csv-iso-en", "export-{rows}.csv", "export", "iso",
                         "CSV, English headers, ISO dates, true/false postal return, online_l3/online_l4 "
                         "(generate_export.py), read through check_params.columns"),
    "parquet-iso-en": Layout("parquet-iso-en", "export-{rows}.parquet", "export", "iso",
                             "Parquet of the same English export: BIGINT ids, BOOLEAN postal return, ISO text "
                             "dates (generate_export.py)"),
}
ENGINES_13 = {
    "parrules": "parrules `tthc.dossiers` (repeated ids checked, the default)",
    "parrules-noids": "parrules `tthc.dossiers`, `duplicate_ids = false`",
    "peer-window": "DuckDB, one pass: repeated ids by `count(*) OVER (PARTITION BY id) > 1`",
    "peer-semi": "DuckDB: repeated ids by `id IN (SELECT id … GROUP BY id HAVING count(*) > 1)`",
    "minimal": "DuckDB, the minimal query: no id handling",
}
FULL_PEERS = ("peer-window", "peer-semi")


def _units_of(layout: Layout, data: Path) -> list[str]:
    import csv

    name, column = ("units.csv", "Mã đơn vị") if layout.shape == "generator" else ("agencies.csv", "agency_code")
    with open(data / name, encoding="utf-8-sig", newline="") as fh:
        return [row[column] for row in csv.DictReader(fh)]


def _toml(value: Any) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f'"{k}" = {_toml(v)}' for k, v in value.items()) + " }"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False)


def criteria_13(layout: Layout, check_ids: bool, extra: str = "") -> str:
    """One leaf per metric, all reading one `tthc.dossiers` call; the export's headers mapped as documented."""
    params: dict[str, Any] = {"as_of": AS_OF_13}
    if layout.shape == "export":
        params["columns"] = EXPORT_COLUMNS
        params["values"] = EXPORT_VALUES
    if not check_ids:
        params["duplicate_ids"] = False
    inline = _toml(params)
    if extra.strip():
        inline = inline[:-2] + ", " + extra.strip() + " }"
    leaves = []
    for i, metric in enumerate(METRICS, start=1):
        rule = ('rule = "proportional"\nif_no_value = "full"' if metric in RATES
                else 'rule = "deduction"\nper_occurrence = 0.0001')
        leaves.append(f'[criteria."{i}"]\nname = "{metric}"\nmax_points = 1\n{rule}\n'
                      f'check = "tthc.dossiers"\nmetric = "{metric}"\ncheck_params = {inline}\n')
    return (f'[set]\nid = "bench-tthc-13"\nname = "Benchmark TTHC"\nlevel = "department"\n'
            f'total_points = {len(METRICS)}\n\n' + "\n".join(leaves))


def parrules_13(layout: Layout, path: Path, units: list[str], check_ids: bool, extra: str) -> dict[str, dict]:
    return run_parrules(path, units, criteria_13(layout, check_ids, extra))


PEER_SQL = """
WITH t AS (
    SELECT {unit} AS unit, {channel} AS channel, {ret} AS ret, {ano} AS ano,
           {r} AS received, {d} AS due, {c} AS completed, {a} AS apology_date,
           {r_given} AS r_given, {d_given} AS d_given, {c_given} AS c_given, {a_given} AS a_given,
           {dup} AS dup
    FROM {source}
), f AS (
    SELECT *,
           (NOT r_given OR NOT d_given OR received IS NULL OR due IS NULL
            OR (c_given AND completed IS NULL) OR (a_given AND apology_date IS NULL)
            OR coalesce(completed < received, false)) AS left_out,
           (completed > due OR (NOT c_given AND due < DATE '{as_of}')) AS late,
           (coalesce(ano, '') <> '' OR a_given) AS letter
    FROM t
)
SELECT unit,
       count(*) FILTER (WHERE NOT left_out) AS dossier_count,
       count(*) FILTER (WHERE NOT left_out AND completed IS NOT NULL) AS resolved_count,
       count(*) FILTER (WHERE NOT left_out AND completed <= due) AS on_time,
       count(*) FILTER (WHERE NOT left_out AND late) AS late_count,
       count(*) FILTER (WHERE NOT left_out AND late AND letter) AS with_letter,
       count(*) FILTER (WHERE NOT left_out AND late AND letter AND apology_date > due) AS apology_after_due,
       count(*) FILTER (WHERE NOT left_out AND {postal}) AS postal,
       count(*) FILTER (WHERE NOT left_out AND {online}) AS online,
       count(*) FILTER (WHERE left_out OR dup) AS bad_rows
FROM f
GROUP BY unit
"""


def peer_sql(layout: Layout, path: Path, variant: str) -> str:
    """What an analyst who knows this export writes: one query, the one right date format."""
    if layout.shape == "generator":
        h = {k: _ident_13(v) for k, v in DOSSIER_HEADERS.items()}
    else:
        h = {k: _ident_13(v) for k, v in EXPORT_COLUMNS.items()}
    parquet = path.suffix == ".parquet"
    source = (f"read_parquet('{path}')" if parquet else f"read_csv('{path}', header = true, all_varchar = true)")
    fields = {"unit": h["unit"], "channel": h["channel"], "ret": h["postal_return"], "ano": h["apology_no"]}
    for key, col in (("r", "received"), ("d", "due"), ("c", "completed"), ("a", "apology_date")):
        name = h[col]
        if layout.dates == "typed":
            fields[key], fields[f"{key}_given"] = name, f"{name} IS NOT NULL"
        else:
            fields[key] = (f"try_strptime({name}, '%d/%m/%Y')::DATE" if layout.dates == "dmy"
                           else f"try_cast({name} AS DATE)")
            fields[f"{key}_given"] = f"coalesce({name}, '') <> ''"
    ident = h["id"]
    if variant == "window":
        fields["dup"] = f"({ident} IS NOT NULL AND count(*) OVER (PARTITION BY {ident}) > 1)"
    elif variant == "semi":
        fields["dup"] = (f"coalesce({ident} IN (SELECT {ident} FROM {source} WHERE {ident} IS NOT NULL "
                         f"GROUP BY {ident} HAVING count(*) > 1), false)")
    else:
        fields["dup"] = "false"
    if layout.shape == "generator":
        postal, online = "(channel = 'Bưu chính công ích' OR ret = 'Có')", "channel = 'Trực tuyến'"
    else:
        yes = "coalesce(ret, false)" if parquet else "ret = 'true'"
        postal, online = f"(channel = 'postal' OR {yes})", "channel IN ('online_l3', 'online_l4')"
    return PEER_SQL.format(source=source, as_of=AS_OF_13.isoformat(), postal=postal, online=online, **fields)


DOSSIER_HEADERS = {
    "id": "Mã hồ sơ", "unit": "Mã đơn vị", "channel": "Hình thức nộp", "received": "Ngày tiếp nhận",
    "due": "Ngày hẹn trả", "completed": "Ngày trả kết quả", "postal_return": "Trả kết quả qua BCCI",
    "apology_no": "Số thư xin lỗi", "apology_date": "Ngày thư xin lỗi",
}


def _ident_13(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _rate_34(part: int, whole: int) -> Decimal | None:
    """part × 100 / whole to 34 digits, as parrules.amounts.percent: the peer's rates compare exactly."""
    import decimal

    return None if whole == 0 else decimal.Context(prec=34).divide(Decimal(part) * 100, Decimal(whole))


def peer_13(layout: Layout, path: Path, units: list[str], variant: str) -> dict[str, dict]:
    import duckdb

    rows = duckdb.connect().execute(peer_sql(layout, path, variant)).fetchall()
    got = {str(r[0]): r[1:] for r in rows}
    out = {}
    for code in units:  # a unit without rows: zero counts, no rates (as parrules reports it)
        n, resolved, on_time, late, letter, after, postal, online, bad = map(int, got.get(code, (0,) * 9))
        out[code] = {"dossier_count": n, "resolved_count": resolved, "late_count": late,
                     "late_with_apology": letter, "apology_missing": late - letter, "apology_after_due": after,
                     "bad_rows": bad,
                     "on_time_rate": _rate_34(on_time, resolved), "apology_rate": _rate_34(letter, late),
                     "postal_rate": _rate_34(postal, n), "online_rate": _rate_34(online, n)}
    return out


def child_13(spec: dict[str, Any]) -> None:
    layout, path = LAYOUTS[spec["layout"]], Path(spec["path"])
    units = _units_of(layout, Path(spec["data"]))
    engine = spec["engine"]
    start = time.perf_counter()
    if engine.startswith("parrules"):
        metrics = parrules_13(layout, path, units, engine == "parrules", spec.get("extra", ""))
    else:
        metrics = peer_13(layout, path, units, {"peer-window": "window", "peer-semi": "semi"}.get(engine, "none"))
    seconds = time.perf_counter() - start
    Path(spec["out"]).write_text(json.dumps({"seconds": seconds, "metrics": metrics}, default=str), encoding="utf-8")


def measure_13(spec: dict[str, Any]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, __file__, "--child13", json.dumps({**spec, "out": str(out)})])
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        code = os.waitstatus_to_exitcode(status)
        peak = usage.ru_maxrss * 1024  # Linux reports KiB
        if code != 0:
            return {"failed": f"exit code {code}", "peak": peak}
        result = json.loads(out.read_text(encoding="utf-8"))
    return {**result, "peak": peak, "cpu": usage.ru_utime + usage.ru_stime, "process_wall": wall}


def _exact(x: Any, y: Any) -> bool:
    if x is None or y is None:
        return x is None and y is None
    return Decimal(str(x)) == Decimal(str(y))


def compare_13(a: dict[str, dict], b: dict[str, dict]) -> list[str]:
    problems = []
    if set(a) != set(b):
        problems.append(f"{len(set(a) ^ set(b))} units differ between the two")
    for unit in sorted(set(a) & set(b)):
        for metric in METRICS:
            if not _exact(a[unit][metric], b[unit][metric]):
                problems.append(f"{unit} {metric}: {a[unit][metric]} vs {b[unit][metric]}")
    return problems


def ensure_data(layouts: list[Layout], data: Path, rows: str, units: int) -> None:
    """Generate what is missing (deterministic; 10 M rows take about 10–35 s per file)."""
    here = Path(__file__).resolve().parent
    want = {lay.path(data, rows) for lay in layouts}
    size = ["--rows", rows]
    jobs = []

    def missing(*names: str) -> list[str]:
        return [n for n in names if data / n.format(rows=rows) in want and not (data / n.format(rows=rows)).exists()]

    formats = [n.rsplit(".", 1)[1] for n in missing("dossiers-{rows}.csv", "dossiers-{rows}.parquet")]
    if formats:
        jobs.append([here / "generate_dossiers.py", "--out", data / f"dossiers-{rows}", *size, "--units", units,
                     "--faulty", "0.005", *sum((["--format", f] for f in formats), [])])
    if missing("dossiers-{rows}-dates.parquet"):
        jobs.append([here / "generate_dossiers.py", "--out", data / f"dossiers-{rows}-dates", *size, "--units", units,
                     "--faulty", "0.005", "--format", "parquet", "--parquet-dates", "date"])
    formats = [n.rsplit(".", 1)[1] for n in missing("export-{rows}.csv", "export-{rows}.parquet")]
    if formats:
        jobs.append([here / "generate_export.py", "--out", data / f"export-{rows}", *size, "--agencies", units,
                     *sum((["--format", f] for f in formats), [])])
    for job in jobs:
        started = time.perf_counter()
        command = [str(x) for x in job]
        print("generating: " + " ".join([Path(command[0]).name, *command[1:]]), file=sys.stderr, flush=True)
        subprocess.run([sys.executable, *command], check=True)
        print(f"  {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    for layout in layouts:
        units_file = data / ("units.csv" if layout.shape == "generator" else "agencies.csv")
        if not units_file.exists():
            raise SystemExit(f"{units_file} is missing: delete {layout.path(data, rows).name} to regenerate it")


def _median(values: list[float]) -> float:
    import statistics

    return statistics.median(values)


def _fmt_ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}×"


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "**FAIL**")


def evidence(args: argparse.Namespace) -> int:
    data: Path = args.data_dir
    rows: str = args.rows
    layouts = [LAYOUTS[name] for name in args.layouts.split(",")]
    engines = ["parrules", "parrules-noids", *[f"peer-{p}" for p in args.peers.split(",") if p], "minimal"]
    ensure_data(layouts, data, rows, args.units)
    print(f"# tthc.dossiers vs hand-written DuckDB — {rows} rows, {args.repeat} interleaved round(s), "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M')}\n")
    summary = []
    failed = False
    for layout in layouts:
        path = layout.path(data, rows)
        units = _units_of(layout, data)
        load_before = _load()
        runs: dict[str, list[dict[str, Any]]] = {e: [] for e in engines}
        for r in range(args.repeat):
            order = engines[r % len(engines):] + engines[:r % len(engines)]
            for engine in order:
                spec = {"engine": engine, "layout": layout.name, "path": str(path), "data": str(data),
                        "extra": args.check_params}
                runs[engine].append(measure_13(spec))
        load_after = _load()
        print(f"## {layout.name}: {path.name} ({path.stat().st_size / 1e6:,.0f} MB, {len(units):,} units)\n\n"
              f"{layout.what}. Load before / after: {load_before} / {load_after}.\n")
        print("| engine | wall s (median) | wall s (runs) | CPU s (median) | peak MiB (max) |\n|---|---:|---|---:|---:|")
        med: dict[str, float] = {}
        for engine in engines:
            ok = [x for x in runs[engine] if "seconds" in x]
            peak = max(x["peak"] for x in runs[engine]) / 2**20
            if len(ok) < len(runs[engine]):
                failed = True
                print(f"| {ENGINES_13[engine]} | failed: {runs[engine][0].get('failed')} | | | {peak:,.0f} |")
                continue
            med[engine] = _median([x["seconds"] for x in ok])
            each = " / ".join(f"{x['seconds']:.2f}" for x in ok)
            print(f"| {ENGINES_13[engine]} | {med[engine]:.2f} | {each} | {_median([x['cpu'] for x in ok]):.2f} "
                  f"| {peak:,.0f} |")
        agree = []
        for peer in [e for e in engines if e in FULL_PEERS]:
            agree.append(("parrules", peer))
        agree.append(("parrules-noids", "minimal"))
        notes = []
        all_ok = True
        for mine, theirs in agree:
            a = next((x["metrics"] for x in runs[mine] if "metrics" in x), None)
            b = next((x["metrics"] for x in runs[theirs] if "metrics" in x), None)
            if a is None or b is None:
                all_ok = False
                continue
            diffs = compare_13(a, b)
            if diffs:
                all_ok = False
                notes.append(f"DISAGREEMENT {mine} vs {theirs} ({len(diffs)}): " + "; ".join(diffs[:8]))
        failed |= not all_ok
        print("\n" + ("\n".join(notes) if notes else
                      f"Agreement: parrules equals every peer, exactly, for all {len(units):,} units and "
                      f"{len(METRICS)} metrics (with ids: {', '.join(p for p in engines if p in FULL_PEERS)}; "
                      "duplicate_ids = false: the minimal query).") + "\n")
        peers = {e: med[e] for e in engines if e in FULL_PEERS and e in med}
        best = min(peers, key=peers.get) if peers else None
        peak = max((x["peak"] for e in ("parrules", "parrules-noids") for x in runs[e]), default=0)
        summary.append({
            "layout": layout.name, "agree": all_ok, "peak": peak, "best": best, "load": f"{load_before} / {load_after}",
            "vs_peer": med["parrules"] / peers[best] if best and "parrules" in med else None,
            "vs_minimal": med["parrules-noids"] / med["minimal"] if {"parrules-noids", "minimal"} <= set(med) else None,
            "full_vs_minimal": med["parrules"] / med["minimal"] if {"parrules", "minimal"} <= set(med) else None,
            "parrules": med.get("parrules"), "peer": peers.get(best) if best else None,
            "noids": med.get("parrules-noids"), "minimal": med.get("minimal"),
        })
    print("## Bars (issue #13, evidence)\n")
    print("| layout | parrules s | best full peer s | parrules ÷ peer (bar ≤ 1.5×) | | no-ids s | minimal s "
          "| no-ids ÷ minimal (bar ≤ 2×) | | parrules ÷ minimal (info) | peak GB (bar ≤ 2) | | agree | load before / after |")
    print("|---|---:|---:|---:|---|---:|---:|---:|---|---:|---:|---|---|---|")
    for s in summary:
        v1 = None if s["vs_peer"] is None else s["vs_peer"] <= 1.5
        v2 = None if s["vs_minimal"] is None else s["vs_minimal"] <= 2
        v3 = s["peak"] <= 2 * GB
        failed |= v1 is False or v2 is False or not v3
        print(f"| {s['layout']} | {_num(s['parrules'])} | {_num(s['peer'])} ({(s['best'] or '').replace('peer-', '')}) "
              f"| {_fmt_ratio(s['vs_peer'])} | {_verdict(v1)} | {_num(s['noids'])} | {_num(s['minimal'])} "
              f"| {_fmt_ratio(s['vs_minimal'])} | {_verdict(v2)} | {_fmt_ratio(s['full_vs_minimal'])} "
              f"| {s['peak'] / GB:.2f} | {_verdict(v3)} | {'yes' if s['agree'] else '**NO**'} | {s['load']} |")
    print("\nparrules ÷ peer: parrules with repeated ids checked ÷ the faster of the analyst's full queries; "
          "no-ids ÷ minimal: parrules with `duplicate_ids = false` ÷ the minimal query (same metrics, no id "
          "handling); wall seconds inside each child, imports included, medians of interleaved rounds; "
          "peak = max RSS of either parrules run (wait4).")
    return 1 if failed else 0


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA,
                        help="folder of the generated files (default $PARRULES_BENCH_DATA or /tmp/bench-data); "
                             "missing files are generated")
    parser.add_argument("--rows", default="10m", help="data size suffix, e.g. 10m (files dossiers-<rows>.*, export-<rows>.*)")
    parser.add_argument("--units", type=int, default=1000, help="units when generating (default 1000)")
    parser.add_argument("--layouts", default=",".join(LAYOUTS), help="comma-separated, from " + ", ".join(LAYOUTS))
    parser.add_argument("--peers", default="window,semi",
                        help="full peers (repeated ids handled): window, semi (default both; the faster is the bar's)")
    parser.add_argument("--repeat", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--check-params", default="",
                        help="extra tthc.dossiers check_params for parrules, as TOML inline-table entries, "
                             "e.g. 'values = { ... }'")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 200k rows, 100 units, one round, window peer (data in DATA_DIR/quick)")
    parser.add_argument("--legacy", action="store_true",
                        help="the issue-4 table: (a) parrules, (b) DuckDB SQL, (c) pandas on --rows (see --engines)")
    parser.add_argument("--engines", default="abc", help="--legacy: engines a, b, c")
    parser.add_argument("--formats", default="parquet,csv", help="--legacy: formats")
    parser.add_argument("--no-duplicate-ids", action="store_true",
                        help="--legacy: all engines skip the repeated-id scan (tthc.dossiers duplicate_ids = false)")
    parser.add_argument("--scale", help="--legacy: comma-separated sizes for the (a)-only Parquet table, e.g. 1m,10m,100m")
    parser.add_argument("--child", nargs=4, metavar=("ENGINE", "FILE", "UNITS", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--child13", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    global DATA
    DATA = args.data_dir
    if args.no_duplicate_ids:
        os.environ["BENCH_TTHC_CHECK_IDS"] = "0"  # children read it at import
    if args.child13:
        child_13(json.loads(args.child13))
        return 0
    if args.child:
        engine, path, units, out = args.child
        child(engine, Path(path), Path(units), Path(out))
        return 0
    if args.scale:
        return scale(args.scale.split(","))
    if args.legacy:
        return matrix(args.rows, args.engines, args.formats.split(","))
    if args.quick:
        args.data_dir, args.rows, args.units, args.repeat, args.peers = args.data_dir / "quick", "200k", 100, 1, "window"
    return evidence(args)


if __name__ == "__main__":
    raise SystemExit(main())
