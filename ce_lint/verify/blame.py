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
    ordered = sorted(chosen, key=lambda n: (request.lines.get(n, 10**9), n))
    return [(name, request.lines.get(name)) for name in ordered]
