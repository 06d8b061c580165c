"""`extend-safe-fixes` / `extend-unsafe-fixes`: a project's own view of which fixes are safe.

Each is a list of codes or prefixes. A matching finding's fix changes applicability: an
unsafe fix becomes safe (applied by a plain `ce-lint fix`), or a safe one becomes unsafe
(it waits for --unsafe-fixes). When both lists match, the longer prefix decides; a tie
keeps the fix unsafe. Display-only fixes never become applicable.
"""

from __future__ import annotations

import dataclasses

from .codes import longest_prefix
from .findings import Applicability, Finding


def wanted(code: str, current: Applicability, safe: list[str], unsafe: list[str]) -> Applicability:
    if current is Applicability.DISPLAY_ONLY:
        return current
    to_safe, to_unsafe = longest_prefix(code, safe), longest_prefix(code, unsafe)
    if to_safe < 0 and to_unsafe < 0:
        return current
    return Applicability.SAFE if to_safe > to_unsafe else Applicability.UNSAFE


def override(findings: list[Finding], safe: list[str], unsafe: list[str]) -> list[Finding]:
    if not safe and not unsafe:
        return findings
    return [_overridden(f, safe, unsafe) for f in findings]


def _overridden(finding: Finding, safe: list[str], unsafe: list[str]) -> Finding:
    fix = finding.fix
    if fix is None:
        return finding
    applicability = wanted(finding.code, fix.applicability, safe, unsafe)
    if applicability is fix.applicability:
        return finding
    return dataclasses.replace(finding, fix=dataclasses.replace(fix, applicability=applicability))
