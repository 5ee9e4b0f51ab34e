"""Pytest fixtures and assertions for plugin authors (loaded by pytest through the `pytest11` entry point).

A province that writes a plugin wants to test its check and rule kind the way the engine will use
them, without hand-writing 40 lines of TOML per test and without whatever else happens to be installed
on the machine changing the outcome. Installing parrules makes these available in any pytest run:

- `parrules_registry`: the built-in rules and checks plus only the plugin modules named in the ini
  option `parrules_plugins` (or returned by your own `parrules_plugins` fixture), never other
  installed plugins;
- `parrules_engine`: an `Engine` (rules and checks come from the set, built with that registry);
- `parrules_set(criteria, **meta)`: a validated `CriteriaSet` from a dict of criteria (the total is
  the sum of the top-level maxima unless given);
- `parrules_submission(code, answers=..., figures=..., data=..., documents=...)`: a `Submission`;
- `parrules_score(criteria, submissions, data=...)`: a `RunResult`;
- `assert_points`, `assert_status`, `assert_total`, `assert_explains`, `assert_problem`: assertions
  whose failure message shows the explanation the engine wrote, which is what you need to see.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from parrules import (
    CriteriaSet,
    Engine,
    ProblemsError,
    Registry,
    RunResult,
    Submission,
    UnitResult,
    criteria_set_from_text,
    submission_from_dict,
    to_decimal,
)
from parrules.files.toml_writer import criteria_set_toml

__all__ = [
    "assert_explains",
    "assert_points",
    "assert_problem",
    "assert_status",
    "assert_total",
    "build_set",
    "build_submission",
    "registry_with",
]


def registry_with(*plugins: object) -> Registry:
    """Built-ins plus exactly these plugin objects (modules or instances with hook implementations)."""
    registry = Registry(entry_points=False)
    for plugin in plugins:
        registry.add_plugin(plugin, name=getattr(plugin, "__name__", None))
    return registry


def build_set(criteria: Mapping[str, Mapping[str, Any]], *, registry: Registry | None = None,
              **meta: Any) -> CriteriaSet:
    """A validated set from `{"1": {"name": ..., "max_points": 2, "rule": "yes_no"}, ...}`.

    It goes through TOML and the ordinary loader, so it is validated exactly as a file would be.
    """
    base_roots = [c for c, t in criteria.items() if "." not in c and t.get("role", "base") == "base"]
    header = {"id": "test-set", "name": "Bộ tiêu chí thử nghiệm", "level": "department"}
    header.update(meta)
    if "total_points" not in header:
        header["total_points"] = sum((to_decimal(criteria[c]["max_points"]) for c in base_roots), Decimal(0))
    text = criteria_set_toml({"set": header, "criteria": {c: dict(t) for c, t in criteria.items()}})
    return criteria_set_from_text(text, registry, name="<parrules_set>")


def build_submission(code: str = "U1", *, name: str | None = None, kind: str = "department",
                     period: int | str = 2024, answers: Mapping[str, Any] | None = None,
                     self_assessment: Mapping[str, Any] | None = None, figures: Mapping[str, Any] | None = None,
                     data: Mapping[str, str | Path] | None = None, documents: Sequence[Mapping[str, Any]] = (),
                     appraisals: Sequence[Mapping[str, Any]] = (), base_dir: str | Path = ".") -> Submission:
    """A unit's submission; numbers may be given as int, str or Decimal (floats are converted exactly)."""
    raw: dict[str, Any] = {"unit": {"code": code, "name": name or f"Đơn vị {code}", "kind": kind,
                                    "period": period}}
    for key, value in (("answers", answers), ("self_assessment", self_assessment), ("figures", figures)):
        if value:
            raw[key] = {k: _exact(v) for k, v in value.items()}
    if data:
        raw["data"] = {k: str(v) for k, v in data.items()}
    if documents:
        raw["documents"] = [dict(d) for d in documents]
    if appraisals:
        raw["appraisals"] = [{k: _exact(v) for k, v in a.items()} for a in appraisals]
    return submission_from_dict(raw, base_dir=base_dir, source=f"<submission {code}>")


def _exact(value: Any) -> Any:
    return Decimal(repr(value)) if isinstance(value, float) else value


# -- assertions -----------------------------------------------------------------------------------
def _unit(result: UnitResult | RunResult, unit: str | None) -> UnitResult:
    if isinstance(result, RunResult):
        return result.unit(unit) if unit is not None else result.units[0]
    return result


def assert_points(result: UnitResult | RunResult, code: str, expected: Any, *, unit: str | None = None) -> None:
    """The criterion's final points equal `expected` exactly (give "2.5" or 2.5, never a rounded guess)."""
    leaf = _unit(result, unit).leaf(code)
    want = None if expected is None else to_decimal(expected)
    assert leaf.final_points == want, (
        f"criterion {code}: {leaf.final_points} points, expected {want} "
        f"(status {leaf.status}; {leaf.error or leaf.explanation})"
    )


def assert_status(result: UnitResult | RunResult, code: str, status: str, *, unit: str | None = None) -> None:
    """The criterion's status: full, partial, zero, not_applicable, not_evaluated or error"""
    leaf = _unit(result, unit).leaf(code)
    assert leaf.status == status, (
        f"criterion {code}: status {leaf.status}, expected {status} ({leaf.error or leaf.explanation})"
    )


def assert_total(result: UnitResult | RunResult, expected: Any, *, unit: str | None = None) -> None:
    found = _unit(result, unit)
    want = to_decimal(expected)
    trail = "; ".join(f"{leaf.code}={leaf.final_points}" for leaf in found.leaves)
    assert found.total_points == want, f"total {found.total_points}, expected {want} ({trail})"


def assert_explains(result: UnitResult | RunResult, code: str, *fragments: str, unit: str | None = None) -> None:
    """The explanation a clerk reads contains every fragment."""
    leaf = _unit(result, unit).leaf(code)
    text = f"{leaf.explanation} {leaf.error or ''}"
    missing = [f for f in fragments if f not in text]
    assert not missing, f"criterion {code}: explanation {text!r} lacks {missing}"


def assert_problem(error: ProblemsError | pytest.ExceptionInfo[ProblemsError], *, path: str | None = None,
                   contains: str = "", code: str | None = None) -> None:
    """A `ProblemsError` holds a problem at `path` whose message (or hint) contains `contains`.

    A problem's text is in the voice it was made in (Vietnamese unless the test says otherwise); match
    on `code` and `path`, which are the same in every language, or make the problem under
    `parrules.speaking(language="en")` to compare English text."""
    problems = error.value.problems if isinstance(error, pytest.ExceptionInfo) else error.problems
    for problem in problems:
        if path is not None and problem.path != path:
            continue
        if code is not None and problem.code != code:
            continue
        if contains in problem.message or contains in (problem.hint or ""):
            return
    listed = "\n  ".join(str(p) for p in problems)
    raise AssertionError(f"no problem at {path!r} containing {contains!r}; found:\n  {listed}")


# -- pytest plugin ----------------------------------------------------------------------------------
def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("parrules_plugins", "plugin modules the parrules_registry fixture registers (one a line)",
                  type="linelist", default=[])


@pytest.fixture
def parrules_plugins(request: pytest.FixtureRequest) -> list[object]:
    """The plugins under test: the modules named in the `parrules_plugins` ini option."""
    return [importlib.import_module(name) for name in request.config.getini("parrules_plugins")]


@pytest.fixture
def parrules_registry(parrules_plugins: list[object]) -> Registry:
    return registry_with(*parrules_plugins)


@pytest.fixture
def parrules_engine() -> Engine:
    return Engine()


@pytest.fixture
def parrules_set(parrules_registry: Registry) -> Callable[..., CriteriaSet]:
    def make(criteria: Mapping[str, Mapping[str, Any]], **meta: Any) -> CriteriaSet:
        return build_set(criteria, registry=parrules_registry, **meta)

    return make


@pytest.fixture
def parrules_submission() -> Callable[..., Submission]:
    return build_submission


@pytest.fixture
def parrules_score(parrules_engine: Engine) -> Callable[..., RunResult]:
    def run(criteria: CriteriaSet, submissions: Submission | Sequence[Submission], *,
            data: Mapping[str, str | Path] | None = None) -> RunResult:
        subs = [submissions] if isinstance(submissions, Submission) else list(submissions)
        return parrules_engine.score_many(criteria, subs, data=data)

    return run
