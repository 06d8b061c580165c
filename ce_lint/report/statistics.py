"""`--statistics`: how often each code was found, instead of the findings themselves."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass

from ..findings import Applicability
from .model import Report

# The output formats --statistics can print.
STATISTICS_FORMATS = ("text", "concise", "json")


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    count: int
    fixable: int  # how many of them `ce-lint fix` (with the run's --unsafe-fixes) would fix


def rows(report: Report) -> list[Row]:
    counts = Counter(f.code for f in report.findings)
    fixable = Counter(
        f.code
        for f in report.findings
        if f.fix is not None
        and (
            f.fix.applicability is Applicability.SAFE
            or (report.unsafe_fixes and f.fix.applicability is Applicability.UNSAFE)
        )
    )
    out = []
    for code, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        out.append(Row(code, report.rule_name(code), count, fixable[code]))
    return out


def render_statistics(report: Report, output_format: str) -> str:
    """A table (text, concise) or a JSON array, most frequent code first.

    `[*]` marks codes whose findings are all fixable, `[~]` codes where some are."""
    table = rows(report)
    if output_format == "json":
        return json.dumps([asdict(row) for row in table], indent=2) + "\n"
    width = max((len(str(row.count)) for row in table), default=1)
    lines = []
    for row in table:
        marker = "[*] " if row.fixable == row.count else ("[~] " if row.fixable else "")
        lines.append(f"{row.count:>{width}}  {row.code}  {marker}{row.name}")
    if not report.quiet:
        total = sum(row.count for row in table)
        lines.append(
            f"Found {total} problem{'s' if total != 1 else ''}." if total else "All checks passed."
        )
    return "".join(line + "\n" for line in lines)
