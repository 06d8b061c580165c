"""Kinds about the Python API around the arguments (codes CE5xx).

They read what only code can say: a subclass that re-declares a field, the keywords of
the `set_*` helpers, enum members written in code, and import paths that moved. They
still read Sites and documents, never text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ..findings import Applicability, Finding, Fix, Remove, ReplaceSource, Severity
from ..knowledge import SENTENCE_TRANSFORMERS, TRANSFORMERS, TRL
from ..model import USE_CALL, USE_MEMBER, USE_TYPE, Origin, Site, SourceFile
from .base import Context, Kind, register, release
from .fields import field_status
from .support import label, short


@register
class RedeclaredField(Kind):
    """A subclass declares a field the target's base class no longer has (or deprecated)."""

    name = "redeclared-field"

    def check(self, site: Site, ctx: Context) -> Iterator[Finding]:
        subclass = site.subclass or "the subclass"
        for entry in site.entries:
            if entry.role != "declare":
                continue
            status = field_status(site, entry.key, ctx)
            if status is None:
                continue
            replacement = self._replacement(entry.key, ctx)
            instead = f"; set `{replacement}` instead" if replacement else ""
            state = "no longer has" if status[0] is Severity.ERROR else "deprecates"
            message = (
                f"`{subclass}` declares `{entry.key}`, a field {site.cls} of transformers "
                f"{short(ctx.targets.tf)} {state}: the subclass's field does nothing for the Trainer{instead}."
            )
            yield self.finding(site, entry.key_span, message, Severity.WARNING, None, (entry.key,))

    def _replacement(self, field: str, ctx: Context) -> str | None:
        return ctx.index.renamed.get(field) or ctx.index.moved.get(field)


@register
class HelperKeywords(Kind):
    """Keywords of the `set_*` helpers (set_evaluate, set_training, ...) per release."""

    name = "helper-keywords"

    def check(self, site: Site, ctx: Context) -> Iterator[Finding]:
        method = site.helper
        if site.origin is not Origin.HELPER or not method:
            return
        kn = ctx.knowledge
        version = kn.tf.floor(ctx.targets.tf)
        params = kn.tf.method_params(method, version)
        ever = kn.tf.method_params_ever(method)
        if params is None:
            if ever is not None:
                message = f"`{method}()` does not exist in transformers {short(ctx.targets.tf)}."
                yield self.finding(site, site.span, message, Severity.ERROR)
            return
        for entry in site.entries:
            if entry.role != "helper" or entry.key in params:
                continue
            if entry.key in (ever or ()):
                # Passing a falsy value asked for nothing: dropping it keeps the meaning.
                harmless = entry.value.known and not entry.value.py
                safety = Applicability.SAFE if harmless else Applicability.UNSAFE
                fix = Fix(safety, f"Remove `{entry.key}=`", (Remove(entry),))
                why = "it was removed together with the setting it controlled"
            else:
                fix = None
                why = f"it takes {', '.join(params)}"
            message = (
                f"`{method}()` of transformers {short(ctx.targets.tf)} takes no `{entry.key}` argument "
                f"({why}); the call raises TypeError."
            )
            yield self.finding(site, entry.key_span, message, Severity.ERROR, fix, (entry.key,))


@register
class EnumMember(Kind):
    """Enum members written in code: a removed enum class, or a member that never existed."""

    name = "enum-member"
    optional = ("removed_classes",)

    def setup(self) -> None:
        # `removed_in` may be left to the knowledge: the first release without the enum.
        self.removed = {
            enum: {**info, "removed_in": release(info["removed_in"])}
            if "removed_in" in info
            else dict(info)
            for enum, info in (self.params.get("removed_classes") or {}).items()
        }

    def _removed(self, ctx: Context) -> dict[str, dict[str, Any]]:
        out = {}
        for enum, info in self.removed.items():
            if "removed_in" not in info:
                data = ctx.knowledge.library(info.get("library", TRANSFORMERS))
                history = data.enum_history(enum)
                gone = [v for v, values in history if values is None]
                if not gone:
                    continue
                info = {**info, "removed_in": gone[-1]}
            out[enum] = info
        return out

    def check_document(self, document: SourceFile, ctx: Context) -> Iterator[Finding]:
        """Importing a removed enum class (or reaching it through its module) fails."""
        names = getattr(document, "names", ())
        if not names:
            return
        removed = self._removed(ctx)
        refs = [r for r in names if r.path and r.path.rsplit(".", 1)[-1] in removed]
        for ref in refs:
            if ref.imported and not ref.is_import:
                continue  # its import fails first, and is reported
            enum = ref.path.rsplit(".", 1)[-1]
            info = removed[enum]
            library = info.get("library", TRANSFORMERS)
            target = ctx.targets.of(library)
            if target.hi < info["removed_in"]:
                continue
            uses = [ref]
            if ref.is_import:
                uses = [r for r in refs if r.imported and not r.is_import and r.local == ref.local]
            fix, why = self._rename(ref, uses, names, info, ctx)
            raises = (
                "this import raises ImportError" if ref.is_import else "this raises AttributeError"
            )
            message = (
                f"`{enum}` was removed in {library} {short(info['removed_in'])}: {raises}. {why}"
            )
            yield Finding(self.code, message, Severity.ERROR, document.path, ref.span, None, fix)

    def _rename(
        self, ref: Any, uses: list[Any], names: tuple[Any, ...], info: dict[str, Any], ctx: Context
    ) -> tuple[Fix | None, str]:
        """Renaming onto the replacement, when it has the very same members at every allowed
        release.

        Safe where the code only reads members (`X.STEPS`), makes members (`X("steps")`,
        `X["STEPS"]`) or names the class as a type (`def f(s: X)`, `Annotated[X, ...]`, which
        typer and HfArgumentParser turn into `X(value)`): both are `str` enums with the same
        names and values, so the members compare, hash, print as values and reach the Trainer
        alike. Unsafe where the class object itself is used (`isinstance(v, X)`, `type(v) is
        X`, handed to a function): the Trainer stores its strategies as members of the
        replacement, which were never instances of the removed class, so such a check can
        change its answer."""
        new = info["use"]
        enum = ref.path.rsplit(".", 1)[-1]
        library = info.get("library", TRANSFORMERS)
        data = ctx.knowledge.library(library)
        target = ctx.targets.of(library)
        old_values = [values for _, values in data.enum_history(enum) if values is not None]
        ends = {data.floor(target.lo), data.floor(target.hi)}
        new_values = [data.enum_values(new, v) for v in ends]
        by_hand = f"Use `{new}` (or the plain strings) instead."
        if not data.enum_history(new):
            return None, f"Use {new} instead."
        if not old_values or any(v is None or set(v) != set(old_values[-1]) for v in new_values):
            return None, by_hand
        members = {v.upper() for v in old_values[-1]}
        renames_uses = ref.is_import and ref.local == enum
        if renames_uses and any(r.local == new and not r.path for r in names):
            return None, f"{by_hand} (this file binds `{new}` itself)"
        itself = [u for u in uses if not _same_meaning(u, members)]
        if renames_uses and _imports_already(ref, new, names):
            edits = [ReplaceSource(ref.drop, "")]
            how = f"Drop `{enum}` from the import (it imports `{new}` already) and use `{new}`"
            why = f"`{new}` has the same members and is imported already: drop `{enum}` and use `{new}`."
        else:
            edits = [ReplaceSource(ref.span, new)]
            how = f"Use `{new}`"
            why = f"`{new}` has the same members: use it."
        if renames_uses:
            edits += [ReplaceSource(use.span, new) for use in uses]
        safety = Applicability.SAFE
        if itself:
            safety = Applicability.UNSAFE
            why += (
                f" The file also uses the class itself (`isinstance`, `type`, passed on), where "
                f"the two differ: the Trainer stores strategies as `{new}` members, which were "
                f"never `{enum}` instances, so such a check can change its answer."
            )
        return Fix(safety, how, tuple(edits)), why

    def check(self, site: Site, ctx: Context) -> Iterator[Finding]:
        removed = self._removed(ctx)
        for entry in site.entries:
            yield from self._value(site, entry.value, ctx, removed)
            for nested in entry.value.entries or []:
                yield from self._value(site, nested.value, ctx, removed)

    def _value(
        self, site: Site, value: Any, ctx: Context, removed: dict[str, dict[str, Any]]
    ) -> Iterator[Finding]:
        if value.enum is None:
            return
        enum, member = value.enum
        if enum in removed:
            info = removed[enum]
            library = info.get("library", TRANSFORMERS)
            target = ctx.targets.tf if library == TRANSFORMERS else ctx.targets.st
            if target >= info["removed_in"]:
                fix = None
                if value.known:
                    text = json.dumps(value.py)
                    fix = Fix(
                        Applicability.SAFE,
                        f"Write the string {text}",
                        (ReplaceSource(value.span, text),),
                    )
                message = (
                    f"`{enum}` was removed in {library} {short(info['removed_in'])}; write the plain string "
                    f"({json.dumps(value.py) if value.known else 'its value'}) or use `{info['use']}`."
                )
                yield self.finding(site, value.span, message, Severity.ERROR, fix)
            return
        if not value.known:
            library = SENTENCE_TRANSFORMERS if enum.endswith("BatchSamplers") else TRANSFORMERS
            data = ctx.knowledge.library(library)
            members = sorted(
                {v.upper() for _, values in data.enum_history(enum) for v in values or []}
            )
            close = [m for m in members if _close(m, member)]
            hint = f" Did you mean `{enum}.{close[0]}`?" if close else ""
            message = f"`{enum}` has no member `{member}` in any release; the script raises AttributeError.{hint}"
            yield self.finding(site, value.span, message, Severity.ERROR)


def _same_meaning(use: Any, members: set[str]) -> bool:
    """A use that means the same with a replacement of the same members and values."""
    if use.use == USE_MEMBER:
        return use.member in members
    return use.use in (USE_CALL, USE_TYPE)


def _imports_already(ref: Any, new: str, names: tuple[Any, ...]) -> bool:
    """Whether the replacement is imported under its own name from the same library, in the
    same statement as `ref` or in an earlier one of its block (so it is bound wherever `ref`
    was), and `ref` can be dropped from its statement."""
    if ref.drop is None or ref.block is None:
        return False
    library = ref.path.split(".", 1)[0]
    return any(
        r.is_import
        and r.local == new
        and r.path.split(".", 1)[0] == library
        and r.path.rsplit(".", 1)[-1] == new
        and r.block == ref.block
        and r.statement is not None
        and r.statement.start <= ref.statement.start
        for r in names
    )


def _close(a: str, b: str) -> bool:
    import difflib

    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.8


@register
class MovedImport(Kind):
    """A `from MODULE import ...` of a module that moved (the old path warns or fails)."""

    name = "moved-import"
    required = ("moves",)

    def setup(self) -> None:
        self.moves = [{**move, "since": release(move["since"])} for move in self.params["moves"]]

    def check_document(self, document: SourceFile, ctx: Context) -> Iterator[Finding]:
        for ref in document.imports:
            for move in self.moves:
                if ref.module != move["module"]:
                    continue
                library = move.get("library", SENTENCE_TRANSFORMERS)
                target = ctx.targets.of(library)
                since = move["since"]
                if target.hi < since:
                    continue
                new = move["new"]
                if target.lo >= since:
                    fix = Fix(
                        Applicability.SAFE, f"Import from `{new}`", (ReplaceSource(ref.span, new),)
                    )
                    how = f"import from `{new}`"
                else:
                    fix = None
                    how = f"raise your floor to {library}>={short(since)} to import from `{new}`"
                message = (
                    f"`{ref.module}` moved to `{new}` in {library} {short(since)}; the old path still works "
                    f"but warns ({how})."
                )
                yield Finding(
                    self.code, message, Severity.WARNING, document.path, ref.span, None, fix
                )


@register
class TrainerKeywordRenamed(Kind):
    """A keyword of a trainer's constructor that a release renamed (`tokenizer=` became
    `processing_class=`), judged by the trainer's library: transformers for Trainer and
    Seq2SeqTrainer, trl for its trainers. Which release takes which keyword is version
    knowledge (the constructors' parameters, and the `deprecate_kwarg` aliases they keep).

    params:
      keyword: the old keyword
      replacement: the new one
    """

    name = "trainer-keyword"
    required = ("keyword", "replacement")

    def check_document(self, document: SourceFile, ctx: Context) -> Iterator[Finding]:
        old, new = self.params["keyword"], self.params["replacement"]
        for call in document.trainer_keywords:
            if call.keyword != old or call.library not in (TRANSFORMERS, TRL):
                continue
            data = ctx.knowledge.library(call.library)
            target = ctx.targets.of(call.library)
            params = data.trainer_params(call.trainer, data.floor(target.hi))
            if params is None or old in params or "**" in params:
                continue  # unknown there, still its own keyword, or passed on to another class
            lib = label(call.library)
            release = f"{call.trainer} of {lib} {short(target.hi)}"
            first = data.trainer_first(call.trainer, new)
            since = f" (renamed in {lib} {short(first)})" if first else ""
            if f"{old}->{new}" in params:
                severity = Severity.WARNING
                state = f"is deprecated by {release}{since}; a later release rejects it"
            else:
                severity = Severity.ERROR
                state = f"is rejected by {release}{since}; the call raises TypeError"
            fix = None
            floor = data.trainer_params(call.trainer, data.floor(target.lo)) or []
            if new in call.others:
                how = f"`{new}=` is given as well: remove `{old}=`."
            elif new in floor:
                how = f"Rename it to `{new}=`; it takes the same object."
                fix = Fix(
                    Applicability.SAFE, f"Rename to `{new}`", (ReplaceSource(call.span, new),)
                )
            elif first is not None:
                how = f"To fix it, raise your floor to {lib}>={short(first)} to write `{new}=`."
            else:
                how = f"Pass the object as `{new}=`."
            message = f"`{old}=` {state}. {how}"
            yield Finding(self.code, message, severity, document.path, call.span, None, fix)


@register
class TrainerAttributeRemoved(Kind):
    """An attribute of a trainer object that transformers deprecated and then removed for
    another name (`trainer.tokenizer` became `trainer.processing_class`). Every trainer of the
    family inherits it from transformers' Trainer, so the transformers target decides; which
    release did what is version knowledge (curated from the wheels)."""

    name = "trainer-attribute"

    def check_document(self, document: SourceFile, ctx: Context) -> Iterator[Finding]:
        data = ctx.knowledge.library(TRANSFORMERS)
        target = ctx.targets.of(TRANSFORMERS)
        for read in document.trainer_attributes:
            fact = data.trainer_attribute(read.attribute)
            if fact is None or target.hi < fact.deprecated_in:
                continue
            owner = f"{read.trainer} (assumed from the name)" if read.assumed else read.trainer
            lib = label(TRANSFORMERS)
            if target.hi >= fact.removed_in:
                severity = Severity.ERROR
                state = (
                    f"{owner} of {lib} {short(target.hi)} has no `{fact.name}` (removed in "
                    f"{short(fact.removed_in)}); reading it raises AttributeError"
                )
            else:
                severity = Severity.WARNING
                state = f"{lib} {short(fact.deprecated_in)} deprecated it; {short(fact.removed_in)} removes it"
            fix = None
            if target.lo >= fact.deprecated_in:
                how = f"Read `{fact.replacement}`: it holds the same object."
                applicability = Applicability.UNSAFE if read.assumed else Applicability.SAFE
                fix = Fix(
                    applicability,
                    f"Read `{fact.replacement}`",
                    (ReplaceSource(read.span, fact.replacement),),
                )
            else:
                how = (
                    f"To fix it, raise your floor to {lib}>={short(fact.deprecated_in)} to read "
                    f"`{fact.replacement}`."
                )
            message = f"`{fact.name}` is read from a trainer here, but {state}. {how}"
            yield Finding(self.code, message, severity, document.path, read.span, None, fix)
