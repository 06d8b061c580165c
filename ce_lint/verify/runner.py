"""Running requests: one shared worker process for the run, torchrun for several processes.

Parent side: nothing heavy is imported here. The worker is started once and answers one
JSON line per request, so the libraries are imported once per run. A request that runs past
its timeout gets the worker killed (its whole process group) and a fresh one for the next.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import ce_lint

from ..fileio import atomic_write_text
from .blame import advice, blame
from .request import STAND_INS, Outcome, Request, SmokeOptions

# Secrets a smoke run must never see, and rank variables of an enclosing launch.
DROPPED_VARIABLES = (
    "HF_TOKEN",
    "HUGGING_FACE_HUB_TOKEN",
    "HUGGINGFACE_HUB_TOKEN",
    "HF_API_TOKEN",
    "WANDB_API_KEY",
    "COMET_API_KEY",
    "NEPTUNE_API_TOKEN",
    "MLFLOW_TRACKING_TOKEN",
    "RANK",
    "LOCAL_RANK",
    "WORLD_SIZE",
    "LOCAL_WORLD_SIZE",
    "GROUP_RANK",
    "MASTER_ADDR",
    "MASTER_PORT",
    "TORCHELASTIC_RUN_ID",
)
READY_TIMEOUT = 600.0  # importing torch on a cold, busy machine


class VerifyUnavailable(Exception):
    """The worker cannot start here (the [verify] extra is missing or broken)."""


def worker_environment(home: Path) -> dict[str, str]:
    """Offline, no tokens, every cache inside `home` (a temporary directory)."""
    env = {k: v for k, v in os.environ.items() if k not in DROPPED_VARIABLES}
    (home / "tmp").mkdir(exist_ok=True)
    env.update(
        TMPDIR=str(home / "tmp"),  # even a killed worker's temporary files go away with home
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        HF_DATASETS_OFFLINE="1",
        HF_HUB_DISABLE_TELEMETRY="1",
        HF_HOME=str(home / "hf-home"),
        HF_DATASETS_CACHE=str(home / "hf-home" / "datasets"),
        HF_TOKEN_PATH=str(home / "no-token"),
        TRITON_CACHE_DIR=str(home / "triton"),
        TORCHINDUCTOR_CACHE_DIR=str(home / "inductor"),
        WANDB_MODE="disabled",
        WANDB_DISABLED="true",
        TOKENIZERS_PARALLELISM="false",
        PYTHONUNBUFFERED="1",
        # transformers 5.25 swaps layers for kernels from the Hub by default: a verify run must
        # not depend on what an offline cache holds (the user's real run may fetch them).
        USE_HUB_KERNELS="NO",
    )
    # The worker must import this very ce_lint, installed or not.
    package_root = str(Path(ce_lint.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    return env


class Worker:
    """The shared worker: JSON lines over its stdin/stdout, its stderr kept in a log file."""

    COMMAND = (sys.executable, "-m", "ce_lint.verify.worker")

    def __init__(self, env: dict[str, str], home: Path, command: tuple[str, ...] = COMMAND):
        self.env = env
        self.home = home
        self.command = command
        self.process: subprocess.Popen[bytes] | None = None
        self.info: dict[str, Any] | None = None
        self._buffer = b""
        self._log: IO[bytes] | None = None

    def start(self) -> None:
        if self.process is not None:
            return
        self._log = tempfile.TemporaryFile(dir=self.home)  # noqa: SIM115 - lives as long as the worker
        self._buffer = b""
        self.info = None
        self.process = subprocess.Popen(
            list(self.command),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            env=self.env,
            cwd=self.home,
            start_new_session=True,  # its own process group: a timeout kills it whole
        )

    def ready(self) -> dict[str, Any]:
        """Wait for the worker's first line; VerifyUnavailable when it cannot start."""
        self.start()
        if self.info is not None:
            return self.info
        try:
            line = self._read_line(time.monotonic() + READY_TIMEOUT)
        except TimeoutError:
            self.kill()
            raise VerifyUnavailable(
                f"the worker did not start within {READY_TIMEOUT:g} s"
            ) from None
        message = json.loads(line) if line else {"type": "fatal", "error": self.log_tail()}
        if message.get("type") != "ready":
            self.kill()
            raise VerifyUnavailable(
                f"cannot import the training libraries: {message.get('error')}. "
                "Install them with: pip install 'ce-lint[verify]'"
            )
        self.info = message
        return message

    def run(self, payload: dict[str, Any], timeout: float) -> dict[str, Any]:
        self.ready()
        assert self.process is not None and self.process.stdin is not None
        mark = self._log_size()
        try:
            self.process.stdin.write(
                (json.dumps({"type": "run", "request": payload}) + "\n").encode()
            )
            self.process.stdin.flush()
            line = self._read_line(time.monotonic() + timeout)
        except TimeoutError:
            self.kill()
            return {
                "ok": False,
                "phase": "timeout",
                "reason": f"no result within {timeout:g} s (use --timeout to allow more)",
            }
        except BrokenPipeError:
            line = None
        if not line:
            code = None
            with contextlib.suppress(subprocess.TimeoutExpired):
                code = self.process.wait(timeout=5)  # it closed stdout: it is exiting
            tail = self.log_tail(mark)
            self.kill()
            return {
                "ok": False,
                "phase": "crash",
                "reason": f"the worker process died (exit code {code}){': ' + tail if tail else ''}",
            }
        return json.loads(line)["result"]

    def _read_line(self, deadline: float) -> str | None:
        assert self.process is not None and self.process.stdout is not None
        fd = self.process.stdout.fileno()
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            readable, _, _ = select.select([fd], [], [], remaining)
            if not readable:
                continue
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return None
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line.decode("utf-8", "replace")

    def _log_size(self) -> int:
        if self._log is None:
            return 0
        self._log.seek(0, os.SEEK_END)
        return self._log.tell()

    def log_tail(self, since: int = 0) -> str:
        if self._log is None:
            return ""
        self._log.seek(since)
        return last_error_line(self._log.read().decode("utf-8", "replace"))

    def kill(self) -> None:
        if self.process is not None:
            kill_group(self.process)
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        if self.info is None:  # still importing, or never asked: no need to wait for it
            self.kill()
            return
        with contextlib.suppress(OSError):
            assert self.process.stdin is not None
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            kill_group(self.process)
        self.process = None


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill a process we started in its own session, with its children (dataloader workers)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)


def last_error_line(text: str) -> str:
    """The most telling line of a log: the last exception line, else the last line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in reversed(lines):
        head = line.split(":", 1)[0]
        if head.endswith(("Error", "Exception", "Interrupt")) or "Error: " in line:
            return line[:600]
    return lines[-1][:600] if lines else ""


def run_torchrun(
    request: Request, env: dict[str, str], home: Path, timeout: float
) -> dict[str, Any]:
    """One request on `request.nproc` processes; every rank has to report success."""
    work = Path(tempfile.mkdtemp(prefix="torchrun-", dir=home))
    try:
        results_dir = work / "results"
        results_dir.mkdir()
        request_file = work / "request.json"
        payload = request.payload() | {"workdir": str(work / "run")}
        atomic_write_text(request_file, json.dumps(payload))
        command = [
            sys.executable, "-m", "torch.distributed.run", "--standalone", "--nnodes=1",
            f"--nproc_per_node={request.nproc}", "-m", "ce_lint.verify.worker",
            "--request", str(request_file), "--result-dir", str(results_dir),
        ]  # fmt: skip
        log_path = work / "torchrun.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=work,
                start_new_session=True,
            )
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                kill_group(process)
                return {
                    "ok": False,
                    "phase": "timeout",
                    "reason": f"the {request.nproc} processes gave no result within {timeout:g} s",
                }
        ranks = {}
        for file in results_dir.glob("rank-*.json"):
            data = json.loads(file.read_text(encoding="utf-8"))
            ranks[int(data.get("rank", 0))] = data
        tail = last_error_line(log_path.read_text(encoding="utf-8", errors="replace"))
        return merge_ranks(ranks, request.nproc, tail)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def merge_ranks(ranks: dict[int, dict[str, Any]], nproc: int, log_tail: str) -> dict[str, Any]:
    """Rank 0's measurements, or the first failing rank's story."""
    failed = [ranks[r] for r in sorted(ranks) if not ranks[r].get("ok")]
    merged = dict(failed[0] if failed else ranks.get(0, {}))
    merged["nproc"] = nproc
    merged["ranks_finished"] = sorted(ranks)
    missing = [r for r in range(nproc) if r not in ranks]
    if failed:
        merged["ok"] = False
        merged["reason"] = f"rank {failed[0].get('rank', '?')}: {failed[0].get('reason', '')}"
    elif missing:
        merged["ok"] = False
        merged["phase"] = "ranks"
        which = ", ".join(map(str, missing))
        merged["reason"] = f"rank {which} did not finish" + (f": {log_tail}" if log_tail else "")
        merged["error"] = log_tail or None
    return merged


PHASES = {
    "arguments": "building the arguments",
    "arguments (shortened run)": "building the arguments of the short run",
    "model": "loading the model",
    "data": "making the data",
    "trainer": "creating the CrossEncoderTrainer",
    "train": "training",
    "evaluate": "evaluating",
    "save": "saving",
    "reload": "reloading the checkpoint",
    "numerics": "checking the weights and losses",
    "crash": "running",
    "ranks": "running on several processes",
}


def outcome_for(request: Request, result: dict[str, Any]) -> Outcome:
    if result.get("ok"):
        status, reason = "verified", ""
    else:
        status = "timeout" if result.get("phase") == "timeout" else "failed"
        phase = PHASES.get(str(result.get("phase")), "")
        reason = (f"{phase}: " if phase else "") + str(result.get("reason") or result.get("error"))
    return Outcome(
        request.path,
        request.line,
        request.cls,
        status,
        reason,
        fields=blame(request, result) if status != "verified" else [],
        hint=advice(result) if status != "verified" else None,
        unknown=[
            f"{key} (stand-in {request.args[key]!r})" if key in STAND_INS else key
            for key in request.unknown
        ],
        result=result,
        launcher=request.launcher,
    )


class Verifier:
    """Runs a plan; use as a context manager so the worker and temporary files go away."""

    def __init__(self, options: SmokeOptions, progress: Callable[[str], None] = lambda s: None):
        self.options = options
        self.progress = progress
        self.home = Path(tempfile.mkdtemp(prefix="ce-lint-verify-"))
        self.env = worker_environment(self.home)
        self.worker = Worker(self.env, self.home)
        self.libraries: dict[str, Any] = {}

    def __enter__(self) -> Verifier:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.worker.stop()
        shutil.rmtree(self.home, ignore_errors=True)

    def verify(self, items: list[Request | Outcome]) -> list[Outcome]:
        if any(isinstance(i, Request) and not i.uses_torchrun for i in items):
            self.worker.start()  # imports while the first requests are prepared
        outcomes = []
        total = len(items)
        for number, item in enumerate(items, 1):
            outcome = item if isinstance(item, Outcome) else self.verify_one(item)
            outcomes.append(outcome)
            self.progress(f"[{number}/{total}] {outcome.label}: {progress_text(outcome)}")
        return outcomes

    def verify_one(self, request: Request) -> Outcome:
        start = time.perf_counter()
        result = self.result_for(request)
        result["wall_seconds"] = round(time.perf_counter() - start, 3)
        return outcome_for(request, result)

    def result_for(self, request: Request) -> dict[str, Any]:
        if request.uses_torchrun:
            result = run_torchrun(request, self.env, self.home, self.options.timeout)
            self.libraries = self.libraries or {
                "versions": result.get("versions", {}),
                "hardware": result.get("hardware", {}),
            }
        else:
            info = self.worker.ready()
            self.libraries = {
                "versions": info.get("versions", {}),
                "hardware": info.get("hardware", {}),
            }
            result = self.worker.run(request.payload(), self.options.timeout)
        return result


def progress_text(outcome: Outcome) -> str:
    r = outcome.result
    if outcome.ok:
        return (
            f"verified ({r.get('steps_done')} steps, {r.get('seconds', 0):.1f} s, "
            f"{r.get('device')} {r.get('precision')})"
        )
    return f"{outcome.status}: {outcome.reason}"
