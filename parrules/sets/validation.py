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

from parrules.errors import Problem, did_you_mean, key_path
from parrules.files.reading import LineIndex

_TYPE_WORDS = {
    "decimal_parsing": "a number",
    "decimal_type": "a number",
    "int_parsing": "a whole number",
    "int_type": "a whole number",
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
                message = f"must be {_TYPE_WORDS[kind]}, not {error.get('input')!r}"
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
        if error.validator == "type":
            wanted = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
            words = " or ".join(_JSON_TYPE_WORDS.get(str(w), str(w)) for w in wanted)
            message = f"{what}must be {words}, not {error.instance!r}"
        elif error.validator == "required":
            message = f"{what}{error.message.replace('is a required property', 'is required')}"
        else:
            message = f"{what}{error.message}"
        problems.append(Problem(file, key_path(*loc), message, line=lines.line(*loc), code="schema"))
    return problems
