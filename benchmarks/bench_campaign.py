"""Campaign at scale: N units against the 2018 central set — scored, explained, ranked, JSON written.

    .venv/bin/python benchmarks/bench_campaign.py                 # 100, 1,000 and 10,000 units
    .venv/bin/python benchmarks/bench_campaign.py --sizes 50      # quick look

For each size it prints one row: parrules end to end (every leaf scored with its explanation and
flags, nodes summed, units ranked within cohorts with per-field ranks, band counts, mean and median,
the campaign JSON written to disk), leaf evaluations per second, peak memory (tracemalloc, Python
allocations of the parrules run), and two peers measured in the same run on the same numbers:

- the floor: a bare Python loop applying the same rules to the same values (Decimal arithmetic,
  no explanations, no flags, no JSON);
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
import random
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
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
def unit_values(criteria: parrules.CriteriaSet, rng: random.Random) -> dict[str, Any]:
    """One unit's inputs: what a province's dossiers, registers and surveys would show."""
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
            values[code] = Decimal(rng.randint(600, 1000)) / 10
        elif name == "deduction" and "per_occurrence" in params:
            values[code] = rng.choice((0, 0, 0, 1, 2, 3))
        elif name == "deduction":
            values[code] = {rng.choice(list(params["severities"])): rng.randint(0, 2)}
        elif name == "survey":
            values[code] = {k: rng.randint(0, 60) + 1 for k in params["weights"]}
        elif name in ("bonus", "penalty"):
            values[code] = rng.randint(0, 2)
        elif name == "manual":
            values[code] = node.max_points * Decimal(rng.choice((0, 50, 75, 100))) / 100
    return values


def make_units(criteria: parrules.CriteriaSet, count: int, seed: int = 2018) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [unit_values(criteria, rng) for _ in range(count)]


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
            total += points.quantize(Decimal("0.01"))
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="comma-separated unit counts")
    parser.add_argument("--no-zen", action="store_true", help="do not run the zen-engine peer")
    parser.add_argument("--out", help="folder for the JSON written (default: a temporary folder)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # one size in this process, as a JSON line
    args = parser.parse_args(argv)
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
