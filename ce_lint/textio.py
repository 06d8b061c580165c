"""Reading and writing user files without losing a byte we did not mean to change."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

BOM = "\ufeff"
_LONE_CR = re.compile(r"\r(?!\n)")


class DecodeProblem(Exception):
    """The file is not text we can edit safely (binary, or not UTF-8)."""


# Byte-order marks of encodings other than UTF-8: such a file is reported, never guessed at.
_OTHER_BOMS = {
    b"\xff\xfe\x00\x00": "UTF-32",
    b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16",
    b"\xfe\xff": "UTF-16",
}


def encoding_problem(data: bytes) -> str | None:
    """Why `data` is not text ce-lint reads (another encoding's BOM, NUL bytes), else None.

    Cheap enough to run before the prefilter, whose byte search cannot see into UTF-16."""
    for bom, name in _OTHER_BOMS.items():
        if data.startswith(bom):
            return f"the file is {name} text (it starts with a {name} byte order mark); ce-lint reads UTF-8 only"
    if b"\x00" in data[:8192]:
        return "the file looks binary (it contains NUL bytes)"
    return None


@dataclass
class SourceText:
    """Decoded text of one file. Offsets everywhere are into `text` (BOM excluded).

    A file whose lines end in a lone CR (old Mac style), read by a format where CR breaks
    lines, is held with LF instead: one character for one, so every offset stays true, and
    `encode` turns them back.
    """

    path: str
    text: str
    bom: bool = False
    cr_lines: bool = False  # the file breaks lines with a lone CR (held as LF in `text`)
    _line_starts: list[int] = field(default_factory=list, repr=False)

    @classmethod
    def from_bytes(cls, path: str, data: bytes, cr_breaks_lines: bool = False) -> SourceText:
        """`cr_breaks_lines`: the format treats a lone CR as a line break (YAML, JSON, Python)."""
        problem = encoding_problem(data)
        if problem:
            raise DecodeProblem(problem)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DecodeProblem(f"the file is not valid UTF-8 (byte {exc.start})") from None
        bom = text.startswith(BOM)
        text = text[1:] if bom else text
        cr_lines = False
        if cr_breaks_lines and "\r" in text and _LONE_CR.search(text):
            if "\n" in text:
                raise DecodeProblem(
                    "the file mixes lone CR line breaks with LF ones; ce-lint does not guess "
                    "which lines an edit would join"
                )
            text, cr_lines = text.replace("\r", "\n"), True
        return cls(path, text, bom, cr_lines)

    def with_text(self, text: str) -> SourceText:
        """The same file with other text (an edit of it)."""
        return SourceText(self.path, text, self.bom, self.cr_lines)

    def encode(self, text: str | None = None) -> bytes:
        body = self.text if text is None else text
        if self.cr_lines:
            body = body.replace("\n", "\r")
        return ((BOM if self.bom else "") + body).encode("utf-8")

    @property
    def line_starts(self) -> list[int]:
        if not self._line_starts:
            starts = [0]
            text = self.text
            i = text.find("\n")
            while i != -1:
                starts.append(i + 1)
                i = text.find("\n", i + 1)
            self._line_starts = starts
        return self._line_starts

    def location(self, offset: int) -> tuple[int, int]:
        """1-based (row, column) of a character offset; columns count characters."""
        row = bisect.bisect_right(self.line_starts, offset) - 1
        return row + 1, offset - self.line_starts[row] + 1

    def offset(self, row: int, column: int) -> int:
        """Inverse of location()."""
        return self.line_starts[row - 1] + column - 1

    def line_start(self, offset: int) -> int:
        return self.line_starts[bisect.bisect_right(self.line_starts, offset) - 1]

    def line_end(self, offset: int) -> int:
        """Offset just past the newline of the line holding `offset` (or end of text)."""
        i = self.text.find("\n", offset)
        return len(self.text) if i == -1 else i + 1

    def newline(self) -> str:
        """The line ending this file uses."""
        i = self.text.find("\n")
        return "\r\n" if i > 0 and self.text[i - 1] == "\r" else "\n"


@dataclass(frozen=True)
class TextEdit:
    start: int
    end: int
    text: str


def apply_text_edits(text: str, edits: list[TextEdit]) -> str:
    """Apply non-overlapping edits (any order)."""
    out = []
    pos = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if edit.start < pos:
            raise ValueError(f"overlapping edits at {edit.start}")
        out.append(text[pos : edit.start])
        out.append(edit.text)
        pos = edit.end
    out.append(text[pos:])
    return "".join(out)
