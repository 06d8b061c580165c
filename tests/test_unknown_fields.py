"""CE190 in the shapes real projects have (issue: the real world): a key is judged as a field only
when the file shows the class; the script's own options and other libraries' keys stay quiet."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from click.testing import CliRunner

from ce_lint.cli import main
from ce_lint.spelling import near_typos
from tests.helpers import check, fix

TRAIN_PY = """\
from dataclasses import dataclass, field

from transformers import HfArgumentParser, TrainingArguments


@dataclass
class LoraArguments:
    lora_r: int = 8
    lora_alpha: int = 16
    target_modules: str = "q_proj,v_proj"


parser = HfArgumentParser((LoraArguments, TrainingArguments))
lora_args, training_args = parser.parse_args_into_dataclasses()
"""

LAUNCH_SH = """\
#!/bin/bash
torchrun --nproc_per_node 2 train.py \\
    --output_dir out \\
    --lora_r 16 \\
    --target_modules q_proj,k_proj \\
    --num_train_epoch 3 \\
    --evaluation_strategy steps
"""


def _run(*args: str, cwd: Path) -> list[dict]:
    result = CliRunner().invoke(main, [*args, "--output-format", "json", str(cwd)])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)


def test_the_scripts_own_options_are_no_typos_of_fields(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(TRAIN_PY)
    (tmp_path / "launch.sh").write_text(LAUNCH_SH)
    found = _run("check", cwd=tmp_path)
    unknown = [r["message"].split("`")[1] for r in found if r["code"] == "CE190"]
    # --lora_r is not --local_rank and --target_modules not --optim_target_modules: the script
    # declares them; --num_train_epoch is declared nowhere, and the class is known.
    assert unknown == ["num_train_epoch"]
    (typo,) = [r for r in found if r["code"] == "CE190"]
    assert typo["severity"] == "error"

    runner = CliRunner()
    done = runner.invoke(main, ["fix", "--unsafe-fixes", str(tmp_path)])
    assert done.exit_code in (0, 1), done.output
    fixed = (tmp_path / "launch.sh").read_text()
    assert "--lora_r 16" in fixed and "--target_modules q_proj,k_proj" in fixed
    assert "--num_train_epochs 3" in fixed and "--eval_strategy steps" in fixed


def test_an_imported_dataclass_beside_the_class_makes_every_unknown_key_quiet(
    tmp_path: Path,
) -> None:
    # The parser also fills ModelArguments from another module: any key may be one of its fields.
    script = TRAIN_PY.replace(
        "from transformers import",
        "from my_project.args import ModelArguments\nfrom transformers import",
    ).replace(
        "(LoraArguments, TrainingArguments)", "(ModelArguments, LoraArguments, TrainingArguments)"
    )
    (tmp_path / "train.py").write_text(script)
    (tmp_path / "launch.sh").write_text(LAUNCH_SH)
    found = _run("check", cwd=tmp_path)
    assert [r for r in found if r["code"] == "CE190" and r["severity"] == "error"] == []
    (typo,) = [r for r in found if r["code"] == "CE190"]  # still a near-typo: a warning
    assert "`num_train_epoch`" in typo["message"] and typo["severity"] == "warning"
    assert "assumed" in typo["message"] and typo.get("fix") is None


def test_a_yaml_of_lora_settings_per_model_is_quiet() -> None:
    text = textwrap.dedent(
        """\
        bert-base:
          lora_rank: 8
          lora_modules: [query, value]
          lora_dropout: 0.1
        output_dir: out
        learning_rate: 2.0e-5
        rank: 4
        """
    )
    assert [f for f in check(text).findings if f.code == "CE190"] == []


def test_keys_of_other_arguments_classes_are_quiet_when_the_class_is_assumed() -> None:
    text = "output_dir: out\npredict_with_generate: true\ngeneration_max_length: 64\n"
    assert [f for f in check(text).findings if f.code == "CE190"] == []


def test_a_typo_in_a_certain_class_is_an_error_with_an_unsafe_fix() -> None:
    text = textwrap.dedent(
        """\
        from transformers import TrainingArguments

        args = TrainingArguments("out", num_train_epoch=3, lora_r=8)
        """
    )
    found = [f for f in check(text, "train.py").findings if f.code == "CE190"]
    assert sorted(f.fields for f in found) == [("lora_r",), ("num_train_epoch",)]
    typo = next(f for f in found if f.fields == ("num_train_epoch",))
    assert typo.severity.value == "error" and typo.fix is not None
    assert typo.fix.applicability.value == "unsafe"
    other = next(f for f in found if f.fields == ("lora_r",))
    assert other.fix is None  # not near a field: named, never renamed
    fixed = fix(text, "train.py", unsafe=True).fixed_text
    assert "num_train_epochs=3" in fixed and "lora_r=8" in fixed


def test_near_typos_stay_near() -> None:
    assert near_typos("num_train_epoch", frozenset({"num_train_epochs", "local_rank"})) == [
        "num_train_epochs"
    ]
    assert near_typos("lora_r", frozenset({"local_rank"})) == []
    assert near_typos("target_modules", frozenset({"optim_target_modules"})) == []
    assert near_typos("lr", frozenset({"lr_scheduler_type"})) == []  # too short to judge
    # a swap of two letters is one edit
    assert near_typos("learnign_rate", frozenset({"learning_rate"})) == ["learning_rate"]
