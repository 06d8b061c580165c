"""A progress bar on stderr for long runs.

It appears only when stderr is a terminal and the run has already taken `delay` seconds,
so pre-commit, CI logs, pipes and quick runs never see it; it is erased when done.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from typing import TextIO, TypeVar

T = TypeVar("T")


class Progress:
    def __init__(self, total: int, enabled: bool, stream: TextIO | None = None, delay: float = 0.5):
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled and total > 1
        self.delay = delay
        self.done = 0
        self.started = time.monotonic()
        self.last_draw = 0.0
        self.drawn = False

    def advance(self, label: str = "") -> None:
        self.done += 1
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.started < self.delay or now - self.last_draw < 0.1:
            return
        self.last_draw = now
        width = 30
        filled = width * self.done // self.total
        bar = "#" * filled + "-" * (width - filled)
        tail = label[-40:]
        self.stream.write(f"\r\033[Kce-lint [{bar}] {self.done}/{self.total} {tail}")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.drawn = False


def progress(
    items: list[T], enabled: bool | None = None, stream: TextIO | None = None
) -> Iterator[T]:
    """Yield `items`, drawing a bar while they are worked on."""
    stream = stream if stream is not None else sys.stderr
    if enabled is None:
        enabled = stream.isatty()
    bar = Progress(len(items), enabled, stream)
    try:
        for item in items:
            yield item
            bar.advance(str(item))
    finally:
        bar.close()
