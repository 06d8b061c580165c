"""Keys that are no field of the class (CE190) or newer than the target (CE191).

Whether an unknown key is wrong depends on how sure ce-lint is of the class. It is certain when
the code calls the class (the call raises TypeError for an unknown keyword), or when the
settings, a `# ce-lint: class=` comment or the script that reads the file name it and every
other dataclass that script's parser fills could be read. Then an unknown key is an error.
Otherwise the class is assumed: a flat config or a launch line may feed a Seq2Seq class, a
subclass from another package, or the script's own model and data arguments, so only a key
one or two typing slips from a field is reported, as a warning with no fix. A key that is a
field of something the file can feed, or names another library's concept (LoRA ranks, target
modules, quantization), is never taken for a typo.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from packaging.version import Version

from ..findings import Applicability, Finding, Fix, Rewrite, Severity
from ..knowledge import ST_CLASSES, Knowledge
from ..model import Origin, Site
from ..spelling import near_typos
from .base import Context, Kind, register
from .fields import field_status
from .support import SETS, class_versions, label, library_of, short


@cache
def ever_fields(knowledge: Knowledge, cls: str) -> frozenset[str]:
    """Every field some examined release of `cls` accepted."""
    out = set()
    third = knowledge.third_party(cls)
    base = third.base if third is not None else cls  # trl's classes extend TrainingArguments
    for name, info in knowledge.tf.fields.items():
        if info.init and info.only_class in (None, base):
            out.add(name)
    if cls in ST_CLASSES:
        out |= {n for n, i in knowledge.st.fields.items() if i.only_class in (None, cls)}
    if third is not None:
        out |= set(third.fields)
    return frozenset(out)


def current_name(field: str, today: frozenset[str], ctx: Context) -> str:
    """The name a renamed field has today (through the rename rules), else the field."""
    replacement = ctx.index.renamed.get(field)
    return replacement if replacement in today else field


@cache
def fields_at(knowledge: Knowledge, cls: str, tf: Version, st: Version) -> frozenset[str]:
    return frozenset(knowledge.fields_of(cls, tf, st))


def class_certain(site: Site) -> bool:
    """Whether every key of the Site must be a field of its class (see the module doc)."""
    if site.strict_keys:
        return True
    return site.class_source.declared and site.other_fields is not None


@register
class UnknownField(Kind):
    """A key that no release of the Site's class accepts.

    params:
      other_arguments: names of model/data arguments that flat HfArgumentParser configs hold
        beside the training arguments; never reported there
      other_concepts: words of other libraries' options (lora, quant, ...): a key holding one
        is never taken for a typo of a field
    """

    name = "unknown-field"
    optional = ("other_arguments", "other_concepts")

    def setup(self) -> None:
        self.others = frozenset(self.params.get("other_arguments", ()))
        self.concepts = frozenset(self.params.get("other_concepts", ()))

    def check(self, site: Site, ctx: Context) -> Iterator[Finding]:
        if site.unread_subclass is not None:
            return  # a key that is no field of the base may be one of the subclass's own
        kn = ctx.knowledge
        known = ever_fields(kn, site.cls)
        certain = class_certain(site)
        attribute = site.origin is Origin.ATTRIBUTES
        for entry in site.entries:
            key = entry.key
            if entry.role not in SETS or key in known or not key.isidentifier():
                continue
            if key.startswith("_") or key in (site.other_fields or ()):
                continue
            if not site.strict_keys and key in self.others:
                continue
            candidates = self._typos(key, site, ctx)
            elsewhere = key in kn.all_field_names
            if not candidates and (attribute or not certain):
                continue  # only a typo is worth saying when the class is not certain
            if elsewhere and not certain:
                continue
            message = self._message(site, key, candidates, elsewhere, attribute, certain)
            fix = None
            if certain and len(candidates) == 1 and site.get(candidates[0]) is None:
                fix = Fix(
                    Applicability.UNSAFE,
                    f"Rename to `{candidates[0]}`",
                    (Rewrite(entry, candidates[0]),),
                )
            severity = Severity.ERROR if certain and not attribute else Severity.WARNING
            yield self.finding(site, entry.key_span, message, severity, fix, (key,))

    def _typos(self, key: str, site: Site, ctx: Context) -> list[str]:
        """Fields `key` is a slip of the keyboard away from (today's names first)."""
        if self.concepts.intersection(key.lower().split("_")):
            return []  # another library's option, however close its name
        kn = ctx.knowledge
        today = fields_at(kn, site.cls, *class_versions(ctx, site.cls))
        found = near_typos(key, today) or [
            current_name(c, today, ctx) for c in near_typos(key, ever_fields(kn, site.cls))
        ]
        return list(dict.fromkeys(found))

    def _message(
        self,
        site: Site,
        key: str,
        candidates: list[str],
        elsewhere: bool,
        attribute: bool,
        certain: bool,
    ) -> str:
        cls = site.cls if certain else f"{site.cls} (assumed: nothing in the file names the class)"
        if elsewhere:
            head = f"`{key}` is a field of other arguments classes, not of {cls}"
        else:
            head = f"`{key}` is not a field of {cls} in any release"
        if attribute:
            effect = "; setting it on the object adds an attribute that nothing reads"
        elif site.strict_keys:
            effect = "; the call raises TypeError"
        elif certain:
            effect = "; HfArgumentParser refuses the key"
        else:
            effect = ""
        hint = ""
        if candidates:
            hint = " Did you mean " + " or ".join(f"`{c}`" for c in candidates) + "?"
        return f"{head}{effect}.{hint}"


@register
class FieldTooNew(Kind):
    """A field that exists in some release, but not yet in one the target allows."""

    name = "field-too-new"

    def check(self, site: Site, ctx: Context) -> Iterator[Finding]:
        kn, t = ctx.knowledge, ctx.targets
        for entry in site.entries:
            if entry.role not in (*SETS, "read") or entry.key not in ever_fields(kn, site.cls):
                continue
            at_hi = entry.key in fields_at(kn, site.cls, *class_versions(ctx, site.cls))
            at_lo = entry.key in fields_at(kn, site.cls, *class_versions(ctx, site.cls, "lo"))
            if at_hi and at_lo:
                continue
            library, info = library_of(ctx, site, entry.key)
            if info is None:
                continue
            data = kn.library(library)
            hi, lo = data.floor(t.of(library).hi), data.floor(t.of(library).lo)
            if info.first <= lo or (info.removed_in is not None and info.removed_in <= hi):
                continue  # not newer than the target: removed fields have their own rules
            lib = label(library)
            if not at_hi:
                scope = f"{lib} {short(hi)} rejects it"
            else:
                scope = f"the oldest release your target allows, {lib} {short(lo)}, rejects it"
            older = ctx.index.older_names.get(entry.key)
            instead = f" (older releases call it `{older}`)" if older else ""
            action = "reading it raises AttributeError" if entry.role == "read" else "it is refused"
            floors = " or ".join(
                f"{label(other)}>={short(first)}"
                for other, first in kn.first_accepting(site.cls, entry.key)
            )
            message = (
                f"`{entry.key}` exists only from {lib} {short(info.first)}{instead}; {scope}, so "
                f"{action}. Raise your floor to {floors}."
            )
            yield self.finding(site, entry.key_span, message, Severity.ERROR, None, (entry.key,))


@register
class FieldWithoutRule(Kind):
    """A field the target rejects (or has deprecated) that no rule of its own describes.

    Every field removed or deprecated in a release ce-lint knows has a rule with its
    replacement. A newer release read from its installed sources, or data regenerated before
    its rules were written, can remove or deprecate more: those are still reported, with no fix.

    params:
      status: "removed" (rejected at the target: error) or "deprecated" (warning)
    """

    name = "field-without-rule"
    required = ("status",)

    def setup(self) -> None:
        if self.params["status"] not in ("removed", "deprecated"):
            raise ValueError(f"{self.code}: status must be removed or deprecated")

    def described_fields(self) -> tuple[str, ...]:
        return ()  # it describes the fields no other rule does

    def check(self, site: Site, ctx: Context) -> Iterator[Finding]:
        wanted = Severity.ERROR if self.params["status"] == "removed" else Severity.WARNING
        known = ever_fields(ctx.knowledge, site.cls)
        for entry in site.entries:
            if entry.role not in (*SETS, "read") or entry.key not in known:
                continue
            if entry.key in ctx.index.described:
                continue
            status = field_status(site, entry.key, ctx)
            if status is None or status[0] is not wanted:
                continue
            library, _ = library_of(ctx, site, entry.key)
            release = f"{label(library)} {short(ctx.targets.of(library).hi)}"
            message = (
                f"`{entry.key}` {status[1]}. ce-lint has no rule for it yet, so it cannot say "
                f"what replaces it: see the release notes of {release}."
            )
            yield self.finding(site, entry.key_span, message, wanted, None, (entry.key,))
