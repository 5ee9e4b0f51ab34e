"""Reading input files costs what their size does, whatever a hostile line holds."""

from __future__ import annotations

import parrules
from parrules.files.reading import LineIndex


def test_line_index_finds_tables_arrays_and_dotted_keys() -> None:
    text = ('[set]\nid = "x"\n[criteria."1.2"]\nname = "a"\n[[appraisals]]\ncode = "1"\n[[appraisals]]\n'
            'code = "2"\n"quoted.key" . bare = 1\n[ a . "b c" ]  # comment\nx = 1\nrows = [\n  [1, 2],\n]\n')
    lines = LineIndex(text)
    assert lines.line("criteria", "1.2", "name") == 4
    assert lines.line("appraisals", 1, "code") == 8
    assert lines.line("appraisals", 1, "quoted.key", "bare") == 9
    assert lines.line("a", "b c", "x") == 11
    assert lines.line("a", "b c", "rows") == 12  # "[1, 2]," inside an array is not a table header


def test_hostile_long_lines_are_read_in_one_pass() -> None:
    """Lines a regular expression backtracked on (a header-looking line of spaces took 33 s at 5 KB;
    at these sizes it would not finish) are read in one pass and recognised for what they are."""
    lines = LineIndex("\n".join(["[" + " " * 100_000 + "x", "[a" + " " * 100_000 + "]x", '"' + "\\" * 50_000,
                                 "a." * 50_000 + " ", "[b]", "k" + " " * 100_000 + "= 1"]))
    assert lines.line("a") is None  # "[a   ]x" is not a header: text follows the bracket
    assert lines.line("b", "k") == 6


def test_a_header_of_thousands_of_levels_is_indexed_in_linear_time() -> None:
    """Every prefix of a 30,000-level header used to be stored: 7.7 s and 3.5 GB for a 60 KB line."""
    lines = LineIndex("[" + "a." * 30_000 + "b]\nk = 1\n")
    assert lines.line("a", "a") == 1 and len(lines._lines) < 100


def test_an_integer_of_thousands_of_digits_is_a_problem_not_a_traceback(tmp_path) -> None:
    import pytest

    import parrules

    for name, text in (("a.toml", '[answers]\n"1" = ' + "9" * 5000 + "\n"), ("b.json", '{"x": ' + "9" * 5000 + "}")):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with pytest.raises(parrules.ProblemsError) as caught:
            parrules.load_submission(path)
        assert caught.value.problems[0].file == str(path)


def test_the_systems_refusals_are_said_in_the_readers_language() -> None:
    """A file the system refuses is said in the run's language for the refusals a clerk meets; an
    unusual one keeps the system's own words rather than a wrong translation."""
    import errno

    from parrules.files.reading import os_reason

    denied = PermissionError(errno.EACCES, "Permission denied")
    with parrules.speaking(language="vi"):
        assert os_reason(denied) == "không có quyền đọc"
        assert os_reason(OSError(errno.ELOOP, "Too many levels of symbolic links")).startswith("các liên kết")
        assert os_reason(OSError(errno.EXDEV, "Invalid cross-device link")) == "Invalid cross-device link"
    with parrules.speaking(language="en"):
        assert os_reason(denied) == "permission denied"


def test_a_json_key_given_twice_is_named_whichever_object_holds_it(tmp_path) -> None:
    import pytest

    from parrules.files.reading import read_document
    from parrules.messages import speaking

    path = tmp_path / "a.json"
    for text, key in (('{"a": 1, "b": {"c": 2, "d": 3, "c": 4}, "e": 5}', "'c'"),
                      ('{"a": 1, "b": 2, "a": 3, "b": 4}', "'a'")):
        path.write_text(text, encoding="utf-8")
        with speaking("en"), pytest.raises(parrules.ProblemsError) as caught:
            read_document(path)
        assert f"key {key} is given twice in one object" in caught.value.problems[0].message
    path.write_text('{"a": 1, "b": {"c": 2, "d": [{"e": 3}, {"e": 4}]}}', encoding="utf-8")
    assert read_document(path).data == {"a": 1, "b": {"c": 2, "d": [{"e": 3}, {"e": 4}]}}
