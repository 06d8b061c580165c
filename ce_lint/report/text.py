"""Human-readable output: one line per finding, then a summary."""

from __future__ import annotations

from collections import Counter

from ..findings import Applicability, Severity
from . import display_path, fix_marker, where
from .model import Report, ReportedFinding

_COLORS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_BOLD, _RESET = "\033[1m", "\033[0m"


def _paint(text: str, code: str, on: bool) -> str:
    return f"{code}{text}{_RESET}" if on else text


def summary(report: Report) -> list[str]:
    findings = report.findings
    lines = []
    if report.fixed:
        verb = "Would fix" if report.would_fix else "Fixed"
        lines.append(f"{verb} {report.fixed} problem{'s' if report.fixed != 1 else ''}.")
    if not findings:
        lines.append("No problems remain." if report.fixed else "All checks passed.")
        return lines
    by_severity = Counter(f.severity for f in findings)
    parts = [f"{by_severity[s]} {s.value}{'s' if by_severity[s] != 1 and s is not Severity.INFO else ''}"
             for s in Severity if by_severity[s]]  # fmt: skip
    files = len({f.path for f in findings})
    lines.append(f"Found {len(findings)} problem{'s' if len(findings) != 1 else ''} "
                 f"({', '.join(parts)}) in {files} file{'s' if files != 1 else ''}.")  # fmt: skip
    safe = sum(1 for f in findings if f.fix and f.fix.applicability is Applicability.SAFE)
    unsafe = sum(1 for f in findings if f.fix and f.fix.applicability is Applicability.UNSAFE)
    if safe or (unsafe and report.unsafe_fixes):
        n = safe + (unsafe if report.unsafe_fixes else 0)
        lines.append(
            f"[*] {n} fixable with `ce-lint fix`{' --unsafe-fixes' if report.unsafe_fixes else ''}."
        )
    if unsafe and not report.unsafe_fixes:
        lines.append(
            f"[-] {unsafe} more fixable with `ce-lint fix --unsafe-fixes` (they change behaviour; read the message)."
        )
    return lines


def fixed_listing(report: Report) -> list[str]:
    """What `fix` changed, file by file (--show-fixes)."""
    lines = []
    for fixed in report.fixed_files:
        if not fixed.counts:
            continue
        lines.append(
            f"{'Would fix' if report.would_fix else 'Fixed'} in {display_path(fixed.path)}:"
        )
        for code, n in fixed.counts:
            lines.append(f"    {n} x {code} {report.rule_name(code)}".rstrip())
    return lines


def finding_lines(item: ReportedFinding, report: Report) -> list[str]:
    """The finding's line and, with --show-fixes, its fix and the lines it changes."""
    place = where(item)
    severity = _paint(item.severity.value, _COLORS[item.severity], report.color)
    code = _paint(item.code, _BOLD, report.color)
    lines = [f"{place} {code} {severity} {fix_marker(item.fix)}{item.message}"]
    if report.show_fixes and item.fix is not None:
        lines.append(f"    fix ({item.fix.applicability.value}): {item.fix.message}")
        lines.extend("    " + line for line in item.fix.preview)
    return lines


def render(report: Report) -> str:
    out = [line for item in report.findings for line in finding_lines(item, report)]
    if report.quiet:
        return "".join(line + "\n" for line in out)
    if report.show_fixes:
        out.extend(fixed_listing(report))
    out.extend(summary(report))
    out.append(f"Targets: {report.targets}")
    return "\n".join(out) + "\n"
