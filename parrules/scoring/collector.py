"""The garbage collector held while a run builds its results.

A run makes many small, acyclic objects (a result per unit, per distinct leaf and node); every
allocation threshold would start a collection that walks all of them again. Results hold no
reference cycles, so nothing is lost by collecting once afterwards.

Nor is anything gained by collecting as soon as the block ends: the first collection after it would
walk every object the run made (they are all still in the youngest generation) only to find them
alive — 0.3–0.7 s at 10,000 units. They are moved to the oldest generation instead, which the
collector walks only after as many new long-lived objects again, and which still collects any
garbage cycle among them.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_gc_pauses() -> Iterator[None]:
    """Hold the cyclic garbage collector for the duration of the block (nesting is fine)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if not gc.get_freeze_count():  # a process that froze objects itself (before forking) keeps them so
                gc.freeze()  # every tracked object to the permanent generation: no walk, nothing collected …
                gc.unfreeze()  # … then all of it to the oldest generation, where full collections still look
            gc.enable()
