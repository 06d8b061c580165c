"""Output formats. Every format renders the same report (ce_lint.report.model).

A format is a function (report) -> str registered in FORMATTERS by `@register(name)` in
its own module; FORMAT_MODULES lists those modules so the names are known without guessing.
The formats only read the report: ce_lint.reporting builds it from the engine's results.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from ..findings import Applicability
from .model import Report, ReportFix


def display_path(path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return path


def fix_marker(fix: ReportFix | None) -> str:
    if fix is None:
        return ""
    if fix.applicability is Applicability.SAFE:
        return "[*] "
    if fix.applicability is Applicability.UNSAFE:
        return "[-] "
    return ""


Formatter = Callable[[Report], str]
FORMATTERS: dict[str, Formatter] = {}


def register(name: str) -> Callable[[Formatter], Formatter]:
    def wrap(fn: Formatter) -> Formatter:
        FORMATTERS[name] = fn
        return fn

    return wrap


# Modules of this package that register formats (each knows one format).
FORMAT_MODULES = (
    "text",
    "concise",
    "json_format",
    "json_lines",
    "sarif",
    "github",
    "junit",
    "gitlab",
)


def _load_formats() -> None:
    for module in FORMAT_MODULES:
        importlib.import_module(f"{__name__}.{module}")


def render(name: str, report: Report) -> str:
    _load_formats()
    return FORMATTERS[name](report)


def format_names() -> list[str]:
    """Every output format, `text` (the default) first."""
    _load_formats()
    return sorted(FORMATTERS, key=lambda n: (n != "text", n))


def relative_uri(path: str) -> str:
    """A path relative to the current folder with forward slashes (CI tools want these)."""
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return Path(path).resolve().as_posix()
