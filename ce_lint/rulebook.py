"""Rules as data: reading rules/*.yaml into RuleSpecs.

A rule file holds a list under `rules:`. Each rule names a `kind` (a small Python
class in ce_lint.kinds that interprets `params`), a stable `code`, its message parts,
fix safety and embedded examples that serve as documentation and tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

CODE_PATTERN = re.compile(r"^CE\d{3}$")
# libyaml's loader when pyyaml has it: the rules are read on every start.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class RulebookError(ValueError):
    pass


@dataclass(frozen=True)
class Example:
    name: str
    before: str | None = None  # YAML text that must trigger the rule
    after: str | None = None  # expected YAML after `fix` (None: no fix is offered)
    valid: str | None = None  # YAML text that must not trigger the rule
    targets: tuple[str, ...] = ()
    cls: str | None = None
    unsafe: bool = False  # the fix needs --unsafe-fixes
    python: str | None = None  # explicit Python form of `before` (or a Python-only example)
    python_after: str | None = None  # expected Python after fix (exact text)
    python_valid: str | None = None  # explicit Python form of `valid` (or Python-only)
    json: str | None = None  # explicit JSON form of `before`, e.g. to show `//` comments
    # Hardware profile to judge against (CE4xx): a built-in name or an inline mapping.
    hardware: Any = field(default=None, compare=False)
    # Releases the example was written for, as with --from (key `from`), for CE6xx.
    written_for: tuple[str, ...] = ()
    # A release newer than the data files, as if read from its installed sources: library,
    # version, and the fields it removed, deprecated or added against the newest known one.
    release: dict[str, Any] | None = field(default=None, compare=False)

    @property
    def reported(self) -> bool:
        return self.before is not None or self.python is not None


@dataclass(frozen=True)
class RuleSpec:
    code: str
    name: str
    kind: str
    summary: str  # one line: what the rule finds
    why: str  # why it matters, in plain words
    params: dict[str, Any]
    fix: str  # always | sometimes | never
    group: str
    examples: tuple[Example, ...] = ()
    source: str = ""

    @property
    def url(self) -> str:
        return f"https://ce-lint.readthedocs.io/rules/{self.code}/"


def rules_dir() -> Path:
    """rules/ ships inside the wheel as ce_lint/_rules; a source checkout has it at the top."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_rules", here.parent / "rules"):
        if candidate.is_dir():
            return candidate
    raise RulebookError("cannot find the rules folder (ce_lint/_rules or rules/)")


def _example(raw: dict[str, Any], code: str) -> Example:
    targets = raw.get("target", ())
    if isinstance(targets, str):
        targets = (targets,)
    known = {
        "name",
        "before",
        "after",
        "valid",
        "target",
        "class",
        "unsafe",
        "python",
        "python_after",
        "python_valid",
        "json",
        "from",
        "hardware",
        "release",
    }
    unknown = set(raw) - known
    if unknown:
        raise RulebookError(f"{code}: unknown example keys {sorted(unknown)}")
    reported = "before" in raw or "python" in raw
    accepted = "valid" in raw or "python_valid" in raw
    if reported == accepted:
        raise RulebookError(
            f"{code}: an example is either reported (before/python) or accepted (valid/python_valid)"
        )
    return Example(
        name=raw.get("name", ""),
        before=raw.get("before"),
        after=raw.get("after"),
        valid=raw.get("valid"),
        targets=tuple(targets),
        cls=raw.get("class"),
        unsafe=bool(raw.get("unsafe", False)),
        python=raw.get("python"),
        python_after=raw.get("python_after"),
        python_valid=raw.get("python_valid"),
        json=raw.get("json"),
        hardware=raw.get("hardware"),
        written_for=_strings(raw.get("from", ())),
        release=raw.get("release"),
    )


def _strings(value: Any) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def parse_rule(raw: dict[str, Any], source: str) -> RuleSpec:
    missing = {"code", "name", "kind", "summary"} - set(raw)
    if missing:
        raise RulebookError(f"{source}: a rule lacks {sorted(missing)}: {raw.get('code')}")
    code = raw["code"]
    if not CODE_PATTERN.match(code):
        raise RulebookError(f"{source}: bad rule code {code!r}")
    fix = raw.get("fix", "sometimes")
    if fix not in ("always", "sometimes", "never"):
        raise RulebookError(f"{code}: fix must be always, sometimes or never")
    known = {"code", "name", "kind", "summary", "why", "params", "fix", "group", "examples"}
    unknown = set(raw) - known
    if unknown:
        raise RulebookError(f"{code}: unknown rule keys {sorted(unknown)}")
    return RuleSpec(
        code=code,
        name=raw["name"],
        kind=raw["kind"],
        summary=" ".join(raw["summary"].split()),
        why=raw.get("why", "").strip(),
        params=raw.get("params", {}) or {},
        fix=fix,
        group=raw.get("group", ""),
        examples=tuple(_example(e, code) for e in raw.get("examples", []) or []),
        source=source,
    )


@cache
def load_specs(folder: Path | None = None) -> tuple[RuleSpec, ...]:
    folder = folder or rules_dir()
    specs: list[RuleSpec] = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}
        except yaml.YAMLError as exc:
            raise RulebookError(f"{path.name}: {exc}") from None
        for raw in data.get("rules", []):
            specs.append(parse_rule(raw, path.name))
    codes = [s.code for s in specs]
    duplicates = {c for c in codes if codes.count(c) > 1}
    if duplicates:
        raise RulebookError(f"duplicate rule codes: {sorted(duplicates)}")
    return tuple(sorted(specs, key=lambda s: s.code))
