from __future__ import annotations

import gc
import weakref

from zapdesk.kit.heap import freeze_startup_heap


class _Node:
    other: _Node | None = None


def test_freezing_the_startup_heap_collects_garbage_first_and_freezes_what_lives() -> None:
    living = _Node()
    cycle = _Node()
    cycle.other = cycle  # garbage only the cycle collector can free
    gone = weakref.ref(cycle)
    del cycle
    before = gc.get_freeze_count()
    try:
        freeze_startup_heap()
        assert gone() is None
        assert gc.get_freeze_count() > before
        assert not any(tracked is living for tracked in gc.get_objects())  # out of the collector's sight
    finally:
        gc.unfreeze()
