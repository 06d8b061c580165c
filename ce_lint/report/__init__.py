"""Output formats. Every format renders the same list of findings.

A format is a function (findings, context) -> str registered in FORMATS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..adapters import Document, RenderError
from ..engine import Engine, FileResult
from ..findings import Applicability, Finding
from ..textio import TextEdit


@dataclass
class ReportContext:
    engine: Engine
    results: list[FileResult]
    unsafe_fixes: bool = False
    color: bool = False
    fixed: int = 0  # findings fixed (fix command)
    would_fix: bool = False  # fix --diff: nothing was written
    show_fixes: bool = False
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.results for f in r.findings]

    def document(self, finding: Finding) -> Document | None:
        for result in self.results:
            if result.path == finding.path:
                return result.document
        return None


@dataclass(frozen=True)
class Located:
    """A finding with everything an output format needs, positions already resolved."""

    finding: Finding
    row: int
    column: int
    end_row: int
    end_column: int
    cell: int | None
    edits: tuple[tuple[TextEdit, tuple[int, int], tuple[int, int]], ...]

    @property
    def code(self) -> str:
        return self.finding.code

    @property
    def path(self) -> str:
        return self.finding.path


def locate(finding: Finding, document: Document | None) -> Located:
    if document is None:
        return Located(finding, 1, 1, 1, 1, None, ())
    row, col = document.location(finding.span.start)
    end_row, end_col = document.location(finding.span.end)
    edits = []
    if finding.fix is not None:
        try:
            for fix_edit in finding.fix.edits:
                for edit in document.render(fix_edit):
                    edits.append((edit, document.location(edit.start), document.location(edit.end)))
        except RenderError:
            edits = []
    return Located(
        finding, row, col, end_row, end_col, document.cell(finding.span.start), tuple(edits)
    )


def located(ctx: ReportContext) -> list[Located]:
    out = []
    for result in ctx.results:
        for finding in result.findings:
            out.append(locate(finding, result.document))
    out.sort(key=lambda x: (x.path, x.row, x.column, x.code))
    return out


def display_path(path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return path


def fix_marker(finding: Finding) -> str:
    if finding.fix is None:
        return ""
    if finding.fix.applicability is Applicability.SAFE:
        return "[*] "
    if finding.fix.applicability is Applicability.UNSAFE:
        return "[-] "
    return ""


Formatter = Callable[[ReportContext], str]
FORMATS: dict[str, Formatter] = {}


def register(name: str) -> Callable[[Formatter], Formatter]:
    def wrap(fn: Formatter) -> Formatter:
        FORMATS[name] = fn
        return fn

    return wrap


def render(name: str, ctx: ReportContext) -> str:
    from . import json_format, text  # noqa: F401 (register formats)

    return FORMATS[name](ctx)


def format_names() -> list[str]:
    from . import json_format, text  # noqa: F401

    return sorted(FORMATS)
