"""The verification worker process: `python -m ce_lint.verify.worker`.

Two ways to run it:
  * serve (default): JSON lines over stdin/stdout. The first line out is `ready` (library
    versions, hardware) or `fatal`; then one `result` line per `run` request line. The
    libraries are imported once, so every further config costs only its training steps.
  * `--request FILE --result-dir DIR`: run one request and write DIR/rank-<RANK>.json; this
    is what torchrun starts once per rank for configs that train on several processes.

Everything the libraries print goes to stderr: stdout carries the protocol only.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import sys
import tempfile
import traceback
from pathlib import Path
from typing import IO, Any

from ..fileio import atomic_write_text


def protocol_stream() -> IO[str]:
    """Keep the real stdout for protocol lines and point fd 1 at stderr, so that prints
    from the libraries (the Trainer prints its logs) cannot corrupt the protocol."""
    sys.stdout.flush()
    stream = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    return stream


def send(stream: IO[str], message: dict[str, Any]) -> None:
    stream.write(json.dumps(message) + "\n")
    stream.flush()


def serve() -> int:
    out = protocol_stream()
    try:
        from . import smoke
    except BaseException as exc:  # a missing or broken library: tell the parent why
        send(out, {"type": "fatal", "error": f"{type(exc).__name__}: {exc}"})
        return 3
    # The libraries' half a million objects live as long as the worker: set apart, so that
    # the collection after each run (smoke.isolated) looks at that run's objects only
    # (0.3 s a config otherwise).
    gc.freeze()
    root = Path(tempfile.mkdtemp(prefix="ce-lint-verify-"))
    workspace = smoke.Workspace(root)
    send(
        out,
        {
            "type": "ready",
            "versions": smoke.library_versions(),
            "hardware": smoke.hardware(),
            "python": sys.version.split()[0],
        },
    )
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            message = json.loads(line)
            if message.get("type") != "run":
                send(out, {"type": "error", "error": f"unknown message {message.get('type')!r}"})
                continue
            result = smoke.run(message["request"], workspace)
            send(out, {"type": "result", "result": result})
            print(
                f"ce-lint worker: finished {message['request'].get('label', '')}", file=sys.stderr
            )
    finally:
        import shutil

        shutil.rmtree(root, ignore_errors=True)
    return 0


def run_once(request_file: Path, result_dir: Path) -> int:
    """One request on one rank of a torchrun launch; exit 1 on failure so torchrun stops
    the other ranks instead of leaving them waiting in a collective."""
    from . import smoke

    gc.freeze()  # as in serve()
    rank = int(os.environ.get("RANK", "0"))
    request = json.loads(request_file.read_text(encoding="utf-8"))
    root = Path(tempfile.mkdtemp(prefix=f"ce-lint-rank{rank}-"))
    try:
        result = smoke.run(request, smoke.Workspace(root))
    except BaseException:
        result = {"ok": False, "phase": "crash", "reason": traceback.format_exc(limit=3)}
    result["rank"] = rank
    result["versions"] = smoke.library_versions()
    result["hardware"] = smoke.hardware()
    atomic_write_text(result_dir / f"rank-{rank}.json", json.dumps(result))
    if result.get("ok"):
        finish_process_group()
    import shutil

    shutil.rmtree(root, ignore_errors=True)
    return 0 if result.get("ok") else 1


def finish_process_group() -> None:
    try:
        import torch.distributed as dist

        if dist.is_available() and dist.is_initialized():
            dist.destroy_process_group()
    except Exception:  # tearing down is best effort
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ce_lint.verify.worker")
    parser.add_argument("--request", type=Path, help="run this request file once")
    parser.add_argument("--result-dir", type=Path, help="where --request writes rank-N.json")
    options = parser.parse_args(argv)
    if options.request is not None:
        if options.result_dir is None:
            parser.error("--request needs --result-dir")
        return run_once(options.request, options.result_dir)
    return serve()


def leave(code: int) -> None:
    """Exit without the interpreter's teardown: with torch and transformers loaded it takes
    longer than a config's training steps (1.5 s on 2 cores), and the worker has already
    removed what it wrote and said all it had to say."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    leave(main())
