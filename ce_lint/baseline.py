"""Baselines: accept today's findings, fail only on new ones.

`ce-lint baseline PATHS -o FILE` writes every current finding's identity (see
ce_lint.fingerprint: code, file, fields, hash of the line's text; never the line number).
`--baseline FILE` then drops findings whose identity is in the file, as many times as it
is there, so a second copy of an accepted problem is still new. File names are stored
relative to the baseline's folder, so the check may run from any folder.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .adapters import Document
from .fileio import atomic_write
from .findings import Finding
from .fingerprint import FindingKey, finding_key
from .settings import SettingsError

FORMAT_VERSION = 1


class BaselineError(SettingsError):
    """A baseline file that cannot be used: a usage problem (exit 2)."""


@dataclass
class Baseline:
    root: Path  # file names in the baseline are relative to this folder
    by_file: dict[str, Counter[FindingKey]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Baseline:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise BaselineError(f"cannot read baseline {path}: {exc}") from None
        if not isinstance(data, dict) or data.get("ce-lint-baseline") != FORMAT_VERSION:
            raise BaselineError(
                f"{path} is not a ce-lint baseline (write one with `ce-lint baseline`)"
            )
        baseline = cls(path.resolve().parent)
        for item in data.get("findings", []):
            try:
                key = (item["code"], item["file"], item.get("fields", ""), item["line"])
            except (KeyError, TypeError):
                raise BaselineError(f"{path}: a finding lacks code, file or line") from None
            baseline.by_file.setdefault(key[1], Counter())[key] += 1
        return baseline

    def filter(self, findings: list[Finding], document: Document | None) -> list[Finding]:
        """The findings of one file that the baseline does not accept."""
        if not findings:
            return findings
        accepted: dict[str, Counter[FindingKey]] = {}
        out = []
        for finding in findings:
            key = finding_key(finding, document, self.root)
            left = accepted.setdefault(key[1], Counter(self.by_file.get(key[1], Counter())))
            if left[key] > 0:
                left[key] -= 1
            else:
                out.append(finding)
        return out


def write(path: Path, items: list[tuple[Finding, Document | None]]) -> int:
    """Write the baseline for these findings; returns how many it holds."""
    root = path.resolve().parent
    rows = []
    for finding, document in items:
        code, file, fields, line = finding_key(finding, document, root)
        rows.append(
            {"code": code, "file": file, "fields": fields, "line": line, "message": finding.message}
        )
    rows.sort(key=lambda r: (r["file"], r["code"], r["fields"], r["line"], r["message"]))
    data = {"ce-lint-baseline": FORMAT_VERSION, "findings": rows}
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    return len(rows)
