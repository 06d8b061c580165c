"""Which entries of a config a failed smoke run points at (parent side, plain text work).

Three sources, all limited to entries the config really has: the fields the worker named
as suspects, entry names that appear in the error message as words (`--tf32`, `'bogus'`),
and known messages of the libraries that name a feature rather than a field.
"""

from __future__ import annotations

import re
from typing import Any

from .request import Request

# Message pattern -> the entries that switch that feature on.
KNOWN_CAUSES: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), fields)
    for pattern, fields in (
        (r"bf16|bfloat16", ("bf16", "bf16_full_eval")),
        (r"\bfp16\b|float16|half.precision|GradScaler", ("fp16", "fp16_full_eval")),
        (r"tf32", ("tf32",)),
        (r"nccl|gloo|\bmpi\b|xccl|hccl|process.group|distributed backend", ("ddp_backend",)),
        (r"deepspeed", ("deepspeed",)),
        (r"fsdp|fully.sharded", ("fsdp", "fsdp_config")),
        (r"xxhash", ("batch_sampler",)),
        (r"bitsandbytes|\boptimizer\b", ("optim", "optim_args")),
        (r"liger", ("use_liger_kernel",)),
        (r"dynamo|inductor|torch\.compile", ("torch_compile", "torch_compile_backend", "torch_compile_mode")),
        (r"out of memory", ("per_device_train_batch_size", "per_device_eval_batch_size", "gradient_checkpointing", "activation_checkpointing")),
        (r"num_workers|dataloader", ("dataloader_num_workers", "dataloader_persistent_workers", "dataloader_prefetch_factor")),
    )
)  # fmt: skip


# Failures seen on real GPU machines whose library message does not say what to change:
# pattern -> (entries involved, advice).
KNOWN_FIXES: tuple[tuple[re.Pattern[str], tuple[str, ...], str], ...] = tuple(
    (re.compile(pattern), fields, advice)
    for pattern, fields, advice in (
        (
            r"Expected to mark a variable ready only once",
            ("ddp_find_unused_parameters", "ddp_backend"),
            "DistributedDataParallel searched for unused parameters (the Trainer's default without "
            "gradient checkpointing) and counted a parameter twice; set ddp_find_unused_parameters: false",
        ),
        (
            r"'DataParallel' object has no attribute",
            (),
            "one process saw several GPUs, so the Trainer wrapped the model in DataParallel, which "
            "CrossEncoder training does not support; launch one process per GPU (torchrun, or "
            "ce-lint verify --nproc N) or make one GPU visible (CUDA_VISIBLE_DEVICES=0)",
        ),
    )
)  # fmt: skip


def advice(result: dict[str, Any]) -> str | None:
    """What to change for a failure the libraries explain poorly (None when none is known)."""
    message = f"{result.get('reason') or ''} {result.get('error') or ''}"
    return next((text for pattern, _, text in KNOWN_FIXES if pattern.search(message)), None)


def blame(request: Request, result: dict[str, Any]) -> list[tuple[str, int | None]]:
    """(entry, line) pairs in the order they appear in the config."""
    present = [*request.lines] or [*request.args, *request.unknown]
    error = str(result.get("error") or "")  # what a library raised, if anything did
    message = f"{result.get('reason') or ''} {error}"
    chosen: set[str] = set()
    chosen.update(s for s in result.get("suspects", []) if s in present)
    for name in present:
        if re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", message):
            chosen.add(name)
    for pattern, fields in KNOWN_CAUSES:
        if error and pattern.search(error):
            chosen.update(f for f in fields if f in present)
    for pattern, fields, _ in KNOWN_FIXES:
        if pattern.search(message):
            chosen.update(f for f in fields if f in present)
    ordered = sorted(chosen, key=lambda n: (request.lines.get(n, 10**9), n))
    return [(name, request.lines.get(name)) for name in ordered]
