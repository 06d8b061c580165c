"""The checking and fixing core: files -> Documents -> Sites -> Findings -> edits.

Nothing here knows a file format (adapters do) or a rule (kinds do).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import fix_safety, suppress
from .adapters import Adapter, Document, RenderError, adapter_for, build_adapters, handles
from .adapters.base import ScriptClassOf
from .codes import code_selected
from .findings import Applicability, Finding, Fix, Remove, Severity
from .kinds import Context, Kind, build_kinds, index_rules
from .knowledge import Knowledge
from .model import ClassChoice, Span
from .rulebook import RuleSpec, load_specs
from .targets import Targets
from .textio import DecodeProblem, SourceText, TextEdit, apply_text_edits

if TYPE_CHECKING:
    from .baseline import Baseline

PARSE_ERROR = "CE901"
DECODE_ERROR = "CE902"
READ_ERROR = "CE903"

MAX_FIX_PASSES = 10
FILE_START = Span(0, 0)


@dataclass
class FileResult:
    path: str
    findings: list[Finding] = field(default_factory=list)
    document: Document | None = None
    skipped: bool = False  # prefilter said it cannot hold training arguments
    fixed_text: str | None = None  # set by fix when the text changed
    fixes_applied: int = 0
    notices: list[str] = field(default_factory=list)


@dataclass
class Engine:
    knowledge: Knowledge
    targets: Targets
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    class_for: Callable[[str], ClassChoice] = lambda path: ClassChoice()
    ignores_for: Callable[[str], list[str]] = lambda path: []
    hardware: Callable[[str], Any] | None = None  # path -> HardwareProfile | None
    specs: tuple[RuleSpec, ...] = ()
    # extend-safe-fixes / extend-unsafe-fixes: codes whose fix applicability changes
    safe_fixes: list[str] = field(default_factory=list)
    unsafe_fixes: list[str] = field(default_factory=list)
    baseline: Baseline | None = None  # findings accepted as they are (--baseline)
    era: dict[str, Any] = field(default_factory=dict)  # --from: library -> Target
    # The class each launched script parses into, from the checked scripts (script_links).
    script_class: ScriptClassOf | None = None

    def __post_init__(self) -> None:
        self.specs = self.specs or load_specs()
        self.kinds: dict[str, Kind] = build_kinds(self.specs)
        self.active: list[Kind] = [k for c, k in self.kinds.items() if self.selected(c)]
        self.adapters: list[Adapter] = build_adapters(self.knowledge, self.script_class)
        self.context = Context(
            self.knowledge, self.targets, self.hardware, index_rules(self.kinds), era=self.era
        )

    def selected(self, code: str) -> bool:
        return code_selected(code, self.select, self.ignore)

    def spec(self, code: str) -> RuleSpec:
        return self.kinds[code].spec

    @staticmethod
    def handles(path: str) -> bool:
        return handles(path)

    # -- checking ----------------------------------------------------------------------

    def check_path(self, path: Path) -> FileResult:
        name = str(path)
        adapter = adapter_for(name, self.adapters)
        if adapter is None:
            return FileResult(name, skipped=True)
        try:
            data = path.read_bytes()
        except OSError as exc:
            problem = self._input_problem(
                READ_ERROR, name, f"cannot read the file: {exc.strerror or exc}"
            )
            return FileResult(name, self._finish(name, None, problem))
        if not adapter.may_hold_arguments(data):
            return FileResult(name, skipped=True)
        try:
            source = SourceText.from_bytes(name, data)
        except DecodeProblem as exc:
            problem = self._input_problem(DECODE_ERROR, name, str(exc))
            return FileResult(name, self._finish(name, None, problem))
        return self.check_source(source, adapter)

    def check_source(self, source: SourceText, adapter: Adapter | None = None) -> FileResult:
        adapter = adapter or adapter_for(source.path, self.adapters)
        if adapter is None:
            return FileResult(source.path, skipped=True)
        document = adapter.parse(source, self.class_for(source.path))
        result = FileResult(source.path, document=document)
        for problem in document.problems:
            end = problem.end if problem.end is not None else problem.offset
            result.findings += self._input_problem(
                PARSE_ERROR, source.path, problem.message, Span(problem.offset, end)
            )
        for site in document.sites:
            for kind in self.active:
                result.findings.extend(kind.check(site, self.context))
        for kind in self.active:
            result.findings.extend(kind.check_document(document, self.context))
        result.findings = [_expressible(f, document) for f in result.findings]
        result.findings = self._finish(source.path, document, result.findings)
        result.findings.sort(key=lambda f: (f.span.start, f.code))
        return result

    def _finish(
        self, path: str, document: Document | None, findings: list[Finding]
    ) -> list[Finding]:
        """What the project asked to leave out or treat otherwise: per-file-ignores,
        suppression comments, fix safety overrides, the baseline (in this order)."""
        ignored = tuple(self.ignores_for(path))
        if ignored:
            findings = [f for f in findings if not f.code.startswith(ignored)]
        if document is not None and not document.problems:

            def judged(code: str) -> bool:
                return self.selected(code) and not code.startswith(ignored)

            report = judged(suppress.UNUSED_CODE) and suppress.UNUSED_CODE in self.kinds
            findings = suppress.apply(document, findings, judged, self.kinds, report)
        findings = fix_safety.override(findings, self.safe_fixes, self.unsafe_fixes)
        if self.baseline is not None:
            findings = self.baseline.filter(findings, document)
        return findings

    def _input_problem(
        self, code: str, path: str, message: str, span: Span = FILE_START
    ) -> list[Finding]:
        if not self.selected(code):
            return []
        return [Finding(code, message, Severity.ERROR, path, span)]

    # -- fixing ------------------------------------------------------------------------

    def fix_source(
        self, source: SourceText, unsafe: bool = False, checked: FileResult | None = None
    ) -> FileResult:
        """Apply fixes until none applies; the result holds the findings that remain.

        `checked` is the result of checking `source` already, to avoid parsing it twice.
        """
        adapter = adapter_for(source.path, self.adapters)
        applied = 0
        current = source
        result = checked if checked is not None else self.check_source(current, adapter)
        for _ in range(MAX_FIX_PASSES):
            if result.document is None or result.document.problems:
                break
            edits, count = self._plan_pass(result, unsafe)
            if not edits:
                break
            text = apply_text_edits(current.text, edits)
            if text == current.text:
                break
            candidate = SourceText(source.path, text, source.bom)
            checked = self.check_source(candidate, adapter)
            if checked.document is None or checked.document.problems:
                # A fix must never break the file: keep the last good text and stop here.
                result.notices.append("a fix produced text that does not parse; it was not applied")
                break
            applied += count
            current, result = candidate, checked
        result.fixes_applied = applied
        if current.text != source.text:
            result.fixed_text = current.text
        return result

    def _plan_pass(self, result: FileResult, unsafe: bool) -> tuple[list[TextEdit], int]:
        """Non-overlapping text edits for one pass; fixes that collide wait for the next."""
        document = result.document
        assert document is not None
        accepted: list[TextEdit] = []
        seen: set[tuple[TextEdit, ...]] = set()
        removals: dict[int, int] = {}
        count = 0
        for finding in result.findings:
            fix = finding.fix
            if fix is None or not allowed(fix, unsafe):
                continue
            try:
                edits = tuple(
                    sorted(
                        {e for a in fix.edits for e in document.render(a)},
                        key=lambda e: (e.start, e.end),
                    )
                )
            except RenderError:
                continue
            if edits in seen:
                count += 1  # the same fix reached through another finding
                continue
            if any(
                e.start < a.end and a.start < e.end or (e.start == e.end == a.start == a.end)
                for e in edits
                for a in accepted
            ):
                continue
            if not self._removal_budget_ok(fix, removals):
                continue
            seen.add(edits)
            accepted.extend(edits)
            count += 1
        return accepted, count

    @staticmethod
    def _removal_budget_ok(fix: Fix, removals: dict[int, int]) -> bool:
        """Never empty a mapping in one pass: its last entry's removal waits a pass."""
        pending: dict[int, int] = {}
        for edit in fix.edits:
            if isinstance(edit, Remove) and edit.entry.parent is not None:
                parent = edit.entry.parent
                pending[id(parent)] = pending.get(id(parent), 0) + 1
                total = len(parent.entries or [])
                if total > 1 and removals.get(id(parent), 0) + pending[id(parent)] >= total:
                    return False
        for key, n in pending.items():
            removals[key] = removals.get(key, 0) + n
        return True


def _expressible(finding: Finding, document: Document) -> Finding:
    """A fix this format cannot express is no fix: say so rather than promise one."""
    fix = finding.fix
    if fix is None or all(document.can_render(e) for e in fix.edits):
        return finding
    return replace(finding, message=f"{finding.message} Do it by hand: {fix.message}.", fix=None)


def allowed(fix: Fix, unsafe: bool) -> bool:
    if fix.applicability is Applicability.SAFE:
        return True
    return unsafe and fix.applicability is Applicability.UNSAFE
