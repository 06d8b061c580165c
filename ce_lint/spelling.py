"""Names a slip of the keyboard apart (`evaluation_stratgy` for `evaluation_strategy`)."""

from __future__ import annotations

import functools


def near_typos(word: str, candidates: frozenset[str]) -> list[str]:
    """Candidates a slip of the keyboard away from `word` (case and `-`/`_` aside): one edit
    (a letter added, dropped, changed, or two swapped), two for names of 12 letters or more.
    Best first, at most three."""
    return list(_near_typos(word, candidates))


@functools.lru_cache(maxsize=4096)
def _near_typos(word: str, candidates: frozenset[str]) -> tuple[str, ...]:
    plain = word.lower().replace("-", "_")
    if len(plain) < 4:
        return ()  # `lr`, `bs`: too short to tell a slip from another name
    limit = 2 if len(plain) >= 12 else 1
    scored = []
    for candidate in candidates:
        if abs(len(candidate) - len(plain)) > limit:
            continue
        distance = edit_distance(plain, candidate.lower(), limit)
        if distance <= limit:
            scored.append((distance, candidate))
    return tuple(c for _, c in sorted(scored)[:3])


def edit_distance(a: str, b: str, limit: int) -> int:
    """Edits (insert, delete, replace, swap two neighbours) from `a` to `b`; limit + 1 once it
    is sure to pass `limit`."""
    if a == b:
        return 0
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], previous2[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
        previous2, previous = previous, row
    return previous[-1]
