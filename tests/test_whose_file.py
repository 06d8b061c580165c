"""A config whose keys the project's own code reads is not training arguments (issue: the real
world): followed from the checked scripts that load it by a literal path."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from ce_lint.cli import main

CONFIG = "training:\n  learning_rate: 5.0e-6\n  warmup_ratio: 0.1\n  evaluation_strategy: steps\n"


def codes(folder: Path) -> list[tuple[str, str]]:
    result = CliRunner().invoke(main, ["check", "--output-format", "json", str(folder)])
    assert result.exit_code in (0, 1), result.output
    return sorted((Path(r["filename"]).name, r["code"]) for r in json.loads(result.output))


def project(tmp_path: Path, script: str) -> Path:
    (tmp_path / "config.yaml").write_text(CONFIG)
    (tmp_path / "train.py").write_text(script)
    return tmp_path


def test_a_config_only_the_scripts_own_code_reads_is_quiet(tmp_path: Path) -> None:
    script = 'import yaml\ncfg = yaml.safe_load(open("config.yaml"))["training"]\nn = cfg["warmup_ratio"]\n'
    assert codes(project(tmp_path, script)) == []


def test_a_config_read_by_the_projects_own_class_is_quiet(tmp_path: Path) -> None:
    for script in (
        'from myproj import MyConfig\nc = MyConfig.from_yaml("config.yaml")\n',
        'import yaml\nfrom myproj import MyConfig\nc = MyConfig(**yaml.safe_load(open("config.yaml")))\n',
    ):
        assert codes(project(tmp_path, script)) == [], script


def test_a_config_handed_to_the_arguments_class_is_judged_even_if_also_read(
    tmp_path: Path,
) -> None:
    script = (
        "import yaml\nfrom transformers import TrainingArguments\n"
        'cfg = yaml.safe_load(open("config.yaml"))\n'
        'args = TrainingArguments(**cfg["training"])\nn = cfg["training"]\n'
    )
    found = codes(project(tmp_path, script))
    assert ("config.yaml", "CE101") in found and ("config.yaml", "CE132") in found


def test_a_library_class_that_loads_a_file_is_no_owner(tmp_path: Path) -> None:
    script = 'from omegaconf import OmegaConf\nc = OmegaConf.load("config.yaml")\n'
    assert ("config.yaml", "CE101") in codes(project(tmp_path, script))


def test_a_directive_in_the_file_wins_over_the_owner(tmp_path: Path) -> None:
    script = 'from myproj import MyConfig\nc = MyConfig.from_yaml("config.yaml")\n'
    folder = project(tmp_path, script)
    (folder / "config.yaml").write_text("# ce-lint: class=TrainingArguments\n" + CONFIG)
    assert ("config.yaml", "CE101") in codes(folder)
