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


def test_flags_of_a_script_whose_parser_fills_only_its_own_dataclasses(tmp_path: Path) -> None:
    (tmp_path / "dpo.py").write_text(
        "from dataclasses import dataclass\n"
        "from transformers import HfArgumentParser\n\n"
        "@dataclass\nclass ScriptArguments:\n"
        "    gradient_checkpointing: bool = False\n"
        '    evaluation_strategy: str = "no"\n\n'
        "args, = HfArgumentParser(ScriptArguments).parse_args_into_dataclasses()\n"
    )
    (tmp_path / "run.sh").write_text(
        "python dpo.py --gradient_checkpointing True --evaluation_strategy steps\n"
    )
    assert codes(tmp_path) == []
    # an imported dataclass could be anything: the flags are judged as usual
    (tmp_path / "dpo.py").write_text(
        "from transformers import HfArgumentParser\nfrom mylib import ScriptArguments\n"
        "args, = HfArgumentParser(ScriptArguments).parse_args_into_dataclasses()\n"
    )
    assert ("run.sh", "CE101") in codes(tmp_path)


def test_keys_foreign_to_the_family_outnumbering_the_fields(tmp_path: Path) -> None:
    (tmp_path / "fsdp_config.json").write_text(
        '{"fsdp_transformer_layer_cls_to_wrap": ["LlamaDecoderLayer"], "fsdp_offload_params": false}\n'
    )
    (tmp_path / "litgpt.yaml").write_text(
        "model_name: x\ntrain:\n  save_interval: 1\n  global_batch_size: 8\n  micro_batch_size: 1\n"
        "  max_steps: null\n  min_lr: 0.0\n"
    )
    (tmp_path / "flat.yaml").write_text(
        "output_dir: o\nevaluation_strategy: steps\nlearning_rate: 1.0e-5\nmodel_name_or_path: m\n"
    )
    assert {name for name, _ in codes(tmp_path)} == {"flat.yaml"}


def test_the_file_given_to_fsdp_config_is_not_arguments(tmp_path: Path) -> None:
    (tmp_path / "fsdp_config.json").write_text(
        '{\n    "fsdp_transformer_layer_cls_to_wrap": "LlamaDecoderLayer"\n}\n'
    )
    assert codes(tmp_path) == []


def test_a_nested_section_with_keys_the_class_refuses_is_the_projects_own(
    tmp_path: Path,
) -> None:
    (tmp_path / "own.yaml").write_text(
        "train:\n  lr: 1.5e-5\n  batch_size: 8\n  epochs: 2\n  warmup_ratio: 0.06\n"
        "  weight_decay: 0.01\n  logging_steps: 50\n  eval_steps: 200\n  save_steps: 200\n"
    )
    (tmp_path / "hydra.yaml").write_text(
        "trainer:\n  _target_: transformers.TrainingArguments\n  output_dir: o\n"
        "  evaluation_strategy: steps\n"
    )
    (tmp_path / "explicit.yaml").write_text(
        "training_args:\n  output_dir: o\n  evaluation_strategy: steps\n  my_option: 1\n"
    )
    found = {name for name, code in codes(tmp_path) if code == "CE101"}
    assert found == {"hydra.yaml", "explicit.yaml"}
