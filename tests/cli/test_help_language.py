"""`parrules … --help` and usage errors in Vietnamese by default, in English with `--lang en` or
PARRULES_LANG=en (issue #12), argparse's own words included."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from parrules.builtins.commands import COMMANDS
from parrules.cli.argparse_words import MESSAGES, speaking_argparse
from parrules.cli.common import help_key
from parrules.cli.main import build_parser, main
from parrules.messages import CORE, speaking

NAMES = [command.NAME for command in COMMANDS]


def _parsers(parser: argparse.ArgumentParser, name: str = "") -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """Every parser under `parser` (subcommands, and `new`'s own), named by its command words."""
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for word, sub in action.choices.items():
                yield from _parsers(sub, f"{name} {word}".strip())


def _texts(parser: argparse.ArgumentParser) -> list[tuple[str, str]]:
    """(what, text) of every text a parser shows: description, group titles, each option's help and metavar."""
    texts = [("description", parser.description or "")]
    texts += [(f"group {i}", group.title or "") for i, group in enumerate(parser._action_groups)]
    for action in parser._actions:
        what = "/".join(action.option_strings) or action.dest
        texts.append((f"{what} help", action.help or ""))
        if isinstance(action.metavar, str):
            texts.append((f"{what} metavar", action.metavar))
    return texts


def _built(language: str) -> dict[str, list[tuple[str, str]]]:
    with speaking(language), speaking_argparse():
        return {name: _texts(parser) for name, parser in _parsers(build_parser())}


def test_every_text_of_every_command_is_said_in_each_language() -> None:
    vi, en = _built("vi"), _built("en")
    assert set(vi) >= {"", *NAMES, "new plugin", "new set"}
    same = [f"{name or 'parrules'}: {what}: {text!r}" for name in vi
            for (what, text), (_, english) in zip(vi[name], en[name], strict=True)
            if text == english and text]
    assert same == []


@pytest.mark.parametrize("command", ["", *NAMES, "new set"])
def test_help_is_vietnamese_by_default_and_english_with_lang_en(command: str, capsys, monkeypatch) -> None:
    words = command.split()
    monkeypatch.delenv("PARRULES_LANG", raising=False)
    with pytest.raises(SystemExit) as exited:
        main([*words, "--help"])
    vi = capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--lang", "en", *words, "--help"])
    en = capsys.readouterr().out
    monkeypatch.setenv("PARRULES_LANG", "en")
    with pytest.raises(SystemExit):
        main([*words, "--help"])
    assert capsys.readouterr().out == en
    assert exited.value.code == 0
    assert vi.startswith(f"cách dùng: parrules {command}".rstrip()) and "tùy chọn:" in vi
    assert "in hướng dẫn này rồi thoát" in vi
    for english in ("usage:", "options:", "show this help message and exit", "positional arguments"):
        assert english not in vi
    assert en.startswith(f"usage: parrules {command}".rstrip()) and "show this help message and exit" in en
    if command:
        assert CORE.text(help_key(words[0]), "vi") in " ".join(vi.split()) or words[0] == "new"


def test_argparse_errors_speak_the_language(capsys, monkeypatch) -> None:
    monkeypatch.delenv("PARRULES_LANG", raising=False)
    with pytest.raises(SystemExit) as exited:
        main(["score"])
    assert exited.value.code == 2
    assert "parrules score: lỗi: thiếu các tham số bắt buộc: BỘ_TIÊU_CHÍ, BÁO_CÁO" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--lang", "en", "score"])
    assert "parrules score: error: the following arguments are required: SET, SUBMISSIONS" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["frobnicate"])
    assert "lựa chọn không hợp lệ: 'frobnicate'" in capsys.readouterr().err


def test_argparse_is_left_as_it_was() -> None:
    before = argparse._
    with pytest.raises(SystemExit):
        main(["--help"])
    assert argparse._ is before
    assert argparse.ArgumentParser().format_usage().startswith("usage: ")


def test_a_language_variable_that_is_not_a_language_is_wrong_usage(capsys, monkeypatch) -> None:
    monkeypatch.setenv("PARRULES_LANG", "fr")
    assert main(["--help"]) == 2
    assert "PARRULES_LANG='fr': không phải ngôn ngữ parrules có; chọn một trong vi, en" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--lang", "en", "--help"])        # --lang wins over the variable
    assert capsys.readouterr().out.startswith("usage: parrules")


def test_every_key_the_parser_needs_is_in_the_catalogue() -> None:
    """Keys the code builds (a command's help, argparse's words) are not found by the scan of literal
    `say("…")` keys (tests/messages): each must be in the catalogue, in English as argparse words it."""
    missing = [help_key(name) for name in NAMES if help_key(name) not in CORE]
    missing += [key for key in MESSAGES.values() if key not in CORE]
    assert missing == []
    assert {message: CORE.text(key, "en") for message, key in MESSAGES.items()} == {m: m for m in MESSAGES}
    with speaking("vi"):
        assert all(CORE.text(key, "vi") != CORE.text(key, "en") for key in MESSAGES.values())
