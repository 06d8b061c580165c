"""Splitting shell text into commands and words, keeping every word's exact span.

Only what finding and editing command lines needs: quotes, escapes, `\\` line continuations,
comments, the separators (`;`, `&&`, `||`, `|`, `&`, parentheses, newlines), redirections
(whose targets are not arguments), here-documents (whose bodies are not commands), array
assignments `NAME=( ... )`, and words holding `$VAR`, `${...}`, `$(...)` or backquotes, whose
value only the shell knows. Nothing is expanded or run. `shlex` alone cannot do this: it
loses positions.

Offsets are into the text given, so a caller can lex a slice of a bigger document (a YAML
block scalar, a notebook cell) and get document positions back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_META = frozenset(" \t\r\n;&|()<>")
_SEPARATOR_START = frozenset(";&|()")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=")
_REDIRECT = re.compile(r"\d*(?:<<<|<<-|<<|>>|>&|<&|>\||<>|<|>)|&>>|&>")
_SPECIAL_PARAMETER = frozenset("@*#?$!-0123456789")


@dataclass
class Word:
    start: int
    end: int
    value: str | None  # the word after quote removal; None when it holds an expansion
    quoted: bool = False


@dataclass
class Command:
    """One simple command, or the elements of an array / string assignment of flags."""

    words: list[Word]
    start: int
    end: int
    # Set for `NAME=( ... )` and `NAME="..."`: the words are the variable's elements.
    variable: str | None = None
    # True where a newline is plain whitespace (arrays, strings): no `\\` needed to go on.
    free_newlines: bool = False
    # True for a string assignment: the shell splits it on blanks, quotes inside mean nothing.
    split_only: bool = False


@dataclass
class Script:
    commands: list[Command] = field(default_factory=list)
    comments: list[tuple[int, str]] = field(default_factory=list)  # (offset, "# text")


class _Lexer:
    def __init__(self, text: str, start: int, end: int, fold: bool = False):
        self.fold = fold  # newlines are blanks (a folded YAML scalar)
        self.text = text
        self.pos = start
        self.end = end
        self.script = Script()
        self.heredocs: list[tuple[str, bool]] = []  # (delimiter, strip leading tabs)

    # -- characters ------------------------------------------------------------------

    def at(self, offset: int = 0) -> str:
        i = self.pos + offset
        return self.text[i] if i < self.end else ""

    def continuation(self, i: int) -> int:
        """Length of a `\\`-newline at i (0 if none)."""
        text = self.text
        if i < self.end and text[i] == "\\":
            if i + 1 < self.end and text[i + 1] == "\n":
                return 2
            if text.startswith("\r\n", i + 1) and i + 2 < self.end:
                return 3
        return 0

    def skip_blanks(self, newlines: bool = False) -> None:
        while self.pos < self.end:
            ch = self.text[self.pos]
            if ch in " \t" or (ch == "\r" and self.at(1) == "\n") or (ch == "\n" and newlines):
                self.pos += 1
            elif n := self.continuation(self.pos):
                self.pos += n
            elif ch == "\\" and self.pos + 1 == self.end:
                self.pos += 1  # bash drops a `\` at the end of the text: no word
            else:
                return

    def comment(self) -> None:
        end = self.text.find("\n", self.pos, self.end)
        end = self.end if end == -1 else end
        self.script.comments.append((self.pos, self.text[self.pos : end].rstrip("\r")))
        self.pos = end

    # -- commands --------------------------------------------------------------------

    def run(self) -> Script:
        words: list[Word] = []
        start = self.pos

        def finish() -> None:
            if words:
                self.script.commands.append(Command(list(words), start, words[-1].end))
            words.clear()

        while True:
            self.skip_blanks(newlines=self.fold)
            if self.pos >= self.end:
                finish()
                return self.script
            ch = self.text[self.pos]
            if ch == "#":
                self.comment()
            elif ch == "\n":
                finish()
                self.pos += 1
                self.here_documents()
                start = self.pos
            elif (
                match := _REDIRECT.match(self.text, self.pos, self.end)
            ) and not self.text.startswith(("<(", ">("), self.pos):
                heredoc = self.redirection(match)
                if heredoc is not None:
                    self.heredocs.append(heredoc)
            elif ch in _SEPARATOR_START:
                finish()
                self.pos += (
                    2 if self.text[self.pos : self.pos + 2] in ("&&", "||", ";;", "|&") else 1
                )
                start = self.pos
            else:
                word = self.word()
                ends_with_equals = self.text[word.end - 1 : word.end] == "="
                if self.at() == "(" and ends_with_equals and self.assignment(word):
                    self.array(word)
                    continue
                if word.end == word.start:  # a lone metacharacter we do not model
                    self.pos += 1
                    continue
                words.append(word)
                self.string_assignment(word, words)

    def assignment(self, word: Word) -> str | None:
        match = _ASSIGNMENT.match(self.text, word.start, word.end)
        return match.group().rstrip("+=").split("[")[0] if match else None

    def redirection(self, match: re.Match[str]) -> tuple[str, bool] | None:
        """Skip an operator and its target; a here-document returns its delimiter."""
        op = match.group().lstrip("0123456789")
        self.pos = match.end()
        self.skip_blanks()
        target = self.word()
        if op in ("<<", "<<-"):
            delimiter = self.text[target.start : target.end].replace("'", "").replace('"', "")
            return delimiter.replace("\\", ""), op == "<<-"
        return None

    def here_documents(self) -> None:
        """Skip the bodies of here-documents opened on the line just ended."""
        for delimiter, strip_tabs in self.heredocs:
            while self.pos < self.end:
                end = self.text.find("\n", self.pos, self.end)
                line_end = self.end if end == -1 else end
                line = self.text[self.pos : line_end].rstrip("\r")
                self.pos = line_end + 1 if end != -1 else self.end
                if (line.lstrip("\t") if strip_tabs else line) == delimiter:
                    break
        self.heredocs.clear()

    def array(self, name_word: Word) -> None:
        """`NAME=( word ... )`: newlines and comments may appear inside."""
        name = self.assignment(name_word) or ""
        self.pos += 1  # the "("
        words: list[Word] = []
        start = self.pos
        while True:
            self.skip_blanks(newlines=True)
            ch = self.at()
            if not ch or ch == ")":
                end = self.pos
                self.pos += 1 if ch else 0
                break
            if ch == "#":
                self.comment()
                continue
            word = self.word()
            if word.end == word.start:
                self.pos += 1
                continue
            words.append(word)
        self.script.commands.append(Command(words, start, end, name, free_newlines=True))

    def string_assignment(self, word: Word, words: list[Word]) -> None:
        """`NAME="--flag value ..."` (alone, or after export/local/declare): the string is
        later split on blanks, so its own words are recorded as a Command too."""
        name = self.assignment(word)
        if name is None:
            return
        heads = [self.text[w.start : w.end] for w in words[:-1]]
        if heads and heads[0] not in ("export", "local", "declare", "readonly", "typeset"):
            return
        value_start = word.start + len(_ASSIGNMENT.match(self.text, word.start).group())  # type: ignore[union-attr]
        quote = self.text[value_start : value_start + 1]
        if quote not in ("'", '"') or self.text[word.end - 1] != quote:
            return
        inner_start, inner_end = value_start + 1, word.end - 1
        if inner_end <= inner_start:
            return
        body = self.text[inner_start:inner_end]
        if "\\" in body and (quote == "'" or not continuations_only(body)):
            return  # other escapes would move the positions
        inner = split_blanks(self.text, inner_start, inner_end)
        if inner:
            self.script.commands.append(
                Command(inner, inner_start, inner_end, name, free_newlines=True, split_only=True)
            )

    # -- words -----------------------------------------------------------------------

    def word(self) -> Word:
        """One word from the current position; stops at an unquoted metacharacter."""
        text, start = self.text, self.pos
        value: list[str] = []
        known = True
        quoted = False
        while self.pos < self.end:
            ch = text[self.pos]
            if ch in "<>" and self.at(1) == "(":  # process substitution: part of the word
                self.pos = self.skip_parens(self.pos + 1)
                known = False
                continue
            if ch in _META:
                break
            if ch == "\\":
                if n := self.continuation(self.pos):
                    if self.ends_word(self.pos + n):
                        break  # `word\` then a blank: the `\`-newline is no part of the word
                    self.pos += n
                    continue
                if self.pos + 1 >= self.end:
                    break  # bash drops a `\` at the end of the text
                value.append(text[self.pos + 1])
                quoted = True
                self.pos += 2
            elif ch == "'":
                close = text.find("'", self.pos + 1, self.end)
                close = self.end if close == -1 else close
                value.append(text[self.pos + 1 : close])
                quoted = True
                self.pos = close + 1
            elif ch == '"':
                quoted = True
                known &= self.double_quoted(value)
            elif ch == "$":
                quoted |= self.at(1) in ("'", '"')
                known &= self.dollar(value)
            elif ch == "`":
                self.pos = self.skip_until("`", self.pos + 1)
                known = False
            else:
                value.append(ch)
                self.pos += 1
        self.pos = min(self.pos, self.end)
        return Word(start, self.pos, "".join(value) if known else None, quoted)

    def double_quoted(self, value: list[str]) -> bool:
        text = self.text
        self.pos += 1
        known = True
        while self.pos < self.end and text[self.pos] != '"':
            ch = text[self.pos]
            if ch == "\\" and self.pos + 1 < self.end:
                nxt = text[self.pos + 1]
                if nxt == "\n":
                    pass
                elif nxt in '$`"\\':
                    value.append(nxt)
                else:
                    value.append("\\" + nxt)
                self.pos += 2
            elif ch == "$" and self.at(1) not in ("'", '"'):
                known &= self.dollar(value)
            elif ch == "`":
                self.pos = self.skip_until("`", self.pos + 1)
                known = False
            else:  # inside "...", `$"` and `$'` are a literal `$`
                value.append(ch)
                self.pos += 1
        self.pos += 1
        return known

    def dollar(self, value: list[str]) -> bool:
        """An expansion at `$`; returns False when its value is unknown."""
        nxt = self.at(1)
        if nxt == "(":
            self.pos = self.skip_parens(self.pos + 1)
            return False
        if nxt == "{":
            self.pos = self.skip_braces(self.pos + 2)
            return False
        if nxt == "'":  # ANSI-C quoting: known only without escapes
            close = self.skip_until("'", self.pos + 2)
            body = self.text[self.pos + 2 : close - 1]
            self.pos = close
            value.append(body)
            return "\\" not in body
        if nxt == '"':
            self.pos += 1
            return self.double_quoted(value)
        match = _NAME.match(self.text, self.pos + 1, self.end)
        if match:
            self.pos = match.end()
            return False
        if nxt and nxt in _SPECIAL_PARAMETER:
            self.pos += 2
            return False
        value.append("$")
        self.pos += 1
        return True

    def skip_until(self, closing: str, i: int) -> int:
        """Offset just past the next unescaped `closing` from i."""
        text = self.text
        while i < self.end:
            if text[i] == "\\":
                i += 2
                continue
            if text[i] == closing:
                return i + 1
            i += 1
        return self.end

    def ends_word(self, i: int) -> bool:
        """Whether the word ends at i: a blank, a metacharacter or the end of the text."""
        while n := self.continuation(i):
            i += n
        return i >= self.end or self.text[i] in _META

    def skip_braces(self, i: int) -> int:
        """Offset just past the `}` closing a `${` whose body starts at i: the first `}` not
        quoted and not inside a nested expansion (`${A:-"}"}`, `${A:-${B}}`)."""
        text = self.text
        while i < self.end:
            ch = text[i]
            if ch == "\\":
                i += 2
            elif ch == "}":
                return i + 1
            elif ch in "'`":
                i = self.skip_until(ch, i + 1)
            elif ch == '"':
                i = self.skip_double_quoted(i + 1)
            elif ch == "$" and text[i + 1 : i + 2] == "{":
                i = self.skip_braces(i + 2)
            elif ch == "$" and text[i + 1 : i + 2] == "(":
                i = self.skip_parens(i + 1)
            else:
                i += 1
        return self.end

    def skip_double_quoted(self, i: int) -> int:
        """Offset just past the `"` closing a string whose body starts at i."""
        text = self.text
        while i < self.end:
            ch = text[i]
            if ch == "\\":
                i += 2
            elif ch == '"':
                return i + 1
            elif ch == "$" and text[i + 1 : i + 2] == "{":
                i = self.skip_braces(i + 2)
            elif ch == "$" and text[i + 1 : i + 2] == "(":
                i = self.skip_parens(i + 1)
            elif ch == "`":
                i = self.skip_until("`", i + 1)
            else:
                i += 1
        return self.end

    def skip_parens(self, i: int) -> int:
        """Offset just past the `)` matching the `(` at i, skipping quoted text."""
        depth, text = 0, self.text
        while i < self.end:
            ch = text[i]
            if ch == "\\":
                i += 2
                continue
            if ch == "'":
                i = self.skip_until("'", i + 1)
                continue
            if ch == '"':
                i = self.skip_until('"', i + 1)
                continue
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
        return self.end


def continuations_only(body: str) -> bool:
    """Whether every `\\` of a double-quoted string starts a `\\`-newline that bash deletes
    between blanks, so that the words it holds keep their positions in the text.

    A `\\`-newline with a word character on both sides would join them (`a\\<newline>b` is
    `ab`); `\\<CR><LF>` is no continuation; any other escape changes the text.
    """
    if body.count("\\") != len(_CONTINUATIONS.findall(body)):
        return False
    blanks = re.compile(r"[^ \t\r\n]+")
    return blanks.findall(_CONTINUATIONS.sub("", body)) == blanks.findall(
        _CONTINUATIONS.sub("  ", body)
    )


_CONTINUATIONS = re.compile(r"\\\n")


def split_blanks(text: str, start: int, end: int) -> list[Word]:
    """Words of a string the shell splits on blanks (an unquoted `$VAR` expansion).

    A `\\`-newline (deleted by bash inside double quotes) counts as a blank here: callers
    check first (`continuations_only`) that it never joins two words.
    """
    out = []
    for match in re.finditer(r"[^ \t\r\n]+", _CONTINUATIONS.sub("  ", text[start:end])):
        raw = match.group()
        known = "$" not in raw and "`" not in raw
        out.append(Word(start + match.start(), start + match.end(), raw if known else None))
    return out


def lex(text: str, start: int = 0, end: int | None = None, fold: bool = False) -> Script:
    """The commands and comments of `text[start:end]`, with offsets into `text`.

    `fold`: newlines are blanks, as in a folded YAML scalar (`key: >`).
    """
    return _Lexer(text, start, len(text) if end is None else end, fold).run()


def word_at(text: str, start: int, end: int) -> Word:
    """Read `text[start:end]` as one word (e.g. the value part of `--flag=value`)."""
    lexer = _Lexer(text, start, end)
    word = lexer.word()
    if word.end != end:  # a metacharacter inside: not one plain word
        return Word(start, end, None, True)
    return word
