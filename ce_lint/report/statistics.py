"""`--statistics`: how often each code was found, instead of the findings themselves."""

from __future__ import annotations

import json
from collections import Counter

from ..findings import Applicability
from . import ReportContext

FORMATS = ("text", "concise", "json")


def rows(ctx: ReportContext) -> list[dict[str, object]]:
    counts = Counter(f.code for f in ctx.findings)
    fixable = Counter(
        f.code
        for f in ctx.findings
        if f.fix is not None
        and (
            f.fix.applicability is Applicability.SAFE
            or (ctx.unsafe_fixes and f.fix.applicability is Applicability.UNSAFE)
        )
    )
    out = []
    for code, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        name = ctx.engine.spec(code).name if code in ctx.engine.kinds else ""
        out.append({"code": code, "name": name, "count": count, "fixable": fixable[code]})
    return out


def render_statistics(ctx: ReportContext, output_format: str) -> str:
    table = rows(ctx)
    if output_format == "json":
        return json.dumps(table, indent=2) + "\n"
    width = max((len(str(r["count"])) for r in table), default=1)
    lines = []
    for row in table:
        marker = "[*] " if row["fixable"] == row["count"] else ("[~] " if row["fixable"] else "")
        lines.append(f"{row['count']:>{width}}  {row['code']}  {marker}{row['name']}")
    if not ctx.quiet:
        total = sum(int(str(r["count"])) for r in table)
        lines.append(
            f"Found {total} problem{'s' if total != 1 else ''}." if total else "All checks passed."
        )
    return "".join(line + "\n" for line in lines)
