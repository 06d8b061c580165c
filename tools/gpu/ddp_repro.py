"""Does a CrossEncoder train under DDP with the Trainer's defaults? A standalone reproduction.

Issue 17: on two H200s, `ce-lint verify --nproc 2` with the Trainer's DDP defaults failed with
"Expected to mark a variable ready only once ... 0.model.classifier.bias has been marked as
ready twice". This script asks whether a real cross-encoder (not only verify's tiny model)
fails the same way, with nothing from ce-lint: only torch, transformers,
sentence-transformers and datasets. Launch it once per case:

    torchrun --standalone --nproc_per_node 2 tools/gpu/ddp_repro.py \
        --model {tiny,minilm-l6,bert-base} --ddp-find-unused {default,false} \
        --backend {nccl,gloo}

The model is built from a config with random weights (nothing is downloaded): `tiny` has the
shape of ce-lint verify's tiny model, `minilm-l6` the config of
cross-encoder/ms-marco-MiniLM-L6-v2, `bert-base` the shape of bert-base-uncased with one
output. Its tokenizer is a WordPiece tokenizer over a generated vocabulary of the model's
vocab_size. Training follows sentence-transformers' training_ms_marco_bce.py example
(BinaryCrossEntropyLoss, batch 32, learning rate 2e-5, 10% warmup, bf16 on a GPU that has it
and fp16 on one without, seed 12) over a generated (query, passage, label) dataset, for a few
steps, without evaluation or checkpoints.

Every rank prints one JSON line on stdout (everything else the libraries say goes to stderr)
and exits 0 whether it trained or not, so that torchrun does not kill the other ranks before
they print; read "trained" in the JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import tempfile
import time
import traceback
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

# Nothing from the Hub: the model and tokenizer are written locally.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("WANDB_DISABLED", "true")

START = time.perf_counter()

# BertConfig keyword arguments of each model; num_labels is 1 for all (a reranker's one score).
MODELS = {
    # ce_lint/verify/tiny.py: build_tiny_model (its vocab_size is its generated vocabulary's
    # length, 143 words and characters; the same list is generated here).
    "tiny": {
        "hidden_size": 32,
        "num_hidden_layers": 2,
        "num_attention_heads": 2,
        "intermediate_size": 64,
        "max_position_embeddings": 128,
    },
    # cross-encoder/ms-marco-MiniLM-L6-v2 config.json.
    "minilm-l6": {
        "vocab_size": 30522,
        "hidden_size": 384,
        "num_hidden_layers": 6,
        "num_attention_heads": 12,
        "intermediate_size": 1536,
        "max_position_embeddings": 512,
        "type_vocab_size": 2,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "layer_norm_eps": 1e-12,
        "initializer_range": 0.02,
    },
    # bert-base-uncased config.json.
    "bert-base": {
        "vocab_size": 30522,
        "hidden_size": 768,
        "num_hidden_layers": 12,
        "num_attention_heads": 12,
        "intermediate_size": 3072,
        "max_position_embeddings": 512,
        "type_vocab_size": 2,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "layer_norm_eps": 1e-12,
        "initializer_range": 0.02,
    },
}

# The same closed vocabulary as ce_lint/verify/tiny.py (copied: this script imports no ce-lint).
_WORD_TEXT = (
    "what how why when where which who is are was can does do the a an of to in on for with "
    "by from at about into cat dog bird fish tree river city road house garden school market "
    "train model query passage answer question paper score rank data search engine light water "
    "fire stone music story history science number color small large quick slow red blue green "
    "old new good bad early late open closed warm cold"
)
WORDS = _WORD_TEXT.split()
SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789"


def vocabulary(size: int | None) -> list[str]:
    """Specials, punctuation, characters and words; filled with [unusedN] up to `size`."""
    chars = list(LETTERS) + ["##" + c for c in LETTERS]
    punctuation = list(".,:;?!'\"-_/()")
    vocab = SPECIAL_TOKENS + punctuation + chars + [w for w in WORDS if w not in LETTERS]
    if size is not None:
        vocab += [f"[unused{i}]" for i in range(size - len(vocab))]
    return vocab


def pairs(rows: int, seed: int) -> dict[str, list]:
    """(query, passage, label) rows, labels 0.0/1.0 alternating."""
    rng = random.Random(seed)

    def text(low: int, high: int) -> str:
        return " ".join(rng.choices(WORDS, k=rng.randint(low, high)))

    return {
        "query": [text(3, 8) for _ in range(rows)],
        "passage": [text(20, 60) for _ in range(rows)],
        "label": [float(i % 2) for i in range(rows)],
    }


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in ("torch", "transformers", "sentence-transformers", "accelerate", "datasets"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "absent"
    return found


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", choices=sorted(MODELS), required=True)
    p.add_argument(
        "--ddp-find-unused",
        choices=("default", "false"),
        required=True,
        help="default: the Trainer decides (True without gradient checkpointing); "
        "false: ddp_find_unused_parameters=False",
    )
    p.add_argument(
        "--features",
        choices=("as-is", "dict"),
        default="as-is",
        help="as-is: the features preprocess returns (a tokenizer BatchEncoding, which the "
        "model's forward returns and DDP's search for output tensors does not look into); "
        "dict: preprocess patched to return a plain dict (the suspected cause removed)",
    )
    p.add_argument("--backend", choices=("nccl", "gloo"), required=True)
    p.add_argument("--steps", type=int, default=3, help="optimizer steps (default 3)")
    p.add_argument(
        "--batch-size",
        type=int,
        default=32,
        help="per-device batch size (default 32, as the example)",
    )
    p.add_argument(
        "--precision",
        choices=("auto", "fp32", "fp16", "bf16"),
        default="auto",
        help="auto: bf16 on a GPU that has it, fp16 on one without, fp32 on CPU",
    )
    p.add_argument(
        "--use-cpu",
        choices=("auto", "yes", "no"),
        default="auto",
        help="use_cpu=True for the Trainer; auto: when CUDA is unavailable (without "
        "it, accelerate does not wrap the model in DDP on a machine without GPU)",
    )
    p.add_argument(
        "--ddp-timeout",
        type=int,
        default=180,
        help="seconds before a collective gives up (default 180)",
    )
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(argv)
    # stdout carries the JSON line only: what the libraries print (the Trainer's log dicts
    # among them) goes to stderr.
    sys.stdout.flush()
    report = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    import torch

    rank = int(os.environ.get("RANK", "0"))
    world = int(os.environ.get("WORLD_SIZE", "1"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    cuda = torch.cuda.is_available()
    result: dict = {
        "rank": rank,
        "world_size": world,
        "model": opts.model,
        "ddp_find_unused": opts.ddp_find_unused,
        "features": opts.features,
        "backend": opts.backend,
        "versions": versions(),
        "cuda": cuda,
        "device_name": torch.cuda.get_device_name(local_rank) if cuda else platform.processor(),
        "trained": False,
        "steps_done": 0,
        "error": None,
    }
    try:
        work = Path(tempfile.mkdtemp(prefix=f"ddp-repro-{opts.model}-r{rank}-"))
        train(opts, work, result, torch, cuda)
    except BaseException as exc:  # report everything, including a KeyboardInterrupt/timeout
        result["error"] = f"{type(exc).__name__}: {exc}"
        result["traceback_tail"] = traceback.format_exc().splitlines()[-6:]
    result["seconds_total"] = round(time.perf_counter() - START, 2)
    print(json.dumps(result), file=report, flush=True)
    if (
        result["trained"]
        and torch.distributed.is_available()
        and torch.distributed.is_initialized()
    ):
        torch.distributed.destroy_process_group()
    return 0


def train(opts: argparse.Namespace, work: Path, result: dict, torch, cuda: bool):
    from datasets import Dataset
    from sentence_transformers.cross_encoder import CrossEncoder
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss
    from sentence_transformers.cross_encoder.trainer import CrossEncoderTrainer
    from sentence_transformers.cross_encoder.training_args import (
        CrossEncoderTrainingArguments,
    )
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    t0 = time.perf_counter()
    shape = dict(MODELS[opts.model])
    vocab = vocabulary(shape.get("vocab_size"))
    shape["vocab_size"] = len(vocab)
    (work / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab_file=str(work / "vocab.txt"), do_lower_case=True)
    config = BertConfig(num_labels=1, **shape)
    torch.manual_seed(12)
    hf_model = BertForSequenceClassification(config)
    hf_model.save_pretrained(work / "model")
    tokenizer.save_pretrained(work / "model")
    del hf_model
    max_length = min(512, shape["max_position_embeddings"])
    model = CrossEncoder(
        str(work / "model"), num_labels=1, max_length=max_length, local_files_only=True
    )
    if opts.features == "dict":
        preprocess = model.preprocess
        model.preprocess = lambda *a, **k: dict(preprocess(*a, **k))
    result["features_type"] = type(model.preprocess([("what is", "a cat")])).__name__
    result["parameters"] = sum(p.numel() for p in model.parameters())
    result["model_class"] = type(model).__name__
    result["seconds_build"] = round(time.perf_counter() - t0, 2)

    world = int(os.environ.get("WORLD_SIZE", "1"))
    rows = opts.steps * opts.batch_size * world
    train_dataset = Dataset.from_dict(pairs(rows, seed=1))
    loss = BinaryCrossEntropyLoss(model)

    precision = opts.precision
    if precision == "auto":
        precision = ("bf16" if torch.cuda.is_bf16_supported() else "fp16") if cuda else "fp32"
    use_cpu = (not cuda) if opts.use_cpu == "auto" else opts.use_cpu == "yes"
    kwargs = dict(
        output_dir=str(work / "out"),
        # training_ms_marco_bce.py
        num_train_epochs=1,
        per_device_train_batch_size=opts.batch_size,
        per_device_eval_batch_size=opts.batch_size,
        learning_rate=2e-5,
        warmup_steps=0.1,
        fp16=precision == "fp16",
        bf16=precision == "bf16",
        seed=12,
        logging_steps=1,
        logging_first_step=True,
        # a short run: a few steps, no evaluation, no checkpoints, no trackers
        max_steps=opts.steps,
        eval_strategy="no",
        save_strategy="no",
        report_to="none",
        # the case under test
        ddp_backend=opts.backend,
        ddp_timeout=opts.ddp_timeout,
        use_cpu=use_cpu,
    )
    if opts.ddp_find_unused == "false":
        kwargs["ddp_find_unused_parameters"] = False
    args = CrossEncoderTrainingArguments(**kwargs)
    result["device"] = str(args.device)
    result["precision"] = precision
    result["use_cpu"] = use_cpu
    result["args_world_size"] = args.world_size
    trainer = CrossEncoderTrainer(model=model, args=args, train_dataset=train_dataset, loss=loss)
    result["distributed_type"] = str(trainer.accelerator.distributed_type)
    t1 = time.perf_counter()
    try:
        output = trainer.train()
    finally:
        result["seconds_train"] = round(time.perf_counter() - t1, 2)
        result["steps_done"] = int(trainer.state.global_step)
        describe_wrapping(trainer, result)
    result["trained"] = result["steps_done"] == opts.steps
    result["train_loss"] = float(output.training_loss)
    result["logged_losses"] = [e["loss"] for e in trainer.state.log_history if "loss" in e]


def describe_wrapping(trainer, result: dict) -> None:
    """Whether the Trainer wrapped the model in DistributedDataParallel, and how."""
    if trainer is None or "wrapper" in result:
        return
    wrapped = getattr(trainer, "model_wrapped", None)
    result["wrapper"] = type(wrapped).__name__ if wrapped is not None else None
    for name in ("find_unused_parameters", "static_graph", "broadcast_buffers"):
        if hasattr(wrapped, name):
            result[f"ddp_{name}"] = getattr(wrapped, name)


if __name__ == "__main__":
    sys.exit(main())
