"""The hook specifications: every way a plugin can extend parrules, in one place.

Hooks follow the register-callback pattern: the hook receives a `register` function and calls it once
per item, so one plugin can add many rule kinds, checks, report formats or commands, and parrules
validates each item as it is registered (its name, its callable, its parameter JSON Schema). Each hook's
`register` is typed by a registrar protocol below, which says exactly what it accepts.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import pluggy

from parrules.plugins.contracts import JSONSchema, Leaf, Measurement, Scored, UnitEvidence

hookspec = pluggy.HookspecMarker("parrules")
hookimpl = pluggy.HookimplMarker("parrules")

Score = Callable[[Leaf, Sequence[Any]], Sequence[Scored]]
Evaluate = Callable[[Sequence[UnitEvidence], Mapping[str, Any]], Mapping[str, Measurement | BaseException]]
CommandArguments = Callable[[argparse.ArgumentParser], None]
CommandRun = Callable[[argparse.Namespace], int]


class RenderReport(Protocol):
    """A report renderer: the campaign data (`CampaignResult.to_dict()` or a campaign JSON read back)
    → the report's bytes; `vietnamese` asks for 83,55 instead of 83.55."""

    def __call__(self, data: Mapping[str, Any], *, vietnamese: bool = False) -> bytes: ...


class RuleKindRegistrar(Protocol):
    """The `register` that `register_rule_kinds` receives."""

    def __call__(self, name: str, score: Score, *, description: str, params_schema: JSONSchema | None = None,
                 input_schema: JSONSchema | None = None, validate: Callable[[Leaf], Sequence[str]] | None = None,
                 needs_input: bool = True, role: str = "base") -> None: ...


class CheckRegistrar(Protocol):
    """The `register` that `register_checks` receives."""

    def __call__(self, name: str, evaluate: Evaluate, *, description: str, metrics: Mapping[str, str],
                 params_schema: JSONSchema | None = None) -> None: ...


class ReportFormatRegistrar(Protocol):
    """The `register` that `register_report_formats` receives."""

    def __call__(self, name: str, render: RenderReport, *, suffix: str, description: str) -> None: ...


class CommandRegistrar(Protocol):
    """The `register` that `register_commands` receives."""

    def __call__(self, name: str, run: CommandRun, *, help: str, arguments: CommandArguments | None = None) -> None: ...


@hookspec
def register_rule_kinds(register: RuleKindRegistrar) -> None:
    """Register scoring rule kinds.

    Call ``register(name, score, *, description, params_schema=None, input_schema=None,
    validate=None, needs_input=True, role="base")`` once per rule kind. ``score(leaf, values)``
    receives a `parrules.Leaf` and one input value per unit and returns one `parrules.Scored` per
    value. See docs/plugins.md.
    """


@hookspec
def register_checks(register: CheckRegistrar) -> None:
    """Register evidence checks.

    Call ``register(name, evaluate, *, description, metrics, params_schema=None)`` once per check.
    ``evaluate(units, params)`` receives every unit's `parrules.UnitEvidence` at once (one pass over
    shared data files) and returns ``{unit_code: Measurement | Exception}``.
    """


@hookspec
def register_report_formats(register: ReportFormatRegistrar) -> None:
    """Register report formats (`parrules report --format NAME`, `parrules campaign --formats`).

    Call ``register(name, render, *, suffix, description)`` once per format. ``render(data, *,
    vietnamese=False)`` receives the campaign data as a dictionary and returns the report's bytes;
    ``suffix`` (".html") names the file `parrules campaign -o DIR` writes.
    """


@hookspec
def register_commands(register: CommandRegistrar) -> None:
    """Register `parrules` subcommands.

    Call ``register(name, run, *, help, arguments=None)`` once per command. ``arguments(parser)`` adds
    the command's options to its `argparse.ArgumentParser`; ``run(args)`` receives the parsed
    `argparse.Namespace` and returns the exit code (0 success, 1 problems in the data, 2 wrong usage).
    """
