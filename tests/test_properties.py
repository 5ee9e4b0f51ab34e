"""Property-based tests (Hypothesis): generated sets, submissions and numbers, written as files and run
through `parrules validate` and `parrules score` as a user runs them.

What must hold for every input, however wrong:
- no traceback, ever: the command returns its documented exit code (0, 1 data, 3 incomplete), nothing
  escapes, and every problem names one of the input files;
- `validate` is the promise: when it passes, `score` exits 0 with no criterion errored or left
  unscored; when `score` refuses the data (exit 1), `validate` refused it too;
- every leaf's points lie in [0, its maximum], its status says the same (full, zero, partial); every
  node's points lie in [0, its applicable maximum] and equal the sum of its leaves' points rounded as
  the set declares, to the cent; bonus and penalty parts are capped at their maxima; the total is
  base + bonus − penalty, never below 0; the index is the total over the applicable maximum; the band
  holds the index; a unit is incomplete exactly when some leaf errored or a base leaf was not scored;
- a number is a finite figure within the bounds of `amounts.to_decimal`, or refused with ValueError
  or TypeError; a figure written to JSON reads back as the same Decimal;
- reading any bytes as TOML or JSON gives a document or one ProblemsError.

Deterministic in CI (profile "ci": fixed examples, `derandomize=True`, no example database, so no
file is written); `PARRULES_FUZZ=1` selects the "fuzz" profile (random, many more examples) for a
fuzzing run: `PARRULES_FUZZ=1 .venv/bin/pytest -p no:cacheprovider tests/test_properties.py`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import io
import json
import os
import tempfile
import traceback
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

import parrules
from parrules.amounts import ROUNDING_MODES
from parrules.cli.main import main
from parrules.errors import ProblemsError
from parrules.files.reading import read_document
from parrules.files.toml_writer import toml_key, toml_string

# Hypothesis keeps caches in ./.hypothesis by default: in the system's temporary folder, nothing is
# written into the checkout.
set_hypothesis_home_dir(os.path.join(tempfile.gettempdir(), "parrules-hypothesis"))
settings.register_profile("ci", max_examples=100, derandomize=True, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
                          phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink], print_blob=True)
settings.register_profile("fuzz", max_examples=int(os.environ.get("PARRULES_FUZZ_EXAMPLES", "3000")),
                          derandomize=False, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
                          print_blob=True)
PROFILE = settings.get_profile("fuzz" if os.environ.get("PARRULES_FUZZ") else "ci")
REGISTRY = parrules.Registry(entry_points=False)  # the built-ins only: what is installed does not matter


@pytest.fixture(autouse=True, scope="module")
def _builtins_only() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("parrules.plugins.registry._default", REGISTRY)
        yield


# -- values, and how a user would write them ------------------------------------------------------
@dataclass(frozen=True)
class Raw:
    """A value written as this exact TOML (or JSON) source text: `nan`, `1e400`, `0x10`, `1_000`."""

    toml: str
    json: str | None = None  # None: the same text, if JSON has it; JSON cannot write some TOML at all


def toml_value(value: Any) -> str:
    if isinstance(value, Raw):
        return value.toml
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        if value.is_nan():
            return "nan"
        if value.is_infinite():
            return "-inf" if value < 0 else "inf"
        return str(value)
    if isinstance(value, float):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(repr(value), repr(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        inner = ", ".join(f"{toml_key(str(k))} = {toml_value(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(type(value))


def json_value(value: Any) -> str:
    if isinstance(value, Raw):
        return value.json if value.json is not None else value.toml
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        if value.is_nan():
            return "NaN"
        if value.is_infinite():
            return "-Infinity" if value < 0 else "Infinity"
        return str(value)
    if isinstance(value, float):
        return {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}.get(repr(value), repr(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (dt.date, dt.datetime)):
        return json.dumps(value.isoformat())
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k), ensure_ascii=False)}: {json_value(v)}"
                               for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(json_value(v) for v in value) + "]"
    raise TypeError(type(value))


#: numbers no PAR figure can be, and spellings a careless clerk or an attacker uses
HOSTILE_NUMBERS: list[Any] = [
    Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity"), Decimal("1E+400"), Decimal("1E-400"),
    Decimal("1E+16"), Decimal("1E-21"), Decimal("-0"), Decimal("-0.0"), Decimal("0E-30"), Decimal("-1"),
    Decimal("-0.5"), Decimal("9" * 40), Decimal("1." + "1" * 40), 10**16, 10**30, -(10**20), 10**400,
    float("nan"), float("inf"), float("-inf"), 1e308, 5e-324, -0.0,
    Raw("0x10", "16"), Raw("0o17", "15"), Raw("0b101", "5"), Raw("1_000", "1000"), Raw("+12", "12"),
    Raw("1e99999999"), Raw("-1e99999999"), Raw("9" * 5000),
    "Infinity", "+Infinity", "-Infinity", "inf", "NaN", "nan", "sNaN", "-0", "+0", "1e400", "1e-50",
    "١٢", "１２", "۱۲", "²", "12%", "83,55", " 12 ", "1 000", "1.000,5", "", " ", "na", "NA", "N/A", "không",
    "1e99999999", "0x10", "12\u0000", "1" * 100, "12.5.1",
]
WRONG_TYPES: list[Any] = [True, False, dt.date(2024, 12, 31), [1, 2], [], {}, {"a": 1}, "có", "x", "text " * 20]


def finite_decimals(low: str, high: str, places: int = 2) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=Decimal(low), max_value=Decimal(high), places=places,
                       allow_nan=False, allow_infinity=False)


hostile_number = st.sampled_from(HOSTILE_NUMBERS)
wrong_type = st.sampled_from(WRONG_TYPES)
word = st.sampled_from(["Tốt", "Khá", "Trung bình", "Yếu", "Hoàn thành", "Không", "A", "B", "nhẹ", "nặng",
                        "Rất hài lòng", "Hài lòng", "x y"])


# -- criteria sets ----------------------------------------------------------------------------------
@dataclass
class LeafSpec:
    code: str
    role: str
    max_points: Decimal
    rule: str
    params: dict[str, Any]
    allow_na: bool = False


@dataclass
class SetSpec:
    text: str
    leaves: dict[str, LeafSpec]
    roles: dict[str, str]  # code -> role, every node
    children: dict[str, list[str]]
    maxima: dict[str, Decimal]
    decimals: int
    percent_decimals: int
    mode: str
    at: str
    na_full: bool
    bands: list[tuple[str, Decimal | None, Decimal | None]]
    hostile: bool  # a parameter was drawn from the hostile pool: the set may well be refused


@st.composite
def percent_value(draw: st.DrawFn, hostile: bool) -> Any:
    if hostile and draw(st.integers(0, 3)) == 0:
        return draw(hostile_number)
    return draw(finite_decimals("0", "100", draw(st.integers(0, 2))))


@st.composite
def rule_params(draw: st.DrawFn, rule: str, top: Decimal, hostile: bool) -> dict[str, Any]:
    if rule == "choice":
        names = draw(st.lists(word, min_size=1, max_size=4, unique=True))
        return {"options": {n: draw(percent_value(hostile)) for n in names}}
    if rule == "survey":
        names = draw(st.lists(word, min_size=1, max_size=4, unique=True))
        return {"weights": {n: draw(percent_value(hostile)) for n in names}}
    if rule == "bands":
        cuts = sorted(draw(st.lists(finite_decimals("0.5", "100", 1), min_size=1, max_size=3, unique=True)))
        if hostile and draw(st.booleans()):
            cuts[draw(st.integers(0, len(cuts) - 1))] = draw(hostile_number)
        bands: list[dict[str, Any]] = []
        edges: list[Any] = [None, *cuts, None]
        for low, high in zip(edges, edges[1:]):
            band: dict[str, Any] = {}
            if low is not None:
                band["from"] = low
            if high is not None:
                band["below"] = high
            if draw(st.booleans()):
                band["points"] = draw(finite_decimals("0", str(top), 2))
            else:
                band["percent"] = draw(percent_value(hostile))
            bands.append(band)
        if draw(st.integers(0, 5)) == 0 and len(bands) > 1:  # a gap or an overlap an author leaves
            i = draw(st.integers(0, len(bands) - 1))
            bands.pop(i) if draw(st.booleans()) else bands.insert(i, dict(bands[i]))
        if draw(st.booleans()):
            bands.reverse()
        return {"bands": bands}
    if rule == "proportional":
        params: dict[str, Any] = {}
        cap = draw(finite_decimals("1", "100", 1))
        if draw(st.booleans()):
            params["cap"] = cap if not hostile else draw(hostile_number)
        if draw(st.booleans()):  # below the cap (an author's floor at or above it is refused, rightly)
            low = draw(finite_decimals("0", str(min(cap, Decimal(100)) - Decimal("0.1")), 1))
            params["floor"] = low if not hostile else draw(hostile_number)
        return params
    if rule == "deduction":
        if draw(st.booleans()):
            each = draw(finite_decimals("0.05", str(top), 2)) if not hostile else draw(hostile_number)
            return {"per_occurrence": each}
        names = draw(st.lists(word, min_size=1, max_size=3, unique=True))
        return {"severities": {n: draw(percent_value(hostile)) for n in names}}
    if rule in ("bonus", "penalty"):
        if draw(st.booleans()):
            return {"per_item": draw(finite_decimals("0.05", "2", 2)) if not hostile else draw(hostile_number)}
        return {}
    return {}


BASE_RULES = ["yes_no", "choice", "bands", "proportional", "deduction", "survey", "manual"]


@st.composite
def criteria_sets(draw: st.DrawFn) -> SetSpec:
    hostile = draw(st.integers(0, 4)) == 0
    leaves: dict[str, LeafSpec] = {}
    roles: dict[str, str] = {}
    children: dict[str, list[str]] = {}
    maxima: dict[str, Decimal] = {}
    tables: dict[str, dict[str, Any]] = {}

    def node(code: str, role: str, depth: int) -> Decimal:
        roles[code] = role
        inner = depth < 2 and draw(st.integers(0, 2)) > 0
        if inner:
            count = draw(st.integers(1, 3))
            kids = [f"{code}.{i}" for i in range(1, count + 1)]
            children[code] = kids
            total = sum((node(kid, role, depth + 1) for kid in kids), Decimal(0))
            maxima[code] = total
            tables[code] = {"name": f"Tiêu chí {code}", "max_points": total}
            if role != "base" and depth == 0:
                tables[code]["role"] = role
            return total
        top = draw(finite_decimals("0.25", "10", 2))
        rule = role if role != "base" else draw(st.sampled_from(BASE_RULES))
        params = draw(rule_params(rule, top, hostile))
        allow_na = role == "base" and rule != "manual" and draw(st.booleans())
        leaves[code] = LeafSpec(code, role, top, rule, params, allow_na)
        children[code] = []
        maxima[code] = top
        table: dict[str, Any] = {"name": f"Tiêu chí {code}", "max_points": top, "rule": rule, **params}
        if allow_na:
            table["allow_na"] = True
        if role != "base" and depth == 0:
            table["role"] = role
        tables[code] = table
        return top

    fields = draw(st.integers(1, 3))
    total = sum((node(str(i), "base", 0) for i in range(1, fields + 1)), Decimal(0))
    if draw(st.booleans()):
        node("T", "bonus", 0)
    if draw(st.booleans()):
        node("P", "penalty", 0)
    decimals, percent_decimals = draw(st.integers(0, 3)), draw(st.integers(0, 3))
    mode = draw(st.sampled_from(sorted(ROUNDING_MODES)))
    return render_set(tables, leaves, roles, children, maxima, total, decimals=decimals,
                      percent_decimals=percent_decimals, mode=mode, at=draw(st.sampled_from(["leaf", "report"])),
                      na_full=draw(st.booleans()), hostile=hostile)


def render_set(tables: dict[str, dict[str, Any]], leaves: dict[str, LeafSpec], roles: dict[str, str],
               children: dict[str, list[str]], maxima: dict[str, Decimal], total: Decimal, *, decimals: int,
               percent_decimals: int, mode: str, at: str, na_full: bool, hostile: bool) -> SetSpec:
    bands = [("A", Decimal(80), None), ("B", Decimal(50), Decimal(80)), ("C", None, Decimal(50))]
    head = {
        "id": "prop", "name": "Bộ tiêu chí sinh ngẫu nhiên", "level": "department", "total_points": total,
        "rounding": {"decimals": decimals, "mode": mode, "at": at, "percent_decimals": percent_decimals},
        "not_applicable": "full_points" if na_full else "rescale",
    }
    lines = ["[set]"] + [f"{toml_key(k)} = {toml_value(v)}" for k, v in head.items()]
    lines.append('bands = [{ code = "A", from = 80 }, { code = "B", from = 50, below = 80 }, { code = "C", below = 50 }]')
    for code, table in tables.items():
        lines.append(f"\n[criteria.{toml_string(code)}]")
        lines.extend(f"{toml_key(k)} = {toml_value(v)}" for k, v in table.items())
    return SetSpec("\n".join(lines) + "\n", leaves, roles, children, maxima, decimals, percent_decimals, mode, at,
                   na_full, bands, hostile)


def flat_set(*leaves: LeafSpec, decimals: int = 2, mode: str = "half_up", at: str = "leaf") -> SetSpec:
    """A set of top-level leaves only, for the examples every run tries (regressions the fuzzing found)."""
    tables = {}
    for leaf in leaves:
        tables[leaf.code] = {"name": f"Tiêu chí {leaf.code}", "max_points": leaf.max_points, "rule": leaf.rule,
                             **leaf.params, **({"role": leaf.role} if leaf.role != "base" else {})}
    total = sum((leaf.max_points for leaf in leaves if leaf.role == "base"), Decimal(0))
    return render_set(tables, {leaf.code: leaf for leaf in leaves}, {leaf.code: leaf.role for leaf in leaves},
                      {leaf.code: [] for leaf in leaves}, {leaf.code: leaf.max_points for leaf in leaves}, total,
                      decimals=decimals, percent_decimals=2, mode=mode, at=at, na_full=False, hostile=False)


# -- submissions ------------------------------------------------------------------------------------
@st.composite
def right_answer(draw: st.DrawFn, leaf: LeafSpec) -> Any:
    rule, params = leaf.rule, leaf.params
    if rule == "yes_no":
        return draw(st.sampled_from([True, False, "có", "không", "đạt", "không đạt", "true", "x", "Có ", "KHÔNG"]))
    if rule == "choice":
        name = draw(st.sampled_from(sorted(params["options"])))
        return draw(st.sampled_from([name, f" {name} ", unicodedata.normalize("NFD", name)]))
    if rule in ("bands", "proportional"):
        return draw(st.one_of(finite_decimals("0", "120", draw(st.integers(0, 3))), st.integers(0, 120),
                              finite_decimals("0", "100", 1).map(lambda d: str(d).replace(".", ","))))
    if rule == "deduction":
        if "per_occurrence" in params:
            return draw(st.integers(0, 12))
        names = sorted(params["severities"])
        return draw(st.one_of(st.sampled_from(names),
                              st.dictionaries(st.sampled_from(names), st.integers(0, 5), max_size=len(names))))
    if rule == "survey":
        names = sorted(params["weights"])
        return draw(st.dictionaries(st.sampled_from(names), st.integers(0, 300), min_size=1, max_size=len(names)))
    if rule in ("bonus", "penalty"):
        return draw(st.one_of(st.integers(0, 10), finite_decimals("0", "5", 2)))
    return draw(finite_decimals("0", "3", 1))


@st.composite
def answer_for(draw: st.DrawFn, leaf: LeafSpec) -> Any:
    """An answer as a unit might give it, or a hostile one; `None` leaves the leaf out of [answers]."""
    choice = draw(st.integers(0, 19))
    if leaf.rule == "manual" and choice < 14:
        return None
    if choice < 11:
        return draw(right_answer(leaf))
    if choice < 13:
        return None
    if choice == 13:
        return "na"
    if choice == 14:
        return draw(wrong_type)
    if choice in (15, 16):
        return draw(hostile_number)
    if choice == 17 and leaf.rule in ("survey", "deduction") and "per_occurrence" not in leaf.params:
        names = sorted(leaf.params.get("weights") or leaf.params.get("severities") or {"x": 1})
        return {draw(st.sampled_from(names)): draw(hostile_number)}
    return draw(st.sampled_from(["Hoàn thành xuất sắc", "???", "1", "100", "-3", "1.5", "2.5e1"]))


@st.composite
def self_points_for(draw: st.DrawFn, leaf: LeafSpec) -> Any:
    choice = draw(st.integers(0, 9))
    if choice < 6:
        return draw(st.decimals(min_value=Decimal(0), max_value=leaf.max_points, places=draw(st.integers(0, 3)),
                                allow_nan=False, allow_infinity=False))
    if choice == 6:
        return leaf.max_points + Decimal("0.01")
    if choice == 7:
        return "na"
    return draw(hostile_number)


@dataclass
class UnitSpec:
    code: str
    answers: dict[str, Any] = field(default_factory=dict)
    self_assessment: dict[str, Any] = field(default_factory=dict)
    appraisals: list[dict[str, Any]] = field(default_factory=list)
    as_json: bool = False

    def text(self) -> str:
        unit = {"code": self.code, "name": f"Đơn vị {self.code}", "kind": "department", "period": 2024}
        if self.as_json:
            parts = [f'"unit": {json_value(unit)}']
            if self.self_assessment:
                parts.append(f'"self_assessment": {json_value(self.self_assessment)}')
            if self.answers:
                parts.append(f'"answers": {json_value(self.answers)}')
            if self.appraisals:
                parts.append(f'"appraisals": {json_value(self.appraisals)}')
            return "{" + ",\n".join(parts) + "}\n"
        lines = ["[unit]"] + [f"{k} = {toml_value(v)}" for k, v in unit.items()]
        for header, table in (("self_assessment", self.self_assessment), ("answers", self.answers)):
            if table:
                lines.append(f"\n[{header}]")
                lines.extend(f"{toml_string(k)} = {toml_value(v)}" for k, v in table.items())
        for appraisal in self.appraisals:
            lines.append("\n[[appraisals]]")
            lines.extend(f"{k} = {toml_value(v)}" for k, v in appraisal.items())
        return "\n".join(lines) + "\n"


@st.composite
def units_for(draw: st.DrawFn, spec: SetSpec) -> list[UnitSpec]:
    count = draw(st.integers(1, 3))
    out = []
    for i in range(1, count + 1):
        unit = UnitSpec(f"U{i}", as_json=draw(st.integers(0, 3)) == 0)
        for code, leaf in spec.leaves.items():
            answer = draw(answer_for(leaf))
            if answer is not None:
                unit.answers[code] = answer
            manual = leaf.rule == "manual"
            if (manual and draw(st.integers(0, 7)) > 0) or (not manual and draw(st.integers(0, 5)) == 0):
                unit.self_assessment[code] = draw(self_points_for(leaf))
        if draw(st.integers(0, 4)) == 0:
            code = draw(st.sampled_from(sorted(spec.leaves)))
            top = spec.leaves[code].max_points
            points = draw(st.one_of(finite_decimals("0", str(top), 2), hostile_number, st.just("na")))
            unit.appraisals.append({"code": code, "round": draw(st.integers(1, 2)), "points": points,
                                    "reason": "thẩm định"})
        if draw(st.integers(0, 12)) == 0:
            unit.answers[draw(st.sampled_from(["9.9", "1.١", "x"]))] = 1  # a code the set does not have
        out.append(unit)
    return out


# -- running the commands -------------------------------------------------------------------------
@dataclass
class Ran:
    code: int | None
    out: str
    err: str


def run_cli(args: list[str]) -> Ran:
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(args)
    except SystemExit as exc:  # argparse: never expected here, but it is what the command would do
        code = exc.code if isinstance(exc.code, int) else None
    except BaseException:  # noqa: BLE001 - whatever escapes is what this test looks for
        raise AssertionError(f"parrules {' '.join(args)} raised:\n{traceback.format_exc()}") from None
    return Ran(code, out.getvalue(), err.getvalue())


def assert_clear(ran: Ran, files: list[Path], what: str) -> None:
    assert "Traceback" not in ran.err and "Traceback" not in ran.out, f"{what}:\n{ran.err}"
    for line in ran.err.splitlines():
        if line.startswith("error: "):
            assert any(line.startswith(f"error: {f}") for f in files), f"{what}: a problem names no input: {line}"


def rnd(value: Decimal, decimals: int, mode: str) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUNDING_MODES[mode],
                          context=decimal.Context(prec=60))


def pct(part: Decimal, whole: Decimal) -> Decimal:
    return decimal.Context(prec=34).divide(part * 100, whole)


def check_figures(spec: SetSpec, units: list[dict[str, Any]]) -> None:
    """Every figure of every unit against the policy of docs/criteria-sets.md and scoring/totals.py."""
    for unit in units:
        code = unit["unit"]["code"]
        leaves = {leaf["code"]: leaf for leaf in unit["leaves"]}
        nodes = {node["code"]: node for node in unit["nodes"]}
        assert set(leaves) == set(spec.leaves), code
        exact: dict[str, tuple[Decimal, Decimal]] = {}  # code -> (points, applicable maximum), unrounded
        for leaf_code, leaf in leaves.items():
            top, final, status = spec.leaves[leaf_code].max_points, leaf["final_points"], leaf["status"]
            assert leaf["max_points"] == top
            if final is not None:
                assert Decimal(0) <= final <= top, f"{code} {leaf_code}: {final} outside 0..{top}"
            if status == "not_applicable":
                assert final == (top if spec.na_full else None), (code, leaf_code, final)
                exact[leaf_code] = (top, top) if spec.na_full else (Decimal(0), Decimal(0))
                continue
            if status in ("error", "not_evaluated"):
                assert final is None, (code, leaf_code, leaf)
            else:
                assert final is not None and status == ("full" if final == top else "zero" if final == 0 else "partial"), \
                    (code, leaf_code, status, final)
            if status == "error":
                assert leaf["error"], (code, leaf_code)
            exact[leaf_code] = (final or Decimal(0), top)
            if leaf["final_stage"] == "computed" and spec.at == "leaf":
                assert final == rnd(final, spec.decimals, spec.mode), f"{code} {leaf_code}: {final} not rounded"

        def total(node_code: str, exact: dict[str, tuple[Decimal, Decimal]] = exact) -> tuple[Decimal, Decimal]:
            if node_code in exact:
                return exact[node_code]
            kids = [total(kid) for kid in spec.children[node_code]]
            points, applicable = sum((k[0] for k in kids), Decimal(0)), sum((k[1] for k in kids), Decimal(0))
            if spec.roles[node_code] != "base":
                points, applicable = min(points, spec.maxima[node_code]), spec.maxima[node_code]
            exact[node_code] = (points, applicable)
            return points, applicable

        roots = [c for c in spec.roles if "." not in c]
        for node_code, node in nodes.items():
            points, applicable = total(node_code)
            assert node["max_points"] == spec.maxima[node_code]
            assert node["applicable_max"] == applicable, (code, node_code, node, applicable)
            assert node["points"] == rnd(points, spec.decimals, spec.mode), \
                f"{code} {node_code}: {node['points']} is not the sum of its parts {points}"
            assert Decimal(0) <= node["points"] <= node["applicable_max"] <= node["max_points"], (code, node_code, node)
            want = None if applicable == 0 else rnd(pct(points, applicable), spec.percent_decimals, spec.mode)
            assert node["percent"] == want, (code, node_code, node["percent"], want)
        base = sum((total(c)[0] for c in roots if spec.roles[c] == "base"), Decimal(0))
        bonus = sum((total(c)[0] for c in roots if spec.roles[c] == "bonus"), Decimal(0))
        penalty = sum((total(c)[0] for c in roots if spec.roles[c] == "penalty"), Decimal(0))
        applicable = sum((total(c)[1] for c in roots if spec.roles[c] == "base"), Decimal(0))
        whole = max(Decimal(0), base + bonus - penalty)
        assert unit["base_points"] == rnd(base, spec.decimals, spec.mode), code
        assert unit["bonus_points"] == rnd(bonus, spec.decimals, spec.mode), code
        assert unit["penalty_points"] == rnd(penalty, spec.decimals, spec.mode), code
        assert unit["total_points"] == rnd(whole, spec.decimals, spec.mode), (code, unit["total_points"], whole)
        assert unit["total_points"] >= 0 and unit["applicable_max"] == applicable, code
        for role in ("bonus", "penalty"):
            cap = sum((spec.maxima[c] for c in roots if spec.roles[c] == role), Decimal(0))
            assert Decimal(0) <= unit[f"{role}_points"] <= cap, (code, role, unit[f"{role}_points"])
        index = None if applicable == 0 else rnd(pct(whole, applicable), spec.percent_decimals, spec.mode)
        assert unit["index"] == index, (code, unit["index"], index)
        gaps = {c for c, leaf in leaves.items()
                if leaf["status"] == "error" or (leaf["status"] == "not_evaluated" and spec.leaves[c].role == "base")}
        assert {i["code"] for i in unit["incomplete"]} == gaps, (code, unit["incomplete"], gaps)
        band = None
        if index is not None and not gaps:
            band = next((b for b, low, high in spec.bands
                         if (low is None or index >= low) and (high is None or index < high)), None)
        assert unit["band"] == band, (code, unit["band"], band, index)


@contextlib.contextmanager
def written(spec: SetSpec, units: list[UnitSpec]) -> Iterator[tuple[Path, list[Path], Path]]:
    with tempfile.TemporaryDirectory(prefix="parrules-prop-") as folder:
        root = Path(folder)
        set_path = root / "set.toml"
        set_path.write_text(spec.text, encoding="utf-8")
        paths = []
        for unit in units:
            path = root / f"{unit.code.lower()}.{'json' if unit.as_json else 'toml'}"
            path.write_text(unit.text(), encoding="utf-8")
            paths.append(path)
        yield set_path, paths, root / "results.json"


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[SetSpec, list[UnitSpec]]:
    spec = draw(criteria_sets())
    return spec, draw(units_for(spec))


#: what fuzzing found, tried by every run: a full 0.25-point leaf in a set rounding up to whole points
#: scored 1 of 0.25 (index 200 %); an answer of 10^30 made writing the results JSON raise
FOUND = [
    (flat_set(LeafSpec("1", "base", Decimal("0.25"), "yes_no", {}), LeafSpec("2", "base", Decimal("0.75"), "yes_no", {}),
              decimals=0, mode="up"),
     [UnitSpec("U1", answers={"1": True, "2": True})]),
    (flat_set(LeafSpec("1", "base", Decimal("1"), "yes_no", {}), LeafSpec("T", "bonus", Decimal("1"), "bonus", {})),
     [UnitSpec("U1", answers={"1": True, "T": 10**30})]),
]


@settings(parent=PROFILE)
@given(scenarios())
@example(FOUND[0])
@example(FOUND[1])
def test_validate_is_the_promise_and_every_figure_adds_up(scenario: tuple[SetSpec, list[UnitSpec]]) -> None:
    spec, units = scenario
    with written(spec, units) as (set_path, paths, out):
        files = [set_path, *paths]
        checked = run_cli(["validate", str(set_path), *map(str, paths)])
        assert_clear(checked, files, "validate")
        assert checked.code in (0, 1), f"validate exit {checked.code}:\n{checked.err}"
        scored = run_cli(["score", str(set_path), *map(str, paths), "--format", "json", "-o", str(out)])
        assert_clear(scored, files, "score")
        assert scored.code in (0, 1, 3), f"score exit {scored.code}:\n{scored.err}"
        if checked.code == 0:
            assert scored.code == 0, (f"validate passed but score exited {scored.code}:\n{scored.err}\n"
                                      f"--- set:\n{spec.text}\n--- units:\n" + "\n".join(u.text() for u in units))
        if scored.code == 1:
            assert checked.code == 1, f"score refused what validate passed:\n{scored.err}"
            assert not out.exists(), "score refused the data but wrote results"
            return
        data = json.loads(out.read_text(encoding="utf-8"), parse_float=Decimal, parse_int=Decimal)
        assert data["complete"] is (scored.code == 0)
        check_figures(spec, data["units"])


def finer_than_rounding(spec: SetSpec) -> bool:
    """Whether some maximum or points of the set have more decimals than the set rounds points to
    (a set the validator may rightly refuse: a full leaf could round above its maximum)."""
    amounts = [leaf.max_points for leaf in spec.leaves.values()]
    for leaf in spec.leaves.values():
        amounts.extend(b["points"] for b in leaf.params.get("bands", []) if isinstance(b.get("points"), Decimal))
        if isinstance(leaf.params.get("per_occurrence"), Decimal):
            amounts.append(leaf.params["per_occurrence"])
    return any(a != rnd(a, spec.decimals, "down") for a in amounts)


@settings(parent=PROFILE)
@given(criteria_sets())
def test_a_set_loads_or_says_why(spec: SetSpec) -> None:
    """Any generated set — hostile parameters, gaps and overlaps in bands — loads or is refused with
    problems that name the file; `show` and `doc` then render it without a traceback."""
    with tempfile.TemporaryDirectory(prefix="parrules-prop-") as folder:
        path = Path(folder) / "set.toml"
        path.write_text(spec.text, encoding="utf-8")
        checked = run_cli(["validate", str(path)])
        assert_clear(checked, [path], "validate")
        assert checked.code in (0, 1)
        if not spec.hostile and checked.code == 1 and not finer_than_rounding(spec):
            assert "bands" in checked.err, checked.err  # a clean draw may still leave a gap between bands
        if checked.code == 0:
            for command in (["show", str(path)], ["doc", str(path)]):
                ran = run_cli(command)
                assert_clear(ran, [path], command[0])
                assert ran.code == 0, ran.err


# -- numbers --------------------------------------------------------------------------------------
number_input = st.one_of(
    st.sampled_from(HOSTILE_NUMBERS).filter(lambda v: not isinstance(v, Raw)),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.text(alphabet="0123456789.,eE+-_ ١٢３²xnaifINF", max_size=30),
    st.text(max_size=12),
    st.booleans(),
)


@settings(parent=PROFILE)
@given(number_input)
def test_a_number_is_a_bounded_figure_or_refused(value: Any) -> None:
    try:
        number = parrules.to_decimal(value)
    except (ValueError, TypeError):
        return
    assert isinstance(number, Decimal) and number.is_finite()
    if number:
        assert -20 <= number.adjusted() <= 15
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        assert number == value
    written_back = json.loads(parrules.to_json({"x": number}), parse_float=Decimal)["x"]
    assert Decimal(written_back) == number


@settings(parent=PROFILE)
@given(finite_decimals("-1000000", "1000000", 6), st.integers(0, 6), st.sampled_from(sorted(ROUNDING_MODES)))
def test_rounding_is_exact_and_as_declared(value: Decimal, decimals: int, mode: str) -> None:
    from parrules.amounts import round_to

    got = round_to(value, decimals, mode)
    assert got == rnd(value, decimals, mode) and abs(got - value) <= Decimal(1).scaleb(-decimals)


# -- reading any bytes ----------------------------------------------------------------------------
toml_like = st.text(alphabet=st.sampled_from(list('[]{}"\'=.,\n #\\\tabc123-+_eE:\u0000é\u0301ƯĐ')), max_size=300)


@settings(parent=PROFILE)
@given(st.one_of(st.binary(max_size=300), toml_like.map(lambda t: t.encode("utf-8"))), st.sampled_from([".toml", ".json"]))
def test_reading_any_bytes_gives_a_document_or_problems(content: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory(prefix="parrules-prop-") as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(content)
        try:
            document = read_document(path, what="submission")
        except ProblemsError as exc:
            assert exc.problems and all(p.file == str(path) for p in exc.problems)
            return
        assert isinstance(document.data, dict)
        try:
            parrules.load_submission(path)
        except ProblemsError as exc:
            assert exc.problems


@settings(parent=PROFILE)
@given(toml_like)
def test_a_submission_of_any_text_loads_or_says_why_with_its_file(text: str) -> None:
    with tempfile.TemporaryDirectory(prefix="parrules-prop-") as folder:
        path = Path(folder) / "u.toml"
        path.write_text('[unit]\ncode = "U1"\nname = "U1"\n' + text, encoding="utf-8")
        ran = run_cli(["validate", str(Path(__file__).resolve().parent / "hostile" / "common" / "set.toml"), str(path)])
        assert_clear(ran, [path], "validate")
        assert ran.code in (0, 1)
