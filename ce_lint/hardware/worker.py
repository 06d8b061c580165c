"""The hardware probe itself: `python -m ce_lint.hardware.worker` prints one JSON line.

This is the only module of ce-lint that imports torch (and accelerate, for the devices it
knows how to detect). It runs in a subprocess so that the checking process never pays
for those imports. It needs nothing but the standard library and torch, so it also runs
on a bare GPU machine. The line it prints starts with MARKER; anything else that torch or
a device plugin prints is ignored by the parent.
"""

from __future__ import annotations

import importlib.util
import json
import platform
import sys
from typing import Any

from .machine import MARKER, SCHEMA, nvidia_driver

# Devices that come from a torch extension, with the module that registers them.
PLUGIN_DEVICES = (
    ("npu", "torch_npu"),
    ("hpu", "habana_frameworks"),
    ("mlu", "torch_mlu"),
    ("musa", "torch_musa"),
)


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _plugin_device_available(kind: str, module: str) -> bool:
    """Accelerate is the authority where it is installed; otherwise ask the plugin."""
    if not _importable(module):
        return False
    if _importable("accelerate"):
        try:
            from accelerate import utils

            check = getattr(utils, f"is_{kind}_available", None)
            if check is not None:
                return bool(check())
        except Exception:  # a broken plugin must not break the probe
            pass
    try:
        if kind == "hpu":
            import habana_frameworks.torch  # noqa: F401
        else:
            importlib.import_module(module)
        import torch

        return bool(getattr(torch, kind).is_available())
    except Exception:
        return False


def _device_api(torch: Any, kind: str) -> Any:
    return torch.cuda if kind == "cuda" else getattr(torch, kind, None)


def _names(torch: Any, kind: str, count: int) -> list[str]:
    api = _device_api(torch, kind)
    out = []
    for index in range(count):
        try:
            out.append(str(api.get_device_name(index)))
        except Exception:
            out.append(kind)
    return out


def _bf16(torch: Any, kind: str, capability: tuple[int, int] | None) -> str:
    if kind == "cuda":
        if torch.version.hip:
            return "native"
        try:
            native = torch.cuda.is_bf16_supported(including_emulation=False)
        except TypeError:  # torch before the emulation switch
            native = capability is not None and capability >= (8, 0)
        if native:
            return "native"
        return "emulated" if torch.cuda.is_bf16_supported() else "none"
    if kind == "mps":
        newer = getattr(torch.backends.mps, "is_macos_or_newer", None)
        return "native" if newer is not None and newer(14, 0) else "none"
    if kind == "hpu":
        return "native"
    api = _device_api(torch, kind)
    try:
        return "native" if api.is_bf16_supported() else "none"
    except Exception:
        return "none"


def _distributed(torch: Any, kind: str, count: int) -> list[str]:
    try:
        import torch.distributed as dist
    except Exception:
        return []
    if not dist.is_available():
        return []
    found = []
    for name in ("nccl", "gloo", "mpi", "ucc", "xccl"):
        check = getattr(dist, f"is_{name}_available", None)
        try:
            if check is not None and check():
                found.append(name)
        except Exception:
            pass
    # A backend compiled into torch is usable only with its devices.
    if "nccl" in found and not (kind == "cuda" and count):
        found.remove("nccl")
    if "xccl" in found and not (kind == "xpu" and count):
        found.remove("xccl")
    plugin_backend = {"npu": "hccl", "mlu": "cncl", "musa": "mccl", "hpu": "hccl"}.get(kind)
    if plugin_backend and count:
        found.append(plugin_backend)
    if _importable("oneccl_bindings_for_pytorch"):
        found.append("ccl")
    return found


def probe() -> dict[str, Any]:
    import torch

    kind, count = "cpu", 0
    if torch.cuda.is_available() and torch.cuda.device_count():
        kind, count = "cuda", torch.cuda.device_count()
    elif hasattr(torch, "xpu") and torch.xpu.is_available():
        kind, count = "xpu", torch.xpu.device_count()
    else:
        for plugin_kind, module in PLUGIN_DEVICES:
            if _plugin_device_available(plugin_kind, module):
                kind = plugin_kind
                count = int(_device_api(torch, kind).device_count())
                break
        else:
            if torch.backends.mps.is_available():
                kind, count = "mps", 1

    capability: tuple[int, int] | None = None
    capabilities: list[str] = []
    memory = None
    if kind == "cuda":
        caps = [tuple(torch.cuda.get_device_capability(i)) for i in range(count)]
        capabilities = [f"{a}.{b}" for a, b in caps]
        capability = caps[0]  # transformers asks about the current device, which is 0
        memory = round(torch.cuda.get_device_properties(0).total_memory / 2**30, 1)
    elif count:
        try:
            memory = round(
                _device_api(torch, kind).get_device_properties(0).total_memory / 2**30, 1
            )
        except Exception:
            memory = None

    cuda_build = kind == "cuda" and not torch.version.hip and torch.version.cuda is not None
    profile = {
        "name": "local",
        "device": kind,
        "count": count,
        "device_names": _names(torch, kind, count) if kind != "mps" else ["Apple silicon"],
        "compute_capability": f"{capability[0]}.{capability[1]}" if capability else None,
        "memory_gib": memory,
        "bf16": _bf16(torch, kind, capability) if count else "none",
        "tf32": bool(cuda_build and capability is not None and capability >= (8, 0)),
        "fp8": bool(cuda_build and capability is not None and capability >= (8, 9)),
        "distributed_backends": _distributed(torch, kind, count),
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "hip": getattr(torch.version, "hip", None),
        "driver": nvidia_driver() if kind == "cuda" and not torch.version.hip else None,
    }
    extra = {
        "capabilities": capabilities,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    try:
        extra["cudnn"] = torch.backends.cudnn.version()
    except Exception:
        extra["cudnn"] = None
    return {"schema": SCHEMA, "profile": profile, "extra": extra}


def main() -> int:
    try:
        result = probe()
    except Exception as exc:  # report, never hang or crash without a word
        result = {"schema": SCHEMA, "error": f"{type(exc).__name__}: {exc}"}
    sys.stdout.write(MARKER + json.dumps(result) + "\n")
    sys.stdout.flush()
    return 0 if "error" not in result else 1


if __name__ == "__main__":
    sys.exit(main())
