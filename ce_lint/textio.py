"""Reading and writing user files without losing a byte we did not mean to change."""

from __future__ import annotations

import bisect
import contextlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

BOM = "\ufeff"


class DecodeProblem(Exception):
    """The file is not text we can edit safely (binary, or not UTF-8)."""


@dataclass
class SourceText:
    """Decoded text of one file. Offsets everywhere are into `text` (BOM excluded)."""

    path: str
    text: str
    bom: bool = False
    _line_starts: list[int] = field(default_factory=list, repr=False)

    @classmethod
    def from_bytes(cls, path: str, data: bytes) -> SourceText:
        if b"\x00" in data[:8192]:
            raise DecodeProblem("the file looks binary (it contains NUL bytes)")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DecodeProblem(f"the file is not valid UTF-8 (byte {exc.start})") from None
        bom = text.startswith(BOM)
        return cls(path, text[1:] if bom else text, bom)

    def encode(self, text: str | None = None) -> bytes:
        body = self.text if text is None else text
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


def atomic_write(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder, fsync, then rename over the original.

    The file's permission bits are kept; a crash leaves either the old or the new file.
    """
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".ce-lint.tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """atomic_write for text, in the bytes `Path.write_text` would write (UTF-8, each "\n"
    as os.linesep): for the files ce-lint writes itself (reports, the verify worker's files).

    A symlink is followed: its target gets the text and the link stays. A path that is not a
    regular file (/dev/stdout, a named pipe) cannot be replaced, so it is written in place.
    """
    data = text.replace("\n", os.linesep).encode("utf-8")
    if path.exists() and not path.is_file():  # both follow symlinks
        with open(path, "wb") as handle:
            handle.write(data)
        return
    atomic_write(Path(os.path.realpath(path)), data)


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
