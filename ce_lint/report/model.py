"""The report model: everything an output format prints, as plain immutable values.

ce_lint.reporting builds a `Report` from the engine's results and the adapters' documents;
the formats of this package only read it. They never see the Engine, a Document or a rule
kind: positions are resolved, fix edits are rendered as text and located, and the rules of
the run are described by their metadata.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from ..findings import Applicability, Severity


class Position(NamedTuple):
    """1-based row and column; columns count characters."""

    row: int
    column: int


@dataclass(frozen=True)
class FixEdit:
    """One text replacement of a fix: `text` replaces what lies between `start` and `end`."""

    text: str
    start: Position
    end: Position


@dataclass(frozen=True)
class ReportFix:
    applicability: Applicability
    message: str
    # The fix as text edits of the file; empty when the fix cannot be written as text.
    edits: tuple[FixEdit, ...] = ()
    # The lines the fix touches, before (`  12 - ...`) and after (`  12 + ...`): --show-fixes.
    preview: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportedFinding:
    """A finding with its position in the file (in its cell, for notebooks)."""

    path: str
    code: str
    severity: Severity
    message: str
    start: Position
    end: Position
    cell: int | None = None  # notebooks: the cell's number; rows count within the cell
    fix: ReportFix | None = None
    # For fingerprints (ce_lint.fingerprint): the fields the finding names, and the text
    # of its line, stripped.
    fields: tuple[str, ...] = ()
    line: str = ""


@dataclass(frozen=True)
class RuleInfo:
    """What the output formats tell about a rule (SARIF lists every rule of the run)."""

    code: str
    name: str
    summary: str
    why: str
    url: str
    group: str
    fix: str  # always | sometimes | never
    field: str | None = None  # the field a field rule is about


@dataclass(frozen=True)
class FixedFile:
    """What `fix` changed in one file: how many findings of each code (--show-fixes)."""

    path: str
    counts: tuple[tuple[str, int], ...]  # (code, how many), by code


@dataclass(frozen=True)
class Report:
    """One run's report. Findings are in print order: file, cell, row, column, code."""

    findings: tuple[ReportedFinding, ...]
    rules: Sequence[RuleInfo]  # every rule of the run, in rulebook order
    targets: str  # the releases judged against, as one line
    unsafe_fixes: bool = False
    fixed: int = 0  # findings fixed (fix command)
    would_fix: bool = False  # fix --diff: nothing was written
    show_fixes: bool = False
    color: bool = False
    quiet: bool = False  # findings only: no summary lines
    fixed_files: tuple[FixedFile, ...] = ()  # fix: by path

    @cached_property
    def _rules_by_code(self) -> dict[str, RuleInfo]:
        return {rule.code: rule for rule in self.rules}

    def rule(self, code: str) -> RuleInfo | None:
        return self._rules_by_code.get(code)

    def rule_name(self, code: str) -> str:
        """The rule's name, or "" for a code that is not a rule of the run."""
        rule = self.rule(code)
        return rule.name if rule is not None else ""
