"""Checking many files on every core: worker processes forked from the run, so each starts
with the engine, the knowledge and the script links already built, and sends back only
plain values (located findings), never a parsed tree.

A few files are checked in the run's own process: starting workers costs more than it saves.
Where processes cannot be forked (Windows, and macOS, where forking a process that may hold
system threads is unsafe), files are checked one after another.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many files to read, one process is faster (measured on 2 cores: the workers'
# start and the results' transfer cost about what 300 small files do).
MIN_FILES = 300
CHUNK = 8  # files per task: fewer round trips, while big files still spread out
_work: Callable[[Any], Any] | None = None  # what the forked workers run (set before forking)


def workers() -> int:
    if sys.platform != "linux":
        return 1
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _run(item: Any) -> Any:
    assert _work is not None
    return _work(item)


def map_in_order(work: Callable[[T], R], items: list[T]) -> Iterator[R]:
    """`work` of each item, in order; in forked workers when there are enough items."""
    count = min(workers(), 8)
    if count < 2 or len(items) < MIN_FILES:
        yield from map(work, items)
        return
    global _work
    _work = work
    try:
        import multiprocessing  # only where workers start

        context = multiprocessing.get_context("fork")
        with context.Pool(count) as pool:
            yield from pool.imap(_run, items, chunksize=CHUNK)
    finally:
        _work = None
