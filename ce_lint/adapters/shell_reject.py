"""Would bash reject this text? A pure-Python answer, for machines without bash.

`shell_lex` reads a broken script as best it can (an unterminated quote runs to the end), which
is fine for finding flags but not for editing: a fix written into a script bash rejects can
delete everything after the broken construct. This check says where bash would stop: an
unterminated quote or expansion, a compound command that never closes, a keyword or control
operator where none may stand, a redirect without a target. It agrees with `bash -n` on
99.6 % of a held-out set of damaged launch scripts (research: shell-eval.md, section 3.1);
where it errs it mostly errs towards "reject", which only holds a fix back.

Nothing is run. Here-document bodies are skipped; a missing delimiter is only a warning in
bash, so it is no rejection here either.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass

_META = frozenset(" \t\n;&|()<>")
_COMMAND_START_BEFORE = frozenset(" \t\n;&|(")
_OPENERS = {"if": "fi", "while": "do", "until": "do", "for": "do", "select": "do"}
_REDIRECT = re.compile(r"\d*(?:<<<|<<-|<<|>>|>&|<&|>\||<>|<|>)|&>>|&>")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=")
_INLINE_HEREDOC = re.compile(r"<<-?[ \t]*(['\"]?)([^\s'\";&|()<>]+)\1")
_PIPES = ("&&", "||", "|", "|&")
_CASE_ENDS = (";;", ";&", ";;&")
BASH_TIMEOUT_S = 10


@dataclass(frozen=True)
class Rejection:
    """Why bash would reject the text, and the offset (into the text) of the culprit."""

    reason: str
    offset: int


class _Rejected(Exception):
    def __init__(self, reason: str, offset: int):
        super().__init__(reason)
        self.rejection = Rejection(reason, offset)


def _unterminated(what: str, offset: int) -> _Rejected:
    return _Rejected(f"unterminated {what}", offset)


@dataclass(frozen=True)
class _Token:
    kind: str  # WORD, OP (control operator or parenthesis), REDIRECT, NEWLINE
    value: str
    offset: int


class _Scanner:
    """Skips quoted text and expansions with bash's nesting rules; raises at the end of text."""

    def __init__(self, text: str):
        self.text = text
        self.end = len(text)

    def quoted(self, i: int, close: str, opened: int) -> int:
        """From just after an opening quote (`'`, `"` or a backquote): just past its close."""
        text = self.text
        if close == "'":
            found = text.find("'", i)
            if found == -1:
                raise _unterminated("'", opened)
            return found + 1
        while i < self.end:
            ch = text[i]
            if ch == "\\":
                i += 2
            elif ch == close:
                return i + 1
            elif close == '"' and ch == "$":
                i = self.dollar(i, in_double_quotes=True)
            elif close == '"' and ch == "`":
                i = self.quoted(i + 1, "`", i)
            else:
                i += 1
        raise _unterminated("`" if close == "`" else close, opened)

    def dollar(self, i: int, in_double_quotes: bool = False) -> int:
        """Just past the expansion at the `$` at i."""
        text = self.text
        following = text[i + 1 : i + 2]
        if in_double_quotes and following in ("'", '"'):
            return i + 1  # inside "...", `$"` and `$'` are a literal `$`
        if following == "(":
            if text.startswith("((", i + 1):
                return self.parentheses(i + 3, 2, "$((", i)
            return self.command_substitution(i + 2, i)
        if following == "{":
            return self.braces(i + 2, i)
        if following == "'":
            j = i + 2
            while j < self.end:
                if text[j] == "\\":
                    j += 2
                elif text[j] == "'":
                    return j + 1
                else:
                    j += 1
            raise _unterminated("$'", i)
        if following == '"':
            return self.quoted(i + 2, '"', i + 1)
        return i + 1

    def step(self, i: int) -> int:
        """Just past what starts at i: an escaped character, quoted text, an expansion, or the
        character itself."""
        ch = self.text[i]
        if ch == "\\":
            return i + 2
        if ch in "'\"`":
            return self.quoted(i + 1, ch, i)
        if ch == "$":
            return self.dollar(i)
        return i + 1

    def braces(self, i: int, opened: int) -> int:
        """Inside `${...}`: quotes and nested expansions count; the first bare `}` closes."""
        text = self.text
        while i < self.end:
            if text[i] == "}":
                return i + 1
            i = self.step(i)
        raise _unterminated("${", opened)

    def parentheses(self, i: int, depth: int, what: str, opened: int) -> int:
        """Arithmetic `$((...))`, process substitution, extglob: balanced parentheses."""
        text = self.text
        while i < self.end:
            ch = text[i]
            if ch == "(":
                depth += 1
                i += 1
            elif ch == ")":
                depth -= 1
                i += 1
                if depth == 0:
                    return i
            else:
                i = self.step(i)
        raise _unterminated(what, opened)

    def command_substitution(self, i: int, opened: int) -> int:
        """`$(...)` holds a script: comments, here-documents and `case` patterns' `)` count."""
        text = self.text
        depth, open_cases = 1, 0
        while i < self.end:
            ch = text[i]
            at_word_start = i == 0 or text[i - 1] in _COMMAND_START_BEFORE
            if ch == "#" and at_word_start:
                newline = text.find("\n", i)
                i = self.end if newline == -1 else newline
            elif text.startswith("<<", i) and not text.startswith("<<<", i):
                i = self.inline_heredoc(i)
            elif ch == "(":
                depth += 1
                i += 1
            elif ch == ")":
                i += 1
                if open_cases and depth == 1:
                    continue  # the `)` after a case pattern
                depth -= 1
                if depth == 0:
                    return i
            elif (name := _NAME.match(text, i)) and at_word_start:
                open_cases += (name.group() == "case") - (name.group() == "esac")
                i = name.end()
            else:
                i = self.step(i)
        raise _unterminated("$(", opened)

    def inline_heredoc(self, i: int) -> int:
        """A here-document inside `$(...)`: skip to the end of its delimiter line."""
        match = _INLINE_HEREDOC.match(self.text, i)
        if not match:
            return i + 2
        delimiter = match.group(2)
        newline = self.text.find("\n", i)
        while newline != -1:
            following = self.text.find("\n", newline + 1)
            line_end = self.end if following == -1 else following
            if self.text[newline + 1 : line_end].strip("\t") == delimiter:
                return line_end
            newline = following
        return self.end

    def word_end(self, i: int) -> int:
        text = self.text
        while i < self.end:
            ch = text[i]
            if ch in _META:
                if ch in "<>" and text.startswith("(", i + 1):  # process substitution
                    i = self.parentheses(i + 2, 1, ch + "(", i)
                    continue
                if ch == "(" and i > 0 and text[i - 1] in "@!?*+":  # extglob
                    i = self.parentheses(i + 1, 1, text[i - 1] + "(", i - 1)
                    continue
                break
            i = self.step(i)
        return min(i, self.end)


def _tokens(text: str) -> list[_Token]:
    scanner = _Scanner(text)
    end = len(text)
    out: list[_Token] = []
    heredocs: list[tuple[str, bool]] = []  # (delimiter, leading tabs stripped)
    i = 0
    while i < end:
        ch = text[i]
        if ch in " \t":
            i += 1
        elif ch == "\\" and text.startswith("\n", i + 1):
            i += 2
        elif ch == "\\" and text.startswith("\r\n", i + 1):
            i += 3
        elif ch == "#":
            newline = text.find("\n", i)
            i = end if newline == -1 else newline
        elif ch == "\n":
            out.append(_Token("NEWLINE", ch, i))
            i = _skip_heredoc_bodies(text, i + 1, heredocs)
            heredocs.clear()
        elif (redirect := _REDIRECT.match(text, i)) and not text.startswith(("<(", ">("), i):
            operator = redirect.group().lstrip("0123456789")
            i = redirect.end()
            while i < end and text[i] in " \t":
                i += 1
            target = i
            i = scanner.word_end(i)
            if i == target:
                raise _Rejected(f"the redirect {operator} has no target", redirect.start())
            if operator in ("<<", "<<-"):
                delimiter = re.sub(r"['\"\\]", "", text[target:i])
                heredocs.append((delimiter, operator == "<<-"))
            out.append(_Token("REDIRECT", operator, redirect.start()))
        elif ch in ";&|()":
            pair = text[i : i + 2]
            if text.startswith(";;&", i):
                operator = ";;&"
            elif pair in ("&&", "||", ";;", "|&", ";&"):
                operator = pair
            else:
                operator = ch
            out.append(_Token("OP", operator, i))
            i += len(operator)
        else:
            start = i
            i = scanner.word_end(i)
            if i == start:
                i += 1  # a lone character bash reads as a word of its own
            else:
                out.append(_Token("WORD", text[start:i], start))
    return out


def _skip_heredoc_bodies(text: str, i: int, heredocs: list[tuple[str, bool]]) -> int:
    for delimiter, strip_tabs in heredocs:
        while i < len(text):
            newline = text.find("\n", i)
            line = text[i : len(text) if newline == -1 else newline].rstrip("\r")
            i = len(text) if newline == -1 else newline + 1
            if (line.lstrip("\t") if strip_tabs else line) == delimiter:
                break
    return i


class _Grammar:
    """A keyword and operator state machine over the tokens: what bash's parser insists on."""

    def __init__(self, tokens: list[_Token]):
        self.tokens = tokens
        # What closes each open construct (fi, do, done, }, ), case-in, case-pattern,
        # case-body), with the offset of its opener.
        self.open: list[tuple[str, int]] = []
        self.command_start = True  # a command may start at the next word
        self.only_assignments = False  # the command so far is assignments: complete as it is
        self.pending: _Token | None = None  # a `&&`, `||` or `|` still waiting for its command
        self.k = 0

    def expecting(self, *closers: str) -> bool:
        return bool(self.open) and self.open[-1][0] in closers

    def run(self) -> None:
        tokens = self.tokens
        while self.k < len(tokens):
            token = tokens[self.k]
            if token.kind == "NEWLINE":
                if self.pending is None:
                    self.command_start, self.only_assignments = True, False
                self.k += 1
            elif token.kind == "OP":
                self.operator(token)
            elif token.kind == "REDIRECT":
                self.k += 1
            else:
                self.pending = None
                self.word(token)
        if self.pending is not None:
            raise _Rejected(f"nothing follows {self.pending.value}", self.pending.offset)
        if self.open:
            closer, offset = self.open[-1]
            what = {"case-in": "case", "case-pattern": "case", "case-body": "case"}.get(closer)
            raise _Rejected(
                f"the {what or _opener_of(closer)} is never closed (no {closer_word(closer)})",
                offset,
            )

    def operator(self, token: _Token) -> None:
        value, tokens = token.value, self.tokens
        if self.expecting("case-pattern") and value in ("|", "("):
            self.k += 1
            return
        if value == "(":
            following = tokens[self.k + 1] if self.k + 1 < len(tokens) else None
            if self.command_start:
                if following is not None and following.value == "(":
                    self.arithmetic_command(token)
                    return
                self.open.append((")", token.offset))
                self.k += 1
                return
            if following is not None and following.value == ")":  # `name ()`: a function
                self.k += 2
                self.command_start = True
                return
            raise _Rejected("unexpected (", token.offset)
        if value == ")":
            if self.expecting("case-pattern"):
                self.open[-1] = ("case-body", self.open[-1][1])
                self.command_start = True
            elif self.expecting(")"):
                self.open.pop()
                self.command_start = False
            else:
                raise _Rejected("unexpected )", token.offset)
            self.k += 1
            return
        if value in _CASE_ENDS:
            if not self.expecting("case-body"):
                raise _Rejected(f"{value} outside a case", token.offset)
            self.open[-1] = ("case-pattern", self.open[-1][1])
            self.command_start = False
        elif value in _PIPES:
            if self.command_start and not self.only_assignments:
                raise _Rejected(f"no command before {value}", token.offset)
            self.pending = token
            self.command_start, self.only_assignments = True, False
        elif value in (";", "&"):
            previous = tokens[self.k - 1] if self.k else None
            empty = previous is None or previous.kind == "NEWLINE" or previous.value in (
                ";", "&", *_PIPES,
            )  # fmt: skip
            if self.command_start and empty and not self.expecting("case-pattern"):
                raise _Rejected(f"no command before {value}", token.offset)
            self.command_start, self.only_assignments = True, False
        self.k += 1

    def arithmetic_command(self, token: _Token) -> None:
        """`(( ... ))` in command position: skip to its balancing parenthesis."""
        depth = 0
        while self.k < len(self.tokens):
            value = self.tokens[self.k].value
            depth += (value == "(") - (value == ")")
            if depth == 0:
                break
            self.k += 1
        if depth:
            raise _unterminated("((", token.offset)
        self.k += 1
        self.command_start = False

    def word(self, token: _Token) -> None:
        value = token.value
        if self.expecting("case-pattern"):
            if value == "esac":
                self.open.pop()
                self.command_start = False
            self.k += 1
            return
        if self.expecting("case-in"):
            if value != "in":
                raise _Rejected("a case without in", token.offset)
            self.open[-1] = ("case-pattern", self.open[-1][1])
            self.k += 1
            return
        if self.command_start:
            self.command_word(token)
        elif self.array_follows(token):
            self.array(token)
        else:
            self.k += 1

    def command_word(self, token: _Token) -> None:
        value, offset = token.value, token.offset
        self.k += 1
        if value == "case":
            self.open.append(("case-in", offset))
            self.k += 1  # the subject
        elif value in _OPENERS:
            self.open.append((_OPENERS[value], offset))
            if value in ("for", "select"):  # `for NAME in words; do`, `for ((...)); do`
                while self.k < len(self.tokens) and not self.is_word(self.k, "do"):
                    self.k += 1
        elif value == "then":
            if not self.expecting("fi"):
                raise _Rejected("then without an if", offset)
        elif value in ("else", "elif"):
            if not self.expecting("fi"):
                raise _Rejected(f"{value} without an if", offset)
        elif value in ("fi", "done", "}"):
            if not self.expecting(value):
                raise _Rejected(f"{value} closes nothing", offset)
            self.open.pop()
            self.command_start = False
        elif value == "do":
            if not self.expecting("do"):
                raise _Rejected("do without a while, until, for or select", offset)
            self.open[-1] = ("done", self.open[-1][1])
        elif value == "esac":
            raise _Rejected("esac closes nothing", offset)
        elif value == "{":
            self.open.append(("}", offset))
        elif value in ("!", "time"):
            pass
        elif value == "function":
            self.k += 1  # the name, and an optional `()`
            if self.is_word(self.k, "(") and self.is_word(self.k + 1, ")"):
                self.k += 2
        elif value == "[[":
            self.double_brackets(token)
        elif _ASSIGNMENT.match(value):
            self.k -= 1
            if self.array_follows(token):
                self.array(token)
            else:
                self.k += 1
            self.only_assignments = True  # assignments keep the command position open
        else:
            self.command_start = False

    def is_word(self, k: int, value: str) -> bool:
        return k < len(self.tokens) and self.tokens[k].value == value

    def double_brackets(self, token: _Token) -> None:
        while self.k < len(self.tokens):
            value = self.tokens[self.k].value
            if self.tokens[self.k].kind == "WORD" and (
                value == "]]" or (value.endswith("]]") and not value.endswith(":]]"))
            ):
                break
            self.k += 1
        if self.k >= len(self.tokens):
            raise _unterminated("[[", token.offset)
        self.k += 1
        self.command_start = False

    def array_follows(self, token: _Token) -> bool:
        """`NAME=(`: the parenthesis touches a word ending in `=`."""
        following = self.tokens[self.k + 1] if self.k + 1 < len(self.tokens) else None
        return (
            token.value.endswith("=")
            and following is not None
            and following.value == "("
            and following.offset == token.offset + len(token.value)
        )

    def array(self, token: _Token) -> None:
        self.k += 2
        while self.k < len(self.tokens) and self.tokens[self.k].value != ")":
            self.k += 1
        if self.k >= len(self.tokens):
            raise _unterminated("array (", token.offset + len(token.value))
        self.k += 1


def _opener_of(closer: str) -> str:
    return {"fi": "if", "do": "loop", "done": "loop", "}": "{", ")": "("}.get(closer, closer)


def closer_word(closer: str) -> str:
    return "esac" if closer.startswith("case") else closer


def rejection(text: str) -> Rejection | None:
    """Why bash would refuse to run `text` (as `bash -n` would say), or None."""
    try:
        _Grammar(_tokens(text)).run()
    except _Rejected as exc:
        return exc.rejection
    return None


class _BashUnsure(Exception):
    """bash could not give a verdict (it timed out or could not start)."""


def _bash_complaint(bash: str, text: str) -> str | None:
    """What `bash -n` says against `text` (None: it accepts). `-n` reads and runs nothing;
    no startup file is read (BASH_ENV and ENV are dropped), the text goes in on stdin."""
    env = {k: v for k, v in os.environ.items() if k not in ("BASH_ENV", "ENV")}
    try:
        done = subprocess.run(
            [bash, "--norc", "--noprofile", "-n"], input=text.encode("utf-8", "surrogatepass"),
            capture_output=True, timeout=BASH_TIMEOUT_S, env=env, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise _BashUnsure(str(exc)) from exc
    if done.returncode == 0:
        return None
    lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[0].removeprefix("bash: ") if lines else f"exit status {done.returncode}"


def fix_refusal(before: str, after: str) -> str | None:
    """Why a fix that turns the shell text `before` into `after` must not be written: bash
    rejects `after` although it accepted `before`. bash itself judges where it is on PATH
    (two calls at most, one when the fix is fine); elsewhere, and when bash cannot answer,
    the pure-Python check does."""
    bash = shutil.which("bash")
    if bash is not None:
        try:
            complaint = _bash_complaint(bash, after)
            if complaint is None or _bash_complaint(bash, before) is not None:
                return None  # accepted, or bash rejected the original already (`-n` quirks)
            return f"bash -n rejects the text it gives: {complaint}"
        except _BashUnsure:
            pass
    found = rejection(after)
    if found is None or rejection(before) is not None:
        return None
    return f"bash would reject the text it gives: {found.reason}"
