"""Loading a criteria set: parse, validate everything, and build the typed, frozen tree.

Validation happens before any scoring and reports every problem of the file in one run: syntax,
unknown keys, types, codes (format, duplicates after NFC, orphans), children that do not add up to
their parent, rule and check parameters, and rule kinds or checks that no installed plugin provides.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from parrules.amounts import ZERO, gaps, overlapping, plain, quantum, to_decimal
from parrules.errors import Problem, ProblemsError, did_you_mean, key_path
from parrules.files.digest import sha256_digest
from parrules.files.reading import InputDocument, nesting_problem, nfc, read_document, toml_document
from parrules.messages import say
from parrules.plugins.contracts import CheckKind, Leaf, RuleKind
from parrules.plugins.registry import Registry, default_registry
from parrules.sets.codes import MAX_LEVELS, code_problem, code_sort_key, defined_twice, parent_code
from parrules.sets.model import CORE_CRITERION_KEYS, CriterionSpec, SetMeta
from parrules.sets.tailoring import merge_chain
from parrules.sets.validation import schema_problems, unknown_key, validate_model

_TOP_KEYS = ("set", "criteria")


@dataclass(frozen=True)
class Node:
    """A field, criterion or sub-criterion as the engine uses it."""

    code: str
    name: str
    max_points: Decimal
    parent: str | None
    children: tuple[str, ...]
    depth: int
    role: str
    spec: CriterionSpec
    rule: RuleKind | None = None
    check: CheckKind | None = None
    metric: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def leaf(self) -> Leaf:
        return Leaf(self.code, self.name, self.max_points, self.params)


@dataclass(frozen=True)
class CriteriaSet:
    """A validated criteria set: metadata plus the tree in official order."""

    meta: SetMeta
    nodes: Mapping[str, Node]
    roots: tuple[str, ...]
    leaves: tuple[str, ...]
    content_hash: str
    path: Path | None = None
    #: every file the set was read from (a tailored set and the sets it extends) with its hash
    sources: tuple[tuple[str, str], ...] = ()

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def leaves_set(self) -> frozenset[str]:
        """The leaf codes as a set, for membership tests over many submissions."""
        return frozenset(self.leaves)

    def walk(self) -> Iterator[Node]:
        """Every node, depth first, in official order."""
        return _walk(self.nodes, self.roots)

    def rule_kinds_used(self) -> set[RuleKind]:
        return {n.rule for n in self.nodes.values() if n.rule is not None}

    def checks_used(self) -> set[CheckKind]:
        return {n.check for n in self.nodes.values() if n.check is not None}


def load_criteria_set(path: str | Path, registry: Registry | None = None) -> CriteriaSet:
    """Read and validate a criteria-set TOML file; raise `ProblemsError` listing every problem."""
    document = read_document(path, what=say("problem.what.criteria_set"))
    if "extends" in document.data:
        return build_tailored(document, registry)
    return build_criteria_set(document, registry)


def criteria_set_from_text(text: str, registry: Registry | None = None, name: str = "<text>") -> CriteriaSet:
    """Build a set from TOML text, e.g. one a web app received from a form."""
    document = toml_document(text, Path(name))
    if "extends" in document.data:  # the base path is relative to the current directory
        return build_tailored(document, registry)
    return build_criteria_set(document, registry)


def build_criteria_set(document: InputDocument, registry: Registry | None = None) -> CriteriaSet:
    """Validate parsed set data and build the set; raise `ProblemsError` listing every problem."""
    deep = nesting_problem(document.data, document.label, document.lines)
    if deep is not None:  # every walk below would go as deep: one problem, before any of them
        raise ProblemsError([deep])
    registry = registry or default_registry()
    builder = _Builder(document, registry)
    return builder.build()


def build_tailored(document: InputDocument, registry: Registry | None = None) -> CriteriaSet:
    """Resolve and validate a tailored set; problems name the file of the chain that holds the key."""
    resolved = merge_chain(document)
    merged = InputDocument(document.path, resolved.data, resolved.raw, resolved.origins)
    try:
        built = build_criteria_set(merged, registry)
    except ProblemsError as exc:
        found = [resolved.origins.relocate(p, merged.label) for p in exc.problems]
        raise ProblemsError([*resolved.problems, *found]) from None
    if resolved.problems:
        raise ProblemsError(list(resolved.problems))
    return replace(built, sources=resolved.sources)


class _Builder:
    def __init__(self, document: InputDocument, registry: Registry) -> None:
        self.doc = document
        self.file = document.label
        self.lines = document.lines
        self.registry = registry
        self.problems: list[Problem] = []
        # codes whose table has problems of its own: the tree around them is not judged again, so one
        # typo gives one message, not three (orphan children, a parent "without rule", a wrong sum)
        self.failed: set[str] = set()
        # key paths of numbers no PAR figure can be (NaN, ∞, 1e400): said once, by `_figures`
        self.refused: set[str] = set()

    def problem(self, path: tuple[object, ...], message: str, hint: str | None = None, code: str = "invalid") -> None:
        self.problems.append(
            Problem(self.file, key_path(*path), message, line=self.lines.line(*path), hint=hint, code=code)
        )

    def build(self) -> CriteriaSet:
        data = self._figures(self.doc.data)
        for key in data:
            if key not in _TOP_KEYS:
                self.problems.append(unknown_key(self.file, (), key, _TOP_KEYS, self.lines))
        meta = self._meta(data.get("set"))
        if any(path == "set" or path.startswith(("set.", "set[")) for path in self.refused):
            meta = None  # its figures are not known: nothing is judged against them
        specs = self._specs(data.get("criteria"))
        nodes, roots = self._tree(specs, meta)
        if nodes:  # sums are checked even when [set] has problems: all mistakes in one run
            self._check_sums(nodes, roots, meta)
            if meta is not None:
                self._check_maxima_decimals(nodes, meta)
        if meta is not None:
            self._check_bands(meta)
        if self.problems:
            raise ProblemsError([p for p in self.problems if p.code == "not_a_figure" or p.path not in self.refused])
        assert meta is not None
        leaves = tuple(node.code for node in _walk(nodes, roots) if not node.children)
        digest = sha256_digest(self.doc.raw)
        return CriteriaSet(meta, nodes, roots, leaves, digest, self.doc.path, ((self.doc.label, digest),))

    # -- numbers -------------------------------------------------------------------------------
    def _figures(self, data: dict[str, Any]) -> dict[str, Any]:
        """`data` with every number no PAR figure can be (NaN, ∞, beyond 10^16, finer than 10^-20)
        reported and replaced by None.

        A set's numbers (maxima, caps, floors, thresholds, band limits, shares, check parameters) all
        go through `amounts.to_decimal`, the one number path of parrules; the None left in place
        makes the later checks see a value of the wrong type, whose message at the same key is
        dropped (`build`), and never a NaN that a comparison in a schema or a rule would trip on.
        """
        refused: list[tuple[tuple[object, ...], str]] = []
        _refuse_numbers(data, (), refused)
        for path, reason in refused:
            self.problem(path, reason, hint=say("problem.figure.hint"), code="not_a_figure")
            self.refused.add(key_path(*path))
            data = _replaced(data, path)
        return data

    # -- sections ------------------------------------------------------------------------------
    def _meta(self, raw: Any) -> SetMeta | None:
        if raw is None:
            self.problem(("set",), say("problem.set.no_meta"), hint=say("problem.set.no_meta_hint"))
            return None
        model = validate_model(SetMeta, raw, file=self.file, prefix=("set",), lines=self.lines,
                               problems=self.problems)
        return model  # type: ignore[return-value]

    def _specs(self, raw: Any) -> dict[str, CriterionSpec]:
        if not isinstance(raw, dict) or not raw:
            self.problem(("criteria",), say("problem.set.no_criteria"))
            return {}
        specs: dict[str, CriterionSpec] = {}
        seen: dict[str, str] = {}
        too_deep: list[str] = []
        for raw_code, table in raw.items():
            code = nfc(raw_code.strip())
            path = ("criteria", raw_code)
            bad = code_problem(code)
            if bad is not None:
                self.failed.add(code)  # its parent's missing rule is this problem, not another one
                if code.count(".") >= MAX_LEVELS:
                    too_deep.append(raw_code)
                else:
                    self.problem(path, bad, code="code")
                continue
            if code in seen:
                self.problem(path, defined_twice(code, raw_code, seen[code]), hint=say("problem.code.twice_hint"),
                             code="duplicate")
                continue
            seen[code] = raw_code
            if not isinstance(table, dict):
                self.problem(path, say("problem.set.not_a_table"))
                continue
            spec = validate_model(CriterionSpec, table, file=self.file, prefix=path, lines=self.lines,
                                  problems=self.problems)
            if spec is not None:
                specs[code] = spec  # type: ignore[assignment]
            else:
                self.failed.add(code)
                self._loose_keys(path, table)
        if too_deep:  # a generated set may hold thousands: one problem says it, at the first
            first = too_deep[0]
            more = say("problem.code.more_too_deep", n=len(too_deep) - 1, levels=MAX_LEVELS) if len(too_deep) > 1 else ""
            self.problems.append(Problem(self.file, key_path("criteria", first[:60] + "…"),
                                         f"{code_problem(nfc(first.strip()))}{more}",
                                         line=self.lines.line("criteria", first),
                                         hint=say("problem.code.too_deep_hint"), code="too_deep"))
        return specs

    def _loose_keys(self, path: tuple[object, ...], table: dict[str, Any]) -> None:
        """Keys of a criterion that failed validation: report typos and unknown rules all the same."""
        rule = self.registry.rule_kinds.get(table.get("rule")) if isinstance(table.get("rule"), str) else None
        if isinstance(table.get("rule"), str) and rule is None:
            self.problem((*path, "rule"), say("problem.set.unknown_rule", rule=table["rule"]),
                         hint=did_you_mean(table["rule"], self.registry.rule_kinds), code="unknown_rule")
        allowed = set(CORE_CRITERION_KEYS) | set(rule.params_schema.get("properties", {}) if rule else ())
        for key in table:
            if key not in allowed:
                self.problems.append(unknown_key(self.file, path, key, allowed, self.lines))

    # -- the tree ------------------------------------------------------------------------------
    def _tree(self, specs: dict[str, CriterionSpec], meta: SetMeta | None) -> tuple[dict[str, Node], tuple[str, ...]]:
        children: dict[str, list[str]] = {code: [] for code in specs}
        roots: list[str] = []
        for code in specs:
            parent = parent_code(code)
            if parent is None:
                roots.append(code)
            elif parent in self.failed:
                continue
            elif parent in specs:
                children[parent].append(code)
            else:
                self.problem(("criteria", code), say("problem.set.orphan", code=code, parent=parent),
                             hint=say("problem.set.orphan_hint", parent=parent), code="orphan")
        nodes: dict[str, Node] = {}
        for root in sorted(roots, key=code_sort_key):
            role = specs[root].role or "base"
            self._add(root, specs, children, nodes, role, 0)
        return nodes, tuple(sorted(roots, key=code_sort_key))

    def _add(self, code: str, specs: dict[str, CriterionSpec], children: dict[str, list[str]],
             nodes: dict[str, Node], role: str, depth: int) -> None:
        spec = specs[code]
        path = ("criteria", code)
        kids = tuple(sorted(children[code], key=code_sort_key))
        if depth > 0 and spec.role is not None:
            self.problem((*path, "role"), say("problem.set.role_below_top"))
        extras = {k: v for k, v in (spec.model_extra or {}).items()}
        rule = check = metric = None
        if kids:
            for key in ("rule", "check"):
                if getattr(spec, key):
                    self.problem((*path, key), say("problem.set.parent_scored", code=code, key=key))
            for key in extras:
                self.problems.append(unknown_key(self.file, path, key, CORE_CRITERION_KEYS, self.lines))
        else:
            rule = self._rule(code, spec, extras, role)
            check, metric = self._check(code, spec)
            if rule is not None and not rule.needs_input and check is not None:
                self.problem((*path, "check"), say("problem.set.appraisers_only_check", rule=rule.name))
        nodes[code] = Node(code, spec.name, spec.max_points, parent_code(code), kids, depth, role, spec,
                           rule, check, metric, extras if rule else {})
        for kid in kids:
            self._add(kid, specs, children, nodes, role, depth + 1)

    def _rule(self, code: str, spec: CriterionSpec, params: dict[str, Any], role: str) -> RuleKind | None:
        path = ("criteria", code)
        if spec.rule is None and any(parent_code(c) == code for c in self.failed):
            return None
        if spec.rule is None:
            self.problem(path, say("problem.set.no_rule", code=code),
                         hint=say("problem.set.no_rule_hint", rules=", ".join(sorted(self.registry.rule_kinds))),
                         code="no_rule")
            return None
        rule = self.registry.rule_kinds.get(spec.rule)
        if rule is None:
            self.problem((*path, "rule"), say("problem.set.unknown_rule", rule=spec.rule),
                         hint=did_you_mean(spec.rule, self.registry.rule_kinds)
                         or say("problem.set.unknown_rule_hint"), code="unknown_rule")
            return None
        if rule.role != role:
            self.problem((*path, "rule"), say("problem.set.wrong_role", rule=rule.name, code=code,
                                              rule_role=say(f"problem.role.{rule.role}"), role=say(f"problem.role.{role}")),
                         hint=say("problem.set.wrong_role_hint", role=rule.role))
        found = schema_problems(params, rule.params_schema, file=self.file, prefix=path, lines=self.lines,
                                known_extra=CORE_CRITERION_KEYS, what=say("problem.set.rule_prefix", rule=rule.name))
        self.problems.extend(found)
        if not found and rule.validate is not None:
            leaf = Leaf(code, spec.name, spec.max_points, params)
            try:
                messages = list(rule.validate(leaf))
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # a validator that trips (or exits) says so, never a traceback
                messages = [say("problem.set.params_unchecked", error=exc)]
            for message in messages:
                self.problem((*path, *_named_parameter(message, params)),
                             say("problem.set.rule_prefix", rule=rule.name) + message, code="rule_params")
        return rule

    def _check(self, code: str, spec: CriterionSpec) -> tuple[CheckKind | None, str | None]:
        path = ("criteria", code)
        if spec.check is None:
            if spec.metric is not None:
                self.problem((*path, "metric"), say("problem.set.metric_without_check"),
                             hint=say("problem.set.metric_without_check_hint"))
            return None, None
        check = self.registry.checks.get(spec.check)
        if check is None:
            self.problem((*path, "check"), say("problem.set.unknown_check", check=spec.check),
                         hint=did_you_mean(spec.check, self.registry.checks) or say("problem.set.unknown_check_hint"),
                         code="unknown_check")
            return None, None
        metric = spec.metric
        if metric is None:
            if len(check.metrics) != 1:
                self.problem(path, say("problem.set.several_metrics", check=check.name),
                             hint=", ".join(check.metrics))
                return None, None
            metric = next(iter(check.metrics))
        elif metric not in check.metrics:
            self.problem((*path, "metric"), say("problem.set.no_such_metric", check=check.name, metric=metric),
                         hint=did_you_mean(metric, check.metrics)
                         or say("problem.set.metrics", metrics=", ".join(check.metrics)))
            return None, None
        self.problems.extend(
            schema_problems(spec.check_params, check.params_schema, file=self.file,
                            prefix=(*path, "check_params"), lines=self.lines,
                            what=say("problem.set.check_prefix", check=check.name))
        )
        return check, metric

    # -- sums and bands ------------------------------------------------------------------------
    def _check_sums(self, nodes: dict[str, Node], roots: tuple[str, ...], meta: SetMeta | None) -> None:
        for node in nodes.values():
            if not node.children or node.role != "base" or any(parent_code(c) == node.code for c in self.failed):
                continue
            total = sum((nodes[c].max_points for c in node.children), ZERO)
            if total != node.max_points:
                kids = " + ".join(plain(nodes[c].max_points) for c in node.children)
                self.problem(("criteria", node.code, "max_points"),
                             say("problem.set.children_sum", code=node.code, total=plain(total), kids=kids,
                                 max=plain(node.max_points)),
                             hint=say("problem.set.children_sum_hint"), code="sum")
        base = sum((nodes[r].max_points for r in roots if nodes[r].role == "base"), ZERO)
        roots_failed = any(parent_code(c) is None for c in self.failed)
        if meta is not None and base != meta.total_points and not roots_failed:
            self.problem(("set", "total_points"),
                         say("problem.set.fields_sum", total=plain(base), max=plain(meta.total_points)),
                         hint=say("problem.set.fields_sum_hint"), code="sum")

    def _check_maxima_decimals(self, nodes: dict[str, Node], meta: SetMeta) -> None:
        """A leaf's maximum must be a figure the set's rounding can write: with decimals = 0, a maximum
        of 0.25 would be published as 0 or 1, and points rounded up at the leaf would exceed it."""
        decimals = meta.rounding.decimals
        step = quantum(decimals)
        for node in nodes.values():
            if node.children or node.code in self.failed or node.max_points % step == 0:
                continue
            self.problem(("criteria", node.code, "max_points"),
                         say("problem.set.max_decimals", max=plain(node.max_points), decimals=decimals),
                         hint=say("problem.set.max_decimals_hint", decimals=decimals),
                         code="max_decimals")

    def _check_bands(self, meta: SetMeta) -> None:
        bands = meta.bands
        for i, band in enumerate(bands):
            if band.from_ is not None and band.below is not None and band.from_ >= band.below:
                self.problem(("set", "bands", i), say("problem.band.empty", band=band.code, start=plain(band.from_),
                                                      end=plain(band.below)))
        for first, second in overlapping(bands, lambda b: (b.from_, b.below)):
            self.problem(("set", "bands"), say("problem.band.overlap", first=first.code, second=second.code),
                         hint=say("problem.band.overlap_hint"))
        for first, second in gaps(bands, lambda b: (b.from_, b.below)):
            end, start = plain(first.below or ZERO), plain(second.from_ or ZERO)  # gaps lie between two bounds
            self.problem(("set", "bands"), say("problem.band.gap", end=end, start=start, first=first.code,
                                               second=second.code),
                         hint=say("problem.band.gap_hint", end=end, start=start, first=first.code, second=second.code),
                         code="band_gap")
        codes = [b.code for b in bands]
        for code in {c for c in codes if codes.count(c) > 1}:
            self.problem(("set", "bands"), say("problem.band.twice", band=code))


def _named_parameter(message: str, params: Mapping[str, Any]) -> tuple[object, ...]:
    """Where a rule's parameter message points: at the parameter it begins with ("bands[2] is worth…"
    → bands[2], "cap must be above 0" → cap), so the clerk sees the key and its line; else at `rule`."""
    end = 0
    while end < len(message) and (message[end].isalnum() or message[end] == "_"):
        end += 1
    name = message[:end]
    if name not in params:
        return ("rule",)
    rest = message[end:]
    if rest.startswith("[") and "]" in rest:
        index = rest[1:rest.index("]")]
        if index.isdigit() and isinstance(params[name], list) and int(index) < len(params[name]):
            return (name, int(index))
    return (name,)


def _refuse_numbers(value: Any, path: tuple[object, ...], found: list[tuple[tuple[object, ...], str]]) -> None:
    """Append to `found` the key path of every number in `value` that `to_decimal` refuses, and why."""
    if isinstance(value, dict):
        for key, inner in value.items():
            _refuse_numbers(inner, (*path, key), found)
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            _refuse_numbers(inner, (*path, i), found)
    elif isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
        try:
            to_decimal(value)
        except ValueError as exc:
            found.append((path, str(exc)))


def _replaced(data: Any, path: tuple[object, ...]) -> Any:
    """A copy of `data` with None at `path`; only the tables and lists on the way are copied."""
    if not path:
        return None
    head, rest = path[0], path[1:]
    copy: Any = dict(data) if isinstance(data, dict) else list(data)
    copy[head] = _replaced(data[head], rest)
    return copy


def _walk(nodes: Mapping[str, Node], codes: Sequence[str]) -> Iterator[Node]:
    """The nodes of `codes` and everything under them, depth first, in the order given."""
    for code in codes:
        node = nodes[code]
        yield node
        yield from _walk(nodes, node.children)
