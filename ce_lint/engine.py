"""The checking and fixing core: files -> Documents -> Sites -> Findings -> edits.

Nothing here knows a file format (adapters do) or a rule (kinds do).
"""

from __future__ import annotations

import contextlib
import os
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import fix_safety, suppress
from .adapters import Adapter, Document, RenderError, class_for, handles
from .adapters.base import ScriptClassOf
from .adapters.shell_reject import fix_refusal
from .codes import code_selected
from .fileio import FileProblem, Trouble, read_user_file, remove_stale_temps, write_user_file
from .findings import Applicability, Finding, Fix, Remove, Severity
from .kinds import Context, Kind, build_kinds, index_rules
from .knowledge import Knowledge
from .model import ClassChoice, Span
from .results import (
    DECODE_ERROR,
    DEFAULT_MAX_FILE_SIZE,
    FILE_CODES,
    INTERNAL_ERROR,
    LINK_NOT_FOLLOWED,
    PARSE_ERROR,
    FileResult,
)
from .rulebook import RuleSpec, load_specs
from .targets import Targets
from .textio import DecodeProblem, SourceText, TextEdit, apply_text_edits, encoding_problem

if TYPE_CHECKING:
    from .baseline import Baseline

MAX_FIX_PASSES = 10
BOM_AT_START = "it would leave a U+FEFF at the start of the file, read as a byte order mark"
UNSETTLED = f"the fixes did not settle in {MAX_FIX_PASSES} passes, so none was written"
FILE_START = Span(0, 0)


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
    max_file_size: int = DEFAULT_MAX_FILE_SIZE

    def __post_init__(self) -> None:
        self.specs = self.specs or load_specs()
        self.kinds: dict[str, Kind] = build_kinds(self.specs)
        self.active: list[Kind] = [k for c, k in self.kinds.items() if self.selected(c)]
        self._adapters: dict[type[Adapter], Adapter] = {}
        self.context = Context(
            self.knowledge, self.targets, self.hardware, index_rules(self.kinds), era=self.era
        )
        self._swept: set[Path] = set()
        self._swept_names: set[str] = set()

    def selected(self, code: str) -> bool:
        return code_selected(code, self.select, self.ignore)

    def spec(self, code: str) -> RuleSpec:
        return self.kinds[code].spec

    @staticmethod
    def handles(path: str) -> bool:
        return handles(path)

    def adapter_for(self, path: str) -> Adapter | None:
        """The adapter of the file's format, made on first use (one config never pays for the
        patterns of the other formats)."""
        cls = class_for(path)
        if cls is None:
            return None
        if cls not in self._adapters:
            self._adapters[cls] = cls(self.knowledge, self.script_class)
        return self._adapters[cls]

    # -- checking ----------------------------------------------------------------------

    def check_path(self, path: Path) -> FileResult:
        """A file's findings; whatever goes wrong with this file is a finding of this file."""
        return self._isolated(str(path), lambda: self._check_path(path))

    def fix_path(self, path: Path, unsafe: bool = False, write: bool = True) -> FileResult:
        """Check a file, fix it, and (with `write`) write the fix back over what was read."""
        return self._isolated(str(path), lambda: self._fix_path(path, unsafe, write))

    def unreadable(self, path: Path, why: str) -> FileResult:
        """The result of a file or folder that could not be read at all."""
        name = str(path)
        found = self._input_problem(FILE_CODES[Trouble.UNREADABLE], name, why)
        return FileResult(name, self._finish(name, None, found))

    def not_followed(self, folder: Path) -> FileResult:
        """A symlinked folder met in a walk: not followed (it may loop or leave the project)."""
        name = str(folder)
        message = (
            f"a symlink to the folder {os.readlink(folder)!r}: not followed, so its files were "
            "not checked; name the folder itself to check them"
        )
        found = self._input_problem(LINK_NOT_FOLLOWED, name, message, severity=Severity.INFO)
        return FileResult(name, self._finish(name, None, found))

    def _check_path(self, path: Path) -> FileResult:
        name = str(path)
        adapter = self.adapter_for(name)
        if adapter is None:
            return FileResult(name, skipped=True)
        try:
            data = read_user_file(path, self.max_file_size)
        except FileProblem as exc:
            found = self._input_problem(FILE_CODES[exc.trouble], name, exc.message)
            return FileResult(name, self._finish(name, None, found))
        self._sweep(path)
        problem = encoding_problem(data)  # before the byte search, which cannot read it
        if problem is None and not adapter.may_hold_arguments(data):
            return FileResult(name, skipped=True, original=data)
        try:
            source = SourceText.from_bytes(name, data, adapter.cr_breaks_lines)
        except DecodeProblem as exc:
            found = self._input_problem(DECODE_ERROR, name, str(exc))
            return FileResult(name, self._finish(name, None, found), original=data)
        result = self.check_source(source, adapter)
        result.original = data
        return result

    def _fix_path(self, path: Path, unsafe: bool, write: bool) -> FileResult:
        checked = self._check_path(path)
        if checked.document is None or checked.document.problems:
            return checked
        source = checked.document.source
        before = Counter(f.code for f in checked.findings)
        result = self.fix_source(source, unsafe=unsafe, checked=checked)
        result.original = checked.original
        if result.fixed_text is None or result.document is None:
            return result
        result.before_text = source.text
        result.fixed_codes = before - Counter(f.code for f in result.findings)
        if write:
            assert result.original is not None
            try:
                write_user_file(path, result.original, result.document.output(result.fixed_text))
                result.written = True
            except FileProblem as exc:
                # Nothing was written: the file still holds what was found, and fixing again
                # would fail again, so none of it is offered as fixable.
                refused = self._input_problem(FILE_CODES[exc.trouble], str(path), exc.message)
                kept = [replace(f, fix=None) for f in checked.findings]
                return replace(checked, findings=refused + kept, notices=result.notices)
        return result

    def _sweep(self, path: Path) -> None:
        """Once per folder read from: remove what a killed `ce-lint fix` left there."""
        named = os.path.dirname(path)
        linked = os.path.islink(path)  # its folder is its target's
        if not linked and named in self._swept_names:
            return  # resolving a path costs a stat per component: once per folder
        if not linked:
            self._swept_names.add(named)
        folder = Path(os.path.realpath(path)).parent
        if folder not in self._swept:
            self._swept.add(folder)
            remove_stale_temps(folder)

    def _isolated(self, name: str, work: Callable[[], FileResult]) -> FileResult:
        """One file's failure stays that file's: a file too deep for the parsers is a parse
        problem; any other exception is an internal error reported on the file."""
        try:
            return work()
        except (RecursionError, MemoryError) as exc:
            what = "nested too deeply" if isinstance(exc, RecursionError) else "too large"
            message = f"the file is {what} for ce-lint to read it ({type(exc).__name__})"
            return FileResult(name, self._input_problem(PARSE_ERROR, name, message))
        except Exception as exc:  # a bug of ce-lint: say where, and go on with the other files
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            place = f"{Path(frame.filename).name}:{frame.lineno} in {frame.name}"
            message = (
                f"ce-lint failed on this file: {type(exc).__name__}: {exc} ({place}). The other "
                "files were checked. Please report it, with the file if you can share it."
            )
            finding = Finding(INTERNAL_ERROR, message, Severity.ERROR, name, FILE_START)
            return FileResult(name, [finding], internal_error=True)

    def check_source(self, source: SourceText, adapter: Adapter | None = None) -> FileResult:
        adapter = adapter or self.adapter_for(source.path)
        if adapter is None:
            return FileResult(source.path, skipped=True)
        try:
            source = _line_breaks_read(source, adapter)
        except DecodeProblem as exc:
            found = self._input_problem(DECODE_ERROR, source.path, str(exc))
            return FileResult(source.path, self._finish(source.path, None, found))
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
        self,
        code: str,
        path: str,
        message: str,
        span: Span = FILE_START,
        severity: Severity = Severity.ERROR,
    ) -> list[Finding]:
        if not self.selected(code):
            return []
        return [Finding(code, message, severity, path, span)]

    # -- fixing ------------------------------------------------------------------------

    def fix_source(
        self, source: SourceText, unsafe: bool = False, checked: FileResult | None = None
    ) -> FileResult:
        """Apply fixes until none applies; the result holds the findings that remain.

        `checked` is the result of checking `source` already, to avoid parsing it twice. A fix
        that cannot be written, or whose text would not parse, is left out and its finding is
        no longer offered as fixable.
        """
        adapter = self.adapter_for(source.path)
        if adapter is not None:
            with contextlib.suppress(DecodeProblem):  # check_source reports it
                source = _line_breaks_read(source, adapter)
        applied = 0
        current = source
        result = checked if checked is not None else self.check_source(current, adapter)
        first = result
        refused: dict[FindingKey, str] = {}
        unsettled = False
        for _ in range(MAX_FIX_PASSES):
            if result.document is None or result.document.problems:
                break
            planned = self._plan_pass(result, unsafe, refused)
            if not planned:
                break
            taken, candidate, rechecked = self._apply_pass(current, planned, adapter, refused)
            if not taken:
                break
            applied += taken
            current, result = candidate, rechecked
        else:
            # Still fixing after every pass (a key repeated many times): writing part of it
            # would make a second fix change the file again.
            unsettled = bool(self._plan_pass(result, unsafe, dict(refused)))
        why_none = (
            UNSETTLED if unsettled else _why_no_fix_is_written(adapter, source.text, current.text)
        )
        if why_none is not None:  # which edit is to blame is not known: no fix at all
            for finding in first.findings:
                if finding.fix is not None and allowed(finding.fix, unsafe):
                    refused.setdefault(_key(finding), why_none)
            current, result, applied = source, replace(first, notices=list(first.notices)), 0
        for (code, _, _), why in sorted(refused.items()):
            result.notices.append(f"the fix of {code} was not applied: {why}")
        result.findings = [
            _refused(f) if f.fix is not None and _key(f) in refused else f for f in result.findings
        ]
        result.fixes_applied = applied
        if current.text != source.text:
            result.fixed_text = current.text
        return result

    def _apply_pass(
        self,
        current: SourceText,
        planned: list[PlannedFix],
        adapter: Adapter | None,
        refused: dict[FindingKey, str],
    ) -> tuple[int, SourceText, FileResult | None]:
        """The pass's fixes together; if their text does not parse, each alone, keeping
        those that parse (so one bad fix never holds back the others)."""
        together = self._try(current, [e for p in planned for e in p.edits], adapter)
        if together is not None:
            return sum(p.count for p in planned), *together
        if len(planned) == 1:
            refused[planned[0].key] = UNPARSABLE
            return 0, current, None
        # Each fix on the pass's own text (the edits' offsets are its): one that does not parse
        # alone is refused; one that parses alone but not with those kept waits a pass.
        taken, kept, text, checked = 0, [], current, None
        for fix in planned:
            alone = self._try(current, list(fix.edits), adapter)
            if alone is None:
                refused[fix.key] = UNPARSABLE
                continue
            with_kept = self._try(current, [*kept, *fix.edits], adapter) if kept else alone
            if with_kept is None:
                continue
            taken += fix.count
            kept += fix.edits
            text, checked = with_kept
        return taken, text, checked

    def _try(
        self, current: SourceText, edits: list[TextEdit], adapter: Adapter | None
    ) -> tuple[SourceText, FileResult] | None:
        """The text with `edits` and its check, or None when that text does not parse."""
        text = apply_text_edits(current.text, edits)
        if text == current.text:
            return None
        candidate = current.with_text(text)
        checked = self.check_source(candidate, adapter)
        if checked.document is None or checked.document.problems:
            return None
        return candidate, checked

    def _plan_pass(
        self, result: FileResult, unsafe: bool, refused: dict[FindingKey, str]
    ) -> list[PlannedFix]:
        """Non-overlapping fixes for one pass; fixes that collide wait for the next."""
        document = result.document
        assert document is not None
        planned: list[PlannedFix] = []
        accepted: list[TextEdit] = []
        seen: dict[tuple[TextEdit, ...], PlannedFix] = {}
        removals: dict[int, int] = {}
        for finding in result.findings:
            fix = finding.fix
            if fix is None or not allowed(fix, unsafe) or _key(finding) in refused:
                continue
            try:
                edits = tuple(
                    sorted(
                        {e for a in fix.edits for e in document.render(a)},
                        key=lambda e: (e.start, e.end),
                    )
                )
            except RenderError as exc:
                refused[_key(finding)] = str(exc)
                continue
            if edits in seen:
                seen[edits].count += 1  # the same fix reached through another finding
                continue
            if _overlapping(edits):  # one fix editing the same text twice: a bug of its rule
                refused[_key(finding)] = "its edits overlap"
                continue
            if any(_collide(e, a) or _touch(e, a) for e in edits for a in accepted):
                continue
            if not self._removal_budget_ok(fix, removals):
                continue
            seen[edits] = PlannedFix(_key(finding), edits)
            planned.append(seen[edits])
            accepted.extend(edits)
        return planned

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


def _why_no_fix_is_written(adapter: Adapter | None, before: str, after: str) -> str | None:
    """Why the fixed text as a whole must not be written (None: it may be)."""
    if after.startswith("\ufeff") and not before.startswith("\ufeff"):
        # A U+FEFF that edits bring to the start would be read as a byte order mark next time.
        return BOM_AT_START
    if after != before and adapter is not None:
        return _shell_refusal(adapter, before, after)
    return None


def _shell_refusal(adapter: Adapter, before: str, after: str) -> str | None:
    """For shell formats, once per fixed file: why bash would not take the fixed text although
    it took the original. The re-parse of each pass has judged it by the pure-Python check;
    bash itself is the last word."""
    before_shell = adapter.shell_text(before)
    after_shell = adapter.shell_text(after)
    if before_shell is None or after_shell is None:
        return None
    return fix_refusal(before_shell, after_shell)


def _line_breaks_read(source: SourceText, adapter: Adapter) -> SourceText:
    """Text given as text (not read from a file) with lone-CR line breaks, held as a file read
    from bytes holds it, so that the parsers and the offsets agree on the lines."""
    if source.cr_lines or "\r" not in source.text or not adapter.cr_breaks_lines:
        return source
    data = source.encode()
    return SourceText.from_bytes(source.path, data, cr_breaks_lines=True)


FindingKey = tuple[str, int, int]


def _key(finding: Finding) -> FindingKey:
    return finding.code, finding.span.start, finding.span.end


@dataclass
class PlannedFix:
    key: FindingKey  # the finding whose fix it is
    edits: tuple[TextEdit, ...]
    count: int = 1  # findings it fixes (the same fix reached through several)


def _collide(e: TextEdit, a: TextEdit) -> bool:
    return e.start < a.end and a.start < e.end or (e.start == e.end == a.start == a.end)


def _touch(e: TextEdit, a: TextEdit) -> bool:
    """An insertion at either end of another fix's edit: what it writes may lean on the text
    that edit replaces (an entry added after the entry another fix removes), so it waits."""
    return (e.start == e.end and a.start <= e.start <= a.end) or (
        a.start == a.end and e.start <= a.start <= e.end
    )


def _overlapping(edits: tuple[TextEdit, ...]) -> bool:
    return any(later.start < earlier.end or _collide(earlier, later)
               for earlier, later in zip(edits, edits[1:], strict=False))  # fmt: skip


UNPARSABLE = "the text it gives does not parse"


def _refused(finding: Finding) -> Finding:
    """A fix ce-lint could not apply here is offered no more: the finding asks for a hand."""
    assert finding.fix is not None
    message = f"{finding.message} Do it by hand: {finding.fix.message}."
    return replace(finding, message=message, fix=None)


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
