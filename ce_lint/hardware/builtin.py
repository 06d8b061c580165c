"""Built-in profiles for machines people commonly train on.

A name may carry a count of devices on one node: `a100x8`, `h100x4`. Only hardware facts
are given; torch version and installed packages stay unknown, so rules that need them stay
quiet (write a profile file with `base: a100x8` and `packages: [...]` to add them).

Facts from the vendors' public specifications: compute capability decides bf16 (native
from 8.0; older CUDA GPUs emulate it), tf32 (8.0 and newer) and fp8 (8.9 and newer).
Memory is the nominal size per device, in GiB, rounded.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from .profile import HardwareProfile, ProfileError


@dataclass(frozen=True)
class Gpu:
    product: str
    capability: tuple[int, int]
    memory_gib: float
    note: str


NVIDIA = {
    "t4": Gpu("NVIDIA T4", (7, 5), 16, "Turing; common on free notebooks and g4dn instances"),
    "v100": Gpu("NVIDIA V100", (7, 0), 16, "Volta; 16 GB (p3 instances), a 32 GB model exists"),
    "a10g": Gpu("NVIDIA A10G", (8, 6), 24, "Ampere; g5 instances"),
    "l4": Gpu("NVIDIA L4", (8, 9), 24, "Ada Lovelace; g6 instances"),
    "l40s": Gpu("NVIDIA L40S", (8, 9), 48, "Ada Lovelace"),
    "a100": Gpu("NVIDIA A100", (8, 0), 80, "Ampere; 80 GB (a 40 GB model exists)"),
    "h100": Gpu("NVIDIA H100", (9, 0), 80, "Hopper"),
    "h200": Gpu("NVIDIA H200", (9, 0), 141, "Hopper with 141 GB HBM3e"),
    "b200": Gpu("NVIDIA B200", (10, 0), 180, "Blackwell"),
}

OTHER = {
    "cpu": "no accelerator",
    "mps": "Apple silicon GPU through Metal (macOS 14 or newer for bf16)",
}

_NAME = re.compile(r"(?P<base>[a-z0-9]+?)(?:x(?P<count>\d+))?")


def builtin_names() -> list[str]:
    return [*OTHER, *NVIDIA]


def builtin_profile(name: str) -> HardwareProfile:
    """`a100x8` -> eight A100s on one node. Raises ProfileError for an unknown name."""
    text = name.strip().lower()
    match = _NAME.fullmatch(text)
    base = match.group("base") if match else text
    count = int(match.group("count")) if match and match.group("count") else None
    if base not in NVIDIA and base not in OTHER:
        close = difflib.get_close_matches(base, builtin_names(), n=1)
        hint = f"; did you mean `{close[0]}`?" if close else ""
        raise ProfileError(
            f"unknown hardware profile `{name}`{hint} Built-in: {', '.join(builtin_names())} "
            "(add a count such as a100x8), `local`, or a path to a profile file."
        )
    if base == "cpu":
        if count is not None:
            raise ProfileError("the cpu profile takes no count")
        return HardwareProfile(name="cpu", device="cpu", source="built-in")
    if count == 0:
        raise ProfileError(f"`{name}`: a count must be 1 or more")
    count = count or 1
    label = base if count == 1 else f"{base}x{count}"
    if base == "mps":
        if count != 1:
            raise ProfileError("an Apple silicon machine has one mps device")
        return HardwareProfile(
            name="mps",
            device="mps",
            count=1,
            device_names=("Apple silicon",),
            bf16="native",
            source="built-in",
        )
    gpu = NVIDIA[base]
    return HardwareProfile(
        name=label,
        device="cuda",
        count=count,
        device_names=(gpu.product,) * count,
        compute_capability=gpu.capability,
        memory_gib=float(gpu.memory_gib),
        bf16="native" if gpu.capability >= (8, 0) else "emulated",
        tf32=gpu.capability >= (8, 0),
        fp8=gpu.capability >= (8, 9),
        source="built-in",
    )
