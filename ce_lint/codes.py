"""Rule codes named by prefix, as Ruff does: `CE1` names every field rule, `ALL` every rule."""

from __future__ import annotations

from collections.abc import Iterable


def longest_prefix(code: str, prefixes: Iterable[str]) -> int:
    """The length of the longest of `prefixes` that `code` starts with (`ALL`: 0; none: -1)."""
    return max(
        (0 if p == "ALL" else len(p) for p in prefixes if p == "ALL" or code.startswith(p)),
        default=-1,
    )


def code_selected(code: str, select: Iterable[str] | None, ignore: Iterable[str]) -> bool:
    """Ruff-style prefix selection: the most specific prefix decides, a tie ignores."""
    chosen = 0 if select is None else longest_prefix(code, select)
    return chosen >= 0 and longest_prefix(code, ignore) < chosen
