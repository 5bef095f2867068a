"""The garbage collector, kept off what a process built to start."""

from __future__ import annotations

import gc


def freeze_startup_heap() -> None:
    """Take everything alive now (modules, the app, its routes, schemas and mappers: well over 100,000 objects)
    out of the cycle collector's sight, after collecting what is already garbage.

    Under load every full collection walked all of them again: in a burst of webhook deliveries that was a
    quarter of the API process's CPU, for objects that live as long as the process. Called once, by a process's
    entry point, when it has built itself (a frozen object is never collected, so not from a library function).
    """
    gc.collect()
    gc.freeze()
