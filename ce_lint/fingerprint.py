"""Stable identities for findings, for baselines and CI dashboards.

A finding is identified by what it is about, not where it sits: its code, its file
(relative to a root), the fields it names and a hash of its line's text. Adding lines
above a finding keeps its identity; editing the line itself gives it a new one.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .fileio import resolved

if TYPE_CHECKING:  # the output formats use the keys alone, without loading the adapters
    from .adapters import Document
    from .findings import Finding

FindingKey = tuple[str, str, str, str]  # code, file, fields, line hash


def relative_file(path: str, root: Path) -> str:
    """`path` relative to `root` with forward slashes (`../` when outside it)."""
    return _relative(path, str(root), os.getcwd())


@lru_cache(maxsize=4096)
def _relative(path: str, root: str, cwd: str) -> str:
    # Cached: every finding of a file asks the same question (cwd is part of the key).
    try:
        return Path(os.path.relpath(resolved(path), resolved(root))).as_posix()
    except ValueError:  # another drive
        return resolved(path).as_posix()


def line_text(finding: Finding, document: Document | None) -> str:
    if document is None:
        return ""
    source = document.source
    start = source.line_start(min(finding.span.start, len(source.text)))
    end = source.text.find("\n", start)
    return source.text[start : len(source.text) if end == -1 else end].strip()


def short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def key_of(code: str, path: str, fields: Iterable[str], line: str, root: Path) -> FindingKey:
    """The identity of a finding of `code` in `path` about `fields`, on a line reading `line`."""
    return (code, relative_file(path, root), ",".join(fields), short_hash(line))


def finding_key(finding: Finding, document: Document | None, root: Path) -> FindingKey:
    return key_of(finding.code, finding.path, finding.fields, line_text(finding, document), root)


def fingerprints(keys: Iterable[FindingKey]) -> list[str]:
    """One fingerprint per finding key, unique within the list: repeats get a counter."""
    seen: dict[FindingKey, int] = {}
    out = []
    for key in keys:
        n = seen.get(key, 0)
        seen[key] = n + 1
        out.append(hashlib.sha256("\0".join((*key, str(n))).encode()).hexdigest())
    return out
