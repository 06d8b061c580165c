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
from ..fingerprint import fingerprints
from ..rulebook import RuleSpec
from . import Located, ReportContext, located, register, relative_uri

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _region(start: tuple[int, int], end: tuple[int, int]) -> dict[str, int]:
    return {"startLine": start[0], "startColumn": start[1], "endLine": end[0], "endColumn": end[1]}


def rule_descriptor(spec: RuleSpec) -> dict[str, Any]:
    # A field rule's summary continues its message ("It was renamed to ..."): name the field.
    field = spec.params.get("field")
    short = f"`{field}`: {spec.summary}" if isinstance(field, str) else spec.summary
    help_text = short + (f"\n\n{spec.why}" if spec.why else "")
    return {
        "id": spec.code,
        "name": spec.name,
        "shortDescription": {"text": short},
        "fullDescription": {"text": spec.why or spec.summary},
        "help": {"text": help_text},
        "helpUri": spec.url,
        "properties": {"group": spec.group, "fix": spec.fix},
    }


def _fixes(item: Located, uri: str) -> list[dict[str, Any]]:
    fix = item.finding.fix
    if fix is None or not item.edits or fix.applicability is Applicability.DISPLAY_ONLY:
        return []
    replacements = [
        {"deletedRegion": _region(start, end), "insertedContent": {"text": edit.text}}
        for edit, start, end in item.edits
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


def _result(item: Located, rule_index: dict[str, int], fingerprint: str) -> dict[str, Any]:
    f = item.finding
    uri = artifact_uri(f.path)
    result: dict[str, Any] = {
        "ruleId": f.code,
        "level": _LEVEL[f.severity],
        "message": {"text": f.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": uri},
                    "region": _region((item.row, item.column), (item.end_row, item.end_column)),
                }
            }
        ],
        "partialFingerprints": {"ceLint/v1": fingerprint},
    }
    if f.code in rule_index:
        result["ruleIndex"] = rule_index[f.code]
    fixes = _fixes(item, uri)
    if fixes:
        result["fixes"] = fixes
    return result


@register("sarif")
def sarif(ctx: ReportContext) -> str:
    specs = list(ctx.engine.specs)
    rule_index = {spec.code: i for i, spec in enumerate(specs)}
    items = located(ctx)
    prints = fingerprints([(i.finding, ctx.document(i.finding)) for i in items], Path.cwd())
    run = {
        "tool": {
            "driver": {
                "name": "ce-lint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": "https://github.com/ce-lint/ce-lint",
                "rules": [rule_descriptor(spec) for spec in specs],
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": [_result(i, rule_index, p) for i, p in zip(items, prints, strict=True)],
        "properties": {"targets": ctx.engine.targets.describe()},
    }
    log = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2) + "\n"
