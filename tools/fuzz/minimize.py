"""Delta debugging: the smallest input that still fails with the same signature.

First whole lines go (ddmin over lines), then single characters (ddmin over characters), each
within a time budget. The test is "does the input still show this failure signature".
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from .mutate import lines_of
from .props import Failure, Harness


def ddmin(items: Sequence[str], test: Callable[[list[str]], bool], deadline: float) -> list[str]:
    """Zeller's ddmin (complements first), then one item at a time; stops at the deadline."""
    current = list(items)
    n = 2
    while len(current) >= 2 and time.monotonic() < deadline:
        size = max(1, len(current) // n)
        reduced = False
        for start in range(0, len(current), size):
            candidate = current[:start] + current[start + size :]
            if candidate and test(candidate):
                current, n, reduced = candidate, max(n - 1, 2), True
                break
            if time.monotonic() >= deadline:
                return current
        if not reduced:
            if size == 1:
                break
            n = min(n * 2, len(current))
    return current


class Minimizer:
    """Shrinks inputs of one format against one failure signature and mode."""

    def __init__(self, harness: Harness, fmt: str, mode: str, signature: str):
        self.harness = harness
        self.fmt = fmt
        self.mode = mode
        self.signature = signature
        self.cache: dict[bytes, bool] = {}
        self.last: Failure | None = None

    def fails(self, data: bytes) -> bool:
        if data not in self.cache:
            failures = self.harness.run_mode(data, self.fmt, self.mode)
            match = [f for f in failures if f.signature == self.signature]
            if match:
                self.last = match[0]
            self.cache[data] = bool(match)
        return self.cache[data]

    def minimize(self, data: bytes, budget: float = 60.0) -> bytes:
        deadline = time.monotonic() + budget
        if not self.fails(data):
            return data
        text = data.decode("utf-8", "surrogateescape")

        def encode(parts: list[str]) -> bytes:
            return "".join(parts).encode("utf-8", "surrogateescape")

        # Lines, then characters; a second round of lines when characters freed some.
        lines = ddmin(lines_of(text), lambda c: self.fails(encode(c)), deadline)
        chars = ddmin(list("".join(lines)), lambda c: self.fails(encode(c)), deadline)
        best = encode(chars)
        self.fails(best)  # leaves self.last describing the minimised input
        return best
