from __future__ import annotations

import gc
import weakref

from zapdesk.kit.heap import YOUNG_COLLECTION_EVERY, settle_heap


class _Node:
    other: _Node | None = None


def test_settling_the_heap_collects_garbage_first_freezes_what_lives_and_collects_young_objects_less_often() -> None:
    living = _Node()
    cycle = _Node()
    cycle.other = cycle  # garbage only the cycle collector can free
    gone = weakref.ref(cycle)
    del cycle
    before, thresholds = gc.get_freeze_count(), gc.get_threshold()
    try:
        settle_heap()
        assert gone() is None
        assert gc.get_freeze_count() > before
        assert not any(tracked is living for tracked in gc.get_objects())  # out of the collector's sight
        assert gc.get_threshold() == (YOUNG_COLLECTION_EVERY, *thresholds[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
