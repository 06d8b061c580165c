"""How each transformers release decides whether a machine supports bf16, fp16 and tf32.

The checks of `TrainingArguments.__post_init__` changed between releases (read from the
released sources of transformers 3.4 to 5.24; `transformers/utils/import_utils.py` and
`training_args.py`):

- bf16 asks `is_torch_bf16_gpu_available()`. Up to 4.51 it consulted CUDA only, and only a
  CUDA machine without bf16 was refused: elsewhere the run fell back to the CPU. From 4.52
  any machine without a bf16 accelerator is refused unless `use_cpu` is set, and the list
  of accelerators grew (xpu/hpu/npu 4.52, mps 4.56, musa 4.57, mlu/neuron 5.4, tpu 5.9,
  supa 5.24); from 4.53 a torch_xla installation is exempt. Releases before 4.42 also
  refused bf16 and fp16 on device types outside a fixed list.
- torch answers "supported" for CUDA GPUs below compute capability 8.0 too (it emulates
  bf16 there, slowly), so the library's predicate accepts a T4 or V100.
- tf32 needs CUDA with compute capability 8.0 or newer in every release (4.57 adds musa,
  5.24 supa); releases before 4.52 also wanted CUDA 11.
- fp16 was refused outside CUDA-like devices from 3.4 to 4.41 (4.41 lets the CPU pass with
  torch 2.3). Later releases leave it to accelerate, which skips fp16 autocast on the CPU
  (training silently runs in fp32), refuses it on TPUs, and wants torch 2.5 on mps.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

from .profile import HardwareProfile


class Verdict(enum.Enum):
    OK = "ok"
    REFUSED = "refused"  # TrainingArguments (or accelerate) raises
    EMULATED = "emulated"  # accepted, but emulated in software: slow
    CPU_FALLBACK = "cpu-fallback"  # accepted, but the run quietly uses the CPU
    IGNORED = "ignored"  # accepted, but has no effect (fp16 on the CPU)


@dataclass(frozen=True)
class Bf16Rules:
    since: Version
    accelerators: frozenset[str]  # devices `is_torch_bf16_gpu_available` consults
    refuses_without_accelerator: bool
    xla_exempt: bool
    device_list: frozenset[str] | None  # before 4.42: the only device types allowed at all


def _v(text: str) -> Version:
    return Version(text)


_OLD_DEVICE_LIST = frozenset({"cuda", "xpu", "npu", "mlu", "cpu", "tpu", "neuron"})
_CUDA = frozenset({"cuda"})
_452 = frozenset({"cuda", "xpu", "hpu", "npu"})
BF16_HISTORY = (
    Bf16Rules(_v("0"), _CUDA, False, False, _OLD_DEVICE_LIST),
    Bf16Rules(_v("4.42"), _CUDA, False, False, None),
    Bf16Rules(_v("4.52"), _452, True, False, None),
    Bf16Rules(_v("4.53"), _452, True, True, None),
    Bf16Rules(_v("4.56"), _452 | {"mps"}, True, True, None),
    Bf16Rules(_v("4.57"), _452 | {"mps", "musa"}, True, True, None),
    Bf16Rules(_v("5.4"), _452 | {"mps", "musa", "mlu", "neuron"}, True, True, None),
    Bf16Rules(_v("5.9"), _452 | {"mps", "musa", "mlu", "neuron", "tpu"}, True, True, None),
    Bf16Rules(_v("5.24"), _452 | {"mps", "musa", "mlu", "neuron", "tpu", "supa"}, True, True, None),
)

FP16_DEVICE_CHECK = (_v("3.4"), _v("4.42"))  # releases with transformers' own fp16 device check
FP16_OLD_DEVICES = frozenset({"cuda", "xpu", "npu", "mlu"})
TF32_DEVICES = ((_v("0"), "cuda"), (_v("4.57"), "musa"), (_v("5.24"), "supa"))


def bf16_rules(version: Version) -> Bf16Rules:
    return [r for r in BF16_HISTORY if r.since <= version][-1]


def torch_at_least(profile: HardwareProfile, text: str) -> bool | None:
    if profile.torch is None:
        return None
    try:
        return Version(Version(profile.torch.split("+")[0]).base_version) >= Version(text)
    except InvalidVersion:
        return None


def _xla(profile: HardwareProfile) -> bool:
    return profile.device == "tpu" or profile.has_package("torch_xla") is True


def bf16_verdict(profile: HardwareProfile, version: Version) -> Verdict:
    """bf16 or bf16_full_eval without use_cpu, judged as transformers `version` would."""
    rules = bf16_rules(version)
    kind = profile.device if profile.accelerated else "cpu"
    if rules.device_list is not None and kind not in rules.device_list:
        return Verdict.REFUSED
    supported = kind in rules.accelerators and profile.bf16 != "none"
    if not supported:
        if rules.xla_exempt and _xla(profile):
            return Verdict.OK
        if rules.refuses_without_accelerator or kind in rules.accelerators:
            return Verdict.REFUSED
        return Verdict.CPU_FALLBACK if kind == "cpu" else Verdict.OK
    return Verdict.EMULATED if profile.bf16 == "emulated" else Verdict.OK


def fp16_verdict(profile: HardwareProfile, version: Version, full_eval: bool = False) -> Verdict:
    """fp16 (or fp16_full_eval) without use_cpu."""
    kind = profile.device if profile.accelerated else "cpu"
    first, end = FP16_DEVICE_CHECK
    if first <= version < end and kind not in FP16_OLD_DEVICES:
        cpu_pass = (
            version >= _v("4.41") and kind == "cpu" and torch_at_least(profile, "2.3") is not False
        )
        if not cpu_pass:
            return Verdict.REFUSED
    if kind == "tpu":
        return Verdict.REFUSED
    if kind == "mps" and torch_at_least(profile, "2.5") is False:
        return Verdict.REFUSED
    if kind == "cpu" and not full_eval:
        return Verdict.IGNORED
    return Verdict.OK


def tf32_verdict(profile: HardwareProfile, version: Version) -> Verdict:
    devices = {device for since, device in TF32_DEVICES if since <= version}
    if not profile.accelerated or profile.device not in devices or not profile.tf32:
        return Verdict.REFUSED
    if profile.device == "cuda":
        if profile.hip:
            return Verdict.REFUSED  # transformers asks for torch.version.cuda
        if version < _v("4.52") and profile.cuda is not None:
            try:
                if int(profile.cuda.split(".")[0]) < 11:
                    return Verdict.REFUSED
            except ValueError:
                pass
    return Verdict.OK
