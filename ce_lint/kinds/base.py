"""What every rule kind is built on: Kind, the Context it judges in, the index of rules.

A kind reads Sites and yields Findings with abstract edits; it never sees text, so the
same rule works for YAML, JSON, Python and every other adapter. Each kind module registers
its classes here with `@register`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from packaging.version import Version

from ..findings import Applicability, Finding, Fix, Severity
from ..knowledge import Knowledge, V
from ..model import Site, SourceFile, Span
from ..rulebook import RuleSpec
from ..targets import Targets

KINDS: dict[str, type[Kind]] = {}


def register(cls: type[Kind]) -> type[Kind]:
    KINDS[cls.name] = cls
    return cls


@dataclass(frozen=True)
class RuleIndex:
    """What rules need to know of each other, gathered once when the rules load (from every
    rule, selected or not)."""

    renamed: Mapping[str, str] = field(default_factory=dict)  # old field -> its new name
    moved: Mapping[str, str] = field(default_factory=dict)  # old field -> mapping it moved into
    described: frozenset[str] = frozenset()  # fields that some rule describes
    # mapping field -> the rules that move fields into it (they coordinate their edits)
    moves_into: Mapping[str, tuple[Kind, ...]] = field(default_factory=dict)
    # rules that know when a value of a field was removed (the enum rules)
    value_histories: tuple[Kind, ...] = ()
    older_names: Mapping[str, str] = field(default_factory=dict)  # new name -> old field

    def removed_value(self, site: Site, field: str, value: Any, ctx: Context) -> Version | None:
        """The release that removed `value` of `field`, if a rule knows it."""
        for kind in self.value_histories:
            removed = kind.removed_value(site, field, value, ctx)
            if removed is not None:
                return removed
        return None


@dataclass
class Context:
    knowledge: Knowledge
    targets: Targets
    # path -> the HardwareProfile to judge that file against, or None to skip hardware
    # rules (see ce_lint.hardware.select); called only when a rule needs it.
    hardware: Callable[[str], Any] | None = None
    index: RuleIndex = field(default_factory=RuleIndex)
    notices: list[str] = field(default_factory=list)
    # Releases the user says the files were written for (--from), by library: Targets.
    era: dict[str, Any] = field(default_factory=dict)


class Kind:
    name: ClassVar[str] = ""
    # Parameters the kind requires / accepts (validated at load time).
    required: ClassVar[tuple[str, ...]] = ()
    optional: ClassVar[tuple[str, ...]] = ()

    # Parameters that name a release: parsed once, when the rule loads (see `releases`).
    version_params: ClassVar[tuple[str, ...]] = ()

    def __init__(self, spec: RuleSpec):
        self.spec = spec
        self.params = spec.params
        missing = [p for p in self.required if p not in self.params]
        unknown = set(self.params) - set(self.required) - set(self.optional)
        if missing or unknown:
            raise ValueError(f"{spec.code}: params missing {missing}, unknown {sorted(unknown)}")
        self.releases: dict[str, Version] = {
            name: release(self.params[name]) for name in self.version_params if name in self.params
        }
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

    # -- what other rules may ask (see RuleIndex) ------------------------------------------

    def described_fields(self) -> tuple[str, ...]:
        """Fields this rule describes (their removal, rename or move)."""
        field_name = self.params.get("field")
        return (field_name,) if isinstance(field_name, str) else ()

    def moves_into(self) -> str | None:
        """The mapping field this rule moves its field into, if it does."""
        return None

    # Whether removed_value can answer (the index asks only the rules that can).
    knows_value_history: ClassVar[bool] = False

    def removed_value(self, site: Site, field: str, value: Any, ctx: Context) -> Version | None:
        """The release that removed `value` of `field` (None: unknown, or never removed)."""
        return None

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
        if site.unread_subclass is not None:
            severity, fix, message = _unread(site, severity, fix, message)
        return Finding(self.code, message, severity, site.path, span, site, fix, fields)


def _unread(
    site: Site, severity: Severity, fix: Fix | None, message: str
) -> tuple[Severity, Fix | None, str]:
    """A finding on an unread subclass (see Site.unread_subclass): the class is known to
    extend the arguments class by its use only, and may re-declare the field (as
    sentence-transformers re-declares `warmup_ratio`, LLaMA-Factory `overwrite_output_dir`),
    where the key stays valid and means what the subclass says. So an error is a warning and
    a safe fix unsafe, and the message says why."""
    safe = fix is not None and fix.applicability is Applicability.SAFE
    if severity is not Severity.ERROR and not safe:
        return severity, fix, message
    if severity is Severity.ERROR:
        severity = Severity.WARNING
    if fix is not None and safe:
        fix = replace(fix, applicability=Applicability.UNSAFE)
    unsafe = " with an unsafe fix" if fix is not None else ""
    why = (
        f" A warning{unsafe}: `{site.unread_subclass}` is taken for a subclass of {site.cls} "
        f"because it is handed to a trainer as `args`, but ce-lint has not read its source; "
        f"if it re-declares the field, the key is its own."
    )
    return severity, fix, message + why


def release(text: Any) -> Version:
    """A release named in a rule's parameters (YAML may read `5.0` as a number)."""
    return V(str(text))


@dataclass(frozen=True)
class ReleaseRange:
    """since <= release < until, each bound optional: the releases a check belongs to."""

    since: Version | None = None
    until: Version | None = None

    @classmethod
    def of(cls, params: Mapping[str, Any]) -> ReleaseRange:
        """From the `since` / `until` keys of a rule parameter."""
        since, until = params.get("since"), params.get("until")
        return cls(
            release(since) if since is not None else None,
            release(until) if until is not None else None,
        )

    def __contains__(self, version: Version) -> bool:
        return (self.since is None or version >= self.since) and (
            self.until is None or version < self.until
        )
