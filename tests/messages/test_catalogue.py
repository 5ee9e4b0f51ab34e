"""The message catalogue: every entry in both languages, every key the code uses exists, numbers by locale."""

from __future__ import annotations

import ast
import datetime
import string
from decimal import Decimal
from pathlib import Path

import pytest

from parrules.messages import CORE, Catalogue, CatalogueError, say, speaking
from parrules.messages.numbers import format_date, format_number

ROOT = Path(__file__).resolve().parents[2]


def _said_keys(folder: Path) -> set[tuple[str, str]]:
    """Every literal key given to a `say(...)` call (or `X.say(...)`) in the code under a folder."""
    found = set()
    for file in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                    and isinstance(node.args[0].value, str):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name == "say":
                    found.add((str(file.relative_to(ROOT)), node.args[0].value))
    return found


def test_every_key_the_core_says_is_in_the_catalogue() -> None:
    used = _said_keys(ROOT / "parrules")
    assert used, "the scan found no say() calls: it would pass whatever the code does"
    missing = sorted(f"{file}: {key}" for file, key in used if key not in CORE)
    assert not missing


def test_the_scan_finds_a_missing_key(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text('from parrules.messages import say\nsay("no.such.key", n=1)\n', encoding="utf-8")
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        assert _said_keys(tmp_path) == {("m.py", "no.such.key")}
    finally:
        ROOT = saved


PLUGIN_CATALOGUES = sorted((ROOT / "plugins").glob("*/*/messages.toml"))


@pytest.mark.parametrize("catalogue", PLUGIN_CATALOGUES, ids=lambda p: p.parent.name)
def test_every_key_a_standard_plugin_says_is_in_its_catalogue(catalogue: Path) -> None:
    """A plugin's `say` reads its own catalogue: a key it uses and does not hold would be a KeyError in
    the middle of a run (the criterion erroring), not a missing translation a reviewer sees."""
    used = _said_keys(catalogue.parent)
    assert used, f"{catalogue.parent.name} says nothing from its catalogue"
    loaded = Catalogue.load(catalogue)
    assert not sorted(f"{file}: {key}" for file, key in used if key not in loaded)


def test_the_problem_texts_are_in_both_languages_and_say_different_words() -> None:
    """Every problem message and hint (problems.toml) is written in each language, not copied: an entry
    whose Vietnamese equals its English is a forgotten translation, unless it holds no word at all."""
    keys = [k for k in list(CORE.keys()) if k.startswith("problem.")]
    assert len(keys) > 150

    def words(template: str) -> str:
        return "".join(literal for literal, *_ in string.Formatter().parse(template))

    same = [k for k in keys if CORE.text(k, "vi") == CORE.text(k, "en") and any(c.isalpha() for c in
                                                                               words(CORE.text(k, "vi")))]
    assert not same


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text, message", [
    ('[a]\nvi = "x"\n', "no text in en"),
    ('[a]\nvi = "x"\nen = "y"\nfr = "z"\n', "unknown language fr"),
    ('[a]\nvi = "{n:count} x"\nen = "{m:count} y"\n', "different placeholders"),
    ('[a]\nvi = "{n:points} x"\nen = "{n:count} y"\n', "different placeholders"),
    ('[a]\nvi = "{n:money}"\nen = "{n:money}"\n', "unknown kind 'money'"),
    ('[a]\nvi = "{n!r}"\nen = "{n!r}"\n', "not supported"),
    ('[a]\nvi = "{0}"\nen = "{0}"\n', "plain name"),
])
def test_a_catalogue_with_a_gap_does_not_load(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(CatalogueError, match=message):
        Catalogue.load(_write(tmp_path, text))


def test_a_key_given_in_two_files_is_refused(tmp_path: Path) -> None:
    for name in ("a.toml", "b.toml"):
        (tmp_path / name).write_text('[k]\nvi = "x"\nen = "y"\n', encoding="utf-8")
    with pytest.raises(CatalogueError, match="given twice"):
        Catalogue.load(tmp_path)


def test_every_core_entry_has_both_languages_with_the_same_placeholders() -> None:
    # Loading checks it; this proves the shipped catalogue loaded and has content in each language.
    keys = list(CORE.keys())
    assert len(keys) > 20
    for key in keys:
        assert CORE.text(key, "vi").strip() and CORE.text(key, "en").strip()


def test_say_speaks_the_voice_of_the_run() -> None:
    with speaking("vi"):
        assert say("status.full") == "đạt tối đa"
        assert say("run.incomplete_banner", units=1234, criteria=2).startswith("KẾT QUẢ CHƯA ĐẦY ĐỦ — 1.234 đơn vị có 2")
    with speaking("en"):
        assert say("status.full") == "full points"
        assert say("stage.appraisal", round=2) == "appraisal round 2"


def test_numbers_follow_the_language_and_the_declared_decimals(tmp_path: Path) -> None:
    cat = Catalogue.load(_write(tmp_path, '[x]\nvi = "{p:points} điểm, {r:percent} %"\nen = "{p:points} points, {r:percent} %"\n'))
    rate = Decimal(400) / Decimal(7)  # 57.142857142857142857…
    with speaking("vi", decimals=2, percent_decimals=1):
        assert cat.say("x", p=Decimal("1234.565"), r=rate) == "1.234,57 điểm, 57,1 %"
    with speaking("en", decimals=0, percent_decimals=2):
        assert cat.say("x", p=Decimal("83.5"), r=rate) == "84 points, 57.14 %"
    with speaking("vi"):
        assert cat.say("x", p=None, r=None) == "— điểm, — %"  # a missing figure is never 0


def test_formatting_agrees_with_babel() -> None:
    from babel.numbers import format_decimal

    for value in ("0", "83.55", "-1234567.891", "0.006", "1000000", "999.999"):
        for lang in ("vi", "en"):
            ours = format_number(Decimal(value), 2, lang)
            theirs = format_decimal(Decimal(value), format="#,##0.00", locale=lang, decimal_quantization=True)
            assert ours == theirs, (value, lang)
    assert format_date(datetime.date(2024, 3, 5), "vi") == "05/03/2024"
    assert format_date(datetime.date(2024, 3, 5), "en") == "5 Mar 2024"


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown language 'fr'"), speaking("fr"):
        pass
