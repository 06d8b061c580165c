"""The parent side of the local probe: run the worker in a subprocess, cache what it found.

The checking process never imports torch. `torch_importable()` asks importlib where torch
would come from, without importing it. The worker's answer is cached per machine in the
user's cache folder, keyed by everything that can change it: the Python executable, the
installed torch / accelerate / device plugin releases, the NVIDIA driver, the device
visibility variables (CUDA_VISIBLE_DEVICES, ...), the host and the operating system.

Optional packages and the C++ compiler are looked up fresh on every run (find_spec and
PATH, a few milliseconds), so installing deepspeed is seen at once.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
from dataclasses import replace
from importlib import metadata
from pathlib import Path
from typing import Any

from .. import __version__
from ..fileio import user_cache_dir
from .machine import (
    LAUNCHER_VARIABLES,
    MARKER,
    SCHEMA,
    cxx_compiler,
    nvidia_driver,
    visibility,
)
from .profile import OPTIONAL_PACKAGES, HardwareProfile, ProfileError, profile_from_data

PROBE_TIMEOUT_S = 180
CACHE_KEEP = 32  # cache entries kept (one per Python environment and device setup)
KEY_DISTRIBUTIONS = (
    "torch",
    "accelerate",
    "torch-npu",
    "torch-xla",
    "intel-extension-for-pytorch",
    "torch-mlu",
    "torch-musa",
    "habana-torch-plugin",
)


class ProbeError(RuntimeError):
    """The probe could not run or did not answer."""


def importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def torch_importable() -> bool:
    return importable("torch")


def installed_packages() -> frozenset[str]:
    return frozenset(name for name in OPTIONAL_PACKAGES if importable(name))


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def cache_key() -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "ce_lint": __version__,
        # The environment, not the interpreter it links to: two venvs can share one python.
        "python": os.path.abspath(sys.executable),
        "prefix": sys.prefix,
        "host": platform.node(),
        "os": platform.platform(),
        "distributions": {d: _version(d) for d in KEY_DISTRIBUTIONS},
        "driver": nvidia_driver(),
        "visible": visibility(),
    }


def _cache_file(key: dict[str, Any]) -> Path:
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:20]
    return user_cache_dir() / "hardware" / f"probe-{digest}.json"


def _read_cache(path: Path, key: dict[str, Any]) -> dict[str, Any] | None:
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict) or stored.get("key") != key:
        return None
    result = stored.get("result")
    return result if isinstance(result, dict) else None


def _write_cache(path: Path, key: dict[str, Any], result: dict[str, Any]) -> None:
    from ..fileio import atomic_write

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps({"key": key, "result": result}, indent=1).encode())
        entries = sorted(path.parent.glob("probe-*.json"), key=lambda p: p.stat().st_mtime)
        for old in entries[:-CACHE_KEEP]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # a cache that cannot be written only costs time


def run_worker(timeout: float = PROBE_TIMEOUT_S) -> dict[str, Any]:
    """Run `python -m ce_lint.hardware.worker` and return its JSON answer."""
    env = {k: v for k, v in os.environ.items() if k not in LAUNCHER_VARIABLES}
    package_root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    env.setdefault("PYTHONWARNINGS", "ignore")
    command = [sys.executable, "-P", "-m", "ce_lint.hardware.worker"]
    try:
        proc = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            cwd=tempfile.gettempdir(),
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise ProbeError(f"the hardware probe did not finish within {timeout:.0f} s") from None
    except OSError as exc:
        raise ProbeError(f"cannot start the hardware probe: {exc}") from None
    lines = [line for line in proc.stdout.splitlines() if line.startswith(MARKER)]
    if not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise ProbeError("the hardware probe gave no answer: " + " | ".join(tail))
    result = json.loads(lines[-1][len(MARKER) :])
    if "error" in result:
        raise ProbeError(f"the hardware probe failed: {result['error']}")
    return result


def probe_result(refresh: bool = False) -> tuple[dict[str, Any], bool]:
    """The worker's answer for this machine and whether it came from the cache."""
    key = cache_key()
    path = _cache_file(key)
    if not refresh:
        cached = _read_cache(path, key)
        if cached is not None:
            return cached, True
    result = run_worker()
    _write_cache(path, key, result)
    return result, False


def profile_from_result(result: dict[str, Any]) -> HardwareProfile:
    try:
        profile = profile_from_data(result["profile"], "the hardware probe")
    except (KeyError, TypeError, ProfileError) as exc:
        raise ProbeError(f"the hardware probe answered something unexpected: {exc}") from None
    return replace(
        profile,
        name=f"local {short_name(profile)}",
        packages=installed_packages(),
        compiler=cxx_compiler(),
        source="local probe",
    )


def local_profile(refresh: bool = False) -> HardwareProfile:
    """This machine, as torch sees it (probed in a subprocess, cached)."""
    result, _ = probe_result(refresh)
    return profile_from_result(result)


def short_name(profile: HardwareProfile) -> str:
    """A name such as h200x2 or cpu, from the first device's product name."""
    if not profile.accelerated:
        return "cpu"
    if profile.device == "mps":
        return "mps"
    product = profile.device_names[0] if profile.device_names else profile.device
    vendor_words = {"nvidia", "tesla", "geforce", "amd", "instinct", "intel", "radeon"}
    kept: list[str] = []
    for word in product.lower().replace("-", " ").replace("_", " ").split():
        if word in vendor_words:
            continue
        kept.append(word)
        if any(c.isdigit() for c in word):
            break  # the model number ends the name: "a100" of "A100-SXM4-80GB"
    base = "".join(c for c in "".join(kept) if c.isalnum()) or profile.device
    return base if profile.count == 1 else f"{base}x{profile.count}"
