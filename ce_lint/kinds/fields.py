"""Kinds for fields that were deprecated, renamed, moved or removed (codes CE1xx).

Whether a rule fires, and how loudly, comes from the version knowledge and the
targets: a field the target no longer accepts is an error, one still accepted but
announced for removal is a warning. A rewrite is offered only when everything it
writes exists in the oldest release the target allows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from ..findings import (
    KEEP,
    AbstractEdit,
    AddEntry,
    Applicability,
    Finding,
    Fix,
    Remove,
    ReplaceRead,
    Rewrite,
    Severity,
    Template,
)
from ..knowledge import TRANSFORMERS, TRL
from ..model import UNKNOWN, Entry, Site, Value
from .base import Context, Kind, register
from .support import class_named, class_versions, label, short

SAFE, UNSAFE = Applicability.SAFE, Applicability.UNSAFE


# ---- shared logic -------------------------------------------------------------------


def field_status(site: Site, field: str, ctx: Context) -> tuple[Severity, str] | None:
    """How the target treats `field` on this Site's class; None when it is fine."""
    kn, t = ctx.knowledge, ctx.targets
    tf, second = class_versions(ctx, site.cls)
    info = kn.field(field, site.cls)
    if not kn.accepts(site.cls, field, tf, second):
        if info is None or field in (site.other_fields or ()):
            return None  # unknown here, or a field of another dataclass the same parser fills
        lib = label(info.library)
        version = t.of(info.library).hi
        if info.removed_in is not None and info.removed_in <= kn.library(info.library).floor(
            version
        ):
            since = f"removed in {lib} {short(info.removed_in)}"
        elif info.first > version:
            return None  # a field newer than the target: not this rule's business
        else:
            since = f"not part of {site.cls}"
        release = (
            f"{lib} {short(version)}" if info.library == TRL else f"transformers {short(t.tf)}"
        )
        return Severity.ERROR, f"is rejected by {class_named(site)} of {release} ({since})"
    if kn.deprecated(site.cls, field, tf, second):
        since = f" since {short(info.deprecated_in)}" if info and info.deprecated_in else ""
        lib = label(info.library if info is not None else TRANSFORMERS)
        return Severity.WARNING, f"is deprecated{since} ({lib} still accepts it but will drop it)"
    return None


@dataclass(frozen=True)
class Unwritable:
    """Why a fix cannot write `field` for every release the target allows."""

    gone: bool  # the field was removed too: the setting has no equivalent at the target
    text: str  # what to say (it completes "To fix it, ...")


def writable(site: Site, field: str, ctx: Context) -> Unwritable | None:
    """None when `field` can be written for every release the target allows, else why not."""
    kn = ctx.knowledge
    hi_tf, hi_second = class_versions(ctx, site.cls)
    lo_tf, lo_second = class_versions(ctx, site.cls, "lo")
    if kn.accepts(site.cls, field, lo_tf, lo_second) and kn.accepts(
        site.cls, field, hi_tf, hi_second
    ):
        return None
    first = kn.first_accepting(site.cls, field)
    if not first:
        return Unwritable(False, f"`{field}` is not a field of {site.cls}")
    info = kn.field(field, site.cls)
    if (
        info is not None
        and info.removed_in is not None
        and not kn.accepts(site.cls, field, hi_tf, hi_second)
    ):
        removed = f"in {label(info.library)} {short(info.removed_in)}"
        return Unwritable(True, f"`{field}` was removed as well ({removed})")
    floors = " or ".join(f"{label(library)}>={short(version)}" for library, version in first)
    return Unwritable(False, f"raise your floor to {floors} to rewrite it as `{field}`")


def same_value(a: Any, b: Any) -> bool:
    if a is UNKNOWN or b is UNKNOWN:
        return False
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


def matches(when: Any, value: Value) -> bool:
    if when == "any":
        return True
    if when == "unknown":
        return not value.known
    if not value.known:
        return False
    if when == "known":
        return True
    if when == "truthy":
        return bool(value.py)
    if when == "falsy":
        return not value.py
    if isinstance(when, list):
        return any(same_value(w, value.py) for w in when)
    return same_value(when, value.py)


def describe(value: Value) -> str:
    if not value.known:
        return value.source or "an expression"
    return repr(value.py) if not isinstance(value.py, bool) else str(value.py).lower()


class FieldKind(Kind):
    """Common frame: find the entries of `field`, decide severity, build the message."""

    def field_names(self) -> list[str]:
        return [self.params["field"]]

    def described_fields(self) -> tuple[str, ...]:
        return tuple(self.field_names())

    def check(self, site: Site, ctx: Context) -> Iterator[Finding]:
        for name in self.field_names():
            for entry in site.all(name):
                if entry.role not in ("set", "assign", "read"):
                    continue  # declarations in subclasses have their own rule
                if entry.role == "read" and any(e.role == "declare" for e in site.all(name)):
                    continue  # the subclass that reads it declares it: the attribute exists
                status = field_status(site, name, ctx)
                if status is None:
                    continue
                severity, state = status
                fix, note = self.plan(site, entry, ctx)
                if entry.role == "read" and severity is Severity.ERROR:
                    fix, note = _read_fix(site, entry, fix, note, ctx)
                if (
                    entry.role == "assign"
                    and fix is not None
                    and any(isinstance(e, Rewrite | AddEntry) for e in fix.edits)
                ):
                    # Old names were often aliases copied once in __post_init__: assigning one
                    # afterwards did nothing on some releases, so the rewrite may change behaviour.
                    fix = replace(fix, applicability=UNSAFE)
                    note = f"{note} It is assigned after the arguments were built; depending on the release, the old name may not have taken effect there, so check the result.".strip()
                if entry.role == "read":
                    consequence = (
                        "reading it raises AttributeError"
                        if severity is Severity.ERROR
                        else "reading it warns"
                    )
                    message = (
                        f"`{name}` is read here, but it {state}; {consequence}. {self.spec.summary}"
                    )
                else:
                    message = f"`{name}` {state}. {self.spec.summary}"
                if note:
                    message += f" {note}"
                yield self.finding(site, entry.key_span, message, severity, fix, (name,))

    def plan(self, site: Site, entry: Entry, ctx: Context) -> tuple[Fix | None, str]:
        raise NotImplementedError


def _read_fix(
    site: Site, entry: Entry, fix: Fix | None, note: str, ctx: Context
) -> tuple[Fix | None, str]:
    """A read of a removed field: renamed where the field was renamed; else, where the
    knowledge says the removing release behaves as if the field always had one value
    (`save_safetensors`: always safetensors), that value in place of the read, as an unsafe
    fix (code that saw another value on an older release took another branch). Never for
    assignments, `del` or augmented assignments: those are not reads."""
    if fix is not None and all(isinstance(e, Rewrite) and e.value is KEEP for e in fix.edits):
        return fix, note  # a rename of the attribute
    info = ctx.knowledge.field(entry.key, site.cls)
    fixed, value = info.after_removal if info is not None else (False, None)
    if not fixed or info is None or info.removed_in is None:
        return fix, note
    lib = label(info.library)
    text = json.dumps(value)
    fix = Fix(UNSAFE, f"Replace the read by {text}", (ReplaceRead(entry, value),))
    note = (
        f"{note} {lib} {short(info.removed_in)} behaves as if it were always {text}: the fix "
        f"writes that value in place of the read (unsafe: a run configured otherwise on an "
        f"older release behaved differently)."
    ).strip()
    return fix, note


# A rewrite removes the entries that already hold its key, a move into a mapping every other
# mover. Past a few, the file was written by a program (or a fuzzer): every finding's fix would
# touch them all, which is quadratic in the entries (1,000 such keywords took 20 s to report,
# 1,000 `args.dispatch_batches = ...` 68 s), and no person would review such a fix anyway.
MAX_CONFLICTS = 8


def conflict_edits(site: Site, entry: Entry, key: str) -> list[Entry]:
    """Other entries already holding `key` (the rewrite would duplicate them)."""
    return [e for e in site.all(key) if e is not entry]


# ---- kinds --------------------------------------------------------------------------


@register
class FieldMigration(FieldKind):
    """A field renamed, replaced by other settings depending on its value, or dropped.

    params:
      field: the old field
      replacement: new name; the value is kept (through `value_map` when given)
      value_map: {old value: new value} applied on rename
      cases: first match wins; each {when, do: rename|drop|set|none, set, fix, note}
        when: a value, a list of values, truthy, falsy, known, unknown or any
    Without cases: rename when there is a replacement, else drop (unsafe).
    """

    name = "field-migration"
    required = ("field",)
    optional = ("replacement", "value_map", "cases")

    def setup(self) -> None:
        self.replacement: str | None = self.params.get("replacement")
        self.value_map: dict[Any, Any] = self.params.get("value_map", {}) or {}
        cases = self.params.get("cases")
        if cases is None:
            cases = [{"when": "any", "do": "rename" if self.replacement else "drop",
                      "fix": "safe" if self.replacement else "unsafe"}]  # fmt: skip
        if not any("when" in case and case["when"] is None for case in cases):
            # A null value was the unset default in the old libraries: nothing to carry over.
            cases = [
                {"when": None, "do": "drop", "note": "It was null, which left it unset."},
                *cases,
            ]
        for case in cases:
            if case.get("do") not in ("rename", "drop", "set", "none"):
                raise ValueError(f"{self.code}: case `do` must be rename, drop, set or none")
            if case["do"] == "rename" and not self.replacement:
                raise ValueError(f"{self.code}: rename needs a replacement")
            if case.get("fix", "safe") not in ("safe", "unsafe"):
                raise ValueError(f"{self.code}: case `fix` must be safe or unsafe")
        self.cases = cases

    def plan(self, site: Site, entry: Entry, ctx: Context) -> tuple[Fix | None, str]:
        case = next((c for c in self.cases if matches(c.get("when", "any"), entry.value)), None)
        if case is None:
            return None, f"ce-lint cannot rewrite the value {describe(entry.value)} by itself."
        note = case.get("note", "")
        applicability = SAFE if case.get("fix", "safe") == "safe" else UNSAFE
        action = case["do"]
        if action == "none":
            return None, note
        if action == "drop":
            if site.other_fields is None:
                # A field dropped without a successor is one a project that still uses it
                # re-declares in its own dataclass (LLaMA-Factory, optimum-neuron did).
                kept = (
                    f"ce-lint leaves it in place: the same parser also fills dataclasses it "
                    f"cannot read, and one of them may declare `{entry.key}` itself."
                )
                return None, f"{note} {kept}".strip()
            return Fix(applicability, f"Remove `{entry.key}`", (Remove(entry),)), note

        if action == "rename":
            py = entry.value.py
            hashable = entry.value.known and isinstance(py, str | int | float | bool | None)
            value = self.value_map.get(py, KEEP) if hashable else KEEP
            if isinstance(value, str) and value.startswith("$"):
                value = KEEP
            settings: list[tuple[str, Any]] = [(self.replacement or "", value)]
        else:
            settings = [(k, _substitute(v, entry.value)) for k, v in case["set"].items()]

        for key, _ in settings:
            problem = writable(site, key, ctx)
            if problem is not None:
                if problem.gone:
                    # The replacement is gone too: all that is left is to drop the field.
                    fix = Fix(UNSAFE, f"Remove `{entry.key}`", (Remove(entry),))
                    text = f"{note} {problem.text}, so the setting has no equivalent today."
                    return fix, text.strip()
                return None, f"{note} To fix it, {problem.text}.".strip()

        edits: list[AbstractEdit] = []
        conflicts = []
        first_key, first_value = settings[0]
        for key, _ in settings:
            holders = conflict_edits(site, entry, key)
            if len(holders) > MAX_CONFLICTS:
                return None, (
                    f"{note} `{key}` is set {len(holders)} times in the same place: merge them "
                    f"by hand, then ce-lint can rewrite `{entry.key}`."
                ).strip()
        for key, value in settings:
            for other in conflict_edits(site, entry, key):
                new = entry.value.py if value is KEEP else value
                if not same_value(other.value.py, new):
                    conflicts.append((key, other))
                edits.append(Remove(other))
        edits.insert(0, Rewrite(entry, first_key, first_value))
        for key, value in settings[1:]:
            edits.append(AddEntry(site, key, value, after=entry))
        title = ", ".join(f"`{k}`" for k, _ in settings)
        if conflicts:
            names = ", ".join(f"`{k}` ({describe(o.value)})" for k, o in conflicts)
            note = (
                f"{note} It conflicts with {names} set in the same place; the old libraries "
                f"used `{entry.key}` ({describe(entry.value)}), and the fix keeps that value."
            ).strip()
            return Fix(
                UNSAFE, f"Replace `{entry.key}` by {title}, dropping the conflict", tuple(edits)
            ), note
        return Fix(applicability, f"Replace `{entry.key}` by {title}", tuple(edits)), note


def _substitute(template: Any, value: Value) -> Any:
    if template == "$value":
        return KEEP if not value.known else value.py
    return template


@register
class MoveIntoMapping(FieldKind):
    """A field that became a key of a dict-valued field (accelerator_config, fsdp_config).

    params:
      field, into, key
      as_list: wrap a string value in a list (comma-separated names become several)
      inert: values that meant "unset" (dropped safely)
      merge: what the old libraries did when the mapping already had the key:
             overwrite (the old field won), max (the larger won), append (list union)
      companions: keys the new place needs to mean the same, e.g. {auto_wrap_policy: ...},
             added when the oldest allowed release is at least `companions_since`
      applicability / note: for a target range where the companions cannot be added
    """

    name = "move-into"
    version_params = ("companions_since",)
    required = ("field", "into", "key")
    optional = (
        "as_list",
        "inert",
        "merge",
        "companions",
        "companions_since",
        "applicability",
        "note",
    )

    def moves_into(self) -> str | None:
        return self.into

    def setup(self) -> None:
        self.into: str = self.params["into"]
        self.key: str = self.params["key"]
        self.inert = self.params.get("inert", [None])
        self.merge: str = self.params.get("merge", "overwrite")
        if self.merge not in ("overwrite", "max", "append"):
            raise ValueError(f"{self.code}: merge must be overwrite, max or append")
        self.companions: dict[str, Any] = self.params.get("companions", {}) or {}
        self.without_companions = Applicability(self.params.get("applicability", "safe"))
        self.note: str = " ".join(self.params.get("note", "").split())

    def moved_value(self, entry: Entry) -> Any:
        value = entry.value.py
        if self.params.get("as_list") and isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return value

    def siblings(self, site: Site, ctx: Context) -> list[tuple[MoveIntoMapping, Entry]]:
        """Every field in this Site that moves into the same mapping, in Site order."""
        kinds = ctx.index.moves_into.get(self.into, ())
        out = []
        for entry in site.entries:
            for kind in kinds:
                if entry.key == kind.params["field"] and not kind.is_inert(entry):
                    out.append((kind, entry))
        return out

    def is_inert(self, entry: Entry) -> bool:
        return entry.value.known and any(same_value(entry.value.py, i) for i in self.inert)

    def companions_for(self, ctx: Context) -> dict[str, Any] | None:
        """The companion keys to add, or None when the target range cannot take them."""
        since = self.releases.get("companions_since")
        if not self.companions:
            return {}
        if since and ctx.targets.transformers.lo < ctx.knowledge.tf.floor(since):
            return None
        return dict(self.companions)

    def plan(self, site: Site, entry: Entry, ctx: Context) -> tuple[Fix | None, str]:
        if self.is_inert(entry):
            return Fix(SAFE, f"Remove `{entry.key}` (it is unset)", (Remove(entry),)), ""
        problem = writable(site, self.into, ctx)
        if problem is not None:
            return None, f"To fix it, {problem.text}."
        if not entry.value.known:
            return None, f"Move its value into `{self.into}` as `{self.key}` by hand."
        companions = self.companions_for(ctx)
        applicability, note = SAFE, ""
        if companions is None:
            applicability, note, companions = self.without_companions, self.note, {}
        target = site.get(self.into)
        if target is None or (target.value.known and target.value.py is None):
            # Build the new mapping from every mover, at the first mover's place.
            movers = [(k, e) for k, e in self.siblings(site, ctx) if e.value.known] or [
                (self, entry)
            ]
            if len(movers) > MAX_CONFLICTS:  # each finding's fix would move them all
                return None, (
                    f"{len(movers)} settings here move into `{self.into}`: merge them by hand."
                )
            mapping: dict[str, Any] = {}
            for kind, mover in movers:
                mapping[kind.key] = kind.moved_value(mover)
                for key, value in (kind.companions_for(ctx) or {}).items():
                    mapping.setdefault(key, value)
            first = movers[0][1]
            edits: list[AbstractEdit] = [Rewrite(first, self.into, mapping)]
            edits += [Remove(e) for _, e in movers if e is not first]
            if target is not None:
                edits.append(Remove(target))
            names = ", ".join(f"`{e.key}`" for _, e in movers)
            return Fix(applicability, f"Move {names} into `{self.into}`", tuple(edits)), note
        if target.value.entries is None:
            return (
                None,
                f"`{self.into}` is given as {describe(target.value)}; add `{self.key}` to it by hand.",
            )
        nested = {e.key: e for e in target.value.entries}
        existing = nested.get(self.key)
        value = self.moved_value(entry)
        edits = [Remove(entry)]
        if existing is not None and not existing.value.known:
            return (
                None,
                f"`{self.into}` sets `{self.key}` from an expression; merge `{entry.key}` by hand.",
            )
        if existing is None:
            edits.insert(0, AddEntry(target.value, self.key, value))
        else:
            merged = self._merged(existing.value.py, value)
            if not same_value(merged, existing.value.py):
                edits.insert(0, Rewrite(existing, self.key, merged))
            if self.merge == "overwrite" and not same_value(existing.value.py, value):
                applicability = UNSAFE
                note = (
                    f"{note} `{self.into}` already sets `{self.key}` to {describe(existing.value)}; the old "
                    f"libraries let `{entry.key}` win, and the fix keeps its value."
                ).strip()
        for key, extra in companions.items():
            if key not in nested:
                edits.insert(-1, AddEntry(target.value, key, extra))
        return Fix(applicability, f"Move `{entry.key}` into `{self.into}`", tuple(edits)), note

    def _merged(self, current: Any, value: Any) -> Any:
        if (
            self.merge == "max"
            and isinstance(current, int | float)
            and isinstance(value, int | float)
        ):
            return max(current, value)
        if self.merge == "append":
            items = list(current) if isinstance(current, list | tuple) else [current]
            return items + [
                v for v in (value if isinstance(value, list) else [value]) if v not in items
            ]
        return value


@register
class AppendOption(FieldKind):
    """A boolean field that became one option of a list/string field (debug, include_for_metrics).

    params: field, into, option, style (list | string)
    """

    name = "append-option"
    required = ("field", "into", "option")
    optional = ("style",)

    def plan(self, site: Site, entry: Entry, ctx: Context) -> tuple[Fix | None, str]:
        into, option = self.params["into"], self.params["option"]
        if entry.value.known and not entry.value.py:
            return Fix(SAFE, f"Remove `{entry.key}` (it is off)", (Remove(entry),)), ""
        if not entry.value.known or not isinstance(entry.value.py, bool):
            return None, f"Add `{option}` to `{into}` by hand."
        problem = writable(site, into, ctx)
        if problem is not None:
            return None, f"To fix it, {problem.text}."
        as_string = self.params.get("style", "list") == "string"
        target = site.get(into)
        if target is None or (target.value.known and not target.value.py):
            value: Any = option if as_string else [option]
            edits: list[AbstractEdit] = [Rewrite(entry, into, value)]
            if target is not None:
                edits.append(Remove(target))
            return Fix(SAFE, f"Replace `{entry.key}` by `{into}: {option}`", tuple(edits)), ""
        current = target.value.py
        if not target.value.known or not isinstance(current, str | list):
            # an expression, or a value of another type (CE21x reports that one)
            return None, f"Add `{option}` to `{into}` by hand."
        tokens = current.split() if isinstance(current, str) else list(current)
        if option in tokens:
            return Fix(
                SAFE, f"Remove `{entry.key}` (`{into}` has `{option}` already)", (Remove(entry),)
            ), ""
        tokens.append(option)
        value = " ".join(tokens) if isinstance(current, str) else tokens
        edits = [Rewrite(target, into, value), Remove(entry)]
        return Fix(SAFE, f"Add `{option}` to `{into}` and remove `{entry.key}`", tuple(edits)), ""


@register
class HubModelId(FieldKind):
    """push_to_hub_model_id and push_to_hub_organization became one `hub_model_id`."""

    name = "hub-model-id"
    required = ("field",)

    def plan(self, site: Site, entry: Entry, ctx: Context) -> tuple[Fix | None, str]:
        problem = writable(site, "hub_model_id", ctx)
        if problem is not None:
            return None, f"To fix it, {problem.text}."
        name = site.get("push_to_hub_model_id")
        org = site.get("push_to_hub_organization")
        existing = site.get("hub_model_id")
        if org is not None and org.value.known and org.value.py is None:
            org_edit: list[AbstractEdit] = [Remove(org)]
            org = None
        else:
            org_edit = []
        if name is not None and name.value.known and name.value.py is None:
            name_edits: list[AbstractEdit] = [Remove(name)]
            name = None
        else:
            name_edits = []
        if name is None and org is None:
            return Fix(
                SAFE, f"Remove `{entry.key}` (it is unset)", tuple(org_edit + name_edits)
            ), ""
        if name is not None:
            if org is not None:
                value: Any = Template((org.value, "/", name.value))
                edits = [Rewrite(name, "hub_model_id", value), Remove(org)]
                text = "`<organization>/<model id>`"
            else:
                edits = [Rewrite(name, "hub_model_id")]
                text = "the model id (pushed to your own namespace, as before)"
        else:
            output_dir = site.get("output_dir")
            if (
                output_dir is None
                or not output_dir.value.known
                or not isinstance(output_dir.value.py, str)
            ):
                return (
                    None,
                    "The old libraries used `<organization>/<name of output_dir>`; write that as `hub_model_id`.",
                )
            basename = output_dir.value.py.rstrip("/").rsplit("/", 1)[-1]
            edits = [Rewrite(org, "hub_model_id", Template((org.value, "/" + basename)))]
            text = "`<organization>/<name of output_dir>`"
        edits = org_edit + name_edits + edits
        if existing is not None:
            edits.append(Remove(existing))
            note = (
                f"`hub_model_id` ({describe(existing.value)}) is set as well; the old libraries "
                "overwrote it, and the fix keeps the old result."
            )
            return Fix(UNSAFE, f"Write {text} into `hub_model_id`", tuple(edits)), note
        return Fix(SAFE, f"Write {text} into `hub_model_id`", tuple(edits)), ""


@register
class WarmupRatio(FieldKind):
    """warmup_ratio folded into warmup_steps (transformers 5 reads a float below 1 as a ratio)."""

    name = "warmup-ratio"
    required = ("field",)

    def plan(self, site: Site, entry: Entry, ctx: Context) -> tuple[Fix | None, str]:
        ratio = entry.value
        steps = site.get("warmup_steps")
        if ratio.known and not ratio.py:
            return Fix(SAFE, "Remove `warmup_ratio` (it is 0)", (Remove(entry),)), ""
        if steps is not None and not steps.value.known:
            return None, "Fold it into `warmup_steps` by hand."
        if steps is not None and isinstance(steps.value.py, int | float) and steps.value.py > 0:
            return Fix(SAFE, "Remove `warmup_ratio`", (Remove(entry),)), (
                "`warmup_steps` is set too, and it always won over the ratio, so the ratio had no effect."
            )
        steps_field = ctx.knowledge.tf.fields["warmup_steps"]
        ttype = steps_field.type_at(ctx.knowledge.tf.floor(ctx.targets.transformers.lo))
        if "float" not in (ttype or ""):
            since = short(steps_field.first_typed("float"))
            return (
                None,
                f"To fix it, raise your floor to transformers>={since}, where `warmup_steps` takes a ratio.",
            )
        if not ratio.known:
            edits: list[AbstractEdit] = [Rewrite(entry, "warmup_steps")]
            if steps is not None:
                edits.append(Remove(steps))
            return Fix(UNSAFE, "Rename to `warmup_steps`", tuple(edits)), (
                "The value is not known statically; `warmup_steps` reads it as a ratio only when it is below 1."
            )
        if not isinstance(ratio.py, int | float) or not 0 < ratio.py < 1:
            return None, (
                f"A ratio of {describe(ratio)} cannot be written as `warmup_steps` (a float below 1 is a "
                "ratio, 1 and above count steps); set the number of steps instead."
            )
        if steps is not None:
            edits = [Rewrite(steps, "warmup_steps", ratio.py), Remove(entry)]
        else:
            edits = [Rewrite(entry, "warmup_steps", KEEP)]
        return Fix(SAFE, f"Write the ratio into `warmup_steps` ({ratio.py})", tuple(edits)), ""
