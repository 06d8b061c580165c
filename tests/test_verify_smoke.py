"""Real smoke runs with the real libraries on the CPU, through one shared worker process.

The module-wide Verifier keeps one worker alive, so the libraries are imported once for all
of these tests (a fresh import costs several seconds on two cores).
"""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from ce_lint.verify.request import Outcome, SmokeOptions, plan, visible_gpus
from ce_lint.verify.runner import Verifier

from .helpers import engine

pytestmark = [pytest.mark.libs, pytest.mark.slow]
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "verify"
cpu_only = pytest.mark.skipif(visible_gpus() > 0, reason="checks what a CPU-only machine refuses")


@pytest.fixture(scope="module")
def verifier() -> Iterator[Verifier]:
    if importlib.util.find_spec("sentence_transformers") is None:  # found, not imported
        pytest.skip("needs the [verify] extra")
    with Verifier(SmokeOptions()) as shared:
        yield shared


def snapshot(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in sorted(root.rglob("*"))}


def verify(verifier: Verifier, folder: Path, *names: str, **options: object) -> list[Outcome]:
    """Copy fixtures into `folder` (the current directory) and verify them."""
    check = engine()
    results = []
    for name in names:
        target = folder / Path(name).name
        shutil.copy(FIXTURES / name, target)
        results.append(check.check_path(target))
    return verifier.verify(plan(results, SmokeOptions(**options), gpus=0))  # type: ignore[arg-type]


def test_a_good_cpu_config_verifies_and_nothing_is_written_to_the_users_paths(
    verifier: Verifier, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    fixtures_before = snapshot(FIXTURES)
    (outcome,) = verify(verifier, tmp_path, "good-cpu.yaml")
    assert outcome.status == "verified", outcome.reason
    r = outcome.result
    assert r["steps_done"] == 2 and r["loss_finite"]
    assert isinstance(r["eval_loss"], float) and r["device"] == "cpu" and r["precision"] == "fp32"
    assert r["checkpoints"] == ["checkpoint-1", "checkpoint-2"]  # save_steps 400 -> every step
    assert r["reloaded_from"] == "checkpoint"
    assert r["peak_memory_mb"] > 0
    assert {
        "output_dir redirected to a temporary directory",
        "push_to_hub turned off",
        "report_to set to none",
    } <= set(r["notes"])
    # The config's output_dir (relative to where training starts) and its folder stay untouched.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good-cpu.yaml"]
    assert snapshot(FIXTURES) == fixtures_before


def test_a_learning_rate_that_destroys_the_weights_fails_although_the_loss_looks_finite(
    verifier: Verifier, tmp_path: Path
) -> None:
    (outcome,) = verify(verifier, tmp_path, "huge-learning-rate.yaml")
    assert outcome.status == "failed"
    assert outcome.result["loss_finite"]  # what the Trainer logged looked fine
    assert "learning_rate 1e+06 is too large" in outcome.reason
    assert outcome.fields == [("learning_rate", 4)]


@cpu_only
@pytest.mark.parametrize(
    ("name", "field", "line"), [("bf16.yaml", "bf16", 3), ("tf32.json", "tf32", 4)]
)
def test_precision_a_cpu_cannot_give_fails_and_points_at_the_line(
    verifier: Verifier, tmp_path: Path, name: str, field: str, line: int
) -> None:
    (outcome,) = verify(verifier, tmp_path, name)
    assert outcome.status == "failed"
    assert outcome.reason.startswith("building the arguments: ValueError")
    assert field in outcome.reason
    assert (field, line) in outcome.fields


def test_a_failure_leaves_the_worker_fit_for_the_next_config(
    verifier: Verifier, tmp_path: Path
) -> None:
    first, second = verify(verifier, tmp_path, "huge-learning-rate.yaml", "multi-dataset.yaml")
    assert first.status == "failed"
    # prompts per dataset and a multi-dataset sampler: trained on a DatasetDict; the best
    # model is picked by a metric of the stand-in evaluator
    assert second.status == "verified", second.reason
    assert second.result["steps_done"] == 2


def test_unknown_values_fall_back_to_defaults_and_are_reported(
    verifier: Verifier, tmp_path: Path
) -> None:
    if not engine().handles("train.py"):
        pytest.skip("no Python adapter")
    (outcome,) = verify(verifier, tmp_path, "unknown-values.py")
    assert outcome.status == "verified", outcome.reason
    assert outcome.unknown == ["output_dir", "per_device_train_batch_size"]
    assert outcome.line == 8


def test_an_entry_that_is_no_field_fails_even_when_its_value_is_unknown(
    verifier: Verifier, tmp_path: Path
) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(
        "output_dir: out\nseed: 3\nlearning_rate: !!python/name:os.getpid\nnot_a_field: !env X\n"
    )
    (outcome,) = verifier.verify(
        plan([engine(select=["CE9"]).check_path(config)], SmokeOptions(), gpus=0)
    )
    assert outcome.status == "failed"
    assert "`not_a_field` is not a field of CrossEncoderTrainingArguments" in outcome.reason
    assert outcome.fields == [("not_a_field", 4)]
    assert outcome.unknown == ["learning_rate", "not_a_field"]
