"""A check that hangs errors its criterion after the time limit; the run goes on and ends normally."""

from __future__ import annotations

import argparse
import contextvars
import re
import subprocess
import sys
import textwrap
import threading
import types
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest

import parrules
from parrules import Measurement, hookimpl
from parrules.cli.common import add_check_timeout
from parrules.scoring.checks import DEFAULT_CHECK_TIMEOUT, check_timeout_seconds
from parrules.testing import build_set, build_submission, registry_with

from ..conftest import ROOT

TINY = 0.05  # seconds: the limit these tests give; no test waits longer than it needs
_SEEN: contextvars.ContextVar[str] = contextvars.ContextVar("seen", default="not copied")


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """What the hanging check waits for; set when the test ends, so its abandoned thread ends too."""
    event = threading.Event()
    yield event
    event.set()


def _registry(**checks: Callable[..., Any]) -> parrules.Registry:
    """The built-ins and a plugin with these checks, each measuring one metric `n`."""
    module = types.ModuleType("slow_plugin")

    @hookimpl
    def register_checks(register):
        for name, evaluate in checks.items():
            register(f"demo.{name}", evaluate, description=f"the {name} check", metrics={"n": "n"})

    module.register_checks = register_checks  # type: ignore[attr-defined]
    return registry_with(module)


@pytest.fixture
def registry(release: threading.Event) -> parrules.Registry:
    def hangs(units, params):
        release.wait(5)  # far past the tiny limit; returns so a build without the limit fails, not hangs
        return {u.code: Measurement({"n": Decimal(100)}) for u in units}

    def fine(units, params):
        return {u.code: Measurement({"n": Decimal(100)}, {"n": _SEEN.get()}) for u in units}

    return _registry(hangs=hangs, fine=fine)


def _set(registry: parrules.Registry) -> parrules.CriteriaSet:
    return build_set({
        "1": {"name": "Treo", "max_points": 1, "rule": "proportional", "check": "demo.hangs", "metric": "n"},
        "2": {"name": "Tốt", "max_points": 1, "rule": "proportional", "check": "demo.fine", "metric": "n"},
        "3": {"name": "Khai", "max_points": 1, "rule": "yes_no"},
    }, registry=registry)


def test_a_check_past_its_time_limit_errors_its_criterion_and_the_run_goes_on(registry: parrules.Registry) -> None:
    subs = [build_submission("U1", answers={"3": True}), build_submission("U2", answers={"3": False})]
    run = parrules.score_many(_set(registry), subs, check_timeout=TINY)
    for code in ("U1", "U2"):
        unit = run.unit(code)
        assert unit.leaf("1").status == "error"
        assert "không xong trong 0,05 giây" in unit.leaf("1").error and "--check-timeout" in unit.leaf("1").error
        assert unit.leaf("2").final_points == 1  # the other check and the declared criterion are scored
        assert [leaf.code for leaf in unit.incomplete] == ["1"]
    assert run.unit("U1").leaf("3").final_points == 1 and run.unit("U2").leaf("3").final_points == 0
    assert not run.complete


def test_the_engine_takes_the_limit_too(registry: parrules.Registry) -> None:
    run = parrules.Engine().score_many(_set(registry), [build_submission("U1")], check_timeout=Decimal("0.05"))
    assert run.units[0].leaf("1").status == "error"


def test_a_check_runs_in_the_callers_context(registry: parrules.Registry) -> None:
    """The check's thread sees the caller's context variables (the run's language, decimal context)."""
    criteria = _set(registry)
    token = _SEEN.set("copied")
    try:
        run = parrules.score_many(criteria, [build_submission("U1")], check_timeout=TINY)
    finally:
        _SEEN.reset(token)
    assert run.units[0].leaf("2").explanation.startswith("copied "), run.units[0].leaf("2").explanation


def test_no_limit_runs_the_check_in_the_calling_thread() -> None:
    threads: list[threading.Thread] = []

    def where(units, params):
        threads.append(threading.current_thread())
        return {u.code: Measurement({"n": Decimal(100)}) for u in units}

    criteria = build_set({"1": {"name": "Ở đâu", "max_points": 1, "rule": "proportional", "check": "demo.where",
                                "metric": "n"}}, registry=_registry(where=where))
    for limit in (0, Decimal(0), None, DEFAULT_CHECK_TIMEOUT):
        assert parrules.score_many(criteria, [build_submission("U1")], check_timeout=limit).units[0].leaf("1") \
            .final_points == 1
    assert threads[:2] == [threading.current_thread()] * 2  # 0: no limit, the check runs here
    assert all(t is not threading.current_thread() for t in threads[2:]) and len(threads) == 4  # a thread of its own


def test_the_process_exits_normally_with_a_hung_check_left_behind() -> None:
    """The abandoned thread is a daemon: the run ends, prints and exits 0 while the check still sleeps."""
    script = textwrap.dedent("""
        import time, types
        from decimal import Decimal
        import parrules
        from parrules import Measurement, hookimpl
        from parrules.testing import build_set, build_submission, registry_with

        module = types.ModuleType("sleepy")

        def sleeps(units, params):
            time.sleep(30)  # long past the limit: without one, the run would print the points after 30 s
            print("woke", flush=True)  # only if the process waited for the abandoned thread
            return {u.code: Measurement({"n": Decimal(100)}) for u in units}

        @hookimpl
        def register_checks(register):
            register("demo.sleeps", sleeps, description="sleeps", metrics={"n": "n"})

        module.register_checks = register_checks
        criteria = build_set({"1": {"name": "Ngủ", "max_points": 1, "rule": "proportional",
                                    "check": "demo.sleeps", "metric": "n"}}, registry=registry_with(module))
        leaf = parrules.score_many(criteria, [build_submission("U1")], check_timeout=0.05).units[0].leaf("1")
        print(leaf.status, leaf.final_points)
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["error", "None"] and "Traceback" not in done.stderr


@pytest.mark.parametrize(("text", "seconds"), [("60", 60.0), ("2.5", 2.5), (" 0 ", 0.0), ("86400", 86400.0)])
def test_a_limit_is_a_number_of_seconds(text: str, seconds: float) -> None:
    assert check_timeout_seconds(text) == seconds
    p = argparse.ArgumentParser()
    add_check_timeout(p)
    assert p.parse_args(["--check-timeout", text]).check_timeout == seconds
    assert p.parse_args([]).check_timeout is None  # not given: the campaign file's value, else the default


EXPECTED = {"en": "a number of seconds from 0 (no limit) to 86400", "vi": "một số giây từ 0 (không giới hạn) đến 86400"}


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("text", ["-1", "nan", "inf", "Infinity", "soon", "", "1e9", "86401"])
def test_a_wrong_limit_is_wrong_usage(text: str, language: str, capsys: pytest.CaptureFixture[str]) -> None:
    with parrules.speaking(language=language):
        with pytest.raises(ValueError, match=re.escape(EXPECTED[language])) as refused:
            check_timeout_seconds(text)
        p = argparse.ArgumentParser(prog="parrules score")
        add_check_timeout(p)
        with pytest.raises(SystemExit) as exit_:
            p.parse_args(["--check-timeout", text])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "--check-timeout" in err and EXPECTED[language] in err
    assert str(refused.value).endswith(f"{text!r}" if text in ("soon", "") else text)  # what was written


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("value", [True, Decimal("NaN"), -1, [60]])
def test_a_wrong_limit_from_a_file_or_the_api_is_refused(value: object, language: str,
                                                          registry: parrules.Registry) -> None:
    with parrules.speaking(language=language):
        with pytest.raises(ValueError, match=re.escape(EXPECTED[language])):
            check_timeout_seconds(value)
        with pytest.raises(ValueError, match=re.escape(EXPECTED[language])):
            parrules.score_many(_set(registry), [build_submission("U1")], check_timeout=value,  # type: ignore[arg-type]
                               language=language)  # the run speaks its own language
