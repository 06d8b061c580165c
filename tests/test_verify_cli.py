"""`ce-lint verify` and `ce-lint fix --verify` end to end, as a user runs them.

Each command starts its own worker (a cold import of the libraries), so there are few.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ce_lint.verify.request import visible_gpus

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "verify"
TARGETS = ("--target", "transformers==5.24", "--target", "sentence-transformers==6.2")


def ce_lint(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ce_lint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )


def copy(folder: Path, *names: str) -> None:
    for name in names:
        shutil.copy(FIXTURES / name, folder / name)


@pytest.mark.libs
@pytest.mark.slow
def test_verify_reports_json_and_fails_when_a_config_fails(tmp_path: Path) -> None:
    copy(tmp_path, "good-cpu.yaml", "huge-learning-rate.yaml")
    (tmp_path / "seed-era.yaml").write_text(
        "output_dir: out\nevaluation_strategy: steps\nseed: 1\n"
    )
    (tmp_path / "notes.yaml").write_text("title: not training arguments\n")
    before = sorted(p.name for p in tmp_path.iterdir())
    proc = ce_lint("verify", *TARGETS, "--output-format", "json", ".", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr[-3000:]
    rows = {row["path"]: row for row in json.loads(proc.stdout)}
    assert {p: r["status"] for p, r in rows.items()} == {
        "good-cpu.yaml": "verified",
        "huge-learning-rate.yaml": "failed",
        "seed-era.yaml": "blocked",
    }
    assert rows["huge-learning-rate.yaml"]["fields"] == [{"name": "learning_rate", "line": 4}]
    assert rows["seed-era.yaml"]["findings"][0].startswith("CE101 line 2")
    assert rows["good-cpu.yaml"]["libraries"]["transformers"]
    progress = [line for line in proc.stderr.splitlines() if line.startswith("ce-lint verify: [")]
    assert len(progress) == 3 and "good-cpu.yaml:2: verified" in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.libs
@pytest.mark.slow
def test_fix_verify_rewrites_then_proves_the_result_trains(tmp_path: Path) -> None:
    config = tmp_path / "train.yaml"
    config.write_text(
        "output_dir: out\n"
        "evaluation_strategy: steps  # renamed in transformers 4.41\n"
        "eval_steps: 500\n"
        "per_gpu_train_batch_size: 4\n"
        "no_cuda: true\n"
    )
    proc = ce_lint("fix", *TARGETS, "--verify", "--steps", "3", "train.yaml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    fixed = config.read_text()
    assert "eval_strategy: steps" in fixed and "use_cpu: true" in fixed
    assert "train.yaml:1  verified  3/3" in proc.stdout
    assert "1 config: 1 verified" in proc.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["train.yaml"]


@pytest.mark.libs
@pytest.mark.slow
def test_two_processes_train_over_gloo_and_nccl_needs_gpus(tmp_path: Path) -> None:
    names = ["gloo.yaml"] + (["nccl.yaml"] if visible_gpus() == 0 else [])
    copy(tmp_path, *names)
    # CE4 would refuse nccl on this machine statically; here the real launch has to refuse it.
    proc = ce_lint(
        "verify", *TARGETS, "--ignore", "CE4", "--output-format", "json", *names, cwd=tmp_path
    )
    rows = {row["path"]: row for row in json.loads(proc.stdout)}
    gloo = rows["gloo.yaml"]
    assert gloo["status"] == "verified", gloo["reason"]
    assert gloo["launcher"] == "torchrun x2" and gloo["world_size"] == 2 and gloo["ranks"] == [0, 1]
    if "nccl.yaml" in rows:
        assert proc.returncode == 1
        nccl = rows["nccl.yaml"]
        assert nccl["status"] == "failed" and "NCCL" in nccl["reason"]
        assert nccl["fields"] == [{"name": "ddp_backend", "line": 3}]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    copy(tmp_path, "good-cpu.yaml")
    assert ce_lint("verify", "--steps", "0", "good-cpu.yaml", cwd=tmp_path).returncode == 2
    assert (
        ce_lint("verify", "--model", "no-such-dir", "good-cpu.yaml", cwd=tmp_path).returncode == 2
    )
    proc = ce_lint("verify", "--output-format", "sarif", "good-cpu.yaml", cwd=tmp_path)
    assert proc.returncode == 2


def test_missing_training_libraries_is_a_usage_error(tmp_path: Path) -> None:
    fake = tmp_path / "fake"
    (fake / "torch").mkdir(parents=True)
    (fake / "torch" / "__init__.py").write_text(
        "raise ImportError('torch is not installed here')\n"
    )
    copy(tmp_path, "good-cpu.yaml")
    env = dict(os.environ, PYTHONPATH=str(fake))
    proc = ce_lint("verify", *TARGETS, "good-cpu.yaml", cwd=tmp_path, env=env)
    assert proc.returncode == 2
    assert "torch is not installed here" in proc.stderr
    assert "pip install 'ce-lint[verify]'" in proc.stderr


def test_nothing_to_verify_is_success(tmp_path: Path) -> None:
    (tmp_path / "notes.yaml").write_text("title: not training arguments\n")
    proc = ce_lint("verify", *TARGETS, ".", cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stdout.startswith("Nothing to verify")


@pytest.mark.libs
@pytest.mark.slow
def test_no_rank_reloads_before_rank_0_has_saved_even_under_load(tmp_path: Path) -> None:
    """The race of the issue: rank 1 reloaded final-model while rank 0 had not written it.
    Busy loops keep every core busy, and CE_LINT_TEST_RANK0_DELAY starts rank 0's training
    late, so that a rank that does not wait for rank 0 before reloading fails every time."""
    names = [f"gloo-{n}.yaml" for n in (1, 2, 3)]
    for name in names:
        shutil.copy(FIXTURES / "gloo.yaml", tmp_path / name)
    env = dict(os.environ, CE_LINT_TEST_RANK0_DELAY="3")
    burners = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"])
        for _ in range(min(os.cpu_count() or 2, 8))
    ]
    try:
        proc = ce_lint("verify", *TARGETS, "--output-format", "json", *names, cwd=tmp_path, env=env)
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
    rows = json.loads(proc.stdout)
    assert [(r["status"], r["ranks"]) for r in rows] == [("verified", [0, 1])] * 3, [
        r["reason"] for r in rows
    ]
    assert proc.returncode == 0
