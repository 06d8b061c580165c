"""The legacy training API of sentence-transformers: `model.fit(...)`.

`CrossEncoder.fit` and `SentenceTransformer.fit` still run, as thin wrappers that build a
Trainer (since sentence-transformers 4.0 and 3.0); these rules say what each argument becomes
with the Trainer, and where the wrapper fails or does less than the old loop. What each release
does is version knowledge (`fit` in sentence_transformers.json, from the wheels and tiny-model
runs of each release).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..findings import Applicability, Finding, Fix, Severity
from ..knowledge import SENTENCE_TRANSFORMERS, TRANSFORMERS, FitFacts
from ..model import UNKNOWN, FitArgument, FitCall, SourceFile
from . import fit_codemod
from .base import Context, Kind, register
from .support import short

ST = "sentence-transformers"


def _facts(call: FitCall, ctx: Context) -> tuple[FitFacts | None, dict[str, FitArgument]]:
    """The model's fit facts and the call's arguments by parameter name (positional ones
    named by the signature of the newest release the target allows)."""
    data = ctx.knowledge.library(SENTENCE_TRANSFORMERS)
    facts = data.fit_facts(call.model)
    if facts is None:
        return None, {}
    names = facts.parameters_at(data.floor(ctx.targets.of(SENTENCE_TRANSFORMERS).hi))
    by_name = {}
    for argument in call.arguments:
        name = argument.name
        if name.startswith("#"):
            index = int(name[1:])
            if index >= len(names):
                continue
            name = names[index]
        by_name[name] = argument
    return facts, by_name


def _shown(document: SourceFile) -> list[FitCall]:
    """The fit calls whose model class the file shows (errors and warnings need it)."""
    return [call for call in document.fit_calls if not call.assumed]


def _written(argument: FitArgument) -> str:
    return repr(argument.literal) if argument.literal is not UNKNOWN else argument.source


@register
class LegacyFit(Kind):
    """Every `fit` call: what its arguments (and the defaults that matter) become with the
    Trainer, as a notice; an unsafe fix rewrites it into a Trainer setup where every argument
    carries over exactly (kinds/fit_codemod.py), else the notice says why not.

    params:
      equivalents: {fit parameter: what it becomes; `{value}` stands for the argument}
      defaults: {fit parameter: its Trainer setting} for fit's defaults the Trainer does not
        share, named when the call leaves them
      scheduler_names: {fit scheduler name: lr_scheduler_type}
    """

    name = "legacy-fit"
    required = ("equivalents",)
    optional = ("defaults", "scheduler_names")

    def check_document(self, document: SourceFile, ctx: Context) -> Iterator[Finding]:
        target = ctx.targets.of(SENTENCE_TRANSFORMERS)
        equivalents: dict[str, str] = self.params["equivalents"]
        schedulers: dict[str, str] = self.params.get("scheduler_names", {})
        for call in document.fit_calls:
            facts, given = _facts(call, ctx)
            if facts is None or (facts.removed_in and target.hi >= facts.removed_in):
                continue  # gone at the target: another rule's error
            parts = []
            for name, argument in given.items():
                text = equivalents.get(name)
                if text is None or argument.literal is None:
                    continue  # `output_path=None` and the like leave the setting unset
                value = _written(argument)
                if name == "scheduler" and argument.literal in schedulers:
                    value = repr(schedulers[argument.literal])
                parts.append(f"{name} -> {text.replace('{value}', value)}")
            left = [
                f"{name}={facts.defaults[name]!r} -> {text.replace('{value}', repr(facts.defaults[name]))}"
                for name, text in self.params.get("defaults", {}).items()
                if name not in given and name in facts.defaults
            ]
            trainer = f"{call.model}Trainer"
            via = f" (through {call.through}, which calls it)" if call.through else ""
            if call.assumed:
                via = " (a model known by fit's keywords alone: the file does not show its class)"
            message = (
                f"`{call.model}.fit`{via} is the legacy training API (from {ST} "
                f"{short(facts.trainer_since)} it builds a {trainer} underneath): train with "
                f"{call.model}TrainingArguments and {trainer}."
            )
            if parts:
                message += " Its arguments become: " + "; ".join(parts) + "."
            if left:
                message += (
                    f" Left at fit's own defaults, which the Trainer does not share: "
                    f"{'; '.join(left)}."
                )
            if call.unpacked:
                message += " (`*`/`**` arguments hide some.)"
            fix = None
            try:
                codemod = self._codemod(call, given, facts, ctx)
            except fit_codemod.Refused as refused:
                message += f" No automatic rewrite: {refused}."
            else:
                differs = "; ".join(codemod.notes)
                fix = Fix(
                    Applicability.UNSAFE,
                    f"Train with {call.model}TrainingArguments and {trainer}"
                    + (f" ({differs})" if differs else ""),
                    codemod.edits,
                )
            yield Finding(self.code, message, Severity.INFO, document.path, call.span, None, fix)

    def _codemod(
        self, call: FitCall, given: dict[str, FitArgument], facts: FitFacts, ctx: Context
    ) -> fit_codemod.Codemod:
        tf = ctx.knowledge.tf
        lo = tf.floor(ctx.targets.of(TRANSFORMERS).lo)
        report_to = tf.fields.get("report_to")
        output_dir = tf.fields.get("output_dir")
        targeted = fit_codemod.Targeted(
            oldest=ctx.targets.of(SENTENCE_TRANSFORMERS).lo,
            save_best="best" in (tf.enum_values("SaveStrategy", lo) or []),
            report_to_default_none=report_to is not None and report_to.default_at(lo) == "'none'",
            output_dir_required=output_dir is None or output_dir.default_at(lo) is None,
        )
        return fit_codemod.plan(
            call, given, facts, targeted, self.params.get("scheduler_names", {})
        )


@register
class FitSchedulerObject(Kind):
    """`CrossEncoder.fit(scheduler=<an object>)`: the wrapper reads only a scheduler's name and
    raises UnboundLocalError for an object (confirmed by running it, 4.0 to 6.3)."""

    name = "fit-scheduler-object"

    def check_document(self, document: SourceFile, ctx: Context) -> Iterator[Finding]:
        target = ctx.targets.of(SENTENCE_TRANSFORMERS)
        for call in _shown(document):
            facts, given = _facts(call, ctx)
            scheduler = given.get("scheduler")
            if facts is None or scheduler is None or facts.scheduler_object_raises is None:
                continue
            if scheduler.literal is not UNKNOWN or not scheduler.built:
                continue  # a name (text), or a variable that may hold one
            since, until = facts.scheduler_object_raises
            if target.hi < since or (until is not None and target.lo >= until):
                continue
            message = (
                f"`{call.model}.fit` gets a scheduler object ({scheduler.source}); from {ST} "
                f"{short(since)} it takes only a scheduler's name and raises UnboundLocalError for "
                "an object. Train with the Trainer and pass the scheduler in "
                "`optimizers=(optimizer, scheduler)`, or give `fit` a name such as 'WarmupLinear'."
            )
            yield Finding(self.code, message, Severity.ERROR, document.path, call.span, None, None)


@register
class FitOutputUnsaved(Kind):
    """`CrossEncoder.fit(evaluator=..., output_path=...)` with evaluation_steps 0: the 3.x loop
    saved the best model to output_path after each epoch and called `callback`; the wrapper of
    4.0 to 6.2 does neither (confirmed by running it on a tiny model)."""

    name = "fit-output-unsaved"

    def check_document(self, document: SourceFile, ctx: Context) -> Iterator[Finding]:
        target = ctx.targets.of(SENTENCE_TRANSFORMERS)
        for call in _shown(document):
            facts, given = _facts(call, ctx)
            if facts is None or facts.evaluator_output_unsaved is None:
                continue
            if call.unpacked or any(
                name not in given or given[name].literal is None
                for name in ("evaluator", "output_path")
            ):
                continue  # no evaluator, or nothing to save to
            steps: Any = given["evaluation_steps"].literal if "evaluation_steps" in given else 0
            if steps not in (0, None):
                continue
            since, until = facts.evaluator_output_unsaved
            if target.hi < since or (until is not None and target.lo >= until):
                continue
            fixed = f"; {ST} {short(until)} fixed it" if until is not None else ""
            callback = " and never calls `callback`" if "callback" in given else ""
            message = (
                f"With an evaluator, an output_path and evaluation_steps 0, `{call.model}.fit` "
                f"of {ST} {short(since)} and later never saves the model to output_path"
                f"{callback} (the old loop saved the best model after each epoch){fixed}. Save "
                "it yourself after `fit` (`model.save_pretrained(path)`), or train with the "
                "Trainer (`load_best_model_at_end=True`)."
            )
            yield Finding(
                self.code, message, Severity.WARNING, document.path, call.span, None, None
            )


@register
class FitRemoved(Kind):
    """A model whose `fit` a release removed (SparseEncoder's, in 5.4)."""

    name = "fit-removed"

    def check_document(self, document: SourceFile, ctx: Context) -> Iterator[Finding]:
        target = ctx.targets.of(SENTENCE_TRANSFORMERS)
        for call in _shown(document):
            facts, _ = _facts(call, ctx)
            if facts is None or facts.removed_in is None or target.hi < facts.removed_in:
                continue
            message = (
                f"`{call.model}` has no `fit` from {ST} {short(facts.removed_in)}: the call "
                f"raises AttributeError. Train with {call.model}TrainingArguments and "
                f"{call.model}Trainer."
            )
            yield Finding(self.code, message, Severity.ERROR, document.path, call.span, None, None)
