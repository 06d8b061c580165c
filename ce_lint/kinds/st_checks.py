"""sentence-transformers checks that a Site shows statically (codes CE220, CE31x).

Cross-encoder prompts per column, the group_by_label batch-size rule per release, and
evaluation requested without anything to evaluate (visible in scripts, where the trainer
call is: the Python adapter records it as the Site's `trainer`).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding, Severity
from ..knowledge import SENTENCE_TRANSFORMERS, TRANSFORMERS
from ..model import UNKNOWN, Site
from .base import Context, Kind, ReleaseRange, register
from .support import effective, judged_versions, setting, short, show

CROSS_ENCODER = "CrossEncoderTrainingArguments"


@register
class CrossEncoderPrompts(Kind):
    """prompts / router_mapping of a cross-encoder given as a mapping (5.4+ semantics).

    params: fields, since (the sentence-transformers release that changed the meaning)
    """

    name = "cross-encoder-prompts"
    required = ("fields", "since")
    version_params = ("since",)

    def check(self, site: Site, ctx: Context) -> Iterator[Finding]:
        if site.cls != CROSS_ENCODER:
            return
        since = self.releases["since"]
        version = judged_versions(ctx, SENTENCE_TRANSFORMERS)[0]
        if version < since:
            return
        for name in self.params["fields"]:
            entry = setting(site, name)
            if entry is None or not isinstance(entry.value.py, dict) or not entry.value.py:
                continue
            value = entry.value.py
            nested = [k for k, v in value.items() if isinstance(v, dict)]
            lib = f"sentence-transformers {short(version)}"
            if nested:
                message = (
                    f"`{name}` maps `{nested[0]}` to a mapping of columns; {lib} refuses per-column "
                    f"{name} for cross-encoders (ValueError when the trainer is built). Give one "
                    "text per dataset instead."
                )
                yield self.finding(site, entry.key_span, message, Severity.ERROR, None, (name,))
                continue
            if name != "prompts":
                continue
            keys = ", ".join(f"`{k}`" for k in list(value)[:3])
            message = (
                f"`prompts` is a mapping ({keys}); since {short(since)} a cross-encoder reads its keys as "
                "dataset names of a DatasetDict and ignores it otherwise, so per-column prompts no "
                "longer apply (and a prompt now goes before the first text of each pair only). "
                "If these are dataset names, ignore this; for one prompt, write it as text."
            )
            yield self.finding(site, entry.key_span, message, Severity.WARNING, None, (name,))


@register
class GroupByLabelBatchSize(Kind):
    """group_by_label needs an even batch size (and at least 4 from sentence-transformers 5.3).

    params: rules: list of {since, until, even, min}
    """

    name = "group-by-label-batch-size"
    required = ("rules",)

    def setup(self) -> None:
        self.rules = [(rule, ReleaseRange.of(rule)) for rule in self.params["rules"]]

    def check(self, site: Site, ctx: Context) -> Iterator[Finding]:
        sampler, entry = effective(site, "batch_sampler", ctx)
        if sampler != "group_by_label" or entry is None:
            return
        version = judged_versions(ctx, SENTENCE_TRANSFORMERS)[0]
        rule = next((r for r, releases in self.rules if version in releases), None)
        if rule is None:
            return
        eval_strategy, _ = effective(site, "eval_strategy", ctx)
        sizes = ["per_device_train_batch_size"]
        if eval_strategy not in ("no", UNKNOWN, None):
            sizes.append("per_device_eval_batch_size")
        for field in sizes:
            size, size_entry = effective(site, field, ctx)
            if isinstance(size, bool) or not isinstance(size, int):
                continue
            odd = rule.get("even") and size % 2 == 1
            small = size < int(rule.get("min", 0))
            if not (odd or small):
                continue
            need = "an even number" + (f" of at least {rule['min']}" if rule.get("min") else "")
            where = "is" if size_entry is not None else "defaults to"
            message = (
                f"`batch_sampler: group_by_label` needs {need} per batch in sentence-transformers "
                f"{short(version)}, but `{field}` {where} {size}; the sampler raises ValueError when "
                "the dataloader is built."
            )
            span = (size_entry or entry).value.span
            fields = ("batch_sampler", field)
            yield self.finding(site, span, message, Severity.ERROR, None, fields)


# The trainer keywords (and positions) that hold evaluation data.
EVAL_DATA = {
    "Trainer": {"eval_dataset": 4},
    "Seq2SeqTrainer": {"eval_dataset": 4},
    "SentenceTransformerTrainer": {"eval_dataset": 3, "evaluator": 5},
    "CrossEncoderTrainer": {"eval_dataset": 3, "evaluator": 5},
    "SparseEncoderTrainer": {"eval_dataset": 3, "evaluator": 5},
    "MultiVectorEncoderTrainer": {"eval_dataset": 3, "evaluator": 5},
}


@register
class EvaluationWithoutData(Kind):
    """An evaluation strategy other than "no" while the trainer gets no eval data/evaluator."""

    name = "evaluation-without-data"

    def check(self, site: Site, ctx: Context) -> Iterator[Finding]:
        trainer = site.trainer
        if trainer is None or trainer.unpacked:
            return
        slots = EVAL_DATA.get(trainer.cls)
        if slots is None:
            return
        given = trainer.keywords - trainer.none
        positional = trainer.positional
        if any(k in given or positional > i for k, i in slots.items()):
            return
        strategy, entry = effective(site, "eval_strategy", ctx)
        if entry is None:
            strategy, entry = effective(site, "evaluation_strategy", ctx)
        if entry is None or strategy in ("no", None) or not isinstance(strategy, str):
            return
        library = (
            TRANSFORMERS if trainer.cls in ("Trainer", "Seq2SeqTrainer") else SENTENCE_TRANSFORMERS
        )
        needs = " or ".join(f"`{k}`" for k in slots)
        message = (
            f"`eval_strategy: {show(strategy)}` asks for evaluation, but `{trainer.cls}(...)` "
            f"(line {trainer.line}) gets no {needs}; the trainer raises ValueError when it is "
            f"built ({'transformers' if library == TRANSFORMERS else 'sentence-transformers'}). "
            f"Pass {needs}, or set `eval_strategy: no`."
        )
        fields = (entry.key, *slots)
        yield self.finding(site, entry.key_span, message, Severity.ERROR, None, fields)
