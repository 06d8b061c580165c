"""Smoke runs on NVIDIA GPUs: real fp16/bf16/tf32 on one GPU, DDP over NCCL on two.

Skipped without CUDA. tools/gpu/verify_gpu.sh runs these on a GPU machine and keeps what
they printed in fixtures/gpu/.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import pytest

from ce_lint.verify.request import Outcome, SmokeOptions, plan, visible_gpus
from ce_lint.verify.runner import Verifier

from .helpers import engine

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "verify"


@functools.cache
def cuda_devices() -> int:
    if visible_gpus() == 0:
        return 0  # no GPU: do not pay for importing torch
    try:
        import torch
    except ImportError:
        return 0
    return torch.cuda.device_count() if torch.cuda.is_available() else 0


@functools.cache
def bf16_supported() -> bool:
    import torch

    return cuda_devices() > 0 and torch.cuda.is_bf16_supported()


needs_gpu = pytest.mark.skipif(cuda_devices() < 1, reason="needs an NVIDIA GPU")
needs_two_gpus = pytest.mark.skipif(cuda_devices() < 2, reason="needs two NVIDIA GPUs")
pytestmark = [pytest.mark.libs, pytest.mark.slow]


@pytest.fixture(scope="module")
def verifier() -> Iterator[Verifier]:
    with Verifier(SmokeOptions()) as shared:
        yield shared


def verify(verifier: Verifier, *names: str, **options: object) -> list[Outcome]:
    check = engine()
    results = [check.check_path(FIXTURES / name) for name in names]
    return verifier.verify(plan(results, SmokeOptions(**options)))  # type: ignore[arg-type]


@pytest.mark.gpu
@needs_gpu
def test_fp16_trains_on_one_gpu(verifier: Verifier) -> None:
    (outcome,) = verify(verifier, "gpu/fp16.yaml")
    assert outcome.status == "verified", outcome.reason
    r = outcome.result
    assert r["device"].startswith("cuda") and r["precision"] == "fp16"
    assert r["memory_kind"] == "cuda" and r["peak_memory_mb"] > 0
    assert r["steps_done"] == 2 and r["loss_finite"]


@pytest.mark.gpu
@needs_gpu
def test_bf16_with_tf32_trains_on_an_ampere_or_newer_gpu(verifier: Verifier) -> None:
    if not bf16_supported():
        pytest.skip("this GPU has no bf16")
    (outcome,) = verify(verifier, "gpu/bf16-tf32.yaml")
    assert outcome.status == "verified", outcome.reason
    assert outcome.result["precision"] == "bf16+tf32"


@pytest.mark.gpu
@needs_gpu
def test_a_destroyed_model_is_caught_on_the_gpu_too(verifier: Verifier) -> None:
    (outcome,) = verify(verifier, "huge-learning-rate.yaml")
    assert outcome.status == "failed"
    assert outcome.fields == [("learning_rate", 4)]
    assert outcome.result["device"].startswith("cuda")


@pytest.mark.multigpu
@needs_two_gpus
def test_ddp_over_nccl_on_two_gpus_every_rank_finishes(verifier: Verifier) -> None:
    (outcome,) = verify(verifier, "gpu/nccl-2gpu.yaml", nproc=2)
    assert outcome.status == "verified", outcome.reason
    r = outcome.result
    assert outcome.launcher == "torchrun x2"
    assert r["world_size"] == 2 and r["ranks_finished"] == [0, 1]
    assert r["device"].startswith("cuda") and r["precision"] == "bf16"


@pytest.mark.multigpu
@needs_two_gpus
def test_ddp_defaults_fail_with_advice(verifier: Verifier) -> None:
    (outcome,) = verify(verifier, "gpu/nccl-default.yaml", nproc=2)
    assert outcome.status == "failed"
    assert "ddp_find_unused_parameters: false" in (outcome.hint or "")


@pytest.mark.multigpu
@needs_two_gpus
def test_one_process_seeing_two_gpus_fails_with_advice(verifier: Verifier) -> None:
    (outcome,) = verify(verifier, "gpu/fp16.yaml", nproc=1)
    if outcome.status == "verified":
        pytest.skip("this stack trains CrossEncoders under DataParallel")
    assert "torchrun" in (outcome.hint or ""), outcome.reason
