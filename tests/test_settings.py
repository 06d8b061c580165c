"""[tool.ce-lint]: a temporary project proves that the README's example means what it says,
and every mistake in the settings stops the run with a did-you-mean."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from ce_lint.cli import main
from ce_lint.knowledge import Knowledge
from ce_lint.settings import KNOWN_SETTINGS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
SEED = (
    "output_dir: out\n"
    "evaluation_strategy: steps\n"
    "logging_dir: out/tb\n"
    "warmup_ratio: 0.1\n"
    "save_safetensors: false\n"
)
FILES = (
    "configs/train.yaml",
    "configs/plain/train.yaml",
    "legacy/train.yaml",
    "experiments/old/train.yaml",
)


def readme_section(title: str) -> str:
    start = README.index(f"### {title}\n")
    end = README.index("\n#", start + 4)
    return README[start:end]


def readme_toml() -> str:
    match = re.search(r"```toml\n(.*?)```", readme_section("Configuration"), re.S)
    assert match, "the README's Configuration section has no toml block"
    return match.group(1)


def run(*args: str, cwd: Path) -> tuple[int, str]:
    import os

    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.output


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(readme_toml())
    for name in FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(SEED)
    return tmp_path


def found(project: Path, *args: str) -> set[tuple[str, str, str]]:
    code, out = run("check", "--output-format", "json", *args, cwd=project)
    assert code in (0, 1), out
    return {
        (Path(f["filename"]).relative_to(project).as_posix(), f["code"], f["severity"])
        for f in json.loads(out)
    }


def test_the_readme_example_changes_what_is_reported_as_documented(project: Path) -> None:
    with_config = found(project, ".")
    # Without the file, everything is reported everywhere (same targets, to compare like with like).
    (project / "pyproject.toml").rename(project / "settings.toml")
    targets = ("--target", "transformers>=5.0,<6", "--target", "sentence-transformers==6.2")
    without = found(project, *targets, ".")
    (project / "settings.toml").rename(project / "pyproject.toml")

    files = {f for f, _, _ in without}
    assert files == set(FILES)
    # only CE1xx and CE9xx run; CE124 nowhere
    assert all(code[:3] in ("CE1", "CE9") for _, code, _ in with_config)
    assert any(code == "CE124" for _, code, _ in without)
    assert not any(code == "CE124" for _, code, _ in with_config)
    # evaluation_strategy: reported in configs/, not in legacy/
    ce101 = {f for f, code, _ in with_config if code == "CE101"}
    assert ce101 == {"configs/train.yaml", "configs/plain/train.yaml"}
    # experiments/old is not checked
    assert "experiments/old/train.yaml" not in {f for f, _, _ in with_config}
    # warmup_ratio: error for plain TrainingArguments, warning elsewhere
    ce132 = {f: sev for f, code, sev in with_config if code == "CE132"}
    assert ce132 == {
        "configs/plain/train.yaml": "error",
        "configs/train.yaml": "warning",
        "legacy/train.yaml": "warning",
    }
    # without the file, there is no plain-class error
    assert ("configs/plain/train.yaml", "CE132", "warning") in without


def test_the_readme_example_makes_the_save_safetensors_drop_safe(project: Path) -> None:
    code, _ = run("fix", "configs/train.yaml", cwd=project)
    assert "save_safetensors" not in (project / "configs/train.yaml").read_text()
    (project / "pyproject.toml").write_text(
        readme_toml().replace('extend-safe-fixes = ["CE125"]\n', "")
    )
    code, _ = run("fix", "legacy/train.yaml", cwd=project)
    assert "save_safetensors: false" in (project / "legacy/train.yaml").read_text()


def test_the_readme_documents_every_setting() -> None:
    section = readme_section("Configuration")
    for key in KNOWN_SETTINGS:
        assert f"| `{key}` |" in section, key


def test_settings_are_found_from_the_checked_paths_not_the_current_folder(
    project: Path, tmp_path_factory
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    code, out = run(
        "check", "--output-format", "json", str(project / "legacy" / "train.yaml"), cwd=elsewhere
    )
    assert {f["code"] for f in json.loads(out)} == {"CE132", "CE125"}  # no CE101, no CE124
    # a nested folder with its own settings is reported when the run reads another file
    (project / "legacy" / "pyproject.toml").write_text('[tool.ce-lint]\nselect = ["CE101"]\n')
    code, out = run("check", str(project / "legacy" / "train.yaml"), cwd=elsewhere)
    assert "CE101" in out and "CE132" not in out
    result = CliRunner().invoke(main, ["check", "-q", str(project)], catch_exceptions=False)
    assert "has its own settings" not in result.output
    result = CliRunner().invoke(
        main, ["check", str(project), str(project / "legacy")], catch_exceptions=False
    )
    assert "has its own settings in" in result.output  # CliRunner mixes stderr in


@pytest.mark.parametrize(
    "toml,message",
    [
        ('selct = ["CE1"]\n', "unknown setting `selct` in [tool.ce-lint]; did you mean `select`?"),
        ('extend_exclude = ["x"]\n', "did you mean `extend-exclude`?"),
        ('select = "CE1"\n', "`select` in [tool.ce-lint] must be a list of strings"),
        ('ignore = ["CE1O1"]\n', "`CE1O1` is not a rule code or prefix; did you mean `CE101`?"),
        ('per-file-ignores = { "a/*" = ["CE9999"] }\n', "`CE9999` is not a rule code or prefix"),
        ('per-file-ignores = { "a/*" = "CE101" }\n', "must be a table of glob = [codes]"),
        ("unsafe-fixes = 1\n", "must be true or false"),
        ('output-format = "xml"\n', "`output-format` in [tool.ce-lint] must be one of text, "),
        ('class = "TrainingArgs"\n', "`class` must be one of"),
        ('hardware = 8\n', "`hardware` in [tool.ce-lint] must be a string"),
        ('per-file-hardware = { "a/*" = 8 }\n', "must be a table of strings"),
        ('target = { torchvision = "==1.0" }\n', "unknown library"),
    ],
)  # fmt: skip
def test_bad_settings_exit_2_with_a_hint(tmp_path: Path, toml: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.ce-lint]\n" + toml)
    (tmp_path / "c.yaml").write_text(SEED)
    code, out = run("check", ".", cwd=tmp_path)
    assert code == 2, out
    assert message in out


def test_bad_codes_on_the_command_line_exit_2(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text(SEED)
    code, out = run("check", "--select", "CE1,CE10X", ".", cwd=tmp_path)
    assert code == 2 and "--select: `CE10X` is not a rule code or prefix" in out


def test_exclude_replaces_the_defaults_and_force_exclude_applies_to_named_files(
    tmp_path: Path,
) -> None:
    for name in ("build/c.yaml", "keep/c.yaml", "skip/c.yaml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(SEED)
    targets = ("--target", "transformers==5.24", "--target", "sentence-transformers==6.2")

    def checked(*args: str) -> set[str]:
        code, out = run("check", "--output-format", "json", *targets, *args, cwd=tmp_path)
        return {Path(f["filename"]).parent.name for f in json.loads(out)}

    assert checked(".") == {"keep", "skip"}  # `build` is excluded by default
    (tmp_path / "pyproject.toml").write_text('[tool.ce-lint]\nextend-exclude = ["skip"]\n')
    assert checked(".") == {"keep"}
    assert checked("skip/c.yaml") == {"skip"}  # named explicitly
    assert checked("--force-exclude", "skip/c.yaml", "keep/c.yaml") == {"keep"}
    (tmp_path / "pyproject.toml").write_text('[tool.ce-lint]\nexclude = ["skip/*"]\n')
    assert checked(".") == {"keep", "build"}


def test_fix_safety_overrides(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    text = "output_dir: out\nevaluation_strategy: steps\nlogging_dir: out/tb\n"
    path.write_text(text)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.ce-lint]\nextend-unsafe-fixes = ["CE1"]\nextend-safe-fixes = ["CE124"]\n'
    )
    code, out = run("check", ".", cwd=tmp_path)
    assert "CE101 error [-]" in out and "CE124 error [*]" in out
    run("fix", ".", cwd=tmp_path)
    assert path.read_text() == "output_dir: out\nevaluation_strategy: steps\n"


def test_show_settings(project: Path) -> None:
    code, out = run("show-settings", "configs/plain/train.yaml", cwd=project)
    assert code == 0, out
    assert f"Settings file: {project / 'pyproject.toml'}" in out
    assert '  ignore = ["CE124"]' in out
    assert "  baseline = (not set:" in out
    newest = Knowledge.load().tf.newest
    assert f"Target transformers: 5.0.0 .. {newest} (config: >=5.0,<6)" in out
    assert "configs/plain/train.yaml:\n  class: TrainingArguments\n" in out
    code, out = run(
        "show-settings",
        "--output-format",
        "json",
        "--ignore",
        "CE13",
        "legacy/train.yaml",
        cwd=project,
    )
    data = json.loads(out)
    assert data["files"]["legacy/train.yaml"]["ignored"] == ["CE101"]
    assert (
        "CE132" not in data["rules"] and "CE101" in data["rules"] and "CE401" not in data["rules"]
    )
    assert data["ignore"] == ["CE13", "CE124"]
