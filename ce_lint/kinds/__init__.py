"""Rule kinds: small classes that interpret a rule's parameters.

A kind reads Sites and yields Findings with abstract edits; it never sees text, so the
same rule works for YAML, JSON, Python and every other adapter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..findings import AbstractEdit, Applicability, Finding, Fix, Severity
from ..knowledge import Knowledge
from ..model import Entry, Site, SourceFile, Span
from ..rulebook import RuleSpec
from ..targets import Targets

KINDS: dict[str, type[Kind]] = {}


def register(cls: type[Kind]) -> type[Kind]:
    KINDS[cls.name] = cls
    return cls


@dataclass
class Context:
    knowledge: Knowledge
    targets: Targets
    # path -> the HardwareProfile to judge that file against, or None to skip hardware
    # rules (see ce_lint.hardware.select); called only when a rule needs it.
    hardware: Callable[[str], Any] | None = None
    # All rules of the run, by code, for kinds that coordinate (e.g. several fields
    # moving into one mapping).
    rules: dict[str, Kind] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    # Releases the user says the files were written for (--from), by library: Targets.
    era: dict[str, Any] = field(default_factory=dict)


class Kind:
    name: ClassVar[str] = ""
    # Parameters the kind requires / accepts (validated at load time).
    required: ClassVar[tuple[str, ...]] = ()
    optional: ClassVar[tuple[str, ...]] = ()

    def __init__(self, spec: RuleSpec):
        self.spec = spec
        self.params = spec.params
        missing = [p for p in self.required if p not in self.params]
        unknown = set(self.params) - set(self.required) - set(self.optional)
        if missing or unknown:
            raise ValueError(f"{spec.code}: params missing {missing}, unknown {sorted(unknown)}")
        self.setup()

    def setup(self) -> None:
        """Validate and pre-compute parameters."""

    @property
    def code(self) -> str:
        return self.spec.code

    def check(self, site: Site, ctx: Context) -> Iterator[Finding]:
        return iter(())

    def check_document(self, document: SourceFile, ctx: Context) -> Iterator[Finding]:
        """Rules about a whole file rather than one Site (e.g. Python imports)."""
        return iter(())

    # -- helpers for kinds -------------------------------------------------------

    def finding(
        self,
        site: Site,
        span: Span,
        message: str,
        severity: Severity,
        fix: Fix | None = None,
        fields: tuple[str, ...] = (),
    ) -> Finding:
        return Finding(self.code, message, severity, site.path, span, site, fix, fields)


def make_fix(applicability: Applicability, message: str, *edits: AbstractEdit) -> Fix:
    return Fix(applicability, message, tuple(edits))


def entry_span(entry: Entry) -> Span:
    return entry.key_span


def build_kinds(specs: tuple[RuleSpec, ...]) -> dict[str, Kind]:
    # Import the modules that register kinds.
    from . import (  # noqa: F401
        behaviour,
        cross_field,
        fields,
        hardware,
        inputs,
        python_api,
        st_checks,
        suppressions,
        unknown_fields,
        values,
    )

    out = {}
    for spec in specs:
        if spec.kind not in KINDS:
            raise ValueError(f"{spec.code}: unknown rule kind {spec.kind!r}")
        out[spec.code] = KINDS[spec.kind](spec)
    return out
