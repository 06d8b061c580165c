"""Version facts about hardware: how each release judges bf16, fp16 and tf32 (data/hardware.json).

The hardware predicates read these through `hardware_facts()`; nothing else reads the file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from packaging.version import Version

from .names import DATA_DIR, V


@dataclass(frozen=True)
class Bf16Rules:
    """How `is_torch_bf16_gpu_available` and __post_init__ judge bf16 from a release on."""

    since: Version
    accelerators: frozenset[str]  # device kinds the predicate consults
    refuses_without_accelerator: bool  # else a machine without one falls back to the CPU
    xla_exempt: bool  # a torch_xla installation passes
    device_list: frozenset[str] | None  # before 4.42: the only device kinds allowed at all


@dataclass(frozen=True)
class Fp16Facts:
    device_check_since: Version  # transformers' own fp16 device check, between these
    device_check_until: Version
    device_check_devices: frozenset[str]
    cpu_since: Version  # from this release the check let the CPU pass ...
    cpu_torch: Version  # ... with this torch
    mps_torch: Version  # accelerate before 1.16 wanted this torch for fp16 on mps


@dataclass(frozen=True)
class Tf32Facts:
    devices: tuple[tuple[Version, str], ...]  # (since, device kind)
    cuda_major_until: Version  # releases before this one also wanted CUDA ...
    cuda_major_min: int  # ... of this major version or newer


@dataclass(frozen=True)
class HardwareFacts:
    bf16: tuple[Bf16Rules, ...]
    fp16: Fp16Facts
    tf32: Tf32Facts

    def bf16_rules(self, version: Version) -> Bf16Rules:
        return [r for r in self.bf16 if r.since <= version][-1]

    def bf16_first_accepting(self, device: str) -> Version | None:
        """The first release whose bf16 check consults `device`."""
        return next((r.since for r in self.bf16 if device in r.accelerators), None)

    def bf16_refusal_since(self) -> Version | None:
        """The first release that refuses bf16 on a machine without a bf16 accelerator."""
        return next((r.since for r in self.bf16 if r.refuses_without_accelerator), None)

    def tf32_devices(self, version: Version) -> frozenset[str]:
        return frozenset(device for since, device in self.tf32.devices if since <= version)


@cache
def hardware_facts() -> HardwareFacts:
    raw = json.loads((DATA_DIR / "hardware.json").read_text(encoding="utf-8"))
    bf16 = tuple(
        Bf16Rules(
            V(r["since"]),
            frozenset(r["accelerators"]),
            r["refuses_without_accelerator"],
            r["xla_exempt"],
            frozenset(r["device_list"]) if "device_list" in r else None,
        )
        for r in raw["bf16"]
    )
    check = raw["fp16"]["device_check"]
    fp16 = Fp16Facts(
        V(check["since"]),
        V(check["until"]),
        frozenset(check["devices"]),
        V(check["cpu_since"]),
        V(check["cpu_torch"]),
        V(raw["fp16"]["mps_torch"]),
    )
    tf32 = Tf32Facts(
        tuple((V(since), device) for since, device in raw["tf32"]["devices"]),
        V(raw["tf32"]["cuda_major"]["until"]),
        int(raw["tf32"]["cuda_major"]["min"]),
    )
    return HardwareFacts(bf16, fp16, tf32)
