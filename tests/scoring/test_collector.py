"""The collector held during a run: enabled again afterwards, the run's objects moved to the oldest
generation (not walked), garbage cycles still collected, and a process's own frozen objects left frozen."""

from __future__ import annotations

import gc
import weakref

from parrules.scoring.collector import no_gc_pauses


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def _cycle() -> weakref.ref[_Node]:
    a, b = _Node(), _Node()
    a.other, b.other = b, a
    return weakref.ref(a)


def test_the_collector_is_held_then_enabled_with_the_runs_objects_in_the_oldest_generation() -> None:
    assert gc.isenabled()
    gc.collect()
    with no_gc_pauses():
        assert not gc.isenabled()
        kept = [[i] for i in range(50_000)]  # young objects a collection would walk
        with no_gc_pauses():  # nested: still held
            pass
        assert not gc.isenabled()
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert gc.get_count()[0] < 1_000  # moved on, not left for the next young collection to walk
    assert all(gc.is_tracked(item) for item in kept[:10])


def test_a_garbage_cycle_made_during_a_run_is_still_collected() -> None:
    with no_gc_pauses():
        dead = _cycle()
    assert dead() is not None  # nothing collected while held, nor when the block ends
    gc.collect()
    assert dead() is None


def test_objects_the_process_froze_stay_frozen() -> None:
    gc.collect()
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        with no_gc_pauses():
            pass
        assert gc.get_freeze_count() == frozen and gc.isenabled()
    finally:
        gc.unfreeze()
