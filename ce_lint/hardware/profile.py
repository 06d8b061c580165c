"""HardwareProfile: the facts about one training machine that hardware rules read.

Profiles are plain data. They are written as small YAML files (`ce-lint env` prints one)
and read back with `select.load_profile_file`. A file may start from a built-in profile with
`base: a100x8` and override single facts, e.g. the packages installed on the cluster.

Facts that are not known stay None, and rules that need them stay quiet: a built-in
profile knows the hardware but not which optional packages the cluster has installed.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, fields, replace
from typing import Any

# Device kinds, named as torch names them (`torch.device(kind)`).
DEVICE_KINDS = (
    "cuda",  # NVIDIA, and AMD through ROCm (then `hip` is set)
    "xpu",  # Intel GPUs
    "npu",  # Ascend
    "hpu",  # Gaudi
    "mlu",  # Cambricon
    "musa",  # Moore Threads
    "supa",  # Biren
    "neuron",  # AWS Trainium / Inferentia
    "tpu",  # through torch_xla
    "mps",  # Apple silicon
    "cpu",
)
BF16_LEVELS = ("native", "emulated", "none")

# Optional packages that change what a config may ask for, by import name, with the name
# to install them by. The probe checks each with importlib.util.find_spec (no import).
OPTIONAL_PACKAGES = {
    "accelerate": "accelerate",
    "apex": "apex",
    "apollo_torch": "apollo-torch",
    "bitsandbytes": "bitsandbytes",
    "deepspeed": "deepspeed",
    "flash_attn": "flash-attn",
    "galore_torch": "galore-torch",
    "grokadamw": "grokadamw",
    "intel_extension_for_pytorch": "intel-extension-for-pytorch",
    "liger_kernel": "liger-kernel",
    "lomo_optim": "lomo-optim",
    "oneccl_bindings_for_pytorch": "oneccl-bind-pt",
    "onnxruntime": "onnxruntime",
    "optimi": "torch-optimi",
    "schedulefree": "schedulefree",
    "torch_npu": "torch-npu",
    "torch_tensorrt": "torch-tensorrt",
    "torch_xla": "torch-xla",
    "torchao": "torchao",
    "torchdistx": "torchdistx",
    "transformer_engine": "transformer-engine",
    "triton": "triton",
    "tvm": "apache-tvm",
    "xxhash": "xxhash",
}


class ProfileError(ValueError):
    """A profile name or file that cannot be used."""


@dataclass(frozen=True)
class HardwareProfile:
    name: str
    device: str = "cpu"  # the accelerator kind, or cpu when there is none
    count: int = 0  # accelerators on one node; 0 on a CPU-only machine
    device_names: tuple[str, ...] = ()
    compute_capability: tuple[int, int] | None = None  # CUDA only
    memory_gib: float | None = None  # per device
    bf16: str = "none"  # what the accelerator does with bfloat16: native | emulated | none
    tf32: bool = False  # TensorFloat-32 matmuls (NVIDIA Ampere and newer)
    fp8: bool = False  # fp8 tensor cores (compute capability 8.9 and newer)
    distributed_backends: tuple[str, ...] | None = None  # usable torch.distributed backends
    torch: str | None = None
    cuda: str | None = None  # torch.version.cuda
    hip: str | None = None  # torch.version.hip (ROCm builds)
    driver: str | None = None  # NVIDIA driver release
    packages: frozenset[str] | None = None  # importable names from OPTIONAL_PACKAGES
    compiler: bool | None = None  # a C++ compiler on PATH (torch.compile on the CPU needs one)
    source: str = ""  # where the profile came from, for messages; not saved
    # Probed under `auto`: this machine stands in for the training machine, which may differ.
    assumed: bool = False

    def __post_init__(self) -> None:
        check_profile(self)

    @property
    def accelerated(self) -> bool:
        return self.device != "cpu" and self.count > 0

    @property
    def device_type(self) -> str:
        """The device kind training uses: the accelerator's, else "cpu"."""
        return self.device if self.accelerated else "cpu"

    def has_package(self, name: str) -> bool | None:
        """True/False when known; None when the profile does not say."""
        if self.packages is None:
            return None
        return name in self.packages

    def capability_at_least(self, major: int, minor: int = 0) -> bool | None:
        if self.compute_capability is None:
            return None
        return self.compute_capability >= (major, minor)

    def on_cpu(self) -> HardwareProfile:
        """The same machine as a job with use_cpu=True sees it."""
        backends = None
        if self.distributed_backends is not None:
            backends = tuple(b for b in self.distributed_backends if b in ("gloo", "mpi", "ccl"))
        return replace(
            self,
            device="cpu",
            count=0,
            device_names=(),
            compute_capability=None,
            memory_gib=None,
            bf16="none",
            tf32=self.tf32,  # transformers checks tf32 whatever the device
            fp8=False,
            distributed_backends=backends,
        )

    # -- files -----------------------------------------------------------------------

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for f in fields(self):
            if f.name in RUN_ONLY:
                continue
            value = getattr(self, f.name)
            if f.name == "compute_capability" and value is not None:
                value = f"{value[0]}.{value[1]}"
            elif isinstance(value, frozenset):
                value = sorted(value)
            elif isinstance(value, tuple):
                value = list(value)
            data[f.name] = value
        return data

    def identity(self) -> str:
        """The same text for the same profile in every process (a frozenset's repr follows the
        process's string hashing): what the results cache compares."""
        return json.dumps([self.to_data(), self.source, self.assumed], sort_keys=True)

    def to_yaml(self, header: str = "") -> str:
        """YAML text without needing pyyaml (the GPU probe script runs where it may be absent)."""
        lines = [f"# {line}".rstrip() for line in header.splitlines()]
        for key, value in self.to_data().items():
            lines.append(f"{key}: {_yaml_scalar_or_list(value)}")
        return "\n".join(lines) + "\n"


_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_.+()/-]*( [A-Za-z0-9_.+()/-]+)*")
_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"}


def _yaml_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and text.lower() not in _YAML_WORDS:
        return text
    return json.dumps(text)  # a JSON string is a valid double-quoted YAML scalar


def _yaml_scalar_or_list(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_yaml_scalar(v) for v in value) + "]"
    return _yaml_scalar(value)


# ---- checking and building ---------------------------------------------------------------


def check_profile(profile: HardwareProfile) -> None:
    where = f"profile {profile.name!r}"
    if profile.device not in DEVICE_KINDS:
        raise ProfileError(f"{where}: device must be one of {', '.join(DEVICE_KINDS)}")
    if profile.bf16 not in BF16_LEVELS:
        raise ProfileError(f"{where}: bf16 must be native, emulated or none")
    if profile.count < 0 or (profile.device == "cpu" and profile.count):
        raise ProfileError(f"{where}: a cpu profile has count 0; an accelerator count >= 1")
    if profile.device != "cpu" and profile.count == 0:
        raise ProfileError(f"{where}: device {profile.device} needs a count of 1 or more")


def parse_capability(value: Any, where: str) -> tuple[int, int] | None:
    if value is None:
        return None
    if isinstance(value, list | tuple) and len(value) == 2:
        major, minor = value
    else:
        match = re.fullmatch(r"(\d+)\.(\d+)", str(value).strip())
        if match is None:
            raise ProfileError(f"{where}: compute_capability must look like 8.0, got {value!r}")
        major, minor = match.groups()
    try:
        return int(major), int(minor)
    except (TypeError, ValueError):
        raise ProfileError(f"{where}: compute_capability must look like 8.0") from None


_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "name": (str,),
    "device": (str,),
    "count": (int,),
    "memory_gib": (int, float),
    "bf16": (str,),
    "tf32": (bool,),
    "fp8": (bool,),
    "torch": (str,),
    "cuda": (str,),
    "hip": (str,),
    "driver": (str,),
    "compiler": (bool,),
}
_LIST_FIELDS = ("device_names", "distributed_backends", "packages")
RUN_ONLY = ("source", "assumed")  # how this run came to the profile: not a fact to save
PROFILE_KEYS = tuple(f.name for f in fields(HardwareProfile) if f.name not in RUN_ONLY)


def profile_from_data(
    data: dict[str, Any], where: str, base: HardwareProfile | None = None
) -> HardwareProfile:
    """Build a profile from a mapping (a file's content or the probe's JSON)."""
    known = set(PROFILE_KEYS)
    for key in data:
        if key not in known:
            close = difflib.get_close_matches(str(key), sorted(known), n=1)
            hint = f"; did you mean `{close[0]}`?" if close else ""
            raise ProfileError(f"{where}: unknown key `{key}`{hint}")
    values: dict[str, Any] = {}
    for key, value in data.items():
        if value is None:
            values[key] = None
            continue
        if key == "compute_capability":
            values[key] = parse_capability(value, where)
        elif key == "bf16" and isinstance(value, bool):
            values[key] = "native" if value else "none"  # `bf16: true` written by hand
        elif key in _LIST_FIELDS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ProfileError(f"{where}: `{key}` must be a list of names")
            values[key] = frozenset(value) if key == "packages" else tuple(value)
        else:
            types = _FIELD_TYPES[key]
            if isinstance(value, bool) and bool not in types:
                raise ProfileError(f"{where}: `{key}` must be {types[0].__name__}")
            if key in ("torch", "cuda", "hip", "driver") and isinstance(value, int | float):
                value = str(value)  # `cuda: 12.8` written without quotes
            if not isinstance(value, types):
                raise ProfileError(f"{where}: `{key}` must be {types[0].__name__}")
            values[key] = value
    for key in ("name", "device", "count", "bf16", "tf32", "fp8"):
        if key in values and values[key] is None:
            raise ProfileError(f"{where}: `{key}` cannot be null")
    if base is not None:
        values.setdefault("name", base.name)
        return replace(base, **values)
    if "name" not in values:
        raise ProfileError(f"{where}: a profile needs a `name`")
    return HardwareProfile(**values)
