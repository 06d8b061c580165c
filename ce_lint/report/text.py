"""Human-readable output: one line per finding, then a summary."""

from __future__ import annotations

from collections import Counter

from ..findings import Applicability, Severity
from . import ReportContext, display_path, fix_marker, fix_preview, located, register

_COLORS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_BOLD, _RESET = "\033[1m", "\033[0m"


def _paint(text: str, code: str, on: bool) -> str:
    return f"{code}{text}{_RESET}" if on else text


def summary(ctx: ReportContext) -> list[str]:
    findings = ctx.findings
    lines = []
    if ctx.fixed:
        verb = "Would fix" if ctx.would_fix else "Fixed"
        lines.append(f"{verb} {ctx.fixed} problem{'s' if ctx.fixed != 1 else ''}.")
    if not findings:
        lines.append("No problems remain." if ctx.fixed else "All checks passed.")
        return lines
    by_severity = Counter(f.severity for f in findings)
    parts = [f"{by_severity[s]} {s.value}{'s' if by_severity[s] != 1 and s is not Severity.INFO else ''}"
             for s in Severity if by_severity[s]]  # fmt: skip
    files = len({f.path for f in findings})
    lines.append(f"Found {len(findings)} problem{'s' if len(findings) != 1 else ''} "
                 f"({', '.join(parts)}) in {files} file{'s' if files != 1 else ''}.")  # fmt: skip
    safe = sum(1 for f in findings if f.fix and f.fix.applicability is Applicability.SAFE)
    unsafe = sum(1 for f in findings if f.fix and f.fix.applicability is Applicability.UNSAFE)
    if safe or (unsafe and ctx.unsafe_fixes):
        n = safe + (unsafe if ctx.unsafe_fixes else 0)
        lines.append(
            f"[*] {n} fixable with `ce-lint fix`{' --unsafe-fixes' if ctx.unsafe_fixes else ''}."
        )
    if unsafe and not ctx.unsafe_fixes:
        lines.append(
            f"[-] {unsafe} more fixable with `ce-lint fix --unsafe-fixes` (they change behaviour; read the message)."
        )
    return lines


def fixed_listing(ctx: ReportContext) -> list[str]:
    """What `fix` changed, file by file (--show-fixes)."""
    lines = []
    for path, counts in sorted(ctx.fixed_codes.items()):
        if not counts:
            continue
        lines.append(f"{'Would fix' if ctx.would_fix else 'Fixed'} in {display_path(path)}:")
        for code, n in sorted(counts.items()):
            name = ctx.engine.spec(code).name if code in ctx.engine.kinds else ""
            lines.append(f"    {n} x {code} {name}".rstrip())
    return lines


@register("text")
def text(ctx: ReportContext) -> str:
    out = []
    for item in located(ctx):
        f = item.finding
        where = f"{display_path(f.path)}:{item.row}:{item.column}:"
        if item.cell is not None:
            where = f"{display_path(f.path)}:cell {item.cell}:{item.row}:{item.column}:"
        severity = _paint(f.severity.value, _COLORS[f.severity], ctx.color)
        code = _paint(f.code, _BOLD, ctx.color)
        out.append(f"{where} {code} {severity} {fix_marker(f)}{f.message}")
        if ctx.show_fixes and f.fix is not None:
            out.append(f"    fix ({f.fix.applicability.value}): {f.fix.message}")
            out.extend("    " + line for line in fix_preview(ctx.document(f), item))
    if ctx.quiet:
        return "".join(line + "\n" for line in out)
    if ctx.show_fixes:
        out.extend(fixed_listing(ctx))
    out.extend(summary(ctx))
    out.append(f"Targets: {ctx.engine.targets.describe()}")
    return "\n".join(out) + "\n"
