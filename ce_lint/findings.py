"""Findings and the abstract edits that rules propose.

Rules describe *what* should change (rename this key, drop that entry); each adapter
decides *how* the text changes, so a rule never knows a file format.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only: reading a report from the cache needs no model
    from .model import Entry, Site, Span, Value


class Severity(enum.StrEnum):
    ERROR = "error"  # the target libraries refuse it
    WARNING = "warning"  # accepted but deprecated or risky
    INFO = "info"  # a silent change of meaning worth knowing

    @property
    def fails(self) -> bool:
        return self is not Severity.INFO


class Applicability(enum.StrEnum):
    SAFE = "safe"  # same meaning as before
    UNSAFE = "unsafe"  # the meaning changes; the message says how
    DISPLAY_ONLY = "display-only"


# ---- abstract edits ---------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Template:
    """A string built from literal parts and other entries' values (org + "/" + name).

    Config adapters render it as a plain string; the Python adapter as an f-string.
    """

    parts: tuple[str | Value, ...]

    def concrete(self) -> str | None:
        out = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
            elif part.known and isinstance(part.py, str | int | float):
                out.append(str(part.py))
            else:
                return None
        return "".join(out)


@dataclass(frozen=True, eq=False)
class KeepValue:
    """Keep the entry's value as written (a rename)."""


KEEP = KeepValue()


@dataclass(frozen=True, eq=False)
class Rewrite:
    """Replace `entry` by `key: value` in place (value may be KEEP)."""

    entry: Entry
    key: str
    value: Any = KEEP


@dataclass(frozen=True, eq=False)
class Remove:
    entry: Entry


@dataclass(frozen=True, eq=False)
class AddEntry:
    """Add `key: value` to a mapping: the Site itself, or a mapping Value inside it."""

    container: Site | Value
    key: str
    value: Any
    after: Entry | None = None  # where to put it; default is after the last entry


@dataclass(frozen=True, eq=False)
class ReplaceSource:
    """Replace an arbitrary span by text (for format-specific rules such as imports)."""

    span: Span
    text: str


@dataclass(frozen=True, eq=False)
class ReplaceRead:
    """Replace a read of `entry`'s field (an expression that reads the attribute) by `value`,
    the value the libraries now behave as if the removed field always had."""

    entry: Entry
    value: Any


AbstractEdit = Rewrite | Remove | AddEntry | ReplaceSource | ReplaceRead


@dataclass(frozen=True, eq=False)
class Fix:
    applicability: Applicability
    message: str
    edits: tuple[AbstractEdit, ...]


@dataclass(frozen=True, eq=False)
class Finding:
    code: str
    message: str
    severity: Severity
    path: str
    span: Span
    site: Site | None = None
    fix: Fix | None = None
    # Fields this finding is about (names every field of a cross-field finding).
    fields: tuple[str, ...] = ()

    @property
    def fixable(self) -> bool:
        return self.fix is not None and self.fix.applicability is not Applicability.DISPLAY_ONLY
