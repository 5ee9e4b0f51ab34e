"""Each validation error of a criteria set: named file, key path, line, and a hint; all in one run."""

import textwrap

import pytest

import parrules


@pytest.fixture(autouse=True)
def _english():
    """These tests read the English texts of problems (a Vietnamese run is pinned in
    tests/sets/test_problem_language.py): the library speaks the voice active when a problem is made."""
    with parrules.speaking(language="en"):
        yield


HEAD = """[set]
id = "t"
name = "Thử"
level = "department"
total_points = 4
"""


def problems_of(write, registry, body: str, head: str = HEAD) -> list[parrules.Problem]:
    path = write("set.toml", head + textwrap.dedent(body))
    with pytest.raises(parrules.ProblemsError) as caught:
        parrules.load_criteria_set(path, registry)
    for problem in caught.value.problems:
        assert problem.file == str(path)
    return caught.value.problems


def only(problems):
    assert len(problems) == 1, problems
    return problems[0]


def test_syntax_error_names_the_line(write, registry):
    p = only(problems_of(write, registry, '[criteria."1"]\nname = "A"\nmax_points = = 4\n'))
    assert p.code == "syntax" and p.line == 8


def test_unknown_key_with_did_you_mean_and_line(write, registry):
    p = only(problems_of(write, registry, """
        [criteria."1"]
        name = "A"
        max_points = 4
        rule = "proportional"
        flor = 10
        """))
    assert p.path == 'criteria."1".flor'
    assert p.message == "unknown key 'flor' in [criteria.\"1\"]"
    assert p.hint == "did you mean 'floor'?"
    assert p.line == 11


def test_misspelled_max_points(write, registry):
    found = problems_of(write, registry, '[criteria."3"]\nname = "A"\nmax_point = 4\nrule = "manual"\n')
    messages = {p.message: p for p in found}
    assert "unknown key 'max_point' in [criteria.\"3\"]" in messages
    assert messages["unknown key 'max_point' in [criteria.\"3\"]"].hint == "did you mean 'max_points'?"
    # reported once, as the typo: the missing key it stands for is not a second problem
    assert "required key 'max_points' is missing in [criteria.\"3\"]" not in messages
    assert len(found) == 1


def test_wrong_type(write, registry):
    p = only(problems_of(write, registry, '[criteria."1"]\nname = "A"\nmax_points = "bốn"\nrule = "manual"\n'))
    assert p.path == 'criteria."1".max_points' and p.message.startswith("must be a number")


def test_unknown_key_in_set_metadata(write, registry):
    p = only(problems_of(write, registry, '[criteria."1"]\nname = "A"\nmax_points = 4\nrule = "manual"\n',
                         head=HEAD + 'totl_points = 4\n'))
    assert p.path == "set.totl_points" and p.hint == "did you mean 'total_points'?" and p.line == 6


def test_orphan_code(write, registry):
    p = only(problems_of(write, registry, """
        [criteria."1"]
        name = "A"
        max_points = 4
        rule = "manual"
        [criteria."2.1"]
        name = "B"
        max_points = 0
        rule = "manual"
        """))
    assert p.code == "orphan" and "'2' is not defined" in p.message


def test_duplicate_code_after_nfc(write, registry):
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Á.1")
    assert nfd != "Á.1"
    body = (f'[criteria."Á"]\nname = "A"\nmax_points = 4\n[criteria."Á.1"]\nname = "x"\nmax_points = 4\n'
            f'rule = "manual"\n[criteria."{nfd}"]\nname = "y"\nmax_points = 4\nrule = "manual"\n')
    found = problems_of(write, registry, body)
    assert any(p.code == "duplicate" for p in found)


def test_children_must_add_up(write, registry):
    p = only(problems_of(write, registry, """
        [criteria."1"]
        name = "A"
        max_points = 4
        [criteria."1.1"]
        name = "x"
        max_points = 1.5
        rule = "manual"
        [criteria."1.2"]
        name = "y"
        max_points = 2
        rule = "manual"
        """))
    assert p.code == "sum" and p.path == 'criteria."1".max_points'
    assert p.message == "children of '1' add up to 3.5 (1.5 + 2), not its max_points 4"


def test_fields_must_add_up_to_total(write, registry):
    p = only(problems_of(write, registry, '[criteria."1"]\nname = "A"\nmax_points = 3\nrule = "manual"\n'))
    assert p.path == "set.total_points" and "add up to 3, not total_points 4" in p.message


def test_band_worth_more_than_the_maximum(write, registry):
    p = only(problems_of(write, registry, """
        [criteria."1"]
        name = "A"
        max_points = 4
        rule = "bands"
        bands = [ { from = 90, points = 5 }, { below = 90, points = 0 } ]
        """))
    assert "bands[0] is worth 5 points, more than the maximum 4" in p.message


def test_bands_overlapping_and_out_of_order(write, registry):
    found = problems_of(write, registry, """
        [criteria."1"]
        name = "A"
        max_points = 4
        rule = "bands"
        bands = [ { from = 50, below = 95, points = 2 }, { from = 90, points = 4 }, { from = 10, below = 50, points = 0 } ]
        """)
    text = " | ".join(p.message for p in found)
    assert "out of order" in text and "overlap" in text


def test_set_bands_overlap(write, registry):
    head = HEAD + 'bands = [ { code = "A", from = 80 }, { code = "B", from = 75, below = 85 } ]\n'
    p = only(problems_of(write, registry, '[criteria."1"]\nname = "A"\nmax_points = 4\nrule = "manual"\n', head=head))
    assert "bands 'B' and 'A' overlap" in p.message


def test_unknown_rule_kind_suggests_installed_one(write, registry):
    p = only(problems_of(write, registry, '[criteria."1"]\nname = "A"\nmax_points = 4\nrule = "yesno"\n'))
    assert p.code == "unknown_rule" and p.hint == "did you mean 'yes_no'?"


def test_unknown_check(write, registry):
    p = only(problems_of(write, registry, """
        [criteria."1"]
        name = "A"
        max_points = 4
        rule = "proportional"
        check = "tthc.nonexistent"
        """))
    assert p.code == "unknown_check" and "no installed plugin provides the check 'tthc.nonexistent'" in p.message


def test_leaf_without_rule_and_group_with_rule(write, registry):
    found = problems_of(write, registry, """
        [criteria."1"]
        name = "A"
        max_points = 4
        rule = "manual"
        [criteria."1.1"]
        name = "x"
        max_points = 4
        """)
    assert {p.code for p in found} == {"invalid", "no_rule"}


def test_every_problem_of_the_file_in_one_run(write, registry):
    found = problems_of(write, registry, """
        [criteria."1"]
        name = "A"
        max_point = 2
        rule = "yesno"
        [criteria."2"]
        name = "B"
        max_points = 2
        rule = "bands"
        bands = [ { from = 0, points = 3 } ]
        [criteria."3.1"]
        name = "C"
        max_points = 1
        rule = "manual"
        """, head=HEAD.replace('level = "department"', 'level = "tỉnh"'))
    assert len(found) >= 5
    assert all(p.line for p in found if p.code != "missing")


def test_rule_role_mismatch(write, registry):
    p = only(problems_of(write, registry, '[criteria."1"]\nname = "A"\nmax_points = 4\nrule = "bonus"\n'))
    assert "belongs in a bonus part" in p.message


def test_submission_problems(make_set, make_sub, registry):
    criteria = make_set('[criteria."1"]\nname = "A"\nmax_points = 4\nrule = "choice"\noptions = { "Tốt" = 100 }\n',
                        total="4")
    sub = make_sub('[self_assessment]\n"1" = 5\n"9" = 1\n[answers]\n"1" = 3\n')
    with pytest.raises(parrules.ProblemsError) as caught:
        parrules.score(criteria, sub, language="en")  # score speaks the run's language: the set's, else this
    messages = [p.message for p in caught.value.problems]
    assert "5 points is outside 0..4 for '1'" in messages
    assert "'9' is not a criterion of set 't'" in messages
    assert any(m.startswith("answer for rule 'choice'") for m in messages)


def test_submission_paths_stay_inside_their_folder(write):
    path = write("sub.toml", '[unit]\ncode = "U"\nname = "U"\n[[documents]]\nfile = "../../etc/passwd"\n'
                             '[data]\ndossiers = "/etc/passwd"\n')
    with pytest.raises(parrules.ProblemsError) as caught:
        parrules.load_submission(path)
    assert [p.code for p in caught.value.problems] == ["path_outside", "path_outside"]


def test_negative_self_points(make_set, make_sub, registry):
    criteria = make_set('[criteria."1"]\nname = "A"\nmax_points = 4\nrule = "manual"\n', total="4")
    with pytest.raises(parrules.ProblemsError, match="outside 0..4"):
        parrules.score(criteria, make_sub('[self_assessment]\n"1" = -1\n'), language="en")
