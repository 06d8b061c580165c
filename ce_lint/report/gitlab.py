"""GitLab code quality report: a JSON array of issues, each with a stable fingerprint so
GitLab can tell new findings in a merge request from old ones."""

from __future__ import annotations

import json
from pathlib import Path

from ..findings import Severity
from ..fingerprint import fingerprints, key_of
from . import relative_uri
from .model import Report

_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def render(report: Report) -> str:
    root = Path.cwd()
    prints = fingerprints([key_of(f.code, f.path, f.fields, f.line, root) for f in report.findings])
    issues = []
    for f, fingerprint in zip(report.findings, prints, strict=True):
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
                    "lines": {"begin": f.start.row, "end": f.end.row},
                },
            }
        )
    return json.dumps(issues, indent=2) + "\n"
