"""A JSON Schema turned into plain Python checks, for the few keywords parrules' own schemas use.

`jsonschema` interprets a schema anew for every value, and builds a message for every failure as it
goes: over a campaign JSON of 10,000 units (760,000 leaves) that is minutes. `compile_schema` walks
the schema once and returns a function that only answers *valid or not*, a closure per keyword, with
the meaning `jsonschema`'s Draft 2020-12 validator gives each (the same type rules: a bool is not a
number, an int is an integer; `enum` and `const` of strings by string equality; `format` an
annotation only). When the answer is *not valid*, the caller asks `jsonschema` for the message, so a
person reads exactly what they read before; a wrong *valid* is the one answer this module must never
give, which is why any keyword, `$ref` or `enum` value it does not know makes `compile_schema` return
None (and the caller use `jsonschema` for everything). `tests/reports/test_sealed_input.py` compares the
two on edited documents.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

Check = Callable[[Any], bool]

#: Keywords that say nothing about validity (in Draft 2020-12 without a format checker, `format` is
#: an annotation).
_ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "$defs", "title", "description", "default", "examples",
                          "format", "deprecated", "readOnly", "writeOnly"})
_KNOWN = _ANNOTATIONS | {"type", "properties", "required", "additionalProperties", "items", "anyOf", "enum",
                         "const", "minimum", "pattern", "$ref"}


class _Unsupported(Exception):
    pass


def compile_schema(schema: Mapping[str, Any] | bool) -> Check | None:
    """A function telling whether a value is valid against `schema`, or None if the schema uses what
    this module does not implement."""
    defs = schema.get("$defs", {}) if isinstance(schema, Mapping) else {}
    compiled: dict[str, Check] = {}

    def ref(target: str) -> Check:
        prefix = "#/$defs/"
        if not target.startswith(prefix) or target[len(prefix):] not in defs or "~" in target or "%" in target:
            raise _Unsupported(target)
        name = target[len(prefix):]
        if name not in compiled:
            compiled[name] = _always  # a placeholder while a recursive definition is compiled
            compiled[name] = build(defs[name])
        if compiled[name] is _always:  # recursion: look the definition up when the check runs
            return lambda value: compiled[name](value)
        return compiled[name]

    def build(part: Any) -> Check:
        if part is True:
            return _always
        if part is False:
            return _never
        if not isinstance(part, Mapping) or not _KNOWN.issuperset(part) or ("$id" in part and part is not schema):
            raise _Unsupported(part)  # (an inner `$id` would move where the `$ref`s inside it point)
        checks: list[Check] = []
        if "type" in part:
            checks.append(_type(part["type"]))
        if "enum" in part:
            checks.append(_enum(part["enum"]))
        if "const" in part:
            checks.append(_enum([part["const"]]))
        if "minimum" in part:
            checks.append(_minimum(part["minimum"]))
        if "pattern" in part:
            checks.append(_pattern(part["pattern"]))
        if {"properties", "required", "additionalProperties"} & part.keys():
            checks.append(_object(part, build))
        if "items" in part:
            checks.append(_items(build(part["items"])))
        if "anyOf" in part:
            branches = [build(b) for b in part["anyOf"]]
            if not branches:
                raise _Unsupported(part)
            if len(branches) == 2:
                first, second = branches
                checks.append(lambda value: first(value) or second(value))
            else:
                checks.append(lambda value: any(branch(value) for branch in branches))
        if "$ref" in part:
            if not isinstance(part["$ref"], str):
                raise _Unsupported(part)
            checks.append(ref(part["$ref"]))
        return _all(checks)

    try:
        return build(schema)
    except (_Unsupported, TypeError, re.error):
        return None


def _always(value: Any) -> bool:
    return True


def _never(value: Any) -> bool:
    return False


def _all(checks: list[Check]) -> Check:
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda value: first(value) and second(value)
    if len(checks) == 3:
        first, second, third = checks
        return lambda value: first(value) and second(value) and third(value)
    return lambda value: all(check(value) for check in checks)


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


_TYPES: dict[str, Check] = {
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "string": lambda value: isinstance(value, str),
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
    "number": _is_number,
    "integer": lambda value: (isinstance(value, int) and not isinstance(value, bool))
    or (isinstance(value, float) and value.is_integer()),
}


#: Python types whose every value is of the JSON type: parsed JSON holds nothing else, so a value is
#: mostly judged by one set lookup; any other (a subclass, an integral float) asks the exact test.
_CERTAIN: dict[str, frozenset[type]] = {
    "object": frozenset({dict}), "array": frozenset({list}), "string": frozenset({str}),
    "boolean": frozenset({bool}), "null": frozenset({type(None)}), "number": frozenset({int, float, Decimal}),
    "integer": frozenset({int}),
}


def _type(kind: Any) -> Check:
    kinds = [kind] if isinstance(kind, str) else list(kind) if isinstance(kind, list) else None
    if not kinds or any(k not in _TYPES for k in kinds):
        raise _Unsupported(kind)
    certain = frozenset().union(*(_CERTAIN[k] for k in kinds))
    tests = [_TYPES[k] for k in kinds]
    if len(tests) == 1:
        test = tests[0]
        return lambda value: type(value) in certain or test(value)
    return lambda value: type(value) in certain or any(test(value) for test in tests)


def _enum(values: Any) -> Check:
    """`enum` of strings and null only: string equality, and `None` only for null (as `jsonschema`'s
    `equal`, which never makes a string equal to anything but a string)."""
    if not isinstance(values, list) or not all(v is None or isinstance(v, str) for v in values):
        raise _Unsupported(values)
    texts = frozenset(v for v in values if v is not None)
    null = None in values
    return lambda value: (value is None and null) or (isinstance(value, str) and value in texts)


def _minimum(bound: Any) -> Check:
    if not _is_number(bound):
        raise _Unsupported(bound)
    return lambda value: not _is_number(value) or not value < bound


def _pattern(expression: Any) -> Check:
    """A text `re.search` finds the pattern in (what `jsonschema` does); other values pass."""
    if not isinstance(expression, str):
        raise _Unsupported(expression)
    search = re.compile(expression).search
    return lambda value: not isinstance(value, str) or search(value) is not None


def _items(item: Check) -> Check:
    if item is _always:
        return _always

    def check(value: Any) -> bool:
        if not isinstance(value, list):
            return True
        return all(item(inner) for inner in value)
    return check


def _object(part: Mapping[str, Any], build: Callable[[Any], Check]) -> Check:
    properties = part.get("properties", {})
    required = part.get("required", [])
    extra = part.get("additionalProperties", True)
    if not isinstance(properties, Mapping) or not isinstance(required, list) \
            or not all(isinstance(k, str) for k in required):
        raise _Unsupported(part)
    known = {key: build(sub) for key, sub in properties.items()}
    needed = frozenset(required)
    closed = extra is False
    other = None if extra is True or closed else build(extra)

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        if needed and not needed.issubset(value.keys()):
            return False
        for key, inner in value.items():
            test = known.get(key)
            if test is not None:
                if not test(inner):
                    return False
            elif closed or (other is not None and not other(inner)):
                return False
        return True
    if not known and not needed and other is None and not closed:
        return _always
    return check
