"""The codemod of a legacy `model.fit(...)` statement (CrossEncoder's, or SentenceTransformer's
with one objective): a Trainer setup that trains the same way (epochs, batches, learning rate
and schedule, warmup, weight decay, gradient clipping, loss, precision, evaluation and what is
saved where).

It is written only where every argument carries over exactly, as far as the file shows; the
few differences that cannot be avoided (where the evaluator writes its CSV, evaluations every
N steps counted across epochs) are said in the fix message. Anything else: `Refused`, with the
reason, and the report stays without a fix.

What 2.x/3.x's loops did, read in the 2.7.0 and 3.4.1 wheels: AdamW over two parameter groups
(no decay for biases and LayerNorm), a scheduler stepped once per batch over
len(loader) * epochs steps, gradients clipped to max_grad_norm, the best model by the
evaluator's score saved to output_path at each evaluation (every `evaluation_steps` batches of
an epoch, and at each epoch's end); without an evaluator SentenceTransformer.fit saved the
final model there and CrossEncoder.fit nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from packaging.version import Version

from ..findings import ReplaceSource
from ..knowledge import FitCodemodFacts, FitFacts
from ..model import UNKNOWN, FitArgument, FitCall, FitStatement, Span
from .support import short

LOADER_PARAMETERS = ("dataset", "batch_size", "shuffle")  # DataLoader's first positionals
NO_DUPLICATES_PARAMETERS = ("dataset", "batch_size")  # NoDuplicatesDataLoader(train_examples, ..)
LOADER_KEYWORDS = frozenset(
    {"dataset", "batch_size", "shuffle", "drop_last", "num_workers", "pin_memory"}
)
LOADER_DEFAULT_BATCH = 1
SHARED = frozenset(
    {
        "evaluator", "epochs", "scheduler", "warmup_steps", "optimizer_class",
        "optimizer_params", "weight_decay", "evaluation_steps", "output_path",
        "save_best_model", "max_grad_norm", "use_amp", "show_progress_bar", "callback",
    }
)  # fmt: skip
# the parameters each model's fit carries over (or refuses with their own reason)
CARRIED = {
    "CrossEncoder": SHARED | {"train_dataloader", "loss_fct", "activation_fct"},
    "SentenceTransformer": SHARED | {
        "train_objectives", "steps_per_epoch", "checkpoint_path", "checkpoint_save_steps",
        "checkpoint_save_total_limit",
    },
}  # fmt: skip
# optimizer_params keys and the argument each becomes
OPTIMIZER_KEYS = {"lr": "learning_rate", "eps": "adam_epsilon"}
TORCH_ADAMW_LR = 1e-3  # torch.optim.AdamW's own default, where optimizer_params has no lr
FACTORY = "from_input_examples"


class Refused(Exception):
    """Why a fit call gets no codemod (the report says so)."""


@dataclass(frozen=True)
class Targeted:
    """What the target releases allow, read by the rule from the knowledge."""

    oldest: Version  # the oldest sentence-transformers release the target allows
    save_best: bool  # save_strategy "best" exists at the oldest target release
    report_to_default_none: bool  # report_to defaults to "none" at the oldest target release
    output_dir_required: bool  # output_dir has no default at the oldest target release


@dataclass(frozen=True)
class Codemod:
    edits: tuple[ReplaceSource, ...]
    notes: tuple[str, ...]  # what differs, for the fix message


def plan(
    call: FitCall,
    given: dict[str, FitArgument],
    facts: FitFacts,
    targeted: Targeted,
    schedulers: dict[str, str],
) -> Codemod:
    """The codemod of `call` (its arguments by parameter name), or Refused."""
    codemod = facts.codemod
    statement = call.statement
    if codemod is None or call.model not in CARRIED:
        raise Refused(f"no codemod is known for `{call.model}.fit`")
    if targeted.oldest < codemod.since:
        raise Refused(
            f"the target allows sentence-transformers {short(targeted.oldest)}, older than the "
            f"Trainer API ({short(codemod.since)})"
        )
    if statement is None:
        raise Refused("the call is not a statement of its own")
    if call.assumed:
        raise Refused("the object's class is not shown; fit's keywords alone name the model")
    if call.unpacked or call.through:
        raise Refused(
            "`*`/`**` arguments hide some" if call.unpacked else "it is called through a wrapper"
        )
    unknown = sorted(set(given) - CARRIED[call.model])
    if unknown:
        raise Refused(f"{', '.join(unknown)} has no exact Trainer equivalent")
    return _Writer(call, statement, given, facts, codemod, targeted, schedulers).build()


class _Writer:
    def __init__(
        self,
        call: FitCall,
        statement: FitStatement,
        given: dict[str, FitArgument],
        facts: FitFacts,
        codemod: FitCodemodFacts,
        targeted: Targeted,
        schedulers: dict[str, str],
    ):
        self.call = call
        self.st = statement
        self.given = given
        self.facts = facts
        self.codemod = codemod
        self.targeted = targeted
        self.schedulers = {k.lower(): v for k, v in schedulers.items()}
        self.imports: dict[str, list[str]] = {}  # module -> names to import
        self.notes: list[str] = []
        self.taken = set(statement.names)

    # -- helpers ---------------------------------------------------------------------

    def _text(self, value: str) -> str:
        q = self.st.quote
        if q in value or "\\" in value:
            return repr(value)
        return f"{q}{value}{q}"

    def _value(self, name: str) -> Any:
        argument = self.given.get(name)
        return UNKNOWN if argument is None else argument.value

    def _absent_or_none(self, name: str) -> bool:
        argument = self.given.get(name)
        return argument is None or argument.literal is None

    def _import(self, path: str) -> str:
        """The local name of the library object `path`, imported where the file lacks it."""
        module, _, name = path.rpartition(".")
        for local, imported in self.st.imported:
            if imported == path:
                return local
        if name in self.taken:
            raise Refused(f"the file already uses the name `{name}`")
        self.imports.setdefault(module, []).append(name)
        self.taken.add(name)
        return name

    def _model_class(self) -> str:
        for local, imported in self.st.imported:
            if imported in self.codemod.model_paths:
                return local
        return self._import(f"{self.codemod.module}.{self.codemod.model_class}")

    def _fresh(self, name: str) -> str:
        for candidate in (name, f"{name}_fit"):
            if candidate not in self.taken:
                self.taken.add(candidate)
                return candidate
        raise Refused(f"the names `{name}` and `{name}_fit` are both taken")

    # -- the pieces --------------------------------------------------------------------

    def _loader(self, argument: FitArgument | None) -> tuple[str, list[tuple[str, str]]]:
        """The dataset's examples (an expression) and the arguments the loader gives."""
        loader = argument.call if argument is not None else None
        if argument is None or loader is None:
            raise Refused("the training data is not a DataLoader built in this file")
        no_duplicates = loader.path in self.codemod.no_duplicates_loaders
        if not no_duplicates and loader.path not in self.codemod.dataloaders:
            raise Refused("the training data is not a DataLoader built in this file")
        parameters = NO_DUPLICATES_PARAMETERS if no_duplicates else LOADER_PARAMETERS
        if loader.unpacked or len(loader.positional) > len(parameters):
            raise Refused("the DataLoader's arguments are not all shown")

        def named(key: str) -> str:
            name = parameters[int(key[1:])] if key.startswith("#") else key
            return "dataset" if name == "train_examples" else name

        by_name = {named(f"#{i}"): text for i, text in enumerate(loader.positional)}
        by_name.update((named(k), v) for k, v in loader.keywords)
        literals = {named(k): v for k, v in loader.literals}
        steady = {named(k) for k in loader.steady}
        allowed = set(parameters) if no_duplicates else LOADER_KEYWORDS
        extra = sorted(set(by_name) - allowed)
        if extra:
            raise Refused(f"the DataLoader's {', '.join(extra)} has no Trainer equivalent here")
        out = []
        if no_duplicates:  # it shuffles and keeps duplicates out of a batch, as this sampler does
            out.append(("batch_sampler", self._text("no_duplicates")))
            if "batch_size" not in by_name:
                raise Refused("the NoDuplicatesDataLoader's batch size is not shown")
        elif literals.get("shuffle") is not True:
            raise Refused("the DataLoader does not shuffle (shuffle=True), and the Trainer does")
        if "batch_size" not in by_name:
            out.append(("per_device_train_batch_size", str(LOADER_DEFAULT_BATCH)))
        elif isinstance(literals.get("batch_size"), int) or "batch_size" in steady:
            out.append(("per_device_train_batch_size", by_name["batch_size"]))
        elif argument.source.isidentifier():
            out.append(("per_device_train_batch_size", f"{argument.source}.batch_size"))
        else:
            raise Refused("the DataLoader's batch size is not a plain value")
        if "drop_last" in by_name:
            if literals.get("drop_last") is True:
                out.append(("dataloader_drop_last", "True"))
            elif literals.get("drop_last") is not False:
                raise Refused("the DataLoader's drop_last is not True or False")
        if "num_workers" in by_name and literals.get("num_workers") != 0:
            out.append(("dataloader_num_workers", by_name["num_workers"]))
        if "pin_memory" in by_name:  # where batches wait, not what they hold
            out.append(("dataloader_pin_memory", by_name["pin_memory"]))
        if "dataset" in steady:
            examples = by_name["dataset"]
        elif argument.source.isidentifier():
            examples = f"{argument.source}.dataset"
        else:
            raise Refused("the DataLoader's examples are not a plain variable")
        return examples, out

    def _optimizer(self) -> list[tuple[str, str]]:
        out = []
        optimizer = self.given.get("optimizer_class")
        if optimizer is not None and optimizer.path not in self.codemod.optimizers:
            raise Refused("optimizer_class is not torch's AdamW")
        params = self.given.get("optimizer_params")
        if params is None:
            lr = self.facts.defaults.get("optimizer_params", {}).get("lr")
            out.append(("learning_rate", repr(lr)))
        else:
            if params.items is None:
                raise Refused("optimizer_params is not a dict written in the call")
            items = dict(params.items)
            extra = sorted(set(items) - set(OPTIMIZER_KEYS))
            if extra:
                raise Refused(f"optimizer_params' {', '.join(extra)} has no Trainer equivalent")
            out.append(("learning_rate", items.get("lr", repr(TORCH_ADAMW_LR))))
            if "eps" in items:
                out.append(("adam_epsilon", items["eps"]))
        decay = self.given.get("weight_decay")
        default = self.facts.defaults.get("weight_decay")
        out.append(("weight_decay", decay.source if decay is not None else repr(default)))
        return out

    def _schedule(self, given_epochs: list[tuple[str, str]]) -> list[tuple[str, str]]:
        out = list(given_epochs)
        scheduler = self.given.get("scheduler")
        if scheduler is not None:
            name = scheduler.value
            if not isinstance(name, str) or name.lower() not in self.schedulers:
                raise Refused("scheduler is not one of fit's scheduler names")
            kind = self.schedulers[name.lower()]
            if kind != "linear":
                out.append(("lr_scheduler_type", self._text(kind)))
        warmup = self.given.get("warmup_steps")
        if warmup is None:
            out.append(("warmup_steps", repr(self.facts.defaults.get("warmup_steps"))))
        elif warmup.integral:
            out.append(("warmup_steps", warmup.source))
        else:
            # a float is a ratio of the steps for transformers 5, and truncated from 1 up
            raise Refused("warmup_steps is not certainly a whole number")
        clip = self.given.get("max_grad_norm")
        if clip is not None:
            out.append(("max_grad_norm", clip.source))
        return out

    def _precision(self) -> list[tuple[str, str]]:
        out = []
        amp = self.given.get("use_amp")
        if amp is not None and amp.value is not False:
            out.append(("fp16", "True" if amp.value is True else amp.source))
        progress = self.given.get("show_progress_bar")
        if progress is not None and progress.value is not True:
            out.append(
                ("disable_tqdm", "True" if progress.value is False else f"not ({progress.source})")
            )
        return out

    def _loss(self) -> str | None:
        loss = self.given.get("loss_fct")
        activation = self.given.get("activation_fct")
        keeps = activation is None or (
            activation.call is not None
            and activation.call.path in self.codemod.identity
            and not activation.call.positional
            and not activation.call.keywords
        )
        if loss is None or loss.literal is None:
            if keeps:
                return None  # the Trainer's default: the same class for the model's num_labels
            raise Refused("activation_fct with the default loss needs the model's num_labels")
        facts = loss.call
        if facts is None or not loss.built:
            raise Refused("loss_fct is not a torch loss built in the call")
        cls = self.codemod.losses.get(facts.path)
        if cls is None or facts.positional or facts.unpacked:
            raise Refused(
                "loss_fct is not a torch loss that a sentence-transformers loss takes over"
            )
        local = self._import(f"{self.codemod.losses_module}.{cls}")
        args = [self.st.receiver] + [f"{k}={v}" for k, v in facts.keywords]
        if not keeps:
            args.append(f"activation_fn={activation.source}")  # type: ignore[union-attr]
        return f"{local}({', '.join(args)})"

    def _evaluation(self) -> tuple[list[tuple[str, str]], str | None, str | None, str | None]:
        """(arguments, the evaluator expression, where the best model goes, where the final
        model goes)."""
        if self.given.get("callback") is not None:
            raise Refused("callback has no Trainer equivalent that calls it the same way")
        out: list[tuple[str, str]] = []
        output = None if self._absent_or_none("output_path") else self.given["output_path"]
        if output is not None:
            out.append(("output_dir", output.source))
        elif self.targeted.output_dir_required:
            out.append(("output_dir", self._text("trainer_output")))
        if self._absent_or_none("evaluator"):
            out.append(("save_strategy", self._text("no")))
            if output is not None and self.codemod.saves_last_without_evaluator:
                return out, None, None, output.source
            if output is not None:
                self.notes.append(
                    "fit only created the output_path folder; nothing is saved there, as before"
                )
            return out, None, None, None
        evaluator = self.given["evaluator"]
        steps = self._value("evaluation_steps") if "evaluation_steps" in self.given else 0
        if not isinstance(steps, int) or isinstance(steps, bool) or steps < 0:
            raise Refused("evaluation_steps is not a number the file shows")
        if steps == 0:
            strategy = [("eval_strategy", self._text("epoch"))]
        else:
            strategy = [("eval_strategy", self._text("steps")), ("eval_steps", str(steps))]
            self.notes.append(
                f"evaluations run every {steps} steps counted across epochs (fit counted within "
                "each epoch and also evaluated at each epoch's end)"
            )
        out += strategy
        best = self._value("save_best_model") if "save_best_model" in self.given else True
        if not isinstance(best, bool):
            raise Refused("save_best_model is not True or False")
        self.notes.append(
            "the evaluator writes its CSV under output_dir/eval"
            + (" (fit wrote it in output_path)" if output is not None else " (fit wrote none)")
        )
        if output is None or not best:
            out.append(("save_strategy", self._text("no")))
            return out, evaluator.source, None, None
        if not self.targeted.save_best:
            raise Refused('save_strategy="best" does not exist at the target release')
        out += [
            ("save_strategy", self._text("best")),
            ("metric_for_best_model", self._metric(evaluator)),
            ("save_total_limit", "1"),
            ("save_only_model", "True"),
        ]
        self.notes.append(
            "the best model is copied to output_path after training (fit saved it there at each "
            "improvement); its checkpoint folder stays in output_path"
        )
        return out, evaluator.source, output.source, None

    def _metric(self, evaluator: FitArgument) -> str:
        """The key under which the evaluator reports the score fit compared, as code."""
        facts = evaluator.call
        if facts is None or facts.unpacked:
            raise Refused("the evaluator is not built in this file")
        path = facts.path
        if path.endswith(f".{FACTORY}"):
            path = path[: -len(FACTORY) - 1]
            data = 1
        else:
            data = None
        cls = path.rpartition(".")[2]
        score = self.codemod.evaluator_scores.get(cls)
        if score is None or not path.startswith("sentence_transformers."):
            raise Refused(f"which score of {cls or 'the evaluator'} fit compared is not known")
        if len(facts.positional) > (data if data is not None else score["data"]):
            raise Refused("the evaluator's name is not given by keyword")
        metric = score["metric"]
        if "{at_k}" in metric:
            at_k = score["at_k_default"]
            for keyword in score["at_k"]:
                if facts.keyword(keyword) is not None:
                    at_k = facts.literal(keyword)
            if not isinstance(at_k, int):
                raise Refused("the evaluator's at_k is not a number the file shows")
            metric = metric.replace("{at_k}", str(at_k))
        name = facts.keyword("name")
        if name is None:
            return self._text(metric)
        if "name" in facts.formatted:  # f"dev-{split}" -> f"dev-{split}_average_precision"
            return f"{name[:-1]}_{metric}{name[-1]}"
        value = facts.literal("name")
        if not isinstance(value, str):
            raise Refused("the evaluator's name is neither text nor an f-string")
        return self._text(f"{value}_{metric}" if value else metric)

    def _training(self) -> tuple[str, list[tuple[str, str]], str | None]:
        """(the examples, the loader's arguments, the trainer's loss) of the model's fit."""
        if self.call.model == "CrossEncoder":
            examples, loader = self._loader(self.given.get("train_dataloader"))
            return examples, loader, self._loss()
        objectives = self.given.get("train_objectives")
        pairs = objectives.elements if objectives is not None else None
        if not pairs or len(pairs) != 1:
            raise Refused("train_objectives is not one (DataLoader, loss) pair written in the call")
        pair = pairs[0].elements
        if not pair or len(pair) != 2:
            raise Refused("train_objectives is not one (DataLoader, loss) pair written in the call")
        steps = self._value("steps_per_epoch") if "steps_per_epoch" in self.given else None
        if steps not in (None, 0):
            raise Refused("steps_per_epoch cuts epochs short, which the Trainer does not do")
        if not self._absent_or_none("checkpoint_path"):
            raise Refused("the Trainer names and keeps checkpoints unlike fit's checkpoint_path")
        examples, loader = self._loader(pair[0])
        return examples, loader, self._kept_loss(pair[1])

    def _kept_loss(self, loss: FitArgument) -> str:
        """A sentence-transformers loss the Trainer takes as built, on this model."""
        facts = loss.call
        if facts is None or not facts.path.startswith(f"{self.codemod.losses_module}."):
            raise Refused("the loss is not a sentence-transformers loss built in this file")
        cls = facts.path.rpartition(".")[2]
        if cls not in self.codemod.kept_losses:
            raise Refused(f"{cls} has trainable parameters of its own or no exact Trainer form")
        model = facts.positional[0] if facts.positional else facts.keyword("model")
        if model != self.st.receiver:
            raise Refused("the loss is not built on the model whose fit is called")
        return loss.source

    def _columns(self, examples: str) -> list[str]:
        """The dataset's columns as code, one line each, indented from the dict's level."""
        q, u = self.st.quote, self.st.indent_unit
        label = f"{q}label{q}: [example.label for example in {examples}],"
        if self.call.model == "CrossEncoder":  # always a pair
            pairs = [
                f"{q}sentence_{i}{q}: [example.texts[{i}] for example in {examples}],"
                for i in (0, 1)
            ]
            return [*pairs, label]
        # as many texts as the examples have (fit's own collate took them all)
        return [
            "**{",
            f"{u}f{q}sentence_{{i}}{q}: list(texts)",
            f"{u}for i, texts in enumerate(zip(*(example.texts for example in {examples})))",
            "},",
            label,
        ]

    # -- the text ----------------------------------------------------------------------

    def build(self) -> Codemod:
        examples, loader_args, loss = self._training()
        epochs = self.given.get("epochs")
        epochs_text = epochs.source if epochs is not None else repr(self.facts.defaults["epochs"])
        schedule = self._schedule([("num_train_epochs", epochs_text)])
        optimizer = self._optimizer()
        evaluation, evaluator, best_to, final_to = self._evaluation()
        precision = self._precision()
        report = [] if self.targeted.report_to_default_none else [("report_to", self._text("none"))]
        arguments_class = self._import(f"{self.codemod.module}.{self.codemod.arguments}")
        trainer_class = self._import(f"{self.codemod.module}.{self.codemod.trainer}")
        dataset_class = self._import(self.codemod.dataset)
        model_class = self._model_class() if best_to is not None else ""
        dataset, args, trainer = (
            self._fresh(n) for n in ("train_dataset", "training_args", "trainer")
        )

        output = [a for a in evaluation if a[0] == "output_dir"]
        rest = [a for a in evaluation if a[0] != "output_dir"]
        arguments = [*output, *schedule, *loader_args, *optimizer, *precision, *rest, *report]
        trainer_args = [("model", self.st.receiver), ("args", args), ("train_dataset", dataset)]
        if loss is not None:
            trainer_args.append(("loss", loss))
        if evaluator is not None:
            trainer_args.append(("evaluator", evaluator))

        u, nl = self.st.indent_unit, self.st.newline
        lines = list(self.st.comments)  # comments inside the call, kept above its rewrite
        lines += [f"{dataset} = {dataset_class}.from_dict(", f"{u}{{"]
        lines += [f"{u}{u}{column}" for column in self._columns(examples)]
        lines += [f"{u}}}", ")"]
        lines += [f"{args} = {arguments_class}("]
        lines += [f"{u}{key}={value}," for key, value in arguments]
        lines += [")", f"{trainer} = {trainer_class}("]
        lines += [f"{u}{key}={value}," for key, value in trainer_args]
        lines += [")", f"{trainer}.train()"]
        if best_to is not None:
            lines += [
                f"if {trainer}.state.best_model_checkpoint is not None:",
                f"{u}{model_class}({trainer}.state.best_model_checkpoint).save_pretrained({best_to})",
            ]
        if final_to is not None:
            lines.append(f"{self.st.receiver}.save_pretrained({final_to})")
        body = (nl + self.st.indent).join(lines)
        edits = [ReplaceSource(self.st.span, body)]
        if self.imports:
            text = "".join(
                f"from {module} import {', '.join(sorted(names))}{nl}"
                for module, names in sorted(self.imports.items())
            )
            edits.append(ReplaceSource(Span(self.st.import_at, self.st.import_at), text))
        return Codemod(tuple(edits), tuple(self.notes))
