"""What the CI-facing features cost. Run: python benchmarks/bench_ci.py [--files N] [--repeat R]

Prints medians for:
  * checking N seed-era configs in-process (all rules, for scale), and the suppression step
    alone on N files that hold a suppression comment (other files skip it by a text search);
  * rendering those findings in every output format;
  * writing a baseline for those findings, and filtering them against it;
  * reading the comments of one large YAML file (the worst case of suppression lookup);
  * `ce-lint check --output-format sarif` on one file as a fresh process (a CI step).
Nothing here asserts; the numbers go to stdout.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ce_lint import baseline, suppress  # noqa: E402
from ce_lint.engine import Engine  # noqa: E402
from ce_lint.knowledge import Knowledge  # noqa: E402
from ce_lint.report import format_names, render  # noqa: E402
from ce_lint.reporting import build_report  # noqa: E402
from ce_lint.targets import resolve  # noqa: E402
from ce_lint.textio import SourceText  # noqa: E402

CONFIG = """\
output_dir: runs/reranker-{i}
evaluation_strategy: steps   # evaluate often
eval_steps: 100
per_gpu_train_batch_size: 16
no_cuda: false
logging_dir: runs/tb{suppress}
push_to_hub_model_id: reranker-v2
push_to_hub_organization: acme
warmup_ratio: 0.1
"""
TARGETS = ("transformers==5.24", "sentence-transformers==6.2")


def median(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    knowledge = Knowledge.load()
    engine = Engine(knowledge, resolve(knowledge, TARGETS, use_installed=False))

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        plain = [folder / f"plain{i}.yaml" for i in range(args.files)]
        marked = [folder / f"marked{i}.yaml" for i in range(args.files)]
        for i, path in enumerate(plain):
            path.write_text(CONFIG.format(i=i, suppress=""))
        for i, path in enumerate(marked):
            path.write_text(CONFIG.format(i=i, suppress="  # ce-lint: ignore[CE124]"))

        t_plain = median(lambda: [engine.check_path(p) for p in plain], args.repeat)
        print(f"check {args.files} configs (all rules, for scale):     {t_plain * 1000:8.1f} ms")
        # The suppression step alone, on documents already parsed and checked.
        checked = [engine.check_path(p) for p in marked]
        pairs = [(r.document, list(r.findings)) for r in checked if r.document is not None]
        known = set(engine.kinds)

        def suppress_all() -> None:
            for document, findings in pairs:
                suppress.apply(document, findings, lambda code: True, known, True)

        t_suppress = median(suppress_all, args.repeat)
        print(
            f"suppression step, {args.files} files with a comment each: {t_suppress * 1000:8.1f} ms"
        )

        results = [engine.check_path(p) for p in plain]
        findings = sum(len(r.findings) for r in results)
        for name in format_names():
            # The report is built for every rendering, as each run of ce-lint builds it once.
            t = median(lambda name=name: render(name, build_report(engine, results)), args.repeat)
            print(f"render {findings} findings as {name:<10}                {t * 1000:8.1f} ms")

        items = [(f, r.document) for r in results for f in r.findings]
        base = folder / "baseline.json"
        t_write = median(lambda: baseline.write(base, items), args.repeat)
        print(f"write a baseline of {findings} findings:              {t_write * 1000:8.1f} ms")
        accepted = baseline.Baseline.load(base)
        t_gated = median(
            lambda: [accepted.filter(r.findings, r.document) for r in results], args.repeat
        )
        left = sum(len(accepted.filter(r.findings, r.document)) for r in results)
        print(f"baseline filter over {findings} findings ({left} left):  {t_gated * 1000:8.1f} ms")

        big = "".join(f"key{i}: 'value # {i}'  # comment {i}\n" for i in range(100_000))
        big += "output_dir: out  # ce-lint: ignore[CE101]\n"
        doc = engine.check_source(SourceText("big.yaml", big)).document
        assert doc is not None
        t_comments = median(doc.comments, args.repeat)
        print(
            f"comments of a {len(big) / 1e6:.1f} MB YAML file ({len(doc.comments())} comments): {t_comments * 1000:8.1f} ms"
        )

        cmd = [sys.executable, "-m", "ce_lint", "check", "--output-format", "sarif",
               "--target", TARGETS[0], "--target", TARGETS[1], str(plain[0])]  # fmt: skip
        t_cli = median(lambda: subprocess.run(cmd, capture_output=True, cwd=ROOT), args.repeat)
        print(
            f"`ce-lint check --output-format sarif` on one file:  {t_cli * 1000:8.1f} ms (fresh process)"
        )


if __name__ == "__main__":
    main()
