"""Timing of the static path. Run: python benchmarks/bench_check.py [--repeat N]

Prints medians for:
  * `ce-lint check` on one seed-era config, as a fresh process (what pre-commit pays);
  * the same check in-process (engine only, after start-up);
  * a 20 MB YAML file that holds no training arguments (the prefilter's job);
  * every file of an installed package tree (default: the transformers package, if present).
Numbers go to stdout; nothing here asserts, so a slow machine never fails a build.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

CONFIG = """\
output_dir: runs/reranker
evaluation_strategy: steps   # evaluate often
eval_steps: 100
per_gpu_train_batch_size: 16
no_cuda: false
fp16: true
push_to_hub_model_id: reranker-v2
push_to_hub_organization: acme
dispatch_batches: false
warmup_ratio: 0.1
"""
TARGETS = ["--target", "transformers==5.24", "--target", "sentence-transformers==6.2"]


def installed_package(name: str) -> Path | None:
    """The folder of an installed package (the tree the speed goals are measured on)."""
    try:
        return Path(str(metadata.distribution(name).locate_file(name)))
    except metadata.PackageNotFoundError:
        return None


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument(
        "--tree", type=Path, default=None, help="folder to check (default: transformers package)"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        config = folder / "train.yaml"
        config.write_text(CONFIG)
        cmd = [sys.executable, "-m", "ce_lint", "check", "--exit-zero", "-q", *TARGETS, str(config)]
        # As installed code runs: bytecode cached (some sandboxes set PYTHONDONTWRITEBYTECODE,
        # which makes every start compile all modules again), after one warm-up run.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        subprocess.run(cmd, capture_output=True, check=True, env=env)
        t = median_time(
            lambda: subprocess.run(cmd, capture_output=True, check=True, env=env), args.repeat
        )
        print(f"check one config, fresh process:      {t * 1000:7.1f} ms (median of {args.repeat})")

        from ce_lint.engine import Engine
        from ce_lint.knowledge import Knowledge
        from ce_lint.targets import resolve

        knowledge = Knowledge.load()
        engine = Engine(knowledge, resolve(knowledge, TARGETS[1::2], use_installed=False))
        t = median_time(lambda: engine.check_path(config), args.repeat * 10)
        print(f"check one config, in process:         {t * 1000:7.2f} ms")

        huge = folder / "huge.yaml"
        with huge.open("w") as handle:
            for i in range(400_000):
                handle.write(f"item_{i}:\n  name: row {i}\n  value: {i * 3}\n  tags: [a, b, c]\n")
        size = huge.stat().st_size / 1e6
        t = median_time(lambda: engine.check_path(huge), 3)
        print(f"unrelated YAML of {size:.0f} MB (prefilter):   {t * 1000:7.1f} ms")

    tree = args.tree or installed_package("transformers")
    if tree is not None and tree.is_dir():
        files = sum(1 for p in tree.rglob("*") if p.is_file())
        cmd = [sys.executable, "-m", "ce_lint", "check", "--exit-zero", "-q", *TARGETS, str(tree)]
        t = median_time(lambda: subprocess.run(cmd, capture_output=True, check=True), 3)
        print(f"check {tree.name}/ ({files} files), fresh process: {t:7.2f} s")


if __name__ == "__main__":
    main()
