"""Starting points that work before they are edited: a plugin package and a criteria set
(`parrules new plugin NAME`, `parrules new set`).

A province's IT officer writing a first plugin should start from a package that installs, is found
by parrules and passes its own tests, then change it step by step; a clerk writing a first set should
start from a file that validates and says in comments what each key means.
"""

from __future__ import annotations

import re
from pathlib import Path

from parrules.errors import Problem, ProblemsError
from parrules.files.writing import write_atomic
from parrules.messages import say

_SLUG = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")


def plugin_names(name: str) -> dict[str, str]:
    """Distribution, module, entry-point and item names derived from the name a user typed."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.strip().lower()).strip("-")
    slug = slug.removeprefix("parrules-")
    if not _SLUG.match(slug):
        raise ProblemsError([Problem(say("problem.authoring.command_line"), "NAME",
                                     say("problem.authoring.plugin_name", name=repr(name)),
                                     hint=say("problem.authoring.plugin_name_hint"))])
    ident = slug.replace("-", "_")
    return {"slug": slug, "dist": f"parrules-{slug}", "module": f"parrules_{ident}", "entry": ident,
            "check": f"{ident}.figure_share", "rule": f"{ident}_at_least"}


_PYPROJECT = """\
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "{dist}"
version = "0.1.0"
description = "A parrules plugin: {check} check and {rule} rule kind"
requires-python = ">=3.10"
dependencies = ["parrules"]

[project.optional-dependencies]
test = ["pytest>=7.4"]

# This is how parrules finds the plugin: the entry point group "parrules".
[project.entry-points.parrules]
{entry} = "{module}"

[tool.setuptools]
packages = ["{module}"]

# The plugin's texts in Vietnamese and English, installed with it.
[tool.setuptools.package-data]
{module} = ["messages.toml"]

[tool.pytest.ini_options]
testpaths = ["tests"]
# The parrules_registry fixture registers the built-ins and these modules only.
parrules_plugins = ["{module}"]
"""

_MODULE = '''\
"""{dist}: a parrules plugin.

It adds one evidence check, {check}, and one rule kind, {rule}. Rename, change and add to them;
`parrules plugins` lists what is installed, and docs/plugins.md in parrules describes every hook.
Import only what `parrules` exports: that is the API that stays stable.

Every text a clerk reads comes from messages.toml, in Vietnamese and English side by side; the run
chooses the language (the set's `language`, or `--lang`) and the decimals, so write figures with
`rounded_points` / `rounded_percent` into `{{x:number}}` placeholders.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from parrules import Catalogue, Measurement, Scored, hookimpl, rounded_percent, rounded_points, to_decimal

HUNDRED = Decimal(100)
MESSAGES = Catalogue.load(Path(__file__).with_name("messages.toml"))
say = MESSAGES.say


def figure_share(units, params):
    """Share of one declared figure in another, e.g. dossiers digitised among dossiers received.

    Called once for all units; returns unit code -> Measurement (or an exception for that unit).
    """
    part_name, whole_name = params["part"], params["whole"]
    out = {{}}
    for unit in units:
        try:
            part = to_decimal(unit.figures[part_name])
            whole = to_decimal(unit.figures[whole_name])
        except KeyError as missing:
            out[unit.code] = ValueError(say("{entry}.figure_missing", figure=missing.args[0]))
            continue
        if whole == 0:
            out[unit.code] = Measurement({{"share": None, "count": whole}},
                                         {{"share": say("{entry}.nothing_to_measure", whole=whole_name)}})
            continue
        share = part * HUNDRED / whole
        out[unit.code] = Measurement(
            {{"share": share, "count": whole}},
            {{"share": say("{entry}.share", part=part, whole=whole, name=whole_name,
                          share=rounded_percent(share))}},
        )
    return out


def at_least(leaf, values):
    """Full points when the value reaches the threshold, otherwise none. One Scored per value."""
    threshold = to_decimal(leaf.params["threshold"])
    out = []
    for value in values:
        number = to_decimal(value)
        reached = number >= threshold
        points = leaf.max_points if reached else Decimal(0)
        shown = rounded_percent(number)  # as the set declares, unless rounding crosses the threshold
        if (shown >= threshold) != reached:
            shown = number
        out.append(Scored(points, say("{entry}.at_least", value=shown, sign="≥" if reached else "<",
                                      threshold=threshold, points=rounded_points(points), max=leaf.max_points)))
    return out


@hookimpl
def register_checks(register):
    register(
        "{check}",
        figure_share,
        description="Share (%) of one declared figure in another",
        metrics={{"share": "part ÷ whole × 100", "count": "the whole"}},
        params_schema={{
            "type": "object",
            "properties": {{"part": {{"type": "string"}}, "whole": {{"type": "string"}}}},
            "required": ["part", "whole"],
            "additionalProperties": False,
        }},
    )


@hookimpl
def register_rule_kinds(register):
    register(
        "{rule}",
        at_least,
        description="Full points from a threshold on, none below it",
        params_schema={{
            "type": "object",
            "properties": {{"threshold": {{"type": "number"}}}},
            "required": ["threshold"],
            "additionalProperties": False,
        }},
        input_schema={{"type": ["number", "string"]}},
    )
'''

_TESTS = '''\
"""Tests of {dist}, using the fixtures parrules ships for plugin authors (parrules.testing)."""

import pytest

from parrules import ProblemsError
from parrules.testing import assert_explains, assert_points, assert_problem, assert_status, assert_total

CRITERIA = {{
    "1": {{
        "name": "Số hóa hồ sơ khi tiếp nhận",
        "max_points": 2,
        "rule": "{rule}",
        "threshold": 80,
        "check": "{check}",
        "metric": "share",
        "check_params": {{"part": "digitised", "whole": "received"}},
    }},
}}


def test_plugin_is_registered(parrules_registry):
    assert "{check}" in parrules_registry.checks
    assert "{rule}" in parrules_registry.rule_kinds


def test_share_above_threshold_scores_full_points(parrules_set, parrules_submission, parrules_score):
    criteria = parrules_set(CRITERIA)
    unit = parrules_submission("U1", figures={{"digitised": 90, "received": 100}})
    result = parrules_score(criteria, unit)
    assert_points(result, "1", 2)
    assert_explains(result, "1", "90/100 received → 90 % ≥ 80 % → 2/2 điểm")
    assert_total(result, 2)


def test_share_below_threshold_scores_nothing(parrules_set, parrules_submission, parrules_score):
    criteria = parrules_set(CRITERIA)
    result = parrules_score(criteria, [parrules_submission("U1", figures={{"digitised": 3, "received": 4}})])
    assert_points(result, "1", 0)


def test_missing_figure_marks_the_criterion_errored(parrules_set, parrules_submission, parrules_score):
    criteria = parrules_set(CRITERIA)
    result = parrules_score(criteria, parrules_submission("U1", figures={{"received": 4}}))
    assert_status(result, "1", "error")


def test_threshold_is_required(parrules_set):
    broken = {{"1": {{**CRITERIA["1"]}}}}
    del broken["1"]["threshold"]
    with pytest.raises(ProblemsError) as caught:
        parrules_set(broken)
    assert_problem(caught, contains="threshold")
'''

_MESSAGES = """\
# The texts of {dist}, in Vietnamese and English side by side.
# parrules refuses the file when a text lacks a language or the two use different placeholders.
# {{x:number}} shows a figure in the reader's style (83,55 in Vietnamese); {{n:count}} a whole number;
# {{day:date}} a date; {{x}} a text.

[{entry}.share]
vi = "{{part:number}}/{{whole:number}} {{name}} → {{share:number}} %"
en = "{{part:number}} of {{whole:number}} {{name}} → {{share:number}} %"

[{entry}.nothing_to_measure]
vi = "không có {{whole}}: không có gì để đo"
en = "no {{whole}}: nothing to measure"

[{entry}.figure_missing]
vi = "số liệu '{{figure}}' chưa được kê khai trong [figures]"
en = "figure '{{figure}}' is not declared in [figures]"

[{entry}.at_least]
vi = "{{value:number}} % {{sign}} {{threshold:number}} % → {{points:number}}/{{max:number}} điểm"
en = "{{value:number}} % {{sign}} {{threshold:number}} % → {{points:number}} of {{max:number}}"
"""

_README = """\
# {dist}

A [parrules](https://pypi.org/project/parrules/) plugin: the evidence check `{check}` and the rule
kind `{rule}`.

    pip install -e .[test]
    parrules plugins          # lists {entry}
    pytest                    # the plugin's own tests

Every text a clerk reads is in `{module}/messages.toml`, in Vietnamese and English side by side; the
run's language (the set's `language`, or `--lang`) chooses which is written.

Use it in a criteria set:

    [criteria."2.4"]
    name = "Tỷ lệ hồ sơ được số hóa khi tiếp nhận"
    max_points = 2
    rule = "{rule}"
    threshold = 80
    check = "{check}"
    metric = "share"
    check_params = {{ part = "digitised", whole = "received" }}
"""


def write_plugin(name: str, directory: str | Path = ".") -> Path:
    """Write the package `parrules-NAME/` under `directory`; refuse to overwrite anything."""
    names = plugin_names(name)
    root = Path(directory) / names["dist"]
    if root.exists():
        raise ProblemsError([Problem(str(root), "", say("problem.authoring.exists"),
                                     hint=say("problem.authoring.exists_plugin_hint"))])
    files = {
        "pyproject.toml": _PYPROJECT,
        "README.md": _README,
        f"{names['module']}/__init__.py": _MODULE,
        f"{names['module']}/messages.toml": _MESSAGES,
        "tests/test_plugin.py": _TESTS,
    }
    for relative, template in files.items():
        write_atomic(root / relative, template.format(**names))
    return root


SET_TEMPLATE = """\
# {c_head}
# {c_tree}
# {c_sums}
# {c_more}

[set]
id = "{id}"                      # {c_id}
name = "{name}"
level = "{level}"                # {c_level}
year = {year}
total_points = 10                # {c_total}
# legal_basis = [{{ number = "…/QĐ-UBND", date = {year}-01-15 }}]
rounding = {{ decimals = 2, mode = "half_up", at = "leaf" }}
# {c_bands}
bands = [
  {{ code = "tot", name = "Tốt", from = 80 }},
  {{ code = "kha", name = "Khá", from = 65, below = 80 }},
  {{ code = "trung_binh", name = "Trung bình", from = 50, below = 65 }},
  {{ code = "yeu", name = "Yếu", below = 50 }},
]

[criteria."1"]
name = "Công tác chỉ đạo, điều hành cải cách hành chính"
max_points = 4                   # = 1.1 + 1.2

[criteria."1.1"]
name = "Ban hành kế hoạch CCHC năm"
max_points = 2
rule = "yes_no"                  # {c_yes_no}
method = "Có ban hành: 2 điểm; không ban hành: 0 điểm"

[criteria."1.2"]
name = "Mức độ hoàn thành kế hoạch CCHC"
max_points = 2
rule = "choice"                  # {c_choice}
options = {{ "Hoàn thành 100%" = 100, "Từ 80% đến dưới 100%" = 50, "Dưới 80%" = 0 }}

[criteria."2"]
name = "Cải cách thủ tục hành chính"
max_points = 6                   # = 2.1 + 2.2

[criteria."2.1"]
name = "Tỷ lệ hồ sơ TTHC giải quyết đúng hạn"
max_points = 4
rule = "bands"                   # {c_band_rule}
bands = [
  {{ from = 100, points = 4 }},
  {{ from = 90, below = 100, points = 2 }},
  {{ below = 90, points = 0 }},
]

[criteria."2.2"]
name = "Tỷ lệ hồ sơ tiếp nhận trực tuyến"
max_points = 2
rule = "proportional"            # {c_proportional}
cap = 50
allow_na = true                  # {c_allow_na}

[criteria."T"]
name = "Điểm thưởng"
max_points = 1
role = "bonus"                   # {c_bonus}

[criteria."T.1"]
name = "Sáng kiến CCHC được công nhận"
max_points = 1
rule = "bonus"
per_item = 0.5
"""


def _set_comments(file: str) -> dict[str, str]:
    """The template's comments in the voice of the run (`authoring.toml`): the clerk who writes a first
    set reads what each key means in the clerk's language."""
    return {
        "c_head": say("authoring.set.head", file=file), "c_tree": say("authoring.set.tree"),
        "c_sums": say("authoring.set.sums"), "c_more": say("authoring.set.more"), "c_id": say("authoring.set.id"),
        "c_level": say("authoring.set.level"), "c_total": say("authoring.set.total"),
        "c_bands": say("authoring.set.bands"), "c_yes_no": say("authoring.set.yes_no"),
        "c_choice": say("authoring.set.choice"), "c_band_rule": say("authoring.set.band_rule"),
        "c_proportional": say("authoring.set.proportional"), "c_allow_na": say("authoring.set.allow_na"),
        "c_bonus": say("authoring.set.bonus"),
    }


def write_set(path: str | Path, *, set_id: str = "my-set", name: str = "Bộ tiêu chí xác định Chỉ số CCHC",
              level: str = "department", year: int = 2025) -> Path:
    target = Path(path)
    if target.exists():
        raise ProblemsError([Problem(str(target), "", say("problem.authoring.exists"),
                                     hint=say("problem.authoring.exists_set_hint"))])
    text = SET_TEMPLATE.format(id=set_id, name=name.replace('"', '\\"'), level=level, year=year,
                               **_set_comments(target.name))
    return write_atomic(target, text)

