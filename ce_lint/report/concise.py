"""One line per finding, `path:row:col: CODE [*] message` (`path:cell N:row:col:` in a
notebook), for editors and grep."""

from __future__ import annotations

from . import fix_marker, where
from .model import Report


def render(report: Report) -> str:
    out = [f"{where(f)} {f.code} {fix_marker(f.fix)}{f.message}" for f in report.findings]
    if not report.quiet:
        n = len(out)
        out.append(f"Found {n} problem{'s' if n != 1 else ''}." if n else "All checks passed.")
    return "".join(line + "\n" for line in out)
