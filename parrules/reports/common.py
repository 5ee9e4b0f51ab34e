"""What every report format shares: reading the campaign JSON, checking it, naming things.

Reports are rendered from the campaign JSON (`CampaignResult.to_dict()`, or the file a campaign run
wrote), never from engine objects, so `parrules report` can re-render last month's run without
re-scoring, and every format shows the same figures.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from parrules.amounts import bounded
from parrules.errors import Problem, ProblemsError, key_path
from parrules.files.reading import MAX_NESTING, LineIndex, nesting_problem
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
    Nesting is checked first, by `nesting_problem` (`CAMPAIGN_NESTING` levels), so no walk here or in
    a renderer can run out of stack.
    """
    deep = nesting_problem(data, file, LineIndex(), limit=CAMPAIGN_NESTING)
    if deep is not None:
        return [dataclasses.replace(deep, message=f"values are nested more than {CAMPAIGN_NESTING} levels deep "
                                    "here; no campaign results hold that many", hint=HAND_EDIT_HINT)]
    problems: list[Problem] = []
    cs = data.get("criteria_set")
    if isinstance(cs, Mapping):
        rounding = {k: cs[k] for k in ("decimals", "percent_decimals") if k in cs}
        found: list[Problem] = []
        validate_model(Rounding, rounding, file=file, prefix=("criteria_set",), lines=LineIndex(), problems=found)
        problems.extend(dataclasses.replace(p, hint=HAND_EDIT_HINT) for p in found)
    wrong = [*_figures_out_of_bounds(data), *_membership(data)]
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


def _figures_out_of_bounds(data: Mapping[str, Any]) -> list[tuple[tuple[object, ...], str]]:
    """(key path, why) of every number that no PAR figure can be.

    Recursive, which is safe only because `nesting_problem` has bounded the depth first; the key
    path is built only for a number that is wrong (a campaign JSON holds hundreds of thousands).
    """
    out: list[tuple[tuple[object, ...], str]] = []
    path: list[object] = []

    def check(key: object, value: Any) -> None:
        if isinstance(value, (dict, list)):
            path.append(key)
            walk(value)
            path.pop()
        elif isinstance(value, (Decimal, int)) and not isinstance(value, bool):
            try:
                bounded(Decimal(value))
            except ValueError as exc:
                out.append(((*path, key), str(exc)))

    def walk(value: dict[str, Any] | list[Any]) -> None:
        for key, inner in (value.items() if isinstance(value, dict) else enumerate(value)):
            check(key, inner)

    walk(dict(data))
    return out


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

