"""The properties every input must keep, checked with ce-lint in-process.

For one input (bytes of one format) `Harness.run` checks it as `ce-lint check` does (prefilter,
decoding, parsing), then fixes it three ways (safe; unsafe; unsafe with `--from
transformers==4.44`, which also pins old defaults) and reports each broken property:

  crash           check or fix raised
  hang            check or fix ran past the time limit
  parse_break     the file parsed before (yaml.safe_load_all, ce-lint's JSON reader and strict
                  json, ast.parse, `bash -n`, the notebook's JSON and every code cell) and not after
  emptied         a non-blank file came back blank
  out_of_span     a byte changed outside the edits the fix reported: an edit no finding
                  rendered, an edit beyond the lines of the entries it is about, an edit that
                  deletes another entry or a comment on another line, a lost BOM
  newline         an edit wrote line endings the file does not use
  lost_data       a YAML/JSON value or notebook output/metadata that no fix is about changed
  non_idempotent  fixing the fixed file changed it again
  misplaced       a field finding (CE1xx) points at text that does not name its field
  fix_refused     ce-lint's own guard refused a fix whose text did not parse (nothing was
                  written, but a reported fix was wrong)

Fix passes are recorded by wrapping Engine._plan_pass and _apply_pass, so every pass's edits
are checked against the findings of the text that pass saw.
"""

from __future__ import annotations

import ast
import contextlib
import json
import math
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import traceback
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

import yaml

from ce_lint.adapters import Adapter, RenderError
from ce_lint.adapters.jsonpos import JArray, JObject, JsonPosError
from ce_lint.adapters.jsonpos import parse as jsonpos_parse
from ce_lint.engine import (
    MAX_FIX_PASSES,
    UNPARSABLE,
    Engine,
    FileResult,
    FindingKey,
    PlannedFix,
    allowed,
)
from ce_lint.findings import (
    AbstractEdit,
    AddEntry,
    Finding,
    Remove,
    ReplaceRead,
    ReplaceSource,
    Rewrite,
)
from ce_lint.knowledge import Knowledge
from ce_lint.model import Entry, Site, Span, Value
from ce_lint.report import FORMATS as REPORT_FORMATS
from ce_lint.report import render
from ce_lint.reporting import build_report
from ce_lint.targets import era_targets, resolve
from ce_lint.textio import BOM, SourceText, TextEdit, apply_text_edits

from .mutate import load_notebook
from .seeds import file_name

TARGETS = ("transformers==5.25", "sentence-transformers==6.3")
ERA = ("transformers==4.44",)
MODES = ("check", "fix-safe", "fix-unsafe", "fix-era")
PROPERTIES = (
    "crash", "hang", "parse_break", "emptied", "out_of_span", "newline", "lost_data",
    "non_idempotent", "misplaced", "fix_refused",
)  # fmt: skip
STAGE_TIMEOUT = 20.0  # seconds for one check or fix call
_CE_LINT = os.sep + "ce_lint" + os.sep


@dataclass(frozen=True)
class Failure:
    prop: str  # one of PROPERTIES
    mode: str  # one of MODES
    signature: str  # what makes two failures the same bug
    detail: str  # what was seen (a traceback's last frames, the corrupted text, ...)

    def to_json(self) -> dict[str, str]:
        return {
            "prop": self.prop,
            "mode": self.mode,
            "signature": self.signature,
            "detail": self.detail,
        }


class Hang(BaseException):
    """Raised by the alarm; a BaseException so that `except Exception` in ce-lint lets it by."""


@dataclass
class _Pass:
    text: str  # the text the pass saw
    findings: list[Finding]  # its findings
    document: Any
    edits: list[TextEdit]  # the edits of the fixes the pass applied
    written: str  # the text the pass wrote (`text` when it applied none)
    refused: list[str] = field(default_factory=list)  # codes whose fix did not parse


class RecordingEngine(Engine):
    """An Engine that remembers each fix pass: the text it saw, its findings, the edits of the
    fixes it applied and the text it wrote (by wrapping _plan_pass and _apply_pass)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.reset()

    def reset(self) -> None:
        self.passes: list[_Pass] = []
        self._planned_from: FileResult | None = None
        # Whether a pass met a finding whose fix only --unsafe-fixes applies.
        self.saw_unsafe = False

    def _plan_pass(
        self, result: FileResult, unsafe: bool, refused: dict[FindingKey, str]
    ) -> list[PlannedFix]:
        self._planned_from = result
        self.saw_unsafe = self.saw_unsafe or any(
            f.fix is not None and allowed(f.fix, True) != allowed(f.fix, False)
            for f in result.findings
        )
        return super()._plan_pass(result, unsafe, refused)

    def _apply_pass(
        self,
        current: SourceText,
        planned: list[PlannedFix],
        adapter: Adapter | None,
        refused: dict[FindingKey, str],
    ) -> tuple[int, SourceText, FileResult | None]:
        before = set(refused)
        taken, candidate, rechecked = super()._apply_pass(current, planned, adapter, refused)
        result = self._planned_from
        assert result is not None and result.document is not None
        kept = [p for p in planned if p.key not in refused] if taken else []
        unparsable = sorted(
            {k[0] for k in set(refused) - before if refused[k] == UNPARSABLE}
        )  # fmt: skip
        self.passes.append(
            _Pass(
                current.text,
                list(result.findings),
                result.document,
                [e for p in kept for e in p.edits],
                candidate.text,
                unparsable,
            )  # fmt: skip
        )
        return taken, candidate, rechecked


# ---- time limits ----------------------------------------------------------------------------


@contextlib.contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise Hang after `seconds` (main thread only; elsewhere no limit)."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def alarm(signum: int, frame: FrameType | None) -> None:
        raise Hang(f"ran past {seconds} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


# ---- where an exception came from -----------------------------------------------------------


def _frames(tb: TracebackType | None) -> list[traceback.FrameSummary]:
    return list(traceback.extract_tb(tb))


def _short(frame: traceback.FrameSummary) -> str:
    path = frame.filename
    i = path.rfind(_CE_LINT)
    if i >= 0:
        path = path[i + 1 :]
    else:
        parts = Path(path).parts
        path = "/".join(parts[-2:])
    return f"{path}:{frame.name}"


def location(exc: BaseException) -> str:
    """The innermost ce_lint frame, and the innermost frame when that lies elsewhere.

    A RecursionError is placed at the outermost frame of the cycle that recursed (where the
    innermost frame lands varies), with the ce_lint frame that entered it.
    """
    frames = _frames(exc.__traceback__)
    if isinstance(exc, RecursionError) and frames:
        counts: dict[tuple[str, str], int] = {}
        for f in frames:
            counts[f.filename, f.name] = counts.get((f.filename, f.name), 0) + 1
        cycle = [i for i, f in enumerate(frames) if counts[f.filename, f.name] >= 20]
        if cycle:
            first = frames[cycle[0]]
            callers = [f for f in frames[: cycle[0]] if _CE_LINT in f.filename]
            via = (
                f" via {_short(callers[-1])}" if callers and _CE_LINT not in first.filename else ""
            )
            return f"recursion in {_short(first)}{via}"
    ours = [f for f in frames if _CE_LINT in f.filename]
    inner = _short(frames[-1]) if frames else "?"
    mine = _short(ours[-1]) if ours else "?"
    return mine if mine == inner else f"{inner} via {mine}"


def hang_location(exc: BaseException) -> str:
    """Where a hang was: the first two ce_lint frames below the engine (stable across the
    many places the alarm may land inside one slow loop)."""
    frames = [f for f in _frames(exc.__traceback__) if _CE_LINT in f.filename]
    below = [f for f in frames if not f.filename.endswith(("engine.py", "textio.py"))]
    return " > ".join(_short(f) for f in below[:2]) or "?"


def last_frames(exc: BaseException, n: int = 6) -> str:
    frames = _frames(exc.__traceback__)[-n:]
    lines = [f"{_short(f)}:{f.lineno}: {f.line or ''}".rstrip() for f in frames]
    message = str(exc).splitlines()[0][:200] if str(exc) else ""
    return "\n".join([*lines, f"{type(exc).__name__}: {message}"])


# ---- external parsers -----------------------------------------------------------------------

_MAGIC = re.compile(r"^([ \t]*)(?:%|!|[A-Za-z_][\w.]*[ \t]*=[ \t]*[!%])")
_PARSE_ERRORS = (
    SyntaxError,
    ValueError,
    RecursionError,
    MemoryError,
    yaml.YAMLError,
    OverflowError,
)


def _decode(data: bytes) -> str | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text[1:] if text.startswith(BOM) else text


def bash_ok(text: str) -> tuple[bool, str]:
    """`bash -n`: whether bash can parse the text."""
    try:
        proc = subprocess.run(
            ["bash", "-n"],
            input=text.encode("utf-8", "surrogateescape"),
            capture_output=True,
            timeout=20,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return False, "bash -n timed out"
    return proc.returncode == 0, proc.stderr.decode("utf-8", "replace")[-300:]


def _python_cell(source: str) -> str:
    """A cell's Python with IPython magics and `!` lines (and their continuations) as `pass`."""
    out, cont = [], False
    for line in source.splitlines():
        m = _MAGIC.match(line)
        if cont or m:
            out.append((m.group(1) if m else "") + "pass")
            cont = line.endswith("\\")
        else:
            out.append(line)
    return "\n".join(out)


def _cell_sources(text: str) -> list[tuple[str, str]] | None:
    """(kind, source) of each cell of a notebook, or None when it is not a notebook's JSON."""
    data = load_notebook(text)
    if data is None:
        return None
    out = []
    for cell in data["cells"]:
        if not isinstance(cell, dict):
            out.append(("?", ""))
            continue
        source = cell.get("source", "")
        joined = (
            "".join(s for s in source if isinstance(s, str)) if isinstance(source, list) else source
        )
        out.append((str(cell.get("cell_type")), joined if isinstance(joined, str) else ""))
    return out


def _notebook_units(text: str) -> dict[str, tuple[str, str]] | None:
    """Each parseable unit of a notebook: `cell N` -> (language, text)."""
    cells = _cell_sources(text)
    if cells is None:
        return None
    units: dict[str, tuple[str, str]] = {}
    for i, (kind, source) in enumerate(cells):
        if kind != "code":
            continue
        first = source.split("\n", 1)
        if re.fullmatch(r"%%\s*(?:bash|sh)\s*", first[0]):
            units[f"cell {i + 1} (bash)"] = ("sh", first[1] if len(first) > 1 else "")
        elif not first[0].startswith("%%"):
            units[f"cell {i + 1}"] = ("py", _python_cell(source))
    return units


class Parsers:
    """Whether a text parses as its format, with a per-text cache (bash -n is a process)."""

    def __init__(self) -> None:
        self.cache: dict[tuple[str, str], tuple[bool, str]] = {}

    def ok(self, fmt: str, text: str) -> tuple[bool, str]:
        key = (fmt, text)
        if key not in self.cache:
            if len(self.cache) > 64:
                self.cache.clear()
            self.cache[key] = self._ok(fmt, text)
        return self.cache[key]

    def _ok(self, fmt: str, text: str) -> tuple[bool, str]:
        try:
            if fmt == "yaml":
                list(yaml.safe_load_all(text))
            elif fmt == "json":
                jsonpos_parse(text)
            elif fmt == "json-strict":
                json.loads(text)
            elif fmt == "py":
                ast.parse(text)
            elif fmt == "sh":
                return bash_ok(text)
        except (*_PARSE_ERRORS, JsonPosError) as exc:
            return False, f"{type(exc).__name__}: {str(exc)[:300]}"
        return True, ""

    def bash_rejects(self, fmt: str, text: str) -> bool:
        """A script (or a Makefile's recipes) bash would not run: an unterminated quote, say.
        ce-lint reads such a script as best it can; what it does there is told apart."""
        if fmt == "ipynb":
            units = _notebook_units(text) or {}
            return any(not self.ok("sh", t)[0] for lang, t in units.values() if lang == "sh")
        if fmt == "make":
            text = _recipes(text)
        return fmt in ("sh", "make") and not self.ok("sh", text)[0]

    def breaks(self, fmt: str, before: str, after: str) -> str | None:
        """Why `after` no longer parses where `before` did, or None."""
        if fmt == "ipynb":
            return self._notebook_breaks(before, after)
        if fmt == "make":
            return _makefile_breaks(before, after)
        kinds = [fmt, "json-strict"] if fmt == "json" else [fmt]
        for kind in kinds:
            if self.ok(kind, before)[0]:
                ok, why = self.ok(kind, after)
                if not ok:
                    return f"{kind}: {why}"
        return None

    def _notebook_breaks(self, before: str, after: str) -> str | None:
        units_before = _notebook_units(before)
        if units_before is None:
            return None
        units_after = _notebook_units(after)
        if units_after is None:
            return "the notebook is no longer JSON with a cells list"
        for name, (lang, text) in units_before.items():
            if name not in units_after:
                return f"{name} is gone"
            if self.ok(lang, text)[0]:
                ok, why = self.ok(lang, units_after[name][1])
                if not ok:
                    return f"{name}: {why}"
        return None


def _recipes(text: str) -> str:
    """A Makefile's recipe lines as the shell would get them (make's variables as words)."""
    lines = [line[1:] for line in text.splitlines() if line.startswith("\t")]
    return re.sub(r"\$[({][^)}]*[)}]|\$\$", "x", "\n".join(lines)) + "\n"


def _makefile_breaks(before: str, after: str) -> str | None:
    """A Makefile is never run (make would expand $(shell ...)): its recipe lines must keep
    their tab, and no line may lose the `\\` that continues it."""
    import difflib

    b, a = before.splitlines(), after.splitlines()
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=b, b=a, autojunk=False).get_opcodes():
        if op == "replace" and i2 - i1 == j2 - j1:
            for x, y in zip(b[i1:i2], a[j1:j2], strict=True):
                if x.startswith("\t") and not y.startswith("\t"):
                    return f"recipe line lost its tab: {y!r}"
    return None


# ---- data outside the edits -----------------------------------------------------------------


def _flaggy(value: Any) -> bool:
    if isinstance(value, str):
        return "--" in value
    return isinstance(value, list) and any(isinstance(v, str) and "--" in v for v in value)


class _TooBig(Exception):
    pass


def _strip(value: Any, keys: frozenset[str], budget: list[int]) -> Any:
    """The value without the keys fixes are about; flag strings as one marker; NaN comparable."""
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooBig
    if _flaggy(value):
        return "<flags>"
    if isinstance(value, dict):
        return {
            repr(k): _strip(v, keys, budget)
            for k, v in value.items()
            if not (isinstance(k, str) and k in keys)
        }
    if isinstance(value, list):
        return [_strip(v, keys, budget) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return "<nan>"
    return value


def _load(fmt: str, text: str) -> Any:
    if fmt == "yaml":
        return list(yaml.safe_load_all(text))
    return jsonpos_parse(text).py


def _differences(a: Any, b: Any, path: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            if k not in b:
                out.append(f"{path}/{k} removed")
            elif k not in a:
                out.append(f"{path}/{k} added")
            else:
                out += _differences(a[k], b[k], f"{path}/{k}")
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [
            d
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for d in _differences(x, y, f"{path}[{i}]")
        ]
    return [] if a == b else [f"{path}: {a!r:.80} -> {b!r:.80}"]


def _notebook_layout(text: str) -> tuple[Any, list[str]] | None:
    """A notebook's data without the cells' sources, and its raw text around the sources."""
    try:
        root = jsonpos_parse(text)
    except (JsonPosError, RecursionError):
        return None
    if not isinstance(root, JObject):
        return None
    spans: list[tuple[int, int]] = []
    for key, value in root.members:
        if key.py == "cells" and isinstance(value, JArray):
            for cell in value.items:
                if isinstance(cell, JObject):
                    spans += [(v.start, v.end) for k, v in cell.members if k.py == "source"]
    spans.sort()
    pieces, pos = [], 0
    for start, end in spans:
        pieces.append(text[pos:start])
        pos = end
    pieces.append(text[pos:])
    data = root.py
    if isinstance(data.get("cells"), list):
        for cell in data["cells"]:
            if isinstance(cell, dict):
                cell.pop("source", None)
    return data, pieces


def lost_data(fmt: str, before: str, after: str, keys: frozenset[str]) -> str | None:
    """What changed in the data that no fix is about (YAML, JSON, notebooks), or None."""
    try:
        return _lost_data(fmt, before, after, keys)
    except RecursionError:  # data nested too deeply to compare: nothing said
        return None


def _lost_data(fmt: str, before: str, after: str, keys: frozenset[str]) -> str | None:
    if fmt == "ipynb":
        a, b = _notebook_layout(before), _notebook_layout(after)
        if a is None or b is None:
            return None
        if a[0] != b[0]:
            return "; ".join(_differences(a[0], b[0])[:5]) or "outputs or metadata changed"
        if a[1] != b[1]:
            changed = [
                f"{x!r:.60} -> {y!r:.60}" for x, y in zip(a[1], b[1], strict=False) if x != y
            ]
            return "raw JSON outside the sources changed: " + "; ".join(changed[:3])
        return None
    if fmt not in ("yaml", "json"):
        return None
    try:
        data_before, data_after = _load(fmt, before), _load(fmt, after)
        budget = [200_000]
        stripped = _strip(data_before, keys, budget), _strip(data_after, keys, budget)
    except (*_PARSE_ERRORS, JsonPosError, _TooBig):
        return None
    if stripped[0] == stripped[1]:
        return None
    return "; ".join(_differences(*stripped)[:5]) or "the data changed"


# ---- edits and where they may go ------------------------------------------------------------


def line_starts(text: str) -> list[int]:
    """Offsets where lines start; `\\r\\n`, `\\r` and `\\n` all end a line."""
    return [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]


def _line_of(starts: list[int], offset: int) -> int:
    import bisect

    return bisect.bisect_right(starts, offset) - 1


def targets(edit: AbstractEdit) -> list[Span]:
    """The spans an abstract edit is about."""
    if isinstance(edit, Rewrite | Remove | ReplaceRead):
        return [edit.entry.span]
    if isinstance(edit, AddEntry):
        if edit.after is not None:
            return [edit.after.span]
        # Appended to the mapping: anywhere among its entries (a Python call's `**` dicts too).
        entries = edit.container.entries or ()
        return [edit.container.span, *(e.span for e in entries)]
    if isinstance(edit, ReplaceSource):
        return [edit.span]
    return []


def _entries(site: Site) -> Iterator[Entry]:
    stack = list(site.entries)
    while stack:
        entry = stack.pop()
        yield entry
        if isinstance(entry.value, Value) and entry.value.entries:
            stack.extend(entry.value.entries)


def newline_style(text: str) -> str | None:
    """`crlf`, `lf` or `cr` when the text uses one line ending only, else None."""
    crlf = text.count("\r\n")
    cr = text.count("\r") - crlf
    lf = text.count("\n") - crlf
    kinds = [k for k, n in (("crlf", crlf), ("cr", cr), ("lf", lf)) if n]
    return kinds[0] if len(kinds) == 1 else None


def _breaks_in(text: str) -> set[str]:
    out = set()
    for m in re.finditer(r"\r\n|\r|\n", text):
        out.add({"\r\n": "crlf", "\r": "cr", "\n": "lf"}[m.group()])
    return out


def _owned_edits(
    p: _Pass, unsafe: bool
) -> dict[TextEdit, list[tuple[Finding, tuple[AbstractEdit, ...]]]]:
    owners: dict[TextEdit, list[tuple[Finding, tuple[AbstractEdit, ...]]]] = {}
    for finding in p.findings:
        fix = finding.fix
        if fix is None or not allowed(fix, unsafe):
            continue
        try:
            rendered = {e for a in fix.edits for e in p.document.render(a)}
        except RenderError:
            continue
        for e in rendered:
            owners.setdefault(e, []).append((finding, fix.edits))
    return owners


def check_pass(fmt: str, mode: str, p: _Pass, unsafe: bool) -> list[Failure]:
    """Every edit of one pass: reported, within the lines it is about, deleting nothing else."""
    out: list[Failure] = []
    text = p.text
    starts = line_starts(text)
    owners = _owned_edits(p, unsafe)
    style = newline_style(text)
    comments = p.document.comments()
    sites = list(p.document.sites)
    for e in p.edits:
        owned = owners.get(e)
        if not owned:
            sig = f"out_of_span:{fmt}:unreported-edit"
            out.append(Failure("out_of_span", mode, sig, f"edit {e!r} is no finding's fix"))
            continue
        code = owned[0][0].code
        abstract = [a for _, edits in owned for a in edits]
        kinds = "+".join(sorted({type(a).__name__ for a in abstract}))
        spans = [s for a in abstract for s in targets(a)]
        first = min(_line_of(starts, s.start) for s in spans)
        last = max(_line_of(starts, max(s.end - 1, s.start)) for s in spans)
        lo = starts[max(first - 1, 0)]
        hi = starts[last + 2] if last + 2 < len(starts) else len(text)
        where = f"{e.start}-{e.end} {text[e.start : e.end]!r:.120} -> {e.text!r:.120}"
        separator_only = not e.text and text[e.start : e.end].strip() in ("", ",")
        if (e.start < lo or e.end > hi) and not separator_only:  # a comma lost holds no data
            sig = f"out_of_span:{fmt}:{code}:{kinds}:beyond-lines"
            detail = f"{code} edit {where} reaches past lines {first + 1}-{last + 1} (±1)"
            out.append(Failure("out_of_span", mode, sig, detail))
        if e.end > e.start:
            own = Rewrite | Remove | ReplaceRead  # edits that replace their entry's text
            mine = {id(a.entry) for a in abstract if isinstance(a, own)}
            inside = [a.entry.span for a in abstract if isinstance(a, own)]
            inside += [
                a.container.span
                for a in abstract
                if isinstance(a, AddEntry) and isinstance(a.container, Value)
            ]
            for site in sites:
                for entry in _entries(site):
                    ks = entry.key_span
                    if id(entry) in mine or any(
                        s.start <= ks.start and ks.end <= s.end for s in inside
                    ):
                        continue
                    if text[ks.start : ks.end] in e.text:
                        continue  # written again by the edit
                    if e.start <= ks.start and ks.end <= e.end and ks.end > ks.start:
                        sig = f"out_of_span:{fmt}:{code}:{kinds}:deletes-entry"
                        detail = f"{code} edit {where} deletes the entry {entry.key!r}"
                        out.append(Failure("out_of_span", mode, sig, detail))
            target_lines = {
                ln
                for s in spans
                for ln in range(
                    _line_of(starts, s.start), _line_of(starts, max(s.end - 1, s.start)) + 1
                )
            }
            for offset, comment in comments:
                end = offset + len(comment)
                if not (e.start <= offset and end <= e.end) or comment in e.text:
                    continue
                lines = set(
                    range(_line_of(starts, offset), _line_of(starts, max(end - 1, offset)) + 1)
                )
                if lines & target_lines or any(
                    s.start <= offset < s.end or offset <= s.start < end for s in spans
                ):
                    continue
                sig = f"out_of_span:{fmt}:{code}:{kinds}:deletes-comment"
                detail = f"{code} edit {where} deletes the comment {comment!r:.80} on another line"
                out.append(Failure("out_of_span", mode, sig, detail))
        if style is not None:
            wrong = _breaks_in(e.text) - {style}
            if wrong:
                sig = f"newline:{fmt}:{code}:{kinds}"
                detail = (
                    f"{code} edit {where} writes {sorted(wrong)} line endings into a {style} file"
                )
                out.append(Failure("newline", mode, sig, detail))
    return out


def touched_keys(passes: list[_Pass], unsafe: bool) -> frozenset[str]:
    keys: set[str] = set()
    for p in passes:
        for finding in p.findings:
            if finding.fix is None or not allowed(finding.fix, unsafe):
                continue
            for a in finding.fix.edits:
                if isinstance(a, Rewrite | Remove):
                    keys.add(a.entry.key)
                if isinstance(a, Rewrite | AddEntry):
                    keys.add(a.key)
                if isinstance(a, AddEntry) and isinstance(a.container, Value):
                    keys.update(
                        e.key
                        for p2 in passes
                        for s in p2.document.sites
                        for e in _entries(s)
                        if e.value is a.container
                    )
                keys.update(finding.fields)
    return frozenset(keys)


PYTHON_FORMATS = ("py", "ipynb")


def _misplaced(fmt: str, checked: FileResult) -> list[Failure]:
    """A field finding (CE1xx) must point at text that names its field."""
    document = checked.document
    if document is None:
        return []
    out = []
    for f in checked.findings:
        if not f.code.startswith("CE1") or not f.fields or f.site is None:
            continue
        text = document.source.text[f.span.start : f.span.end]
        if fmt in PYTHON_FORMATS:  # Python reads a name NFKC-normalized: the span is as written
            text = unicodedata.normalize("NFKC", text)
        if not any(x in text or x.replace("_", "-") in text for x in f.fields):
            detail = f"{f.code} about {', '.join(f.fields)} points at {text!r:.120} ({f.span.start}-{f.span.end})"
            out.append(Failure("misplaced", "check", f"misplaced:{fmt}:{f.code}", detail))
    return _dedupe(out)


def applied_codes(p: _Pass, unsafe: bool) -> list[str]:
    """Codes of the findings whose edits this pass applied."""
    owners = _owned_edits(p, unsafe)
    return sorted({f.code for e in p.edits for f, _ in owners.get(e, [])})


def culprits(p: _Pass, unsafe: bool, bad: Callable[[str], bool]) -> str:
    """The codes whose fix alone, applied to the pass's text, makes `bad` true; when none does
    alone, `together:` and the kinds of edit the pass applied."""
    found = set()
    chosen = set(p.edits)
    for finding in p.findings:
        fix = finding.fix
        if fix is None or not allowed(fix, unsafe) or finding.code in found:
            continue
        try:
            edits = {e for a in fix.edits for e in p.document.render(a)}
        except RenderError:
            continue
        if not edits or not edits <= chosen:
            continue
        try:
            if bad(apply_text_edits(p.text, list(edits))):
                found.add(finding.code)
        except ValueError:  # overlapping edits
            continue
    if found:
        return ",".join(sorted(found))
    # Only together: name the kinds of edit that met (fixes of many codes share a cause).
    owners = _owned_edits(p, unsafe)
    kinds = {type(a).__name__ for e in p.edits for _, edits in owners.get(e, []) for a in edits}
    return "together:" + "+".join(sorted(kinds))


# ---- the harness ----------------------------------------------------------------------------


@dataclass
class Harness:
    """Engines built once; `run(data, fmt)` checks every property of one input.

    One input is written once and checked once per engine: the check's result serves the
    `check` mode and the fixes that start from it (as `ce-lint fix` starts from its own check).
    `fix-unsafe` runs only where the safe fix met a finding with an unsafe fix: elsewhere it
    would repeat the safe fix step for step. `fix-era` is skipped where the file does not parse
    (the era changes the rules, not the parsers).
    """

    stage_timeout: float | None = STAGE_TIMEOUT
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="ce-lint-fuzz-")))

    def __post_init__(self) -> None:
        self.seen: set[str] = set()
        knowledge = Knowledge.load()
        targets_ = resolve(knowledge, TARGETS, use_installed=False)
        self.engine = RecordingEngine(knowledge, targets_)
        self.era_engine = RecordingEngine(knowledge, targets_, era=era_targets(knowledge, ERA))
        self.parsers = Parsers()
        self.skipped: dict[str, int] = {}  # mode -> inputs where it was provably redundant

    def _path(self, fmt: str, data: bytes) -> Path:
        folder = self.workdir / fmt
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / file_name(fmt)
        path.write_bytes(data)
        return path

    def run(self, data: bytes, fmt: str, modes: tuple[str, ...] = MODES) -> list[Failure]:
        """Every property of one input, in each of `modes`."""
        self.seen = set()  # what this input reached: read, parsed, fixed
        path = self._path(fmt, data)
        failures: list[Failure] = []
        checked = self._check(self.engine, path, fmt, "check")
        if isinstance(checked, Failure):
            return [checked]
        if "check" in modes:
            failures += self._check_mode(fmt, checked)
        if not _fixable(checked):
            return failures
        saw_unsafe = True
        if "fix-safe" in modes:
            failures += self._fix_mode(data, fmt, "fix-safe", _copy(checked))
            saw_unsafe = self.engine.saw_unsafe
        if "fix-unsafe" in modes:
            if saw_unsafe:
                failures += self._fix_mode(data, fmt, "fix-unsafe", _copy(checked))
            else:
                self.skipped["fix-unsafe"] = self.skipped.get("fix-unsafe", 0) + 1
                self.seen.add("unsafe-same-as-safe")
        if "fix-era" in modes:
            era_checked = self._check(self.era_engine, path, fmt, "fix-era")
            if isinstance(era_checked, Failure):
                failures.append(era_checked)
            elif _fixable(era_checked):
                failures += self._fix_mode(data, fmt, "fix-era", era_checked)
        return _dedupe(self._tag(fmt, data, failures))

    def _tag(self, fmt: str, data: bytes, failures: list[Failure]) -> list[Failure]:
        """`:bash-rejects` on what a fix did to a script bash itself would reject."""
        tagged = [f for f in failures if f.prop not in ("crash", "hang")]
        if not tagged or not self.parsers.bash_rejects(fmt, data.decode("utf-8", "replace")):
            return failures
        return [
            replace(f, signature=f"{f.signature}:bash-rejects") if f in tagged else f
            for f in failures
        ]

    def run_mode(self, data: bytes, fmt: str, mode: str) -> list[Failure]:
        """One mode alone, from its own check (the minimiser's test)."""
        self.seen = set()
        engine = self.era_engine if mode == "fix-era" else self.engine
        checked = self._check(engine, self._path(fmt, data), fmt, mode)
        if isinstance(checked, Failure):
            return [checked]
        if mode == "check":
            return self._tag(fmt, data, self._check_mode(fmt, checked))
        failures = self._fix_mode(data, fmt, mode, checked) if _fixable(checked) else []
        return self._tag(fmt, data, failures)

    def _check(
        self, engine: RecordingEngine, path: Path, fmt: str, mode: str, stage: str = "check"
    ) -> FileResult | Failure:
        """`engine.check_path(path)`, or the crash or hang it ran into."""
        try:
            with time_limit(self.stage_timeout):
                checked = engine.check_path(path)
                if checked.internal_error:  # check_path caught it: again, for the traceback
                    engine._check_path(path)
        except Hang as exc:
            sig = f"hang:{fmt}:{stage}:{hang_location(exc)}"
            return Failure("hang", mode, sig, last_frames(exc, 10))
        except Exception as exc:  # the property: nothing raises
            sig = f"crash:{fmt}:{stage}:{type(exc).__name__}:{location(exc)}"
            return Failure("crash", mode, sig, last_frames(exc))
        if checked.internal_error:
            detail = checked.findings[0].message
            return Failure("crash", mode, f"crash:{fmt}:{stage}:internal-error", detail)
        if stage == "check" and checked.document is not None:
            self.seen.add("read")
            if not checked.document.problems:
                self.seen.add("parsed")
        return checked

    def _check_mode(self, fmt: str, checked: FileResult) -> list[Failure]:
        """What `check` prints: every output format, fixes shown; field findings in place."""
        misplaced = _misplaced(fmt, checked)
        try:
            with time_limit(self.stage_timeout):
                report = build_report(self.engine, [checked], show_fixes=True)
                for name in REPORT_FORMATS:
                    render(name, report)
        except Hang as exc:
            sig = f"hang:{fmt}:report:{hang_location(exc)}"
            return [Failure("hang", "check", sig, last_frames(exc, 10))]
        except Exception as exc:
            sig = f"crash:{fmt}:report:{type(exc).__name__}:{location(exc)}"
            return [Failure("crash", "check", sig, last_frames(exc))]
        return misplaced

    def _fix_mode(self, data: bytes, fmt: str, mode: str, checked: FileResult) -> list[Failure]:
        engine = self.era_engine if mode == "fix-era" else self.engine
        unsafe = mode in ("fix-unsafe", "fix-era")
        assert checked.document is not None
        source = checked.document.source
        engine.reset()
        try:
            with time_limit(self.stage_timeout):
                result = engine.fix_source(source, unsafe=unsafe, checked=checked)
        except Hang as exc:
            sig = f"hang:{fmt}:fix:{hang_location(exc)}"
            return [Failure("hang", mode, sig, last_frames(exc, 10))]
        except (RecursionError, MemoryError):
            # ce-lint's own promise (Engine._isolated): a file too deep or too large for the
            # parsers (libcst recurses more than ast) is a parse problem, and nothing is written.
            return []
        except Exception as exc:  # the property: nothing raises
            sig = f"crash:{fmt}:fix:{type(exc).__name__}:{location(exc)}"
            return [Failure("crash", mode, sig, last_frames(exc))]
        out: list[Failure] = []
        for p in engine.passes:  # ce-lint's own guard caught a fix that broke the file
            if p.refused:
                sig = f"fix_refused:{fmt}:{','.join(p.refused)}"
                notice = next((n for n in result.notices if UNPARSABLE in n), "")
                out.append(Failure("fix_refused", mode, sig, f"{notice}; in {p.text!r:.400}"))
        if result.fixed_text is None:
            return _dedupe(out)
        self.seen.add("fixed")
        out += self._judge_fix(data, fmt, mode, engine, unsafe, source.text, result)
        return _dedupe(out)

    def _judge_fix(
        self,
        data: bytes,
        fmt: str,
        mode: str,
        engine: RecordingEngine,
        unsafe: bool,
        before: str,
        result: FileResult,
    ) -> list[Failure]:
        assert result.fixed_text is not None and result.document is not None
        after = result.fixed_text
        out: list[Failure] = []
        # The passes that applied fixes, each with the text it wrote: a chain from `before`.
        applied: list[tuple[_Pass, str]] = []
        text = before
        for p in engine.passes:
            if not p.edits:
                continue
            if p.text != text or apply_text_edits(p.text, p.edits) != p.written:
                break
            applied.append((p, p.written))
            text = p.written
        if text != after:
            detail = "the fixed text is not what the passes' recorded edits write"
            out.append(Failure("out_of_span", mode, f"out_of_span:{fmt}:unrecorded", detail))

        def blame(bad: Callable[[str], bool]) -> str:
            """The codes of the first pass that made `bad` true, found one fix at a time."""
            for p, written in applied:
                if bad(written):
                    return culprits(p, unsafe, bad)
            return ",".join(sorted({c for p, _ in applied for c in applied_codes(p, unsafe)}))

        output = result.document.output(after)
        if data.startswith(BOM.encode()) != output.startswith(BOM.encode()):
            detail = "the byte order mark changed"
            out.append(Failure("out_of_span", mode, f"out_of_span:{fmt}:bom", detail))
        if before.strip() and not after.strip() and not _only_directives(before):
            codes = blame(lambda t: not t.strip())
            detail = f"{before!r:.300} -> {after!r}"
            out.append(Failure("emptied", mode, f"emptied:{fmt}:{codes}", detail))
        why = self.parsers.breaks(fmt, before, after)
        if why is not None:
            codes = blame(lambda t: self.parsers.breaks(fmt, before, t) is not None)
            detail = f"{why}\nafter: {after!r:.600}"
            out.append(Failure("parse_break", mode, f"parse_break:{fmt}:{codes}", detail))
        for p, _ in applied:  # each pass's edits, against the findings of the text it saw
            out += check_pass(fmt, mode, p, unsafe)
        keys = touched_keys([p for p, _ in applied], unsafe)
        lost = lost_data(fmt, before, after, keys)
        if lost is not None:
            codes = blame(lambda t: lost_data(fmt, before, t, keys) is not None)
            out.append(Failure("lost_data", mode, f"lost_data:{fmt}:{codes}", lost))
        out += self._second_fix(output, fmt, mode, engine, unsafe)
        return _dedupe(out)

    def _second_fix(
        self, output: bytes, fmt: str, mode: str, engine: RecordingEngine, unsafe: bool
    ) -> list[Failure]:
        """Fixing the fixed file (read back from disk, as the next run would) changes nothing."""
        checked = self._check(engine, self._path(fmt, output), fmt, mode, "refix")
        if isinstance(checked, Failure):
            return [checked]
        if checked.document is None:  # the prefilter finds nothing left to check
            return []
        if checked.document.problems:
            why = checked.document.problems[0].message
            return [Failure("parse_break", mode, f"parse_break:{fmt}:ce-lint-rereads", why)]
        passes = engine.passes
        engine.passes = []
        try:
            with time_limit(self.stage_timeout):
                again = engine.fix_source(checked.document.source, unsafe=unsafe, checked=checked)
        except Hang as exc:
            sig = f"hang:{fmt}:refix:{hang_location(exc)}"
            return [Failure("hang", mode, sig, last_frames(exc, 10))]
        except Exception as exc:
            sig = f"crash:{fmt}:refix:{type(exc).__name__}:{location(exc)}"
            return [Failure("crash", mode, sig, last_frames(exc))]
        second, engine.passes = engine.passes, passes
        if again.fixed_text is None:
            return []
        codes = ",".join(applied_codes(second[0], unsafe)) if second else "-"
        detail = (
            f"second fix changed {checked.document.source.text!r:.300} -> {again.fixed_text!r:.300}"
        )
        sig = f"non_idempotent:{fmt}:{codes}"
        if len([p for p in passes if p.edits]) >= MAX_FIX_PASSES:
            sig += ":pass-limit"  # the first fix stopped at the engine's pass limit
        return [Failure("non_idempotent", mode, sig, detail)]


_DIRECTIVE = re.compile(r"[ \t]*(?:#|//)[ \t]*ce-lint:[^\r\n]*")


def _only_directives(text: str) -> bool:
    """A file of ce-lint's own directive comments only: CE910 removing them (unused) leaves
    it blank, and no data of the user's was in it."""
    lines = [line for line in re.split(r"\r\n|\r|\n", text) if line.strip()]
    return all(_DIRECTIVE.fullmatch(line) for line in lines)


def _fixable(checked: FileResult) -> bool:
    return checked.document is not None and not checked.document.problems


def _copy(checked: FileResult) -> FileResult:
    """A check's result for one fix to start from: fix_source updates the result it is given."""
    return replace(checked, findings=list(checked.findings), notices=list(checked.notices))


def _dedupe(failures: list[Failure]) -> list[Failure]:
    seen, out = set(), []
    for f in failures:
        if f.signature not in seen:
            seen.add(f.signature)
            out.append(f)
    return out


def main() -> None:  # pragma: no cover - a manual check: python -m tools.fuzz.props FMT FILE
    fmt, name = sys.argv[1], sys.argv[2]
    for failure in Harness().run(Path(name).read_bytes(), fmt):
        print(json.dumps(failure.to_json(), indent=2))


if __name__ == "__main__":  # pragma: no cover
    main()
