"""Kinds for single values (codes CE2xx): enum values, types, JSON strings, ranges.

Value sets come from the version knowledge (enums and CLI `choices` per release); a rule
maps its fields to them in its parameters. A value that is not a literal is never judged.
Each judged release is the newest one the target allows and, when the target is a range,
its floor: a value must be valid in both.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from typing import Any

from packaging.version import Version

from ..findings import Applicability, Finding, Fix, Remove, Rewrite, Severity
from ..knowledge import SENTENCE_TRANSFORMERS, ST_CLASSES, TRANSFORMERS
from ..model import Entry, Origin, Site
from .base import Context, Kind, ReleaseRange, register, release
from .support import (
    class_versions,
    close_to,
    default_at,
    judged_versions,
    label,
    library_of,
    post_init_runs,
    set_entries,
    short,
    show,
    templated,
    type_names,
    value_entries,
    value_type,
)

SAFE, UNSAFE = Applicability.SAFE, Applicability.UNSAFE


# ---- enum-valued fields -----------------------------------------------------------------


class FieldValues:
    """What one field accepts, per release, as described by a rule parameter.

    spec: an enum name; a list of enum names (the first that exists at a release wins);
    or a mapping {enum | choices | values, tokens, extra, callables, severity, effect}.
      enum: enum name(s) in the knowledge; choices: the field's CLI choices history;
      values: {since: [values]} written in the rule when the knowledge has no enum;
      tokens: the value is a space-separated string or a list of options (debug, fsdp);
      extra: values accepted besides the enum (report_to: all, none);
      callables: release from which a class or function is accepted (custom samplers);
      passed_on: {values, to}: values outside the choices that the library hands on to another
        one that may take them (`to` says which, for the message): only command-line flags,
        whose parser enforces the choices, are judged for them here.
    """

    def __init__(self, field: str, spec: Any):
        if isinstance(spec, str | list):
            spec = {"enum": spec}
        self.field = field
        enums = spec.get("enum", [])
        self.enums: list[str] = [enums] if isinstance(enums, str) else list(enums)
        self.choices: bool = bool(spec.get("choices"))
        # {since: values} written in the rule, oldest first
        self.values: list[tuple[Version, list[str]]] = sorted(
            (release(since), values) for since, values in (spec.get("values") or {}).items()
        )
        self.tokens: bool = bool(spec.get("tokens"))
        self.list_form: bool = bool(spec.get("lists", self.tokens))
        self.extra: list[str] = list(spec.get("extra", []))
        self.callables: Version | None = (
            release(spec["callables"]) if spec.get("callables") is not None else None
        )
        self.bools: bool = bool(spec.get("bools"))  # true/false is a valid value too
        passed_on = spec.get("passed_on") or {}
        self.passed_on: frozenset[str] = frozenset(passed_on.get("values", []))
        self.passed_to: str = passed_on.get("to", "")
        self.severity = Severity(spec.get("severity", "error"))
        self.effect: str = spec.get("effect", "")
        if not (self.enums or self.choices or self.values):
            raise ValueError(f"{field}: give enum, choices or values")
        self._valid: dict[tuple[str, str, Version], set[str] | None] = {}
        self._history: dict[tuple[str, str, str], tuple[Version | None, Version | None]] = {}

    def valid(self, ctx: Context, site: Site, version: Version) -> set[str] | None:
        library, _ = library_of(ctx, site, self.field)
        key = (site.cls, library, version)
        if key not in self._valid:
            self._valid[key] = self._compute_valid(ctx, site, version)
        return self._valid[key]

    def _compute_valid(self, ctx: Context, site: Site, version: Version) -> set[str] | None:
        library, info = library_of(ctx, site, self.field)
        if info is None or not info.exists_at(version):
            return None
        data = ctx.knowledge.library(library)
        found: list[str] | None = None
        for enum in self.enums:
            found = data.enum_values(enum, version)
            if found is not None:
                break
        if found is None and self.choices:
            text = info.history_at("choices", version)
            found = ast.literal_eval(text) if text else None
        if found is None and self.values:
            for since, values in self.values:
                if version >= since:
                    found = values
        if found is None:
            return None
        return set(found) | set(self.extra)

    def history(
        self, ctx: Context, site: Site, value: str
    ) -> tuple[Version | None, Version | None]:
        """(first release accepting `value`, first release after that rejecting it)."""
        library, _ = library_of(ctx, site, self.field)
        key = (site.cls, library, value)
        if key not in self._history:
            self._history[key] = self._compute_history(ctx, site, library, value)
        return self._history[key]

    def _compute_history(
        self, ctx: Context, site: Site, library: str, value: str
    ) -> tuple[Version | None, Version | None]:
        added = removed = None
        for version in ctx.knowledge.library(library).versions:
            valid = self.valid(ctx, site, version)
            if valid is None:
                continue
            if value in valid and added is None:
                added = version
            elif value not in valid and added is not None and removed is None:
                removed = version
        return added, removed


def tokens_of(value: Any, spec: FieldValues) -> list[str] | None:
    """The option names a value holds, or None when it is not a string/list of strings."""
    if isinstance(value, str):
        return value.split() if spec.tokens else [value]
    if (
        isinstance(value, list | tuple)
        and spec.list_form
        and all(isinstance(v, str) for v in value)
    ):
        return list(value)
    return None


def with_token(value: Any, old: str, new: str, spec: FieldValues) -> Any:
    if isinstance(value, str):
        return " ".join(new if t == old else t for t in value.split()) if spec.tokens else new
    return [new if v == old else v for v in value]


@register
class EnumValue(Kind):
    """A field whose value must be one of a set that changes between releases.

    params:
      fields: {field: spec} (see FieldValues)
      replaced: {value: {use: value or [values], fix: safe|unsafe, note}}: what to write
        instead of a value the target rejects; the first `use` valid at every judged
        release is offered
    """

    name = "enum-value"
    required = ("fields",)
    optional = ("replaced",)
    knows_value_history = True

    def setup(self) -> None:
        self.fields = {f: FieldValues(f, s) for f, s in self.params["fields"].items()}
        self.replaced: dict[str, dict[str, Any]] = self.params.get("replaced", {}) or {}

    def removed_value(self, site: Site, field: str, value: Any, ctx: Context) -> Version | None:
        spec = self.fields.get(field)
        if spec is None or not isinstance(value, str):
            return None
        added, removed = spec.history(ctx, site, value)
        return removed if added is not None else None

    def check(self, site: Site, ctx: Context) -> Iterator[Finding]:
        for entry in value_entries(site):
            spec = self.fields.get(entry.key)
            if spec is None:
                continue
            finding = self._judge(site, entry, spec, ctx)
            if finding is not None:
                yield finding

    def _judge(self, site: Site, entry: Entry, spec: FieldValues, ctx: Context) -> Finding | None:
        value = entry.value
        library, info = library_of(ctx, site, entry.key)
        if info is None:
            return None
        versions = judged_versions(ctx, library)
        if value.refers_to in ("class", "function") and spec.callables:
            return self._callable(site, entry, spec, library, versions)
        if isinstance(value.py, bool) and not spec.bools:
            return self._boolean(site, entry, spec, ctx, library, versions[0])
        if not value.known or value.py is None or isinstance(value.py, bool) or templated(value.py):
            return None
        tokens = tokens_of(value.py, spec)
        if tokens is None:
            return None
        if site.origin not in (Origin.COMMAND, Origin.FLAGS):
            tokens = [t for t in tokens if t not in spec.passed_on]
        for i, version in enumerate(versions):
            valid = spec.valid(ctx, site, version)
            if valid is None:
                continue
            bad = [t for t in tokens if t not in valid]
            if not bad:
                continue
            return self._report(site, entry, spec, ctx, bad, valid, library, version, floor=i > 0)
        return None

    def _boolean(
        self, site: Site, entry: Entry, spec: FieldValues, ctx: Context, library: str,
        version: Version,
    ) -> Finding | None:  # fmt: skip
        """true/false where a name is expected: YAML 1.1 reads a bare `no` or `off` as false."""
        valid = spec.valid(ctx, site, version)
        if valid is None:
            return None
        lib = f"{label(library)} {short(version)}"
        message = (
            f"`{entry.key}` is {show(entry.value.py)}, not a name; {lib} raises ValueError when it "
            "converts it."
        )
        fix = None
        if entry.value.py is False and "no" in valid:
            if entry.value.reading:
                message += f" {entry.value.reading}"
            fix = Fix(SAFE, 'Write "no"', (Rewrite(entry, entry.key, "no"),))
        return self.finding(site, entry.value.span, message, spec.severity, fix, (entry.key,))

    def _callable(
        self, site: Site, entry: Entry, spec: FieldValues, library: str, versions: list[Version]
    ) -> Finding | None:
        since = spec.callables
        assert since is not None
        old = [v for v in versions if v < since]
        if not old:
            return None
        message = (
            f"`{entry.key}` is given a {entry.value.refers_to} ({entry.value.source}), which "
            f"{label(library)} accepts only from {short(since)}; {label(library)} {short(old[0])} "
            f"converts the value to an enum and raises ValueError. Raise the floor to "
            f"{label(library)}>={short(since)}, or subclass the trainer and override "
            "`get_batch_sampler`."
        )
        return self.finding(site, entry.value.span, message, Severity.ERROR, None, (entry.key,))

    def _report(
        self,
        site: Site,
        entry: Entry,
        spec: FieldValues,
        ctx: Context,
        bad: list[str],
        valid: set[str],
        library: str,
        version: Version,
        floor: bool,
    ) -> Finding:
        lib = f"{label(library)} {short(version)}"
        token = bad[0]
        added, removed = spec.history(ctx, site, token)
        if floor:
            why = f"`{token}` exists only from {label(library)} {short(added)}" if added else ""
            scope = f"the oldest release your target allows, {lib}, rejects it"
        elif removed is not None and added is not None and removed <= version:
            why = f"`{token}` was removed in {label(library)} {short(removed)}"
            scope = f"{lib} rejects it"
        elif added is not None and added > version:
            why = f"`{token}` exists only from {label(library)} {short(added)}"
            scope = f"{lib} rejects it"
        else:
            why = f"`{token}` is not a value of `{entry.key}` in any release"
            scope = f"{lib} rejects it"
        severity = spec.severity
        fix, hint = self._fix(site, entry, spec, ctx, token, library)
        replacement = self.replaced.get(token, {})
        if "severity" in replacement:
            severity = Severity(replacement["severity"])
        more = f" (and {', '.join(f'`{b}`' for b in bad[1:])})" if len(bad) > 1 else ""
        effect = f" {spec.effect}" if spec.effect else ""
        if token in spec.passed_on:
            why = f"`{token}` is not one of the choices of `{entry.key}`"
            effect = (
                " On the command line HfArgumentParser takes only those; a config file or code "
                f"may name it (it is passed on to {spec.passed_to})."
            )
        message = f"{why}{more}; {scope}.{effect} {hint}".strip()
        if floor and added is not None:
            message += f" Raise your floor to {label(library)}>={short(added)} to keep it."
        if entry.role == "default" and entry.value.reading:
            message += f" {entry.value.reading}"
        return self.finding(site, entry.value.span, message, severity, fix, (entry.key,))

    def _fix(
        self, site: Site, entry: Entry, spec: FieldValues, ctx: Context, token: str, library: str
    ) -> tuple[Fix | None, str]:
        everywhere = self._valid_everywhere(site, spec, ctx, library)
        replacement = self.replaced.get(token)
        if replacement is not None:
            uses = (
                replacement["use"] if isinstance(replacement["use"], list) else [replacement["use"]]
            )
            note = " ".join(str(replacement.get("note", "")).split())
            for use in uses:
                if use in everywhere:
                    applicability = Applicability(replacement.get("fix", "unsafe"))
                    new = with_token(entry.value.py, token, use, spec)
                    fix = Fix(applicability, f"Write `{use}`", (Rewrite(entry, entry.key, new),))
                    return fix, f"Use `{use}` instead. {note}".strip()
            return None, note
        candidates = close_to(token, everywhere)
        if len(candidates) == 1:
            use = candidates[0]
            applicability = SAFE if use.lower() == token.lower() else UNSAFE
            new = with_token(entry.value.py, token, use, spec)
            fix = Fix(applicability, f"Write `{use}`", (Rewrite(entry, entry.key, new),))
            return fix, f"Did you mean `{use}`?"
        if candidates:
            return None, "Did you mean " + " or ".join(f"`{c}`" for c in candidates) + "?"
        listed = sorted(everywhere)
        if not listed:
            return None, ""
        shown = ", ".join(listed[:12]) + (", ..." if len(listed) > 12 else "")
        return None, f"Valid values: {shown}."

    def _valid_everywhere(
        self, site: Site, spec: FieldValues, ctx: Context, library: str
    ) -> set[str]:
        out: set[str] | None = None
        for version in judged_versions(ctx, library):
            valid = spec.valid(ctx, site, version)
            if valid is not None:
                out = valid if out is None else out & valid
        return out or set()


# ---- declared types ---------------------------------------------------------------------

TRUE_WORDS = {"true", "yes", "on", "1", "y"}
FALSE_WORDS = {"false", "no", "off", "0", "n"}
NAMES = {"bool": "true or false", "int": "a whole number", "float": "a number", "str": "text",
         "list": "a list", "dict": "a mapping", "none": "null"}  # fmt: skip


def parse_number(text: str) -> int | float | None:
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


@register
class ValueType(Kind):
    """A literal whose type the field's declared type (at the judged release) does not take.

    params:
      problem: number-string | bool-string | shape (list/dict/null/float where the field
        takes something else); one rule reports each problem
      skip: fields never judged (their __post_init__ converts other types)
    """

    name = "value-type"
    required = ("problem",)
    optional = ("skip",)

    def setup(self) -> None:
        self.problem: str = self.params["problem"]
        if self.problem not in ("number-string", "bool-string", "shape"):
            raise ValueError(f"{self.code}: unknown problem {self.problem!r}")
        self.skip = set(self.params.get("skip", []))

    def check(self, site: Site, ctx: Context) -> Iterator[Finding]:
        for entry in value_entries(site):
            value = entry.value
            if entry.key in self.skip or not value.known or value.enum or templated(value.py):
                continue
            library, info = library_of(ctx, site, entry.key)
            if info is None:
                continue
            for version in judged_versions(ctx, library):
                if not info.exists_at(version):
                    continue
                takes = type_names(info.type_at(version), ctx.knowledge)
                if not takes or "object" in takes:
                    continue
                given = value_type(value.py)
                if given in takes or (given == "int" and "float" in takes):
                    continue
                release = f"{label(library)} {short(version)}"
                found = self._judge(site, entry, given, takes, release, ctx, version)
                if found is not None:
                    yield found
                    break

    def _judge(
        self, site: Site, entry: Entry, given: str, takes: frozenset[str], release: str,
        ctx: Context, version: Version,
    ) -> Finding | None:  # fmt: skip
        """This rule's problem, if the value of a type the field does not take shows it."""
        if self.problem == "number-string" and given == "str" and takes & {"int", "float"}:
            return self._number_text(site, entry, takes, release)
        if self.problem == "bool-string" and given == "str" and "bool" in takes:
            return self._bool_text(site, entry, release)
        if self.problem == "shape" and given != "str":
            return self._shape(site, entry, given, takes, release, ctx, version)
        return None

    def _number_text(
        self, site: Site, entry: Entry, takes: frozenset[str], release: str
    ) -> Finding | None:
        """A number written as text ("1e-5" that YAML 1.1 reads as text, "8")."""
        value, name = entry.value.py, entry.key
        number = parse_number(value)
        if number is None:
            return None
        if "float" not in takes and isinstance(number, float):
            if not number.is_integer():
                return None
            number = int(number)
        message = (
            f"`{name}` is the text {show(value)}, not a number: {release} keeps it as a string and "
            f"fails when it compares or computes with it."
        )
        if entry.value.reading:
            message += f" {entry.value.reading}"
        fix = Fix(SAFE, f"Write the number {number!r}", (Rewrite(entry, name, number),))
        return self.finding(site, entry.value.span, message, Severity.ERROR, fix, (name,))

    def _bool_text(self, site: Site, entry: Entry, release: str) -> Finding | None:
        """true/false written as text: any non-empty text reads as true."""
        value, name = entry.value.py, entry.key
        word = value.strip().lower()
        if word not in TRUE_WORDS | FALSE_WORDS:
            return None
        if word in TRUE_WORDS:
            message = (
                f"`{name}` is the text {show(value)}, not true/false; {release} reads any non-empty "
                "text as true, so it works by accident. Write a boolean."
            )
            fix = Fix(SAFE, "Write true", (Rewrite(entry, name, True),))
            return self.finding(site, entry.value.span, message, Severity.WARNING, fix, (name,))
        message = (
            f"`{name}` is the text {show(value)}, not false: {release} reads any non-empty text as "
            "true, so this setting is ON. Write a boolean."
        )
        fix = Fix(UNSAFE, "Write false (turns the setting off)", (Rewrite(entry, name, False),))
        return self.finding(site, entry.value.span, message, Severity.ERROR, fix, (name,))

    def _shape(
        self, site: Site, entry: Entry, given: str, takes: frozenset[str], release: str,
        ctx: Context, version: Version,
    ) -> Finding | None:  # fmt: skip
        """A list, fraction, null or boolean where the field takes another type."""
        value, name = entry.value.py, entry.key
        expects = " or ".join(NAMES[k] for k in sorted(takes) if k in NAMES)
        fix = None
        if given == "list" and "str" in takes and "list" not in takes:
            detail = f"a list where {release} takes {expects}"
            if len(value) == 1 and isinstance(value[0], str):
                fix = Fix(SAFE, f"Write {show(value[0])}", (Rewrite(entry, name, value[0]),))
        elif given == "float" and "int" in takes and "float" not in takes:
            detail = f"{show(value)}, a fraction, where {release} takes a whole number"
            if value.is_integer():
                fix = Fix(SAFE, f"Write {int(value)}", (Rewrite(entry, name, int(value)),))
        elif given == "none":
            default = default_at(ctx, site, name, version)
            if default is None:
                return None
            detail = f"null where {release} takes {expects}"
            fix = Fix(
                UNSAFE, f"Remove `{name}` (use the default, {show(default)})", (Remove(entry),)
            )
        elif given == "bool" and takes & {"int", "float"} and "bool" not in takes:
            detail = f"true/false where {release} takes {expects}"
        elif given == "list":
            detail = f"{NAMES[given]} where {release} takes {expects}"
        else:
            return None
        message = f"`{name}` is {detail}; the arguments are built, but training fails when the value is used."
        return self.finding(site, entry.value.span, message, Severity.ERROR, fix, (name,))


# ---- dict fields given as JSON text ------------------------------------------------------


@register
class JsonDictString(Kind):
    """A dict field given as text that the libraries cannot read as JSON.

    params:
      fields: dict-valued fields read with json.loads when the text starts with `{`
      strict: fields whose text must always be JSON (other fields read it as a file path
        or, for prompts, as a literal prompt)
    """

    name = "json-dict-string"
    required = ("fields",)
    optional = ("strict",)

    def check(self, site: Site, ctx: Context) -> Iterator[Finding]:
        strict = set(self.params.get("strict", []))
        for entry in value_entries(site):
            if entry.key not in self.params["fields"] or not isinstance(entry.value.py, str):
                continue
            if templated(entry.value.py):
                continue
            library, info = library_of(ctx, site, entry.key)
            if info is None:
                continue
            version = judged_versions(ctx, library)[0]
            kinds = type_names(info.type_at(version), ctx.knowledge) or frozenset()
            if "dict" not in kinds or "str" not in kinds:
                continue  # this release takes no JSON text for it
            text = entry.value.py
            if not text.startswith("{") and entry.key not in strict:
                continue
            try:
                json.loads(text)
                continue
            except ValueError as exc:
                problem = str(exc)
            lib = f"{label(library)} {short(version)}"
            message = f"`{entry.key}` is text that is not valid JSON ({problem}); {lib} raises when it reads it."
            fix = None
            parsed = _python_mapping(text)
            if parsed is not None:
                message += " It reads as a Python dict; write it as a mapping."
                fix = Fix(SAFE, "Write it as a mapping", (Rewrite(entry, entry.key, parsed),))
            yield self.finding(site, entry.value.span, message, Severity.ERROR, fix, (entry.key,))


def _python_mapping(text: str) -> dict[str, Any] | None:
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            return None
        return value
    return None


@register
class JsonTextUnread(Kind):
    """A mapping field given as `{...}` text that the class, at the target, never reads as JSON.

    __post_init__ reads such text with json.loads only for the fields of `_VALID_DICT_FIELDS`
    (from the version knowledge); for another field the text stays text.

    params:
      fields: {name: {effect: what the text does then, severity: error | warning}}
    """

    name = "json-text-unread"
    required = ("fields",)

    def check(self, site: Site, ctx: Context) -> Iterator[Finding]:
        kn = ctx.knowledge
        ends = [class_versions(ctx, site.cls)]
        if class_versions(ctx, site.cls, "lo") != ends[0]:
            ends.append(class_versions(ctx, site.cls, "lo"))
        for entry in value_entries(site):
            spec = self.params["fields"].get(entry.key)
            text = entry.value.as_text or entry.value.py
            if spec is None or not isinstance(text, str) or not text.startswith("{"):
                continue
            for tf, st in ends:
                read = kn.json_text_fields(site.cls, tf, st)
                if read is None or entry.key in read or not kn.accepts(site.cls, entry.key, tf, st):
                    continue
                yield self._finding(site, entry, spec, self._release(site, ctx, tf, st))
                break

    def _release(self, site: Site, ctx: Context, tf: Version, st: Version) -> str:
        if site.cls in ST_CLASSES:
            return f"{site.cls} of sentence-transformers {short(ctx.knowledge.st.floor(st))}"
        return f"{site.cls} of transformers {short(ctx.knowledge.tf.floor(tf))}"

    def _finding(self, site: Site, entry: Entry, spec: dict[str, Any], release: str) -> Finding:
        text = entry.value.as_text or entry.value.py
        parsed = _json_or_python_mapping(text)
        message = (
            f"`{entry.key}` is text that starts with `{{`, but {release} does not read this "
            f"field's text as JSON: {spec['effect']}"
        )
        fix = None
        if parsed is not None and entry.value.as_text is None:
            message += " Write it as a mapping."
            fix = Fix(SAFE, "Write it as a mapping", (Rewrite(entry, entry.key, parsed),))
        elif parsed is not None:
            message += " Only text can be given here (a command-line flag): set it in a config file or in code."
        severity = Severity(spec.get("severity", "error"))
        return self.finding(site, entry.value.span, message, severity, fix, (entry.key,))


def _json_or_python_mapping(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return _python_mapping(text)
    return value if isinstance(value, dict) else None


# ---- ranges -------------------------------------------------------------------------------


@register
class ValueRange(Kind):
    """A number outside the range a release accepts.

    params:
      checks: list of {field, min, max, min_exclusive, integer, since, until, library,
        message}; since/until bound the releases that perform the check
    """

    name = "value-range"
    required = ("checks",)

    def setup(self) -> None:
        self.checks = [(check, ReleaseRange.of(check)) for check in self.params["checks"]]

    def check(self, site: Site, ctx: Context) -> Iterator[Finding]:
        if not post_init_runs(site):
            return
        for check, releases in self.checks:
            entry = next((e for e in reversed(set_entries(site)) if e.key == check["field"]), None)
            if entry is None or not entry.value.known:
                continue
            value = entry.value.py
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            # The check belongs to the library that performs it (transformers unless told).
            library = (
                SENTENCE_TRANSFORMERS
                if check.get("library") == "sentence-transformers"
                else TRANSFORMERS
            )
            for version in judged_versions(ctx, library):
                if version not in releases:
                    continue
                if _breaks(value, check):
                    lib = f"{label(library)} {short(version)}"
                    text = " ".join(str(check["message"]).split())
                    message = f"`{entry.key}: {show(value)}`: {text} ({lib} raises ValueError)."
                    yield self.finding(
                        site, entry.value.span, message, Severity.ERROR, None, (entry.key,)
                    )
                    break


def _breaks(value: float, check: dict[str, Any]) -> bool:
    if check.get("integer") and not isinstance(value, int):
        return True
    if "min" in check and value < check["min"]:
        return True
    if "min_exclusive" in check and value <= check["min_exclusive"]:
        return True
    return "max" in check and value > check["max"]
