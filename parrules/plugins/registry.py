"""Finding, loading and validating plugins; the registry of rule kinds, checks, report formats and
commands they provide.

Built-in rules, checks, report formats and commands are plugins too (`DEFAULT_PLUGINS`), registered
through the same hooks as a province's own package found through the ``parrules`` entry-point group.
A plugin that fails to import, or registers something invalid or a name another plugin took, is
reported in `Registry.failures` and skipped, never fatal. ``PARRULES_PLUGINS`` limits which installed
plugins load (comma-separated entry-point names; empty loads none); ``PARRULES_TRACE=1`` prints every
hook call.

Each hook is called when what it registers is first looked at, not when the registry is made:
`parrules --help` needs the commands only, so it neither imports the built-in rules, checks and
report formats nor checks any parameter JSON Schema (which needs jsonschema); a set's rule kinds are
collected, and their schemas checked, when the set is loaded, and `parrules plugins` collects
everything. An invalid item is found before anything of its plugin is used for it: the plugin is
then unregistered, whatever it registered through the other hooks is dropped too, and the reason is
in `Registry.failures` (reading `failures` collects every hook first).
"""

from __future__ import annotations

import functools
import importlib
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType, ModuleType
from typing import Any

import pluggy

from parrules.errors import PluginError
from parrules.files.schema_check import well_formed
from parrules.plugins import discovery, hookspecs
from parrules.plugins.contracts import CheckKind, RuleKind
from parrules.plugins.hookspecs import CommandArguments, CommandRun, RenderReport, hookimpl

ENTRY_POINT_GROUP = "parrules"
#: The built-in plugins, by the name results and `parrules plugins` show (kept stable, since published
#: provenance names them), and the module of each.
DEFAULT_PLUGINS: Mapping[str, str] = MappingProxyType({
    "parrules.builtin_rules": "parrules.builtins.rules",
    "parrules.builtin_checks": "parrules.builtins.checks",
    "parrules.builtin_reports": "parrules.builtins.reports",
    "parrules.builtin_commands": "parrules.builtins.commands",
})
#: The hook each built-in plugin implements: its module is imported when that hook is first called.
BUILTIN_HOOKS: Mapping[str, str] = MappingProxyType({
    "parrules.builtin_rules": "register_rule_kinds",
    "parrules.builtin_checks": "register_checks",
    "parrules.builtin_reports": "register_report_formats",
    "parrules.builtin_commands": "register_commands",
})
_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
_COMMAND_NAME = re.compile(r"^[a-z][a-z0-9]*([-_][a-z0-9]+)*$")  # typed in a shell: no dots
_SUFFIX = re.compile(r"^\.[A-Za-z0-9]+(\.[A-Za-z0-9]+)*$")


@dataclass(frozen=True, slots=True, eq=False)
class ReportFormat:
    """A report people read, rendered from the campaign data: `render(data, *, vietnamese)` → bytes."""

    name: str
    render: RenderReport
    suffix: str
    description: str
    plugin: str = ""
    plugin_version: str = ""


@dataclass(frozen=True, slots=True, eq=False)
class Command:
    """A `parrules` subcommand: `arguments(parser)` adds its options, `run(args)` returns the exit code."""

    name: str
    run: CommandRun
    help: str
    arguments: CommandArguments | None = None
    plugin: str = ""
    plugin_version: str = ""

    @property
    def description(self) -> str:
        return self.help


@dataclass(frozen=True)
class PluginInfo:
    name: str
    version: str
    builtin: bool
    hooks: tuple[str, ...]
    rule_kinds: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()
    report_formats: tuple[str, ...] = ()
    commands: tuple[str, ...] = ()


@dataclass(frozen=True)
class PluginFailure:
    name: str
    error: str


@functools.cache
def parrules_version() -> str:
    """The installed parrules' version, stamped on results and shown for the built-in plugins."""
    return discovery.version("parrules") or "0.0.0+source"  # None: running from a source tree


def _builtin(name: str, module: str, hook: str) -> object:
    """A built-in plugin that imports its module when its hook is called (`parrules --help` calls
    only `register_commands`); pluggy sees the one hook the module implements."""

    def call(self: object, register: Callable[..., Any]) -> None:
        getattr(importlib.import_module(module), hook)(register)

    call.__name__ = call.__qualname__ = hook
    return type(name.rpartition(".")[2], (), {hook: hookimpl(call), "__module__": module})()


def __getattr__(name: str) -> ModuleType:
    """`metadata`: importlib.metadata, imported only when asked for (see `parrules.plugins.discovery`);
    tests replace its `entry_points` through this name."""
    if name == "metadata":
        return importlib.import_module("importlib.metadata")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass
class Registry:
    """A plugin manager plus the rule kinds, checks, report formats and commands its plugins registered.

    `Registry()` loads the built-ins and installed plugins; `Registry(entry_points=False)` only the
    built-ins, which is what tests use before adding one plugin with `add_plugin`. What each hook
    registers is collected when first looked at (see the module's docstring).
    """

    entry_points: bool = True
    builtins: bool = True
    manager: pluggy.PluginManager = field(init=False)
    _items: dict[str, dict[str, Any]] = field(init=False, default_factory=dict)  # attribute → name → item
    _failures: list[PluginFailure] = field(init=False, default_factory=list)
    _versions: dict[str, str] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.manager = pluggy.PluginManager("parrules")
        self.manager.add_hookspecs(hookspecs)
        if os.environ.get("PARRULES_TRACE"):
            self.manager.add_hookcall_monitoring(_trace_before, _trace_after)
        if self.builtins:
            for name, module_name in DEFAULT_PLUGINS.items():
                self.manager.register(_builtin(name, module_name, BUILTIN_HOOKS[name]), name=name)
                self._versions[name] = parrules_version()
        if self.entry_points:
            self._load_entry_points()
        self._traced()

    def _traced(self) -> None:
        """Under PARRULES_TRACE every hook is called at once, so the trace shows every plugin's calls."""
        if os.environ.get("PARRULES_TRACE"):
            self._collect_all()

    # -- what the plugins registered, collected when first looked at -----------------------------
    @property
    def rule_kinds(self) -> dict[str, RuleKind]:
        return self._collected("register_rule_kinds")

    @property
    def checks(self) -> dict[str, CheckKind]:
        return self._collected("register_checks")

    @property
    def report_formats(self) -> dict[str, ReportFormat]:
        return self._collected("register_report_formats")

    @property
    def commands(self) -> dict[str, Command]:
        return self._collected("register_commands")

    @property
    def failures(self) -> list[PluginFailure]:
        """Plugins that failed to load or registered something invalid (every hook is collected first)."""
        self._collect_all()
        return self._failures

    # -- loading -------------------------------------------------------------------------------
    def _load_entry_points(self) -> None:
        allowed = os.environ.get("PARRULES_PLUGINS")
        wanted = None if allowed is None else {n.strip() for n in allowed.split(",") if n.strip()}
        for ep in sorted(discovery.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            if wanted is not None and ep.name not in wanted:
                continue
            if self.manager.has_plugin(ep.name):
                continue
            try:
                plugin = ep.load()
                self.manager.register(plugin, name=ep.name)
                self._check_hooks(ep.name)
            except Exception as exc:  # a broken plugin must not take the host down
                self._failures.append(PluginFailure(ep.name, f"{type(exc).__name__}: {exc}"))
                continue
            dist = getattr(ep, "dist", None)
            self._versions[ep.name] = dist.version if dist is not None else "unknown"

    def _check_hooks(self, name: str) -> None:
        """A misspelled hook name is an error of that plugin, not a silent no-op."""
        try:
            self.manager.check_pending()
        except pluggy.PluginValidationError:
            self.manager.unregister(name=name)
            raise

    def add_plugin(self, plugin: object, name: str | None = None, version: str = "test") -> str:
        """Register a plugin object (a module or an instance with hookimpls), e.g. for one test."""
        registered = self.manager.register(plugin, name=name)
        if registered is None:
            raise PluginError(f"plugin {name!r} is already registered")
        try:
            self._check_hooks(registered)
        except pluggy.PluginValidationError as exc:
            raise PluginError(str(exc)) from None
        self._versions[registered] = version
        self._items.clear()  # collected again, with the new plugin in its place in the order
        self._traced()
        return registered

    def remove_plugin(self, name: str) -> None:
        self.manager.unregister(name=name)
        self._versions.pop(name, None)
        self._items.clear()
        self._traced()

    # -- collecting ----------------------------------------------------------------------------
    def _collected(self, hook: str) -> dict[str, Any]:
        attr = _HOOKS[hook][0]
        if attr not in self._items:
            self._collect(hook)
        return self._items[attr]

    def _collect_all(self) -> None:
        for hook in _HOOKS:
            self._collected(hook)

    def _collect(self, hook: str) -> None:
        """Call one hook of every plugin, in order; a plugin with an invalid item loses everything."""
        attr, what, build = _HOOKS[hook]
        collected: dict[str, Any] = {}
        for name, plugin in self._plugins_in_order():
            version = self._versions.get(name, "unknown")
            items: dict[str, Any] = {}
            register = _registrar(build, what, name, version, items, collected)
            others = [p for p in self.manager.get_plugins() if p is not plugin]
            try:
                self.manager.subset_hook_caller(hook, remove_plugins=others)(register=register)
            except Exception as exc:
                self._drop(name, plugin, f"{type(exc).__name__}: {exc}")
                continue
            collected.update(items)
        self._items[attr] = collected

    def _drop(self, name: str, plugin: object, error: str) -> None:
        self.manager.unregister(plugin)
        self._failures.append(PluginFailure(name, error))
        for items in self._items.values():
            for key in [k for k, item in items.items() if item.plugin == name]:
                del items[key]

    def _plugins_in_order(self) -> list[tuple[str, object]]:
        # Built-ins first, then others by name: the same set of plugins always registers in one order.
        pairs = [(self.manager.get_name(p) or "", p) for p in self.manager.get_plugins()]
        return sorted(pairs, key=lambda pair: (pair[0] not in DEFAULT_PLUGINS, pair[0]))

    # -- describing ----------------------------------------------------------------------------
    def plugins(self) -> list[PluginInfo]:
        self._collect_all()
        infos = []
        for name, plugin in self._plugins_in_order():
            hooks = tuple(sorted(c.name for c in self.manager.get_hookcallers(plugin) or []))
            infos.append(
                PluginInfo(
                    name=name,
                    version=self._versions.get(name, "unknown"),
                    builtin=name in DEFAULT_PLUGINS,
                    hooks=hooks,
                    rule_kinds=tuple(sorted(k for k, v in self.rule_kinds.items() if v.plugin == name)),
                    checks=tuple(sorted(k for k, v in self.checks.items() if v.plugin == name)),
                    report_formats=tuple(k for k, v in self.report_formats.items() if v.plugin == name),
                    commands=tuple(k for k, v in self.commands.items() if v.plugin == name),
                )
            )
        return infos


def _make(cls: Any, name: str, func: Callable[..., Any], meta: Mapping[str, Any], plugin: str, version: str,
          *, pattern: re.Pattern[str] = _NAME, described_by: str = "description"):
    if not isinstance(name, str) or not pattern.match(name):
        joined = "'-' or '_'" if pattern is _COMMAND_NAME else "'.' or '_'"
        raise PluginError(f"{plugin}: name {name!r} must be lowercase words joined by {joined}")
    if not callable(func):
        raise PluginError(f"{plugin}: {name!r} was registered with {func!r}, which is not callable")
    if not meta.get(described_by):
        where = "`parrules --help`" if described_by == "help" else "`parrules plugins`"
        raise PluginError(f"{plugin}: {name!r} needs a {described_by} (users see it in {where})")
    try:
        item = cls(name, func, plugin=plugin, plugin_version=version, **meta)
    except TypeError as exc:
        raise PluginError(f"{plugin}: {name!r}: {exc}") from None
    for attr in ("params_schema", "input_schema"):
        schema = getattr(item, attr, None)
        if schema is None:
            continue
        if not well_formed(schema):  # a plain schema is judged here; jsonschema words what is wrong
            import jsonschema  # only for a schema beyond the plain keywords: never for --help

            try:
                jsonschema.Draft202012Validator.check_schema(schema)
            except jsonschema.SchemaError as exc:
                raise PluginError(f"{plugin}: {name!r}: {attr} is not a valid JSON Schema: {exc.message}") from None
        if attr == "params_schema":
            item = replace(item, params_schema=dict(schema))
    return item


# One builder per hook: (plugin, version, what `register` was called with) → the validated item.
def _rule_kind(plugin: str, version: str, name: str, score: Callable[..., Any], **meta: Any) -> RuleKind:
    return _make(RuleKind, name, score, meta, plugin, version)


def _check(plugin: str, version: str, name: str, evaluate: Callable[..., Any], **meta: Any) -> CheckKind:
    kind = _make(CheckKind, name, evaluate, meta, plugin, version)
    if not kind.metrics:
        raise PluginError(f"check {kind.name!r} declares no metrics")
    return kind


def _report_format(plugin: str, version: str, name: str, render: Callable[..., Any], **meta: Any) -> ReportFormat:
    suffix = meta.get("suffix")
    if not isinstance(suffix, str) or not _SUFFIX.match(suffix):
        raise PluginError(f"{plugin}: report format {name!r} needs a file suffix such as '.html', got {suffix!r}")
    return _make(ReportFormat, name, render, meta, plugin, version)


def _command(plugin: str, version: str, name: str, run: Callable[..., Any], **meta: Any) -> Command:
    command = _make(Command, name, run, meta, plugin, version, pattern=_COMMAND_NAME, described_by="help")
    if command.arguments is not None and not callable(command.arguments):
        raise PluginError(f"{plugin}: command {name!r}: arguments {command.arguments!r} is not callable")
    return command


# hook → the Registry attribute its items go to, what an item is called in messages, its builder
_HOOKS: dict[str, tuple[str, str, Callable[..., Any]]] = {
    "register_rule_kinds": ("rule_kinds", "rule kind", _rule_kind),
    "register_checks": ("checks", "check", _check),
    "register_report_formats": ("report_formats", "report format", _report_format),
    "register_commands": ("commands", "command", _command),
}


def _registrar(build: Callable[..., Any], what: str, plugin: str, version: str, items: dict[str, Any],
               known: Mapping[str, Any]) -> Callable[..., None]:
    """The `register` one plugin's hook receives: builds and validates each item, refuses a taken name."""

    def register(*args: Any, **meta: Any) -> None:
        item = build(plugin, version, *args, **meta)
        if item.name in known or item.name in items:
            raise PluginError(f"{what} {item.name!r} is registered twice")
        items[item.name] = item

    return register


def _trace_before(hook_name: str, hook_impls: Sequence[Any], kwargs: Mapping[str, Any]) -> None:
    """PARRULES_TRACE=1: which plugins a hook call reaches, so a plugin that does nothing is visible."""
    names = ", ".join(impl.plugin_name for impl in hook_impls) or "no plugin"
    sys.stderr.write(f"parrules trace: call {hook_name}({', '.join(kwargs)}) → {names}\n")


def _trace_after(outcome: Any, hook_name: str, hook_impls: Sequence[Any], kwargs: Mapping[str, Any]) -> None:
    error = outcome.exception
    names = ", ".join(impl.plugin_name for impl in hook_impls) or "no plugin"
    result = f"raised {type(error).__name__}: {error}" if error is not None else "done"
    sys.stderr.write(f"parrules trace: {hook_name} → {names}: {result}\n")


_default: Registry | None = None


def default_registry() -> Registry:
    """The process-wide registry, loaded lazily once."""
    global _default
    if _default is None:
        _default = Registry()
    return _default


def names(items: Iterable[str]) -> str:
    return ", ".join(sorted(items)) or "none"
