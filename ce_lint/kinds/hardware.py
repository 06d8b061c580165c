"""Kinds for settings the training machine cannot honour (codes CE4xx).

Each kind first looks at the Site; only when a hardware-dependent setting is on does it
ask `ctx.hardware` for the profile of that file (which may start the local probe). With
no profile (torch not installed, probe failed) the kinds stay quiet. Every message that
depends on a profile starts with "on <profile>:".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from packaging.version import Version

from ..findings import Finding, Severity
from ..hardware.predicates import (
    Verdict,
    bf16_rules,
    bf16_verdict,
    fp16_verdict,
    tf32_verdict,
    torch_at_least,
)
from ..hardware.profile import OPTIONAL_PACKAGES, HardwareProfile
from ..knowledge.hardware import hardware_facts
from ..model import Entry, Site
from .base import Context, Kind, register, release
from .fields import describe, matches
from .support import short

DEVICE_WORDS = {
    "cuda": "a CUDA GPU",
    "xpu": "an Intel XPU",
    "npu": "an Ascend NPU",
    "hpu": "a Gaudi HPU",
    "mlu": "a Cambricon MLU",
    "musa": "a Moore Threads GPU",
    "supa": "a Biren GPU",
    "neuron": "an AWS Neuron device",
    "tpu": "a TPU",
    "mps": "an Apple GPU (mps)",
    "cpu": "the CPU",
}


def is_on(entry: Entry | None) -> bool:
    """A flag set to true (a literal boolean, or the string forms argument parsers take)."""
    if entry is None or not entry.value.known:
        return False
    value = entry.value.py
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "1")
    return value is True


def is_set(entry: Entry | None) -> bool:
    """A known value that is not an `off` spelling (None, false, empty)."""
    if entry is None or not entry.value.known:
        return False
    value = entry.value.py
    if isinstance(value, str):
        return value.strip().lower() not in ("", "false", "no", "none", "0")
    return value not in (None, False) and value != [] and value != {}


def pip_name(package: str) -> str:
    return OPTIONAL_PACKAGES.get(package, package)


def device_word(profile: HardwareProfile) -> str:
    """`the NVIDIA T4`, or `this GPU` when the profile names no product."""
    if not profile.accelerated:
        return "the CPU"
    if profile.device_names:
        return f"the {profile.device_names[0]}"
    return "this GPU" if profile.device in ("cuda", "xpu", "musa", "supa", "mps") else "this device"


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def has_word(profile: HardwareProfile) -> str:
    """What the machine offers, for `..., and this machine has <...>`."""
    if not profile.accelerated:
        return "no accelerator"
    return DEVICE_WORDS[profile.device]


ASSUMED_HINT = (
    '(Judged on this machine, which has no accelerator, under `hardware = "auto"`: name the '
    'training machine with `hardware = "a100x8"` in [tool.ce-lint] or `--hardware`.)'
)


class HardwareKind(Kind):
    """Helpers shared by the CE4xx kinds."""

    def profile(self, site: Site, ctx: Context) -> HardwareProfile | None:
        provider = ctx.hardware
        return provider(site.path) if provider is not None else None

    @staticmethod
    def uses_cpu(site: Site) -> bool:
        return is_on(site.get("use_cpu")) or is_on(site.get("no_cuda"))

    def switched_on(self, site: Site, ctx: Context) -> tuple[list[Entry], HardwareProfile] | None:
        """The entries of `fields` that are on, and the profile to judge them by; None when
        there is nothing to judge (nothing on, use_cpu set, or no profile)."""
        entries = [e for f in self.params["fields"] for e in site.all(f) if is_on(e)]
        if not entries or self.uses_cpu(site):
            return None  # with use_cpu, CE404 explains
        profile = self.profile(site, ctx)
        return None if profile is None else (entries, profile)

    def effective(self, site: Site, profile: HardwareProfile) -> HardwareProfile:
        return profile.on_cpu() if self.uses_cpu(site) else profile

    def report(
        self,
        site: Site,
        entry: Entry,
        profile: HardwareProfile | None,
        text: str,
        severity: Severity,
    ) -> Finding:
        message = f"on {profile.name}: {text}" if profile is not None else text
        if profile is not None and profile.assumed and not profile.accelerated:
            # Most configs train elsewhere: "this machine has no GPU" is no error of the file.
            severity = Severity.INFO
            message += f" {ASSUMED_HINT}"
        return self.finding(site, entry.key_span, message, severity, None, (entry.key,))


def _setting(entry: Entry) -> str:
    value = entry.value.py
    shown = (
        value
        if isinstance(value, str) and value.strip() == value and value
        else describe(entry.value)
    )
    return f"`{entry.key}: {shown}`"


@register
class Bf16Support(HardwareKind):
    """bf16 / bf16_full_eval where the machine has no bf16, judged as the target would."""

    name = "bf16-support"
    required = ("fields",)

    def check(self, site: Site, ctx: Context) -> Iterator[Finding]:
        judged = self.switched_on(site, ctx)
        if judged is None:
            return
        entries, profile = judged
        verdict = bf16_verdict(profile, ctx.targets.tf)
        for entry in entries:
            text, severity = self.explain(entry, profile, verdict, ctx.targets.tf)
            if text:
                yield self.report(site, entry, profile, text, severity)

    def explain(
        self, entry: Entry, profile: HardwareProfile, verdict: Verdict, target: Version
    ) -> tuple[str, Severity]:
        setting = _setting(entry)
        version = short(target)
        if verdict is Verdict.EMULATED:
            cc = profile.compute_capability
            level = f" (compute capability {cc[0]}.{cc[1]})" if cc else ""
            return (
                f"{_upper_first(device_word(profile))}{level} has no bf16 hardware; torch emulates it, so "
                f"{setting} is accepted but trains slower than fp16. Use `fp16: true` on "
                "GPUs below compute capability 8.0.",
                Severity.WARNING,
            )
        if verdict is Verdict.CPU_FALLBACK:
            refused = short(hardware_facts().bf16_refusal_since())
            return (
                f"there is no accelerator, so transformers {version} runs {setting} on the CPU; "
                f"from transformers {refused} this raises unless `use_cpu: true` is set.",
                Severity.WARNING,
            )
        if verdict is not Verdict.REFUSED:
            return "", Severity.INFO
        rules = bf16_rules(target)
        device = profile.device_type
        if rules.device_list is not None and device not in rules.device_list:
            why = f"transformers {version} allows bf16 only on CUDA, XPU, NPU, MLU, TPU or the CPU"
        elif device == "cpu":
            why = (
                "there is no accelerator with bf16; set `use_cpu: true` to train in bf16 on the "
                "CPU, or drop bf16"
            )
        elif device not in rules.accelerators:
            first = hardware_facts().bf16_first_accepting(device)
            floor = f"; transformers {short(first)} and newer accept it" if first else ""
            why = f"transformers {version} does not look for bf16 on {device} devices{floor}"
        else:
            why = f"torch reports no bf16 support on {device_word(profile)}; use fp16 instead"
        return (
            f"transformers {version} raises a ValueError for {setting}: {why}.",
            Severity.ERROR,
        )


@register
class Tf32Support(HardwareKind):
    """tf32 on a machine without an Ampere-or-newer CUDA GPU."""

    name = "tf32-support"
    required = ("field",)

    def check(self, site: Site, ctx: Context) -> Iterator[Finding]:
        entry = site.get(self.params["field"])
        if not is_on(entry) or self.uses_cpu(site):
            return  # with use_cpu, CE404 explains
        assert entry is not None
        profile = self.profile(site, ctx)
        if profile is None:
            return
        if tf32_verdict(profile, ctx.targets.tf) is not Verdict.REFUSED:
            return
        if not profile.accelerated:
            why = "there is no GPU"
        elif profile.hip:
            why = "transformers enables tf32 only on CUDA builds of torch, not ROCm"
        elif profile.compute_capability is not None:
            cc = profile.compute_capability
            why = f"{device_word(profile)} has compute capability {cc[0]}.{cc[1]}"
        else:
            why = f"{device_word(profile)} is not an NVIDIA GPU"
        yield self.report(
            site,
            entry,
            profile,
            f"{_setting(entry)} needs an NVIDIA GPU of compute capability 8.0 or newer "
            f"(Ampere), and {why}: transformers raises a ValueError. Remove it or set it to false.",
            Severity.ERROR,
        )


@register
class Fp16Support(HardwareKind):
    """fp16 / fp16_full_eval where the target refuses it or it has no effect."""

    name = "fp16-support"
    required = ("fields",)

    def check(self, site: Site, ctx: Context) -> Iterator[Finding]:
        judged = self.switched_on(site, ctx)
        if judged is None:
            return
        entries, profile = judged
        version = short(ctx.targets.tf)
        device = profile.device_type
        for entry in entries:
            verdict = fp16_verdict(profile, ctx.targets.tf, full_eval=entry.key.endswith("_eval"))
            setting = _setting(entry)
            if verdict is Verdict.IGNORED:
                yield self.report(
                    site,
                    entry,
                    profile,
                    f"there is no accelerator, and accelerate does not autocast fp16 on the CPU: "
                    f"{setting} is accepted but training runs in fp32. For mixed precision on a "
                    "CPU, use `bf16: true` with `use_cpu: true`.",
                    Severity.WARNING,
                )
            elif verdict is Verdict.REFUSED:
                if device == "tpu":
                    why = "accelerate refuses fp16 on TPUs; use bf16 there"
                elif device == "mps":
                    needs = short(hardware_facts().fp16.mps_torch)
                    why = f"accelerate needs torch {needs} or newer for fp16 on mps (found {profile.torch})"
                else:
                    why = (
                        f"transformers {version} accepts fp16 only on CUDA, XPU, NPU or MLU "
                        f"devices, and this machine has {has_word(profile)}"
                    )
                yield self.report(
                    site, entry, profile, f"{setting} raises a ValueError: {why}.", Severity.ERROR
                )


@register
class CpuConflicts(HardwareKind):
    """use_cpu together with settings that only make sense on an accelerator.

    params: conflicts: list of {field, when, why, severity}. Needs no profile: `use_cpu`
    decides the device whatever the machine.
    """

    name = "cpu-conflicts"
    required = ("conflicts",)

    def check(self, site: Site, ctx: Context) -> Iterator[Finding]:
        if not self.uses_cpu(site):
            return
        flag = "use_cpu" if is_on(site.get("use_cpu")) else "no_cuda"
        for conflict in self.params["conflicts"]:
            for entry in site.all(conflict["field"]):
                if not entry.value.known or not matches(conflict["when"], entry.value):
                    continue
                why = " ".join(conflict["why"].split())
                severity = Severity(conflict.get("severity", "warning"))
                yield self.report(
                    site,
                    entry,
                    None,
                    f"`{flag}: true` trains on the CPU, where {_setting(entry)} {why}",
                    severity,
                )


@register
class DdpBackend(HardwareKind):
    """ddp_backend that the machine's devices or torch build cannot provide.

    params: needs: backend -> device kinds it runs on (absent: any device); torch: backend ->
    the torch release that registers it (absent: every release ce-lint knows).
    """

    name = "ddp-backend"
    required = ("field", "needs")
    optional = ("torch",)

    def setup(self) -> None:
        self.torch = {name: release(v) for name, v in (self.params.get("torch") or {}).items()}

    def check(self, site: Site, ctx: Context) -> Iterator[Finding]:
        entry = site.get(self.params["field"])
        if not is_set(entry) or self.uses_cpu(site):
            return  # with use_cpu, CE404 explains
        assert entry is not None
        backend = str(entry.value.py).strip().lower()
        profile = self.profile(site, ctx)
        if profile is None:
            return
        devices = self.params["needs"].get(backend)
        device = profile.device_type
        if devices is not None and device not in devices:
            wanted = " or ".join(DEVICE_WORDS.get(d, d) for d in devices)
            text = (
                f"{_setting(entry)} needs {wanted}, and this machine has {has_word(profile)}: the "
                "distributed launch fails when the process group starts."
            )
            yield self.report(site, entry, profile, text, Severity.ERROR)
        elif (since := self.torch.get(backend)) and torch_at_least(profile, since) is False:
            text = (
                f"{_setting(entry)} is registered from torch {short(since)}, and this machine has torch "
                f"{profile.torch}: the distributed launch fails when the process group starts."
            )
            yield self.report(site, entry, profile, text, Severity.ERROR)
        elif (
            profile.distributed_backends is not None
            and backend not in profile.distributed_backends
            and (devices is not None or backend in ("gloo", "mpi", "ucc"))
        ):
            have = ", ".join(profile.distributed_backends) or "none"
            text = f"{_setting(entry)} is not available in this torch build (it offers: {have})."
            yield self.report(site, entry, profile, text, Severity.ERROR)


def _offloads(value: Any) -> bool:
    """An fsdp option list/string naming `offload`, or a mapping with an offload key turned on."""
    if isinstance(value, str):
        return "offload" in value.split()
    if isinstance(value, list):
        return any(_offloads(v) for v in value)
    if isinstance(value, dict):
        for key, inner in value.items():
            if "offload" in str(key) and inner and inner != {"device": "none"}:
                return True
            if isinstance(inner, dict | list) and _offloads(inner):
                return True
    return False


def _has_offload(site: Site, entry: Entry, config_field: str | None) -> bool:
    config = site.get(config_field) if config_field else None
    in_config = config is not None and config.value.known and _offloads(config.value.py)
    return _offloads(entry.value.py) or in_config


@register
class ShardedTraining(HardwareKind):
    """fsdp / deepspeed on a machine with one device or none, or without the package.

    params: field, package (needed to run it), config (a field whose mapping may offload),
    what (how to name it in messages).
    """

    name = "sharded-training"
    required = ("field", "what")
    optional = ("package", "config", "path_may_offload")

    def check(self, site: Site, ctx: Context) -> Iterator[Finding]:
        entry = site.get(self.params["field"])
        if not is_set(entry):
            return
        assert entry is not None
        profile = self.profile(site, ctx)
        if profile is None:
            return
        machine = self.effective(site, profile)
        what = self.params["what"]
        package = self.params.get("package")
        if package and machine.has_package(package) is False:
            yield self.report(
                site,
                entry,
                profile,
                f"{_setting(entry)} needs the {pip_name(package)} package, which is not "
                f"installed (pip install {pip_name(package)}).",
                Severity.ERROR,
            )
            return
        if not machine.accelerated:
            yield self.report(
                site,
                entry,
                profile,
                f"{what} spreads training over accelerators, and "
                f"{'`use_cpu: true` leaves none' if self.uses_cpu(site) else 'this machine has none'}.",
                Severity.WARNING,
            )
            return
        if machine.count == 1 and not _has_offload(site, entry, self.params.get("config")):
            if isinstance(entry.value.py, str) and self.params.get("path_may_offload"):
                return  # a config file we do not read may offload to the CPU
            yield self.report(
                site,
                entry,
                profile,
                f"{what} on a single device has nothing to shard across; unless it offloads "
                "to the CPU it only adds overhead.",
                Severity.INFO,
            )


@register
class Requires(HardwareKind):
    """A setting value that needs an optional package, a device or a torch release.

    params: field, cases: list of {when, package, devices, off_device (severity),
    min_torch ({device: version}), note}. The first case whose `when` matches decides.
    """

    name = "requires"
    required = ("field", "cases")

    def setup(self) -> None:
        # min_torch per device, parsed once
        self.cases = [
            {**case, "min_torch": {k: release(v) for k, v in (case.get("min_torch") or {}).items()}}
            for case in self.params["cases"]
        ]

    def check(self, site: Site, ctx: Context) -> Iterator[Finding]:
        for entry in site.all(self.params["field"]):
            if not entry.value.known:
                continue
            case = next((c for c in self.cases if matches(c["when"], entry.value)), None)
            if case is None:
                continue
            profile = self.profile(site, ctx)
            if profile is None:
                return
            problems, severity = self.problems(case, self.effective(site, profile), site)
            if problems:
                note = " ".join(case.get("note", "").split())
                text = f"{_setting(entry)} {'; and '.join(problems)}."
                if note:
                    text += f" {note}"
                yield self.report(site, entry, profile, text, severity)

    def problems(
        self, case: dict[str, Any], machine: HardwareProfile, site: Site
    ) -> tuple[list[str], Severity]:
        out: list[str] = []
        severity = Severity.INFO
        order = [Severity.INFO, Severity.WARNING, Severity.ERROR]

        def worse(level: Severity) -> None:
            nonlocal severity
            severity = max(severity, level, key=order.index)

        package = case.get("package")
        if package and machine.has_package(package) is False:
            out.append(
                f"needs the {pip_name(package)} package, which is not installed "
                f"(pip install {pip_name(package)})"
            )
            worse(Severity.ERROR)
        device = machine.device_type
        devices = case.get("devices")
        if devices and device not in devices:
            wanted = " or ".join(DEVICE_WORDS.get(d, d) for d in devices)
            where = (
                "`use_cpu: true` trains on the CPU"
                if self.uses_cpu(site)
                else (f"this machine has {has_word(machine)}")
            )
            out.append(f"needs {wanted}, and {where}")
            worse(Severity(case.get("off_device", "error")))
        minimum = (case.get("min_torch") or {}).get(device)
        if minimum and torch_at_least(machine, minimum) is False:
            out.append(
                f"needs torch {short(minimum)} or newer on {DEVICE_WORDS[device]}, and this machine has "
                f"torch {machine.torch}"
            )
            worse(Severity.ERROR)
        return out, severity


@register
class TorchCompile(HardwareKind):
    """torch_compile with a backend that cannot run on the machine.

    params: backends: name -> {devices (where it runs at all), package (on any device),
    needs: {device: {package, min_capability, compiler}}}; default: the backend when
    torch_compile_backend is not set.
    """

    name = "torch-compile"
    required = ("backends", "default")

    def check(self, site: Site, ctx: Context) -> Iterator[Finding]:
        flag, backend_entry, mode = (
            site.get("torch_compile"),
            site.get("torch_compile_backend"),
            site.get("torch_compile_mode"),
        )
        # Setting a backend or a mode turns torch_compile on.
        on = is_on(flag) or is_set(backend_entry) or is_set(mode)
        if not on:
            return
        if backend_entry is not None and not backend_entry.value.known:
            return
        backend = str(backend_entry.value.py) if is_set(backend_entry) else self.params["default"]
        rules = self.params["backends"].get(backend)
        if rules is None:
            return
        entry = backend_entry if is_set(backend_entry) else (flag if is_on(flag) else mode)
        assert entry is not None
        profile = self.profile(site, ctx)
        if profile is None:
            return
        machine = self.effective(site, profile)
        device = machine.device_type
        problems = []
        devices = rules.get("devices")
        if devices and device not in devices:
            wanted = " or ".join(DEVICE_WORDS.get(d, d) for d in devices)
            problems.append(f"runs only on {wanted}, not on {DEVICE_WORDS[device]}")
        needs = dict(rules.get("needs", {}).get(device, {}))
        package = needs.get("package") or rules.get("package")
        if package and machine.has_package(package) is False:
            problems.append(f"needs the {pip_name(package)} package, which is not installed")
        minimum = needs.get("min_capability")
        if minimum is not None:
            major, minor = (int(x) for x in str(minimum).split("."))
            if machine.capability_at_least(major, minor) is False:
                cc = machine.compute_capability
                assert cc is not None
                problems.append(
                    f"needs compute capability {minimum} or newer on CUDA (Triton's floor), and "
                    f"{device_word(machine)} has {cc[0]}.{cc[1]}"
                )
        if needs.get("compiler") and machine.compiler is False:
            problems.append("builds C++ kernels on the CPU, and no C++ compiler is on PATH")
        if problems:
            text = f"torch.compile with the `{backend}` backend {'; and '.join(problems)}."
            yield self.report(site, entry, profile, text, Severity.ERROR)


@register
class PinMemory(HardwareKind):
    """dataloader_pin_memory asked for on a machine without an accelerator."""

    name = "pin-memory"
    required = ("field",)

    def check(self, site: Site, ctx: Context) -> Iterator[Finding]:
        entry = site.get(self.params["field"])
        if not is_on(entry) or self.uses_cpu(site):
            return  # with use_cpu, transformers turns pinning off by itself
        assert entry is not None
        profile = self.profile(site, ctx)
        if profile is None or profile.accelerated:
            return
        yield self.report(
            site,
            entry,
            profile,
            f"{_setting(entry)} pins batches in page-locked memory for fast copies to an "
            "accelerator, and this machine has none: it does nothing here (torch warns).",
            Severity.INFO,
        )
