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


def problems(folder: Path) -> list[tuple[str, str]]:
    """codes() without the notices (CE6xx) and the machine's findings (CE4xx)."""
    return [c for c in codes(folder) if not c[1].startswith(("CE4", "CE6"))]


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


# ---- options a launched script declares itself (argparse) -----------------------------------

ARGPARSE_SCRIPT = """import argparse
parser = argparse.ArgumentParser()
parser.add_argument("--model_name_or_path")
parser.add_argument("--per_gpu_eval_batch_size", type=int)
parser.add_argument("--overwrite-output-dir", action="store_true")
parser.add_argument("-e", "--evaluate_during_training", action="store_true")
parser.add_argument("--output_dir")
args = parser.parse_args()
"""
OLD_FLAGS = "--per_gpu_eval_batch_size 8 --overwrite_output_dir --evaluate_during_training"


def test_flags_a_launched_argparse_script_declares_are_its_own(tmp_path: Path) -> None:
    (tmp_path / "run_glue.py").write_text(ARGPARSE_SCRIPT)
    makefile = f"train:\n\tpython run_glue.py --output_dir out {OLD_FLAGS}\n"
    (tmp_path / "Makefile").write_text(makefile)
    (tmp_path / "run.sh").write_text(f"torchrun run_glue.py --output_dir out {OLD_FLAGS}\n")
    assert codes(tmp_path) == []
    result = CliRunner().invoke(main, ["fix", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "Makefile").read_text() == makefile


def test_options_declared_in_a_project_module_the_script_imports(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "run.py").write_text("from pkg.options import Options\nopts = Options().parse()\n")
    (package / "options.py").write_text(
        "import argparse\nclass Options:\n    def __init__(self):\n"
        "        self.parser = argparse.ArgumentParser()\n"
        '        self.parser.add_argument("--overwrite_output_dir", action="store_true")\n'
        '        self.parser.add_argument("--evaluate_during_training", action="store_true")\n'
    )
    (tmp_path / "Makefile").write_text(
        "train:\n\tpython -m pkg.run --overwrite_output_dir --evaluate_during_training"
        " --warmup_ratio 0.1\n"
    )
    # the two declared flags are the script's; --warmup_ratio is declared nowhere it imports,
    # so the flags are judged as before (the class assumed)
    assert codes(tmp_path) == [("Makefile", "CE132")]


def test_a_script_that_parses_some_flags_itself_and_hands_the_rest_on(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(
        "import argparse\nfrom transformers import HfArgumentParser, TrainingArguments\n"
        "p = argparse.ArgumentParser()\n"
        'p.add_argument("--overwrite_output_dir", action="store_true")\n'
        "own, rest = p.parse_known_args()\n"
        "(args,) = HfArgumentParser(TrainingArguments).parse_args_into_dataclasses(rest)\n"
    )
    (tmp_path / "run.sh").write_text(
        "torchrun train.py --output_dir o --overwrite_output_dir --evaluation_strategy steps\n"
    )
    assert problems(tmp_path) == [("run.sh", "CE101")]


def test_a_removed_field_declared_by_another_dataclass_of_the_parser(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(
        "from dataclasses import dataclass\n"
        "from transformers import HfArgumentParser, TrainingArguments\n"
        "@dataclass\nclass ScriptArgs:\n    overwrite_output_dir: bool = False\n    lora_r: int = 8\n"
        "m, t = HfArgumentParser((ScriptArgs, TrainingArguments)).parse_args_into_dataclasses()\n"
    )
    (tmp_path / "run.sh").write_text(
        "python train.py --output_dir o --overwrite_output_dir --lora_r 4 --warmup_ratio 0.1\n"
    )
    assert problems(tmp_path) == [("run.sh", "CE132")]


def test_a_launched_script_outside_the_checked_files_is_judged_as_before(tmp_path: Path) -> None:
    (tmp_path / "run.sh").write_text(f"torchrun run_glue.py --output_dir out {OLD_FLAGS}\n")
    found = set(problems(tmp_path))
    assert {("run.sh", "CE103"), ("run.sh", "CE123"), ("run.sh", "CE135")} <= found


def test_a_script_launched_after_cd_is_found_there(tmp_path: Path) -> None:
    (tmp_path / "sft").mkdir()
    (tmp_path / "sft" / "main.py").write_text(ARGPARSE_SCRIPT)
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "run.sh").write_text(
        'cd "$(dirname "${BASH_SOURCE[0]}")/../sft/"\n\n'
        f"deepspeed main.py --output_dir out {OLD_FLAGS}\n"
    )
    (tmp_path / "Makefile").write_text(
        f"train:\n\tcd sft && \\\n\tpython main.py --output_dir out {OLD_FLAGS}\n"
    )
    assert problems(tmp_path) == []


def test_a_cd_that_cannot_be_followed_leaves_the_flags_judged(tmp_path: Path) -> None:
    (tmp_path / "sft").mkdir()
    (tmp_path / "sft" / "main.py").write_text(ARGPARSE_SCRIPT)
    (tmp_path / "run.sh").write_text(f"cd $WORK\npython main.py --output_dir out {OLD_FLAGS}\n")
    assert ("run.sh", "CE123") in codes(tmp_path)


def test_a_script_in_a_folder_above_the_launch_script(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(ARGPARSE_SCRIPT)
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "run.sh").write_text(
        f"accelerate launch train.py --output_dir out {OLD_FLAGS}\n"
    )
    assert codes(tmp_path) == []


def test_a_section_mixing_keys_of_trl_releases_that_never_met(tmp_path: Path) -> None:
    # batch_size left trl's RLOOConfig before num_generations came: no release takes both,
    # so the section is read by the project's own code, key by key.
    section = "training:\n  learning_rate: 5e-6\n  warmup_ratio: 0.1\n  batch_size: 1\n"
    (tmp_path / "mixed.yaml").write_text(section + "  num_generations: 4\n")
    (tmp_path / "grpo.yaml").write_text(
        "training:\n  learning_rate: 5e-6\n  warmup_ratio: 0.1\n  num_generations: 4\n"
    )
    found = codes(tmp_path)
    assert not [c for c in found if c[0] == "mixed.yaml"]
    assert ("grpo.yaml", "CE132") in found


# ---- how the project reads YAML: `1e-5` is text to PyYAML, a number to YAML 1.2 ---------------

LR_CONFIG = "training_args:\n  output_dir: out\n  learning_rate: 5e-5\n"
RUAMEL = "import ruamel.yaml as yaml\ncfg = yaml.YAML(typ='safe', pure=True).load(path)\n"
PYYAML = "import yaml\ncfg = yaml.safe_load(open(path))\n"
HF = (
    "import sys\nfrom transformers import HfArgumentParser, TrainingArguments\n"
    "(args,) = HfArgumentParser(TrainingArguments).parse_yaml_file(sys.argv[1])\n"
)
TRL = (
    "from trl import SFTConfig, TrlParser\n(args,) = TrlParser(SFTConfig).parse_args_and_config()\n"
)


def test_an_exponent_without_a_point_is_judged_by_the_projects_yaml_loader(
    tmp_path: Path,
) -> None:
    cases = {"ruamel": [RUAMEL], "trl": [TRL], "pyyaml": [PYYAML], "hf": [HF]}
    cases |= {"both": [RUAMEL, PYYAML], "alone": []}
    for name, scripts in cases.items():
        project = tmp_path / name
        (project / "configs").mkdir(parents=True)
        (project / "configs" / "lora.yaml").write_text(LR_CONFIG)
        for i, script in enumerate(scripts):
            (project / f"train{i}.py").write_text(script)
    found = {(Path(r[0]), r[1]) for r in _paths_and_codes(tmp_path)}
    number_as_text = {p.parts[-3] for p, code in found if code == "CE210"}
    assert number_as_text == {"pyyaml", "hf", "both", "alone"}


def _paths_and_codes(folder: Path) -> list[tuple[str, str]]:
    result = CliRunner().invoke(main, ["check", "--output-format", "json", str(folder)])
    assert result.exit_code in (0, 1), result.output
    return [(r["filename"], r["code"]) for r in json.loads(result.output)]


def test_a_config_whose_keys_a_dataclass_beside_it_declares(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(
        "from dataclasses import dataclass\nfrom trl import TrlParser\n"
        "@dataclass\nclass MyArguments:\n    output_dir: str\n    learning_rate: float\n"
        "    evaluation_strategy: str\n    scale_reward: bool\n"
        "(args,) = TrlParser(dataclass_types=[MyArguments]).parse_args_and_config()\n"
    )
    config = "output_dir: o\nlearning_rate: 1.0e-6\nevaluation_strategy: steps\n"
    (tmp_path / "configs").mkdir()
    # a key a slip of the keyboard away from a field is still the project's own
    (tmp_path / "configs" / "mine.yaml").write_text(config + "scale_rewards: true\n")
    (tmp_path / "other.yaml").write_text(config + "warmup_ratio: 0.1\n")
    assert problems(tmp_path) == [("other.yaml", "CE101"), ("other.yaml", "CE132")]
    result = CliRunner().invoke(
        main, ["check", "--class", "TrainingArguments", str(tmp_path / "configs")]
    )
    assert "CE101" in result.output  # a declared class is judged whatever the project defines


def test_a_section_whose_keys_a_dataclass_in_a_sibling_folder_declares(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "config.py").write_text(
        "from dataclasses import dataclass\n@dataclass\nclass TrainingConfig:\n"
        "    output_dir: str = 'o'\n    learning_rate: float = 2e-4\n    warmup_ratio: float = 0.03\n"
    )
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "lora.yaml").write_text(
        "training:\n  output_dir: o\n  learning_rate: 0.0002\n  warmup_ratio: 0.03\n"
        "  use_slow_tokenizer: true\n"  # a stale key the dataclass lost: no training argument
    )
    assert codes(tmp_path) == []


def test_a_parser_filling_a_dataclass_the_project_defines_in_another_file(tmp_path: Path) -> None:
    (tmp_path / "mypkg").mkdir()
    (tmp_path / "mypkg" / "training_args.py").write_text(
        "from dataclasses import dataclass\n@dataclass\nclass NeuronArgs:\n"
        "    output_dir: str = 'o'\n    overwrite_output_dir: bool = False\n"
    )
    script = (
        "from dataclasses import dataclass\nfrom transformers import HfArgumentParser\n"
        "from {module} import {name}\n"
        "@dataclass\nclass LocalArgs:\n    model_id: str = 'm'\n"
        "a, b = HfArgumentParser((LocalArgs, {name})).parse_args_into_dataclasses()\n"
    )
    (tmp_path / "train.py").write_text(script.format(module="mypkg", name="NeuronArgs"))
    (tmp_path / "run.sh").write_text("torchrun train.py --output_dir o --overwrite_output_dir\n")
    assert codes(tmp_path) == []  # the flags fill the project's own dataclasses only
    # trl's ScriptArguments is trl's, whatever the project defines under that name
    (tmp_path / "mypkg" / "training_args.py").write_text(
        "from dataclasses import dataclass\n@dataclass\nclass ScriptArguments:\n    x: int = 1\n"
    )
    (tmp_path / "train.py").write_text(script.format(module="trl", name="ScriptArguments"))
    assert ("run.sh", "CE123") in codes(tmp_path)


def test_a_dropped_field_is_kept_where_unread_dataclasses_may_declare_it(tmp_path: Path) -> None:
    flat = "stage: sft\nfinetuning_type: lora\noutput_dir: o\nlogging_steps: 10\n"
    (tmp_path / "mixed.yaml").write_text(flat + "overwrite_output_dir: true\n")
    (tmp_path / "plain.yaml").write_text("output_dir: o\noverwrite_output_dir: true\n")
    assert ("mixed.yaml", "CE123") in codes(tmp_path)
    result = CliRunner().invoke(main, ["fix", str(tmp_path)])
    assert result.exit_code in (0, 1), result.output
    assert "overwrite_output_dir" in (tmp_path / "mixed.yaml").read_text()
    assert "overwrite_output_dir" not in (tmp_path / "plain.yaml").read_text()


def test_attributes_merged_in_from_elsewhere_are_not_the_arguments_fields(tmp_path: Path) -> None:
    (tmp_path / "options.py").write_text(
        "from transformers import HfArgumentParser, TrainingArguments\n"
        "def parse(own):\n"
        "    opt, _ = HfArgumentParser(TrainingArguments).parse_args_into_dataclasses(\n"
        "        return_remaining_strings=True)\n"
        "    opt.__dict__.update(own.__dict__)\n"
        "    if not opt.overwrite_output_dir:\n        opt.overwrite_output_dir = True\n"
        "    return opt\n"
        "def other():\n"
        "    (args,) = HfArgumentParser(TrainingArguments).parse_args_into_dataclasses()\n"
        "    return args.overwrite_output_dir\n"
    )
    # only the function that merges nothing into its object is judged
    assert codes(tmp_path) == [("options.py", "CE123")]
