"""What can go wrong reading a file as a format, or writing an edit into it."""

from __future__ import annotations

from dataclasses import dataclass


class RenderError(Exception):
    """The adapter cannot express this edit in its format; the fix is skipped."""


@dataclass(frozen=True)
class ParseProblem:
    """A file the adapter could not read as its format."""

    message: str
    offset: int = 0
    end: int | None = None
