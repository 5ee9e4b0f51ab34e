"""Turning pydantic and JSON Schema errors into `Problem`s a clerk can act on.

Both validators speak in their own terms ("extra_forbidden", "Additional properties are not
allowed"); users need "unknown key 'max_point' in [criteria."3.4"]; did you mean 'max_points'?" with
the line. One translation for both keeps every message in the same voice.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import jsonschema
from pydantic import BaseModel, ConfigDict, ValidationError

from parrules.amounts import shown
from parrules.errors import Problem, did_you_mean, key_path
from parrules.files.reading import LineIndex

_TYPE_WORDS = {
    "decimal_parsing": "a number",
    "decimal_type": "a number",
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "string_type": "text (in quotes)",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list [ ... ]",
    "dict_type": "a table",
    "model_type": "a table",
    "date_type": "a date such as 2018-01-31",
    "date_from_datetime_parsing": "a date such as 2018-01-31",
}


_JSON_TYPE_WORDS = {
    "number": "a number (no quotes)",
    "integer": "a whole number",
    "string": "text (in quotes)",
    "boolean": "true or false",
    "array": "a list [ ... ]",
    "object": "a table { ... }",
}


class StrictModel(BaseModel):
    """The base of every input format: an unknown key is an error (a typo is reported, never ignored,
    and `validate_model` turns it into "unknown key ..., did you mean ...?"), and values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _table(prefix: Sequence[object]) -> str:
    return f"[{key_path(*prefix)}]" if prefix else "the top level"


def unknown_key(
    file: str, prefix: Sequence[object], key: str, known: Iterable[str], lines: LineIndex
) -> Problem:
    return Problem(
        file,
        key_path(*prefix, key),
        f"unknown key '{key}' in {_table(prefix)}",
        line=lines.line(*prefix, key),
        hint=did_you_mean(key, known) or f"known keys: {', '.join(sorted(known))}",
        code="unknown_key",
    )


def validate_model(
    model: type[BaseModel],
    data: Any,
    *,
    file: str,
    prefix: Sequence[object],
    lines: LineIndex,
    problems: list[Problem],
) -> BaseModel | None:
    """Validate `data` with `model`; on failure append one problem per error and return None."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = [*prefix, *error["loc"]]
            kind = error["type"]
            if kind == "extra_forbidden":
                parent = _model_at(model, list(error["loc"][:-1]))
                known = [f.alias or n for n, f in parent.model_fields.items()] if parent else []
                problems.append(unknown_key(file, loc[:-1], str(loc[-1]), known, lines))
                continue
            hint = None
            if kind == "missing":
                table = _value_at(data, list(error["loc"][:-1]))
                if _misspelled(str(loc[-1]), table, _model_at(model, list(error["loc"][:-1]))):
                    continue  # the misspelt key is reported as unknown, with this key as the suggestion
                message = f"required key '{loc[-1]}' is missing in {_table(loc[:-1])}"
                hint = f"add {loc[-1]} = …"
                line = lines.line(*loc[:-1])
            elif kind in _TYPE_WORDS:
                message = f"must be {_TYPE_WORDS[kind]}, not {shown(error.get('input'))}"
                line = lines.line(*loc)
            elif kind in _RANGE_KINDS:
                words, hint = _range(model, list(error["loc"]), error.get("ctx") or {})
                message = f"must be {words}, not {shown(error.get('input'))}"
                line = lines.line(*loc)
            elif kind == "literal_error":
                allowed = [str(v).strip("'") for v in re.findall(r"'[^']*'", error["ctx"]["expected"])]
                message = f"must be one of {', '.join(allowed)}, not {error.get('input')!r}"
                hint = did_you_mean(str(error.get("input")), allowed)
                line = lines.line(*loc)
            elif kind == "string_pattern_mismatch" and loc[-1] == "id":
                value = str(error.get("input"))
                message = f"id {value!r} may only use lowercase letters, digits, '.', '-' and '_'"
                plain = "".join(c for c in unicodedata.normalize("NFKD", value) if not unicodedata.combining(c))
                plain = plain.replace("đ", "d").replace("Đ", "D").lower()
                suggestion = re.sub(r"[^a-z0-9._-]+", "-", plain).strip("-._")
                hint = f"e.g. id = \"{suggestion}\"" if suggestion else None
                line = lines.line(*loc)
            else:
                message = error["msg"]
                line = lines.line(*loc)
            problems.append(Problem(file, key_path(*loc), message, line=line, hint=hint, code=kind))
        return None


_RANGE_KINDS = frozenset({"greater_than", "greater_than_equal", "less_than", "less_than_equal"})
_RANGE_WORDS = (("ge", "from {}"), ("gt", "above {}"), ("le", "to {}"), ("lt", "below {}"))


def _range(model: type[BaseModel], loc: list[Any], ctx: Mapping[str, Any]) -> tuple[str, str | None]:
    """Every bound the field declares, in words ("from 0 to 6"), not only the one the value broke, and
    the field's description: a clerk who wrote decimals = 7 learns at once what may be written."""
    parent = _model_at(model, loc[:-1])
    field = parent.model_fields.get(str(loc[-1])) if parent is not None else None
    if field is None:  # an alias: look the field up by it
        field = next((f for f in (parent.model_fields.values() if parent else ()) if f.alias == loc[-1]), None)
    bounds = dict(ctx)
    for item in field.metadata if field is not None else ():
        for key, _ in _RANGE_WORDS:
            if getattr(item, key, None) is not None:
                bounds[key] = getattr(item, key)
    words = [text.format(bounds[key]) for key, text in _RANGE_WORDS if key in bounds]
    if len(words) == 1:  # one bound alone: "at least 0", "above 0", "at most 6", "below 101"
        words = [words[0].replace("from ", "at least ").replace("to ", "at most ")]
    return " ".join(words), field.description if field is not None else None


def _value_at(data: Any, loc: list[Any]) -> Any:
    for part in loc:
        if isinstance(data, Mapping) and part in data or isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


def _misspelled(key: str, table: Any, model: type[BaseModel] | None) -> bool:
    """True when the table has an unknown key that is a typo of the missing `key` (max_point)."""
    if not isinstance(table, Mapping):
        return False
    known = {f.alias or n for n, f in model.model_fields.items()} | set(model.model_fields) if model else set()
    strangers = [str(k) for k in table if str(k) not in known]
    return bool(strangers) and did_you_mean(key, strangers) is not None


def _model_at(model: type[BaseModel], loc: list[Any]) -> type[BaseModel] | None:
    current: Any = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        field = current.model_fields.get(part) if hasattr(current, "model_fields") else None
        if field is None:
            return None
        current = _inner_model(field.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def schema_problems(
    instance: Any,
    schema: Mapping[str, Any],
    *,
    file: str,
    prefix: Sequence[object],
    lines: LineIndex,
    known_extra: Iterable[str] = (),
    what: str = "",
) -> list[Problem]:
    """Validate `instance` against a plugin-declared JSON Schema; one problem per violation."""
    validator = jsonschema.Draft202012Validator(schema)
    problems = []
    for error in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path))):
        loc = [*prefix, *error.absolute_path]
        if error.validator == "additionalProperties" and isinstance(error.instance, Mapping):
            allowed = set(error.schema.get("properties", {}))
            for key in error.instance:
                if key not in allowed:
                    known = allowed | set(known_extra) if not error.absolute_path else allowed
                    problems.append(unknown_key(file, loc, str(key), known, lines))
            continue
        problems.append(Problem(file, key_path(*loc), what + schema_message(error), line=lines.line(*loc),
                                code="schema"))
    return problems


def schema_message(error: jsonschema.ValidationError) -> str:
    """A JSON Schema error in the words of every other message, quoting the value short: jsonschema's
    own text quotes it whole, and a hostile 100 KB value would make a 100 KB message."""
    if error.validator == "type":
        wanted = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        words = " or ".join(_JSON_TYPE_WORDS.get(str(w), str(w)) for w in wanted)
        return f"must be {words}, not {shown(error.instance)}"
    if error.validator == "required":
        return error.message.replace("is a required property", "is required")
    if error.validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        words = {"minimum": "at least", "maximum": "at most", "exclusiveMinimum": "above",
                 "exclusiveMaximum": "below"}[str(error.validator)]
        return f"must be {words} {shown(error.validator_value)}, not {shown(error.instance)}"
    message = str(error.message)
    return message if len(message) <= 200 else message[:150] + "…" + message[-40:]
