"""Campaign at scale: N units against the 2018 central set — scored, explained, ranked, JSON written.

    .venv/bin/python benchmarks/bench_campaign.py                 # 100, 1,000 and 10,000 units
    .venv/bin/python benchmarks/bench_campaign.py --sizes 50      # quick look
    .venv/bin/python benchmarks/bench_campaign.py --bars --cli    # issue #13: distinct / repeated answers, bars
    .venv/bin/python benchmarks/bench_campaign.py --quick         # the same at 63 and 1,000 units, one round

For each size it prints one row: parrules end to end (every leaf scored with its explanation and
flags, nodes summed, units ranked within cohorts with per-field ranks, band counts, mean and median,
the campaign JSON written to disk), leaf evaluations per second, peak memory (tracemalloc, Python
allocations of the parrules run), and two peers measured in the same run on the same numbers:

- the floor: a bare Python loop applying the same rules to the same values (Decimal arithmetic,
  no explanations, no flags, no JSON; leaf points rounded to 2 decimals half up, as the set rounds,
  so that its totals equal parrules' — `--bars` checks it unit by unit);
- GoRules zen-engine (`pip install zen-engine`) evaluating equivalent decision tables — one table
  per leaf in one decision graph, one `evaluate_batch` request per unit.

The set is `criteria_sets/par-province-2018.toml`. Its evidence checks (document register, dossier
exports, surveys) belong to plugins; here every leaf gets its input as a declared answer of the same
kind (a rate, a count, yes/no, an option), so the rules — not CSV parsing — are what is measured. When
the file is missing the benchmark builds an equivalent 90-leaf set. Input generation (building the
Submission objects) is timed separately and is not part of the end-to-end figure.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import parrules  # noqa: E402
from parrules.campaign.run import campaign_result, spec_for  # noqa: E402
from parrules.files.reading import InputDocument, LineIndex, tomllib  # noqa: E402
from parrules.sets.criteria_set import build_criteria_set  # noqa: E402

SET_PATH = ROOT / "criteria_sets" / "par-province-2018.toml"
_CHECK_KEYS = ("check", "metric", "check_params", "if_no_value")


# -- the set --------------------------------------------------------------------------------------
def load_set() -> tuple[parrules.CriteriaSet, str]:
    registry = parrules.Registry(entry_points=False)
    if SET_PATH.is_file():
        raw = SET_PATH.read_bytes()
        data = tomllib.loads(raw.decode("utf-8"), parse_float=Decimal)
        for spec in data["criteria"].values():
            for key in _CHECK_KEYS:
                spec.pop(key, None)
        doc = InputDocument(SET_PATH, data, raw, LineIndex())
        return build_criteria_set(doc, registry), f"{SET_PATH.relative_to(ROOT)} (checks → declared answers)"
    return parrules.criteria_set_from_text(generated_set(), registry, "generated-90.toml"), "generated 90-leaf set"


def generated_set() -> str:
    """8 fields × 3 criteria × 3–4 sub-criteria of every built-in rule shape, 100 points."""
    lines = ['[set]', 'id = "bench-90"', 'name = "Bộ chỉ số thử tải"', 'level = "province"', "total_points = 100",
             'bands = [{ code = "B", from = 75, below = 80 }, { code = "A", from = 80 }]']
    shapes = [
        ('rule = "yes_no"', Decimal("1")),
        ('rule = "bands"\nbands = [{ from = 100, points = 1 }, { from = 90, below = 100, points = 0.5 }, { below = 90, points = 0 }]',
         Decimal("1")),
        ('rule = "proportional"\ncap = 50', Decimal("1.5")),
        ('rule = "deduction"\nper_occurrence = 0.25', Decimal("1")),
        ('rule = "choice"\noptions = { "Tốt" = 100, "Khá" = 50, "Kém" = 0 }', Decimal("1")),
    ]
    leaves = 0
    field_points = []
    body = []
    for f in range(1, 9):
        total = Decimal(0)
        for c in range(1, 4):
            sub_total = Decimal(0)
            subs = []
            for s in range(1, 5 if (f + c) % 3 else 4):
                shape, points = shapes[leaves % len(shapes)]
                leaves += 1
                subs.append(f'[criteria."{f}.{c}.{s}"]\nname = "Tiêu chí {f}.{c}.{s}"\nmax_points = {points}\n{shape}\n')
                sub_total += points
            body.append(f'[criteria."{f}.{c}"]\nname = "Tiêu chí {f}.{c}"\nmax_points = {sub_total}\n')
            body.extend(subs)
            total += sub_total
        body.insert(len(body) - sum(1 for _ in range(0)), "")
        field_points.append((f, total))
        body.append(f'[criteria."{f}"]\nname = "Lĩnh vực {f}"\nmax_points = {total}\n')
    grand = sum(p for _, p in field_points)
    lines[4] = f"total_points = {grand}"
    return "\n".join(lines) + "\n\n" + "\n".join(body)


# -- inputs ---------------------------------------------------------------------------------------
def unit_values(criteria: parrules.CriteriaSet, rng: random.Random,
                distinct: dict[str, list[Decimal]] | None = None) -> dict[str, Any]:
    """One unit's inputs: what a province's dossiers, registers and surveys would show.

    `distinct` (answers="distinct"): per rate criterion the unit's own rate, drawn without replacement
    with 4 decimals, and counts / points over a wide range — no two units give the same figure where a
    figure can differ (yes/no and options still repeat, as they must)."""
    values: dict[str, Any] = {}
    for code in criteria.leaves:
        node = criteria.nodes[code]
        name = node.rule.name if node.rule else ""
        params = node.params
        if name == "yes_no":
            values[code] = rng.random() < 0.8
        elif name == "choice":
            values[code] = rng.choice(list(params["options"]))
        elif name in ("bands", "proportional"):
            values[code] = distinct[code].pop() if distinct is not None else Decimal(rng.randint(600, 1000)) / 10
        elif name == "deduction" and "per_occurrence" in params:
            values[code] = rng.randint(0, 40) if distinct is not None else rng.choice((0, 0, 0, 1, 2, 3))
        elif name == "deduction":
            values[code] = {rng.choice(list(params["severities"])): rng.randint(0, 2)}
        elif name == "survey":
            values[code] = {k: rng.randint(0, 60) + 1 for k in params["weights"]}
        elif name in ("bonus", "penalty"):
            values[code] = rng.randint(0, 2)
        elif name == "manual":
            values[code] = (node.max_points * Decimal(rng.randint(0, 100)) / 100 if distinct is not None
                            else node.max_points * Decimal(rng.choice((0, 50, 75, 100))) / 100)
    return values


ANSWERS = ("repeated", "distinct")


def make_units(criteria: parrules.CriteriaSet, count: int, seed: int = 2018,
               answers: str = "repeated") -> list[dict[str, Any]]:
    """`answers`: "repeated" — rates with one decimal between 60 and 100, few counts (the original
    benchmark, as in many real campaigns); "distinct" — every rate distinct with 4 decimals."""
    rng = random.Random(seed)
    distinct = None
    if answers == "distinct":
        grid = range(600_000, 1_000_001)  # 60.0000 … 100.0000
        distinct = {code: [Decimal(v).scaleb(-4) for v in rng.sample(grid, count)] for code in criteria.leaves
                    if (criteria.nodes[code].rule and criteria.nodes[code].rule.name in ("bands", "proportional"))}
    elif answers != "repeated":
        raise ValueError(f"answers must be one of {ANSWERS}")
    return [unit_values(criteria, rng, distinct) for _ in range(count)]


def submissions(criteria: parrules.CriteriaSet, units: list[dict[str, Any]]) -> list[parrules.Submission]:
    out = []
    for i, values in enumerate(units):
        answers, self_points = {}, {}
        for code, value in values.items():
            node = criteria.nodes[code]
            if node.rule is not None and node.rule.needs_input:
                answers[code] = value
            else:
                self_points[code] = value
        out.append(parrules.submission_from_dict({
            "unit": {"code": f"T{i:05d}", "name": f"Tỉnh thử {i}", "kind": "province", "period": 2018},
            "answers": answers, "self_assessment": self_points}, source=f"<bench {i}>"))
    return out


# -- the floor: a bare loop -----------------------------------------------------------------------
CENT = Decimal("0.01")


def bare_loop(criteria: parrules.CriteriaSet, units: list[dict[str, Any]]) -> list[Decimal]:
    """The same rules on the same numbers with nothing else: no explanations, flags, nodes or JSON."""
    plan = []
    for code in criteria.leaves:
        node = criteria.nodes[code]
        p = node.params
        kind = node.rule.name if node.rule else ""
        if kind == "bands":
            bands = [(None if b.get("from") is None else Decimal(str(b["from"])),
                      None if b.get("below") is None else Decimal(str(b["below"])),
                      Decimal(str(b["points"])) if "points" in b else node.max_points * Decimal(str(b["percent"])) / 100)
                     for b in p["bands"]]
            plan.append((code, kind, node.max_points, bands))
        elif kind == "choice":
            plan.append((code, kind, node.max_points, {k: node.max_points * Decimal(str(v)) / 100
                                                      for k, v in p["options"].items()}))
        elif kind == "proportional":
            plan.append((code, kind, node.max_points, (Decimal(str(p.get("floor", 0))), Decimal(str(p.get("cap", 100))))))
        elif kind == "deduction" and "per_occurrence" in p:
            plan.append((code, kind, node.max_points, Decimal(str(p["per_occurrence"]))))
        elif kind == "deduction":
            plan.append((code, "severities", node.max_points, {k: Decimal(str(v)) for k, v in p["severities"].items()}))
        else:
            plan.append((code, kind, node.max_points, None))
    totals = []
    for values in units:
        total = Decimal(0)
        for code, kind, top, extra in plan:
            v = values[code]
            if kind == "yes_no":
                points = top if v else Decimal(0)
            elif kind == "bands":
                points = Decimal(0)
                for low, high, pts in extra:
                    if (low is None or v >= low) and (high is None or v < high):
                        points = pts
                        break
            elif kind == "choice":
                points = extra[v]
            elif kind == "proportional":
                floor, cap = extra
                points = Decimal(0) if v < floor else top * min(v, cap) / cap
            elif kind == "deduction":
                points = max(Decimal(0), top - v * extra)
            elif kind == "severities":
                share = sum((extra[k] * n for k, n in v.items()), Decimal(0))
                points = max(Decimal(0), top - top * share / 100)
            else:
                points = v
            total += points.quantize(CENT, rounding=ROUND_HALF_UP)  # the set's rounding: 2 decimals, half up, at leaf
        totals.append(total)
    return totals


# -- zen-engine -----------------------------------------------------------------------------------
def zen_graph(criteria: parrules.CriteriaSet) -> dict[str, Any]:
    """One decision table per leaf, all fed by the request and feeding the response."""
    nodes: list[dict[str, Any]] = [{"id": "in", "type": "inputNode", "name": "Request", "position": {"x": 0, "y": 0}},
                                   {"id": "out", "type": "outputNode", "name": "Response", "position": {"x": 800, "y": 0}}]
    edges = []
    for i, code in enumerate(criteria.leaves):
        node = criteria.nodes[code]
        field = f"l{i}"
        top = str(node.max_points)
        p = node.params
        kind = node.rule.name if node.rule else ""
        rules: list[tuple[str, str]] = []
        if kind == "yes_no":
            rules = [("true", top), ("", "0")]
        elif kind == "bands":
            for b in p["bands"]:
                low, high = b.get("from"), b.get("below")
                test = f"[{low}..{high})" if low is not None and high is not None else \
                    f">= {low}" if low is not None else f"< {high}" if high is not None else ""
                pts = str(b["points"]) if "points" in b else f"{top} * {b['percent']} / 100"
                rules.append((test, pts))
        elif kind == "choice":
            rules = [(json.dumps(k, ensure_ascii=False), f"{top} * {v} / 100") for k, v in p["options"].items()]
        elif kind == "proportional":
            cap = p.get("cap", 100)
            rules = [(f"< {p.get('floor', 0)}", "0"), ("", f"{top} * min([{field}, {cap}]) / {cap}")]
        elif kind == "deduction" and "per_occurrence" in p:
            rules = [("", f"max([0, {top} - {field} * {p['per_occurrence']}])")]
        elif kind == "deduction":
            share = " + ".join(f"({field}[{json.dumps(k, ensure_ascii=False)}] ?? 0) * {v}" for k, v in p["severities"].items())
            rules = [("", f"max([0, {top} - {top} * ({share}) / 100])")]
        else:
            rules = [("", field)]
        content = {
            "hitPolicy": "first",
            "inputs": [{"id": f"i{i}", "name": code, "field": field}],
            "outputs": [{"id": f"o{i}", "name": code, "field": f"p{i}"}],
            "rules": [{"_id": f"r{i}_{j}", f"i{i}": test, f"o{i}": out} for j, (test, out) in enumerate(rules)],
        }
        nodes.append({"id": f"t{i}", "type": "decisionTableNode", "name": code, "position": {"x": 400, "y": i * 10},
                      "content": content})
        edges += [{"id": f"a{i}", "sourceId": "in", "targetId": f"t{i}", "type": "edge"},
                  {"id": f"b{i}", "sourceId": f"t{i}", "targetId": "out", "type": "edge"}]
    return {"nodes": nodes, "edges": edges}


def zen_contexts(criteria: parrules.CriteriaSet, units: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for values in units:
        ctx = {}
        for i, code in enumerate(criteria.leaves):
            v = values[code]
            ctx[f"l{i}"] = float(v) if isinstance(v, Decimal) else v
        out.append(ctx)
    return out


def run_zen(criteria: parrules.CriteriaSet, units: list[dict[str, Any]]) -> tuple[float | None, str]:
    try:
        import zen
    except ImportError:
        return None, "zen-engine not installed (pip install zen-engine)"
    graph = zen_graph(criteria)
    engine = zen.ZenEngine({"loader": {"type": "static", "content": {"par": graph}}})
    contexts = zen_contexts(criteria, units)
    engine.evaluate("par", contexts[0])  # load and compile once, outside the timing
    started = time.perf_counter()
    results = engine.evaluate_batch([{"key": "par", "context": c} for c in contexts])
    elapsed = time.perf_counter() - started
    failed = [r for r in results if not r.get("success")]
    if failed:
        return None, f"zen-engine failed: {failed[0].get('error')}"
    return elapsed, ""


# -- parrules end to end --------------------------------------------------------------------------
def run_parrules(criteria: parrules.CriteriaSet, subs: list[parrules.Submission], out: Path) -> tuple[float, int, Any]:
    spec = spec_for(criteria, id="bench")
    gc.collect()
    started = time.perf_counter()
    result = campaign_result(spec, criteria, subs)
    result.write_json(out)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    return elapsed, peak, result


def row(criteria: parrules.CriteriaSet, size: int, out_dir: Path, with_zen: bool) -> dict[str, Any]:
    units = make_units(criteria, size)
    started = time.perf_counter()
    subs = submissions(criteria, units)
    build = time.perf_counter() - started
    leaves = len(criteria.leaves) * size
    elapsed, peak, result = run_parrules(criteria, subs, out_dir / f"campaign-{size}.json")
    evaluated = sum(1 for u in result.run.units for leaf in u.leaves if leaf.status != "not_evaluated")
    started = time.perf_counter()
    bare_loop(criteria, units)
    bare = time.perf_counter() - started
    zen_time, zen_note = run_zen(criteria, units) if with_zen else (None, "skipped (--no-zen)")
    return {"units": size, "leaves": leaves, "evaluated": evaluated, "build": build, "time": elapsed,
            "rate": leaves / elapsed, "peak_mb": peak / 2**20, "bare_rate": leaves / bare if bare else float("inf"),
            "zen_rate": leaves / zen_time if zen_time else None, "zen_note": zen_note,
            "json_mb": (out_dir / f"campaign-{size}.json").stat().st_size / 2**20}


# == issue #13: distinct and repeated answers, campaign and `score --format json` against the peers =====
#
# One fresh process per (kind, size, answers, round), kinds interleaved with a rotating order, so the
# ratios compare runs of one sitting and each peak RSS is that path's own (inputs included):
#   campaign — campaign_result + write_json (ranking, gaps, JSON), as the original table;
#   score    — parrules.score_many + RunResult.write_json(file): what `parrules score --format json
#              -o F` runs after loading the files (the bytes of to_json(run.to_dict(), indent=False), checked);
#   peers    — the bare loop and zen-engine's evaluate_batch on the same numbers.
# With --cli, whole processes too: `parrules score SET FOLDER --format json -o F` and
# `parrules campaign C.toml -o DIR --formats json` on the same inputs written as files (information).

BAR_ZEN_CAMPAIGN = 1.5
BAR_ZEN_SCORE = 1.0
BAR_BARE = 0.2
BAR_PEAK = 10**9  # bytes: 1 GB
BAR_SIZES = (1000, 10000)  # the zen bars are stated at 1,000 and 10,000 units; 63 is shown for information
MEMORY_SIZE = 10000


def _rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def zen_points(criteria: parrules.CriteriaSet, units: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """zen-engine's per-leaf outputs (untimed, for the agreement check)."""
    import zen

    engine = zen.ZenEngine({"loader": {"type": "static", "content": {"par": zen_graph(criteria)}}})
    results = engine.evaluate_batch([{"key": "par", "context": c} for c in zen_contexts(criteria, units)])
    return [r["data"]["result"] for r in results]


def agreement(criteria: parrules.CriteriaSet, units: list[dict[str, Any]], run: Any) -> str:
    """parrules against both peers, unit by unit: the bare loop's totals exactly, zen's leaf points to
    within the rounding step (zen computes in binary floats, parrules rounds to 2 decimals half up)."""
    notes = []
    bare = bare_loop(criteria, units)
    off = [u.unit.code for u, total in zip(run.units, bare) if u.total_points != total]
    notes.append(f"bare loop totals: {len(run.units) - len(off):,}/{len(run.units):,} equal"
                 + (f" (first differing: {off[:3]})" if off else ""))
    try:
        zen_out = zen_points(criteria, units)
    except ImportError:
        return "; ".join(notes + ["zen-engine not installed"])
    leaves = list(criteria.leaves)
    worse, first = 0, ""
    for unit, out in zip(run.units, zen_out):
        mine = {leaf.code: leaf.final_points for leaf in unit.leaves}
        for i, code in enumerate(leaves):
            z = out.get(f"p{i}")
            if z is None or mine.get(code) is None or abs(Decimal(repr(z)) - mine[code]) > Decimal("0.005000001"):
                worse += 1
                first = first or f" (first: {unit.unit.code} {code}: zen {z}, parrules {mine.get(code)})"
    total = len(leaves) * len(run.units)
    notes.append(f"zen leaf points: {total - worse:,}/{total:,} within 0.005" + first)
    return "; ".join(notes)


def bars_child(kind: str, size: int, answers: str, out_dir: Path, check: bool) -> dict[str, Any]:
    criteria, _ = load_set()
    units = make_units(criteria, size, answers=answers)
    leaves = len(criteria.leaves) * size
    result: dict[str, Any] = {"kind": kind, "units": size, "answers": answers, "leaves": leaves}
    if kind == "peers":
        started = time.perf_counter()
        bare_loop(criteria, units)
        result["bare"] = time.perf_counter() - started
        result["zen"], result["zen_note"] = run_zen(criteria, units)
        return result
    subs = submissions(criteria, units)
    target = out_dir / f"{kind}-{answers}-{size}.json"
    gc.collect()
    started = time.perf_counter()
    if kind == "campaign":
        campaign = campaign_result(spec_for(criteria, id="bench"), criteria, subs)
        campaign.write_json(target)
        run = campaign.run
    else:
        run = parrules.score_many(criteria, subs)
        run.write_json(target)  # what `parrules score --format json -o F` writes
    result["time"] = time.perf_counter() - started
    result["peak"] = _rss()
    if check and kind == "score":  # the streamed writer against the plain path, byte for byte (untimed)
        same = target.read_bytes() == parrules.to_json(run.to_dict(), indent=False)
        result["agreement_json"] = "score JSON: the same bytes as to_json(run.to_dict(), indent=False)" if same else \
            "score JSON: **differs** from to_json(run.to_dict(), indent=False)"
    result["json_bytes"] = target.stat().st_size
    # how much the engine could share: distinct LeafResult objects over all units and leaves
    result["distinct_leaf_results"] = sum(len({id(u.leaves[i]) for u in run.units})
                                          for i in range(len(run.units[0].leaves))) if run.units else 0
    if check:
        result["agreement"] = agreement(criteria, units, run)
    target.unlink()
    return result


def stripped_set_text() -> str:
    """The 2018 set with its evidence checks removed, as a file (for the whole-process CLI rows)."""
    keys = tuple(f"{k} =" for k in _CHECK_KEYS)
    lines = SET_PATH.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if not line.lstrip().startswith(keys)) + "\n"


def write_inputs(folder: Path, size: int, answers: str = "repeated") -> Path:
    """set.toml (checks → declared answers), subs/*.json and campaign.toml in `folder`; returns the
    campaign file. The same numbers as the in-process rows (also used by bench_reports.py)."""
    criteria, _ = load_set()
    units = make_units(criteria, size, answers=answers)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "set.toml").write_text(stripped_set_text(), encoding="utf-8")
    subs = folder / "subs"
    subs.mkdir(exist_ok=True)
    for i, values in enumerate(units):
        answers_, self_points = {}, {}
        for code, value in values.items():
            node = criteria.nodes[code]
            (answers_ if node.rule is not None and node.rule.needs_input else self_points)[code] = value
        doc = {"unit": {"code": f"T{i:05d}", "name": f"Tỉnh thử {i}", "kind": "province", "period": 2018},
               "answers": answers_, "self_assessment": self_points}
        (subs / f"T{i:05d}.json").write_bytes(parrules.to_json(doc))
    campaign = folder / "campaign.toml"
    campaign.write_text('[campaign]\nid = "bench"\nname = "Benchmark campaign"\ncriteria_set = "set.toml"\n'
                        'submissions = ["subs"]\n', encoding="utf-8")
    return campaign


def _whole_process(command: list[str]) -> dict[str, Any]:
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    return {"time": wall, "peak": usage.ru_maxrss * 1024, "cpu": usage.ru_utime + usage.ru_stime,
            "failed": None if code == 0 else f"exit {code}: {err.strip()[-300:]}"}


def cli_runs(folder: Path) -> dict[str, dict[str, Any]]:
    exe = str(Path(sys.executable).with_name("parrules"))
    out = {"score-cli": _whole_process([exe, "score", str(folder / "set.toml"), str(folder / "subs"),
                                        "--format", "json", "-o", str(folder / "score.json"), "-q"]),
           "campaign-cli": _whole_process([exe, "campaign", str(folder / "campaign.toml"), "-o",
                                           str(folder / "out"), "--formats", "json", "-q"])}
    for name, path in (("score-cli", folder / "score.json"), ("campaign-cli", folder / "out")):
        files = [path] if path.is_file() else list(path.glob("*.json")) if path.is_dir() else []
        out[name]["json_bytes"] = sum(f.stat().st_size for f in files)
        for f in files:
            f.unlink()
    return out


def _load() -> str:
    with open("/proc/loadavg", encoding="ascii") as fh:
        return " ".join(fh.read().split()[:3])


def _med(values: list[float]) -> float:
    import statistics

    return statistics.median(values)


def bars(sizes: list[int], rounds: int, with_cli: bool, check: bool) -> int:
    import shutil

    criteria, origin = load_set()
    kinds = ["campaign", "score", "peers"]
    runs: dict[tuple[str, int, str], list[dict[str, Any]]] = {}
    load_before = _load()
    started_at = time.strftime("%Y-%m-%d %H:%M")
    with tempfile.TemporaryDirectory(prefix="parrules-bench-") as tmp:
        out_dir = Path(tmp)
        cli_dirs = {}
        if with_cli:
            for size in sizes:
                for answers in ANSWERS:
                    cli_dirs[size, answers] = write_inputs(out_dir / f"cli-{answers}-{size}", size, answers).parent
        step = 0
        for r in range(rounds):
            for size in sizes:
                for answers in ANSWERS:
                    order = kinds + (["cli"] if with_cli else [])
                    order = order[step % len(order):] + order[:step % len(order)]
                    step += 1
                    for kind in order:
                        if kind == "cli":
                            for name, res in cli_runs(cli_dirs[size, answers]).items():
                                runs.setdefault((name, size, answers), []).append(res)
                            continue
                        command = [sys.executable, __file__, "--bars-child", kind, str(size), answers, str(out_dir)]
                        if check and r == 0 and kind == "score":
                            command.append("--check")
                        done = subprocess.run(command, capture_output=True, text=True)
                        if done.returncode != 0:
                            print(done.stderr, file=sys.stderr)
                            raise SystemExit(f"{kind} at {size} units ({answers}) failed")
                        runs.setdefault((kind, size, answers), []).append(json.loads(done.stdout.strip().splitlines()[-1]))
        shutil.rmtree(out_dir, ignore_errors=True)
    load_after = _load()
    print(f"# Scoring at scale, issue #13 bars — set: {origin}: {len(criteria.leaves)} leaves; Python "
          f"{sys.version.split()[0]}; parrules {parrules.__version__}; {rounds} interleaved round(s); "
          f"{started_at}; load before / after: {load_before} / {load_after}\n")
    print("| units | answers | distinct leaf results | campaign evals/s | score+JSON evals/s | bare evals/s | "
          "zen evals/s | campaign × zen (bar ≥ 1.5) | | score × zen (bar ≥ 1) | | campaign × bare (bar ≥ 0.2) | | "
          "score × bare (bar ≥ 0.2) | | campaign peak MiB | score peak MiB | peak (bar ≤ 1 GB) | | campaign JSON MB "
          "| score JSON MB |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---|---:|---|---:|---|---:|---|---:|---:|---:|---|---:|---:|")
    failed = False
    notes = []
    for size in sizes:
        for answers in ANSWERS:
            camp, score, peers = (runs[(k, size, answers)] for k in kinds)
            leaves = camp[0]["leaves"]
            c_rate = leaves / _med([x["time"] for x in camp])
            s_rate = leaves / _med([x["time"] for x in score])
            b_rate = leaves / _med([x["bare"] for x in peers])
            zen_times = [x["zen"] for x in peers if x["zen"]]
            z_rate = leaves / _med(zen_times) if zen_times else None
            barred = size in BAR_SIZES

            def verdict(value: float | None, bar: float, applies: bool = True) -> str:
                nonlocal failed
                if value is None:
                    return "n/a"
                if not applies:
                    return "(info)"
                failed |= value < bar
                return "PASS" if value >= bar else "**FAIL**"

            cz = c_rate / z_rate if z_rate else None
            sz = s_rate / z_rate if z_rate else None
            cb, sb = c_rate / b_rate, s_rate / b_rate
            peak = max(max(x["peak"] for x in camp), max(x["peak"] for x in score))
            mem = "(info)"
            if size == MEMORY_SIZE:
                mem = "PASS" if peak <= BAR_PEAK else "**FAIL**"
                failed |= peak > BAR_PEAK
            zen_text = f"{z_rate:,.0f}" if z_rate else "n/a"
            print(f"| {size:,} | {answers} | {score[0]['distinct_leaf_results']:,} | {c_rate:,.0f} | {s_rate:,.0f} "
                  f"| {b_rate:,.0f} | {zen_text} | {_r(cz)} | {verdict(cz, BAR_ZEN_CAMPAIGN, barred)} | {_r(sz)} "
                  f"| {verdict(sz, BAR_ZEN_SCORE, barred)} | {_r(cb)} | {verdict(cb, BAR_BARE, barred)} | {_r(sb)} "
                  f"| {verdict(sb, BAR_BARE, barred)} | {max(x['peak'] for x in camp) / 2**20:,.0f} "
                  f"| {max(x['peak'] for x in score) / 2**20:,.0f} | {peak / 1e9:.2f} GB | {mem} "
                  f"| {camp[0]['json_bytes'] / 1e6:,.1f} | {score[0]['json_bytes'] / 1e6:,.1f} |")
            if score[0].get("agreement"):
                notes.append(f"- {size:,} units, {answers}: {score[0]['agreement']}"
                             + (f"; {score[0]['agreement_json']}" if score[0].get("agreement_json") else ""))
            if any(x.get("zen_note") for x in peers):
                notes.append(f"- {size:,} units, {answers}: {peers[0]['zen_note']}")
    print("\nSeconds per row (medians; runs):\n")
    print("| units | answers | campaign s | score+JSON s | bare s | zen s |\n|---:|---|---|---|---|---|")
    for size in sizes:
        for answers in ANSWERS:
            camp, score, peers = (runs[(k, size, answers)] for k in kinds)

            def cell(values: list[float]) -> str:
                return f"{_med(values):.3f} ({' / '.join(f'{v:.2f}' for v in values)})"
            print(f"| {size:,} | {answers} | {cell([x['time'] for x in camp])} | {cell([x['time'] for x in score])} "
                  f"| {cell([x['bare'] for x in peers])} | {cell([x['zen'] for x in peers if x['zen']] or [0])} |")
    if with_cli:
        print("\nWhole processes (information): the same inputs as files, interpreter start, loading and "
              "writing included; rate = leaf evaluations ÷ wall seconds, × zen against the in-process "
              "zen rate of the same row.\n")
        print("| units | answers | `parrules score --format json` s | evals/s | × zen | peak MiB | JSON MB "
              "| `parrules campaign --formats json` s | evals/s | × zen | peak MiB | JSON MB |")
        print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for size in sizes:
            for answers in ANSWERS:
                peers = runs[("peers", size, answers)]
                zen_times = [x["zen"] for x in peers if x["zen"]]
                leaves = peers[0]["leaves"]
                z_rate = leaves / _med(zen_times) if zen_times else None
                cells = []
                for name in ("score-cli", "campaign-cli"):
                    res = runs[(name, size, answers)]
                    if any(x["failed"] for x in res):
                        cells.append(f"failed: {res[0]['failed']} | | | |")
                        continue
                    t = _med([x["time"] for x in res])
                    cells.append(f"{t:.2f} | {leaves / t:,.0f} | {_r(leaves / t / z_rate if z_rate else None)} | "
                                 f"{max(x['peak'] for x in res) / 2**20:,.0f} | {res[0]['json_bytes'] / 1e6:,.1f}")
                print(f"| {size:,} | {answers} | " + " | ".join(cells) + " |")
    if notes:
        print("\nAgreement (first round, untimed, in the score process):\n" + "\n".join(notes))
    print("\ncampaign = score every leaf with explanations and flags, sum nodes, rank, gaps, statistics, write the "
          "campaign JSON (the original table's `time`); score+JSON = `parrules.score_many` + "
          "`RunResult.write_json(file)` (what `parrules score --format json -o F` does after loading the files; "
          "the same bytes as `parrules.to_json(run.to_dict(), indent=False)`, checked); peak = max RSS of that process, inputs included; bars apply at "
          f"{' and '.join(f'{s:,}' for s in BAR_SIZES)} units (memory at {MEMORY_SIZE:,}).")
    return 1 if failed else 0


def _r(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}×"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="comma-separated unit counts")
    parser.add_argument("--no-zen", action="store_true", help="do not run the zen-engine peer")
    parser.add_argument("--out", help="folder for the JSON written (default: a temporary folder)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # one size in this process, as a JSON line
    parser.add_argument("--bars", action="store_true",
                        help="issue #13: distinct and repeated answers at 63, 1,000 and 10,000 units (or --sizes), "
                             "campaign and score+JSON against zen-engine and the bare loop, with PASS/FAIL")
    parser.add_argument("--rounds", type=int, default=3, help="--bars: interleaved rounds (default 3)")
    parser.add_argument("--cli", action="store_true", help="--bars: also time whole `parrules score` / `campaign` processes")
    parser.add_argument("--no-check", action="store_true", help="--bars: skip the agreement check with the peers")
    parser.add_argument("--quick", action="store_true", help="--bars smoke run: 63 and 1,000 units, one round")
    parser.add_argument("--bars-child", nargs=4, metavar=("KIND", "UNITS", "ANSWERS", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--check", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bars_child:
        kind, size, answers, out = args.bars_child
        print(json.dumps(bars_child(kind, int(size), answers, Path(out), args.check)))
        return 0
    if args.bars or args.quick:
        if args.quick:
            sizes, rounds = [63, 1000], 1
        else:
            sizes = [63, 1000, 10000] if args.sizes == "100,1000,10000" else [int(s) for s in args.sizes.split(",")]
            rounds = args.rounds
        return bars(sizes, rounds, args.cli, not args.no_check)
    criteria, origin = load_set()
    if args.one:
        print(json.dumps(row(criteria, args.one, Path(args.out), not args.no_zen)))
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    print(f"set: {origin}: {len(criteria.leaves)} leaves; Python {sys.version.split()[0]}; parrules {parrules.__version__}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out_dir = Path(args.out) if args.out else Path(tmp)
        out_dir.mkdir(parents=True, exist_ok=True)
        for size in sizes:  # each size in a fresh process, so its peak memory is its own
            command = [sys.executable, __file__, "--one", str(size), "--out", str(out_dir)]
            if args.no_zen:
                command.append("--no-zen")
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    head = (f"{'units':>7} {'leaf evals':>11} {'time s':>8} {'evals/s':>10} {'peak RSS MiB':>12} {'JSON MiB':>9} "
            f"{'bare evals/s':>13} {'÷ bare':>7} {'zen evals/s':>12} {'× zen':>6} {'inputs s':>9}")
    print(head)
    print("-" * len(head))
    for r in rows:
        zen_rate = f"{r['zen_rate']:>12,.0f}" if r["zen_rate"] else f"{'n/a':>12}"
        versus = f"{r['rate'] / r['zen_rate']:>6.2f}" if r["zen_rate"] else f"{'n/a':>6}"
        print(f"{r['units']:>7,} {r['leaves']:>11,} {r['time']:>8.3f} {r['rate']:>10,.0f} {r['peak_mb']:>12.1f} "
              f"{r['json_mb']:>9.1f} {r['bare_rate']:>13,.0f} {r['rate'] / r['bare_rate']:>7.3f} {zen_rate} {versus} "
              f"{r['build']:>9.2f}")
    for r in rows:
        if r["zen_note"]:
            print(f"zen-engine at {r['units']:,} units: {r['zen_note']}")
    print("time = score every leaf with explanations and flags, sum nodes, rank within cohorts, gap analysis, "
          "statistics, write the campaign JSON; inputs s = building the submissions (not included); "
          "peak RSS = the whole process of that size (inputs included)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
