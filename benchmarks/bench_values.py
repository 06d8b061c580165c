"""Cost of the value, cross-field, unknown-key and behaviour rules on the static path.

Run: python benchmarks/bench_values.py [--repeat N]

Checks each file of fixtures/values and the seed-era configs in-process, once with every
rule and once with only the field rules (CE1xx without CE19x), and prints the median time
per file. Nothing asserts; the numbers are for the record.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from ce_lint.engine import Engine
from ce_lint.knowledge import Knowledge
from ce_lint.targets import resolve
from ce_lint.textio import SourceText

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted((ROOT / "fixtures" / "values").iterdir()) + sorted(
    (ROOT / "fixtures" / "configs" / "seed-era").glob("*.before.*")
)
TARGETS = ("transformers==5.24", "sentence-transformers==6.2")


def per_file_ms(engine: Engine, sources: list[SourceText], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for source in sources:
            engine.check_source(source)
        times.append((time.perf_counter() - start) / len(sources))
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    repeat = parser.parse_args().repeat
    knowledge = Knowledge.load()
    targets = resolve(knowledge, TARGETS, use_installed=False)
    sources = [SourceText(p.name, p.read_text(encoding="utf-8")) for p in FILES]
    every = Engine(knowledge, targets)
    fields_only = Engine(knowledge, targets, select=["CE1"], ignore=["CE19"])
    per_file_ms(every, sources, 2)  # warm caches
    per_file_ms(fields_only, sources, 2)
    all_ms = per_file_ms(every, sources, repeat)
    base_ms = per_file_ms(fields_only, sources, repeat)
    print(f"{len(sources)} files, median per file over {repeat} rounds")
    print(f"  field rules only (CE1xx): {base_ms:6.2f} ms")
    print(f"  every rule:               {all_ms:6.2f} ms  (+{all_ms - base_ms:.2f} ms)")


if __name__ == "__main__":
    main()
