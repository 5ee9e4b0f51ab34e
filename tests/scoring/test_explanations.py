"""Explanations, flags and plugin texts in the run's language, every figure rounded as the set declares.

A clerk reads "57,14 % → mức ≥ 50 % → 1/1 điểm", not "57.14285714285714285714285714285714 % → band
≥50 % → 1 of 1": the texts come from the catalogue in the voice of the run (the set's language unless
the caller says otherwise), and the figures they compute are rounded to the set's decimals (points)
and percent decimals (rates), so the explanation states the points the results publish.
"""

from __future__ import annotations

import ast
import re
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import parrules
from parrules.authoring import plugin_names, write_plugin
from parrules.campaign.run import load_campaign, run_campaign
from parrules.files.reading import tomllib
from parrules.scoring.stages import distinct_figures, join_trail, rounded_figure
from parrules.testing import build_set, build_submission, registry_with

ROOT = Path(__file__).resolve().parents[2]
THIRD = Decimal(100) / 3  # 33.33333333333333333333333333333333 %
SEVENTH = Decimal(400) / 7  # 57.14285714285714285714285714285714 %

# Every built-in rule kind, with parameters and answers that make the figures it computes long.
EVERY_KIND = {
    "1": {"name": "Lĩnh vực", "max_points": Decimal("13.1")},
    "1.1": {"name": "Có/không", "max_points": Decimal("0.7"), "rule": "yes_no"},
    "1.2": {"name": "Lựa chọn", "max_points": Decimal("0.7"), "rule": "choice",
            "options": {"Tốt": 100, "Khá": 33, "Kém": 0}},
    "1.3": {"name": "Mức", "max_points": 1, "rule": "bands",
            "bands": [{"from": 50, "percent": 100}, {"from": 20, "below": 50, "percent": 33}, {"below": 20, "points": 0}]},
    "1.4": {"name": "Tỷ lệ", "max_points": 2, "rule": "proportional", "cap": 90},
    "1.5": {"name": "Trừ theo lần", "max_points": 1, "rule": "deduction", "per_occurrence": Decimal("0.25")},
    "1.6": {"name": "Trừ theo mức", "max_points": Decimal("0.7"), "rule": "deduction",
            "severities": {"nhẹ": 33, "nặng": 100}},
    "1.7": {"name": "Khảo sát", "max_points": 6, "rule": "survey", "weights": {"A": 100, "B": 60, "C": 20}},
    "1.8": {"name": "Hội đồng chấm", "max_points": 1, "rule": "manual"},
    "T": {"name": "Điểm thưởng", "max_points": Decimal("1.5"), "role": "bonus"},
    "T.1": {"name": "Thưởng", "max_points": Decimal("1.5"), "rule": "bonus", "per_item": Decimal("0.5")},
    "P": {"name": "Điểm trừ", "max_points": 1, "role": "penalty"},
    "P.1": {"name": "Phạt", "max_points": 1, "rule": "penalty"},
}
ANSWERS = [  # per unit: an answer to each leaf (1.8 is the appraisers')
    {"1.1": True, "1.2": "Khá", "1.3": SEVENTH, "1.4": THIRD, "1.5": 3, "1.6": {"nhẹ": 1},
     "1.7": {"A": 2, "B": 1, "C": 0}, "T.1": 5, "P.1": Decimal("0.75")},
    {"1.1": False, "1.2": "Tốt", "1.3": THIRD, "1.4": Decimal(95), "1.5": 0, "1.6": "nặng",
     "1.7": {"A": 1, "B": 1, "C": 1}, "T.1": 1, "P.1": 2},
]
SELF = {"1.8": Decimal("0.755"), "1.3": 1}


def _criteria(**meta: object) -> parrules.CriteriaSet:
    return build_set(EVERY_KIND, registry=registry_with(),
                     rounding={"decimals": 2, "percent_decimals": 1, "mode": "half_up", "at": "leaf"}, **meta)


def _units() -> list[parrules.Submission]:
    return [build_submission(f"U{i}", answers=answers, self_assessment=SELF) for i, answers in enumerate(ANSWERS)]


def _too_precise(text: str, language: str, decimals: int = 2, percent_decimals: int = 1) -> list[str]:
    """Numbers in `text` with more decimals than the set declares: `percent_decimals` for a rate (a
    number before %), `decimals` for anything else (points)."""
    point = "," if language == "vi" else "."
    found = []
    for match in re.finditer(rf"\d+{re.escape(point)}(\d+)(\s*%)?", text):
        if len(match.group(1)) > (percent_decimals if match.group(2) else decimals):
            found.append(match.group(0))
    return found


@pytest.mark.parametrize("language", ["vi", "en"])
def test_no_built_in_rule_kind_writes_more_decimals_than_the_set_declares(language: str) -> None:
    run = parrules.score_many(_criteria(), _units(), language=language)
    leaves = [leaf for unit in run.units for leaf in unit.leaves]
    assert {leaf.code for leaf in leaves if leaf.explanation} >= {c for c, t in EVERY_KIND.items() if "rule" in t}
    texts = [leaf.explanation for leaf in leaves] + [f.message for leaf in leaves for f in leaf.flags]
    assert not [(t, _too_precise(t, language)) for t in texts if _too_precise(t, language)]
    # the scan finds what it looks for: the exact figures the rules computed
    assert _too_precise(f"{SEVENTH} % → 0.6666 of 1".replace(".", "," if language == "vi" else "."), language)


def test_the_explanations_read_as_an_appraisal_council_writes_them() -> None:
    first, second = parrules.score_many(_criteria(), _units()).units
    assert first.leaf("1.1").explanation == "Có → 0,7/0,7 điểm"
    assert first.leaf("1.2").explanation == "“Khá” → 33 % → 0,23/0,7 điểm"
    assert first.leaf("1.3").explanation == "57,1 % → mức ≥ 50 % → 1/1 điểm"
    assert first.leaf("1.4").explanation == "33,3 % ÷ 90 % × 2 → 0,74/2 điểm"
    assert second.leaf("1.4").explanation == "95 % (tính tối đa 90 %) ÷ 90 % × 2 → 2/2 điểm"
    assert first.leaf("1.6").explanation == "1 × nhẹ −33 % → 0,47/0,7 điểm (không dưới 0)"
    assert first.leaf("1.7").explanation == "3 phiếu, bình quân gia quyền 86,7 % → 5,2/6 điểm"
    assert first.leaf("1.8").explanation == "Tự chấm 0,76 điểm"
    assert first.leaf("T.1").explanation == "5 × 0,5 → cộng 1,5 điểm (tối đa 1,5 điểm)"
    assert first.leaf("P.1").explanation == "0,75 → trừ 0,75 điểm"
    assert first.leaf("1.3").flags == ()  # the self-assessment of 1 is what the evidence supports
    assert [f.kind for f in second.leaf("1.3").flags] == ["self_above_evidence"]
    assert second.leaf("1.3").flags[0].message == "Tự chấm 1 điểm nhưng minh chứng chỉ đạt 0,33 điểm"


def test_a_leafs_rounded_points_in_its_explanation_are_its_final_points() -> None:
    for mode, expected in (("half_up", "1.73"), ("down", "1.72"), ("up", "1.73"), ("half_even", "1.73")):
        criteria = build_set({"1": {"name": "Tỷ lệ", "max_points": 2, "rule": "proportional", "cap": 50}},
                             registry=registry_with(), rounding={"decimals": 2, "mode": mode, "at": "leaf"})
        leaf = parrules.score(criteria, build_submission(answers={"1": Decimal("43.2")}), language="en").leaf("1")
        assert (str(leaf.final_points), leaf.explanation) == (expected, f"43.2 % ÷ 50 % × 2 → {expected} of 2"), mode


def test_a_rounded_rate_never_contradicts_the_band_it_fell_in() -> None:
    criteria = build_set({"1": EVERY_KIND["1.3"]}, registry=registry_with())
    leaf = parrules.score(criteria, build_submission(answers={"1": Decimal("49.996")})).leaf("1")
    assert leaf.explanation == "49,996 % → mức từ 20 % đến dưới 50 % → 0,33/1 điểm"  # not "50 % → … dưới 50 %"
    assert rounded_figure(Decimal("49.996"), 2, lambda r: r < 50) == Decimal("49.996")
    assert distinct_figures(Decimal("0.751"), Decimal("0.75"), 2) == (Decimal("0.751"), Decimal("0.750"))
    assert distinct_figures(Decimal("0.7"), Decimal("0.7"), 2) == (Decimal("0.70"), Decimal("0.70"))


def test_the_run_speaks_the_sets_language_unless_told_otherwise() -> None:
    english_set = _criteria(language="en")
    unit = _units()[:1]
    assert parrules.score_many(english_set, unit).units[0].leaf("1.1").explanation == "yes → 0.7 of 0.7"
    assert parrules.score_many(english_set, unit, language="vi").units[0].leaf("1.1").explanation == "Có → 0,7/0,7 điểm"
    assert parrules.Engine().score(_criteria(), unit[0], language="en").leaf("1.1").explanation == "yes → 0.7 of 0.7"
    with parrules.speaking("en"):  # the caller's voice is not the run's: the set's language is
        assert parrules.score(_criteria(), unit[0]).leaf("1.1").explanation == "Có → 0,7/0,7 điểm"
    assert parrules.current_voice() == parrules.Voice("vi", 2, 2)  # and the run leaves no voice behind
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        parrules.score(_criteria(), unit[0], language="fr")
    with pytest.raises(parrules.ProblemsError, match="language"):
        _criteria(language="fr")


def test_join_trail_says_the_checks_figure_once() -> None:
    assert join_trail("6/12 hồ sơ → 50 %", "50 % → mức ≥ 50 % → 1/1 điểm") == "6/12 hồ sơ → 50 % → mức ≥ 50 % → 1/1 điểm"
    assert join_trail("6/12 hồ sơ → 50 %", "50 % × 2 → 1/2 điểm") == "6/12 hồ sơ → 50 % × 2 → 1/2 điểm"
    assert join_trail("6/12 hồ sơ → 5 %", "50 % × 2 → 1/2 điểm") == "6/12 hồ sơ → 5 % → 50 % × 2 → 1/2 điểm"


# -- a plugin rule's points that are no figure, a huge answer ------------------------------------------
class _Returning:
    def __init__(self, points: object) -> None:
        self.points = points

    @parrules.hookimpl
    def register_rule_kinds(self, register):  # noqa: ANN001, ANN201 - the hook's signature
        register("test_returns", lambda leaf, values: [parrules.Scored(self.points, "x") for _ in values],
                 description="gives the points it was built with")


@pytest.mark.parametrize(("points", "status", "said"), [
    ("2", "error", "trả về điểm không phải là số: '2'"),
    (float("nan"), "error", "trả về điểm không phải là số: nan"),
    (Decimal("NaN"), "error", "trả về điểm không phải là số: NaN"),
    (float("inf"), "error", "trả về điểm không phải là số: inf"),
    (True, "error", "trả về điểm không phải là số: True"),
    (5, "error", "cho 5 điểm, ngoài khoảng 0–2"),
    (2, "full", None), (0.5, "partial", None),
])
def test_a_plugin_rules_points_that_are_no_figure_error_its_criterion(points: object, status: str,
                                                                       said: str | None) -> None:
    criteria = build_set({"1": {"name": "x", "max_points": 2, "rule": "test_returns"}},
                         registry=registry_with(_Returning(points)))
    leaf = parrules.score(criteria, build_submission(answers={"1": 1})).leaf("1")
    assert leaf.status == status, leaf.error
    if said:
        assert said in leaf.error and leaf.error.startswith("quy tắc chấm 'test_returns'")
    else:
        assert type(leaf.final_points) is Decimal


def test_an_explanation_quoting_a_huge_answer_cuts_it_to_one_short_line() -> None:
    criteria = build_set({"1": EVERY_KIND["1.2"]}, registry=registry_with())
    leaf = parrules.score(criteria, build_submission(answers={"1": "\\\" " * 40_000})).leaf("1")
    assert leaf.status == "error" and len(leaf.error) < 300, leaf.error[:300]
    assert leaf.error.startswith("giá trị '") and "…" in leaf.error and "không có lựa chọn '" in leaf.error


# -- the example campaigns, in Vietnamese --------------------------------------------------------------
ENGLISH = re.compile(r"\b(of|points|self-assessed|deadline|on time|band|capped|forms|rows with faults)\b", re.I)
CAMPAIGNS = sorted(ROOT.glob("examples/*/campaign.toml"))


@pytest.fixture(scope="module")
def example_runs() -> list[parrules.RunResult]:
    return [run_campaign(load_campaign(path)).run for path in CAMPAIGNS]


def test_the_example_campaigns_explain_in_vietnamese_only(example_runs: list[parrules.RunResult]) -> None:
    assert len(example_runs) >= 5
    found = set()
    for path, run in zip(CAMPAIGNS, example_runs):
        rounding = load_campaign(path).criteria.meta.rounding
        for unit in run.units:
            texts = [leaf.explanation for leaf in unit.leaves] + [f.message for leaf in unit.leaves for f in leaf.flags]
            texts += list(unit.warnings)
            found.update(t for t in texts if ENGLISH.search(t)
                         or _too_precise(t, "vi", rounding.decimals, rounding.percent_decimals))
    assert not sorted(found)[:10]
    assert ENGLISH.search("3 late dossiers → 66.67 % → band <80 % → 0 of 1")  # the words it looks for


def test_the_examples_plugins_speak_english_in_an_english_run() -> None:
    campaign = load_campaign(ROOT / "examples/dak-nong-2020-districts/campaign.toml")
    subs = parrules.load_submissions(campaign.submission_files[:2])
    run = parrules.score_many(campaign.criteria, subs, data=campaign.data, language="en")
    texts = [leaf.explanation for unit in run.units for leaf in unit.leaves]
    assert any("deadline" in t for t in texts) and any(" of " in t for t in texts)
    assert not [t for t in texts if re.search(r"điểm|hồ sơ|thời hạn|phiếu", t)]


# -- plugins: their own catalogue, through the public API only ------------------------------------------
PLUGINS = sorted(p for p in (ROOT / "plugins").iterdir() if (p / "pyproject.toml").is_file())


@pytest.mark.parametrize("plugin", PLUGINS, ids=lambda p: p.name)
def test_each_standard_plugin_ships_a_catalogue_as_package_data(plugin: Path) -> None:
    config = tomllib.loads((plugin / "pyproject.toml").read_text(encoding="utf-8"))
    (module,) = [p for p in plugin.iterdir() if (p / "__init__.py").is_file()]
    assert config["tool"]["setuptools"]["package-data"] == {module.name: ["messages.toml"]}
    catalogue = parrules.Catalogue.load(module / "messages.toml")
    used = _said_keys(module)
    assert used and not sorted(used - set(catalogue.keys()))  # every key it says is in its catalogue


def _said_keys(folder: Path) -> set[str]:
    """Literal keys given to a `say(...)` call in a plugin, f-strings by their prefix."""
    found = set()
    for file in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and node.args and getattr(node.func, "id", getattr(node.func, "attr", "")) == "say":
                key = node.args[0]
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    found.add(key.value)
    return found


def _parrules_uses(tree: ast.Module) -> list[str]:
    """Every name of parrules a module reaches: `parrules.X` (imported or as an attribute)."""
    used = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "parrules":
            used += [node.module] if node.module != "parrules" else [f"parrules.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            used += [a.name for a in node.names if a.name.split(".")[0] == "parrules" and a.name != "parrules"]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "parrules":
            used.append(f"parrules.{node.attr}")
    return used


PUBLIC = {f"parrules.{name}" for name in parrules.__all__} | {"parrules.records", "parrules.testing"}


def _outside_the_api(folder: Path) -> list[str]:
    return sorted(f"{file.relative_to(folder)}: {name}" for file in folder.rglob("*.py")
                  for name in _parrules_uses(ast.parse(file.read_text(encoding="utf-8"))) if name not in PUBLIC)


@pytest.mark.parametrize("plugin", PLUGINS, ids=lambda p: p.name)
def test_plugins_use_only_the_public_api(plugin: Path) -> None:
    assert not _outside_the_api(plugin)


def test_the_public_api_check_sees_what_it_looks_for(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("import parrules\nfrom parrules.messages import say\n"
                                     "from parrules import speaking, _hidden\nparrules.scoring.x\n", encoding="utf-8")
    assert _outside_the_api(tmp_path) == ["bad.py: parrules._hidden", "bad.py: parrules.messages",
                                          "bad.py: parrules.scoring"]


def test_a_new_plugin_speaks_both_languages_through_the_public_api(tmp_path: Path) -> None:
    root = write_plugin("quang-tri", tmp_path)
    names = plugin_names("quang-tri")
    package = root / names["module"]
    assert (package / "messages.toml").is_file() and not _outside_the_api(root)
    assert tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"] == {names["module"]: ["messages.toml"]}
    sys.path.insert(0, str(root))
    try:
        module = __import__(names["module"])
        criteria = build_set({"1": {"name": "Số hóa", "max_points": 2, "rule": names["rule"], "threshold": 80,
                                    "check": names["check"], "metric": "share",
                                    "check_params": {"part": "digitised", "whole": "received"}}},
                             registry=registry_with(module))
        unit = build_submission(figures={"digitised": 2, "received": 3})
        assert parrules.score(criteria, unit).leaf("1").explanation == "2/3 received → 66,67 % < 80 % → 0/2 điểm"
        assert parrules.score(criteria, unit, language="en").leaf("1").explanation == \
            "2 of 3 received → 66.67 % < 80 % → 0 of 2"
    finally:
        sys.path.remove(str(root))
        sys.modules.pop(names["module"], None)
