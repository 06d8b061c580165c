"""The local probe, for real: a subprocess that imports torch, and its per-machine cache."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import pytest

from ce_lint.hardware import probe
from ce_lint.hardware.profile import OPTIONAL_PACKAGES

pytest.importorskip("torch")  # the worker needs it; this test process never imports it


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("CE_LINT_USER_CACHE", str(folder))
    return folder


def entries(cache: Path) -> list[Path]:
    return sorted((cache / "hardware").glob("probe-*.json"))


def test_worker_reports_this_machine() -> None:
    result = probe.run_worker()
    facts = result["profile"]
    assert facts["torch"] == metadata.version("torch")
    assert facts["device"] in ("cpu", "cuda", "mps", "xpu")
    if facts["device"] == "cpu":
        assert facts["count"] == 0 and facts["bf16"] == "none"
        assert not facts["tf32"] and not facts["fp8"]
        assert "nccl" not in facts["distributed_backends"]
    assert "gloo" in facts["distributed_backends"]
    assert result["extra"]["python"]


def test_profile_from_probe_adds_fresh_packages(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = probe.local_profile()
    assert profile.name.startswith("local ")
    assert profile.source == "local probe"
    assert profile.packages is not None and profile.packages <= set(OPTIONAL_PACKAGES)
    assert profile.has_package("liger_kernel") is False
    # A package installed after the probe is seen at once: packages are never cached.
    fake = tmp_path / "site"
    (fake / "liger_kernel").mkdir(parents=True)
    (fake / "liger_kernel" / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(fake))
    result, cached = probe.probe_result()
    assert cached
    assert probe.profile_from_result(result).has_package("liger_kernel") is True


def test_cache_is_reused_and_invalidated(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, cached = probe.probe_result()
    assert not cached and len(entries(cache)) == 1
    again, cached = probe.probe_result()
    assert cached and again == first

    # Other visible devices: a new key, and the probe really runs again.
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0")
    _, cached = probe.probe_result()
    assert not cached and len(entries(cache)) == 2
    # A broken entry is probed again rather than trusted.
    newest = max(entries(cache), key=lambda p: p.stat().st_mtime_ns)
    newest.write_text("{ not json")
    result, cached = probe.probe_result()
    assert not cached and result["profile"]["torch"] == metadata.version("torch")

    # A torch upgrade, a driver update or another Python environment misses the cache too.
    key = probe.cache_key()
    assert probe._read_cache(probe._cache_file(key), key) is not None
    real_version = probe._version
    changes = [
        ("_version", lambda d: "99.0" if d == "torch" else real_version(d)),
        ("nvidia_driver", lambda: "999.99"),
    ]
    for name, replacement in changes:
        with monkeypatch.context() as patch:
            patch.setattr(probe, name, replacement)
            other = probe.cache_key()
            assert other != key
            assert probe._read_cache(probe._cache_file(other), other) is None
    with monkeypatch.context() as patch:
        patch.setattr(probe.sys, "executable", "/elsewhere/venv/bin/python")
        other = probe.cache_key()
        assert probe._read_cache(probe._cache_file(other), other) is None

    _, cached = probe.probe_result(refresh=True)
    assert not cached


def test_short_names() -> None:
    from ce_lint.hardware.profile import HardwareProfile

    def name(product: str, count: int = 1) -> str:
        return probe.short_name(
            HardwareProfile(name="x", device="cuda", count=count, device_names=(product,) * count)
        )

    assert name("NVIDIA H200", 2) == "h200x2"
    assert name("NVIDIA A100-SXM4-80GB") == "a100"
    assert name("Tesla T4") == "t4"
    assert name("NVIDIA GeForce RTX 4090") == "rtx4090"
    assert probe.short_name(HardwareProfile(name="x")) == "cpu"
