"""Cross-field kinds (codes CE3xx): what __post_init__ (and the Trainer) check across fields.

Each kind is one check of the catalogue (shared/research: post_init_checks of 4.46 and
5.x), judged at the newest release the target allows and at its floor. A field that is
not written counts with its default (from the knowledge's default history) only when the
Site is a whole arguments object. A value another rule reports as invalid is not judged
here, so one mistake gives one finding and the other fields are still checked.
A finding sits on one of the lines involved and names every field involved.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from packaging.version import Version

from ..findings import AddEntry, Applicability, Finding, Fix, Remove, Rewrite, Severity
from ..knowledge import TRANSFORMERS
from ..model import UNKNOWN, Entry, Site
from .base import Context, Kind, ReleaseRange, register, release
from .support import effective, judged_versions, number, post_init_runs, setting, short, show

STRATEGIES = ("no", "steps", "epoch", "best")


def strategy(site: Site, field: str, ctx: Context) -> tuple[Any, Entry | None]:
    """A strategy's value, UNKNOWN when it is not a valid strategy (another rule says so).

    The eval strategy may still be written under its old name (CE101 renames it).
    """
    if field == "eval_strategy":
        old = setting(site, "evaluation_strategy")
        if old is not None:
            value = old.value.py
            return (value if value in STRATEGIES else UNKNOWN), old
    value, entry = effective(site, field, ctx)
    return (value if value in STRATEGIES else UNKNOWN), entry


def truthy(site: Site, field: str, ctx: Context) -> tuple[bool | None, Entry | None]:
    value, entry = effective(site, field, ctx)
    if value is UNKNOWN:
        return None, entry
    if isinstance(value, str):
        return None, entry  # text in a boolean field is CE211's business
    return bool(value), entry


def tf_versions(ctx: Context, releases: ReleaseRange) -> list[Version]:
    """Judged transformers releases within the rule's range."""
    return [v for v in judged_versions(ctx, TRANSFORMERS) if v in releases]


def where(version: Version, ctx: Context) -> str:
    newest = judged_versions(ctx, TRANSFORMERS)[0]
    text = f"transformers {short(version)}"
    return text if version == newest else f"{text} (the oldest release your target allows)"


def first_entry(*entries: Entry | None) -> Entry | None:
    return next((e for e in entries if e is not None), None)


class CrossFieldKind(Kind):
    """Common frame: only Sites whose values go through __post_init__ are judged."""

    optional = ("since", "until")

    def setup(self) -> None:
        self.range = ReleaseRange.of(self.params)

    def check(self, site: Site, ctx: Context) -> Iterator[Finding]:
        if not post_init_runs(site):
            return
        versions = tf_versions(ctx, self.range)
        if versions:
            yield from self.judge(site, ctx, versions)

    def judge(self, site: Site, ctx: Context, versions: list[Version]) -> Iterator[Finding]:
        raise NotImplementedError


@register
class BestModelStrategies(CrossFieldKind):
    """load_best_model_at_end needs the same eval and save strategy (save `best` exempt)."""

    name = "best-model-strategies"
    optional = ("since", "until", "best_exempt_since")
    version_params = ("best_exempt_since",)

    def judge(self, site: Site, ctx: Context, versions: list[Version]) -> Iterator[Finding]:
        best, best_entry = truthy(site, "load_best_model_at_end", ctx)
        if not best or best_entry is None:
            return
        evaluation, eval_entry = strategy(site, "eval_strategy", ctx)
        save, save_entry = strategy(site, "save_strategy", ctx)
        if UNKNOWN in (evaluation, save) or evaluation == save:
            return
        exempt = self.releases.get("best_exempt_since")
        failing = [v for v in versions if not (save == "best" and exempt and v >= exempt)]
        if not failing:
            return
        version = failing[0]
        shown = lambda e, name: f"`{name}` {'is' if e else 'defaults to'}"  # noqa: E731
        message = (
            f"`load_best_model_at_end` needs the evaluation and save strategies to match, but "
            f"{shown(eval_entry, 'eval_strategy')} {show(evaluation)} and {shown(save_entry, 'save_strategy')} "
            f"{show(save)}; {where(version, ctx)} raises ValueError. Save when you evaluate "
            f"(`save_strategy: {evaluation}`)."
        )
        fix = None
        if evaluation in ("steps", "epoch"):
            edit = (
                Rewrite(save_entry, save_entry.key, evaluation)
                if save_entry is not None
                else AddEntry(site, "save_strategy", evaluation, after=eval_entry or best_entry)
            )
            fix = Fix(Applicability.UNSAFE, f"Save with the eval strategy ({evaluation})", (edit,))
        fields = ("load_best_model_at_end", "eval_strategy", "save_strategy")
        yield self.finding(site, best_entry.key_span, message, Severity.ERROR, fix, fields)


def eval_steps(site: Site, ctx: Context) -> tuple[Any, Entry | None]:
    """eval_steps as __post_init__ leaves it: unset or 0 falls back to logging_steps."""
    value, entry = effective(site, "eval_steps", ctx)
    if value in (None, 0) and value is not UNKNOWN:
        logging, logging_entry = effective(site, "logging_steps", ctx)
        return logging, logging_entry
    return value, entry


@register
class SaveStepsMultiple(CrossFieldKind):
    """With load_best_model_at_end and steps evaluation, save_steps must be a multiple of
    eval_steps (ratios below 1 and whole numbers cannot be mixed)."""

    name = "save-steps-multiple"
    optional = ("since", "until", "best_exempt_since", "ratio_fix_since")
    version_params = ("best_exempt_since", "ratio_fix_since")

    def judge(self, site: Site, ctx: Context, versions: list[Version]) -> Iterator[Finding]:
        best, best_entry = truthy(site, "load_best_model_at_end", ctx)
        evaluation, _ = strategy(site, "eval_strategy", ctx)
        save_strategy, _ = strategy(site, "save_strategy", ctx)
        if not best or best_entry is None or evaluation != "steps":
            return
        save, save_entry = effective(site, "save_steps", ctx)
        evaluate, eval_entry = eval_steps(site, ctx)
        s, e = number(save), number(evaluate)
        if s is None or e is None or e == 0 or s % e == 0:
            return
        exempt = self.releases.get("best_exempt_since")
        fixed = self.releases.get("ratio_fix_since")
        for version in versions:
            if save_strategy == "best" and exempt and version >= exempt:
                continue
            if e < 1 or s < 1:
                if not (e < 1 and s < 1):
                    reason = "a ratio (below 1) and a whole number of steps cannot be kept in step"
                elif (fixed is None or version >= fixed) and (s * 1_000_000) % (e * 1_000_000) == 0:
                    continue
                else:
                    reason = f"{show(save)} is not a multiple of {show(evaluate)}"
            else:
                reason = f"{show(save)} is not a round multiple of {show(evaluate)}"
            eval_name = eval_entry.key if eval_entry is not None else "eval_steps"
            message = (
                f"`load_best_model_at_end` needs `save_steps` to be a multiple of `{eval_name}` so a "
                f"checkpoint exists for every evaluation, but {reason}; {where(version, ctx)} raises "
                "ValueError."
            )
            fix = None
            if save_entry is not None and s >= 1 and e >= 1 and float(e).is_integer():
                rounded = int(math.ceil(s / e) * e)
                fix = Fix(
                    Applicability.UNSAFE,
                    f"Save every {rounded} steps",
                    (Rewrite(save_entry, "save_steps", rounded),),
                )
            anchor = first_entry(save_entry, eval_entry, best_entry)
            assert anchor is not None
            fields = ("load_best_model_at_end", "save_steps", eval_name)
            yield self.finding(site, anchor.key_span, message, Severity.ERROR, fix, fields)
            return


@register
class EvalStepsMissing(CrossFieldKind):
    """eval_strategy steps needs eval_steps, or logging_steps above 0 to fall back on."""

    name = "eval-steps-missing"

    def judge(self, site: Site, ctx: Context, versions: list[Version]) -> Iterator[Finding]:
        evaluation, eval_entry = strategy(site, "eval_strategy", ctx)
        if evaluation != "steps" or eval_entry is None:
            return
        steps, _ = effective(site, "eval_steps", ctx)
        if steps is UNKNOWN or steps not in (None, 0):
            return
        logging, logging_entry = effective(site, "logging_steps", ctx)
        if number(logging) is None or number(logging) > 0:
            return
        message = (
            f"`eval_strategy: steps` needs `eval_steps`, or `logging_steps` above 0 to take it from, "
            f"but `logging_steps` is {show(logging)}; {where(versions[0], ctx)} raises ValueError. "
            "Set `eval_steps`."
        )
        fields = (eval_entry.key, "eval_steps", "logging_steps")
        yield self.finding(site, eval_entry.key_span, message, Severity.ERROR, None, fields)


@register
class LoggingStepsZero(CrossFieldKind):
    """logging_strategy steps (the default) with logging_steps 0."""

    name = "logging-steps-zero"

    def judge(self, site: Site, ctx: Context, versions: list[Version]) -> Iterator[Finding]:
        logging, logging_entry = effective(site, "logging_steps", ctx)
        if logging_entry is None or number(logging) != 0:
            return
        mode, mode_entry = strategy(site, "logging_strategy", ctx)
        if mode != "steps":
            return
        told = "is" if mode_entry else "defaults to"
        message = (
            f"`logging_strategy` {told} `steps`, which needs `logging_steps` above 0; "
            f"{where(versions[0], ctx)} raises ValueError. To log less, use `logging_strategy: epoch` "
            "or `no`."
        )
        fields = ("logging_strategy", "logging_steps")
        yield self.finding(site, logging_entry.key_span, message, Severity.ERROR, None, fields)


@register
class StepsWholeNumber(CrossFieldKind):
    """X_steps above 1 must be a whole number when X_strategy is steps (below 1: a ratio)."""

    name = "steps-whole-number"

    def judge(self, site: Site, ctx: Context, versions: list[Version]) -> Iterator[Finding]:
        for kind in ("logging", "eval", "save"):
            steps, entry = effective(site, f"{kind}_steps", ctx)
            value = number(steps)
            if entry is None or value is None or value <= 1 or value.is_integer():
                continue
            mode, _ = strategy(site, f"{kind}_strategy", ctx)
            if mode != "steps":
                continue
            message = (
                f"`{kind}_steps: {show(steps)}` is above 1 but not a whole number; values below 1 "
                f"are ratios of the training steps, values above must count steps. "
                f"{where(versions[0], ctx)} raises ValueError."
            )
            fields = (f"{kind}_strategy", f"{kind}_steps")
            yield self.finding(site, entry.key_span, message, Severity.ERROR, None, fields)


@register
class ExclusiveFlags(CrossFieldKind):
    """Flags that cannot be on together (fp16 and bf16).

    params: pairs: [[a, b], ...]
    """

    name = "exclusive-flags"
    required = ("pairs",)

    def judge(self, site: Site, ctx: Context, versions: list[Version]) -> Iterator[Finding]:
        for a, b in self.params["pairs"]:
            on_a, entry_a = truthy(site, a, ctx)
            on_b, entry_b = truthy(site, b, ctx)
            if not (on_a and on_b) or entry_a is None or entry_b is None:
                continue
            message = (
                f"`{a}` and `{b}` are both on, but only one kind of mixed precision can run; "
                f"{where(versions[0], ctx)} raises ValueError. Keep one (bf16 on GPUs that support "
                "it, fp16 otherwise)."
            )
            yield self.finding(site, entry_b.key_span, message, Severity.ERROR, None, (a, b))


@register
class SchedulerNeedsEvaluation(CrossFieldKind):
    """Schedulers that step on the evaluation metric need an eval strategy.

    params: schedulers: {name: release from which the check exists}
    """

    name = "scheduler-needs-evaluation"
    required = ("schedulers",)

    def setup(self) -> None:
        super().setup()
        self.schedulers = {name: release(v) for name, v in self.params["schedulers"].items()}

    def judge(self, site: Site, ctx: Context, versions: list[Version]) -> Iterator[Finding]:
        scheduler, entry = effective(site, "lr_scheduler_type", ctx)
        since = self.schedulers.get(scheduler) if isinstance(scheduler, str) else None
        if since is None or entry is None:
            return
        evaluation, eval_entry = strategy(site, "eval_strategy", ctx)
        if evaluation != "no":
            return
        applies = [v for v in versions if v >= since]
        if not applies:
            return
        told = "is" if eval_entry is not None else "defaults to"
        message = (
            f"`lr_scheduler_type: {scheduler}` adjusts the learning rate from evaluation results, "
            f"but `eval_strategy` {told} `no`; {where(applies[0], ctx)} raises ValueError. Set "
            "`eval_strategy` (and give the trainer evaluation data)."
        )
        fields = ("lr_scheduler_type", "eval_strategy")
        yield self.finding(site, entry.key_span, message, Severity.ERROR, None, fields)


@register
class PrefetchWithoutWorkers(CrossFieldKind):
    """dataloader_prefetch_factor only works with worker processes."""

    name = "prefetch-without-workers"

    def judge(self, site: Site, ctx: Context, versions: list[Version]) -> Iterator[Finding]:
        factor, entry = effective(site, "dataloader_prefetch_factor", ctx)
        if entry is None or factor is None or factor is UNKNOWN:
            return
        workers, workers_entry = effective(site, "dataloader_num_workers", ctx)
        if number(workers) != 0:
            return
        told = "is" if workers_entry is not None else "defaults to"
        message = (
            f"`dataloader_prefetch_factor` needs worker processes, but `dataloader_num_workers` "
            f"{told} 0; {where(versions[0], ctx)} raises ValueError. Set `dataloader_num_workers` "
            "above 0, or drop the prefetch factor."
        )
        fix = Fix(Applicability.UNSAFE, "Remove `dataloader_prefetch_factor`", (Remove(entry),))
        fields = ("dataloader_prefetch_factor", "dataloader_num_workers")
        yield self.finding(site, entry.key_span, message, Severity.ERROR, fix, fields)


@register
class BestNeedsMetric(CrossFieldKind):
    """save_strategy best needs a metric (load_best_model_at_end or a plateau scheduler set
    `loss` by default)."""

    name = "best-needs-metric"
    optional = ("since", "until", "defaulting_schedulers")

    def judge(self, site: Site, ctx: Context, versions: list[Version]) -> Iterator[Finding]:
        save, save_entry = strategy(site, "save_strategy", ctx)
        if save != "best" or save_entry is None:
            return
        metric, _ = effective(site, "metric_for_best_model", ctx)
        best, _ = truthy(site, "load_best_model_at_end", ctx)
        scheduler, _ = effective(site, "lr_scheduler_type", ctx)
        if metric is not None or best is not False or scheduler is UNKNOWN:
            return
        if scheduler in self.params.get("defaulting_schedulers", []):
            return
        message = (
            "`save_strategy: best` keeps the checkpoint with the best metric, but no "
            "`metric_for_best_model` is set (it defaults to `loss` only with "
            f"`load_best_model_at_end`); the Trainer of {where(versions[0], ctx)} raises ValueError "
            "when it is built. Set `metric_for_best_model`."
        )
        fields = ("save_strategy", "metric_for_best_model")
        yield self.finding(site, save_entry.key_span, message, Severity.ERROR, None, fields)


# ---- FSDP ---------------------------------------------------------------------------------

SHARDING = ("full_shard", "shard_grad_op", "no_shard", "hybrid_shard", "hybrid_shard_zero2")


def fsdp_options(site: Site) -> tuple[list[str] | None, Entry | None]:
    entry = setting(site, "fsdp")
    if entry is None or not entry.value.known:
        return None, entry
    value = entry.value.py
    if isinstance(value, str):
        return value.split(), entry
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return list(value), entry
    return None, entry


def fsdp_config_value(site: Site, key: str) -> tuple[Any, Entry | None]:
    """A key of fsdp_config (also under its `fsdp_` prefix, which 4.x strips)."""
    config = setting(site, "fsdp_config")
    if config is None or not isinstance(config.value.py, dict):
        return None, config
    data = config.value.py
    for name in (key, f"fsdp_{key}"):
        if name in data:
            return data[name], config
    return None, config


@register
class FsdpCombination(CrossFieldKind):
    """FSDP option combinations each release refuses.

    params: legacy_until (release from which offload alone, full_shard with shard_grad_op and
    min_num_params with transformer_layer_cls_to_wrap stop being errors), fsdp1_only_since
    (release from which no_shard/hybrid_shard need fsdp_config version 1)
    """

    name = "fsdp-combination"
    required = ("legacy_until", "fsdp1_only_since")
    version_params = ("legacy_until", "fsdp1_only_since")

    def judge(self, site: Site, ctx: Context, versions: list[Version]) -> Iterator[Finding]:
        options, entry = fsdp_options(site)
        if not options or entry is None:
            return
        legacy_until = self.releases["legacy_until"]
        fsdp1_since = self.releases["fsdp1_only_since"]
        for version in versions:
            found = (
                self._legacy(site, options, entry, version, ctx)
                if version < legacy_until
                else self._fsdp1(site, options, entry, version, ctx)
                if version >= fsdp1_since
                else None
            )
            if found is not None:
                yield found
                return

    def _legacy(
        self, site: Site, options: list[str], entry: Entry, version: Version, ctx: Context
    ) -> Finding | None:
        at = where(version, ctx)
        if options == ["offload"]:
            message = (
                f"`fsdp: offload` cannot work on its own; {at} raises ValueError. Combine it with a "
                "sharding option, e.g. `fsdp: full_shard offload`."
            )
            return self.finding(site, entry.key_span, message, Severity.ERROR, None, ("fsdp",))
        if "full_shard" in options and "shard_grad_op" in options:
            message = (
                f"`fsdp` asks for both `full_shard` and `shard_grad_op`, which exclude each other; "
                f"{at} raises ValueError. Keep one."
            )
            return self.finding(site, entry.key_span, message, Severity.ERROR, None, ("fsdp",))
        threshold, config = fsdp_config_value(site, "min_num_params")
        legacy = setting(site, "fsdp_min_num_params")
        if legacy is not None and isinstance(legacy.value.py, int):
            threshold = max(threshold or 0, legacy.value.py)
        layers, _ = fsdp_config_value(site, "transformer_layer_cls_to_wrap")
        legacy_layers = setting(site, "fsdp_transformer_layer_cls_to_wrap")
        if not layers and legacy_layers is not None:
            layers = legacy_layers.value.py
        if isinstance(threshold, int) and threshold > 0 and layers:
            message = (
                "FSDP wraps layers either by size (`min_num_params`) or by class "
                f"(`transformer_layer_cls_to_wrap`), not both; {at} raises ValueError. Keep one."
            )
            fields = ("fsdp", "fsdp_config")
            anchor = config or entry
            return self.finding(site, anchor.key_span, message, Severity.ERROR, None, fields)
        return None

    def _fsdp1(
        self, site: Site, options: list[str], entry: Entry, version: Version, ctx: Context
    ) -> Finding | None:
        fsdp1 = [o for o in options if o in SHARDING and o not in ("full_shard", "shard_grad_op")]
        if not fsdp1:
            return None
        value, config = fsdp_config_value(site, "version")
        if value is not None and str(value) == "1":
            return None
        message = (
            f"`fsdp: {fsdp1[0]}` exists only in FSDP1, and from transformers "
            f"{short(self.params['fsdp1_only_since'])} `fsdp_config` defaults to version 2; "
            f"{where(version, ctx)} raises ValueError. Set `version: 1` in `fsdp_config` (FSDP1 is "
            "deprecated), or move to `full_shard`."
        )
        fix = None
        if config is None:
            fix = Fix(
                Applicability.UNSAFE,
                "Add `fsdp_config: {version: 1}`",
                (AddEntry(site, "fsdp_config", {"version": 1}, after=entry),),
            )
        elif config.value.entries is not None:
            existing = next(
                (e for e in config.value.entries if e.key in ("version", "fsdp_version")), None
            )
            edit = (
                Rewrite(existing, existing.key, 1)
                if existing is not None
                else AddEntry(config.value, "version", 1)
            )
            fix = Fix(Applicability.UNSAFE, "Set `version: 1` in `fsdp_config`", (edit,))
        fields = ("fsdp", "fsdp_config")
        return self.finding(site, entry.key_span, message, Severity.ERROR, fix, fields)
