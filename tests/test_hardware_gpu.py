"""The probe on a real NVIDIA GPU: its figures must match what torch reports directly.

Skipped without CUDA. Run on a GPU machine with
    python -m pytest -q -m "gpu or multigpu" tests/test_hardware_gpu.py
(tools/gpu/hardware_probe.py does the same comparison without pytest and writes the
fixture profiles.)
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from ce_lint.hardware import probe
from ce_lint.hardware.machine import nvidia_driver
from ce_lint.hardware.profile import HardwareProfile
from tests.helpers import check

if nvidia_driver() is None:  # known without importing torch, which takes seconds
    pytest.skip("needs an NVIDIA GPU", allow_module_level=True)
torch = pytest.importorskip("torch")
if not torch.cuda.is_available():
    pytest.skip("needs an NVIDIA GPU", allow_module_level=True)

pytestmark = pytest.mark.gpu


@pytest.fixture
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CE_LINT_USER_CACHE", str(tmp_path / "cache"))
    return tmp_path


def local(monkeypatch: pytest.MonkeyPatch, visible: str | None = None) -> HardwareProfile:
    if visible is not None:
        monkeypatch.setenv("CUDA_VISIBLE_DEVICES", visible)
    result, _ = probe.probe_result(refresh=True)
    return probe.profile_from_result(result)


def test_probe_matches_torch(fresh_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    profile = local(monkeypatch)
    count = torch.cuda.device_count()
    assert profile.device == "cuda"
    assert profile.count == count
    assert list(profile.device_names) == [torch.cuda.get_device_name(i) for i in range(count)]
    assert profile.compute_capability == tuple(torch.cuda.get_device_capability(0))
    total = torch.cuda.get_device_properties(0).total_memory / 2**30
    assert profile.memory_gib == pytest.approx(total, abs=0.06)
    native = torch.cuda.get_device_capability(0) >= (8, 0)
    assert profile.bf16 == ("native" if native else "emulated")
    assert profile.tf32 == native
    assert profile.fp8 == (torch.cuda.get_device_capability(0) >= (8, 9))
    assert profile.torch == torch.__version__
    assert profile.cuda == torch.version.cuda
    assert ("nccl" in (profile.distributed_backends or ())) == torch.distributed.is_nccl_available()


def test_driver_matches_nvidia_smi(fresh_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tool = shutil.which("nvidia-smi")
    if tool is None:
        pytest.skip("nvidia-smi is not on PATH")
    out = subprocess.run(
        [tool, "--query-gpu=driver_version", "--format=csv,noheader"],
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout.split()
    assert local(monkeypatch).driver == out[0]


def test_gpu_config_is_clean_on_an_ampere_or_newer_gpu(
    fresh_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = local(monkeypatch)
    if profile.compute_capability is None or profile.compute_capability < (8, 0):
        pytest.skip("needs compute capability 8.0 or newer")
    text = "output_dir: out\nbf16: true\ntf32: true\nddp_backend: nccl\n"
    found = [
        f for f in check(text, hardware=lambda path: profile).findings if f.code.startswith("CE4")
    ]
    assert found == []


@pytest.mark.multigpu
def test_visible_devices_change_the_count_and_the_cache(
    fresh_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if torch.cuda.device_count() < 2:
        pytest.skip("needs two or more GPUs")
    every = local(monkeypatch)
    assert every.count == torch.cuda.device_count()
    key_all = probe.cache_key()
    one = local(monkeypatch, visible="0")
    assert one.count == 1
    assert probe.cache_key() != key_all
    assert one.device_names[0] == every.device_names[0]
    # FSDP: one device has nothing to shard across; several do.
    text = "output_dir: out\nfsdp: full_shard auto_wrap\n"
    on_one = [f.code for f in check(text, hardware=lambda path: one).findings]
    on_all = [f.code for f in check(text, hardware=lambda path: every).findings]
    assert "CE406" in on_one and "CE406" not in on_all
