"""Kinds about sentence-transformers' legacy model API (CE507-CE510): keywords, positional
arguments, evaluator classes and methods that a release renamed, moved or dropped.

They read the calls the Python adapter records (`document.api_calls`, imported from
sentence_transformers only) and judge them by the sentence-transformers target with the
signatures the knowledge holds per release (regenerated from the wheels).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..findings import Applicability, Finding, Fix, ReplaceSource, Severity
from ..knowledge import SENTENCE_TRANSFORMERS, V
from ..knowledge import LibraryData as Data
from ..model import ApiArgument, ApiCall, SourceFile, Span
from .base import Context, Kind, register
from .support import short

ST = "sentence-transformers"


def _params(sig: dict[str, Any] | None) -> list[str]:
    return [p for p in (sig or {}).get("params", []) if p not in ("*", "**")]


def _positional(sig: dict[str, Any] | None) -> list[str]:
    params = (sig or {}).get("params", [])
    return params[: params.index("*")] if "*" in params else [p for p in params if p != "**"]


def _takes(sig: dict[str, Any] | None, keyword: str) -> bool:
    return keyword in _params(sig)


def _label(call: ApiCall) -> str:
    return call.cls if call.method == "__init__" else f"{call.cls}.{call.method}()"


def _ends(data: Data, ctx: Context) -> tuple[Any, Any, Any, Any]:
    target = ctx.targets.of(SENTENCE_TRANSFORMERS)
    return target.lo, target.hi, data.floor(target.lo), data.floor(target.hi)


@register
class LegacyKeyword(Kind):
    """A keyword argument of a model API call that the target renamed, moved or dropped."""

    name = "st-api-keyword"

    def check_document(self, document: SourceFile, ctx: Context) -> Iterator[Finding]:
        data = ctx.knowledge.st
        lo, hi, floor_lo, floor_hi = _ends(data, ctx)
        for call in getattr(document, "api_calls", ()):
            at_hi, at_lo = data.api(call.api, floor_hi), data.api(call.api, floor_lo)
            if at_hi is None or call.method == "__init__" and at_hi.get("deprecated"):
                continue  # absent there, or a deprecated evaluator (CE509 says it)
            ever = {p for _, sig in data.api_history(call.api) for p in _params(sig)}
            ever |= {
                k for _, sig in data.api_history(call.api) for k in (sig or {}).get("renamed", {})
            }
            curated = data.api_curated(call.api)
            given = {a.keyword for a in call.arguments if a.keyword}
            for arg in call.arguments:
                if arg.keyword is None or arg.name_span is None:
                    continue
                found = self._judge(call, arg, given, ever, curated, at_hi, at_lo, lo, hi, document)
                if found is not None:
                    yield found

    def _judge(
        self,
        call: ApiCall,
        arg: ApiArgument,
        given: set[str],
        ever: set[str],
        curated: dict[str, Any],
        at_hi: dict[str, Any],
        at_lo: dict[str, Any] | None,
        lo: Any,
        hi: Any,
        document: SourceFile,
    ) -> Finding | None:
        old, where = arg.keyword or "", f"{_label(call)} of {ST} {short(hi)}"
        assert arg.name_span is not None
        deprecated = curated.get("deprecated", {}).get(old)
        if deprecated and hi >= V(deprecated["since"]) and _takes(at_hi, old):
            return self._rename(
                call, arg, deprecated["use"], given, at_lo, where, "deprecates", document
            )
        if _takes(at_hi, old):
            return None
        new = at_hi.get("renamed", {}).get(old)
        if new is not None and new in _params(at_hi):
            return self._rename(call, arg, new, given, at_lo, where, "deprecates", document)
        dropped = curated.get("dropped", {}).get(old)
        if dropped and hi >= V(dropped["since"]):
            message = f"`{old}=` has no effect in {where} (dropped with a warning since {short(V(dropped['since']))})."
            fix = None
            if lo >= V(dropped["since"]):
                fix = Fix(Applicability.SAFE, f"Remove `{old}=`", (_remove(document, call, arg),))
                message += " Remove it."
            else:
                message += f" To remove it, raise your floor to {ST}>={short(V(dropped['since']))}."
            return Finding(
                self.code, message, Severity.WARNING, document.path, arg.name_span, None, fix
            )
        spread = curated.get("spread", {}).get(old)
        if spread and hi >= V(spread["since"]):
            into = ", ".join(f"`{name}`" for name in spread["into"])
            message = f"`{old}=` is deprecated by {where}: its value now goes inside {into}; move it by hand."
            return Finding(
                self.code, message, Severity.WARNING, document.path, arg.name_span, None, None
            )
        moved = curated.get("into_config_kwargs", {}).get(old)
        if moved and hi >= V(moved["since"]):
            message = (
                f"`{old}=` is deprecated by {where}: it is moved into "
                f'`config_kwargs={{"{old}": ...}}`.'
            )
            fix = None
            if "config_kwargs" in given:
                message += f" `config_kwargs=` is given as well: add `{old}` to it by hand."
            elif lo >= V(moved["since"]):
                text = f'config_kwargs={{"{old}": {arg.text}}}'
                fix = Fix(
                    Applicability.SAFE,
                    "Move into `config_kwargs`",
                    (ReplaceSource(arg.span, text),),
                )
            else:
                message += f" To move it, raise your floor to {ST}>={short(V(moved['since']))}."
            return Finding(
                self.code, message, Severity.WARNING, document.path, arg.name_span, None, fix
            )
        if "**" in at_hi.get("params", []) or old not in ever:
            return None  # passed on, or never a keyword of this API: not judged
        message = f"`{old}=` is rejected by {where}; the call raises TypeError."
        return Finding(self.code, message, Severity.ERROR, document.path, arg.name_span, None, None)

    def _rename(
        self,
        call: ApiCall,
        arg: ApiArgument,
        new: str,
        given: set[str],
        at_lo: dict[str, Any] | None,
        where: str,
        state: str,
        document: SourceFile,
    ) -> Finding:
        old = arg.keyword
        assert arg.name_span is not None
        fix = None
        if new in given:
            how = f"`{new}=` is given as well, and wins: remove `{old}=`."
        elif _takes(at_lo, new):
            how = f"Rename it to `{new}=`; it takes the same value."
            fix = Fix(
                Applicability.SAFE, f"Rename to `{new}`", (ReplaceSource(arg.name_span, new),)
            )
        else:
            how = f"The oldest release your target allows does not take `{new}=`: raise your floor to write it."
        message = f"`{old}=` is deprecated by {where} (use `{new}=`). {how}"
        return Finding(
            self.code, message, Severity.WARNING, document.path, arg.name_span, None, fix
        )


def _remove(document: SourceFile, call: ApiCall, arg: ApiArgument) -> ReplaceSource:
    """The edit that drops one argument and the comma on one side of it."""
    args = list(call.arguments)
    i = args.index(arg)
    if i + 1 < len(args):
        return ReplaceSource(Span(arg.span.start, args[i + 1].span.start), "")
    if i > 0:
        return ReplaceSource(Span(args[i - 1].span.end, arg.span.end), "")
    return ReplaceSource(arg.span, "")


@register
class LegacyPositional(Kind):
    """A positional argument after the first that the target refuses, or that meant another
    parameter in some release (CrossEncoder's 4th: `device` up to 3.4, `activation_fn` from 4.0)."""

    name = "st-api-positional"

    def check_document(self, document: SourceFile, ctx: Context) -> Iterator[Finding]:
        data = ctx.knowledge.st
        lo, hi, floor_lo, floor_hi = _ends(data, ctx)
        for call in getattr(document, "api_calls", ()):
            if call.method != "__init__" or call.unpacked:
                continue
            at_hi, at_lo = data.api(call.api, floor_hi), data.api(call.api, floor_lo)
            if at_hi is None:
                continue
            positional = [a for a in call.arguments if a.keyword is None]
            given = {a.keyword for a in call.arguments if a.keyword}
            where = f"{call.cls} of {ST} {short(hi)}"
            reports: list[tuple[ApiArgument, str, Severity, str | None]] = []
            for i, arg in enumerate(positional[1:], start=1):
                meanings = _meanings(data, call.api, i)
                if len(meanings) > 1:
                    history = "; ".join(f"`{n}` from {short(vs[0])}" for n, vs in meanings.items())
                    message = (
                        f"Positional argument {i + 1} of {call.cls} meant another parameter by "
                        f"release ({history}): which one this call means depends on the release it "
                        f"was written for, so it is not rewritten. Pass it by keyword."
                    )
                    reports.append((arg, message, Severity.ERROR, None))
                    continue
                if i < len(_positional(at_hi)):
                    continue  # the target still takes it by position, with the same meaning
                name = next(iter(meanings), None)
                shimmed = i - 1 < len(at_hi.get("positional") or [])
                state = (
                    "is deprecated (mapped with a warning)"
                    if shimmed
                    else "is refused: the call raises TypeError"
                )
                certain = (
                    name is not None
                    and name not in given
                    and _takes(at_hi, name)
                    and _takes(at_lo, name)
                )
                message = f"Positional argument {i + 1} of {where} {state}; its parameters after the first are keyword-only."
                severity = Severity.WARNING if shimmed else Severity.ERROR
                reports.append((arg, message, severity, name if certain else None))
            # Naming is offered once, for the whole tail: a positional argument left after a
            # named one would not parse. Each name is what every release gave that position.
            fixable = bool(reports) and all(name for _, _, _, name in reports)
            for n, (arg, message, severity, name) in enumerate(reports):
                fix = None
                if fixable and n == 0:
                    edits = tuple(
                        ReplaceSource(a.span, f"{nm}={a.text}") for a, _, _, nm in reports
                    )
                    fix = Fix(Applicability.SAFE, "Pass them by keyword", edits)
                if name and fixable:
                    message += f" Pass it as `{name}=` (its meaning in every release that took it by position)."
                elif name:
                    message += " Pass it by keyword."
                yield Finding(self.code, message, severity, document.path, arg.span, None, fix)


def _meanings(data: Data, api: str, i: int) -> dict[str, list[Any]]:
    """The parameter the i-th positional argument bound in each release that took it (by
    its signature, or the order its decorator maps positional arguments onto)."""
    meanings: dict[str, list[Any]] = {}
    for version, sig in data.api_history(api):
        order, shim = _positional(sig), (sig or {}).get("positional") or []
        name = order[i] if i < len(order) else shim[i - 1] if i - 1 < len(shim) else None
        if name is not None:
            meanings.setdefault(name, []).append(version)
    return meanings


@register
class LegacyEvaluator(Kind):
    """A deprecated CE*Evaluator class: its replacement, renamed onto where the call means
    the same."""

    name = "st-legacy-evaluator"

    def check_document(self, document: SourceFile, ctx: Context) -> Iterator[Finding]:
        data = ctx.knowledge.st
        lo, hi, floor_lo, floor_hi = _ends(data, ctx)
        for call in getattr(document, "api_calls", ()):
            at_hi = data.api(f"{call.cls}.__init__", floor_hi)
            if not at_hi or not at_hi.get("deprecated") or not at_hi.get("inherits"):
                continue
            new = at_hi["inherits"]
            since = next(
                v
                for v, sig in data.api_history(f"{call.cls}.__init__")
                if sig and sig.get("deprecated")
            )
            old_sig = next(
                (
                    sig
                    for v, sig in reversed(data.api_history(f"{call.cls}.__init__"))
                    if sig and not sig.get("deprecated")
                ),
                None,
            )
            changed = _changed_arguments(call, old_sig, at_hi)
            message = (
                f"`{call.cls}` is deprecated since {ST} {short(since)}: it is `{new}` under an old "
                f"name (constructing it warns)."
            )
            fix = None
            if call.method != "__init__":
                message += f" `{call.method}()` is called on it here: move to `{new}` by hand."
            elif changed:
                message += f" This call does not mean what it meant before {short(since)}: {changed}; rewrite it by hand."
            elif (
                lo >= since
                and call.import_span is not None
                and call.only_calls
                and _count(document, call) == 1
            ):
                message += f" Use `{new}`: the same class."
                fix = Fix(
                    Applicability.SAFE,
                    f"Use `{new}`",
                    (ReplaceSource(call.import_span, new), ReplaceSource(call.span, new)),
                )
            else:
                message += f" Use `{new}`."
            yield Finding(self.code, message, Severity.WARNING, document.path, call.span, None, fix)


def _count(document: SourceFile, call: ApiCall) -> int:
    return sum(
        c.cls == call.cls and c.method == "__init__" for c in getattr(document, "api_calls", ())
    )


def _changed_arguments(call: ApiCall, old: dict[str, Any] | None, new: dict[str, Any]) -> str:
    """Why the arguments given do not mean the same to the replacement as to the class's last
    own release (a positional argument that now binds another parameter, or none; a keyword it
    no longer takes); "" when they all do."""
    if call.unpacked:
        return "its arguments are unpacked, so they cannot be compared"
    if old is None:
        return ""
    reasons = []
    old_order, new_order = _positional(old), _positional(new)
    for i in range(sum(a.keyword is None for a in call.arguments)):
        was = old_order[i] if i < len(old_order) else None
        now = new_order[i] if i < len(new_order) else None
        if was != now:
            reasons.append(
                f"positional argument {i + 1} was `{was}`, is `{now or 'refused (keyword-only)'}`"
            )
    for arg in call.arguments:
        if arg.keyword and not _takes(new, arg.keyword):
            reasons.append(f"`{arg.keyword}=` is not a parameter of it")
    return "; ".join(reasons)


@register
class RenamedMethod(Kind):
    """A model method that a release renamed (`get_sentence_embedding_dimension()` became
    `get_embedding_dimension()` in 5.4), called on an instance the file builds."""

    name = "st-renamed-method"

    def check_document(self, document: SourceFile, ctx: Context) -> Iterator[Finding]:
        data = ctx.knowledge.st
        lo, hi, floor_lo, floor_hi = _ends(data, ctx)
        for call in getattr(document, "api_calls", ()):
            renamed = (data.api(call.cls, floor_hi) or {}).get("renamed_methods", {})
            new = renamed.get(call.method)
            if new is None:
                continue
            since = next(
                v
                for v, info in data.api_history(call.cls)
                if call.method in (info or {}).get("renamed_methods", {})
            )
            fix = None
            if lo >= since:
                how = f"Call `{new}()`: the same method."
                fix = Fix(Applicability.SAFE, f"Call `{new}`", (ReplaceSource(call.span, new),))
            else:
                how = f"To fix it, raise your floor to {ST}>={short(since)} to call `{new}()`."
            message = f"`{call.cls}.{call.method}()` is deprecated since {ST} {short(since)} (renamed `{new}()`). {how}"
            yield Finding(self.code, message, Severity.WARNING, document.path, call.span, None, fix)
