"""Build the report model (ce_lint.report.model) from the engine's results.

This is the one place that turns findings and the adapters' documents into what the output
formats print: positions, fix edits rendered as text, the lines a fix changes, the text of
each finding's line (for fingerprints), and the metadata of every rule of the run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol

from .adapters.errors import RenderError
from .findings import Finding
from .fingerprint import line_text
from .report.model import (
    FixedFile,
    FixEdit,
    Position,
    Report,
    ReportedFinding,
    ReportFix,
    RuleInfo,
)
from .results import FileResult
from .textio import TextEdit

if TYPE_CHECKING:
    from .adapters import Document
    from .rulebook import RuleSpec
    from .targets import Targets


class RunFacts(Protocol):
    """What a report says about its run besides the findings (an Engine, or a command's Run)."""

    specs: tuple[RuleSpec, ...]
    targets: Targets


# A fix's edits as text, each with its located start and end.
LocatedEdits = tuple[tuple[TextEdit, Position, Position], ...]


def build_report(
    engine: RunFacts,
    results: list[FileResult],
    *,
    unsafe_fixes: bool = False,
    color: bool = False,
    fixed: int = 0,
    would_fix: bool = False,
    show_fixes: bool = False,
    quiet: bool = False,
    fixed_codes: dict[str, Counter[str]] | None = None,
) -> Report:
    """The report of a run: `fixed_codes` are the codes `fix` fixed, per file."""
    return Report(
        findings=reported_findings(results),
        rules=RulesOf(engine),
        targets=engine.targets.describe(),
        unsafe_fixes=unsafe_fixes,
        fixed=fixed,
        would_fix=would_fix,
        show_fixes=show_fixes,
        color=color,
        quiet=quiet,
        fixed_files=tuple(
            FixedFile(path, tuple(sorted(counts.items())))
            for path, counts in sorted((fixed_codes or {}).items())
        ),
    )


class RulesOf(Sequence[RuleInfo]):
    """Every rule of the run, described when a format first asks (reading the rulebook costs
    more than a rerun answered from the cache; a clean run's text report names no rule)."""

    def __init__(self, facts: RunFacts):
        self._facts = facts

    @cached_property
    def _rules(self) -> tuple[RuleInfo, ...]:
        return tuple(rule_info(spec) for spec in self._facts.specs)

    def __getitem__(self, index: Any) -> Any:
        return self._rules[index]

    def __len__(self) -> int:
        return len(self._rules)


def rule_info(spec: RuleSpec) -> RuleInfo:
    field = spec.params.get("field")
    return RuleInfo(
        code=spec.code,
        name=spec.name,
        summary=spec.summary,
        why=spec.why,
        url=spec.url,
        group=spec.group,
        fix=spec.fix,
        field=field if isinstance(field, str) else None,
    )


def reported_findings(results: Iterable[FileResult]) -> tuple[ReportedFinding, ...]:
    """Every finding of `results`, located, sorted by file, cell, row, column and code."""
    results = list(results)
    # The document of a finding's file (for its line's text and the fix preview).
    by_path: dict[str, Document | None] = {r.path: r.document for r in results}
    out: list[ReportedFinding] = []
    for result in results:
        if result.reported is not None:
            out += result.reported
            continue
        out += [
            reported(finding, result.document, by_path.get(finding.path))
            for finding in result.findings
        ]
    out.sort(key=lambda f: (f.path, f.cell or 0, f.start.row, f.start.column, f.code))
    return tuple(out)


def reported(
    finding: Finding, document: Document | None, file_document: Document | None
) -> ReportedFinding:
    """`finding` located in `document` (the document of the result that holds it);
    `file_document` is the document of the finding's own file."""
    if document is None:
        start = end = Position(1, 1)
        cell = None
        edits: LocatedEdits = ()
    else:
        start = Position(*document.location(finding.span.start))
        end = Position(*document.location(finding.span.end))
        cell = document.cell(finding.span.start)
        edits = located_edits(finding, document)
    fix = None
    if finding.fix is not None:
        fix = ReportFix(
            applicability=finding.fix.applicability,
            message=finding.fix.message,
            edits=tuple(FixEdit(edit.text, s, e) for edit, s, e in edits),
            preview=tuple(fix_preview(file_document, edits)),
        )
    return ReportedFinding(
        path=finding.path,
        code=finding.code,
        severity=finding.severity,
        message=finding.message,
        start=start,
        end=end,
        cell=cell,
        fix=fix,
        fields=tuple(finding.fields),
        line=line_text(finding, file_document),
    )


def located_edits(finding: Finding, document: Document) -> LocatedEdits:
    """The finding's fix as text edits of `document`; none when it cannot be rendered."""
    if finding.fix is None:
        return ()
    edits = []
    try:
        for fix_edit in finding.fix.edits:
            for edit in document.render(fix_edit):
                location = document.location
                edits.append((edit, Position(*location(edit.start)), Position(*location(edit.end))))
    except (RenderError, RecursionError):  # libcst recurses deeper than ast: too deep to render
        return ()
    return tuple(edits)


def fix_preview(document: Document | None, edits: LocatedEdits) -> list[str]:
    """The lines a fix touches, before (`-`) and after (`+`), for --show-fixes."""
    if document is None or not edits:
        return []
    source = document.source
    text = source.text
    first = min(edit.start for edit, _, _ in edits)
    last = max(edit.end for edit, _, _ in edits)
    start = source.line_start(first)
    end = source.line_end(max(last - 1, first)) if last > start else source.line_end(first)
    before = text[start:end]
    pieces, pos = [], start
    for edit, _, _ in sorted(edits, key=lambda e: (e[0].start, e[0].end)):
        pieces += [text[pos : edit.start], edit.text]
        pos = edit.end
    after = "".join(pieces) + text[pos:end]
    row = source.location(start)[0]
    lines = [f"{row + i:>4} - {line}" for i, line in enumerate(before.splitlines())]
    lines += [f"{row + i:>4} + {line}" for i, line in enumerate(after.splitlines())]
    return lines
