"""How each transformers release decides whether a machine supports bf16, fp16 and tf32.

The checks of `TrainingArguments.__post_init__` changed between releases (read from the
released sources of transformers 3.4 to 5.25; `transformers/utils/import_utils.py` and
`training_args.py`); the releases of each change are in the version knowledge
(`ce_lint/knowledge/data/hardware.json`):

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

from packaging.version import InvalidVersion, Version

from ..knowledge.hardware import Bf16Rules, hardware_facts
from .profile import HardwareProfile


class Verdict(enum.Enum):
    OK = "ok"
    REFUSED = "refused"  # TrainingArguments (or accelerate) raises
    EMULATED = "emulated"  # accepted, but emulated in software: slow
    CPU_FALLBACK = "cpu-fallback"  # accepted, but the run quietly uses the CPU
    IGNORED = "ignored"  # accepted, but has no effect (fp16 on the CPU)


def bf16_rules(version: Version) -> Bf16Rules:
    return hardware_facts().bf16_rules(version)


def torch_at_least(profile: HardwareProfile, version: Version) -> bool | None:
    """Whether the machine's torch is `version` or newer (None: the profile does not say)."""
    if profile.torch is None:
        return None
    try:
        return Version(Version(profile.torch.split("+")[0]).base_version) >= version
    except InvalidVersion:
        return None


def _xla(profile: HardwareProfile) -> bool:
    return profile.device == "tpu" or profile.has_package("torch_xla") is True


def bf16_verdict(profile: HardwareProfile, version: Version) -> Verdict:
    """bf16 or bf16_full_eval without use_cpu, judged as transformers `version` would."""
    rules = bf16_rules(version)
    device = profile.device_type
    if rules.device_list is not None and device not in rules.device_list:
        return Verdict.REFUSED
    supported = device in rules.accelerators and profile.bf16 != "none"
    if not supported:
        if rules.xla_exempt and _xla(profile):
            return Verdict.OK
        if rules.refuses_without_accelerator or device in rules.accelerators:
            return Verdict.REFUSED
        return Verdict.CPU_FALLBACK if device == "cpu" else Verdict.OK
    return Verdict.EMULATED if profile.bf16 == "emulated" else Verdict.OK


def fp16_verdict(profile: HardwareProfile, version: Version, full_eval: bool = False) -> Verdict:
    """fp16 (or fp16_full_eval) without use_cpu."""
    facts = hardware_facts().fp16
    device = profile.device_type
    checked = facts.device_check_since <= version < facts.device_check_until
    if checked and device not in facts.device_check_devices:
        cpu_pass = (
            version >= facts.cpu_since
            and device == "cpu"
            and torch_at_least(profile, facts.cpu_torch) is not False
        )
        if not cpu_pass:
            return Verdict.REFUSED
    if device == "tpu":
        return Verdict.REFUSED
    if device == "mps" and torch_at_least(profile, facts.mps_torch) is False:
        return Verdict.REFUSED
    if device == "cpu" and not full_eval:
        return Verdict.IGNORED
    return Verdict.OK


def tf32_verdict(profile: HardwareProfile, version: Version) -> Verdict:
    facts = hardware_facts()
    if (
        not profile.accelerated
        or profile.device not in facts.tf32_devices(version)
        or not profile.tf32
    ):
        return Verdict.REFUSED
    if profile.device == "cuda":
        if profile.hip:
            return Verdict.REFUSED  # transformers asks for torch.version.cuda
        if version < facts.tf32.cuda_major_until and profile.cuda is not None:
            try:
                if int(profile.cuda.split(".")[0]) < facts.tf32.cuda_major_min:
                    return Verdict.REFUSED
            except ValueError:
                pass
    return Verdict.OK
