"""What hardware rules cost. Run: python benchmarks/bench_hardware.py [--repeat N]

Prints medians for:
  * the probe itself, cold (a subprocess that imports torch) and cached (key + file read);
  * `ce-lint check` as a fresh process on a config with no hardware-dependent setting (the
    probe never starts), on one with `bf16: true` judged by the cached local probe, and on
    the same with a named profile (`--hardware a100x8`).
The cache lives in a temporary folder; your own cache is not touched. Nothing asserts.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PLAIN = "output_dir: out\nlearning_rate: 0.00002\nnum_train_epochs: 1\n"
HARDWARE = "output_dir: out\nbf16: true\ntf32: true\nddp_backend: nccl\n"
TARGETS = ["--target", "transformers==5.24", "--target", "sentence-transformers==6.2"]


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ce-lint-bench-"))
    os.environ["CE_LINT_USER_CACHE"] = str(folder / "cache")
    os.environ.pop("CE_LINT_HARDWARE", None)
    from ce_lint.hardware import probe

    cold = median_time(lambda: probe.probe_result(refresh=True), args.repeat)
    warm = median_time(probe.local_profile, args.repeat * 20)
    print(f"probe, cold (subprocess importing torch): {cold * 1000:8.1f} ms")
    print(f"probe, cached (key + read + packages):    {warm * 1000:8.1f} ms")

    (folder / "plain.yaml").write_text(PLAIN)
    (folder / "gpu.yaml").write_text(HARDWARE)

    def cli(*extra: str) -> None:
        subprocess.run(
            [sys.executable, "-m", "ce_lint", "check", "--quiet", *TARGETS, *extra],
            cwd=folder, capture_output=True, check=False,
        )  # fmt: skip

    rows = [
        ("check, no hardware setting (auto)", ("plain.yaml",)),
        ("check, bf16/tf32/nccl, cached local probe", ("gpu.yaml",)),
        ("check, bf16/tf32/nccl, --hardware a100x8", ("--hardware", "a100x8", "gpu.yaml")),
        ("check, bf16/tf32/nccl, --hardware off", ("--hardware", "off", "gpu.yaml")),
    ]
    for label, extra in rows:
        seconds = median_time(lambda extra=extra: cli(*extra), args.repeat)
        print(f"{label:<44} {seconds * 1000:8.1f} ms (fresh process)")


if __name__ == "__main__":
    main()
