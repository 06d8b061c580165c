"""GitLab code quality report: a JSON array of issues, each with a stable fingerprint so
GitLab can tell new findings in a merge request from old ones."""

from __future__ import annotations

import json
from pathlib import Path

from ..findings import Severity
from ..fingerprint import fingerprints
from . import ReportContext, located, register, relative_uri

_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


@register("gitlab")
def gitlab(ctx: ReportContext) -> str:
    items = located(ctx)
    prints = fingerprints([(i.finding, ctx.document(i.finding)) for i in items], Path.cwd())
    issues = []
    for item, fingerprint in zip(items, prints, strict=True):
        f = item.finding
        issues.append(
            {
                "type": "issue",
                "check_name": f.code,
                "description": f"{f.code} {f.message}",
                "categories": ["Bug Risk"],
                "severity": _SEVERITY[f.severity],
                "fingerprint": fingerprint,
                "location": {
                    "path": relative_uri(f.path),
                    "lines": {"begin": item.row, "end": item.end_row},
                },
            }
        )
    return json.dumps(issues, indent=2) + "\n"
