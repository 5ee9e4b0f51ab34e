"""The shipped criteria sets: each validates, adds up, and matches what its sources establish.

The pinned figures below are the sources' figures (cited beside each), not read back from the files:
a set that drifts from its source fails here.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import parrules

ROOT = Path(__file__).resolve().parents[2]
SETS = sorted((ROOT / "criteria_sets").glob("*.toml"))
D = Decimal


def load(name: str) -> parrules.CriteriaSet:
    return parrules.load_criteria_set(ROOT / "criteria_sets" / f"{name}.toml")


def fields(cs: parrules.CriteriaSet) -> list[parrules.Node]:
    return [cs.nodes[code] for code in cs.roots]


def criteria_counts(cs: parrules.CriteriaSet) -> list[int]:
    return [len(f.children) for f in fields(cs)]


def sub_counts(cs: parrules.CriteriaSet) -> list[int]:
    return [sum(len(cs.nodes[c].children) for c in f.children) for f in fields(cs)]


def maxima(cs: parrules.CriteriaSet) -> list[Decimal]:
    return [f.max_points for f in fields(cs)]


def test_the_six_sets_are_shipped() -> None:
    assert {p.stem for p in SETS} >= {"par-province-2018", "par-province-2948", "par-province-876",
                                      "dak-nong-departments-2020", "dak-nong-districts-2020", "commune-framework"}


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.stem)
def test_every_set_validates_and_adds_up(path: Path) -> None:
    cs = parrules.load_criteria_set(path)
    assert cs.id == path.stem
    assert sum(maxima(cs), D(0)) == cs.meta.total_points == D(100)
    for node in cs.walk():
        if node.children:
            assert sum((cs.nodes[c].max_points for c in node.children), D(0)) == node.max_points, node.code


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.stem)
def test_every_criterion_states_its_provenance(path: Path) -> None:
    cs = parrules.load_criteria_set(path)
    for node in cs.walk():
        assert node.spec.provenance in ("transcribed", "modeled", "inferred"), node.code
        if node.spec.provenance == "transcribed":
            assert node.spec.source, f"{node.code} is transcribed but names no source"
    assert cs.meta.sources, "a set names its sources"


EVIDENCE_DRIVEN = {
    ("tthc.dossiers", "on_time_rate"), ("tthc.dossiers", "apology_rate"), ("tthc.dossiers", "postal_rate"),
    ("survey.sipas", "sipas_index"), ("documents.plan", "on_time"),
}


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.stem)
def test_evidence_driven_criteria_are_scored_by_plugin_checks(path: Path) -> None:
    cs = parrules.load_criteria_set(path)
    used = {(n.check.name, n.metric) for n in cs.nodes.values() if n.check is not None}
    assert used >= EVIDENCE_DRIVEN
    assert ("dvc.services", "online_dossier_share") in used or ("dvc.services", "online_share_level4") in used
    if cs.meta.level != "commune":
        assert ("dvc.services", "level34_share") in used
    for node in cs.nodes.values():
        if node.check is not None and node.check.name == "tthc.dossiers" and node.metric == "apology_rate":
            assert node.spec.if_no_value == "full", "no late dossiers means nothing to apologise for"


def test_2018_fields_and_bands_as_published() -> None:
    cs = load("par-province-2018")
    # seed 004 (Sóc Trăng 2018): 7,93/9 ... 13,70/16,5
    assert maxima(cs) == [D(x) for x in ("9", "10", "13", "12", "13.5", "12.5", "13.5", "16.5")]
    assert all(f.spec.provenance == "transcribed" for f in fields(cs))
    below = [cs.nodes[c] for f in fields(cs) for c in f.children]
    assert below and all(n.spec.provenance == "modeled" for n in below)
    bands = {b.code: b for b in cs.meta.bands}
    assert (bands["B"].from_, bands["B"].below, bands["B"].inferred) == (D(75), D(80), False)
    assert (bands["A"].from_, bands["A"].inferred) == (D(80), True) and bands["A"].note
    field8 = cs.nodes["8"]
    checks = {cs.nodes[c].check.name for c in cs.nodes if c.startswith("8.") and cs.nodes[c].check}
    assert checks == {"survey.question", "survey.sipas"}
    assert field8.name.startswith("Tác động của cải cách hành chính")


def test_2948_pinned_to_the_ministry_course_page() -> None:
    cs = load("par-province-2948")
    # bonoivu.cls.vn/BoNoiVuTemplate/ChiTietKhoaHoc/22610
    assert maxima(cs) == [D(x) for x in ("10", "10", "14.5", "11", "16", "7", "16", "15.5")]
    assert sub_counts(cs) == [6, 6, 16, 10, 16, 6, 18, 3]
    assert sum(sub_counts(cs)) == 81
    assert criteria_counts(cs) == [6, 4, 5, 4, 9, 3, 5, 3]  # per-field counts; the headline says 38


def test_876_keeps_what_is_established_and_marks_the_rest() -> None:
    cs = load("par-province-876")
    assert len(cs.roots) == 8
    assert sum(criteria_counts(cs)) == 37
    assert sum(sub_counts(cs)) == 88
    survey = sum((cs.nodes[c].max_points for c in cs.leaves
                  if cs.nodes[c].check is not None and cs.nodes[c].check.name.startswith("survey.")), D(0))
    assert survey == D(32)
    assert (cs.nodes["8"].max_points, cs.nodes["8.1"].max_points, cs.nodes["8.2"].max_points,
            cs.nodes["8.3"].max_points) == (D("38.5"), D(10), D(22), D("6.5"))
    assert sum((cs.nodes[str(i)].max_points for i in range(1, 8)), D(0)) == D("61.5")
    for code in map(str, range(1, 8)):
        assert "mô hình" in cs.nodes[code].spec.note, "field maxima 1-7 are not established"


def test_dak_nong_sets_have_the_seven_fields_and_bands() -> None:
    names = ["Công tác chỉ đạo, điều hành cải cách hành chính",
             "Xây dựng và tổ chức thực hiện văn bản quy phạm pháp luật", "Cải cách thủ tục hành chính",
             "Cải cách tổ chức bộ máy hành chính",
             "Xây dựng và nâng cao chất lượng đội ngũ cán bộ, công chức, viên chức",
             "Cải cách tài chính công", "Hiện đại hóa hành chính"]
    for name, level in (("dak-nong-departments-2020", "department"), ("dak-nong-districts-2020", "district")):
        cs = load(name)
        assert [f.name for f in fields(cs)] == names  # seed 000
        assert cs.meta.level == level
        bands = {b.code: b for b in cs.meta.bands}
        assert (bands["cao"].from_, bands["cao"].inferred) == (D(95), False)
        assert (bands["tuong_doi_cao"].from_, bands["tuong_doi_cao"].below) == (D(80), D(95))
        assert bands["duoi_80"].inferred


def test_commune_framework_is_small_and_modeled() -> None:
    cs = load("commune-framework")
    assert cs.meta.level == "commune"
    assert len(cs.leaves) < 25
    assert all(n.spec.provenance == "modeled" for n in cs.nodes.values())
    assert all(b.inferred for b in cs.meta.bands)
