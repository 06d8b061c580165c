"""Makefiles: recipe lines are shell commands, `VAR = --flag value` lines are lists of flags.

Make hands each recipe line (after its tab and any `@`, `-`, `+` prefix) to the shell, with
`\\` continuations intact; `$(VAR)` and `$$x` reach the training script as values only make
or the shell knows. The shell adapter reads those slices of the file in place.
"""

from __future__ import annotations

import posixpath
import re

from ..knowledge import Knowledge
from ..model import ClassChoice, Site
from ..textio import SourceText
from . import shell_script
from .base import Adapter, Document, ScriptClassOf, directed
from .patterns import flag_pattern
from .shell_script import ShellDocument

_RULE = re.compile(r"[^\s#=:][^#=]*?:(?!=)")
_ASSIGNMENT = re.compile(
    r"(?:export\s+|override\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*(?:[:?+!]|::|:::)?=[ \t]*"
)
NAMES = ("makefile", "gnumakefile")


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


class MakefileAdapter(Adapter):
    name = "make"
    suffixes = (".mk",)

    def __init__(self, knowledge: Knowledge, script_class: ScriptClassOf | None = None):
        super().__init__(knowledge, script_class)
        self.pattern = flag_pattern(knowledge)

    @classmethod
    def matches(cls, path: str) -> bool:
        return posixpath.basename(path.replace("\\", "/")).lower() in NAMES or super().matches(path)

    def may_hold_arguments(self, data: bytes) -> bool:
        return b"ce-lint:" in data or self.pattern.search(data) is not None

    def parse(self, source: SourceText, chosen: ClassChoice) -> Document:
        comments: list[tuple[int, str]] = []
        chosen = directed(chosen, source.text)
        scripts = shell_script.scripts_of(self.script_class, source.path, chosen)
        sites: list[Site] = []
        for start, end, flag_list in shell_slices(source.text):
            sites += shell_script.find_sites(
                source, self.knowledge, chosen, start, end, scripts, comments=comments,
                arguments=flag_list,
            )  # fmt: skip
        return ShellDocument(source, tuple(sites), shell_comments=tuple(comments))
