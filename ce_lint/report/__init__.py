"""Output formats. Every format renders the same report (ce_lint.report.model).

A format is a module of this package with a `render(report) -> str`, listed once in FORMATS;
only the one a run asks for is imported. The formats only read the report:
ce_lint.reporting builds it from the engine's results.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

from ..findings import Applicability
from .model import Report, ReportedFinding, ReportFix


def display_path(path: str) -> str:
    """The path as the user named it, relative to the current folder when it is inside it
    (lexically: a symlinked file is shown as the link, not its target)."""
    absolute, cwd = os.path.abspath(path), os.getcwd()
    return os.path.relpath(absolute, cwd) if absolute.startswith(cwd + os.sep) else path


def where(item: ReportedFinding) -> str:
    """`path:row:col:`, with the cell of a notebook (`path:cell 4:row:col:`): rows and columns
    count inside the cell, so findings of two cells would otherwise share a position."""
    cell = f"cell {item.cell}:" if item.cell is not None else ""
    return f"{display_path(item.path)}:{cell}{item.start.row}:{item.start.column}:"


def fix_marker(fix: ReportFix | None) -> str:
    if fix is None:
        return ""
    if fix.applicability is Applicability.SAFE:
        return "[*] "
    if fix.applicability is Applicability.UNSAFE:
        return "[-] "
    return ""


# Each output format and the module of this package that writes it (its `render(report)`).
FORMATS = {
    "text": "text",
    "concise": "concise",
    "json": "json_format",
    "json-lines": "json_lines",
    "sarif": "sarif",
    "github": "github",
    "junit": "junit",
    "gitlab": "gitlab",
}


def render(name: str, report: Report) -> str:
    module = importlib.import_module(f"{__name__}.{FORMATS[name]}")
    return str(module.render(report))


def format_names() -> list[str]:
    """Every output format, `text` (the default) first."""
    return list(FORMATS)


def relative_uri(path: str) -> str:
    """A path relative to the current folder with forward slashes (CI tools want these)."""
    absolute, cwd = os.path.abspath(path), os.getcwd()
    if absolute.startswith(cwd + os.sep):
        return Path(os.path.relpath(absolute, cwd)).as_posix()
    return Path(absolute).as_posix()
