"""One line per finding, `path:row:col: CODE [*] message`, for editors and grep."""

from __future__ import annotations

from . import ReportContext, display_path, fix_marker, located, register


@register("concise")
def concise(ctx: ReportContext) -> str:
    out = []
    for item in located(ctx):
        f = item.finding
        out.append(
            f"{display_path(f.path)}:{item.row}:{item.column}: {f.code} {fix_marker(f)}{f.message}"
        )
    if not ctx.quiet:
        n = len(out)
        out.append(f"Found {n} problem{'s' if n != 1 else ''}." if n else "All checks passed.")
    return "".join(line + "\n" for line in out)
