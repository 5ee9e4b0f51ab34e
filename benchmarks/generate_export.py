"""Generate a dossier export shaped UNLIKE `generate_dossiers.py`'s: English headers, ISO dates, a boolean
postal-return column, channel codes such as `online_l3`, integer dossier ids, an agency catalogue.

Why a second generator: a benchmark that only ever reads the files of the project's own generator
measures the project on the shapes it was tuned for. A province's database dump looks different — so
this file is written independently of `generate_dossiers.py` (its own unit codes, volumes, dates,
faults and column order) and `tthc.dossiers` reads it only through its documented column mapping
(`check_params.columns`, see `plugins/parrules-tthc/README.md`).

What it writes (PREFIX.csv and/or PREFIX.parquet, and agencies.csv beside them):

| column | CSV | Parquet |
|---|---|---|
| `record_id` | integer text | BIGINT (rows are in received-date order, ids are not) |
| `agency_code` | `AGY0001` … (`AGY9999` = a code in no catalogue) | VARCHAR |
| `procedure_code`, `service_level` | `P-017`, 2 / 3 / 4 | VARCHAR, INTEGER |
| `submission_channel` | `counter`, `postal`, `online_l3`, `online_l4` | VARCHAR |
| `received_date`, `due_date`, `completed_date`, `apology_date` | `2024-03-07` (ISO) or empty | ISO text (`--parquet-dates date`: DATE) |
| `returned_by_post` | `true` / `false` / empty | BOOLEAN |
| `apology_ref` | `APL-2024-000123` or empty | VARCHAR |
| `fee_vnd`, `citizen_ward` | filler columns, as real dumps carry | BIGINT, VARCHAR |

Faults (share `--faulty`, default 0.5 %): the id of the row before (a re-exported dossier), an
impossible date (`2024-02-30`), a missing due date, completed before received, an unknown agency.
Some apology letters carry only a date, no reference. Deterministic for a seed and a DuckDB version.

    python benchmarks/generate_export.py --rows 10m --out /tmp/bench-data/export-10m --format csv --format parquet
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from pathlib import Path

import duckdb

AGENCY_HEADERS = ("agency_code", "agency_name", "agency_type")
UNKNOWN_AGENCY = "AGY9999"
CHANNELS = ("counter", "postal", "online_l3", "online_l4")
COLUMNS = {  # tthc.dossiers canonical column → header in this export
    "id": "record_id", "unit": "agency_code", "procedure": "procedure_code", "level": "service_level",
    "channel": "submission_channel", "received": "received_date", "due": "due_date",
    "completed": "completed_date", "postal_return": "returned_by_post", "apology_no": "apology_ref",
    "apology_date": "apology_date",
}


def _count(text: str) -> int:
    text = text.strip().lower().replace("_", "")
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if factor > 1 else text) * factor)


def agency_code(index: int) -> str:
    return f"AGY{index + 1:04d}"


def export_sql(rows: int, agencies: int, seed: int, faulty: float, year: int = 2024) -> str:
    """The export's rows as one DuckDB query (no Python object per row)."""

    def u(n: int) -> str:  # uniform in [0, 1) from (row, field, seed); a different stream from generate_dossiers
        return f"((hash({seed} * 1000003 + i * 64 + {n}) >> 12)::DOUBLE / 4503599627370496.0)"

    # Zipf-like volumes: agency k gets a share ∝ 1/k^0.8; drawn through the inverse of its CDF on a grid.
    return f"""
    WITH agency AS (
        SELECT k, 1.0 / pow(k + 1, 0.8) AS w,
               0.02 + 0.30 * ((hash({seed} + k * 7) >> 12)::DOUBLE / 4503599627370496.0) AS late_p,
               0.20 + 0.70 * ((hash({seed} + k * 7 + 1) >> 12)::DOUBLE / 4503599627370496.0) AS online_p,
               0.30 + 0.60 * ((hash({seed} + k * 7 + 2) >> 12)::DOUBLE / 4503599627370496.0) AS apology_p
        FROM range({agencies}) a(k)
    ), cdf AS (
        SELECT k, late_p, online_p, apology_p,
               CASE WHEN k = {agencies - 1} THEN 2.0 ELSE sum(w) OVER (ORDER BY k) / sum(w) OVER () END AS hi
        FROM agency
    ), draw AS (
        SELECT i, {u(1)} AS u_agency, {u(2)} AS u_proc, {u(3)} AS u_days, {u(4)} AS u_late,
               {u(5)} AS u_channel, {u(6)} AS u_post, {u(7)} AS u_apology, {u(8)} AS u_ref,
               {u(9)} AS u_after, {u(10)} AS u_open, {u(11)} AS u_fault, {u(12)} AS u_kind, {u(13)} AS u_fee
        FROM range({rows}) t(i)
    ), placed AS (
        SELECT d.*, c.k, c.late_p, c.online_p, c.apology_p,
               (1 + floor(u_proc * 60))::INTEGER AS proc,
               DATE '{year}-01-01' + (i * 366 // {rows})::INTEGER AS received
        FROM draw d ASOF JOIN cdf c ON d.u_agency <= c.hi
    ), shaped AS (
        SELECT *,
               CASE WHEN proc % 3 = 0 THEN 2 WHEN proc % 3 = 1 THEN 3 ELSE 4 END AS level,
               (1 + floor(u_days * 20))::INTEGER AS legal_days
        FROM placed
    ), dated AS (
        SELECT *,
               received + legal_days AS due,
               CASE WHEN u_open < 0.03 THEN NULL
                    WHEN u_late < late_p THEN received + legal_days + (1 + floor(u_days * 97) % 14)::INTEGER
                    ELSE received + (floor(u_days * 89) % (legal_days + 1))::INTEGER END AS completed,
               CASE WHEN level > 2 AND u_channel < online_p THEN 'online_l' || level
                    WHEN u_channel > 0.96 THEN 'postal' ELSE 'counter' END AS channel,
               u_fault < {faulty} AS faulty, floor(u_kind * 5)::INTEGER AS kind
        FROM shaped
    ), lettered AS (
        SELECT *,
               (completed IS NULL OR completed > due) AND u_apology < apology_p AS letter
        FROM dated
    )
    SELECT
        CASE WHEN faulty AND kind = 0 AND i > 0 THEN 24000000 + ((i - 1) * 48271) % {rows}
             ELSE 24000000 + (i * 48271) % {rows} END::BIGINT AS record_id,
        CASE WHEN faulty AND kind = 4 THEN '{UNKNOWN_AGENCY}' ELSE 'AGY' || lpad((k + 1)::VARCHAR, 4, '0') END
            AS agency_code,
        'P-' || lpad(proc::VARCHAR, 3, '0') AS procedure_code,
        level::INTEGER AS service_level,
        channel AS submission_channel,
        CASE WHEN faulty AND kind = 1 THEN '{year}-02-30' ELSE strftime(received, '%Y-%m-%d') END AS received_date,
        CASE WHEN faulty AND kind = 2 THEN NULL ELSE strftime(due, '%Y-%m-%d') END AS due_date,
        CASE WHEN faulty AND kind = 3 THEN strftime(received - 2, '%Y-%m-%d')
             ELSE strftime(completed, '%Y-%m-%d') END AS completed_date,
        CASE WHEN u_post < 0.01 THEN NULL WHEN channel = 'postal' THEN u_post < 0.7 ELSE u_post < 0.1 END
            AS returned_by_post,
        CASE WHEN letter AND u_ref < 0.9 THEN 'APL-{year}-' || lpad((i % 1000000)::VARCHAR, 6, '0') END
            AS apology_ref,
        CASE WHEN letter AND u_ref > 0.05 THEN
             strftime(CASE WHEN u_after < 0.25 THEN due + 3 ELSE due - 1 END, '%Y-%m-%d') END AS apology_date,
        (floor(u_fee * 20) * 50000)::BIGINT AS fee_vnd,
        'W' || lpad((floor(u_fee * 997) % 300)::INTEGER::VARCHAR, 3, '0') AS citizen_ward
    FROM lettered
    ORDER BY i
    """


def typed_dates(sql: str) -> str:
    cols = ", ".join(f"try_cast({c} AS DATE) AS {c}" for c in ("received_date", "due_date", "completed_date",
                                                               "apology_date"))
    return f"SELECT * REPLACE ({cols}) FROM ({sql})"


def generate(rows: int, out: Path, formats: set[str], *, agencies: int = 1000, seed: int = 7, faulty: float = 0.005,
             parquet_dates: str = "text", memory_limit: str = "2GB") -> dict[str, float]:
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.parent / "agencies.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(AGENCY_HEADERS)
        for k in range(agencies):
            writer.writerow((agency_code(k), f"Agency {k + 1}", ("department", "district", "commune")[min(2, k // 30)]))
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute("SET preserve_insertion_order = true")
    sql = export_sql(rows, agencies, seed, faulty)
    timings = {}
    if "parquet" in formats:
        start = time.perf_counter()
        target = out.with_name(out.name + ".parquet")
        tmp = target.with_name(target.name + ".tmp")
        con.execute(f"COPY ({typed_dates(sql) if parquet_dates == 'date' else sql}) TO '{tmp}' "
                    "(FORMAT parquet, COMPRESSION snappy)")
        os.replace(tmp, target)
        timings["parquet"] = time.perf_counter() - start
    if "csv" in formats:
        start = time.perf_counter()
        target = out.with_name(out.name + ".csv")
        tmp = target.with_name(target.name + ".tmp")
        con.execute(f"COPY ({sql}) TO '{tmp}' (FORMAT csv, HEADER true)")
        os.replace(tmp, target)
        timings["csv"] = time.perf_counter() - start
    con.close()
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=_count, required=True)
    parser.add_argument("--agencies", type=_count, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--faulty", type=float, default=0.005)
    parser.add_argument("--out", type=Path, required=True, help="prefix: writes PREFIX.csv / PREFIX.parquet")
    parser.add_argument("--format", action="append", choices=("csv", "parquet"), dest="formats")
    parser.add_argument("--parquet-dates", choices=("text", "date"), default="text")
    args = parser.parse_args(argv)
    timings = generate(args.rows, args.out, set(args.formats or ["csv"]), agencies=args.agencies, seed=args.seed,
                       faulty=args.faulty, parquet_dates=args.parquet_dates)
    for fmt, seconds in timings.items():
        print(f"{fmt}: {args.rows:,} rows in {seconds:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
