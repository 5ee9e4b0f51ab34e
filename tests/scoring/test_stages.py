"""Score stages (self → computed → appraisal rounds → final), N/A rescaling, flags and rounding."""

from decimal import Decimal as D

import parrules

TWO_LEAVES = """
[criteria."1"]
name = "Lĩnh vực 1"
max_points = 6

[criteria."1.1"]
name = "Kế hoạch"
max_points = 2
rule = "yes_no"
allow_na = true
evidence = ["Kế hoạch CCHC năm"]

[criteria."1.2"]
name = "Hồ sơ đúng hạn"
max_points = 4
rule = "proportional"

[criteria."2"]
name = "Lĩnh vực 2"
max_points = 4
rule = "manual"
"""


def test_default_precedence_appraisal_then_computed_then_self(make_set, make_sub, registry):
    criteria = make_set(TWO_LEAVES)
    sub = make_sub("""
        [self_assessment]
        "1.1" = 2
        "1.2" = 4
        "2" = 3
        [answers]
        "1.2" = 75
        [[appraisals]]
        code = "2"
        round = 1
        points = 2
        reason = "thiếu tài liệu"
        [[appraisals]]
        code = "2"
        round = 2
        points = 2.5
        reason = "đã giải trình"
        """)
    r = parrules.score(criteria, sub)
    assert (r.leaf("1.1").final_points, r.leaf("1.1").final_stage) == (D(2), "self")
    assert (r.leaf("1.2").final_points, r.leaf("1.2").final_stage) == (D(3), "computed")
    assert (r.leaf("2").final_points, r.leaf("2").final_stage) == (D("2.5"), "appraisal")
    assert [a.round for a in r.leaf("2").appraisals] == [1, 2]
    assert r.total_points == D("7.5")


def test_declared_precedence_self_first(make_set, make_sub, registry):
    criteria = make_set(TWO_LEAVES, head='precedence = ["self", "computed"]\n')
    sub = make_sub('[self_assessment]\n"1.2" = 4\n[answers]\n"1.2" = 50\n"1.1" = true\n')
    r = parrules.score(criteria, sub)
    assert (r.leaf("1.2").final_points, r.leaf("1.2").final_stage) == (D(4), "self")
    assert (r.leaf("1.1").final_points, r.leaf("1.1").final_stage) == (D(2), "computed")
    assert r.leaf("2").status == "not_evaluated"


def test_not_applicable_leaves_the_denominator(make_set, make_sub, registry):
    criteria = make_set(TWO_LEAVES)
    sub = make_sub('[answers]\n"1.1" = "na"\n"1.2" = 100\n[self_assessment]\n"2" = 2\n')
    r = parrules.score(criteria, sub)
    assert r.leaf("1.1").status == "not_applicable"
    field = r.node("1")
    assert (field.points, field.applicable_max, field.percent) == (D(4), D(4), D("100.00"))
    assert (r.total_points, r.applicable_max, r.index) == (D(6), D(8), D("75.00"))


def test_not_applicable_full_points_policy(make_set, make_sub, registry):
    criteria = make_set(TWO_LEAVES, head='not_applicable = "full_points"\n')
    sub = make_sub('[answers]\n"1.1" = "na"\n"1.2" = 100\n[self_assessment]\n"2" = 2\n')
    r = parrules.score(criteria, sub)
    assert (r.total_points, r.applicable_max, r.index) == (D(8), D(10), D("80.00"))


def test_appraisal_can_overrule_a_self_declared_not_applicable(make_set, make_sub, registry):
    criteria = make_set(TWO_LEAVES)
    sub = make_sub('[self_assessment]\n"1.1" = "na"\n[[appraisals]]\ncode = "1.1"\npoints = 0\n'
                   'reason = "đơn vị có phát sinh, phải áp dụng"\n')
    leaf = parrules.score(criteria, sub).leaf("1.1")
    assert (leaf.status, leaf.final_points) == ("zero", D(0))


def test_flags_self_above_evidence_lowered_without_reason_missing_evidence(make_set, make_sub, registry):
    criteria = make_set(TWO_LEAVES)
    sub = make_sub("""
        [self_assessment]
        "1.1" = 2
        "1.2" = 4
        "2" = 4
        [answers]
        "1.1" = true
        "1.2" = 50
        [[appraisals]]
        code = "2"
        points = 1
        """)
    r = parrules.score(criteria, sub)
    assert [f.kind for f in r.leaf("1.2").flags] == ["self_above_evidence"]
    assert "Tự chấm 4 điểm nhưng minh chứng chỉ đạt 2 điểm" in r.leaf("1.2").flags[0].message
    assert [f.kind for f in r.leaf("2").flags] == ["lowered_without_reason"]
    assert [f.kind for f in r.leaf("1.1").flags] == ["missing_evidence"]


def test_attached_evidence_clears_the_flag_and_a_missing_file_is_flagged(make_set, make_sub, registry, tmp_path):
    criteria = make_set(TWO_LEAVES)
    (tmp_path / "kh.pdf").write_bytes(b"%PDF")
    ok = make_sub('[answers]\n"1.1" = true\n[[documents]]\nnumber = "1/KH"\nfile = "kh.pdf"\ncriteria = ["1.1"]\n')
    assert parrules.score(criteria, ok).leaf("1.1").flags == ()
    gone = make_sub('[answers]\n"1.1" = true\n[[documents]]\nnumber = "1/KH"\nfile = "gone.pdf"\ncriteria = ["1.1"]\n')
    r = parrules.score(criteria, gone)
    assert [f.kind for f in r.leaf("1.1").flags] == ["evidence_file_missing"]
    assert r.warnings == ("Không tìm thấy tệp kiểm chứng: gone.pdf",)


def test_statuses(make_set, make_sub, registry):
    criteria = make_set(TWO_LEAVES)
    r = parrules.score(criteria, make_sub('[answers]\n"1.1" = false\n"1.2" = 50\n'))
    assert [r.leaf(c).status for c in ("1.1", "1.2", "2")] == ["zero", "partial", "not_evaluated"]
    r = parrules.score(criteria, make_sub('[answers]\n"1.1" = true\n"1.2" = 100\n'))
    assert [r.leaf(c).status for c in ("1.1", "1.2")] == ["full", "full"]


def test_rounding_at_leaf_makes_published_tables_add_up(make_set, make_sub, registry):
    thirds = """
    [criteria."1"]
    name = "A"
    max_points = 1
    rule = "proportional"
    [criteria."2"]
    name = "B"
    max_points = 1
    rule = "proportional"
    [criteria."3"]
    name = "C"
    max_points = 1
    rule = "proportional"
    """
    sub_text = '[answers]\n"1" = 33.5\n"2" = 33.5\n"3" = 33.5\n'   # 0.335 points each
    at_leaf = parrules.score(make_set(thirds, total="3"), make_sub(sub_text))
    assert at_leaf.total_points == D("1.02")              # 0.34 × 3: what the published table shows
    at_report = parrules.score(make_set(thirds, total="3", head='rounding = { at = "report" }\n'),
                               make_sub(sub_text))
    assert at_report.total_points == D("1.01")            # 1.005 rounded once


def test_rounding_mode_half_even(make_set, make_sub, registry):
    crit = '[criteria."1"]\nname = "A"\nmax_points = 1\nrule = "proportional"\n'
    half_up = make_set(crit, total="1")
    half_even = make_set(crit, total="1", head='rounding = { mode = "half_even" }\n')
    sub = '[answers]\n"1" = 12.5\n'                        # 0.125 points
    assert parrules.score(half_up, make_sub(sub)).total_points == D("0.13")
    assert parrules.score(half_even, make_sub(sub)).total_points == D("0.12")


def test_bands_of_the_set_classify_the_index(make_set, make_sub, registry):
    head = 'bands = [ { code = "A", from = 80 }, { code = "B", from = 75, below = 80 } ]\n'
    criteria = make_set('[criteria."1"]\nname = "A"\nmax_points = 100\nrule = "proportional"\n', total="100",
                        head=head)
    band = {rate: parrules.score(criteria, make_sub(f'[answers]\n"1" = {rate}\n')).band
            for rate in ("80", "79.99", "75", "74.99")}
    assert band == {"80": "A", "79.99": "B", "75": "B", "74.99": None}


def test_same_inputs_give_byte_identical_json(make_set, make_sub, registry):
    criteria = make_set(TWO_LEAVES)
    text = '[answers]\n"1.1" = true\n"1.2" = 87.5\n[self_assessment]\n"2" = 3\n'
    sub = make_sub(text)
    first = parrules.to_json(parrules.score_many(criteria, [sub]).to_dict())
    second = parrules.to_json(parrules.score_many(criteria, [sub]).to_dict())
    assert first == second
    assert b'"total_points": 8.5' in first                 # exact decimals, not 8.5000000001


def test_provenance_stamp(make_set, make_sub, registry):
    criteria = make_set(TWO_LEAVES)
    sub = make_sub('[answers]\n"1.2" = 50\n')
    stamp = parrules.score(criteria, sub).provenance
    assert stamp.criteria_set_hash == criteria.content_hash and stamp.criteria_set_hash.startswith("sha256:")
    assert stamp.parrules_version
    assert ("parrules.builtin_rules", stamp.parrules_version) in stamp.plugins
    assert stamp.inputs == ((sub.source, sub.sha256),)
