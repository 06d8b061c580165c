"""The static path (check and fix without verification) never imports the heavy libraries.

Pre-commit runs ce-lint on every commit; torch alone takes seconds to import. The proof
is `python -X importtime`, which lists every module the process imported.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HEAVY = ("torch", "transformers", "sentence_transformers", "accelerate", "datasets")

CONFIG = "output_dir: out\nevaluation_strategy: steps\nbf16: true\ntf32: true\nno_cuda: false\n"
SCRIPT = (
    "from transformers import TrainingArguments\n"
    "args = TrainingArguments(output_dir='out', evaluation_strategy='steps', no_cuda=True)\n"
)


def imported_modules(*args: str, cwd: Path) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "ce_lint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    modules = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            modules.add(name.split(".")[0])
    assert "ce_lint" in modules, "importtime output not understood"
    return modules


def test_check_and_fix_import_no_heavy_library(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text(CONFIG)
    (tmp_path / "c.json").write_text('{"evaluation_strategy": "steps", "seed": 1}')
    (tmp_path / "train.py").write_text(SCRIPT)
    targets = ["--target", "transformers==5.24", "--target", "sentence-transformers==6.2"]
    for command in (["check", *targets, "."], ["fix", "--unsafe-fixes", *targets, "."]):
        modules = imported_modules(*command, cwd=tmp_path)
        assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


def test_checking_a_yaml_file_does_not_import_libcst(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text(CONFIG)
    modules = imported_modules("check", "--target", "transformers==5.24", "c.yaml", cwd=tmp_path)
    assert "libcst" not in modules
