"""Timing of launch scripts and notebooks. Run: python benchmarks/bench_launch.py [--repeat N]

Prints medians for, in process (engine only, after start-up):
  * checking and fixing the seed-era launch scripts of fixtures/launch;
  * checking and fixing a generated notebook of 300 cells (100 of them seed-era training cells);
  * a 10 MB shell script with no training flags (the prefilter's job);
  * a 1 MB shell script of 5,000 training commands (the lexer's job).
Numbers go to stdout; nothing here asserts.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from ce_lint.engine import Engine
from ce_lint.knowledge import Knowledge
from ce_lint.targets import resolve
from ce_lint.textio import SourceText

ROOT = Path(__file__).resolve().parent.parent
TARGETS = ("transformers==5.24", "sentence-transformers==6.2")


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def notebook(cells: int) -> str:
    sources = []
    for i in range(cells):
        if i % 3 == 0:
            sources.append(
                "from transformers import TrainingArguments\n"
                f"args{i} = TrainingArguments(\n    output_dir='out{i}',\n"
                "    evaluation_strategy='steps',\n    no_cuda=False,\n    seed=1,\n)"
            )
        elif i % 3 == 1:
            sources.append(f"!torchrun t.py --output_dir o{i} --per_gpu_train_batch_size 8")
        else:
            sources.append(f"print({i})\nx = [j * j for j in range({i})]")
    data = {
        "cells": [
            {"cell_type": "code", "execution_count": i, "metadata": {}, "outputs": [],
             "source": s.splitlines(keepends=True)}
            for i, s in enumerate(sources)
        ],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }  # fmt: skip
    return json.dumps(data, indent=1) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    knowledge = Knowledge.load()
    engine = Engine(knowledge, resolve(knowledge, TARGETS, use_installed=False))

    def run(name: str, text: str, fix: bool = True) -> None:
        suffix = ".ipynb" if name.startswith("notebook") else ".sh"
        source = SourceText(name.split()[0].rstrip(",") + suffix, text)
        t = median_time(lambda: engine.check_source(source), args.repeat)
        found = len(engine.check_source(source).findings)
        line = f"{name:<30} {len(text) / 1e3:6.0f} kB {found:6} findings  check {t * 1000:7.1f} ms"
        if fix:
            t = median_time(lambda: engine.fix_source(source, unsafe=True), args.repeat)
            line += f"  fix {t * 1000:7.1f} ms"
        print(line)

    for path in sorted((ROOT / "fixtures" / "launch").glob("*.before.sh")):
        run(path.name, path.read_text())
    run("notebook, 300 cells", notebook(300))
    unrelated = "".join(
        f"cp data/{i}.txt out/ && echo 'copied {i}' >> log\n" for i in range(250_000)
    )
    data = unrelated.encode()
    adapter = engine.adapter_for("x.sh")
    assert adapter is not None
    t = median_time(lambda: adapter.may_hold_arguments(data), args.repeat)
    label = "unrelated shell (prefilter)"
    print(f"{label:<30} {len(data) / 1e3:6.0f} kB {0:6} findings  skip  {t * 1000:7.1f} ms")
    commands = "".join(
        f"torchrun --nproc_per_node 8 train.py --output_dir runs/{i} --evaluation_strategy steps "
        f"--seed {i} --fp16\n"
        for i in range(5_000)
    )
    run("5,000 launch lines", commands, fix=False)


if __name__ == "__main__":
    main()
