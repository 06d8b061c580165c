"""Shell scripts: commands that launch training become Sites, flags become Entries.

`shell_lex` splits the text into commands and words; `cli_args` decides which commands launch
training and what their flags mean. This module joins the two and owns the shell's text:
how a word is quoted, and how a flag is dropped or added without leaving a dangling `\\`,
a stray blank or a broken alignment. Other formats that hold shell text (a YAML `run: |`
block, a notebook's `!python ...` line) call `find_sites` on their slice of the document.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass

from ..findings import AbstractEdit
from ..knowledge import Knowledge
from ..model import ClassChoice, ClassSource, Site, Span
from ..textio import SourceText, TextEdit
from . import cli_args
from .base import Adapter, Document, ScriptClassOf, directed
from .cli_args import ArgWord
from .errors import ParseProblem, RenderError
from .patterns import flag_pattern
from .shell_lex import Command, lex
from .shell_reject import rejection

_SAFE_WORD = re.compile(r"[A-Za-z0-9_@%+=:,./-]+\Z")
_FLAG_PREFIX = re.compile(r"(--[A-Za-z0-9_-]+=)(.*)\Z", re.DOTALL)
_CONTINUATION = re.compile(r"[ \t]*\\\r?\n")
_LINE_REST = re.compile(r"[ \t]*(#[^\n]*)?(\r?\n)?\Z")
_SHELLS = frozenset({"bash", "sh", "zsh", "dash", "ksh"})
# Characters a new word may not hold inside a quoted string of the outer shell.
_FORBIDDEN_IN = {"'": "'", '"': '"\\$`'}

# A quoted word that holds a training command somewhere (after `cd x &&`, `;`, `(`).
_LAUNCHER_INSIDE = re.compile(r"(?:^|[\s;&|(])(?:python[0-9.]*|torchrun|accelerate|deepspeed)\s+\S")
_QUOTED_OPTION = re.compile(r"--?[\w-]+=(?=['\"])")  # --wrap="...", --command='...'
_ONLY_TEXT = frozenset({"echo", "printf"})  # commands that print their words

# The class a launched script parses into, from the launching file's point of view.
ScriptClass = Callable[[str | None], ClassChoice | None]


def shell_quote(value: str, like: str = "", forbidden: str = "", split_only: bool = False) -> str:
    """`value` as one shell word, quoted like the word it replaces where that is possible."""
    candidates = []
    quote = like[:1] if like[:1] in ("'", '"') else ""
    if _SAFE_WORD.match(value):
        if quote:
            candidates.append(quote + value + quote)
        candidates.append(value)
    elif not split_only:
        match = _FLAG_PREFIX.match(value)
        prefix, body = (match.group(1), match.group(2)) if match else ("", value)
        single = prefix + "'" + body.replace("'", "'\\''") + "'"
        double = prefix + '"' + re.sub(r'([\\"$`])', r"\\\1", body) + '"'
        candidates += [double, single] if quote == '"' else [single, double]
    for text in candidates:
        if not any(ch in text for ch in forbidden):
            return text
    raise RenderError(f"cannot write {value!r} as a word here")


class ShellLayout:
    """The words of one command (or array / string of flags) in a shell text."""

    def __init__(
        self,
        source: SourceText,
        words: list[ArgWord],
        free_newlines: bool = False,
        split_only: bool = False,
        forbidden: str = "",
    ):
        self.source = source
        self.words = words
        self.free_newlines = free_newlines  # a newline is plain whitespace here
        self.split_only = split_only  # the text is split on blanks later: no quoting possible
        self.forbidden = forbidden  # inside an outer quoted string

    def quote(self, value: str, like: str = "") -> str:
        return shell_quote(value, like, self.forbidden, self.split_only)

    def _same_line(self, a: int, b: int) -> bool:
        return "\n" not in self.source.text[a:b]

    def replace(self, i: int, value: str) -> list[TextEdit]:
        word = self.words[i]
        return [TextEdit(word.span.start, word.span.end, self.quote(value, word.raw))]

    def remove(self, i: int, j: int) -> list[TextEdit]:
        return [self._kept_apart(edit) for edit in self._removal(i, j)]

    def _kept_apart(self, edit: TextEdit) -> TextEdit:
        """A removal that would let the words on either side touch (across `\\`-newlines,
        which bash deletes) leaves a blank instead, so they stay two words. So does one that
        starts a line after `word\\`: a removal next to it in the same pass may bring a word."""
        text = self.source.text
        if edit.text or not _in_word(_char_before(text, edit.start)):
            return edit
        after_continuation = text.endswith(("\\\n", "\\\r\n"), 0, edit.start)
        if after_continuation or _in_word(_char_after(text, edit.end)):
            return TextEdit(edit.start, edit.end, " ")
        return edit

    def _removal(self, i: int, j: int) -> list[TextEdit]:
        src, text, words = self.source, self.source.text, self.words
        start, end = words[i].span.start, words[j - 1].span.end
        line_start = src.line_start(start)
        rest = text[end : src.line_end(end)]
        alone = text[line_start:start].strip(" \t") == ""
        continued = _CONTINUATION.match(rest)
        line_done = _LINE_REST.match(rest)
        before = words[i - 1] if i > 0 else None
        after = words[j] if j < len(words) else None
        if alone and (continued or (line_done and self.free_newlines)):
            # The flag fills its line: drop the line, the others keep their layout.
            return [TextEdit(line_start, end + len(rest), "")]
        if (
            alone
            and before is not None
            and (after is None or not self._same_line(end, after.span.start))
        ):
            # The last line of a continued command: join onto the word before, dropping its
            # `\` (and a comment that was about this flag).
            tail = len(rest.rstrip("\r\n")) if line_done else 0
            return [TextEdit(before.span.end, end + tail, "")]
        if after is not None and self._same_line(end, after.span.start):
            return [TextEdit(start, after.span.start, "")]
        if before is not None and self._same_line(before.span.end, start):
            return [TextEdit(before.span.end, end, "")]
        return [TextEdit(start, end, "")]

    def insert_after(self, i: int, values: list[str], own_line: bool = False) -> list[TextEdit]:
        src, text = self.source, self.source.text
        rendered = " ".join(self.quote(v) for v in values)
        end = self.words[i].span.end
        if not own_line:
            return [TextEdit(end, end, " " + rendered)]
        line_start = src.line_start(end)
        line = text[line_start : src.line_end(end)]
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        starts_with_flag = line.lstrip(" \t").startswith("-")
        rest = text[end : src.line_end(end)]
        newline = src.newline()
        continued = _CONTINUATION.match(rest)
        if starts_with_flag and continued:
            # One flag per continued line: add a line, with its `\` where the others have it.
            stripped = line.rstrip("\r\n")
            column = stripped.rfind("\\")
            aligned = column - len(stripped[:column].rstrip(" \t")) > 1
            body = indent + rendered
            pad = " " * (max(column - len(body), 1) if aligned else 1)
            return [TextEdit(src.line_end(end), src.line_end(end), f"{body}{pad}\\{newline}")]
        if starts_with_flag and self.free_newlines and _LINE_REST.match(rest):
            return [TextEdit(src.line_end(end), src.line_end(end), f"{indent}{rendered}{newline}")]
        previous_line = text[src.line_start(max(line_start - 1, 0)) : line_start]
        last = i == len(self.words) - 1
        if starts_with_flag and last and previous_line.rstrip("\r\n").endswith("\\"):
            return [TextEdit(end, end, f" \\{newline}{indent}{rendered}")]
        return [TextEdit(end, end, " " + rendered)]


def _in_word(char: str) -> bool:
    """Whether `char` would join the word it touches (`<` and `>` may: `a<(cmd)`)."""
    return bool(char.strip()) and char not in ";&|()"


def _char_before(text: str, i: int) -> str:
    """The character bash reads just before offset i, past `\\`-newlines (which it deletes)."""
    while True:
        if text.endswith("\\\n", 0, i):
            i -= 2
        elif text.endswith("\\\r\n", 0, i):
            i -= 3
        else:
            return text[i - 1 : i] if i > 0 else ""


def _char_after(text: str, i: int) -> str:
    """The character bash reads at offset i, past `\\`-newlines."""
    while True:
        if text.startswith("\\\n", i):
            i += 2
        elif text.startswith("\\\r\n", i):
            i += 3
        else:
            return text[i : i + 1]


@dataclass(frozen=True, eq=False)
class ShellDocument(Document):
    shell_comments: tuple[tuple[int, str], ...] = ()

    def comments(self) -> list[tuple[int, str]]:
        return list(self.shell_comments)

    def can_render(self, edit: AbstractEdit) -> bool:
        try:
            self.render(edit)
        except RenderError:
            return False
        return True


def find_sites(
    source: SourceText,
    knowledge: Knowledge,
    chosen: ClassChoice,
    start: int = 0,
    end: int | None = None,
    script_class: ScriptClass | None = None,
    forbidden: str = "",
    comments: list[tuple[int, str]] | None = None,
    fold: bool = False,
    arguments: bool = False,
) -> list[Site]:
    """Sites for the training launches (and arrays / strings of flags) in a slice of text.

    `forbidden`: characters a new word may not hold (the slice is inside a quoted string of
    another format); `fold`: newlines in the slice are blanks; `arguments`: the slice is a
    list of flags itself (a make variable), not a command; `comments` collects the comments.
    """
    script = lex(source.text, start, end, fold)
    if comments is not None:
        comments += script.comments
    sites: list[Site] = []
    folder: str | None = ""  # where commands run, relative to this file's folder (None: unknown)
    for command in sorted(script.commands, key=lambda c: c.start):
        words = [
            ArgWord(w.value, Span(w.start, w.end), source.text[w.start : w.end])
            for w in command.words
        ]
        if words and words[0].value == "cd":
            folder = _cd(words[1:], folder)
            continue
        scripts = _run_in(folder, script_class)
        sites += _nested(source, knowledge, chosen, words, scripts, comments)
        site = _site(source, knowledge, chosen, command, words, scripts, forbidden, fold, arguments)
        if site is not None:
            sites.append(site)
    return sites


# `cd "$(dirname "${BASH_SOURCE[0]}")/x"`, `cd $(dirname $0)/x`: a folder next to this file.
_HERE = re.compile(r'^"?\$\(dirname\s+"?\$\{?(?:BASH_SOURCE(?:\[0\])?|0)\}?"?\)"?(/[^"]*)?"?$')


def _cd(arguments: list[ArgWord], folder: str | None) -> str | None:
    """The folder after `cd ARG`, relative to this file's folder; None when it cannot be told
    (no argument, an absolute path, a variable)."""
    if len(arguments) != 1:
        return None
    word = arguments[0]
    if word.value is None:
        here = _HERE.match(word.raw)
        return posixpath.normpath("." + (here.group(1) or "")) if here else None
    if folder is None or word.value.startswith(("/", "~", "-")) or not word.value:
        return None
    return posixpath.normpath(posixpath.join(folder, word.value))


def _run_in(folder: str | None, script_class: ScriptClass | None) -> ScriptClass | None:
    """`script_class` for commands run in `folder` (a relative script is found there)."""
    if script_class is None or not folder or folder == ".":
        return script_class
    return lambda script: script_class(
        posixpath.join(folder, script)
        if script and script.endswith(".py") and not script.startswith("/")
        else script
    )


def _site(
    source: SourceText, knowledge: Knowledge, chosen: ClassChoice, command: Command,
    words: list[ArgWord], script_class: ScriptClass | None, forbidden: str, fold: bool,
    arguments: bool,
) -> Site | None:  # fmt: skip
    free = command.free_newlines or fold
    layout = ShellLayout(source, words, free, command.split_only, forbidden)
    held = command.variable is not None or arguments
    return cli_args.list_site(
        source.path, Span(command.start, command.end), layout, knowledge, chosen,
        launch_only=not held, held=held, script_class=script_class,
    )  # fmt: skip


def _nested(
    source: SourceText, knowledge: Knowledge, chosen: ClassChoice, words: list[ArgWord],
    script_class: ScriptClass | None, comments: list[tuple[int, str]] | None,
) -> list[Site]:  # fmt: skip
    """Commands given as a string: `bash -c "..."`, `sbatch --wrap "..."`, and any quoted word
    that starts a training launcher (`ssh host "cd x && torchrun ..."`, `--cmd='python ...'`)."""
    out = []
    if words and posixpath.basename(words[0].value or "") in _ONLY_TEXT:
        return out  # `echo "python train.py --flag"` prints it
    for k, word in enumerate(words):
        option = _QUOTED_OPTION.match(word.raw)
        skip = option.end() if option else 0
        held = word
        raw = held.raw[skip:]
        quote = raw[:1]
        if quote not in ("'", '"') or len(raw) < 2 or raw[-1] != quote:
            continue
        explicit = (word.value or "").startswith("--wrap=") or (
            (k > 0 and words[k - 1].value == "--wrap")
            or (
                k > 1
                and re.fullmatch(r"-[a-z]*c", words[k - 1].value or "")
                and posixpath.basename(words[k - 2].value or "") in _SHELLS
            )
        )
        if not explicit and not _LAUNCHER_INSIDE.search(raw[1:-1]):
            continue
        if quote == '"' and "\\" in raw:
            continue  # escapes would move the positions
        inner_start = held.span.start + skip + 1
        out += find_sites(
            source, knowledge, chosen, inner_start, held.span.end - 1, script_class,
            _FORBIDDEN_IN[quote], comments,
        )  # fmt: skip
    return out


class ShellAdapter(Adapter):
    name = "shell"

    def __init__(self, knowledge: Knowledge, script_class: ScriptClassOf | None = None):
        super().__init__(knowledge, script_class)
        self.pattern = flag_pattern(knowledge)

    def may_hold_arguments(self, data: bytes) -> bool:
        return b"ce-lint:" in data or self.pattern.search(data) is not None

    def parse(self, source: SourceText, chosen: ClassChoice) -> Document:
        found = rejection(source.text)
        if found is not None:  # what shell_lex reads past a broken construct is no script
            problem = rejected(source, found.reason, found.offset, "this script")
            return ShellDocument(source, problems=(problem,))
        comments: list[tuple[int, str]] = []
        directed_here = directed(chosen, source.text)
        sites = find_sites(
            source, self.knowledge, directed_here,
            script_class=scripts_of(self.script_class, source.path, directed_here),
            comments=comments,
        )  # fmt: skip
        return ShellDocument(source, tuple(sites), shell_comments=tuple(comments))

    def shell_text(self, text: str) -> str:
        return text


def rejected(source: SourceText, reason: str, offset: int, what: str) -> ParseProblem:
    """The CE901 problem of a shell text bash would reject: it is neither checked nor edited."""
    row, column = source.location(offset)
    message = (
        f"bash would reject {what}: {reason} at line {row}, column {column}; "
        "it was not checked, and ce-lint will not edit it"
    )
    return ParseProblem(message, offset)


def scripts_of(
    script_class: ScriptClassOf | None, path: str, chosen: ClassChoice
) -> ScriptClass | None:
    """The launched scripts' classes as seen from `path`; none when a directive names the class."""
    if script_class is None or chosen.source is ClassSource.COMMENT:
        return None
    return lambda script: script_class(path, script)
