"""Checking never imports torch, and never starts the probe unless a setting needs hardware.

Mirrors tests/test_static_path.py, with the hardware selection on `auto` (as a user gets
it without settings) and an empty cache folder: an entry appears there only when the
probe ran.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_static_path import HEAVY

PLAIN = "output_dir: out\nevaluation_strategy: steps\nlearning_rate: 0.001\nbf16: false\n"
SCRIPT = (
    "from transformers import TrainingArguments\n"
    "args = TrainingArguments(output_dir='out', learning_rate=1e-3, fp16=False)\n"
)


def run(tmp_path: Path, *args: str) -> tuple[set[str], subprocess.CompletedProcess, Path]:
    cache = tmp_path / "cache"
    env = {k: v for k, v in os.environ.items() if k != "CE_LINT_HARDWARE"}
    env["CE_LINT_USER_CACHE"] = str(cache)
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "ce_lint", *args,
         "--target", "transformers==5.24", "--target", "sentence-transformers==6.2"],
        cwd=tmp_path, capture_output=True, text=True, timeout=180, env=env,
    )  # fmt: skip
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    modules = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in proc.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "ce_lint" in modules
    return modules, proc, cache


def probes_run(cache: Path) -> int:
    return len(list((cache / "hardware").glob("probe-*.json")))


def test_no_hardware_setting_no_probe_no_torch(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text(PLAIN)
    (tmp_path / "train.py").write_text(SCRIPT)
    for command in ("check", "fix"):
        modules, proc, cache = run(tmp_path, command, ".")
        assert not modules & set(HEAVY), sorted(modules & set(HEAVY))
        assert probes_run(cache) == 0
        assert "hardware rules skipped" not in proc.stderr


def test_hardware_setting_probes_in_a_subprocess_only(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    (tmp_path / "c.yaml").write_text("output_dir: out\ntf32: true\n")
    modules, proc, cache = run(tmp_path, "check", "--output-format", "concise", ".")
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))
    assert probes_run(cache) == 1
    assert "CE402 on local " in proc.stdout
    # The second run answers from the cache.
    before = next((cache / "hardware").glob("probe-*.json")).stat().st_mtime_ns
    run(tmp_path, "check", ".")
    assert next((cache / "hardware").glob("probe-*.json")).stat().st_mtime_ns == before
