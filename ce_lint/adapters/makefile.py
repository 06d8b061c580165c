"""Makefiles: recipe lines are shell commands, `VAR = --flag value` lines are lists of flags.

Make hands each recipe line (after its tab and any `@`, `-`, `+` prefix) to the shell, with
`\\` continuations intact; `$(VAR)` and `$$x` reach the training script as values only make
or the shell knows. The shell adapter reads those slices of the file in place.
"""

from __future__ import annotations

import re

from ..knowledge import Knowledge
from ..model import ClassChoice, Site
from ..textio import SourceText
from . import shell_script
from .base import Adapter, Document, ScriptClassOf, directed
from .patterns import flag_pattern
from .shell_reject import rejection
from .shell_script import ShellDocument

_RULE = re.compile(r"[^\s#=:][^#=]*?:(?!=)")
_ASSIGNMENT = re.compile(
    r"(?:export\s+|override\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*(?:[:?+!]|::|:::)?=[ \t]*"
)


def _logical_line_end(text: str, start: int) -> int:
    """End (before the newline) of the line at `start` and its `\\` continuations."""
    end = text.find("\n", start)
    while end != -1 and text[start:end].rstrip("\r").endswith("\\"):
        end = text.find("\n", end + 1)
    return len(text) if end == -1 else end


def shell_slices(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, is_flag_list) of each recipe line and each variable's value."""
    out = []
    pos, in_rule = 0, False
    while pos < len(text):
        end = _logical_line_end(text, pos)
        line = text[pos:end]
        if line.startswith("\t") and in_rule:
            start = pos + 1
            while start < end and text[start] in "@-+ \t":
                start += 1
            out.append((start, end, False))
        elif line.strip() and not line.lstrip().startswith("#"):
            assignment = _ASSIGNMENT.match(line)
            if assignment:
                out.append((pos + assignment.end(), end, True))
                in_rule = False
            else:
                in_rule = _RULE.match(line) is not None
        pos = end + 1
    return out


def make_expanded(text: str, start: int, end: int) -> tuple[str, list[int]]:
    """`text[start:end]` as the shell receives it from make, with the offset in `text` of each
    character: a `$(...)`/`${...}` reference (nested ones too) or `$@`-like variable becomes a
    plain word, `$$` becomes `$`. Judged raw, every recipe using a make function would look
    broken to bash (`$(if $(CI),--log "x",)`)."""
    out: list[str] = []
    offsets: list[int] = []
    i = start
    while i < end:
        if text.startswith("$$", i, end):
            out.append("$")
            offsets.append(i)
            i += 2
        elif text[i] == "$" and i + 1 < end:
            close = _reference_end(text, i + 1, end)
            out.append("MAKEVAR")
            offsets += [i] * len("MAKEVAR")
            i = close
        else:
            out.append(text[i])
            offsets.append(i)
            i += 1
    return "".join(out), offsets


def _reference_end(text: str, i: int, end: int) -> int:
    """Just past the make reference whose name starts at i (after its `$`)."""
    opening = text[i]
    if opening not in "({":
        return i + 1
    closing = ")" if opening == "(" else "}"
    depth = 0
    while i < end:
        depth += (text[i] == opening) - (text[i] == closing)
        i += 1
        if depth == 0:
            return i
    return end


def judged_slice(text: str, start: int, end: int, flag_list: bool) -> tuple[str, list[int]]:
    """A recipe line or flag list as bash would judge it (a flag list as the arguments of
    `:`), with the offset in `text` of each character."""
    expanded, where = make_expanded(text, start, end)
    if expanded.endswith("\\"):  # bash drops it; joined to other slices it would continue
        expanded, where = expanded[:-1], where[:-1]
    prefix = ": " if flag_list else ""
    return prefix + expanded, [start] * len(prefix) + where


def shell_text(text: str) -> str:
    """All recipe lines and flag lists of a Makefile as one shell text, one per line."""
    return "".join(judged_slice(text, *piece)[0] + "\n" for piece in shell_slices(text))


class MakefileAdapter(Adapter):
    name = "make"

    def __init__(self, knowledge: Knowledge, script_class: ScriptClassOf | None = None):
        super().__init__(knowledge, script_class)
        self.pattern = flag_pattern(knowledge)

    def may_hold_arguments(self, data: bytes) -> bool:
        return b"ce-lint:" in data or self.pattern.search(data) is not None

    def parse(self, source: SourceText, chosen: ClassChoice) -> Document:
        comments: list[tuple[int, str]] = []
        chosen = directed(chosen, source.text)
        scripts = shell_script.scripts_of(self.script_class, source.path, chosen)
        sites: list[Site] = []
        slices = shell_slices(source.text)
        for start, end, flag_list in slices:
            judged, where = judged_slice(source.text, start, end, flag_list)
            found = rejection(judged)
            if found is not None:
                offset = where[found.offset] if found.offset < len(where) else end
                problem = shell_script.rejected(source, found.reason, offset, "this recipe line")
                return ShellDocument(source, problems=(problem,))
        for start, end, flag_list in slices:
            sites += shell_script.find_sites(
                source, self.knowledge, chosen, start, end, scripts, comments=comments,
                arguments=flag_list,
            )  # fmt: skip
        return ShellDocument(source, tuple(sites), shell_comments=tuple(comments))

    def shell_text(self, text: str) -> str:
        return shell_text(text)
