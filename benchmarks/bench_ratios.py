"""The speed goals as ratios to the tools people already run, both sides measured in one run.

    python benchmarks/bench_ratios.py [--repeat N] [--tree DIR] [--verify]

Absolute times on a shared 2-core machine drift by 2x from hour to hour, so every goal is a
ratio of medians of runs interleaved with its peer's:
  * one config: `ce-lint check --no-cache train.yaml` against `yamllint -d relaxed train.yaml`
    (goal <= 1.0), and the same without --no-cache (a config unchanged since the last check);
  * an installed package tree (default: transformers): `ce-lint check` cold against
    `ruff check --select UP --no-cache` (goal <= 1.0); a rerun with nothing changed against
    ruff's warm rerun with its cache (goal <= 3.0); ce-lint's peak RSS (goal <= 150 MB);
  * with --verify: `ce-lint verify` of one config against importing torch, transformers,
    sentence-transformers and datasets in a fresh process (goal <= 1.3).
A peer that is not installed is said so and its goal skipped. Nothing here asserts: a slow
machine never fails a build; the printed lines are the measurement.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_check import installed_package  # benchmarks/ is on sys.path when run as a script

CONFIG = """\
output_dir: runs/reranker
evaluation_strategy: steps   # evaluate often
eval_steps: 100
per_gpu_train_batch_size: 16
fp16: true
warmup_ratio: 0.1
"""
# What verify trains: a config today's libraries accept (CONFIG's problems would block it).
VERIFY_CONFIG = """\
output_dir: runs/reranker
learning_rate: 2.0e-5
per_device_train_batch_size: 8
eval_strategy: "no"
logging_steps: 50
seed: 1
"""
TARGETS = ["--target", "transformers==5.25", "--target", "sentence-transformers==6.3"]
CE_LINT = [sys.executable, "-m", "ce_lint"]
STACK = "import torch, transformers, sentence_transformers, datasets"
# As installed code runs: bytecode cached (some sandboxes set PYTHONDONTWRITEBYTECODE).
# ce-lint's results cache goes to a folder of this run (set in main), never the user's.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str]) -> tuple[float, int]:
    """(seconds, peak RSS in MB) of one run of `cmd`."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    _, _, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss // 1024


def side_by_side(ours: list[str], peer: list[str], repeat: int) -> tuple[float, float, int]:
    """Medians of interleaved runs (ours, peer) after one warm-up each; ours' peak RSS."""
    timed(ours), timed(peer)
    mine, theirs, rss = [], [], 0
    for _ in range(repeat):
        t, r = timed(ours)
        mine.append(t)
        rss = max(rss, r)
        theirs.append(timed(peer)[0])
    return statistics.median(mine), statistics.median(theirs), rss


def line(goal: str, ours: float, peer: float, limit: float, unit: str = "s") -> str:
    ratio = ours / peer if peer else float("inf")
    verdict = "met" if ratio <= limit else "not met"
    return f"{goal:<44} {ratio:5.2f}x  ({ours:.3f} {unit} vs {peer:.3f} {unit}; goal <= {limit}x: {verdict})"


def tool(name: str) -> str | None:
    here = Path(sys.executable).parent / name
    return str(here) if here.exists() else shutil.which(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument(
        "--tree", type=Path, help="folder to check (default: the transformers package)"
    )
    parser.add_argument("--verify", action="store_true", help="also time ce-lint verify (minutes)")
    options = parser.parse_args()
    yamllint, ruff = tool("yamllint"), tool("ruff")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ENV["CE_LINT_CACHE_DIR"] = str(folder / "ce-lint-cache")
        config = folder / "train.yaml"
        config.write_text(CONFIG, encoding="utf-8")
        ours = [*CE_LINT, "check", "--exit-zero", "-q", *TARGETS, str(config)]
        if yamllint:
            peer = [yamllint, "-d", "relaxed", str(config)]
            # The goal: a config checked for the first time (nothing cached: the real work).
            mine, theirs, _ = side_by_side([*ours, "--no-cache"], peer, options.repeat)
            print(line("one config vs yamllint -d relaxed", mine, theirs, 1.0))
            # For the record: the same config unchanged since ce-lint last checked it.
            mine, theirs, _ = side_by_side(ours, peer, options.repeat)
            print(line("one config, unchanged (cache) vs yamllint", mine, theirs, 1.0))
        else:
            print("one config: yamllint is not installed (pip install yamllint)")

        tree = options.tree or installed_package("transformers")
        if tree is None or not tree.is_dir():
            print("package tree: transformers is not installed (or give --tree)")
        elif not ruff:
            print("package tree: ruff is not installed (pip install ruff)")
        else:
            files = sum(1 for p in tree.rglob("*.py"))
            repeat = max(3, options.repeat // 2)
            ours = [*CE_LINT, "check", "--exit-zero", "-q", *TARGETS, str(tree)]
            peer = [ruff, "check", "--select", "UP", "--exit-zero", "-q", "--no-cache", str(tree)]
            mine, theirs, rss = side_by_side([*ours, "--no-cache"], peer, repeat)
            print(line(f"{tree.name}/ ({files} .py) cold vs ruff --no-cache", mine, theirs, 1.0))
            cache = folder / "ruff-cache"
            warm_peer = [ruff, "check", "--select", "UP", "--exit-zero", "-q",
                         "--cache-dir", str(cache), str(tree)]  # fmt: skip
            # Both fill their cache first (ce-lint's in CE_LINT_CACHE_DIR, set for every run).
            timed(warm_peer), timed(ours)
            mine, theirs, _ = side_by_side(ours, warm_peer, repeat)
            print(line(f"{tree.name}/ rerun, nothing changed, vs ruff warm", mine, theirs, 3.0))
            print(f"{tree.name}/ peak RSS of ce-lint check{'':<16} {rss} MB (goal <= 150 MB: "
                  f"{'met' if rss <= 150 else 'not met'})")  # fmt: skip

        if options.verify:
            clean = folder / "verify.yaml"
            clean.write_text(VERIFY_CONFIG, encoding="utf-8")
            verify = [*CE_LINT, "verify", *TARGETS, str(clean)]
            stack = [sys.executable, "-c", STACK]
            mine, theirs, _ = side_by_side(verify, stack, max(3, options.repeat // 2))
            print(line("verify one config cold vs the stack's import", mine, theirs, 1.3))
            # Each further config of the same run: (time for 5 configs - time for 1) / 4.
            more = [folder / f"train{i}.yaml" for i in range(4)]
            for i, path in enumerate(more):
                # Other settings, so that no run repeats another's (verify trains each once).
                text = VERIFY_CONFIG.replace("seed: 1", f"seed: {i + 2}")
                path.write_text(text.replace("2.0e-5", f"{i + 3}.0e-5"))
            five = [*verify, *map(str, more)]
            one_run, five_run, _ = side_by_side(verify, five, max(3, options.repeat // 2))
            further = (five_run - one_run) / len(more)
            verdict = "met" if further <= 1.0 else "not met"
            print(f"{'verify: each further config in the same run':<44} {further:.3f} s "
                  f"({five_run:.3f} s for 5 vs {one_run:.3f} s for 1; goal <= 1 s: {verdict})")  # fmt: skip


if __name__ == "__main__":
    main()
