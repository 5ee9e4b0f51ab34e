"""What every report format shares: reading the campaign JSON, checking it, naming things.

Reports are rendered from the campaign JSON (`CampaignResult.to_dict()`, or the file a campaign run
wrote), never from engine objects, so `parrules report` can re-render last month's run without
re-scoring, and every format shows the same figures.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from parrules.amounts import MAX_ADJUSTED_EXPONENT, MAX_DIGITS, MIN_ADJUSTED_EXPONENT, bounded
from parrules.errors import Problem, ProblemsError, key_path
from parrules.files.reading import MAX_NESTING, LineIndex, nesting_problem
from parrules.files.schema_check import Check, compile_schema
from parrules.sets.model import Rounding
from parrules.sets.validation import validate_model

#: Levels a campaign JSON may nest: a submission's own (`MAX_NESTING`), under units[i].leaves[j].declared.
CAMPAIGN_NESTING = MAX_NESTING + 8
_LISTED = 10  # figures out of bounds named one by one; the rest are counted
HAND_EDIT_HINT = "a hand edit? put back what `parrules campaign` wrote, or run the campaign again"
"""What to do about a campaign JSON no report can be rendered from (it was written by a run, so it
was edited since)."""


def data_problems(data: Mapping[str, Any], file: str) -> list[Problem]:
    """What no report can show, in campaign data that may have been edited by hand: problems, none raised.

    The campaign schema says what type each value has; this says the rest, so that rendering never
    meets a value it cannot format. The decimals of points and percentages are checked by the set's own
    `[set.rounding]` model (0 to 6: 10^9 decimals would build strings of a gigabyte), and every number
    must be a figure a PAR result can hold (`amounts.bounded`: below 10^16, no finer than 10^-20).
    Nesting is checked first (`CAMPAIGN_NESTING` levels, the problem as `nesting_problem` words it),
    so no walk here or in a renderer can run out of stack.
    """
    wrong: list[tuple[tuple[object, ...], str]] = []
    if not _figures_out_of_bounds(data, wrong):
        deep = nesting_problem(data, file, LineIndex(), limit=CAMPAIGN_NESTING)
        if deep is not None:
            return [dataclasses.replace(deep, message=f"values are nested more than {CAMPAIGN_NESTING} levels "
                                        "deep here; no campaign results hold that many", hint=HAND_EDIT_HINT)]
    problems: list[Problem] = []
    cs = data.get("criteria_set")
    if isinstance(cs, Mapping):
        rounding = {k: cs[k] for k in ("decimals", "percent_decimals") if k in cs}
        found: list[Problem] = []
        validate_model(Rounding, rounding, file=file, prefix=("criteria_set",), lines=LineIndex(), problems=found)
        problems.extend(dataclasses.replace(p, hint=HAND_EDIT_HINT) for p in found)
    wrong.extend(_membership(data))
    for path, message in wrong[:_LISTED]:
        problems.append(Problem(file, key_path(*path), message, hint=HAND_EDIT_HINT))
    if len(wrong) > _LISTED:
        problems.append(Problem(file, "", f"… and {len(wrong) - _LISTED} more values like these"))
    return problems


def check_data(data: Mapping[str, Any], file: str) -> None:
    """`data_problems`, raised at once as one `ProblemsError`."""
    problems = data_problems(data, file)
    if problems:
        raise ProblemsError(problems)


def check_campaign(data: Mapping[str, Any], file: str) -> None:
    """Raise one `ProblemsError` if campaign data that may have been edited by hand cannot be reported:
    a value the campaign schema refuses (its key path, and the missing key named), then `check_data`.

    The schema is applied by the checks `compile_schema` makes of it, which only say valid or not;
    `jsonschema` runs only on data they refuse, to word the problem as it always has — and then on
    the refused units alone: a unit the checks pass has no error to add, and `jsonschema` over 10,000
    units takes minutes. A schema `compile_schema` could not turn into checks is applied by
    `jsonschema` alone, to all of the data."""
    whole, unit = _campaign_checks()
    if whole is not None and whole(data):
        check_data(data, file)  # what the schema cannot say: decimals, figures' bounds, nesting
        return
    import jsonschema

    from parrules.files.schemas import shipped_schema

    units = data.get("units")
    shown, refused = data, []
    if unit is not None and isinstance(units, list):
        refused = [i for i, entry in enumerate(units) if not unit(entry)]
        shown = {**data, "units": [units[i] for i in refused]}
    validator = jsonschema.Draft202012Validator(shipped_schema("campaign"))
    error = jsonschema.exceptions.best_match(validator.iter_errors(shown))
    if error is not None:
        where, message = list(error.absolute_path), f"does not match the campaign schema: {error.message}"
        if shown is not data and where[:1] == ["units"] and len(where) > 1 and isinstance(where[1], int):
            where[1] = refused[where[1]]  # the unit's place in the file
        if error.validator == "required" and isinstance(error.instance, dict):  # name the key, not its table
            missing = next((k for k in error.validator_value if k not in error.instance), None)
            if missing is not None:
                where, message = [*where, missing], "this key is missing (every campaign JSON has it)"
        raise ProblemsError([Problem(file, key_path(*where), message, hint=HAND_EDIT_HINT)])
    check_data(data, file)


@functools.cache
def _campaign_checks() -> tuple[Check | None, Check | None]:
    """The compiled checks of the campaign schema, and of one of its units."""
    # imported here: the module also holds the generators of the other schemas, which reports never need
    from parrules.files.schemas import shipped_schema

    schema = shipped_schema("campaign")
    items = (schema.get("properties", {}).get("units") or {}).get("items")
    plain = set(schema.get("properties", {}).get("units") or {}) <= {"type", "items", "description"}
    # only when the list's schema says nothing of its length, so that leaving out the units that pass
    # cannot add an error or hide one
    unit = compile_schema({"$defs": schema.get("$defs", {}), **items}) if plain and isinstance(items, dict) else None
    return compile_schema(schema), unit


_INT_BOUND = 10 ** (MAX_ADJUSTED_EXPONENT + 1)  # an int below this in size is a figure; `bounded` says why not


def _figures_out_of_bounds(data: Mapping[str, Any], out: list[tuple[tuple[object, ...], str]]) -> bool:
    """Adds (key path, why) to `out` for every number that no PAR figure can be; False, with the walk
    stopped, where values nest deeper than `CAMPAIGN_NESTING` levels.

    One recursive walk, its depth counted, so it never goes deeper than the bound (and the caller asks
    `nesting_problem` where and how deep). The key path is built only for a number that is wrong, from
    the keys of the containers being walked: a campaign JSON holds millions of values.
    """
    path: list[object] = []

    def wrong(key: object, value: Any) -> None:
        try:
            bounded(value if type(value) is Decimal else Decimal(value))
        except ValueError as exc:
            out.append(((*path, key), str(exc)))

    def walk(items: Any, depth: int) -> bool:  # the items of a container `depth` levels down, not empty
        if depth >= CAMPAIGN_NESTING:  # its values would be one level too deep
            return False
        for key, value in items:
            kind = type(value)
            if kind is dict or kind is list:
                if value:
                    path.append(key)
                    if not walk(value.items() if kind is dict else enumerate(value), depth + 1):
                        return False
                    path.pop()
            elif kind is Decimal:
                if not value.is_finite() or (value and (not MIN_ADJUSTED_EXPONENT <= value.adjusted()
                                                        <= MAX_ADJUSTED_EXPONENT or len(str(value)) > MAX_DIGITS)):
                    wrong(key, value)  # perhaps: `bounded` is the judge, and words the message
            elif kind is int:
                if not -_INT_BOUND < value < _INT_BOUND:
                    wrong(key, value)
            elif isinstance(value, (dict, list)):  # a subclass: data made in Python, not read from a file
                if value:
                    path.append(key)
                    if not walk(value.items() if isinstance(value, dict) else enumerate(value), depth + 1):
                        return False
                    path.pop()
            elif isinstance(value, (Decimal, int)) and not isinstance(value, bool):
                wrong(key, value)
        return True

    return walk(dict(data).items(), 0) if data else True


def _membership(data: Mapping[str, Any]) -> list[tuple[tuple[object, ...], str]]:
    """(key path, why) where units and cohorts disagree. A run lists every unit in exactly one cohort,
    and reports find units by code, so a unit given twice or in no cohort would silently drop out of
    every ranking table."""
    out: list[tuple[tuple[object, ...], str]] = []
    units = data.get("units")
    cohorts = data.get("cohorts")
    if not isinstance(units, list) or not isinstance(cohorts, list):
        return out
    if not units:  # no run writes that: a campaign reads at least one submission
        return [(("units",), "the file has no unit: there is nothing to report")]
    where: dict[str, int] = {}
    for i, unit in enumerate(units):
        code = unit["unit"]["code"]
        if code in where:
            out.append((("units", i, "unit", "code"), f"unit '{code}' is given twice (also units[{where[code]}])"))
        where.setdefault(code, i)
    listed: dict[str, str] = {}
    for c, cohort in enumerate(cohorts):
        for j, code in enumerate(cohort["units"]):
            if code not in where:
                out.append((("cohorts", c, "units", j), f"cohort '{cohort['name']}' lists '{code}', which is not a "
                                                         "unit of the file"))
            elif code in listed:
                out.append((("cohorts", c, "units", j), f"unit '{code}' is in two cohorts, '{listed[code]}' and "
                                                         f"'{cohort['name']}'"))
            listed.setdefault(code, cohort["name"])
    out.extend((("units", i, "unit", "code"), f"unit '{code}' is in no cohort, so no ranking would show it")
               for code, i in where.items() if code not in listed)
    return out


_LEAF_KEYS = ("code", "max_points", "status", "self_points", "computed_points", "appraisals", "final_points",
              "final_stage", "explanation", "declared", "verified", "flags", "error")


class ReportData:
    """Convenient views over the campaign JSON."""

    def __init__(self, data: Mapping[str, Any], *, vietnamese: bool = False) -> None:
        self.data = data
        self.vietnamese = vietnamese
        cs = data["criteria_set"]
        rounding = Rounding.model_validate({k: cs[k] for k in ("decimals", "percent_decimals") if k in cs})
        self.decimals = rounding.decimals  # 0 to 6, as a set can declare them (`data_problems` says why not)
        self.percent_decimals = rounding.percent_decimals
        self.criteria = {c["code"]: c for c in cs.get("criteria", [])}
        self.fields = [c for c in cs.get("criteria", []) if c.get("depth") == 0]
        self.bands = list(cs.get("bands", []))
        self.band_names = {b["code"]: (b.get("name") or b["code"]) for b in self.bands}
        self.units = list(data.get("units", []))

    @property
    def incomplete_units(self) -> list[Mapping[str, Any]]:
        """Units whose figure is incomplete (a criterion errored or was not evaluated)."""
        return [u for u in self.units if u.get("incomplete")]

    @property
    def complete(self) -> bool:
        """Whether the run is complete; files written before the field existed are taken at their word."""
        return bool(self.data.get("complete", True)) and not self.incomplete_units

    @property
    def title(self) -> str:
        return str(self.data["campaign"].get("name") or self.data["criteria_set"].get("name", ""))

    def name(self, code: str) -> str:
        return str(self.criteria.get(code, {}).get("name", ""))

    def field_of(self, unit: Mapping[str, Any], code: str) -> Mapping[str, Any] | None:
        """The unit's node of field `code` (a top-level criterion), or None."""
        if self.criteria.get(code, {}).get("depth") != 0:
            return None
        for node in unit.get("nodes", []):
            if node["code"] == code:
                return node
        return None

    def leaves(self, unit: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """The unit's leaves with every key present: the campaign format leaves out null and empty
        values and the maximum (which the criteria list holds)."""
        for leaf in unit.get("leaves", []):
            full = dict.fromkeys(_LEAF_KEYS)
            full.update(appraisals=[], flags=[], max_points=self.criteria.get(leaf["code"], {}).get("max_points"))
            full.update(leaf)
            yield full

    def losses(self, unit: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The unit's losses, largest first, with the criterion's name and the leaf's explanation,
        which the campaign format keeps in the criteria list and the unit's leaves."""
        leaves = {leaf["code"]: leaf for leaf in unit.get("leaves", [])}
        out = []
        for loss in (unit.get("gaps") or {}).get("losses") or []:
            leaf = leaves.get(loss["code"], {})
            out.append({"name": self.name(loss["code"]), "explanation": leaf.get("explanation", ""),
                        "points": leaf.get("final_points"), "status": leaf.get("status"), **loss})
        return out

    def cohorts(self) -> Iterator[tuple[str, list[Mapping[str, Any]]]]:
        """Cohorts in the campaign's order with their units in rank order."""
        by_code = {u["unit"]["code"]: u for u in self.units}
        for cohort in self.data.get("cohorts", []):
            yield cohort["name"], [by_code[c] for c in cohort.get("units", []) if c in by_code]

    def cohort_stats(self, name: str) -> Mapping[str, Any]:
        for cohort in self.data.get("cohorts", []):
            if cohort["name"] == name:
                return cohort.get("statistics", {})
        return {}

