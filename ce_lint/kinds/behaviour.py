"""Behaviour changes (codes CE6xx, severity info): defaults whose meaning changed.

A Site that relies on a default gets a notice only when it shows the era it was written
for: it uses a field or a value that was removed (or renamed away) before the change, or the
user names the era with `--from transformers==4.44`. A Site written with current names
only gets no notice. Info findings never make the exit code 1.

The fix pins the old behaviour (e.g. `report_to: all`). It is offered, as an unsafe fix,
only when the era is named with --from: an inferred era is a guess, and pinning a default
the author may not care about should be a deliberate choice.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from packaging.version import Version

from ..findings import (
    AbstractEdit,
    AddEntry,
    Applicability,
    Finding,
    Fix,
    Rewrite,
    Severity,
    Template,
)
from ..knowledge import SENTENCE_TRANSFORMERS, TRANSFORMERS
from ..model import UNKNOWN, Entry, Site
from .base import Context, Kind, register
from .support import complete, label, set_entries, setting, short, show


@dataclass(frozen=True)
class Era:
    """What a Site says about the release it was written for."""

    before: Version  # written for a release before this one (exclusive)
    evidence: str  # why we think so, for the message
    named: bool  # given with --from
    entry: Entry | None = None  # the entry that shows the era (where a notice sits)

    def predates(self, change: Version) -> bool:
        return self.before <= change


# Every behaviour rule asks for the era of the same Site: computed once per Site and library.
_ERAS: weakref.WeakKeyDictionary[Site, dict[str, Era | None]] = weakref.WeakKeyDictionary()


def era_of(site: Site, ctx: Context, library: str) -> Era | None:
    known = _ERAS.setdefault(site, {})
    if library not in known:
        known[library] = _era_of(site, ctx, library)
    return known[library]


def _era_of(site: Site, ctx: Context, library: str) -> Era | None:
    named = ctx.era.get(library)
    if named is not None:
        hi = named.hi
        # --from transformers==4.44 means "written for 4.44": before the next release.
        return Era(
            _next(ctx, library, hi), f"you named {label(library)} {short(hi)} with --from", True
        )
    kn = ctx.knowledge
    best: tuple[Version, str, Entry] | None = None
    newest_first: Version | None = None
    for entry in set_entries(site):
        info = kn.field(entry.key, site.cls)
        if info is None or info.library != library:
            continue
        if newest_first is None or info.first > newest_first:
            newest_first = info.first
        if info.removed_in is not None:
            bound = (
                info.removed_in,
                f"it sets `{entry.key}`, which {label(library)} {short(info.removed_in)} removed",
                entry,
            )
            best = bound if best is None or bound[0] < best[0] else best
        removed = ctx.index.removed_value(site, entry.key, entry.value.py, ctx)
        if removed is not None:
            bound = (
                removed,
                f"it sets `{entry.key}: {show(entry.value.py)}`, a value {label(library)} {short(removed)} removed",
                entry,
            )
            best = bound if best is None or bound[0] < best[0] else best
    if best is None:
        return (
            _era_through_transformers(site, ctx, newest_first) if library != TRANSFORMERS else None
        )
    if newest_first is not None and newest_first >= best[0]:
        return None  # it also uses a field newer than that: the evidence contradicts itself
    return Era(best[0], best[1], False, best[2])


def _era_through_transformers(site: Site, ctx: Context, newest_first: Version | None) -> Era | None:
    """The sentence-transformers era that the transformers era implies: written for a
    transformers release that newer sentence-transformers releases no longer install beside."""
    tf_era = era_of(site, ctx, TRANSFORMERS)
    if tf_era is None:
        return None
    kn = ctx.knowledge
    older = [v for v in kn.tf.versions if v < tf_era.before]
    if not older:
        return None
    beside = [
        v for v in kn.st.versions if (r := kn.st_requires(v)) is None or r.contains(older[-1])
    ]
    later = [v for v in kn.st.versions if beside and v > beside[-1]]
    if not later or (newest_first is not None and newest_first >= later[0]):
        return None
    evidence = (
        f"{tf_era.evidence}; sentence-transformers {short(later[0])} and later need a newer "
        "transformers"
    )
    return Era(later[0], evidence, tf_era.named, tf_era.entry)


def _next(ctx: Context, library: str, version: Version) -> Version:
    versions = ctx.knowledge.library(library).versions
    later = [v for v in versions if v > version]
    return later[0] if later else Version(f"{version.major}.{version.minor + 1}")


class BehaviourKind(Kind):
    """Common frame: the Site must be whole (a missing key means the default), show an era
    before `changed_in`, and the target must be at or after it."""

    required = ("changed_in",)
    optional = ("library",)
    version_params = ("changed_in",)

    def check(self, site: Site, ctx: Context) -> Iterator[Finding]:
        if not complete(site):
            return
        library = (
            SENTENCE_TRANSFORMERS
            if self.params.get("library") == "sentence-transformers"
            else TRANSFORMERS
        )
        change = self.releases["changed_in"]
        if ctx.targets.of(library).hi < change:
            return
        era = era_of(site, ctx, library)
        if era is None or not era.predates(change):
            return
        yield from self.notice(site, ctx, era, f"{label(library)} {short(change)}")

    def notice(self, site: Site, ctx: Context, era: Era, since: str) -> Iterator[Finding]:
        raise NotImplementedError

    def pin(self, era: Era, message: str, *edits: AbstractEdit) -> Fix | None:
        if not era.named:
            return None
        return Fix(Applicability.UNSAFE, message, edits)


def anchor(site: Site, era: Era) -> Any:
    """Where a notice about a missing key sits: the entry that shows the era, else the
    Site's first entry."""
    if era.entry is not None:
        return era.entry.key_span
    entries = set_entries(site)
    return entries[0].key_span if entries else site.span


@register
class DefaultChanged(BehaviourKind):
    """A field left at its default, whose default changed.

    params: field, changed_in, library, pin (the old default to write), pin_from (write the
    value of this other field instead, e.g. run_name from output_dir), old, new (what the
    default did before and does now), skip_when ({field: [values]} that make the change moot),
    needs_one_of ({field: any}: the change matters only when one of them is set)
    """

    name = "default-changed"
    required = ("field", "changed_in", "old", "new")
    optional = ("library", "pin", "pin_from", "skip_when", "needs_one_of")

    def notice(self, site: Site, ctx: Context, era: Era, since: str) -> Iterator[Finding]:
        field = self.params["field"]
        if setting(site, field) is not None:
            return
        needs = self.params.get("needs_one_of") or {}
        if needs and not any(setting(site, other) is not None for other in needs):
            return
        for other, values in (self.params.get("skip_when") or {}).items():
            entry = setting(site, other)
            if entry is not None and (not entry.value.known or entry.value.py in values):
                return
        pin = self._pin_value(site)
        old, new = " ".join(self.params["old"].split()), " ".join(self.params["new"].split())
        keep = (
            f" To keep the old behaviour, set `{field}: {show(pin)}`."
            if pin not in (None, UNKNOWN)
            else ""
        )
        if isinstance(pin, Template):
            keep = f" To keep the old behaviour, set `{field}` to the output directory."
        message = (
            f"This arguments object leaves `{field}` unset and looks older than {since} ({era.evidence}). "
            f"Then it meant {old}; since {since} it means {new}.{keep}"
        )
        fix = None
        if pin is not None and pin is not UNKNOWN:
            fix = self.pin(era, f"Pin `{field}` to its old default", AddEntry(site, field, pin))
        yield self.finding(site, anchor(site, era), message, Severity.INFO, fix, (field,))

    def _pin_value(self, site: Site) -> Any:
        source = self.params.get("pin_from")
        if source:
            entry = setting(site, source)
            if entry is None:
                return UNKNOWN
            if entry.value.known:
                return entry.value.py if isinstance(entry.value.py, str) else UNKNOWN
            return Template((entry.value,))
        return self.params.get("pin")


@register
class FsdpVersionDefault(BehaviourKind):
    """FSDP without a `version` in fsdp_config: FSDP1 before 5.10, FSDP2 from then."""

    name = "fsdp-version-default"

    def notice(self, site: Site, ctx: Context, era: Era, since: str) -> Iterator[Finding]:
        fsdp = setting(site, "fsdp")
        if fsdp is None or not fsdp.value.known or not fsdp.value.py:
            return
        config = setting(site, "fsdp_config")
        if config is not None and (
            not config.value.known or not isinstance(config.value.py, (dict, type(None)))
        ):
            return
        data = config.value.py if config is not None else None
        if isinstance(data, dict) and ("version" in data or "fsdp_version" in data):
            return
        message = (
            f"FSDP is on without a `version` in `fsdp_config`, and this arguments object looks older than "
            f"{since} ({era.evidence}). Then it ran FSDP1; since {since} the default is FSDP2, which "
            "shards, saves and offloads differently. To keep FSDP1 (deprecated), set `version: 1` in "
            "`fsdp_config`."
        )
        if config is None or data is None:
            edits: tuple[AbstractEdit, ...] = (
                (Rewrite(config, "fsdp_config", {"version": 1}),) if config is not None
                else (AddEntry(site, "fsdp_config", {"version": 1}, after=fsdp),)
            )  # fmt: skip
        elif config.value.entries is not None:
            edits = (AddEntry(config.value, "version", 1),)
        else:
            edits = ()
        fix = self.pin(era, "Pin FSDP1 (`version: 1`)", *edits) if edits else None
        yield self.finding(
            site, fsdp.key_span, message, Severity.INFO, fix, ("fsdp", "fsdp_config")
        )


@register
class WarmupFraction(BehaviourKind):
    """warmup_steps below 1: about one step before transformers 5, a ratio from 5.0."""

    name = "warmup-fraction"
    required = ("changed_in", "fraction_refused_since")
    version_params = ("changed_in", "fraction_refused_since")

    def notice(self, site: Site, ctx: Context, era: Era, since: str) -> Iterator[Finding]:
        entry = setting(site, "warmup_steps")
        if entry is None or not isinstance(entry.value.py, float) or not 0 < entry.value.py < 1:
            return
        value = entry.value.py
        message = (
            f"`warmup_steps: {show(value)}` is read as a ratio since {since}: {value:.0%} of the training "
            f"steps warm up. This arguments object looks older ({era.evidence}); then a value below 1 "
            f"meant a single warm-up step (releases from "
            f"{short(self.releases['fraction_refused_since'])} refused it). To keep one step, "
            "write `warmup_steps: 1`."
        )
        fix = self.pin(era, "Warm up for one step, as before", Rewrite(entry, "warmup_steps", 1))
        yield self.finding(site, entry.value.span, message, Severity.INFO, fix, ("warmup_steps",))


@register
class CrossEncoderPromptText(BehaviourKind):
    """A cross-encoder text prompt: before both texts until 5.3, the first text only from 5.4."""

    name = "cross-encoder-prompt-text"

    def notice(self, site: Site, ctx: Context, era: Era, since: str) -> Iterator[Finding]:
        if site.cls != "CrossEncoderTrainingArguments":
            return
        entry = setting(site, "prompts")
        if entry is None or not isinstance(entry.value.py, str) or entry.value.py.startswith("{"):
            return
        message = (
            f"Since {since} a cross-encoder puts the prompt {show(entry.value.py)} before the first text "
            f"of each pair only; before ({era.evidence}) it went before every text column, the "
            "documents too. There is no setting for the old behaviour; prefix the documents in the "
            "dataset if the model was trained that way."
        )
        yield self.finding(site, entry.key_span, message, Severity.INFO, None, ("prompts",))


@register
class EvaluatorMetricChanged(BehaviourKind):
    """`metric_for_best_model` names an evaluator metric whose computation changed.

    params: changed_in, library, classes (arguments classes whose trainer runs that
    evaluator), evaluator (its name, for the message), change (what changed), metrics (a list
    of {pattern: a regular expression for the metric name without `eval_`, when: in which
    use of the evaluator that metric changed}; the first match decides)
    """

    name = "evaluator-metric-changed"
    required = ("changed_in", "classes", "evaluator", "change", "metrics")
    optional = ("library",)

    def setup(self) -> None:
        self.metrics = [
            (re.compile(str(m["pattern"])), str(m["when"])) for m in self.params["metrics"]
        ]

    def notice(self, site: Site, ctx: Context, era: Era, since: str) -> Iterator[Finding]:
        if site.cls not in self.params["classes"]:
            return
        entry = setting(site, "metric_for_best_model")
        if entry is None or not isinstance(entry.value.py, str):
            return
        metric = entry.value.py.removeprefix("eval_")
        when = next((w for pattern, w in self.metrics if pattern.search(metric)), None)
        if when is None:
            return
        change, when = " ".join(self.params["change"].split()), " ".join(when.split())
        message = (
            f"`metric_for_best_model: {show(entry.value.py)}` names a metric of "
            f"{self.params['evaluator']}. Since {since} it {change}; this metric changed {when}. "
            "Where it did, the same model scores lower than before, so scores, thresholds and "
            f"the best checkpoint are not comparable with earlier runs. This arguments object "
            f"looks older ({era.evidence})."
        )
        yield self.finding(
            site, entry.value.span, message, Severity.INFO, None, ("metric_for_best_model",)
        )
