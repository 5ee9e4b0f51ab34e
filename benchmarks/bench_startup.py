"""Start-up: whole-process wall time of `parrules --help` and of the 63-province example campaign.

    .venv/bin/python benchmarks/bench_startup.py            # 15 rounds of the short commands, 5 of the campaign
    .venv/bin/python benchmarks/bench_startup.py --quick    # 3 rounds each, under a minute

Bars (issue #13): `parrules --help` ≤ 4 × `python -c pass` (the same interpreter, the virtualenv's
site-packages and .pth files included in both); `parrules campaign examples/province-2018/campaign.toml
-o DIR` (the default `--formats`, every report) ≤ 3 × `parrules --help`. Each round runs
every command once, in a rotating order, so the ratios compare runs of one sitting; the table gives
medians. The output folder is a fresh temporary folder for every campaign run (nothing is reused).
A second campaign row names every registered format explicitly, for information, and rows marked
"info" show `--help` in English, a command's own `--help`, and `--help` with no installed plugin
loaded (`PARRULES_PLUGINS=`: what parrules itself costs, whatever the plugins import).

Then `python -X importtime` of `parrules --help`: the imports that cost the most, cumulative and self.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PARRULES = str(Path(sys.executable).with_name("parrules"))
CAMPAIGN = ROOT / "examples" / "province-2018" / "campaign.toml"
BAR_HELP = 4.0
BAR_CAMPAIGN = 3.0


def _load() -> str:
    with open("/proc/loadavg", encoding="ascii") as fh:
        return " ".join(fh.read().split()[:3])


NO_PLUGINS = "PARRULES_PLUGINS="
"""A leading argument `PARRULES_PLUGINS=`: run the command with that environment variable empty."""


def run(command: list[str], cwd: Path = ROOT) -> dict[str, float | int | str]:
    """One whole process: wall seconds (fork to exit), CPU seconds and peak RSS from wait4."""
    env = None
    if command[:1] == [NO_PLUGINS]:
        command, env = command[1:], {**os.environ, "PARRULES_PLUGINS": ""}
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    err = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak": usage.ru_maxrss * 1024,
            "code": os.waitstatus_to_exitcode(status), "err": err.decode("utf-8", "replace")[-400:]}


def formats() -> list[str]:
    done = subprocess.run([PARRULES, "--lang", "en", "campaign", "--help"], capture_output=True, text=True,
                          check=True)
    text = " ".join(done.stdout.split())
    marker = "comma-separated from "
    return text.split(marker, 1)[1].split()[0].split(",") if marker in text else []


def commands(all_formats: list[str]) -> dict[str, list[str] | None]:
    out: dict[str, list[str] | None] = {
        "python -c pass": [PYTHON, "-c", "pass"],
        "parrules --help": [PARRULES, "--help"],
        "parrules campaign … -o DIR": [PARRULES, "campaign", str(CAMPAIGN.relative_to(ROOT)), "-q", "-o", "{out}"],
        "parrules --lang en --help (info)": [PARRULES, "--lang", "en", "--help"],
        "parrules campaign --help (info)": [PARRULES, "campaign", "--help"],
        "PARRULES_PLUGINS= parrules --help (info)": [NO_PLUGINS, PARRULES, "--help"],
    }
    if "docx" in all_formats:
        out["… --formats " + ",".join(all_formats) + " (info)"] = [
            PARRULES, "campaign", str(CAMPAIGN.relative_to(ROOT)), "-q", "-o", "{out}", "--formats", ",".join(all_formats)]
    return out


def importtime(top: int) -> str:
    """`python -X importtime` of `parrules --help`: the costliest top-level imports and the costliest modules."""
    done = subprocess.run([PYTHON, "-X", "importtime", PARRULES, "--help"], capture_output=True, text=True, cwd=ROOT)
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative, name = line[len("import time:"):].split("|", 2)
        name = name[1:]  # one space after the bar, then two per nesting level
        depth = (len(name) - len(name.lstrip(" "))) // 2
        rows.append((int(self_us), int(cumulative), depth, name.strip()))
    total = sum(r[0] for r in rows)
    lines = [f"`python -X importtime {Path(PARRULES).name} --help`: {len(rows)} modules, {total / 1e6:.3f} s of "
             "imports in all (one run; importtime itself adds overhead).\n",
             "| cumulative ms | self ms | module (top-level imports of `parrules.cli.main` and their heaviest children) |",
             "|---:|---:|---|"]
    # the heaviest modules whatever their depth, by cumulative time, skipping parents already listed
    for self_us, cumulative, depth, name in sorted(rows, key=lambda r: -r[1])[:top]:
        lines.append(f"| {cumulative / 1000:,.1f} | {self_us / 1000:,.1f} | {'· ' * depth}{name} |")
    lines += ["", "Costliest by self time (the module's own code, children excluded):", "",
              "| self ms | module |", "|---:|---|"]
    for self_us, _, _, name in sorted(rows, key=lambda r: -r[0])[:top]:
        lines.append(f"| {self_us / 1000:,.1f} | {name} |")
    heavy = [p for p in ("duckdb", "jsonschema", "pydantic", "openpyxl", "xlsxwriter", "docx", "jinja2", "orjson",
                         "pluggy", "numpy", "pandas", "pyarrow", "babel", "icu") if any(n == p for _, _, _, n in rows)]
    lines += ["", "Third-party packages imported by `--help`: " + (", ".join(heavy) if heavy else "none of the usual")
              + "."]
    return "\n".join(lines)


def warm_up() -> None:
    """Run every command once, untimed, with bytecode writing allowed: the OS file cache is warm and
    every module's `__pycache__` is current, as after an install. (Under PYTHONDONTWRITEBYTECODE=1 a
    module edited since its .pyc was written is compiled again by every timed process, which is not
    what a user's start-up costs.)"""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out = Path(tempfile.mkdtemp(prefix="parrules-startup-"))
    try:
        for command in ([PARRULES, "--help"], [PARRULES, "campaign", "--help"],
                        [PARRULES, "campaign", str(CAMPAIGN.relative_to(ROOT)), "-q", "-o", str(out / "x")]):
            subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           check=False)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="rounds of the short commands (default 15)")
    parser.add_argument("--campaign-rounds", type=int, default=5, help="rounds that include the campaign (default 5)")
    parser.add_argument("--top", type=int, default=15, help="rows of the importtime tables")
    parser.add_argument("--quick", action="store_true", help="3 rounds of everything")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds = args.campaign_rounds = 3
    cmds = commands(formats())
    names = list(cmds)
    runs: dict[str, list[dict]] = {n: [] for n in names}
    load_before = _load()
    stamp = time.strftime("%Y-%m-%d %H:%M")
    warm_up()
    for r in range(max(args.rounds, args.campaign_rounds)):
        wanted = [n for n in names if r < (args.campaign_rounds if "{out}" in cmds[n] else args.rounds)]
        order = wanted[r % len(wanted):] + wanted[:r % len(wanted)]
        for name in order:
            out = Path(tempfile.mkdtemp(prefix="parrules-startup-"))
            try:
                result = run([a.replace("{out}", str(out / "x")) for a in cmds[name]])
            finally:
                shutil.rmtree(out, ignore_errors=True)
            runs[name].append(result)
    load_after = _load()
    med = {n: statistics.median(float(x["wall"]) for x in runs[n]) for n in names}
    print(f"# Start-up, whole processes — {os.cpu_count()} cores, Python {sys.version.split()[0]}, {stamp}, "
          f"load before / after: {load_before} / {load_after}\n")
    print("| command | runs | wall s (median) | wall s (min–max) | CPU s (median) | peak MiB | exit codes |")
    print("|---|---:|---:|---|---:|---:|---|")
    for n in names:
        walls = [float(x["wall"]) for x in runs[n]]
        codes = sorted({int(x["code"]) for x in runs[n]})
        print(f"| `{n}` | {len(walls)} | {med[n]:.3f} | {min(walls):.3f}–{max(walls):.3f} "
              f"| {statistics.median(float(x['cpu']) for x in runs[n]):.3f} "
              f"| {max(int(x['peak']) for x in runs[n]) / 2**20:,.0f} | {', '.join(map(str, codes))} |")
    failed = False
    bad = [n for n in names if any(int(x["code"]) != 0 for x in runs[n])]
    for n in bad:
        first = next(x for x in runs[n] if int(x["code"]) != 0)
        print(f"\n`{n}` exited {first['code']} in {sum(int(x['code']) != 0 for x in runs[n])} of {len(runs[n])} runs; "
              f"its standard error ends: {first['err'].strip()!r}")
    help_ratio = med["parrules --help"] / med["python -c pass"]
    camp_ratio = med["parrules campaign … -o DIR"] / med["parrules --help"]
    cpu = {n: statistics.median(float(x["cpu"]) for x in runs[n]) for n in names}
    print("\n| bar | measured (wall) | bar | | in CPU seconds (info) |\n|---|---:|---:|---|---:|")
    for label, value, bar, in_cpu in (
            ("`parrules --help` ÷ `python -c pass`", help_ratio, BAR_HELP,
             cpu["parrules --help"] / cpu["python -c pass"]),
            ("63-province campaign, every default report ÷ `parrules --help`", camp_ratio, BAR_CAMPAIGN,
             cpu["parrules campaign … -o DIR"] / cpu["parrules --help"])):
        ok = value <= bar
        failed |= not ok
        print(f"| {label} | {value:.2f}× | ≤ {bar:g}× | {'PASS' if ok else '**FAIL**'} | {in_cpu:.2f}× |")
    print("\nCampaign: `parrules campaign examples/province-2018/campaign.toml -q -o DIR` from the repository root "
          "(the default --formats; a fresh DIR each run).\n")
    print(importtime(args.top))
    return 1 if failed or bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
