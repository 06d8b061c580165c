"""Suppression comments, whatever the file format.

    key: value  # ce-lint: ignore[CE101]        this line, these codes
    key: value  # ce-lint: ignore               this line, every code
    # ce-lint: ignore-file[CE124]               the whole file, these codes (no list: all)
    x = f(a=1)  # noqa: CE101                   Ruff/flake8 style, this line

Adapters only say where their comments are (`Document.comments()`); this module reads
the directives in them, drops the findings they cover, and reports directives that
cover nothing (UNUSED_CODE), with a safe fix that removes the stale part.

A bare `# noqa` silences every ce-lint finding on its line, as it does for flake8 and
Ruff; it is never reported as unused, since it may be there for another tool. Neither
are codes of other tools in a `noqa` list.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from .adapters import Document
from .findings import Applicability, Finding, Fix, ReplaceSource, Severity
from .model import Span

UNUSED_CODE = "CE910"

# Cheap test on the whole text before any comment is looked at.
_MARKER = re.compile(r"ce-lint:\s*ignore|noqa", re.IGNORECASE)
# A directive that can be unused: ours, or a noqa naming one of our codes (a bare `# noqa`, or
# one naming other tools' codes, is never called unused). Files without findings look only for
# these, instead of reading every comment (transformers' files hold thousands of `# noqa`).
_MAY_BE_UNUSED = re.compile(r"ce-lint:\s*ignore|noqa\s*:[^\n\r]*?CE\d", re.IGNORECASE)
# A directive inside one comment, with the `#` that may start it (a second `#` in one comment).
_DIRECTIVE = re.compile(
    r"(?:#\s*)?(?:"
    r"ce-lint:\s*(?P<kind>ignore-file|ignore)(?![\w-])(?:\[(?P<codes>[^\]]*)\])?"
    r"|(?<![\w-])(?P<noqa>noqa)(?::\s*(?P<noqa_codes>[A-Za-z]+\d+(?:\s*,\s*[A-Za-z]+\d+|\s+[A-Za-z]+\d+)*))?(?![\w-])"
    r")",
    re.IGNORECASE,
)
_CODE_SPLIT = re.compile(r"[\s,]+")
_OTHER_BREAK = re.compile("[\r\x85\u2028\u2029]")
_OUR_CODE = re.compile(r"^CE\d+$")
_MARKERS = ("", "#", "//", "/*")


@dataclass
class Directive:
    comment: tuple[int, str]  # (offset, text) of the comment holding it
    start: int  # span of the directive in the document
    end: int
    row: int
    cell: int | None  # notebooks: rows count within a cell
    file_level: bool
    noqa: bool
    codes: tuple[str, ...] | None  # None: every code
    other_codes: tuple[str, ...] = ()  # noqa codes of other tools, kept as written
    used: set[str] = field(default_factory=set)  # codes that suppressed something
    used_blanket: bool = False

    def covers(self, code: str) -> bool:
        return self.codes is None or code in self.codes


def directives(document: Document) -> list[Directive]:
    text = document.source.text
    if not _MARKER.search(text):
        return []
    out = []
    for offset, comment in document.comments():
        # YAML ends a comment at \r, NEL, LS and PS too: text after one is data, not comment.
        comment = _OTHER_BREAK.split(comment, maxsplit=1)[0]
        for match in _DIRECTIVE.finditer(comment):
            if match.group("noqa"):
                raw = match.group("noqa_codes")
                listed = [c.upper() for c in _CODE_SPLIT.split(raw) if c] if raw else None
                ours = None if listed is None else tuple(c for c in listed if _OUR_CODE.match(c))
                others = (
                    () if listed is None else tuple(c for c in listed if not _OUR_CODE.match(c))
                )
                if ours == () and others:
                    continue  # only other tools' codes
                file_level, noqa = False, True
            else:
                raw = match.group("codes")
                ours = (
                    None if raw is None else tuple(c.upper() for c in _CODE_SPLIT.split(raw) if c)
                )
                others, file_level, noqa = (), match.group("kind").lower() == "ignore-file", False
            start = offset + match.start()
            out.append(
                Directive(
                    (offset, comment),
                    start,
                    offset + match.end(),
                    document.location(offset)[0],
                    document.cell(offset),
                    file_level,
                    noqa,
                    ours or None,  # `ignore[]` counts as no list
                    others,
                )
            )
    return out


def apply(
    document: Document,
    findings: list[Finding],
    judged: Callable[[str], bool],
    known_codes: Collection[str],
    report_unused: bool,
) -> list[Finding]:
    """Findings that no directive covers, plus one UNUSED_CODE finding per stale directive.

    `judged(code)`: whether this run could have reported `code` (selected, not ignored);
    a directive about a code the run did not look for is never called unused.
    """
    if not findings and not _MAY_BE_UNUSED.search(document.source.text):
        return findings  # nothing to suppress, and no directive of ours to call unused
    found = directives(document)
    if not found:
        return findings
    kept = []
    for finding in findings:
        if finding.code == UNUSED_CODE:
            kept.append(finding)
            continue
        row = document.location(finding.span.start)[0]
        cell = document.cell(finding.span.start)
        covering = [
            d
            for d in found
            if (d.file_level or (d.row, d.cell) == (row, cell)) and d.covers(finding.code)
        ]
        for directive in covering:
            if directive.codes is None:
                directive.used_blanket = True
            else:
                directive.used.add(finding.code)
        if not covering:
            kept.append(finding)
    if report_unused:
        kept += [u for d in found if (u := _unused(d, document, judged, known_codes))]
    return kept


def _unused(
    directive: Directive, document: Document, judged: Callable[[str], bool], known: Collection[str]
) -> Finding | None:
    offset, comment = directive.comment
    what = "`" + comment[directive.start - offset : directive.end - offset].lstrip("#/* \t") + "`"
    where = "this file" if directive.file_level else "this line"
    if directive.codes is None:
        if directive.noqa or directive.used_blanket:
            return None
        message = f"Unused suppression {what}: ce-lint reports no problem on {where}."
        return _finding(document, directive, message, [], "remove the suppression")
    unknown = [c for c in directive.codes if c not in known]
    stale = [c for c in directive.codes if c in known and c not in directive.used and judged(c)]
    if not unknown and not stale:
        return None
    parts = []
    if stale:
        parts.append(f"no {', '.join(stale)} finding on {where}")
    if unknown:
        parts.append(f"no rule is called {', '.join(unknown)}")
    message = f"Unused suppression {what}: {'; '.join(parts)}."
    drop = set(stale) | set(unknown)
    remaining = [c for c in directive.codes if c not in drop]
    action = f"drop {', '.join(sorted(drop))} from it" if remaining else "remove the suppression"
    return _finding(document, directive, message, remaining, action)


def _finding(
    document: Document, directive: Directive, message: str, remaining: list[str], action: str
) -> Finding:
    offset, comment = directive.comment
    verbatim = document.source.text[offset : offset + len(comment)] == comment
    # A comment read through escapes (a notebook cell's `\\` in its JSON) has other offsets
    # in the file than in its text: no edit can be placed there, so the finding asks a hand.
    fix = Fix(Applicability.SAFE, action, (_edit(document, directive, remaining),))
    if not verbatim:
        message = f"{message} Do it by hand: {action}."
    return Finding(
        UNUSED_CODE,
        message,
        Severity.WARNING,
        document.path,
        Span(directive.start, directive.end),
        fix=fix if verbatim else None,
    )


def _edit(document: Document, directive: Directive, remaining: list[str]) -> ReplaceSource:
    """The text change that keeps `remaining` codes, or removes the directive."""
    offset, comment = directive.comment
    start, end = directive.start - offset, directive.end - offset
    if remaining or directive.other_codes:
        codes = [*directive.other_codes, *remaining] if directive.noqa else remaining
        body = comment[start:end]
        lead = body[: len(body) - len(body.lstrip("# \t"))] if body.startswith("#") else ""
        if directive.noqa:
            new = f"{lead}noqa: {', '.join(codes)}"
        else:
            kind = "ignore-file" if directive.file_level else "ignore"
            new = f"{lead}ce-lint: {kind}[{', '.join(codes)}]"
        return ReplaceSource(Span(directive.start, directive.end), new)
    left, right = comment[:start].rstrip(), comment[end:].lstrip()
    # The directive may have taken the comment's own marker with it: put it back.
    left = left or next((m for m in ("//", "/*", "#") if comment.startswith(m)), "")
    if left in _MARKERS and right in ("", "*/"):
        return ReplaceSource(_comment_removal(document, offset, len(comment)), "")
    joined = f"{left} {right}" if right else left
    return ReplaceSource(Span(offset, offset + len(comment)), joined)


def _comment_removal(document: Document, offset: int, length: int) -> Span:
    """The span to delete for a whole comment: its line when it stands alone, else the
    comment and the blanks before it."""
    source = document.source
    text = source.text
    line_start = source.line_start(offset)
    end = offset + length
    # Only blanks count: str.strip() would also take U+2028/U+2029, NEL or a form feed, which
    # YAML reads as line breaks, and remove them with the line.
    alone_before = text[line_start:offset].strip(" \t") == ""
    if alone_before and text[end : source.line_end(end)].strip(" \t\r\n") == "":
        return Span(line_start, source.line_end(end))
    start = offset
    while start > line_start and text[start - 1] in " \t":
        start -= 1
    return Span(start, end)
