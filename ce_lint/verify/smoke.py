"""One smoke-training run: build the arguments, train a few steps, evaluate, save, reload.

Runs only inside the verification worker; this module imports torch, transformers,
sentence-transformers and datasets at the top on purpose (the worker pays for that once).
A run never raises: whatever goes wrong becomes a result with the phase it happened in.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import importlib
import logging
import math
import os
import resource
import shutil
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch
from accelerate.utils import DistributedType
from datasets import Dataset, DatasetDict
from sentence_transformers.cross_encoder import CrossEncoder, CrossEncoderTrainer
from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss, CrossEntropyLoss
from transformers import TrainerCallback

from . import tiny

try:  # moved between sentence-transformers releases
    from sentence_transformers.base.evaluation import BaseEvaluator
except ImportError:  # pragma: no cover - older layout
    from sentence_transformers.evaluation import SentenceEvaluator as BaseEvaluator

# Where each arguments class lives, newest location first.
CLASS_LOCATIONS: dict[str, tuple[str, ...]] = {
    "CrossEncoderTrainingArguments": ("sentence_transformers.cross_encoder",),
    "SentenceTransformerTrainingArguments": ("sentence_transformers",),
    "SparseEncoderTrainingArguments": ("sentence_transformers.sparse_encoder",),
    "MultiVectorEncoderTrainingArguments": ("sentence_transformers.multi_vector_encoder",),
    "TrainingArguments": ("transformers",),
    "Seq2SeqTrainingArguments": ("transformers",),
}
TRAINING_CLASS = "CrossEncoderTrainingArguments"

# Strategies and the step intervals they fire at.
INTERVALS = (
    ("eval_strategy", "eval_steps"),
    ("save_strategy", "save_steps"),
    ("logging_strategy", "logging_steps"),
)


class SmokeFailure(Exception):
    """A failed phase, with the fields that most likely caused it."""

    def __init__(self, phase: str, reason: str, suspects: tuple[str, ...] = ()):
        super().__init__(reason)
        self.phase = phase
        self.reason = reason
        self.suspects = suspects


@dataclasses.dataclass
class Workspace:
    """What a worker keeps between runs: the tiny model, built once."""

    root: Path
    tiny_model: Path | None = None

    def model_dir(self, request: dict[str, Any]) -> Path:
        if request.get("model"):
            return Path(request["model"])
        if self.tiny_model is None:
            self.tiny_model = tiny.build_tiny_model(self.root / "tiny-cross-encoder")
        return self.tiny_model


def library_versions() -> dict[str, str]:
    from importlib.metadata import version

    out = {}
    for name in ("torch", "transformers", "sentence-transformers", "accelerate", "datasets"):
        with contextlib.suppress(Exception):
            out[name] = version(name)
    return out


def hardware() -> dict[str, Any]:
    info: dict[str, Any] = {
        "cuda_devices": torch.cuda.device_count() if torch.cuda.is_available() else 0
    }
    if info["cuda_devices"]:
        info["cuda_name"] = torch.cuda.get_device_name(0)
        info["bf16"] = bool(torch.cuda.is_bf16_supported())
    return info


# ---- the run ------------------------------------------------------------------------


def run(request: dict[str, Any], workspace: Workspace) -> dict[str, Any]:
    """Verify one arguments object; returns a JSON-able result, never raises."""
    start = time.perf_counter()
    result: dict[str, Any] = {
        "ok": False,
        "phase": "arguments",
        "reason": "",
        "error": None,
        "suspects": [],
        "notes": [],
        "steps": request.get("steps", 2),
        "steps_done": 0,
        "rank": int(os.environ.get("RANK", "0")),
    }
    workdir = Path(request["workdir"]) if request.get("workdir") else None
    own_workdir = workdir is None
    if workdir is None:
        workdir = Path(tempfile.mkdtemp(prefix="run-", dir=workspace.root))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        with isolated(workdir):
            _run(request, workspace, workdir, result)
        result["ok"] = True
        result["phase"] = "done"
    except SmokeFailure as failure:
        result["phase"] = failure.phase
        result["reason"] = failure.reason
        result["suspects"] = list(failure.suspects)
    except Exception as exc:  # the libraries refused something: report it, keep serving
        result["error"] = describe(exc)
        result["reason"] = result["error"]
    finally:
        result["seconds"] = round(time.perf_counter() - start, 3)
        if own_workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    return result


def _run(
    request: dict[str, Any], workspace: Workspace, workdir: Path, result: dict[str, Any]
) -> None:
    """The phases of one run, in order; `result["phase"]` names the phase running."""
    phases = PhaseClock(result)
    steps = int(request.get("steps", 2))
    # Before any process group exists: once one does, only rank 0 writes model files.
    phases.enter("model")
    model_dir = workspace.model_dir(request)

    phases.enter("arguments")
    cls = argument_class(request["cls"])
    kwargs, user_args = user_arguments(cls, request, workdir, result)
    training_cls, run_kwargs = run_arguments(cls, kwargs, user_args, steps, result)

    phases.enter("arguments (shortened run)")
    args, device = training_arguments(training_cls, run_kwargs, result)

    phases.enter("model")
    model = load_model(model_dir, tiny_model=not request.get("model"))
    num_labels = int(getattr(model, "num_labels", 1) or 1)

    phases.enter("data")
    data = make_data(request["args"], args, model, num_labels, steps)

    phases.enter("trainer")
    watch = NumericsWatch(model)
    trainer = make_trainer(model, args, data, watch)

    phases.enter("train")
    logged = train(trainer, watch, args, result)

    phases.enter("evaluate")
    evaluate(trainer, result)

    phases.enter("save")
    final_dir, checkpoints = save(trainer, args, workdir, result)

    phases.enter("reload")
    prediction = reload(final_dir, checkpoints, data.train, result)
    result["peak_memory_mb"], result["memory_kind"] = peak_memory(device)

    phases.enter("numerics")
    judge_numerics(result, watch, model, args, steps, prediction, logged)
    phases.stop()
    del trainer, model


class PhaseClock:
    """`result["phase"]` names the phase running; `result["phase_seconds"]` adds up how long
    each took (where a verify's time goes beyond the libraries' import)."""

    def __init__(self, result: dict[str, Any]):
        self.result = result
        self.seconds: dict[str, float] = result.setdefault("phase_seconds", {})
        self.running: str | None = None
        self.since = time.perf_counter()

    def enter(self, phase: str) -> None:
        self.stop()
        self.running = phase
        self.result["phase"] = phase

    def stop(self) -> None:
        now = time.perf_counter()
        if self.running is not None:
            spent = self.seconds.get(self.running, 0.0) + now - self.since
            self.seconds[self.running] = round(spent, 3)
        self.running = None
        self.since = now


# ---- the phases ---------------------------------------------------------------------


def user_arguments(
    cls: type, request: dict[str, Any], workdir: Path, result: dict[str, Any]
) -> tuple[dict[str, Any], Any]:
    """The arguments object as the user's code builds it: its keyword arguments and itself."""
    fields = init_fields(cls)
    strangers = [k for k in [*request["args"], *request.get("unknown", [])] if k not in fields]
    if strangers:
        names = ", ".join(f"`{k}`" for k in strangers)
        raise SmokeFailure(
            "arguments",
            f"{names} {'is not a field' if len(strangers) == 1 else 'are not fields'} of "
            f"{cls.__name__} in transformers {library_versions().get('transformers', '?')}",
            tuple(strangers),
        )
    kwargs, notes = sanitize(request["args"], fields, workdir)
    result["notes"] += notes
    with captured_warnings() as said:
        user_args = cls(**kwargs)
        _ = user_args.device  # device set-up is where bf16/tf32/backends are refused
    result["notes"] += [f"warning: {w}" for w in said]
    return kwargs, user_args


def run_arguments(
    cls: type, kwargs: dict[str, Any], user_args: Any, steps: int, result: dict[str, Any]
) -> tuple[type, dict[str, Any]]:
    """The arguments class the smoke run trains with, and its keyword arguments: the user's
    values it has a field for, shortened to `steps` steps."""
    training_cls = argument_class(TRAINING_CLASS)
    run_kwargs = dict(kwargs)
    if cls is not training_cls:
        allowed = init_fields(training_cls)
        dropped = sorted(k for k in run_kwargs if k not in allowed)
        run_kwargs = {k: v for k, v in run_kwargs.items() if k in allowed}
        result["notes"].append(
            "trained with CrossEncoderTrainer using the same values"
            + (f" (without {', '.join(dropped)})" if dropped else "")
        )
    overrides, override_notes = smoke_overrides(user_args, steps)
    run_kwargs.update(overrides)
    result["notes"] += override_notes
    return training_cls, run_kwargs


def training_arguments(
    training_cls: type, run_kwargs: dict[str, Any], result: dict[str, Any]
) -> tuple[Any, torch.device]:
    """The arguments of the shortened run, and the device they set up."""
    with captured_warnings():
        args = training_cls(**run_kwargs)
        device = args.device
    result["device"] = str(device)
    result["precision"] = precision(args)
    result["world_size"] = args.world_size
    return args, device


@dataclasses.dataclass(frozen=True)
class SmokeData:
    """What the trainer trains and evaluates on."""

    train: Any
    eval: Any
    loss: torch.nn.Module
    evaluator: StandInEvaluator | None


def make_data(
    user_values: dict[str, Any], args: Any, model: CrossEncoder, num_labels: int, steps: int
) -> SmokeData:
    """Generated datasets, enough rows for `steps` steps on every process, and the loss."""
    names = dataset_names(user_values)
    train_rows = max(
        8, steps * args.gradient_accumulation_steps * args.train_batch_size * args.world_size
    )
    eval_rows = min(max(args.eval_batch_size * args.world_size, 8), 64)
    train_data = make_dataset(train_rows, names, seed=1, num_labels=num_labels)
    eval_data = make_dataset(eval_rows, names, seed=2, num_labels=num_labels)
    loss = BinaryCrossEntropyLoss(model) if num_labels == 1 else CrossEntropyLoss(model)
    return SmokeData(train_data, eval_data, loss, stand_in_evaluator(args, num_labels))


def make_trainer(
    model: CrossEncoder, args: Any, data: SmokeData, watch: NumericsWatch
) -> CrossEncoderTrainer:
    return CrossEncoderTrainer(
        model=model,
        args=args,
        train_dataset=data.train,
        eval_dataset=data.eval,
        loss=data.loss,
        evaluator=data.evaluator,
        callbacks=[watch],
    )


def train(
    trainer: CrossEncoderTrainer, watch: NumericsWatch, args: Any, result: dict[str, Any]
) -> list[float]:
    """Train; returns the losses the trainer logged."""
    # For tests only: rank 0, the one that writes, starts late, so that the other ranks
    # reach the reload long before it has saved anything (the race window, made certain).
    delay = float(os.environ.get("CE_LINT_TEST_RANK0_DELAY") or 0)
    if delay and args.should_save and args.world_size > 1:
        time.sleep(delay)
    reset_peak_memory()
    output = trainer.train()
    trainer.accelerator.wait_for_everyone()
    result["steps_done"] = int(trainer.state.global_step)
    result["train_loss"] = finite_or_text(output.training_loss)
    logged = [e["loss"] for e in trainer.state.log_history if "loss" in e]
    result["logged_losses"] = [finite_or_text(x) for x in logged]
    result["grad_norms"] = [finite_or_text(n) for _, n in watch.grad_norms]
    return logged


def evaluate(trainer: CrossEncoderTrainer, result: dict[str, Any]) -> None:
    metrics = trainer.evaluate()
    eval_losses = {k: v for k, v in metrics.items() if k.endswith("_loss")}
    result["eval_loss"] = finite_or_text(
        eval_losses.get("eval_loss", next(iter(eval_losses.values()), None))
    )


def save(
    trainer: CrossEncoderTrainer, args: Any, workdir: Path, result: dict[str, Any]
) -> tuple[Path, list[Path]]:
    """Save the final model; returns where, and the checkpoints the run wrote (oldest first)."""
    final_dir = workdir / "final-model"
    trainer.save_model(str(final_dir))
    # Rank 0 alone writes config and weights (of the checkpoints too), and the other ranks
    # may be far ahead: nothing in a run need synchronise them. None reloads before all wrote.
    wait_for_all_ranks(trainer)
    output_dir = Path(args.output_dir)
    checkpoints = sorted(output_dir.glob("checkpoint-*"), key=checkpoint_step)
    result["checkpoints"] = [c.name for c in checkpoints]
    return final_dir, checkpoints


def reload(
    final_dir: Path, checkpoints: list[Path], train_data: Any, result: dict[str, Any]
) -> float:
    """Load the newest loadable checkpoint (else the saved model) on the CPU, as a user
    would, and score one training pair with it."""
    reload_dir = next((c for c in reversed(checkpoints) if loadable(c)), final_dir)
    reloaded = CrossEncoder(str(reload_dir), local_files_only=True, device="cpu")
    prediction = float(
        torch.as_tensor(reloaded.predict([(train_data_row(train_data))], show_progress_bar=False))
        .float()
        .flatten()[0]
    )
    result["reloaded_from"] = "checkpoint" if reload_dir is not final_dir else "saved model"
    return prediction


def judge_numerics(
    result: dict[str, Any],
    watch: NumericsWatch,
    model: torch.nn.Module,
    args: Any,
    steps: int,
    prediction: float,
    logged: list[float],
) -> None:
    """A run whose logged loss looks finite can still have destroyed the weights (the
    Trainer replaces a NaN step loss by the running average): look at the weights, the
    gradients, the evaluation loss and the reloaded model too."""
    train_loss = result.get("train_loss")
    loss_finite = all(math.isfinite(x) for x in logged) and isinstance(train_loss, float)
    result["loss_finite"] = loss_finite
    result["weight_scale"] = [finite_or_text(watch.initial_scale)] + [
        finite_or_text(s) for _, s in watch.scales
    ]
    problem = diagnose(watch, getattr(args, "learning_rate", 0.0))
    if problem is None and not parameters_finite(model):
        problem = (f"the weights are NaN or infinite after {result['steps_done']} steps", ())
    if problem is not None:
        reason, suspects = problem
        if loss_finite:
            reason += f" (the logged training loss {train_loss:.4g} still looked finite)"
        raise SmokeFailure("numerics", reason, suspects)
    if not loss_finite:
        raise SmokeFailure("numerics", f"the training loss is {train_loss} ({logged})", ())
    eval_loss = result.get("eval_loss")
    if not isinstance(eval_loss, float):
        raise SmokeFailure("numerics", f"the evaluation loss is {eval_loss}", ("learning_rate",))
    if not math.isfinite(prediction):
        raise SmokeFailure("numerics", f"the reloaded model predicts {prediction}", ())
    if result["steps_done"] < steps:
        raise SmokeFailure(
            "train", f"training stopped after {result['steps_done']} of {steps} steps", ()
        )
    skipped = sum(1 for _, n in watch.grad_norms if n is not None and not math.isfinite(n))
    if skipped:
        result["notes"].append(
            f"{skipped} of {len(watch.grad_norms)} steps had overflowing gradients and were skipped"
        )


# One optimizer step that multiplies the largest weight by this much is a blow-up.
BLOW_UP = 1000.0


def diagnose(watch: NumericsWatch, learning_rate: float) -> tuple[str, tuple[str, ...]] | None:
    """Why the weights went wrong, from the scale of the weights and gradients per step."""
    before = watch.initial_scale
    norms = dict(watch.grad_norms)
    for step, scale in watch.scales:
        if math.isfinite(scale) and before > 0 and scale > BLOW_UP * before:
            tail = (
                f", and they were NaN or infinite after step {watch.first_bad_step}"
                if watch.first_bad_step is not None
                else ""
            )
            return (
                f"learning_rate {learning_rate:g} is too large: optimizer step {step} multiplied "
                f"the largest weight by {scale / before:.1e} (from {before:.3g} to {scale:.3g}){tail}",
                ("learning_rate",),
            )
        if not math.isfinite(scale):
            norm = norms.get(step)
            if norm is not None and math.isfinite(norm):
                return (
                    f"the weights became NaN or infinite in optimizer step {step} although its "
                    f"gradients were finite (norm {norm:.3g}); learning_rate {learning_rate:g} "
                    "is the usual cause",
                    ("learning_rate",),
                )
            return (
                f"the gradients of optimizer step {step} were NaN or infinite and the weights "
                "followed",
                ("fp16", "bf16", "learning_rate"),
            )
        before = scale if math.isfinite(scale) else before
    return None


# ---- arguments ----------------------------------------------------------------------


def argument_class(name: str) -> type:
    for module in CLASS_LOCATIONS.get(name, ()):
        with contextlib.suppress(ImportError, AttributeError):
            return getattr(importlib.import_module(module), name)
    raise SmokeFailure("arguments", f"{name} does not exist in the installed libraries", ())


def init_fields(cls: type) -> set[str]:
    return {f.name for f in dataclasses.fields(cls) if f.init}


def sanitize(
    args: dict[str, Any], fields: set[str], workdir: Path
) -> tuple[dict[str, Any], list[str]]:
    """The user's values, with everything that could write or publish outside the sandbox
    turned off or pointed into the temporary directory."""
    kwargs = dict(args)
    notes = []
    kwargs["output_dir"] = str(workdir / "output")
    if "output_dir" in args:
        notes.append("output_dir redirected to a temporary directory")
    if "logging_dir" in fields and "logging_dir" in kwargs:
        kwargs["logging_dir"] = str(workdir / "logs")
        notes.append("logging_dir redirected to a temporary directory")
    if kwargs.get("push_to_hub"):
        notes.append("push_to_hub turned off")
    kwargs["push_to_hub"] = False
    for key in ("hub_token", "push_to_hub_token"):
        if kwargs.get(key) is not None and key in fields:
            kwargs[key] = None
            notes.append(f"{key} dropped")
    if args.get("report_to") not in (None, "none", [], ["none"]):
        notes.append("report_to set to none")
    kwargs["report_to"] = "none"
    return kwargs, notes


def smoke_overrides(user_args: Any, steps: int) -> tuple[dict[str, Any], list[str]]:
    """A short run in which every configured strategy fires at least once.

    Intervals counted in steps become 1 (so save_steps stays a multiple of eval_steps, as
    load_best_model_at_end demands); fractions of the run are kept, they scale by themselves.
    """
    overrides: dict[str, Any] = {"max_steps": steps, "disable_tqdm": True}
    notes = (
        [f"max_steps {steps} (was {user_args.max_steps})"] if user_args.max_steps != steps else []
    )
    for strategy_key, interval_key in INTERVALS:
        strategy = getattr(user_args, strategy_key, None)
        if getattr(strategy, "value", strategy) != "steps":
            continue
        interval = getattr(user_args, interval_key, None)
        if interval is None or interval >= 1:
            overrides[interval_key] = 1
            if interval != 1:
                notes.append(f"{interval_key} 1 (was {interval})")
    warmup = getattr(user_args, "warmup_steps", 0) or 0
    if warmup > 1:
        overrides["warmup_steps"] = 1
        notes.append(f"warmup_steps 1 (was {warmup}) so the run reaches the full learning rate")
    if (getattr(user_args, "eval_delay", 0) or 0) > 0:
        overrides["eval_delay"] = 0
        notes.append(f"eval_delay 0 (was {user_args.eval_delay})")
    return overrides, notes


def precision(args: Any) -> str:
    name = (
        "bf16"
        if getattr(args, "bf16", False)
        else "fp16"
        if getattr(args, "fp16", False)
        else "fp32"
    )
    if getattr(args, "tf32", None):
        name += "+tf32"
    return name


@contextlib.contextmanager
def captured_warnings() -> Iterator[list[str]]:
    """Warnings (Python's and the libraries' loggers') said while building arguments."""
    said: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            said.append(record.getMessage())

    handler = Collect(logging.WARNING)
    loggers = [
        logging.getLogger(n) for n in ("transformers", "sentence_transformers", "accelerate")
    ]
    for lg in loggers:
        lg.addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield said
        said.extend(str(w.message) for w in caught)
    finally:
        for lg in loggers:
            lg.removeHandler(handler)
        unique = list(dict.fromkeys(s.strip().splitlines()[0][:300] for s in said if s.strip()))
        said[:] = unique[:5]


# ---- model and data -----------------------------------------------------------------


def load_model(model_dir: Path, tiny_model: bool) -> CrossEncoder:
    if tiny_model:
        return CrossEncoder(
            str(model_dir), num_labels=1, max_length=64, local_files_only=True, device="cpu"
        )
    return CrossEncoder(str(model_dir), local_files_only=True, device="cpu")


def dataset_names(args: dict[str, Any]) -> list[str] | None:
    """Several datasets when the arguments only mean something with a DatasetDict."""
    prompts = args.get("prompts")
    if isinstance(prompts, dict) and prompts:
        return [str(k) for k in prompts]
    if "multi_dataset_batch_sampler" in args:
        return ["first", "second"]
    return None


def make_dataset(rows: int, names: list[str] | None, seed: int, num_labels: int) -> Any:
    if not names:
        return Dataset.from_dict(tiny.pairs(rows, seed, num_labels))
    each = max(4, math.ceil(rows / len(names)))
    return DatasetDict(
        {
            name: Dataset.from_dict(tiny.pairs(each, seed + i, num_labels))
            for i, name in enumerate(names)
        }
    )


def train_data_row(data: Any) -> tuple[str, str]:
    first = data[next(iter(data))] if isinstance(data, DatasetDict) else data
    return first[0]["query"], first[0]["passage"]


class StandInEvaluator(BaseEvaluator):
    """Stands in for the user's evaluator when metric_for_best_model names one of its
    metrics: a real accuracy over generated pairs, reported under that name."""

    def __init__(self, metric: str, greater_is_better: bool, num_labels: int):
        super().__init__()
        self.metric = metric
        self.primary_metric = metric
        self.greater_is_better = greater_is_better
        data = tiny.pairs(16, seed=3, num_labels=num_labels)
        self.pairs = list(zip(data["query"], data["passage"], strict=True))
        self.labels = data["label"]

    def __call__(
        self, model: Any, output_path: str | None = None, epoch: int = -1, steps: int = -1
    ) -> dict[str, float]:
        scores = torch.as_tensor(model.predict(self.pairs, show_progress_bar=False)).float()
        guesses = (scores > 0).long().flatten() if scores.ndim == 1 else scores.argmax(-1)
        right = sum(
            int(g) == int(label) for g, label in zip(guesses.tolist(), self.labels, strict=True)
        )
        return {self.metric: right / len(self.labels)}


def stand_in_evaluator(args: Any, num_labels: int) -> StandInEvaluator | None:
    metric = getattr(args, "metric_for_best_model", None)
    if not metric:
        return None
    name = metric[5:] if metric.startswith("eval_") else metric
    if name == "loss":
        return None
    greater = (
        args.greater_is_better if args.greater_is_better is not None else not name.endswith("loss")
    )
    return StandInEvaluator(name, bool(greater), num_labels)


# ---- numbers ------------------------------------------------------------------------


def local(tensor: torch.Tensor) -> torch.Tensor:
    """The part of a sharded tensor (FSDP2 DTensor) that lives on this rank."""
    to_local = getattr(tensor, "to_local", None)
    return to_local() if callable(to_local) else tensor


def parameters_finite(model: torch.nn.Module) -> bool:
    return math.isfinite(weight_scale(model))


def weight_scale(model: torch.nn.Module) -> float:
    """The largest absolute weight: NaN or infinite as soon as one weight is."""
    with torch.no_grad():
        peaks = [local(p).detach().abs().amax().float() for p in model.parameters() if p.numel()]
        if not peaks:
            return 0.0
        return float(torch.stack([x.cpu() for x in peaks]).amax())


def gradient_norm(model: torch.nn.Module) -> float | None:
    with torch.no_grad():
        norms = [
            torch.linalg.vector_norm(local(p.grad).float()).cpu()
            for p in model.parameters()
            if p.grad is not None
        ]
        if not norms:
            return None
        return float(torch.linalg.vector_norm(torch.stack(norms)))


class NumericsWatch(TrainerCallback):
    """The gradient norm before each optimizer step and the largest weight after it."""

    def __init__(self, model: torch.nn.Module):
        self.model = model
        self.initial_scale = 0.0
        self.grad_norms: list[tuple[int, float | None]] = []
        self.scales: list[tuple[int, float]] = []
        self.first_bad_step: int | None = None

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self.initial_scale = weight_scale(self.model)

    def on_pre_optimizer_step(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self.grad_norms.append((state.global_step + 1, gradient_norm(self.model)))

    def on_optimizer_step(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        scale = weight_scale(self.model)
        self.scales.append((state.global_step + 1, scale))
        if self.first_bad_step is None and not math.isfinite(scale):
            self.first_bad_step = state.global_step + 1


def finite_or_text(value: Any) -> float | str | None:
    """Floats stay floats when finite; NaN and infinities travel as text in JSON."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else str(number)


def checkpoint_step(path: Path) -> int:
    tail = path.name.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else -1


def loadable(directory: Path) -> bool:
    """Both files from_pretrained needs, the config and the weights: a checkpoint with only
    one of them is still being written, or holds sharded FSDP/DeepSpeed state only."""
    weights = any(directory.glob("*.safetensors")) or any(directory.glob("pytorch_model*.bin"))
    return weights and (directory / "config.json").is_file()


def wait_for_all_ranks(trainer: CrossEncoderTrainer) -> None:
    """A barrier over every process torchrun started. accelerate's wait_for_everyone does
    nothing when it decided the run is not distributed (gloo on a machine without a GPU
    and without use_cpu), although it did initialise torchrun's process group."""
    if trainer.accelerator.distributed_type != DistributedType.NO:
        trainer.accelerator.wait_for_everyone()
    elif torch.distributed.is_available() and torch.distributed.is_initialized():
        torch.distributed.barrier()


def reset_peak_memory() -> None:
    if torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()
    with contextlib.suppress(OSError):
        # Linux: writing 5 resets this process's peak resident set size (VmHWM).
        Path("/proc/self/clear_refs").write_text("5")


def peak_memory(device: torch.device) -> tuple[float, str]:
    if device.type == "cuda":
        return round(torch.cuda.max_memory_allocated(device) / 2**20, 1), "cuda"
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1), "rss"
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1), "rss"


def describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    return text if len(text) <= 1200 else text[:1200] + " ..."


# ---- isolation between runs of one worker -------------------------------------------


@contextlib.contextmanager
def isolated(workdir: Path) -> Iterator[None]:
    """Run in `workdir`, and leave the process as it was: environment, global torch
    switches and the accelerate singletons all carry over between runs otherwise."""
    env = dict(os.environ)
    cwd = os.getcwd()
    switches = (
        torch.backends.cuda.matmul.allow_tf32,
        torch.backends.cudnn.allow_tf32,
        torch.are_deterministic_algorithms_enabled(),
        torch.get_default_dtype(),
    )
    os.chdir(workdir)
    try:
        yield
    finally:
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        torch.backends.cuda.matmul.allow_tf32 = switches[0]
        torch.backends.cudnn.allow_tf32 = switches[1]
        torch.use_deterministic_algorithms(switches[2])
        torch.set_default_dtype(switches[3])
        reset_singletons()
        gc.collect()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()


def reset_singletons() -> None:
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:
        return  # a torchrun rank runs once and exits; its process group must stay
    with contextlib.suppress(Exception):
        from accelerate.state import AcceleratorState, GradientState

        AcceleratorState._reset_state(reset_partial_state=True)
        GradientState._reset_state()
    if "torch._dynamo" in sys.modules:
        with contextlib.suppress(Exception):
            torch._dynamo.reset()
