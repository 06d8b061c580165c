"""The long fuzz campaign: mutated fixtures through check and fix, failures minimised.

    python -m tools.fuzz.campaign --format yaml --inputs 10000 --out fuzz-out
    python -m tools.fuzz.campaign --format yaml,json,py,sh,ipynb --workers 2 --seed 1
    python -m tools.fuzz.campaign --format sh --replay 4711     # one input again, in-process

Input i of a format is made from (seed, format, i) alone (tools/fuzz/inputs.py), so any input
can be made again. Workers are subprocesses that take batches of input numbers; each check or
fix call has --timeout seconds (an alarm in the worker, which names where it was), and a worker
that stops answering is killed and its input counted as a hang. Every property of
tools/fuzz/props.py is checked in four modes (check, fix, fix --unsafe-fixes, and the latter
with --from transformers==4.44), in-process in the worker; fix --unsafe-fixes runs only where
the safe fix met a finding with an unsafe fix (elsewhere it would repeat the safe fix step for
step; `unsafe-same-as-safe` counts those inputs). Failures are grouped by signature; the smallest input of each
is minimised (lines, then characters) and saved with a JSON description:

    OUT/FORMAT/PROP-HASH/failure.json, input.EXT, minimized.EXT
    OUT/FORMAT/summary.json, OUT/summary.json

A summary table per format is printed at the end (and after each format).
"""

from __future__ import annotations

import argparse
import base64
import gc
import hashlib
import json
import os
import queue
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from .seeds import FORMATS, file_name

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_FORMATS = ("yaml", "json", "py", "sh", "ipynb")
COLUMNS = (
    ("crash", "crashes"),
    ("hang", "hangs"),
    ("parse_break", "parse breaks"),
    ("emptied", "emptied"),
    ("out_of_span", "out-of-span"),
    ("newline", "newline"),
    ("lost_data", "lost data"),
    ("non_idempotent", "non-idempotent"),
    ("misplaced", "misplaced"),
    ("fix_refused", "fix refused"),
    ("harness", "harness errors"),
)


# ---- the worker: a subprocess that runs inputs and minimisations ---------------------------


def worker(stage_timeout: float) -> None:
    """Read jobs (JSON lines) on stdin, answer on the real stdout; ce-lint's prints go to stderr."""
    proto: TextIO = os.fdopen(os.dup(1), "w", buffering=1)
    sys.stdout = sys.stderr
    from .inputs import campaign_input
    from .minimize import Minimizer
    from .props import Failure, Harness, last_frames, location

    harness = Harness(stage_timeout=stage_timeout)
    # The knowledge, the engines and the seeds live as long as the worker: the collector need
    # not walk them again and again (a fifth of the time otherwise).
    gc.freeze()
    frozen: set[str] = set()

    def send(message: dict[str, Any]) -> None:
        proto.write(json.dumps(message) + "\n")
        proto.flush()

    for line in sys.stdin:
        job = json.loads(line)
        if "minimize" in job:
            spec = job["minimize"]
            data = Path(spec["input"]).read_bytes()
            minimizer = Minimizer(harness, spec["fmt"], spec["mode"], spec["signature"])
            best = minimizer.minimize(data, spec["budget"])
            Path(spec["output"]).write_bytes(best)
            detail = minimizer.last.detail if minimizer.last else ""
            send({"minimized": len(best), "detail": detail, "tests": len(minimizer.cache)})
            continue
        fmt, seed = job["fmt"], job["seed"]
        if fmt not in frozen:
            frozen.add(fmt)
            campaign_input(fmt, seed, 0)  # builds the format's seeds once
            gc.freeze()
        for index in range(job["start"], job["end"]):
            send({"begin": index})
            item = campaign_input(fmt, seed, index)
            started = time.monotonic()
            try:
                failures = harness.run(item.data, fmt)
            except Exception as exc:  # a bug of the harness itself: reported, never fatal
                sig = f"harness:{fmt}:{type(exc).__name__}:{location(exc)}"
                failures = [Failure("harness", "?", sig, last_frames(exc, 10))]
            send(
                {
                    "index": index,
                    "seconds": time.monotonic() - started,
                    "size": len(item.data),
                    "failures": [f.to_json() for f in failures],
                    "reached": sorted(harness.seen),
                }
            )
        send({"done": True})


class Worker:
    """One worker subprocess, with a thread that queues its answers."""

    def __init__(self, stage_timeout: float, log: Path):
        self.stage_timeout = stage_timeout
        self.log = log
        self.start()

    def start(self) -> None:
        env = dict(os.environ, CE_LINT_HARDWARE="off", PYTHONHASHSEED="0")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tools.fuzz.campaign",
                "--worker",
                "--timeout",
                str(self.stage_timeout),
            ],
            cwd=REPO_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log.open("ab"),
            text=True,
            env=env,
        )
        self.answers: queue.Queue[dict[str, Any] | None] = queue.Queue()
        threading.Thread(target=self._read, args=(self.proc, self.answers), daemon=True).start()

    @staticmethod
    def _read(proc: subprocess.Popen[str], answers: queue.Queue[dict[str, Any] | None]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            answers.put(json.loads(line))
        answers.put(None)  # the process ended

    def send(self, job: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()

    def receive(self, timeout: float) -> dict[str, Any] | None:
        """The next answer; None when the worker died or stayed silent for `timeout` s."""
        try:
            return self.answers.get(timeout=timeout)
        except queue.Empty:
            return None

    def restart(self) -> None:
        self.stop()
        self.start()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


# ---- the campaign ----------------------------------------------------------------------------


@dataclass
class Group:
    """Every input that failed with one signature."""

    prop: str
    mode: str
    signature: str
    detail: str
    count: int = 0
    first: int = -1
    smallest: int = -1
    smallest_size: int = 1 << 62


@dataclass
class FormatRun:
    fmt: str
    inputs: int = 0
    seconds: float = 0.0
    per_prop: dict[str, int] = field(default_factory=dict)  # inputs with each property broken
    reached: dict[str, int] = field(default_factory=dict)  # inputs read, parsed, fixed
    groups: dict[str, Group] = field(default_factory=dict)

    def record(
        self, index: int, size: int, failures: list[dict[str, str]], reached: list[str] = ()
    ) -> None:
        self.inputs += 1
        for stage in reached:
            self.reached[stage] = self.reached.get(stage, 0) + 1
        for prop in {f["prop"] for f in failures}:
            self.per_prop[prop] = self.per_prop.get(prop, 0) + 1
        for f in failures:
            group = self.groups.setdefault(
                f["signature"], Group(f["prop"], f["mode"], f["signature"], f["detail"])
            )
            group.count += 1
            if group.first < 0:
                group.first = index
            if size < group.smallest_size:
                group.smallest, group.smallest_size = index, size


def _hard_timeout(stage_timeout: float) -> float:
    # Four modes, each a check, a fix and a second fix, plus the parsers: far more than needed.
    return 12 * stage_timeout + 60


def _run_batches(run: FormatRun, args: argparse.Namespace, workers: list[Worker]) -> None:
    batches: queue.Queue[tuple[int, int]] = queue.Queue()
    for start in range(0, args.inputs, args.batch):
        batches.put((start, min(start + args.batch, args.inputs)))
    lock = threading.Lock()
    started = time.monotonic()

    def progress() -> None:
        done = run.inputs
        rate = done / max(time.monotonic() - started, 1e-9)
        broken = sum(run.per_prop.values())
        print(
            f"[{run.fmt}] {done}/{args.inputs} inputs, {rate:.1f}/s, {broken} failures, {len(run.groups)} signatures",
            flush=True,
        )

    def drive(w: Worker) -> None:
        while True:
            try:
                start, end = batches.get_nowait()
            except queue.Empty:
                return
            pending = start
            w.send({"fmt": run.fmt, "seed": args.seed, "start": start, "end": end})
            while pending < end:
                answer = w.receive(_hard_timeout(args.timeout))
                if answer is None:  # silent or dead: the input it began is a hang
                    with lock:
                        hang = {
                            "prop": "hang",
                            "mode": "?",
                            "signature": f"hang:{run.fmt}:killed",
                            "detail": "the worker stopped answering and was killed",
                        }
                        run.record(pending, 0, [hang])
                    w.restart()
                    pending += 1
                    if pending < end:
                        w.send({"fmt": run.fmt, "seed": args.seed, "start": pending, "end": end})
                    continue
                if "index" in answer:
                    with lock:
                        run.record(
                            answer["index"],
                            answer["size"],
                            answer["failures"],
                            answer.get("reached", []),
                        )
                        if run.inputs % 500 == 0:
                            progress()
                    pending = answer["index"] + 1
            # the batch's closing message
            while True:
                answer = w.receive(_hard_timeout(args.timeout))
                if answer is None or answer.get("done"):
                    break

    threads = [threading.Thread(target=drive, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    run.seconds = time.monotonic() - started
    progress()


def _ext(fmt: str) -> str:
    name = file_name(fmt)
    return name.rsplit(".", 1)[1] if "." in name else "mk"


def _save_groups(
    run: FormatRun, args: argparse.Namespace, workers: list[Worker]
) -> list[dict[str, Any]]:
    """Each group's smallest input, minimised (in the workers, in parallel), with failure.json."""
    from .inputs import campaign_input

    folder = Path(args.out) / run.fmt
    jobs: queue.Queue[tuple[int, Group]] = queue.Queue()
    ranked = sorted(run.groups.values(), key=lambda g: (-g.count, g.signature))
    for rank, group in enumerate(ranked):
        jobs.put((rank, group))
    described: list[dict[str, Any]] = []
    lock = threading.Lock()

    def drive(w: Worker) -> None:
        while True:
            try:
                rank, group = jobs.get_nowait()
            except queue.Empty:
                return
            digest = hashlib.sha1(group.signature.encode()).hexdigest()[:10]
            where = folder / f"{group.prop}-{digest}"
            where.mkdir(parents=True, exist_ok=True)
            item = campaign_input(run.fmt, args.seed, group.smallest)
            original = where / f"input.{_ext(run.fmt)}"
            original.write_bytes(item.data)
            minimized = where / f"minimized.{_ext(run.fmt)}"
            info: dict[str, Any] = {
                "format": run.fmt,
                "prop": group.prop,
                "mode": group.mode,
                "signature": group.signature,
                "count": group.count,
                "seed": args.seed,
                "index": group.smallest,
                "first_index": group.first,
                "origin": item.origin,
                "mutations": item.mutations,
                "detail": group.detail,
                "input": original.name,
                "input_size": len(item.data),
            }
            minimize = args.minimize_budget > 0 and rank < args.minimize_max
            if minimize and group.mode in ("check", "fix-safe", "fix-unsafe", "fix-era"):
                w.send(
                    {
                        "minimize": {
                            "fmt": run.fmt,
                            "mode": group.mode,
                            "signature": group.signature,
                            "input": str(original),
                            "output": str(minimized),
                            "budget": args.minimize_budget,
                        }
                    }
                )
                answer = w.receive(args.minimize_budget + _hard_timeout(args.timeout))
                if answer is None:
                    w.restart()
                elif "minimized" in answer:
                    info |= {
                        "minimized": minimized.name,
                        "minimized_size": answer["minimized"],
                        "minimized_detail": answer["detail"],
                        "minimized_b64": base64.b64encode(minimized.read_bytes()).decode(),
                    }
            (where / "failure.json").write_text(json.dumps(info, indent=2) + "\n")
            with lock:
                described.append(info)

    threads = [threading.Thread(target=drive, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(described, key=lambda d: -d["count"])


def summary_row(run: FormatRun) -> dict[str, Any]:
    row: dict[str, Any] = {
        "format": run.fmt,
        "inputs": run.inputs,
        "seconds": round(run.seconds, 1),
    }
    row["inputs_per_s"] = round(run.inputs / run.seconds, 2) if run.seconds else 0.0
    for stage in ("read", "parsed", "fixed", "unsafe-same-as-safe"):
        row[stage] = run.reached.get(stage, 0)
    for prop, _ in COLUMNS:
        row[prop] = run.per_prop.get(prop, 0)
    row["signatures"] = len(run.groups)
    return row


def print_table(rows: list[dict[str, Any]]) -> None:
    heads = (
        ["format", "inputs", "inputs/s", "parsed", "fixed"]
        + [t for _, t in COLUMNS]
        + ["signatures"]
    )
    keys = (
        ["format", "inputs", "inputs_per_s", "parsed", "fixed"]
        + [p for p, _ in COLUMNS]
        + ["signatures"]
    )
    widths = [
        max(len(h), *(len(str(r[k])) for r in rows)) for h, k in zip(heads, keys, strict=True)
    ]
    print("  ".join(h.rjust(w) for h, w in zip(heads, widths, strict=True)))
    for r in rows:
        print("  ".join(str(r[k]).rjust(w) for k, w in zip(keys, widths, strict=True)))
    print("(parsed: inputs ce-lint could read and parse; fixed: inputs a fix changed; the property")
    print(" columns count inputs that broke it at least once; signatures: distinct failures)")


def replay(args: argparse.Namespace) -> int:
    from .inputs import campaign_input
    from .props import Harness

    harness = Harness(stage_timeout=args.timeout)
    for fmt in args.formats:
        item = campaign_input(fmt, args.seed, args.replay)
        print(f"{fmt} #{args.replay}: {item.origin} {item.mutations} ({len(item.data)} bytes)")
        print(repr(item.data[:2000]))
        for failure in harness.run(item.data, fmt):
            print(json.dumps(failure.to_json(), indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m tools.fuzz.campaign", description=__doc__.split("\n\n")[0]
    )
    ap.add_argument(
        "--format",
        default=",".join(DEFAULT_FORMATS),
        help=f"comma-separated, of {', '.join(FORMATS)}",
    )
    ap.add_argument("--inputs", type=int, default=10_000, help="inputs per format")
    ap.add_argument("--batch", type=int, default=50, help="inputs per job sent to a worker")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="fuzz-out", help="folder for failures and summaries")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--timeout", type=float, default=5.0, help="seconds for one check or fix call")
    ap.add_argument(
        "--minimize-budget", type=float, default=60.0, help="seconds per failure (0: no minimising)"
    )
    ap.add_argument(
        "--minimize-max",
        type=int,
        default=40,
        help="minimise the N most frequent signatures of a format (the rest keep their input)",
    )
    ap.add_argument(
        "--replay", type=int, default=None, help="run one input in-process and print its failures"
    )
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        worker(args.timeout)
        return 0
    args.formats = [f.strip() for f in args.format.split(",") if f.strip()]
    unknown = [f for f in args.formats if f not in FORMATS]
    if unknown:
        ap.error(f"unknown format {', '.join(unknown)} (choose from {', '.join(FORMATS)})")
    if args.replay is not None:
        return replay(args)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    overall_path = out / "summary.json"
    overall: dict[str, Any] = json.loads(overall_path.read_text()) if overall_path.exists() else {}
    for fmt in args.formats:
        workers = [
            Worker(args.timeout, out / f"worker-{fmt}-{k}.log") for k in range(max(args.workers, 1))
        ]
        try:
            run = FormatRun(fmt)
            _run_batches(run, args, workers)
            failures = _save_groups(run, args, workers)
        finally:
            for w in workers:
                w.stop()
        row = summary_row(run)
        rows.append(row)
        (out / fmt).mkdir(parents=True, exist_ok=True)
        (out / fmt / "summary.json").write_text(
            json.dumps({"summary": row, "failures": failures}, indent=2) + "\n"
        )
        overall[fmt] = row
        overall_path.write_text(json.dumps(overall, indent=2) + "\n")
        print_table([row])
    if len(rows) > 1:
        print()
        print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
