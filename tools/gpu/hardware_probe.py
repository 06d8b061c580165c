"""Run ce-lint's hardware probe on a GPU machine, check it against torch, keep it as fixtures.

    python3 tools/gpu/hardware_probe.py [--out DIR]

Needs only the standard library and torch (no pyyaml, click or libcst), so it runs on a
bare GPU machine from a checkout of this repository. For every device view, all GPUs and,
with two or more, only GPU 0 (CUDA_VISIBLE_DEVICES=0), it:

1. runs the probe exactly as ce-lint does (`python -m ce_lint.hardware.worker`),
2. asks torch the same questions directly, in a separate process, and compares,
3. writes the profile as DIR/<name>.yaml (e.g. h200.yaml, h200x2.yaml), ready for
   `ce-lint check --hardware fixtures/hardware/h200x2.yaml`, and the raw answer as
   DIR/<name>.probe.json.

DIR defaults to $OUT when set, else fixtures/hardware. When pytest and ce-lint's own
dependencies are importable it also runs tests/test_hardware_gpu.py. Exit status 1 when a
figure differs from torch's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from ce_lint.hardware import probe  # noqa: E402  (stdlib only, like the worker)

# What torch says, asked independently of ce_lint.hardware.worker.
TRUTH = r"""
import json, torch, torch.distributed as dist
n = torch.cuda.device_count()
caps = [list(torch.cuda.get_device_capability(i)) for i in range(n)]
try:
    native = torch.cuda.is_bf16_supported(including_emulation=False) if n else False
except TypeError:
    native = bool(n) and tuple(caps[0]) >= (8, 0)
print(json.dumps({
    "count": n,
    "names": [torch.cuda.get_device_name(i) for i in range(n)],
    "capability": caps[0] if n else None,
    "memory_gib": torch.cuda.get_device_properties(0).total_memory / 2**30 if n else None,
    "bf16_native": bool(native),
    "bf16_any": bool(torch.cuda.is_bf16_supported()) if n else False,
    "nccl": dist.is_available() and dist.is_nccl_available(),
    "torch": torch.__version__,
    "cuda": torch.version.cuda,
}))
"""


def torch_truth(env: dict[str, str]) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", TRUTH],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def compare(profile, truth: dict) -> list[str]:
    """Differences between the probe's profile and torch's own answers."""
    problems = []
    cap = tuple(truth["capability"]) if truth["capability"] else None

    def expect(what: str, ours, theirs) -> None:
        if ours != theirs:
            problems.append(f"{what}: probe {ours!r}, torch {theirs!r}")

    expect("device", profile.device, "cuda" if truth["count"] else "cpu")
    expect("count", profile.count, truth["count"])
    expect("device names", list(profile.device_names), truth["names"])
    expect("compute capability", profile.compute_capability, cap)
    if truth["memory_gib"] is not None and abs(profile.memory_gib - truth["memory_gib"]) > 0.06:
        problems.append(
            f"memory: probe {profile.memory_gib} GiB, torch {truth['memory_gib']:.2f} GiB"
        )
    bf16 = "native" if truth["bf16_native"] else ("emulated" if truth["bf16_any"] else "none")
    expect("bf16", profile.bf16, bf16)
    expect("tf32", profile.tf32, bool(cap and cap >= (8, 0) and truth["cuda"]))
    expect("fp8", profile.fp8, bool(cap and cap >= (8, 9) and truth["cuda"]))
    expect(
        "nccl",
        "nccl" in (profile.distributed_backends or ()),
        bool(truth["nccl"] and truth["count"]),
    )
    expect("torch", profile.torch, truth["torch"])
    expect("cuda", profile.cuda, truth["cuda"])
    return problems


def probe_view(visible: str | None, out: Path) -> tuple[str, list[str]]:
    env = dict(os.environ)
    if visible is None:
        env.pop("CUDA_VISIBLE_DEVICES", None)
    else:
        env["CUDA_VISIBLE_DEVICES"] = visible
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)  # run_worker passes the current environment on
    try:
        result = probe.run_worker()
        key = probe.cache_key()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    profile = probe.profile_from_result(result)
    name = probe.short_name(profile)
    profile = replace(profile, name=name)
    problems = compare(profile, torch_truth(env))
    when = datetime.now(UTC).strftime("%Y-%m-%d")
    view = f"CUDA_VISIBLE_DEVICES={visible}" if visible is not None else "all GPUs visible"
    header = (
        f"ce-lint hardware profile of {name}, probed {when} by tools/gpu/hardware_probe.py\n"
        f"({view}; Python {result['extra']['python']}, torch {profile.torch}).\n"
        "Use it with: ce-lint check --hardware fixtures/hardware/" + f"{name}.yaml"
    )
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.yaml").write_text(profile.to_yaml(header), encoding="utf-8")
    raw = {"key": key, "result": result, "compared_with_torch": problems or "identical"}
    (out / f"{name}.probe.json").write_text(json.dumps(raw, indent=1) + "\n", encoding="utf-8")
    status = "matches torch" if not problems else "DIFFERS: " + "; ".join(problems)
    device = profile.device_names[0] if profile.device_names else "no GPU"
    print(f"{name}: {view}: {profile.count}x {device} -> {status}")
    return name, problems


def run_gpu_tests() -> int | None:
    try:
        import click  # noqa: F401
        import pytest  # noqa: F401
        import yaml  # noqa: F401
    except ImportError as exc:
        print(f"skipping tests/test_hardware_gpu.py: {exc.name} is not installed here")
        return None
    return subprocess.call(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "gpu or multigpu",
         "tests/test_hardware_gpu.py"],
        cwd=REPO,
    )  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=Path(os.environ.get("OUT") or REPO / "fixtures" / "hardware")
    )
    args = parser.parse_args()
    os.environ["CE_LINT_USER_CACHE"] = tempfile.mkdtemp(prefix="ce-lint-cache-")
    count = torch_truth(dict(os.environ))["count"]
    print(f"torch sees {count} CUDA device(s); writing profiles to {args.out}")
    views: list[str | None] = [None] + (["0"] if count >= 2 else [])
    failed = False
    for visible in views:
        _, problems = probe_view(visible, args.out)
        failed = failed or bool(problems)
    tests = run_gpu_tests()
    failed = failed or tests not in (None, 0, 5)  # 5: pytest found nothing to run (no GPU)
    print("FAILED" if failed else "OK: the probe matches torch")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
