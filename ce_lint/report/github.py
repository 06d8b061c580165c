"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request.

`::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=CODE::message`; warnings and
info findings use `::warning` and `::notice`.
"""

from __future__ import annotations

from ..findings import Severity
from . import fix_marker, relative_uri
from .model import Report

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report) -> str:
    out = []
    for f in report.findings:
        props = {
            "file": relative_uri(f.path),
            "line": f.start.row,
            "col": f.start.column,
            "endLine": f.end.row,
            "endColumn": f.end.column,
            "title": f.code,
        }
        head = ",".join(f"{k}={escape_property(str(v))}" for k, v in props.items())
        message = f"{f.code} {fix_marker(f.fix)}{f.message}"
        out.append(f"::{_COMMAND[f.severity]} {head}::{escape_data(message)}")
    return "".join(line + "\n" for line in out)
