"""Hardware rules (CE4xx) end to end: profiles chosen by name, file, settings or the probe.

Besides the rule examples (tests/test_rule_examples.py), these are the issue's
acceptance cases, including the real probe of this CPU-only machine.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ce_lint.engine import FileResult
from ce_lint.hardware.builtin import builtin_profile
from ce_lint.hardware.profile import HardwareProfile, ProfileError
from ce_lint.hardware.select import HardwareSelection, load_profile_file
from tests.helpers import TODAY, check

REPO = Path(__file__).resolve().parents[1]
GPU_CONFIG = "output_dir: out\nbf16: true\ntf32: true\nddp_backend: nccl\n"
CPU_CONFIG = (
    "output_dir: out\nuse_cpu: true\nbf16: true\nddp_backend: gloo\ndataloader_pin_memory: true\n"
)


def hardware_findings(result: FileResult) -> dict[str, tuple[str, str]]:
    return {
        f.code: (f.severity.value, f.message) for f in result.findings if f.code.startswith("CE4")
    }


def judged(profile: HardwareProfile | None, text: str, name: str = "config.yaml") -> dict:
    return hardware_findings(check(text, name, hardware=lambda path: profile))


@pytest.mark.parametrize("name", ["config.yaml", "config.json", "train.py"])
def test_h100x8_accepts_bf16_tf32_nccl(name: str) -> None:
    text = {
        "config.yaml": GPU_CONFIG,
        "config.json": '{"output_dir": "out", "bf16": true, "tf32": true, "ddp_backend": "nccl"}',
        "train.py": (
            "from sentence_transformers.cross_encoder import CrossEncoderTrainingArguments\n"
            "args = CrossEncoderTrainingArguments(output_dir='out', bf16=True, tf32=True,"
            " ddp_backend='nccl')\n"
        ),
    }[name]
    assert judged(builtin_profile("h100x8"), text, name) == {}


@pytest.mark.parametrize("name", ["config.yaml", "train.py"])
def test_t4_flags_bf16_as_warning_and_tf32_as_error(name: str) -> None:
    text = (
        GPU_CONFIG
        if name == "config.yaml"
        else (
            "from transformers import TrainingArguments\n"
            "args = TrainingArguments(output_dir='out', bf16=True, tf32=True)\n"
        )
    )
    found = judged(builtin_profile("t4"), text, name)
    assert found["CE401"][0] == "warning"
    assert found["CE402"][0] == "error"
    assert "CE405" not in found  # nccl is fine on a T4
    for _, message in found.values():
        assert message.startswith("on t4: ")


def test_every_profile_message_names_the_profile() -> None:
    text = (
        "output_dir: out\nbf16: true\ntf32: true\nfp16_full_eval: true\nddp_backend: nccl\n"
        "fsdp: full_shard\noptim: paged_adamw_8bit\nuse_liger_kernel: true\n"
        "torch_compile_backend: cudagraphs\ndataloader_pin_memory: true\n"
        "deepspeed: ds.json\nbatch_sampler: no_duplicates_hashed\n"
    )
    profile = HardwareProfile(name="runner-7", device="cpu", packages=frozenset(), torch="2.13.0")
    found = judged(profile, text)
    assert {"CE401", "CE402", "CE405", "CE407", "CE408", "CE409", "CE410", "CE411", "CE412"} <= set(
        found
    )
    for code, (_, message) in found.items():
        assert message.startswith("on runner-7: "), code


def test_no_profile_means_no_profile_rules_but_use_cpu_conflicts_still_count() -> None:
    assert judged(None, GPU_CONFIG) == {}
    found = judged(None, "use_cpu: true\ntf32: true\nddp_backend: nccl\n")
    assert set(found) == {"CE404"}


def test_profile_is_asked_only_for_hardware_dependent_settings() -> None:
    asked: list[str] = []

    def provider(path: str) -> HardwareProfile:
        asked.append(path)
        return builtin_profile("cpu")

    check("output_dir: out\nlearning_rate: 0.001\nbf16: false\nfp16: false\n", hardware=provider)
    check("output_dir: out\nuse_cpu: true\nbf16: true\ntf32: false\n", hardware=provider)
    assert asked == []
    check("output_dir: out\nbf16: true\n", "a.yaml", hardware=provider)
    assert asked and set(asked) == {"a.yaml"}


def test_use_cpu_moves_device_rules_to_the_cpu() -> None:
    found = judged(
        builtin_profile("a100x8"), "use_cpu: true\noptim: paged_adamw_8bit\nfsdp: full_shard\n"
    )
    assert "use_cpu: true` trains on the CPU" in found["CE408"][1]
    assert found["CE406"][0] == "warning"


def test_target_version_changes_the_bf16_verdict() -> None:
    cpu = builtin_profile("cpu")
    old = hardware_findings(
        check("output_dir: out\nbf16: true\n", targets=("transformers==4.46.3", "sentence-transformers==3.3"),
              hardware=lambda path: cpu)
    )  # fmt: skip
    new = judged(cpu, "output_dir: out\nbf16: true\n")
    assert old["CE401"][0] == "warning" and "4.46.3" in old["CE401"][1]
    today = next(t for t in TODAY if t.startswith("transformers")).split("==")[1]
    assert new["CE401"][0] == "error" and f"transformers {today} " in new["CE401"][1]


# ---- the local probe of this machine (CPU only, torch installed) -------------------------


@pytest.fixture
def local_cpu() -> HardwareProfile:
    pytest.importorskip("torch")  # only to know the probe can run; the probe imports it itself
    selection = HardwareSelection(choice="local")
    profile = selection("config.yaml")
    assert profile is not None
    if profile.accelerated:
        pytest.skip("this test is about a machine without accelerators")
    return profile


def test_cpu_probe_flags_bf16_tf32_and_nccl(local_cpu: HardwareProfile) -> None:
    found = judged(local_cpu, GPU_CONFIG)
    assert {"CE401", "CE402", "CE405"} <= set(found)
    assert found["CE401"][0] == "error"  # transformers 5.24 refuses bf16 without use_cpu
    assert all(message.startswith(f"on {local_cpu.name}: ") for _, message in found.values())
    assert local_cpu.name == "local cpu"


def test_use_cpu_config_is_clean_on_the_cpu_probe(local_cpu: HardwareProfile) -> None:
    assert judged(local_cpu, CPU_CONFIG) == {}


# ---- choosing the profile ------------------------------------------------------------------


def ce_lint(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k != "CE_LINT_HARDWARE"}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "ce_lint", *args, "--target", "transformers==5.24",
         "--target", "sentence-transformers==6.2", "--output-format", "concise"],
        cwd=cwd, capture_output=True, text=True, timeout=120, env=full_env,
    )  # fmt: skip


def codes_by_file(output: str) -> dict[str, set[str]]:
    """file name -> CE4xx codes, from concise output (`path:row:col: CODE message`)."""
    out: dict[str, set[str]] = {}
    for match in re.finditer(r"^([^:\n]+):\d+:\d+: (CE4\d\d) ", output, re.MULTILINE):
        out.setdefault(Path(match.group(1)).name, set()).add(match.group(2))
    return out


def test_cli_names_file_and_settings(tmp_path: Path) -> None:
    (tmp_path / "gpu").mkdir()
    (tmp_path / "gpu" / "train.yaml").write_text(GPU_CONFIG)
    (tmp_path / "laptop.yaml").write_text(GPU_CONFIG)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.ce-lint]\nhardware = "t4"\nper-file-hardware = { "gpu/*.yaml" = "h100x8" }\n'
    )
    proc = ce_lint("check", ".", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    found = codes_by_file(proc.stdout)
    assert "train.yaml" not in found  # h100x8 by path glob
    assert found["laptop.yaml"] == {"CE401", "CE402"}  # t4 from `hardware`
    assert "on t4: " in proc.stdout

    # --hardware wins over the settings, for every file; a profile file works the same way.
    profile = REPO / "fixtures" / "hardware" / "cluster-a100x8.yaml"
    proc = ce_lint("check", "--hardware", str(profile), ".", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = ce_lint("check", "--hardware", "cpu", ".", cwd=tmp_path)
    assert codes_by_file(proc.stdout)["train.yaml"] >= {"CE401", "CE402", "CE405"}
    # So does the environment variable, below --hardware.
    proc = ce_lint("check", ".", cwd=tmp_path, env={"CE_LINT_HARDWARE": "a100x8"})
    assert proc.returncode == 0, proc.stdout


@pytest.mark.parametrize(
    "args,message",
    [
        (["--hardware", "a10x8"], "did you mean `a10g`"),
        (["--hardware", "missing.yaml"], "cannot read hardware profile"),
    ],
)
def test_cli_bad_profile_is_a_usage_error(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "c.yaml").write_text(GPU_CONFIG)
    proc = ce_lint("check", *args, "c.yaml", cwd=tmp_path)
    assert proc.returncode == 2
    assert message in proc.stderr


def test_bad_per_file_setting(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="must map path globs"):
        HardwareSelection(per_file=["a100"])  # type: ignore[arg-type]


# Hide torch from importlib, as on a machine without it, then run the CLI.
NO_TORCH = (
    "import sys\n"
    "class HideTorch:\n"
    "    def find_spec(self, name, path=None, target=None):\n"
    "        if name == 'torch' or name.startswith('torch.'):\n"
    "            raise ModuleNotFoundError(name)\n"
    "sys.meta_path.insert(0, HideTorch())\n"
    "from ce_lint.cli import main\n"
    "main()\n"
)


def test_without_torch_hardware_rules_are_skipped_with_one_line(tmp_path: Path) -> None:
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(GPU_CONFIG)
    env = {k: v for k, v in os.environ.items() if k != "CE_LINT_HARDWARE"}
    proc = subprocess.run(
        [sys.executable, "-c", NO_TORCH, "check", "--output-format", "concise", "."],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert " CE4" not in proc.stdout
    notes = [line for line in proc.stderr.splitlines() if "hardware rules skipped" in line]
    assert len(notes) == 1, proc.stderr
    assert "torch is not installed" in notes[0]
    # Asking for the local probe explicitly is a usage error there.
    proc = subprocess.run(
        [sys.executable, "-c", NO_TORCH, "check", "--hardware", "local", "."],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert proc.returncode == 2 and "not installed" in proc.stderr


def test_env_prints_a_profile_that_check_reads(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    (tmp_path / "c.yaml").write_text(GPU_CONFIG)
    proc = ce_lint_bare("env", "--name", "ci-runner", "-o", "runner.yaml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    text = (tmp_path / "runner.yaml").read_text()
    assert text.startswith("# ce-lint hardware profile") and "name: ci-runner\n" in text
    proc = ce_lint("check", "--hardware", "runner.yaml", "c.yaml", cwd=tmp_path)
    found = codes_by_file(proc.stdout)
    profile = load_profile_file(tmp_path / "runner.yaml")
    if not profile.accelerated:
        assert found["c.yaml"] >= {"CE401", "CE402", "CE405"}
        assert "on ci-runner: " in proc.stdout
    # Without torch there is nothing to probe: a usage error.
    proc = subprocess.run(
        [sys.executable, "-c", NO_TORCH, "env"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and "torch is not installed" in proc.stderr


def ce_lint_bare(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ce_lint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "text,reported",
    [
        ("fsdp: full_shard offload auto_wrap\n", False),
        ("fsdp: [full_shard, offload]\n", False),
        ("fsdp: true\nfsdp_config: {offload_params: true}\n", False),
        ("fsdp: true\nfsdp_config: {offload_params: false}\n", True),
        ("deepspeed: {zero_optimization: {stage: 3, offload_param: {device: cpu}}}\n", False),
        ("deepspeed: {zero_optimization: {stage: 3, offload_param: {device: none}}}\n", True),
        ("deepspeed: {zero_optimization: {stage: 2}}\n", True),
        ("deepspeed: ds_config.json\n", False),  # a file ce-lint does not read may offload
    ],
)
def test_single_device_sharding_without_offload_is_info(text: str, reported: bool) -> None:
    found = judged(builtin_profile("a100"), "output_dir: out\n" + text)
    codes = {code for code in found if code in ("CE406", "CE407")}
    assert bool(codes) == reported, found
    assert all(found[code][0] == "info" for code in codes)


# ---- `auto`: this machine only stands in for the training machine -----------------------


@pytest.fixture
def no_hardware_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CE_LINT_HARDWARE")  # conftest turns hardware off for the other tests


@pytest.mark.usefixtures("no_hardware_variable")
def test_auto_on_a_machine_without_accelerator_only_informs() -> None:
    cpu = builtin_profile("cpu")
    auto = HardwareSelection(local=lambda: cpu, torch_available=lambda: True)
    found = judged(auto("config.yaml"), GPU_CONFIG)
    assert {"CE401", "CE402", "CE405"} <= set(found)
    assert all(severity == "info" for severity, _ in found.values())
    assert all(
        'name the training machine with `hardware = "a100x8"`' in m for _, m in found.values()
    )


@pytest.mark.usefixtures("no_hardware_variable")
def test_auto_keeps_severities_where_it_trains_and_on_a_gpu_machine() -> None:
    cpu, t4 = builtin_profile("cpu"), builtin_profile("t4")
    for selection in (
        HardwareSelection(local=lambda: cpu, torch_available=lambda: True, auto_is_local=True),
        HardwareSelection(choice="local", local=lambda: cpu, torch_available=lambda: True),
        HardwareSelection(choice="cpu"),
    ):
        assert judged(selection("config.yaml"), GPU_CONFIG)["CE401"][0] == "error"
    on_t4 = HardwareSelection(local=lambda: t4, torch_available=lambda: True)
    assert judged(on_t4("config.yaml"), GPU_CONFIG)["CE402"][0] == "error"  # a T4 has no tf32
