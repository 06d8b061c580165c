"""Failures seen on GPU machines get advice (the messages were captured on two H200s)."""

from __future__ import annotations

from ce_lint.verify.blame import advice, blame
from ce_lint.verify.request import Request

DDP_TWICE = (
    "RuntimeError: Expected to mark a variable ready only once. This error is caused by one of the "
    "following reasons: ... Parameter at index 39 with name 0.model.classifier.weight has been marked "
    "as ready twice."
)


def test_ddp_marked_twice_points_at_find_unused_parameters() -> None:
    result = {"ok": False, "phase": "train", "reason": "rank 0: " + DDP_TWICE, "error": DDP_TWICE}
    assert "ddp_find_unused_parameters: false" in (advice(result) or "")
    request = Request(
        path="c.yaml",
        line=1,
        cls="CrossEncoderTrainingArguments",
        args={"output_dir": "o", "ddp_backend": "nccl"},
        unknown=[],
        lines={"output_dir": 1, "ddp_backend": 2},
        steps=2,
        model=None,
        nproc=2,
        distributed=True,
    )
    assert ("ddp_backend", 2) in blame(request, result)


def test_data_parallel_points_at_one_process_per_gpu() -> None:
    error = "AttributeError: 'DataParallel' object has no attribute 'device'"
    assert "torchrun" in (advice({"error": error}) or "")


def test_unknown_failures_get_no_advice() -> None:
    assert advice({"error": "ValueError: something else"}) is None
