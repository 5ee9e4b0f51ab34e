"""The garbage collector held while a run builds its results.

A run makes many small, acyclic objects (a result per unit, per distinct leaf and node); every
allocation threshold would start a collection that walks all of them again. Results hold no
reference cycles, so nothing is lost by collecting once afterwards.
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
            gc.enable()
