"""Facts about the machine that need no torch: driver release, device visibility, cache folder.

Both sides use this module: the parent to key the probe cache, the worker to record the
driver. Standard library only.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

# Variables that decide which accelerators a process sees.
VISIBILITY_VARIABLES = (
    "CUDA_VISIBLE_DEVICES",
    "HIP_VISIBLE_DEVICES",
    "ROCR_VISIBLE_DEVICES",
    "ZE_AFFINITY_MASK",
    "ONEAPI_DEVICE_SELECTOR",
    "ASCEND_RT_VISIBLE_DEVICES",
    "MLU_VISIBLE_DEVICES",
    "MUSA_VISIBLE_DEVICES",
    "HABANA_VISIBLE_MODULES",
    "TPU_VISIBLE_CHIPS",
)

# Launcher variables that could make a library try to join a process group.
LAUNCHER_VARIABLES = (
    "RANK",
    "LOCAL_RANK",
    "WORLD_SIZE",
    "LOCAL_WORLD_SIZE",
    "MASTER_ADDR",
    "MASTER_PORT",
    "GROUP_RANK",
    "ROLE_RANK",
    "TORCHELASTIC_RUN_ID",
)

_NVIDIA_PROC = Path("/proc/driver/nvidia/version")


# How the probe worker's reply is marked among whatever else torch prints, and its version.
MARKER = "CE_LINT_PROBE "
SCHEMA = 1


def nvidia_driver() -> str | None:
    """The NVIDIA kernel driver release (e.g. 570.86.15), or None without one."""
    try:
        text = _NVIDIA_PROC.read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    match = re.search(r"Kernel Module(?: for \S+)?\s+(\d+(?:\.\d+)+)", text)
    if match:
        return match.group(1)
    tool = shutil.which("nvidia-smi")
    if tool is None:
        return None
    try:
        out = subprocess.run(
            [tool, "--query-gpu=driver_version", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=20,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    first = out.strip().splitlines()[:1]
    return first[0].strip() if first else None


def visibility() -> dict[str, str]:
    return {k: os.environ[k] for k in VISIBILITY_VARIABLES if k in os.environ}


def cxx_compiler() -> bool:
    """Whether torch.compile's inductor could build its CPU kernels here."""
    if os.environ.get("CXX") and shutil.which(os.environ["CXX"].split()[0]):
        return True
    return any(shutil.which(name) for name in ("c++", "g++", "clang++", "cl"))
