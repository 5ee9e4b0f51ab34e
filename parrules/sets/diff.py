"""What changed between two criteria sets, e.g. from one year to the next (`parrules diff OLD NEW`).

Ministries revise their sets every year and units need to know what they are now scored on. Codes are
renumbered as often as criteria change, so criteria are matched twice: by code (same code, new name =
renamed) and by name (same name, new code = moved); only what neither matches is added or removed.
Maxima, rules (kind, parameters, check, metric) and the set's own totals, bands and policies are
compared for every matched criterion.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from parrules.files.reading import nfc
from parrules.files.toml_writer import toml_value
from parrules.messages import current_voice, say
from parrules.messages.numbers import format_number
from parrules.sets.criteria_set import CriteriaSet, Node, code_sort_key

_SPACE = re.compile(r"\s+")
_SET_KEYS = ("id", "name", "level", "year", "total_points", "rounding", "bands", "precedence",
             "not_applicable", "declared_vs_verified", "unit_kinds")


def _same_name(name: str) -> str:
    return _SPACE.sub(" ", nfc(name)).strip().casefold()


def rule_of(node: Node) -> dict[str, Any]:
    """What scores a criterion: the rule kind and its parameters, the check, its metric and parameters."""
    out: dict[str, Any] = {}
    if node.rule is not None:
        out["rule"] = node.rule.name
        if node.params:
            out["params"] = dict(node.params)
    if node.check is not None:
        out["check"] = node.check.name
        out["metric"] = node.metric
        if node.spec.check_params:
            out["check_params"] = dict(node.spec.check_params)
    if node.spec.if_no_value != "not_evaluated" and node.check is not None:
        out["if_no_value"] = node.spec.if_no_value
    if node.spec.allow_na:
        out["allow_na"] = True
    return out


@dataclass
class SetDiff:
    """The differences between two sets; empty lists mean nothing of that kind changed."""

    old: tuple[str, str]
    new: tuple[str, str]
    set_changes: list[dict[str, Any]] = field(default_factory=list)
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    renamed: list[dict[str, Any]] = field(default_factory=list)
    moved: list[dict[str, Any]] = field(default_factory=list)
    max_points: list[dict[str, Any]] = field(default_factory=list)
    rules: list[dict[str, Any]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any((self.set_changes, self.added, self.removed, self.renamed, self.moved,
                        self.max_points, self.rules))

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "parrules.setdiff/1",
            "old": {"id": self.old[0], "sha256": self.old[1]},
            "new": {"id": self.new[0], "sha256": self.new[1]},
            "set": self.set_changes, "added": self.added, "removed": self.removed,
            "renamed": self.renamed, "moved": self.moved, "max_points": self.max_points,
            "rules": self.rules,
        }


def diff_sets(old: CriteriaSet, new: CriteriaSet) -> SetDiff:
    """Compare two validated sets."""
    result = SetDiff((old.id, old.content_hash), (new.id, new.content_hash))
    old_meta = old.meta.model_dump(by_alias=True, exclude_none=True)
    new_meta = new.meta.model_dump(by_alias=True, exclude_none=True)
    for key in _SET_KEYS:
        if old_meta.get(key) != new_meta.get(key):
            result.set_changes.append({"key": key, "old": old_meta.get(key), "new": new_meta.get(key)})

    pairs: list[tuple[str, str]] = []
    left = [c for c in old.nodes if not (c in new.nodes and _same(old.nodes[c], new.nodes[c]))]
    right = [c for c in new.nodes if not (c in old.nodes and _same(old.nodes[c], new.nodes[c]))]
    pairs.extend((c, c) for c in old.nodes if c not in left)
    # same name, new code: moved (only where the name says unambiguously which criterion it is)
    by_name_old = _unique_names(old, left)
    by_name_new = _unique_names(new, right)
    for name, old_code in by_name_old.items():
        new_code = by_name_new.get(name)
        if new_code is None:
            continue
        pairs.append((old_code, new_code))
        left.remove(old_code)
        right.remove(new_code)
        result.moved.append({"old_code": old_code, "new_code": new_code, "name": new.nodes[new_code].name})
    # same code, new name: renamed
    for code in [c for c in left if c in right]:
        pairs.append((code, code))
        left.remove(code)
        right.remove(code)
        result.renamed.append({"code": code, "old_name": old.nodes[code].name, "new_name": new.nodes[code].name})
    result.removed = [_entry(old.nodes[c]) for c in left]
    result.added = [_entry(new.nodes[c]) for c in right]

    for old_code, new_code in pairs:
        a, b = old.nodes[old_code], new.nodes[new_code]
        where = {"code": new_code} if old_code == new_code else {"code": new_code, "old_code": old_code}
        if a.max_points != b.max_points:
            result.max_points.append({**where, "name": b.name, "old": a.max_points, "new": b.max_points})
        if a.is_leaf and b.is_leaf and rule_of(a) != rule_of(b):
            result.rules.append({**where, "name": b.name, "old": rule_of(a), "new": rule_of(b)})

    def order(item: Mapping[str, Any]) -> tuple[Any, ...]:
        return code_sort_key(item.get("code") or item.get("new_code") or "")

    for items in (result.added, result.removed, result.renamed, result.moved, result.max_points, result.rules):
        items.sort(key=order)
    return result


def _same(a: Node, b: Node) -> bool:
    return _same_name(a.name) == _same_name(b.name)


def _unique_names(criteria: CriteriaSet, codes: list[str]) -> dict[str, str]:
    seen: dict[str, list[str]] = {}
    for code in codes:
        seen.setdefault(_same_name(criteria.nodes[code].name), []).append(code)
    return {name: found[0] for name, found in seen.items() if len(found) == 1}


def _entry(node: Node) -> dict[str, Any]:
    return {"code": node.code, "name": node.name, "max_points": node.max_points}


def _short(value: Any) -> str:
    """A value on one line: text as it is, everything else as TOML."""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return toml_value(value)


def _rule_text(rule: Mapping[str, Any]) -> str:
    if not rule:
        return say("diff.no_rule_at_all")
    parts = [str(rule.get("rule") or say("diff.no_rule"))]
    parts += [f"{k} = {_short(v)}" for k, v in rule.get("params", {}).items()]
    if "check" in rule:
        parts.append(say("diff.check", check=rule["check"], metric=rule["metric"]))
        parts += [f"{k} = {_short(v)}" for k, v in rule.get("check_params", {}).items()]
    parts += [f"{k} = {_short(rule[k])}" for k in ("if_no_value", "allow_na") if k in rule]
    return ", ".join(parts)


def render_text(diff: SetDiff) -> str:
    """The readable report a ministry publishes with a revised set, in the voice of the run; the sets'
    codes, names and values as they are written (a maximum as the reader writes numbers)."""
    language = current_voice().language
    lines = [say("diff.head", old=diff.old[0], old_hash=diff.old[1][:19], new=diff.new[0], new_hash=diff.new[1][:19])]
    if diff.empty:
        return "\n".join([*lines, say("diff.none")]) + "\n"
    if diff.set_changes:
        lines.append("\n" + say("diff.section.set"))
        lines += [f"  {c['key']}: {_short(c['old'])} → {_short(c['new'])}" for c in diff.set_changes]
    if diff.added:
        lines.append("\n" + say("diff.section.added"))
        lines += ["  + " + say("diff.node", code=c["code"], name=c["name"], points=c["max_points"]) for c in diff.added]
    if diff.removed:
        lines.append("\n" + say("diff.section.removed"))
        lines += ["  - " + say("diff.node", code=c["code"], name=c["name"], points=c["max_points"])
                  for c in diff.removed]
    if diff.renamed:
        lines.append("\n" + say("diff.section.renamed"))
        lines += [f"  {c['code']}: \"{c['old_name']}\" → \"{c['new_name']}\"" for c in diff.renamed]
    if diff.moved:
        lines.append("\n" + say("diff.section.moved"))
        lines += [f"  {c['old_code']} → {c['new_code']}: {c['name']}" for c in diff.moved]
    if diff.max_points:
        lines.append("\n" + say("diff.section.max_points"))
        lines += [f"  {_label(c)}: {format_number(c['old'], None, language)} → "
                  f"{format_number(c['new'], None, language)}  {c['name']}" for c in diff.max_points]
    if diff.rules:
        lines.append("\n" + say("diff.section.rules"))
        for c in diff.rules:
            lines.append(f"  {_label(c)} {c['name']}")
            lines.append("      " + say("diff.was", rule=_rule_text(c["old"])))
            lines.append("      " + say("diff.now", rule=_rule_text(c["new"])))
    return "\n".join(lines) + "\n"


def _label(change: Mapping[str, Any]) -> str:
    return f"{change['old_code']} → {change['code']}" if "old_code" in change else change["code"]

