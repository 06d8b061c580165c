"""Output formats. Every format renders the same list of findings.

A format is a function (context) -> str registered in FORMATS by `@register(name)` in its
own module; FORMAT_MODULES lists those modules so the names are known without guessing.
"""

from __future__ import annotations

import importlib
from collections import Counter
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
    quiet: bool = False  # findings only: no summary lines
    # fix: codes fixed per file, for --show-fixes
    fixed_codes: dict[str, Counter[str]] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    _documents: dict[str, Document | None] = field(default_factory=dict, repr=False)

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.results for f in r.findings]

    def document(self, finding: Finding) -> Document | None:
        if not self._documents:
            self._documents = {r.path: r.document for r in self.results}
        return self._documents.get(finding.path)


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
    out.sort(key=lambda x: (x.path, x.cell or 0, x.row, x.column, x.code))  # notebooks: by cell
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


# Modules of this package that register formats (each knows one format).
FORMAT_MODULES = (
    "text",
    "concise",
    "json_format",
    "json_lines",
    "sarif",
    "github",
    "junit",
    "gitlab",
)


def _load_formats() -> None:
    for module in FORMAT_MODULES:
        importlib.import_module(f"{__name__}.{module}")


def render(name: str, ctx: ReportContext) -> str:
    _load_formats()
    return FORMATS[name](ctx)


def format_names() -> list[str]:
    """Every output format, `text` (the default) first."""
    _load_formats()
    return sorted(FORMATS, key=lambda n: (n != "text", n))


def relative_uri(path: str) -> str:
    """A path relative to the current folder with forward slashes (CI tools want these)."""
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return Path(path).resolve().as_posix()


def fix_preview(document: Document | None, item: Located) -> list[str]:
    """The lines a fix touches, before (`-`) and after (`+`), for --show-fixes."""
    if document is None or not item.edits:
        return []
    source = document.source
    text = source.text
    first = min(edit.start for edit, _, _ in item.edits)
    last = max(edit.end for edit, _, _ in item.edits)
    start = source.line_start(first)
    end = source.line_end(max(last - 1, first)) if last > start else source.line_end(first)
    before = text[start:end]
    pieces, pos = [], start
    for edit, _, _ in sorted(item.edits, key=lambda e: (e[0].start, e[0].end)):
        pieces += [text[pos : edit.start], edit.text]
        pos = edit.end
    after = "".join(pieces) + text[pos:end]
    row = source.location(start)[0]
    lines = [f"{row + i:>4} - {line}" for i, line in enumerate(before.splitlines())]
    lines += [f"{row + i:>4} + {line}" for i, line in enumerate(after.splitlines())]
    return lines
