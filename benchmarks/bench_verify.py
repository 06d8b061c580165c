"""Timing of `ce-lint verify`. Run: python benchmarks/bench_verify.py [--repeat N] [--configs K]

Prints medians (and minimums: the least disturbed run on a shared machine) for:
  * one config verified by a fresh `ce-lint verify` process: everything a user waits for,
    the import of torch/transformers/sentence-transformers in the worker included
    (goal: under 10 s on 2 CPU cores);
  * each further config in the same run: (time for K configs - time for 1) / (K - 1)
    (goal: under 2 s), and the worker's own time per config from the JSON report.
Numbers go to stdout; nothing here asserts, so a slow machine never fails a build.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CONFIG = """\
output_dir: runs/reranker-{n}
learning_rate: 2.0e-5
per_device_train_batch_size: 8
eval_strategy: steps
eval_steps: 500
save_strategy: steps
save_steps: 500
logging_steps: 50
seed: {n}
"""
TARGETS = ["--target", "transformers==5.24", "--target", "sentence-transformers==6.2"]


def verify(paths: list[Path]) -> tuple[float, list[dict]]:
    cmd = [sys.executable, "-m", "ce_lint", "verify", "--output-format", "json", *TARGETS]
    start = time.perf_counter()
    proc = subprocess.run([*cmd, *map(str, paths)], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"verify failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr[-3000:]}")
    return elapsed, json.loads(proc.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--configs", type=int, default=6, help="configs in the multi-config run")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = []
        for n in range(args.configs):
            path = folder / f"train{n}.yaml"
            path.write_text(CONFIG.format(n=n))
            paths.append(path)

        verify(paths[:1])  # warm the file cache once; not counted
        cold = [verify(paths[:1]) for _ in range(args.repeat)]
        many = [verify(paths) for _ in range(args.repeat)]

    one = [t for t, _ in cold]
    k = [t for t, _ in many]
    further = [(b - a) / (args.configs - 1) for a, b in zip(sorted(one), sorted(k), strict=True)]
    in_worker = [r["seconds"] for _, rows in many for r in rows[1:]]
    load = os.getloadavg()[0]
    print(f"cores: {os.cpu_count()}, load average now {load:.2f}; median (min) of {args.repeat}")
    print(f"one config, fresh process (imports included): {span(one)}   goal < 10 s")
    print(f"{args.configs} configs, fresh process:                   {span(k)}")
    print(f"each further config in the same run:          {span(further)}   goal < 2 s")
    print(f"  of which the worker's smoke run:            {span(in_worker)}")


def span(values: list[float]) -> str:
    return f"{statistics.median(values):6.2f} s ({min(values):.2f} s)"


if __name__ == "__main__":
    main()
