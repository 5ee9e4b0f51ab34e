"""Reading input files costs what their size does, whatever a hostile line holds."""

from __future__ import annotations

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
