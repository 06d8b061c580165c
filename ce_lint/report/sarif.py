"""SARIF 2.1.0, the format GitHub code scanning and many IDEs read.

Every rule of the run is listed in `tool.driver.rules` with its explanation; each result
points at its rule by index, carries a stable fingerprint, and offers its fix (when there
is one) as SARIF `fixes`. Columns count characters (`unicodeCodePoints`), as ce-lint's do.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .. import __version__
from ..findings import Applicability, Severity
from ..fingerprint import fingerprints, key_of
from . import relative_uri
from .model import Position, Report, ReportedFinding, RuleInfo

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _region(start: Position, end: Position) -> dict[str, int]:
    return {"startLine": start[0], "startColumn": start[1], "endLine": end[0], "endColumn": end[1]}


def rule_descriptor(rule: RuleInfo) -> dict[str, Any]:
    # A field rule's summary continues its message ("It was renamed to ..."): name the field.
    short = f"`{rule.field}`: {rule.summary}" if rule.field is not None else rule.summary
    help_text = short + (f"\n\n{rule.why}" if rule.why else "")
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": short},
        "fullDescription": {"text": rule.why or rule.summary},
        "help": {"text": help_text},
        "helpUri": rule.url,
        "properties": {"group": rule.group, "fix": rule.fix},
    }


def _fixes(f: ReportedFinding, uri: str) -> list[dict[str, Any]]:
    fix = f.fix
    if fix is None or not fix.edits or fix.applicability is Applicability.DISPLAY_ONLY:
        return []
    replacements = [
        {"deletedRegion": _region(edit.start, edit.end), "insertedContent": {"text": edit.text}}
        for edit in fix.edits
    ]
    safety = "safe" if fix.applicability is Applicability.SAFE else "unsafe: needs --unsafe-fixes"
    return [
        {
            "description": {"text": f"{fix.message} ({safety})"},
            "artifactChanges": [{"artifactLocation": {"uri": uri}, "replacements": replacements}],
        }
    ]


def artifact_uri(path: str) -> str:
    """Relative to the current folder (GitHub resolves it against the checkout), or a
    file:// URI for files outside it."""
    uri = relative_uri(path)
    return Path(uri).as_uri() if Path(uri).is_absolute() else uri


def _result(f: ReportedFinding, rule_index: dict[str, int], fingerprint: str) -> dict[str, Any]:
    uri = artifact_uri(f.path)
    result: dict[str, Any] = {
        "ruleId": f.code,
        "level": _LEVEL[f.severity],
        "message": {"text": f.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": uri},
                    "region": _region(f.start, f.end),
                }
            }
        ],
        "partialFingerprints": {"ceLint/v1": fingerprint},
    }
    if f.code in rule_index:
        result["ruleIndex"] = rule_index[f.code]
    fixes = _fixes(f, uri)
    if fixes:
        result["fixes"] = fixes
    return result


def render(report: Report) -> str:
    rule_index = {rule.code: i for i, rule in enumerate(report.rules)}
    root = Path.cwd()
    prints = fingerprints([key_of(f.code, f.path, f.fields, f.line, root) for f in report.findings])
    run = {
        "tool": {
            "driver": {
                "name": "ce-lint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": "https://github.com/ce-lint/ce-lint",
                "rules": [rule_descriptor(rule) for rule in report.rules],
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": [
            _result(f, rule_index, p) for f, p in zip(report.findings, prints, strict=True)
        ],
        "properties": {"targets": report.targets},
    }
    log = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2) + "\n"
