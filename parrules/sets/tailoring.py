"""Tailoring: a set that `extends` another and changes only what differs.

A province adapts the ministry's set every year (a different maximum here, a local criterion there, a
criterion that does not apply to its departments). Copying 600 lines and editing them loses track of
what was changed and silently misses the ministry's next correction; a tailored file holds only the
differences:

    extends = "../central/par-departments-2024.toml"   # relative to this file
    remove = ["1.4"]                 # criteria (and their sub-criteria) dropped
    not_applicable = ["2.3"]         # do not apply here: N/A for every unit unless answered or appraised

    [set]                            # keys here replace the base's keys
    id = "dak-nong-departments-2024"

    [criteria."2.1"]                 # override: keys replace the base's keys of an existing code
    max_points = 5

    [add."2.4"]                      # a local criterion the base does not have
    name = "..."

The merged data is then validated exactly like any set (maxima must add up after tailoring). Every
key of the merged data remembers the file and line it came from, so a problem points at the file a
clerk has to edit, and the content hash covers every file of the chain.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from parrules.errors import Problem, ProblemsError, did_you_mean, key_path
from parrules.files.digest import sha256_digest
from parrules.files.reading import InputDocument, LineIndex, nesting_problem, nfc, path_problem, read_document
from parrules.messages import say
from parrules.sets.codes import defined_twice
from parrules.sets.model import CORE_CRITERION_KEYS
from parrules.sets.validation import unknown_key

MAX_CHAIN = 32
"""Sets a tailored set may stand on, one extending the next: far beyond any real chain (ministry →
province → department is 3), and each is merged in turn, so a generated chain of thousands stops here."""

EXTENDING_KEYS = ("extends", "set", "criteria", "add", "remove", "not_applicable")
_CHECK_KEYS = ("metric", "check_params")


class OriginIndex(LineIndex):
    """Line index of merged data: every key path knows the file and the line that set it."""

    def __init__(self) -> None:
        super().__init__()
        self._files: dict[tuple[str, ...], str] = {}
        self._rendered: dict[str, tuple[str, int | None]] = {}

    def add(self, path: tuple[object, ...], file: str, line: int | None) -> None:
        keys = tuple(nfc(str(p)) for p in path)
        self._files[keys] = file
        if line is not None:
            self._lines[keys] = line
        else:
            self._lines.pop(keys, None)
        self._rendered[key_path(*(p if isinstance(p, int) else nfc(str(p)) for p in path))] = (file, line)

    def drop(self, prefix: tuple[object, ...]) -> None:
        start = tuple(nfc(str(p)) for p in prefix)
        for keys in [k for k in self._files if k[: len(start)] == start]:
            del self._files[keys]
            self._lines.pop(keys, None)
        head = key_path(*start)
        for rendered in [r for r in self._rendered if _is_prefix(head, r)]:
            del self._rendered[rendered]

    def copy(self) -> OriginIndex:
        twin = OriginIndex()
        twin._lines = dict(self._lines)
        twin._files = dict(self._files)
        twin._rendered = dict(self._rendered)
        return twin

    def relocate(self, problem: Problem, default_file: str) -> Problem:
        """Point a problem found in the merged data at the file (and line) that holds the key."""
        if problem.file != default_file:
            return problem  # found while reading a file, already precise
        best: tuple[str, int | None] | None = None
        best_len = -1
        for rendered, origin in self._rendered.items():
            if len(rendered) > best_len and _is_prefix(rendered, problem.path):
                best, best_len = origin, len(rendered)
        if best is None:
            return problem
        file, line = best
        return replace(problem, file=file, line=problem.line if problem.line is not None else line)


def _is_prefix(prefix: str, path: str) -> bool:
    return path == prefix or (path.startswith(prefix) and path[len(prefix)] in ".[")


@dataclass(frozen=True)
class Resolved:
    """The merged data of a chain of sets, where each key came from, and every file's hash."""

    data: dict[str, Any]
    origins: OriginIndex
    sources: tuple[tuple[str, str], ...]
    raw: bytes
    #: problems of the tailoring itself, kept so validation of the merged set still reports the rest
    problems: tuple[Problem, ...] = ()


def is_tailored(data: Mapping[str, Any]) -> bool:
    return "extends" in data


def resolve(document: InputDocument) -> Resolved:
    """Merge a set with the chain of sets it extends; raise `ProblemsError` with every problem."""
    resolved = merge_chain(document)
    if resolved.problems:
        raise ProblemsError(list(resolved.problems))
    return resolved


def merge_chain(document: InputDocument) -> Resolved:
    """Merge a set with the chain of sets it extends, keeping the tailoring's own problems in
    `problems` so that validating the merged data reports the rest in the same run; only what
    leaves nothing to merge (a base that is missing or extends this set) is raised."""
    return _resolve(document, ())


def _plain(document: InputDocument) -> Resolved:
    codes = document.data.get("criteria")
    if isinstance(codes, dict):
        seen: dict[str, str] = {}
        problems = []
        for raw_code in codes:
            code = nfc(str(raw_code).strip())
            if code in seen:
                problems.append(Problem(document.label, key_path("criteria", raw_code),
                                        defined_twice(code, str(raw_code), seen[code]),
                                        line=document.lines.line("criteria", raw_code),
                                        hint=say("problem.code.twice_hint"), code="duplicate"))
            seen[code] = str(raw_code)
        if problems:
            raise ProblemsError(problems)
    origins = OriginIndex()
    for path in _paths(document.data):
        origins.add(path, document.label, document.lines.line(*path))
    return Resolved(_normalised(document.data), origins, ((document.label, sha256_digest(document.raw)),),
                    document.raw)


def _normalised(data: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(data)
    if isinstance(out.get("criteria"), dict):
        out["criteria"] = {nfc(str(code).strip()): table for code, table in out["criteria"].items()}
    return out


def _paths(value: Any, prefix: tuple[object, ...] = ()) -> Iterator[tuple[object, ...]]:
    """Every key path of a parsed document, tables and list items included."""
    if prefix:
        yield prefix
    if isinstance(value, Mapping):
        for key, inner in value.items():
            yield from _paths(inner, (*prefix, str(key)))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            if isinstance(inner, (Mapping, list)):
                yield from _paths(inner, (*prefix, i))


class _Merge:
    def __init__(self, document: InputDocument, chain: tuple[Path, ...]) -> None:
        self.doc = document
        self.file = document.label
        self.chain = chain
        self.problems: list[Problem] = []

    def problem(self, path: tuple[object, ...], message: str, hint: str | None = None,
                code: str = "tailoring") -> None:
        self.problems.append(Problem(self.file, key_path(*path), message, line=self.doc.lines.line(*path),
                                     hint=hint, code=code))

    def base(self) -> Resolved | None:
        extends = self.doc.data["extends"]
        if not isinstance(extends, str) or not extends.strip():
            self.problem(("extends",), say("problem.tailoring.extends_type", value=repr(extends)),
                         hint=say("problem.tailoring.extends_example"))
            return None
        bad = path_problem(extends)
        if bad is not None:
            self.problem(("extends",), say("problem.tailoring.extends_bad_path", why=bad),
                         hint=say("problem.tailoring.relative"), code="bad_path")
            return None
        here = self.doc.path.resolve()
        target = (here.parent / extends).resolve()
        if target == here or target in self.chain:
            loop = " → ".join(p.name for p in (*self.chain, here, target))
            self.problem(("extends",), say("problem.tailoring.cycle", loop=loop),
                         hint=say("problem.tailoring.cycle_hint"), code="cycle")
            return None
        if len(self.chain) >= MAX_CHAIN:
            self.problem(("extends",), say("problem.tailoring.too_long", n=MAX_CHAIN),
                         hint=say("problem.tailoring.too_long_hint"), code="too_deep")
            return None
        if not target.is_file():
            self.problem(("extends",), say("problem.tailoring.missing_base", base=extends, target=target),
                         hint=say("problem.tailoring.relative"), code="missing_base")
            return None
        base_doc = read_document(target, what=say("problem.what.base_set"))
        return _resolve(base_doc, (*self.chain, here))

    def merge(self, base: Resolved) -> Resolved:
        data = self.doc.data
        origins = base.origins.copy()
        for key in data:
            if key not in EXTENDING_KEYS:
                self.problems.append(unknown_key(self.file, (), key, EXTENDING_KEYS, self.doc.lines))
        merged_set = dict(base.data.get("set") or {})
        own_set = data.get("set", {})
        if not isinstance(own_set, dict):
            self.problem(("set",), say("problem.tailoring.set_not_table"))
            own_set = {}
        for key, value in own_set.items():
            merged_set[key] = value
            origins.drop(("set", key))
            self._mark(origins, ("set", key), value)
        criteria = dict(base.data.get("criteria") or {})
        base_id = (base.data.get("set") or {}).get("id", say("problem.what.base_set"))
        for code, table in self._tables("criteria"):
            if code not in criteria:
                add = say("problem.tailoring.write_add", code=code)
                typo = did_you_mean(code, criteria)
                self.problem(("criteria", code), say("problem.tailoring.override_unknown", code=code, base=base_id),
                             hint=f"{typo} {add}" if typo else add,
                             code="override_unknown")
                continue
            criteria[code] = self._override(criteria[code], table, code, origins)
        for code, table in self._tables("add"):
            if code in criteria:
                self.problem(("add", code), say("problem.tailoring.add_existing", code=code, base=base_id),
                             hint=say("problem.tailoring.write_override", code=code), code="add_existing")
                continue
            criteria[code] = dict(table)
            origins.drop(("criteria", code))
            origins.add(("criteria", code), self.file, self.doc.lines.line("add", code))
            for key, value in table.items():
                self._mark(origins, ("criteria", code, key), value, source=("add", code, key))
        for code in self._codes("remove"):
            if code not in criteria:
                self.problem(("remove",), say("problem.tailoring.remove_unknown", code=code),
                             hint=did_you_mean(code, criteria), code="override_unknown")
                continue
            for other in [c for c in criteria if c == code or c.startswith(code + ".")]:
                del criteria[other]
                origins.drop(("criteria", other))
        for code in self._codes("not_applicable"):
            if code not in criteria:
                self.problem(("not_applicable",), say("problem.tailoring.na_unknown", code=code),
                             hint=did_you_mean(code, criteria),
                             code="override_unknown")
                continue
            for other in [c for c in criteria if c == code or c.startswith(code + ".")]:
                if not any(c.startswith(other + ".") for c in criteria):  # leaves carry allow_na
                    criteria[other] = {**criteria[other], "allow_na": True, "applicable": False}
                    origins.add(("criteria", other, "allow_na"), self.file, self.doc.lines.line("not_applicable"))
        merged = {"set": merged_set, "criteria": criteria}
        sources = ((self.file, sha256_digest(self.doc.raw)), *base.sources)
        raw = self.doc.raw + b"\0extends\0" + base.raw
        return Resolved(merged, origins, sources, raw, (*base.problems, *self.problems))

    def _tables(self, section: str) -> Iterator[tuple[str, dict[str, Any]]]:
        raw = self.doc.data.get(section, {})
        if not isinstance(raw, dict):
            self.problem((section,), say("problem.tailoring.section_tables", section=section))
            return
        seen: set[str] = set()
        for raw_code, table in raw.items():
            code = nfc(str(raw_code).strip())
            if code in seen:
                self.problem((section, raw_code), say("problem.tailoring.code_twice", code=code, section=section),
                             code="duplicate")
                continue
            seen.add(code)
            if not isinstance(table, dict):
                self.problem((section, raw_code), say("problem.tailoring.not_a_table"))
                continue
            yield code, table

    def _codes(self, key: str) -> list[str]:
        raw = self.doc.data.get(key, [])
        if not isinstance(raw, list) or not all(isinstance(c, str) for c in raw):
            self.problem((key,), say("problem.tailoring.codes_list", key=key))
            return []
        return [nfc(c.strip()) for c in raw]

    def _override(self, base: dict[str, Any], table: dict[str, Any], code: str,
                  origins: OriginIndex) -> dict[str, Any]:
        """Keys replace the base's keys; a new rule kind or check drops the old one's parameters."""
        out = dict(base)
        if "rule" in table and table["rule"] != base.get("rule"):
            for key in [k for k in out if k not in CORE_CRITERION_KEYS]:
                del out[key]
                origins.drop(("criteria", code, key))
        if "check" in table and table["check"] != base.get("check"):
            for key in _CHECK_KEYS:
                out.pop(key, None)
                origins.drop(("criteria", code, key))
        for key, value in table.items():
            out[key] = value
            origins.drop(("criteria", code, key))
            self._mark(origins, ("criteria", code, key), value)
        return out

    def _mark(self, origins: OriginIndex, path: tuple[object, ...], value: Any,
              source: tuple[object, ...] | None = None) -> None:
        source = source or path
        origins.add(path, self.file, self.doc.lines.line(*source))
        for sub in _paths(value):
            origins.add((*path, *sub), self.file, self.doc.lines.line(*source, *sub))


def _resolve(document: InputDocument, chain: tuple[Path, ...]) -> Resolved:
    deep = nesting_problem(document.data, document.label, document.lines)
    if deep is not None:  # merging walks every key: one problem, before it
        raise ProblemsError([deep])
    if not is_tailored(document.data):
        return _plain(document)
    merge = _Merge(document, chain)
    base = merge.base()
    if base is None:
        raise ProblemsError(merge.problems)
    return merge.merge(base)

