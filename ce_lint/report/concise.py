"""One line per finding, `path:row:col: CODE [*] message`, for editors and grep."""

from __future__ import annotations

from . import display_path, fix_marker
from .model import Report


def render(report: Report) -> str:
    out = [
        f"{display_path(f.path)}:{f.start.row}:{f.start.column}: {f.code} {fix_marker(f.fix)}{f.message}"
        for f in report.findings
    ]
    if not report.quiet:
        n = len(out)
        out.append(f"Found {n} problem{'s' if n != 1 else ''}." if n else "All checks passed.")
    return "".join(line + "\n" for line in out)
