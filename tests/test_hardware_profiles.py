"""Built-in hardware profiles and profile files (no torch needed)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from ce_lint.hardware.builtin import builtin_names, builtin_profile
from ce_lint.hardware.profile import (
    PROFILE_KEYS,
    HardwareProfile,
    ProfileError,
    profile_from_data,
)
from ce_lint.hardware.select import load_profile_file, resolve_spec

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hardware"


def test_required_builtin_names_exist() -> None:
    for name in ("cpu", "mps", "t4", "v100", "a10g", "l4", "a100", "h100", "h200"):
        assert name in builtin_names()
        assert builtin_profile(name).name == name


@pytest.mark.parametrize(
    "name,capability,bf16,tf32,fp8",
    [
        ("t4", (7, 5), "emulated", False, False),
        ("v100", (7, 0), "emulated", False, False),
        ("a10g", (8, 6), "native", True, False),
        ("a100", (8, 0), "native", True, False),
        ("l4", (8, 9), "native", True, True),
        ("h100", (9, 0), "native", True, True),
        ("h200", (9, 0), "native", True, True),
    ],
)
def test_gpu_facts_follow_compute_capability(
    name: str, capability: tuple[int, int], bf16: str, tf32: bool, fp8: bool
) -> None:
    profile = builtin_profile(name)
    assert (profile.device, profile.count) == ("cuda", 1)
    assert profile.compute_capability == capability
    assert (profile.bf16, profile.tf32, profile.fp8) == (bf16, tf32, fp8)
    assert profile.packages is None  # a name says nothing about installed packages


def test_count_suffix() -> None:
    profile = builtin_profile("A100x8")
    assert profile.name == "a100x8"
    assert profile.count == 8
    assert profile.device_names == ("NVIDIA A100",) * 8
    assert builtin_profile("h100x1").name == "h100"


def test_cpu_and_mps() -> None:
    cpu = builtin_profile("cpu")
    assert not cpu.accelerated and cpu.bf16 == "none" and not cpu.tf32
    mps = builtin_profile("mps")
    assert mps.accelerated and mps.device == "mps" and mps.compute_capability is None


@pytest.mark.parametrize(
    "name,message",
    [
        ("a10x8", "did you mean `a10g`"),
        ("h1000", "unknown hardware profile"),
        ("cpux2", "takes no count"),
        ("t4x0", "1 or more"),
        ("mpsx2", "one mps device"),
    ],
)
def test_bad_names(name: str, message: str) -> None:
    with pytest.raises(ProfileError, match=message):
        builtin_profile(name)


def test_yaml_round_trip(tmp_path: Path) -> None:
    profile = replace(
        builtin_profile("h200x2"),
        torch="2.11.0+cu128",
        cuda="12.8",
        driver="570.86.15",
        distributed_backends=("nccl", "gloo"),
        packages=frozenset({"deepspeed", "triton"}),
        compiler=True,
    )
    text = profile.to_yaml("a header line\nand another")
    assert text.startswith("# a header line\n# and another\n")
    # The hand-written YAML reads back as the same data with a real YAML parser.
    assert yaml.safe_load(text) == profile.to_data()
    path = tmp_path / "h200x2.yaml"
    path.write_text(text)
    loaded = load_profile_file(path)
    assert replace(loaded, source="") == replace(profile, source="")
    assert loaded.source == str(path)


def test_yaml_quotes_what_would_change_type() -> None:
    profile = HardwareProfile(name="yes", torch="2.5", driver="null", device_names=())
    data = yaml.safe_load(profile.to_yaml())
    assert data["name"] == "yes" and data["torch"] == "2.5" and data["driver"] == "null"


def test_file_on_a_base(tmp_path: Path) -> None:
    loaded = load_profile_file(FIXTURES / "cluster-a100x8.yaml")
    assert loaded.name == "cluster-a100x8"
    assert loaded.count == 8 and loaded.compute_capability == (8, 0)
    assert loaded.has_package("deepspeed") is True
    assert loaded.has_package("bitsandbytes") is False
    assert loaded.distributed_backends == ("nccl", "gloo")
    path = tmp_path / "node.yaml"
    path.write_text("base: t4x4\n")
    node = load_profile_file(path)
    assert (node.name, node.count, node.bf16) == ("node", 4, "emulated")


@pytest.mark.parametrize(
    "text,message",
    [
        ("name: x\ndevise: cuda\n", "did you mean `device`"),
        ("name: x\ndevice: gpu\n", "device must be one of"),
        ("name: x\ndevice: cuda\n", "count of 1 or more"),
        ("name: x\ncount: 2\n", "cpu profile has count 0"),
        ("name: x\nbf16: fast\n", "bf16 must be"),
        ("name: x\ntf32: 1\n", "`tf32` must be bool"),
        ("name: x\npackages: deepspeed\n", "list of names"),
        ("name: x\ncompute_capability: eight\n", "look like 8.0"),
        ("- a\n- b\n", "mapping of facts"),
        ("name: [unclosed\n", "not valid YAML"),
        ("base: a100x8\nname: null\n", "cannot be null"),
        ("base: z80\n", "unknown hardware profile"),
    ],
)
def test_bad_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ProfileError, match=message):
        load_profile_file(path)


def test_missing_file() -> None:
    with pytest.raises(ProfileError, match="cannot read hardware profile"):
        resolve_spec("no/such/profile.yaml", Path.cwd())


def test_resolve_spec_kinds(tmp_path: Path) -> None:
    assert resolve_spec("local", tmp_path) == "local"
    assert resolve_spec("AUTO", tmp_path) == "auto"
    assert resolve_spec("off", tmp_path) == "off"
    assert resolve_spec("l4x2", tmp_path) == builtin_profile("l4x2")
    (tmp_path / "p.yml").write_text("base: cpu\npackages: []\n")
    assert resolve_spec("p.yml", tmp_path).packages == frozenset()
    inline = resolve_spec({"base": "a100", "packages": ["deepspeed"]}, tmp_path)
    assert inline.name == "a100" and inline.has_package("deepspeed")


def test_every_key_is_documented_in_the_round_trip() -> None:
    assert set(builtin_profile("a100").to_data()) == set(PROFILE_KEYS)
    with pytest.raises(ProfileError, match="needs a `name`"):
        profile_from_data({"device": "cpu"}, "test")


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.yaml")), ids=lambda p: p.name)
def test_fixture_profiles_load(path: Path) -> None:
    profile = load_profile_file(path)
    assert profile.name
    if profile.device == "cuda":
        assert profile.compute_capability is not None
