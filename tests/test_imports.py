"""How the modules depend on each other, read from their code (issue #10).

A name with a leading underscore is its module's own business: another module that imports it (or
reaches it as `module._name`) breaks when the owner changes it, so the owner gives it a public name
first. Modules that import each other at load time (a cycle) work only in the order they happen to be
imported, so each cycle is reported with the imports that make it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Module:
    name: str  # dotted, e.g. parrules.sets.criteria_set
    path: Path
    tree: ast.Module

    @property
    def package(self) -> str:
        return self.name if self.path.name == "__init__.py" else self.name.rpartition(".")[0]

    @property
    def shown(self) -> str:
        return self.path.relative_to(ROOT).as_posix()


def _module_name(path: Path, top: Path) -> str:
    parts = list(path.relative_to(top).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> list[Module]:
    """Every module of parrules/ and of the plugins in plugins/*/, named as Python imports it."""
    found = [(path, ROOT) for path in sorted((ROOT / "parrules").rglob("*.py"))]
    for plugin in sorted(p for p in (ROOT / "plugins").iterdir() if p.is_dir()):
        found += [(path, plugin) for path in sorted(plugin.rglob("*.py"))]
    return [Module(_module_name(path, top), path, ast.parse(path.read_text(encoding="utf-8"), str(path)))
            for path, top in found if "__pycache__" not in path.parts]


MODULES = _modules()
BY_NAME = {m.name: m for m in MODULES}
TOP_LEVEL = {m.name.partition(".")[0] for m in MODULES}


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _imported_from(module: Module, node: ast.ImportFrom) -> str:
    """The absolute name of the module an `from ... import` reads (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    base = module.package.split(".")
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _target(source: str, name: str) -> str:
    """What `from source import name` depends on: the submodule when there is one, else `source`."""
    return f"{source}.{name}" if f"{source}.{name}" in BY_NAME else source


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return None if inner is None else f"{inner}.{node.attr}"
    return None


# -- (a) private names -------------------------------------------------------------------------------
def _private_uses(module: Module) -> Iterator[str]:
    """`from x import _y`, and `x._y` where x is a module of the project, anywhere in the module."""
    aliases: dict[str, str] = {}  # local name -> module of the project it stands for
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.partition(".")[0] in TOP_LEVEL:
                    if alias.asname:
                        aliases[alias.asname] = alias.name
                    else:
                        top = alias.name.partition(".")[0]
                        aliases[top] = top
        elif isinstance(node, ast.ImportFrom):
            source = _imported_from(module, node)
            for alias in node.names:
                if _private(alias.name) and source != module.name:
                    yield f"{module.shown}:{node.lineno}: imports {alias.name} from {source}"
                elif f"{source}.{alias.name}" in BY_NAME:
                    aliases[alias.asname or alias.name] = f"{source}.{alias.name}"
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            dotted = _dotted(node.value)
            if dotted is None:
                continue
            head, _, rest = dotted.partition(".")
            if head not in aliases:
                continue
            target = f"{aliases[head]}.{rest}" if rest else aliases[head]
            if target in BY_NAME and target != module.name:
                yield f"{module.shown}:{node.lineno}: uses {target}.{node.attr}"


def test_no_module_uses_another_modules_private_names():
    found = [use for module in MODULES for use in _private_uses(module)]
    assert not found, (
        "private names used outside their module (give them a public name in the module that owns them):\n  "
        + "\n  ".join(found)
    )


# -- (b) import cycles -------------------------------------------------------------------------------
def _load_time_imports(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """Imports run when the module is loaded: not in functions, not under `if TYPE_CHECKING:`."""
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If):
            if _dotted(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
                yield from _load_time_imports(node.orelse)
            else:
                yield from _load_time_imports(node.body)
                yield from _load_time_imports(node.orelse)
        elif isinstance(node, ast.Try):
            for part in (node.body, *(h.body for h in node.handlers), node.orelse, node.finalbody):
                yield from _load_time_imports(part)
        elif isinstance(node, (ast.With, ast.ClassDef)):
            yield from _load_time_imports(node.body)


def _graph() -> dict[str, dict[str, int]]:
    """parrules module -> {parrules module it imports at load time: line of that import}."""
    graph: dict[str, dict[str, int]] = {}
    for module in MODULES:
        if module.name.partition(".")[0] != "parrules":
            continue
        edges = graph.setdefault(module.name, {})
        for node in _load_time_imports(module.tree.body):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                source = _imported_from(module, node)
                targets = [_target(source, alias.name) for alias in node.names]
            for target in targets:
                if target in BY_NAME and target != module.name:
                    edges.setdefault(target, node.lineno)
    return graph


def _cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """For every module on a cycle, the shortest cycle through it; each cycle once."""
    cycles: list[list[str]] = []
    seen: set[tuple[str, ...]] = set()
    for start in sorted(graph):
        paths = {start: [start]}
        queue = [start]
        cycle = None
        while queue and cycle is None:
            current = queue.pop(0)
            for nxt in sorted(graph.get(current, {})):
                if nxt == start:
                    cycle = paths[current]
                    break
                if nxt not in paths:
                    paths[nxt] = [*paths[current], nxt]
                    queue.append(nxt)
        if cycle is None:
            continue
        first = cycle.index(min(cycle))
        key = tuple(cycle[first:] + cycle[:first])
        if key not in seen:
            seen.add(key)
            cycles.append(list(key))
    return cycles


def _describe(cycle: list[str], graph: dict[str, dict[str, int]]) -> str:
    hops = [f"{BY_NAME[a].shown}:{graph[a][b]} imports {b}" for a, b in zip(cycle, [*cycle[1:], cycle[0]])]
    return " → ".join([*cycle, cycle[0]]) + "\n      " + "\n      ".join(hops)


def test_no_import_cycles_among_parrules_modules():
    graph = _graph()
    cycles = _cycles(graph)
    assert not cycles, "modules that import each other when loaded:\n  " + "\n  ".join(
        _describe(cycle, graph) for cycle in cycles)


def test_the_checks_see_what_they_look_for():
    """The two tests above would pass on a tree they cannot read: make sure they read this one."""
    assert {"parrules", "parrules.sets.criteria_set", "parrules.sets.tailoring"} <= set(BY_NAME)
    assert any(name.startswith("parrules_") for name in BY_NAME)
    assert "parrules.files.reading" in _graph()["parrules.sets.criteria_set"]
    sample = Module("parrules.sets.sample", ROOT / "parrules" / "sets" / "sample.py", ast.parse(
        "from parrules.amounts import _hidden\nfrom ..files import writing\nwriting._internal()\n"
        "import parrules.files.reading as reading\nreading._split_path('a')\nfrom . import codes\nx = codes.CODE\n"))
    assert [use.split(": ", 1)[1] for use in _private_uses(sample)] == [
        "imports _hidden from parrules.amounts", "uses parrules.files.writing._internal",
        "uses parrules.files.reading._split_path"]
    assert _cycles({"a": {"b": 1}, "b": {"c": 2}, "c": {"a": 3}, "d": {"a": 4}}) == [["a", "b", "c"]]


def test_tests_mirror_the_package_layout():
    """Each package of parrules has its tests in the folder of the same name under tests/, and no
    folder under tests/ names a package that does not exist."""
    packages = {p.parent.name for p in (ROOT / "parrules").glob("*/__init__.py")}
    folders = {p.parent.name for p in (ROOT / "tests").glob("*/__init__.py")}
    assert folders <= packages, f"tests/ folders with no package of that name: {sorted(folders - packages)}"
    untested = sorted(name for name in packages - folders if name not in {"schemas"})
    assert not untested, f"packages with no tests/<name>/ folder: {untested}"
