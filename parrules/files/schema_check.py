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
two on edited documents. The same checks (`plainly_valid`) pass a set's check and rule parameters and a
submission's answers, and `well_formed` a plugin's schemas, so that a run whose schemas and values are
all plain never imports `jsonschema`; `tests/files/test_schema_check.py` compares both with it.
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
                         "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minItems",
                         "maxItems", "minProperties", "maxProperties", "pattern", "$ref"}


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
        for keyword, fails in _BOUNDS.items():
            if keyword in part:
                checks.append(_bound(part[keyword], fails))
        for keyword, (kind, fails) in _SIZES.items():
            if keyword in part:
                checks.append(_size(part[keyword], kind, fails))
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


#: The other bounds of a number, each as the comparison that makes a number fail it (what `jsonschema`
#: does: a value that is not a number passes).
_BOUNDS: dict[str, Callable[[Any, Any], bool]] = {
    "maximum": lambda value, bound: value > bound,
    "exclusiveMinimum": lambda value, bound: value <= bound,
    "exclusiveMaximum": lambda value, bound: value >= bound,
}
#: Sizes of a list or a table, each with the Python type it applies to (another value passes).
_SIZES: dict[str, tuple[type, Callable[[int, int], bool]]] = {
    "minItems": (list, lambda n, bound: n < bound), "maxItems": (list, lambda n, bound: n > bound),
    "minProperties": (dict, lambda n, bound: n < bound), "maxProperties": (dict, lambda n, bound: n > bound),
}


def _bound(bound: Any, fails: Callable[[Any, Any], bool]) -> Check:
    if not _is_number(bound):
        raise _Unsupported(bound)
    return lambda value: not _is_number(value) or not fails(value, bound)


def _size(bound: Any, kind: type, fails: Callable[[int, int], bool]) -> Check:
    if type(bound) is not int or bound < 0:
        raise _Unsupported(bound)
    return lambda value: not isinstance(value, kind) or not fails(len(value), bound)


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


def _is_type_name(value: Any) -> bool:
    return isinstance(value, str) and value in _TYPES


def _count(value: Any) -> bool:
    return type(value) is int and value >= 0


def _schemas(value: Any) -> bool:
    return type(value) is list and bool(value) and all(well_formed(v) for v in value)


#: What the Draft 2020-12 meta-schema accepts as the value of each keyword `well_formed` knows; the
#: forms are narrower than the meta-schema's where that keeps them simple (an int, never an integral
#: float; a `dict`, never another mapping), so that *well formed* here is always well formed there.
_FORMS: dict[str, Callable[[Any], bool]] = {
    "type": lambda v: _is_type_name(v) or (type(v) is list and bool(v) and all(map(_is_type_name, v))
                                          and len(set(v)) == len(v)),
    "properties": lambda v: type(v) is dict and all(type(k) is str and well_formed(s) for k, s in v.items()),
    "additionalProperties": lambda v: well_formed(v),
    "items": lambda v: well_formed(v),
    "anyOf": _schemas, "allOf": _schemas, "oneOf": _schemas,
    "required": lambda v: type(v) is list and all(type(k) is str for k in v) and len(set(v)) == len(v),
    "enum": lambda v: type(v) is list,
    "const": lambda v: True,
    "minimum": lambda v: type(v) in (int, float), "maximum": lambda v: type(v) in (int, float),
    "exclusiveMinimum": lambda v: type(v) in (int, float), "exclusiveMaximum": lambda v: type(v) in (int, float),
    "minLength": _count, "maxLength": _count, "minItems": _count, "maxItems": _count,
    "minProperties": _count, "maxProperties": _count,
    "uniqueItems": lambda v: type(v) is bool,
    "title": lambda v: type(v) is str, "description": lambda v: type(v) is str, "$comment": lambda v: type(v) is str,
    "format": lambda v: type(v) is str,
    "default": lambda v: True, "examples": lambda v: type(v) is list,
    "deprecated": lambda v: type(v) is bool, "readOnly": lambda v: type(v) is bool,
    "writeOnly": lambda v: type(v) is bool,
}


def well_formed(schema: Any) -> bool:
    """True when `schema` is certainly a valid Draft 2020-12 schema, judged without `jsonschema`.

    Every plugin's parameter schemas are checked when the registry collects them, so a run whose
    schemas are all plain — keywords from `_FORMS`, each with a value of the form the meta-schema
    asks — never imports `jsonschema` (a third of the import time of a small campaign). False means
    *not proven*: the caller asks `jsonschema.Draft202012Validator.check_schema`, which words the
    error as it always has (`pattern`, `$ref`, `$defs` and any keyword not listed always go there)."""
    if schema is True or schema is False:
        return True
    if type(schema) is not dict:
        return False
    for key, value in schema.items():
        form = _FORMS.get(key)
        if form is None or not form(value):
            return False
    return True


_COMPILED: dict[int, tuple[Any, Check | None]] = {}


def plainly_valid(instance: Any, schema: Mapping[str, Any] | bool) -> bool:
    """True when `instance` is certainly valid against `schema` (its checks from `compile_schema`,
    made once per schema object and kept for the process); False means *invalid or not known here*,
    and the caller asks `jsonschema`, which finds the errors and words them."""
    found = _COMPILED.get(id(schema))
    if found is None or found[0] is not schema:
        if len(_COMPILED) >= 1024:  # schemas made on the fly (tests, a service's many registries)
            _COMPILED.clear()
        found = (schema, compile_schema(schema))  # the schema is kept, so its id is not reused
        _COMPILED[id(schema)] = found
    check = found[1]
    try:
        return check is not None and check(instance)
    except ArithmeticError:  # a NaN compared with a bound: jsonschema's to judge, as it always was
        return False
