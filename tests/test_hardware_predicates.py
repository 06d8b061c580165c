"""How each transformers release judges bf16, fp16 and tf32 on a machine.

The knowledge (ce_lint/knowledge/data/hardware.json) restates the checks of the released
sources; the last tests read the installed transformers source (with ast, nothing imported)
and check that the data for its release lists the same devices, so a new release that
changes the check fails here.
"""

from __future__ import annotations

import ast
import importlib.util
from dataclasses import replace
from importlib import metadata
from pathlib import Path

import pytest
from packaging.version import Version

from ce_lint.hardware.builtin import builtin_profile
from ce_lint.hardware.predicates import (
    Verdict,
    bf16_rules,
    bf16_verdict,
    fp16_verdict,
    tf32_verdict,
)
from ce_lint.hardware.profile import HardwareProfile
from ce_lint.knowledge.hardware import hardware_facts

CPU = builtin_profile("cpu")
T4 = builtin_profile("t4")
A100 = builtin_profile("a100")
MPS = builtin_profile("mps")
OLD_TORCH_T4 = replace(T4, bf16="none", torch="2.2.2")  # torch before bf16 emulation counted
ROCM = HardwareProfile(
    name="mi300x", device="cuda", count=1, compute_capability=(9, 4), bf16="native", hip="6.2"
)


@pytest.mark.parametrize(
    "profile,version,verdict",
    [
        (CPU, "4.40.0", Verdict.CPU_FALLBACK),
        (CPU, "4.46.3", Verdict.CPU_FALLBACK),
        (CPU, "4.51.0", Verdict.CPU_FALLBACK),
        (CPU, "4.52.1", Verdict.REFUSED),
        (CPU, "5.24.0", Verdict.REFUSED),
        (T4, "4.44.2", Verdict.EMULATED),
        (T4, "5.24.0", Verdict.EMULATED),
        (OLD_TORCH_T4, "4.44.2", Verdict.REFUSED),
        (OLD_TORCH_T4, "5.24.0", Verdict.REFUSED),
        (A100, "4.30.0", Verdict.OK),
        (A100, "5.24.0", Verdict.OK),
        (ROCM, "5.24.0", Verdict.OK),
        (MPS, "4.40.0", Verdict.REFUSED),  # the old device list had no mps
        (MPS, "4.46.3", Verdict.OK),  # CUDA-only check: mps passed untested
        (MPS, "4.55.0", Verdict.REFUSED),
        (MPS, "4.56.0", Verdict.OK),
        (replace(MPS, bf16="none"), "5.24.0", Verdict.REFUSED),  # macOS before 14
        (replace(CPU, packages=frozenset({"torch_xla"})), "4.52.1", Verdict.REFUSED),
        (replace(CPU, packages=frozenset({"torch_xla"})), "4.53.0", Verdict.OK),
    ],
)
def test_bf16(profile: HardwareProfile, version: str, verdict: Verdict) -> None:
    assert bf16_verdict(profile, Version(version)) is verdict


def test_bf16_device_history() -> None:
    assert bf16_rules(Version("4.51.0")).accelerators == {"cuda"}
    assert {"xpu", "hpu", "npu"} <= bf16_rules(Version("4.52.1")).accelerators
    assert "musa" in bf16_rules(Version("4.57.1")).accelerators
    assert "tpu" not in bf16_rules(Version("5.8.0")).accelerators
    assert "tpu" in bf16_rules(Version("5.9.0")).accelerators
    assert "supa" in bf16_rules(Version("5.24.0")).accelerators


@pytest.mark.parametrize(
    "profile,version,full_eval,verdict",
    [
        (CPU, "4.40.0", False, Verdict.REFUSED),
        (replace(CPU, torch="2.2.0"), "4.41.0", False, Verdict.REFUSED),
        (replace(CPU, torch="2.3.1"), "4.41.0", False, Verdict.IGNORED),
        (CPU, "5.24.0", False, Verdict.IGNORED),
        (CPU, "5.24.0", True, Verdict.OK),  # evaluation casts the model itself
        (MPS, "4.40.0", False, Verdict.REFUSED),
        (replace(MPS, torch="2.4.1"), "5.24.0", False, Verdict.REFUSED),
        (replace(MPS, torch="2.5.0"), "5.24.0", False, Verdict.OK),
        (HardwareProfile(name="v5e", device="tpu", count=8), "5.24.0", False, Verdict.REFUSED),
        (T4, "4.40.0", False, Verdict.OK),
        (T4, "5.24.0", False, Verdict.OK),
    ],
)
def test_fp16(profile: HardwareProfile, version: str, full_eval: bool, verdict: Verdict) -> None:
    assert fp16_verdict(profile, Version(version), full_eval) is verdict


@pytest.mark.parametrize(
    "profile,version,verdict",
    [
        (A100, "4.44.2", Verdict.OK),
        (A100, "5.24.0", Verdict.OK),
        (T4, "5.24.0", Verdict.REFUSED),
        (CPU, "5.24.0", Verdict.REFUSED),
        (MPS, "5.24.0", Verdict.REFUSED),
        (ROCM, "5.24.0", Verdict.REFUSED),
        (replace(A100, cuda="10.2"), "4.46.3", Verdict.REFUSED),
        (replace(A100, cuda="10.2"), "4.52.1", Verdict.OK),
    ],
)
def test_tf32(profile: HardwareProfile, version: str, verdict: Verdict) -> None:
    assert tf32_verdict(profile, Version(version)) is verdict


# ---- against the installed transformers source ----------------------------------------


def _transformers_source(relative: str) -> str:
    spec = importlib.util.find_spec("transformers")
    if spec is None or spec.origin is None:
        pytest.skip("transformers is not installed")
    return (Path(spec.origin).parent / relative).read_text(encoding="utf-8")


def _function(source: str, name: str) -> ast.FunctionDef:
    tree = ast.parse(source)
    return next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == name)


def _devices_asked(fn: ast.FunctionDef) -> set[str]:
    """Device kinds a predicate consults: is_torch_<kind>_available() and torch.cuda."""
    found = set()
    for node in ast.walk(fn):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name = node.func.id
            if name.startswith("is_torch_") and name.endswith("_available"):
                found.add(name[len("is_torch_") : -len("_available")])
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "is_available"
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "cuda"
        ):
            found.add("cuda")
    return found - {"", "bf16_gpu"}


def test_bf16_devices_match_installed_transformers() -> None:
    version = Version(metadata.version("transformers"))
    source = _transformers_source("utils/import_utils.py")
    asked = _devices_asked(_function(source, "is_torch_bf16_gpu_available"))
    assert asked == set(bf16_rules(version).accelerators), (
        f"transformers {version} asks {sorted(asked)}; update ce_lint/knowledge/data/hardware.json"
    )


def test_bf16_refusal_matches_installed_transformers() -> None:
    version = Version(metadata.version("transformers"))
    rules = bf16_rules(version)
    source = _transformers_source("training_args.py")
    compact = " ".join(source.split())
    asks_xla = "not is_torch_bf16_gpu_available() and not is_torch_xla_available()" in compact
    refuses_anywhere = "not self.use_cpu and not is_torch_bf16_gpu_available()" in compact
    assert asks_xla == rules.xla_exempt
    assert refuses_anywhere == rules.refuses_without_accelerator


def test_tf32_devices_match_installed_transformers() -> None:
    version = Version(metadata.version("transformers"))
    source = _transformers_source("utils/import_utils.py")
    asked = _devices_asked(_function(source, "is_torch_tf32_available"))
    ours = hardware_facts().tf32_devices(version)
    assert asked == ours
