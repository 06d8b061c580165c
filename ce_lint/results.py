"""One file's result, and the codes of what can go wrong reading a file: what the commands and
the cache handle without loading the engine (which loads every adapter and rule)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .fileio import Trouble
from .findings import Finding

if TYPE_CHECKING:
    from .adapters import Document

PARSE_ERROR = "CE901"
DECODE_ERROR = "CE902"
# Why a file was not read, or a fix not written, and the code that reports it.
FILE_CODES = {
    Trouble.UNREADABLE: "CE903",
    Trouble.CHANGED: "CE904",
    Trouble.NOT_WRITABLE: "CE905",
    Trouble.NOT_REGULAR: "CE906",
    Trouble.TOO_LARGE: "CE907",
}
LINK_NOT_FOLLOWED = "CE908"
INTERNAL_ERROR = "CE999"
DEFAULT_MAX_FILE_SIZE = 20 * 1024 * 1024  # real notebooks with outputs often pass 1 MB


@dataclass
class FileResult:
    path: str
    findings: list[Finding] = field(default_factory=list)
    document: Document | None = None
    skipped: bool = False  # prefilter said it cannot hold training arguments
    fixed_text: str | None = None  # set by fix when the text changed
    fixes_applied: int = 0
    notices: list[str] = field(default_factory=list)
    original: bytes | None = None  # the bytes read: a fix is written only over these
    written: bool = False  # fix wrote the fixed text into the file
    before_text: str | None = None  # fix: the text the fixes started from
    fixed_codes: Counter[str] = field(default_factory=Counter)  # fix: code -> findings gone
    internal_error: bool = False  # ce-lint itself failed on this file (exit code 2 at the end)
    # The findings located for the report (ReportedFinding), once its document is let go;
    # a result from the cache has these alone.
    reported: tuple[Any, ...] | None = None
    digest: str | None = None  # of `original`, kept once the bytes are let go
