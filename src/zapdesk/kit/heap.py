"""The garbage collector, kept off what a process built to start and off what a batch holds for a moment."""

from __future__ import annotations

import gc

# Container objects allocated (net) between two young collections; CPython's default is 700.
YOUNG_COLLECTION_EVERY = 20_000


def settle_heap() -> None:
    """Take everything alive now (modules, the app, its routes, schemas and mappers: well over 100,000 objects)
    out of the cycle collector's sight, after collecting what is already garbage; then collect young objects
    less often.

    Under load every full collection walked all of them again: in a burst of webhook deliveries that was a
    quarter of the API process's CPU, for objects that live as long as the process. And a batch of ingest keeps
    tens of thousands of objects (rows, events, payloads) alive for some milliseconds: collected every 700
    allocations, they outlived two young collections, reached the oldest generation and made full collections
    frequent, a fifth of a worker's time while it drained a backlog. Collected every 20,000, most are freed
    before they age. Called once, by a process's entry point, when it has built itself (a frozen object is
    never collected, so not from a library function).
    """
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, middle, oldest)
