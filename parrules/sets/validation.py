"""Turning pydantic and JSON Schema errors into `Problem`s a clerk can act on.

Both validators speak in their own terms ("extra_forbidden", "Additional properties are not
allowed"); users need "unknown key 'max_point' in [criteria."3.4"]; did you mean 'max_points'?" with
the line. One translation for both keeps every message in the same voice.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, ValidationError

from parrules.amounts import shown
from parrules.errors import Problem, did_you_mean, key_path
from parrules.files.reading import LineIndex
from parrules.files.schema_check import plainly_valid
from parrules.messages import CORE, say

if TYPE_CHECKING:
    import jsonschema

_TYPE_WORDS = {
    "decimal_parsing": "number",
    "decimal_type": "number",
    "int_parsing": "whole",
    "int_type": "whole",
    "int_from_float": "whole",
    "string_type": "text",
    "bool_type": "bool",
    "bool_parsing": "bool",
    "list_type": "list",
    "dict_type": "table",
    "model_type": "table",
    "date_type": "date",
    "date_from_datetime_parsing": "date",
    "date_from_datetime_inexact": "date",
    "date_parsing": "date",
}
"""pydantic's error kinds → the word the catalogue says (`problem.type.<word>`)."""


_JSON_TYPE_WORDS = {
    "number": "json_number",
    "integer": "whole",
    "string": "text",
    "boolean": "bool",
    "array": "list",
    "object": "json_object",
}
"""JSON Schema's type names → the word the catalogue says (`problem.type.<word>`)."""


def _type_words(word: str) -> str:
    """What a value must be, in the reader's words ("một số", "a number"); an unknown JSON type as named."""
    return say(f"problem.type.{word}") if f"problem.type.{word}" in CORE else word


class StrictModel(BaseModel):
    """The base of every input format: an unknown key is an error (a typo is reported, never ignored,
    and `validate_model` turns it into "unknown key ..., did you mean ...?"), and values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _table(prefix: Sequence[object]) -> str:
    return f"[{key_path(*prefix)}]" if prefix else say("problem.key.top_level")


def unknown_key(
    file: str, prefix: Sequence[object], key: str, known: Iterable[str], lines: LineIndex
) -> Problem:
    return Problem(
        file,
        key_path(*prefix, key),
        say("problem.key.unknown", key=key, table=_table(prefix)),
        line=lines.line(*prefix, key),
        hint=did_you_mean(key, known) or say("problem.key.known", keys=", ".join(sorted(known))),
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
                message = say("problem.key.missing", key=str(loc[-1]), table=_table(loc[:-1]))
                hint = say("problem.key.add", key=str(loc[-1]))
                line = lines.line(*loc[:-1])
            elif kind in _TYPE_WORDS:
                message = say("problem.value.must_be", what=_type_words(_TYPE_WORDS[kind]),
                              value=shown(error.get("input")))
                line = lines.line(*loc)
            elif kind in _RANGE_KINDS:
                words, hint = _range(model, list(error["loc"]), error.get("ctx") or {})
                message = say("problem.value.must_be", what=words, value=shown(error.get("input")))
                line = lines.line(*loc)
            elif kind == "literal_error":
                allowed = [str(v).strip("'") for v in re.findall(r"'[^']*'", error["ctx"]["expected"])]
                message = say("problem.value.one_of", allowed=", ".join(allowed), value=repr(error.get("input")))
                hint = did_you_mean(str(error.get("input")), allowed)
                line = lines.line(*loc)
            elif kind == "string_pattern_mismatch" and loc[-1] == "id":
                value = str(error.get("input"))
                message = say("problem.value.bad_id", value=repr(value))
                plain = "".join(c for c in unicodedata.normalize("NFKD", value) if not unicodedata.combining(c))
                plain = plain.replace("đ", "d").replace("Đ", "D").lower()
                suggestion = re.sub(r"[^a-z0-9._-]+", "-", plain).strip("-._")
                hint = say("problem.value.id_example", id=suggestion) if suggestion else None
                line = lines.line(*loc)
            elif kind == "number_in_quotes":  # sets/model.py: points in quotes, "2,5" with a comma
                ctx = error.get("ctx") or {}
                message = (say("problem.value.decimal_comma", fixed=ctx["fixed"], quoted=ctx.get("quoted"))
                           if "fixed" in ctx else say("problem.value.number_in_quotes", quoted=ctx.get("quoted")))
                line = lines.line(*loc)
            elif kind in _LENGTH_KINDS:
                short = kind.endswith("too_short")
                limit = (error.get("ctx") or {}).get("min_length" if short else "max_length")
                what = "text" if kind.startswith("string") else "list"
                message = say(f"problem.value.{what}_{'too_short' if short else 'too_long'}", n=limit,
                              value=shown(error.get("input")))
                line = lines.line(*loc)
            else:  # pydantic's own words are English: said as ours, with its error kind for the record
                message = say("problem.value.invalid", value=shown(error.get("input")), kind=kind)
                line = lines.line(*loc)
            problems.append(Problem(file, key_path(*loc), message, line=line, hint=hint, code=kind))
        return None


_RANGE_KINDS = frozenset({"greater_than", "greater_than_equal", "less_than", "less_than_equal"})
_LENGTH_KINDS = frozenset({"too_short", "too_long", "string_too_short", "string_too_long"})
_RANGE_WORDS = ("ge", "gt", "le", "lt")


def _range(model: type[BaseModel], loc: list[Any], ctx: Mapping[str, Any]) -> tuple[str, str | None]:
    """Every bound the field declares, in words ("from 0 to 6"), not only the one the value broke, and
    the field's description: a clerk who wrote decimals = 7 learns at once what may be written."""
    parent = _model_at(model, loc[:-1])
    field = parent.model_fields.get(str(loc[-1])) if parent is not None else None
    if field is None:  # an alias: look the field up by it
        field = next((f for f in (parent.model_fields.values() if parent else ()) if f.alias == loc[-1]), None)
    bounds = dict(ctx)
    for item in field.metadata if field is not None else ():
        for key in _RANGE_WORDS:
            if getattr(item, key, None) is not None:
                bounds[key] = getattr(item, key)
    given = [key for key in _RANGE_WORDS if key in bounds]
    alone = len(given) == 1  # one bound alone: "at least 0", "above 0", "at most 6", "below 101"
    words = [say(f"problem.range.{key}{'_alone' if alone else ''}", value=shown(bounds[key])) for key in given]
    name = str(loc[-1])
    about = say(f"problem.about.{name}") if f"problem.about.{name}" in CORE else None
    return " ".join(words), about


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
    """Validate `instance` against a plugin-declared JSON Schema; one problem per violation.

    Parameters a plain schema certainly accepts are passed without `jsonschema` (`plainly_valid`): a
    set's 76 leaves then cost no import of it; anything else is validated, and worded, by it."""
    if plainly_valid(instance, schema):
        return []
    import jsonschema

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
        words = say("problem.value.or").join(_type_words(_JSON_TYPE_WORDS.get(str(w), str(w))) for w in wanted)
        return say("problem.value.must_be", what=words, value=shown(error.instance))
    if error.validator == "required":
        found = re.match(r"'(.*)' is a required property", str(error.message))
        return say("problem.value.required", key=found.group(1) if found else str(error.message)[:60])
    if error.validator in _SCHEMA_BOUNDS:
        words = say(f"problem.range.{_SCHEMA_BOUNDS[str(error.validator)]}_alone", value=shown(error.validator_value))
        return say("problem.value.must_be", what=words, value=shown(error.instance))
    if error.validator == "enum" and isinstance(error.validator_value, list):
        return say("problem.value.one_of", allowed=", ".join(shown(v) for v in error.validator_value),
                   value=shown(error.instance))
    # jsonschema's own words are English: said as ours, naming the schema keyword the value breaks
    return say("problem.value.schema", value=shown(error.instance), rule=str(error.validator))


_SCHEMA_BOUNDS = {"minimum": "ge", "maximum": "le", "exclusiveMinimum": "gt", "exclusiveMaximum": "lt"}
