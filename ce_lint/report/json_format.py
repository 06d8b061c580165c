"""Ruff's JSON output schema: a JSON array of findings, `[]` when there are none."""

from __future__ import annotations

import json
import os
from typing import Any

from .model import Position, Report, ReportedFinding


def _loc(position: Position) -> dict[str, int]:
    return {"row": position.row, "column": position.column}


def as_dict(f: ReportedFinding) -> dict[str, Any]:
    fix = None
    if f.fix is not None and f.fix.edits:
        fix = {
            "applicability": f.fix.applicability.value,
            "message": f.fix.message,
            "edits": [
                {"content": edit.text, "location": _loc(edit.start), "end_location": _loc(edit.end)}
                for edit in f.fix.edits
            ],
        }
    return {
        "cell": f.cell,
        "code": f.code,
        "end_location": _loc(f.end),
        "filename": os.path.abspath(f.path),
        "fix": fix,
        "location": _loc(f.start),
        "message": f.message,
        "noqa_row": f.start.row,
        "url": f"https://ce-lint.readthedocs.io/rules/{f.code}/",
        "severity": f.severity.value,
    }


def render(report: Report) -> str:
    return json.dumps([as_dict(f) for f in report.findings], indent=2) + "\n"
