"""Shared builders: write a criteria set or submission from TOML text into tmp_path."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

import parrules

ROOT = Path(__file__).resolve().parent.parent

SET_HEAD = """
[set]
id = "t"
name = "Bộ tiêu chí thử"
level = "department"
total_points = {total}
"""


@pytest.fixture
def registry() -> parrules.Registry:
    """Only the built-in plugins: tests do not depend on what else is installed."""
    return parrules.Registry(entry_points=False)


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def make_set(write, registry) -> Callable[..., parrules.CriteriaSet]:
    def _make(criteria: str, *, total: str = "10", head: str = "") -> parrules.CriteriaSet:
        text = textwrap.dedent(SET_HEAD.format(total=total)) + textwrap.dedent(head) + textwrap.dedent(criteria)
        return parrules.load_criteria_set(write("set.toml", text), registry)

    return _make


@pytest.fixture
def make_sub(write) -> Callable[..., parrules.Submission]:
    counter = iter(range(10_000))

    def _make(body: str = "", *, code: str = "U1", name: str = "Đơn vị 1") -> parrules.Submission:
        head = f'[unit]\ncode = "{code}"\nname = "{name}"\nkind = "department"\nperiod = 2024\n'
        return parrules.load_submission(write(f"sub{next(counter)}.toml", head + textwrap.dedent(body)))

    return _make
