"""Reports from a campaign JSON at 10,000 units: where `parrules report` spends its time, and how big it writes.

    .venv/bin/python benchmarks/bench_reports.py             # 10,000 units (campaign JSON made once, then reused)
    .venv/bin/python benchmarks/bench_reports.py --quick     # 300 units, under a minute

The campaign JSON is made once with bench_campaign.py's inputs (the 2018 central set, checks → declared
answers, `--answers distinct` by default: every rate distinct with 4 decimals) and `parrules campaign
C.toml -o DIR --formats json`, and kept in --data-dir (default $PARRULES_BENCH_DATA, else
/tmp/bench-data) as reports/campaign-<units>-<answers>.json.

Then, for every report format registered (csv, md, xlsx, html, docx, json), one whole process of
`parrules report X.json --format F -o DIR/report.F`, in a fresh empty DIR. The process is parrules'
own CLI (`parrules.cli.main.main`) started by this file with three functions wrapped by timers — the
input check `parrules.cli.report.load_campaign_json`, the parse inside it
`parrules.files.reading.read_document`, and the render-and-write `parrules.reports.write_report` —
so that one run gives all of:

- **checking share** = (load_campaign_json − read_document) ÷ whole-process wall time (bar < 20 %):
  the schema and the checks of the figures, not the JSON parse. If the harness cannot find those
  functions any more (the code moved), it says so rather than guess;
- **render** = write_report: XLSX ÷ (CSV + JSON) (bar ≤ 3 ×);
- **largest file** written under DIR (bar ≤ 25 MB per HTML file; the total and the count too).

A hand-edited copy of the file (one unit renamed, re-serialised; the figures unchanged) is rendered
too, for information: a file parrules did not write must still be checked. And a hand-edited copy
with one figure broken (a total as text) must be refused (exit code 1) — printed as a check.

A campaign JSON as a run writes it carries a seal (`parrules.files.seal`) by which `parrules report`
recognises it and skips the check; the title line says whether the input has one. A file made before
the campaign writer sealed (or by a writer that does not) has none: `--seal-input` then measures a
sealed copy, made with `parrules.files.seal.seal_bytes` — the bytes the sealing writer gives — and the
title line says so. The hand-edited copies keep the seal, now stale, as an editor would.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PARRULES = str(Path(sys.executable).with_name("parrules"))
DEFAULT_DATA = Path(os.environ.get("PARRULES_BENCH_DATA", "/tmp/bench-data"))
BAR_CHECK_SHARE = 0.20
BAR_XLSX = 3.0
BAR_HTML_FILE = 25 * 10**6  # bytes
SUFFIX = {"json": ".json", "csv": ".csv", "md": ".md", "xlsx": ".xlsx", "html": ".html", "docx": ".docx"}


def _load() -> str:
    with open("/proc/loadavg", encoding="ascii") as fh:
        return " ".join(fh.read().split()[:3])


# -- the child: parrules' CLI with timers around three functions --------------------------------------

def child(fmt: str, source: str, output: str, result_file: str) -> int:
    started = time.perf_counter()
    spent: dict[str, float] = {}
    found: list[str] = []

    def timed(module: Any, name: str, key: str) -> None:
        original = getattr(module, name, None)
        if original is None:
            return
        found.append(key)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t, cpu = time.perf_counter(), time.process_time()  # CPU: every thread of the process
            try:
                return original(*args, **kwargs)
            finally:
                spent[key] = spent.get(key, 0.0) + time.perf_counter() - t
                spent[key + " cpu"] = spent.get(key + " cpu", 0.0) + time.process_time() - cpu
        setattr(module, name, wrapper)

    import parrules.cli.main as cli_main
    import parrules.cli.report as cli_report
    import parrules.files.reading as reading
    import parrules.reports as reports

    imported = time.perf_counter() - started
    timed(cli_report, "load_campaign_json", "load")
    timed(reading, "read_document", "read")
    timed(reports, "write_report", "render")
    code = cli_main.main(["report", source, "--format", fmt, "-o", output, "-q"])
    Path(result_file).write_text(json.dumps({"code": code, "spent": spent, "found": found, "imports": imported,
                                             "main": time.perf_counter() - started}), encoding="utf-8")
    return 0


def measure(fmt: str, source: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="parrules-report-") as tmp:
        folder = Path(tmp) / "out"
        folder.mkdir()
        out = folder / f"report{SUFFIX.get(fmt, '.' + fmt)}"
        result_file = Path(tmp) / "result.json"
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, __file__, "--child", fmt, str(source), str(out), str(result_file)],
                                stderr=subprocess.PIPE)
        err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        files = [p for p in folder.rglob("*") if p.is_file()]
        sizes = sorted(((p.stat().st_size, str(p.relative_to(folder))) for p in files), reverse=True)
        res = json.loads(result_file.read_text(encoding="utf-8")) if result_file.exists() else {"code": None}
    res.update(wall=wall, cpu=usage.ru_utime + usage.ru_stime, peak=usage.ru_maxrss * 1024,
               exit=os.waitstatus_to_exitcode(status), err=err[-500:], files=len(sizes),
               total_bytes=sum(s for s, _ in sizes), largest=sizes[0] if sizes else (0, ""))
    return res


# -- the campaign JSON -----------------------------------------------------------------------------------

def campaign_json(data: Path, units: int, answers: str) -> Path:
    target = data / "reports" / f"campaign-{units}-{answers}.json"
    if target.exists():
        return target
    sys.path.insert(0, str(HERE))
    import bench_campaign

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="parrules-report-inputs-") as tmp:
        campaign = bench_campaign.write_inputs(Path(tmp) / "inputs", units, answers)
        out = Path(tmp) / "out"
        subprocess.run([PARRULES, "campaign", str(campaign), "-o", str(out), "--formats", "json", "-q"], check=True)
        written = next(out.glob("*.json"))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(written), target)
    print(f"made {target} ({target.stat().st_size / 1e6:,.0f} MB) in {time.perf_counter() - started:.1f} s",
          file=sys.stderr)
    return target


def sealed_input(source: Path, seal: bool) -> tuple[Path, str]:
    """The file to measure and what it is: sealed as written, sealed here, or not sealed."""
    from parrules.files.seal import is_sealed, seal_bytes

    raw = source.read_bytes()
    if is_sealed(raw):
        return source, "sealed by `parrules campaign`"
    if not seal:
        return source, "no seal (every report checks it in full; --seal-input measures a sealed copy)"
    copy = source.with_name(source.stem + "-sealed.json")
    if not copy.exists() or not is_sealed(copy.read_bytes()):
        copy.write_bytes(seal_bytes(raw))
    return copy, "written by `parrules campaign` without a seal, sealed by this benchmark as the sealing writer does"


def hand_edited(source: Path, broken: bool) -> Path:
    """The same results as a person's editor would save them: re-serialised, one unit renamed — or, with
    `broken`, one unit's total written as text (which must be refused)."""
    import orjson

    data = json.loads(source.read_text(encoding="utf-8"), parse_float=orjson.Fragment)  # numbers kept as written
    unit = data["units"][0]
    if broken:
        unit["total_points"] = "many"
    else:
        unit["unit"]["name"] = unit["unit"]["name"] + " (sửa tay)"
    target = source.with_name(source.stem + ("-broken" if broken else "-edited") + ".json")
    target.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2))
    return target


def formats() -> list[str]:
    done = subprocess.run([PARRULES, "report", "--help"], capture_output=True, text=True, check=True)
    text = " ".join(done.stdout.split())
    start = text.index("--format {") + len("--format {")
    return text[start:text.index("}", start)].split(",")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--units", type=int, default=10000)
    parser.add_argument("--answers", choices=("distinct", "repeated"), default="distinct")
    parser.add_argument("--formats", help="comma-separated (default: every registered format)")
    parser.add_argument("--no-edited", action="store_true", help="skip the hand-edited copies")
    parser.add_argument("--quick", action="store_true", help="300 units")
    parser.add_argument("--seal-input", action="store_true",
                        help="if the campaign JSON has no seal, measure a copy sealed as the campaign writer seals")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(*args.child)
    if args.quick:
        args.units = 300
    source = campaign_json(args.data_dir, args.units, args.answers)
    source, sealing = sealed_input(source, args.seal_input)
    fmts = args.formats.split(",") if args.formats else formats()
    load_before = _load()
    stamp = time.strftime("%Y-%m-%d %H:%M")
    results = {fmt: measure(fmt, source) for fmt in fmts}
    edited = {}
    if not args.no_edited:
        copy = hand_edited(source, broken=False)
        edited["edited (csv)"] = measure("csv", copy)
        broken = hand_edited(source, broken=True)
        edited["broken (csv)"] = measure("csv", broken)
        copy.unlink()
        broken.unlink()
    load_after = _load()
    print(f"# `parrules report` from a campaign JSON — {args.units:,} units ({args.answers} answers), "
          f"{source.stat().st_size / 1e6:,.0f} MB input, {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
          f"{stamp}, load before / after: {load_before} / {load_after}; input: {sealing}\n")
    print("| format | exit | wall s | CPU s | imports s | read s | check s | check share (bar < 20 %) | | render s "
          "| render CPU s | peak MiB | files | total MB | largest file MB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    failed = False
    for name, res in [*results.items(), *edited.items()]:
        spent = res.get("spent", {})
        have = {"load", "read"} <= set(res.get("found", []))
        check = spent.get("load", 0.0) - spent.get("read", 0.0) if have and "load" in spent else None
        share = check / res["wall"] if check is not None else None
        verdict = "(info)" if name in edited else "n/a" if share is None else (
            "PASS" if share < BAR_CHECK_SHARE else "**FAIL**")
        if name not in edited and share is not None:
            failed |= share >= BAR_CHECK_SHARE
        exit_code = res.get("code") if res.get("code") is not None else res["exit"]
        print(f"| {name} | {exit_code} | {res['wall']:.2f} | {res['cpu']:.2f} | {res.get('imports', 0):.2f} "
              f"| {spent.get('read', 0):.2f} | {_n(check)} | {_pct(share)} | {verdict} | {spent.get('render', 0):.2f} "
              f"| {spent.get('render cpu', 0):.2f} "
              f"| {res['peak'] / 2**20:,.0f} | {res['files']} | {res['total_bytes'] / 1e6:,.2f} "
              f"| {res['largest'][0] / 1e6:,.2f} |")
        if name not in edited and exit_code != 0:
            failed = True
            print(f"\n{name}: exit {exit_code}: {res['err']}\n")
    print()
    bars = []
    render = {f: r.get("spent", {}).get("render") for f, r in results.items()}
    if all(render.get(f) for f in ("xlsx", "csv", "json")):
        ratio = render["xlsx"] / (render["csv"] + render["json"])
        bars.append(("XLSX render ÷ (CSV + JSON render)", f"{ratio:.2f}×", f"≤ {BAR_XLSX:g}×", ratio <= BAR_XLSX))
        cpu = {f: r.get("spent", {}).get("render cpu") for f, r in results.items()}
        if all(cpu.get(f) for f in ("xlsx", "csv", "json")):  # for information: the same in CPU seconds
            print(f"XLSX render ÷ (CSV + JSON render) in CPU seconds (info): "
                  f"{cpu['xlsx'] / (cpu['csv'] + cpu['json']):.2f}×\n")
    if "html" in results:
        size, name = results["html"]["largest"]
        bars.append((f"largest HTML file ({name}, of {results['html']['files']})", f"{size / 1e6:,.1f} MB",
                     "≤ 25 MB", size <= BAR_HTML_FILE))
    shares = {f: (r["spent"]["load"] - r["spent"].get("read", 0)) / r["wall"] for f, r in results.items()
              if "load" in r.get("spent", {}) and "read" in r.get("found", [])}
    if shares:
        worst = max(shares, key=shares.get)
        bars.append(("checking the input, share of `parrules report` (worst format: " + worst + ")",
                     _pct(shares[worst]), "< 20 %", shares[worst] < BAR_CHECK_SHARE))
    if "broken (csv)" in edited:
        code = edited["broken (csv)"].get("code")
        bars.append(("a hand-edited file with a broken figure is refused", f"exit {code}", "exit 1", code == 1))
    print("| bar | measured | bar | |\n|---|---:|---:|---|")
    for label, value, bar, ok in bars:
        failed |= not ok
        print(f"| {label} | {value} | {bar} | {'PASS' if ok else '**FAIL**'} |")
    print("\nwall = the whole `parrules report` process (fork to exit); imports = importing the CLI; read = "
          "`read_document` (parse); check = `load_campaign_json` minus the parse (schema and figure checks); "
          "render = `write_report` (render and write), in wall and in CPU seconds (all threads); one run per format.")
    return 1 if failed else 0


def _n(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f} %"


if __name__ == "__main__":
    raise SystemExit(main())
