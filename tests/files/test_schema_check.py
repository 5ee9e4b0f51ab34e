"""`well_formed` and `plainly_valid` never say yes where jsonschema says no.

They let a run skip jsonschema (its import is a third of a small campaign's imports), so the one
answer they must never give wrongly is *fine*: each case is compared with jsonschema itself.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import jsonschema
import pytest

import parrules
from parrules.files.schema_check import plainly_valid, well_formed


def _jsonschema_accepts_schema(schema: Any) -> bool:
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError:
        return False
    return True


def _registered_schemas() -> list[Any]:
    registry = parrules.Registry()
    return [getattr(item, attr) for item in [*registry.rule_kinds.values(), *registry.checks.values()]
            for attr in ("params_schema", "input_schema") if getattr(item, attr, None) is not None]


MALFORMED = [
    {"type": "nonsense"}, {"type": []}, {"type": ["string", "string"]}, {"type": 3},
    {"properties": []}, {"properties": {"n": {"type": "nonsense"}}}, {"properties": {"n": 3}},
    {"required": "x"}, {"required": ["a", "a"]}, {"required": [1]},
    {"enum": "x"}, {"enum": ("a", "b")}, {"minimum": "0"}, {"maximum": None}, {"exclusiveMinimum": True},
    {"minItems": -1}, {"minItems": 1.5}, {"minProperties": "1"}, {"maxLength": True},
    {"anyOf": []}, {"anyOf": [{"type": "nonsense"}]}, {"additionalProperties": {"type": 1}},
    {"items": 3}, {"uniqueItems": 1}, {"description": 3}, {"examples": "x"}, {"deprecated": "no"},
]
PLAIN = [
    True, False, {}, {"type": ["string", "null"]}, {"enum": []}, {"const": {"a": [1]}},
    {"type": "object", "properties": {"a": {"type": "integer", "minimum": 0, "maximum": 10}},
     "required": ["a"], "additionalProperties": False, "minProperties": 1, "description": "x"},
    {"type": "array", "items": {"type": "number", "exclusiveMinimum": 0}, "minItems": 1, "maxItems": 3,
     "uniqueItems": True},
]


@pytest.mark.parametrize("schema", PLAIN + MALFORMED, ids=repr)
def test_well_formed_only_when_jsonschema_accepts_the_schema(schema: Any) -> None:
    if well_formed(schema):
        assert _jsonschema_accepts_schema(schema)
    assert well_formed(schema) is (schema in PLAIN)


def test_every_standard_schema_is_plain() -> None:
    """What makes a campaign run without importing jsonschema at all."""
    schemas = _registered_schemas()
    assert len(schemas) > 10
    for schema in schemas:
        assert well_formed(schema), schema
        assert _jsonschema_accepts_schema(schema)


BOUNDED = {"type": "object", "additionalProperties": False, "required": ["n"], "properties": {
    "n": {"type": "number", "exclusiveMinimum": 0, "maximum": 100},
    "m": {"type": "number", "exclusiveMaximum": 5},
    "k": {"type": "integer"},
    "bands": {"type": "array", "minItems": 1, "maxItems": 2, "items": {"type": "object", "minProperties": 1,
                                                                      "maxProperties": 2}},
    "kind": {"enum": ["a", "b"]},
}}
VALUES = [
    {"n": 1}, {"n": Decimal("0.5")}, {"n": 100}, {"n": Decimal(100)}, {"n": 100.0},
    {"n": 0}, {"n": Decimal(0)}, {"n": -1}, {"n": 101}, {"n": Decimal("100.01")}, {"n": True}, {"n": "5"},
    {"n": Decimal("NaN")}, {"n": float("nan")}, {"n": 1, "m": 5}, {"n": 1, "m": Decimal("4.99")},
    {"n": 1, "k": 2}, {"n": 1, "k": 2.0}, {"n": 1, "k": Decimal(2)}, {"n": 1, "k": False},
    {"n": 1, "bands": []}, {"n": 1, "bands": [{"a": 1}]}, {"n": 1, "bands": [{}]},
    {"n": 1, "bands": [{"a": 1}, {"a": 1}, {"a": 1}]}, {"n": 1, "bands": [{"a": 1, "b": 2, "c": 3}]},
    {"n": 1, "bands": ({"a": 1},)}, {"n": 1, "kind": "a"}, {"n": 1, "kind": "c"}, {"n": 1, "extra": 1},
    {}, [], None,
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_plainly_valid_only_when_jsonschema_finds_no_error(value: Any) -> None:
    validator = jsonschema.Draft202012Validator(BOUNDED)
    try:
        errors = list(validator.iter_errors(value))
    except ArithmeticError:  # a NaN against a bound: jsonschema's own behaviour, which callers then get
        errors = [None]
    assert plainly_valid(value, BOUNDED) is (not errors)
