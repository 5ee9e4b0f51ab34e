"""The run JSON written from raw JSON of each distinct result is the plain path's JSON, byte for byte."""

from __future__ import annotations

import json
import tracemalloc
from decimal import Decimal

import orjson

import parrules
from parrules.scoring.json_writer import kept, run_json_chunks
from parrules.scoring.results import RunResult

from ..campaign_data import hand_set
from .test_columnwise import SET, crowd


def test_the_run_json_is_the_bytes_of_to_json_of_to_dict(tmp_path) -> None:
    criteria = hand_set(tmp_path, SET)
    run = parrules.score_many(criteria, crowd(tmp_path))
    statuses = {leaf.status for unit in run.units for leaf in unit.leaves}
    flagged = [leaf for unit in run.units for leaf in unit.leaves if leaf.flags or leaf.appraisals]
    assert {"error", "not_applicable", "partial", "full"} <= statuses and flagged  # every shape is written
    assert any(unit.incomplete for unit in run.units)
    plain = parrules.to_json(run.to_dict(), indent=False)
    assert run.to_json() == plain
    assert run.write_json(tmp_path / "run.json").read_bytes() == plain
    assert run.to_json(indent=True) == parrules.to_json(run.to_dict(), indent=True)
    data = json.loads(plain)
    assert [u["unit"]["code"] for u in data["units"]] == [u.unit.code for u in run.units]


def test_the_run_json_in_english_and_rounded_at_report(tmp_path) -> None:
    text = SET.replace('total_points = 20', 'total_points = 20\nrounding = { decimals = 3, at = "report" }')
    criteria = hand_set(tmp_path, text)
    subs = crowd(tmp_path)
    extra = parrules.submission_from_dict({"unit": {"code": "X", "name": "X"},
                                           "answers": {"1.3": Decimal("33.3333"), "1.2": Decimal("99.996")},
                                           "self_assessment": {"1.5": Decimal("0.75")}}, source="x.toml")
    run = parrules.score_many(criteria, [*subs, extra], language="en")
    for indent in (False, True):
        assert run.to_json(indent=indent) == parrules.to_json(run.to_dict(), indent=indent)


def test_a_run_of_no_units_and_pieces_of_whole_units(tmp_path) -> None:
    criteria = hand_set(tmp_path, SET)
    empty = RunResult(criteria.id, criteria.meta.name, criteria.meta.total_points, ())
    for indent in (False, True):
        assert empty.to_json(indent=indent) == parrules.to_json(empty.to_dict(), indent=indent)
    run = parrules.score_many(criteria, crowd(tmp_path))
    for indent in (False, True):
        pieces = list(run_json_chunks(run, indent=indent, batch=4))
        assert len(pieces) > 3 and b"".join(pieces) == parrules.to_json(run.to_dict(), indent=indent)


def test_a_cached_piece_keeps_no_more_memory_than_its_bytes() -> None:
    """orjson's result holds its 4 KiB starting buffer; a cache of 400,000 of them would hold 1.6 GB."""
    def piece(i: int) -> bytes:
        return orjson.dumps({"code": f"1.{i}", "explanation": "95 % → mức từ 90 % đến dưới 100 % → 0,5/1 điểm"})

    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        cached = [kept(piece(i)) for i in range(200)]  # as the writers' caches hold them
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert cached == [piece(i) for i in range(200)]
    assert held < sum(len(p) + 64 for p in cached) + 4096  # the pieces and the list, not 200 × 4 KiB


def test_a_written_run_leaves_no_cache_for_a_full_collection_to_find(tmp_path) -> None:
    """The writer's caches (every distinct leaf's JSON) sit in a reference cycle — each cache makes
    its pieces with a method of the writer — so they are emptied when the output is written rather
    than kept until the next full collection."""
    import gc

    run = parrules.score_many(hand_set(tmp_path, SET), crowd(tmp_path))
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        pieces = b"".join(run_json_chunks(run))
        gc.collect()
        left = [o for o in gc.garbage if isinstance(o, dict) and o and all(isinstance(v, bytes) for v in o.values())]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert pieces == parrules.to_json(run.to_dict(), indent=False)
    assert left == []
