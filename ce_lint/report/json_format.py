"""Ruff's JSON output schema: a JSON array of findings, `[]` when there are none."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import Located, ReportContext, located, register


def _loc(pair: tuple[int, int]) -> dict[str, int]:
    return {"row": pair[0], "column": pair[1]}


def as_dict(item: Located) -> dict[str, Any]:
    f = item.finding
    fix = None
    if f.fix is not None and item.edits:
        fix = {
            "applicability": f.fix.applicability.value,
            "message": f.fix.message,
            "edits": [
                {"content": edit.text, "location": _loc(start), "end_location": _loc(end)}
                for edit, start, end in item.edits
            ],
        }
    return {
        "cell": item.cell,
        "code": f.code,
        "end_location": {"row": item.end_row, "column": item.end_column},
        "filename": str(Path(f.path).resolve()),
        "fix": fix,
        "location": {"row": item.row, "column": item.column},
        "message": f.message,
        "noqa_row": item.row,
        "url": f"https://ce-lint.readthedocs.io/rules/{f.code}/",
        "severity": f.severity.value,
    }


@register("json")
def json_output(ctx: ReportContext) -> str:
    return json.dumps([as_dict(item) for item in located(ctx)], indent=2) + "\n"
