"""Focused cases for the value, cross-field, unknown-key and behaviour rules (CE19x, CE2xx,
CE3xx, CE6xx): version edges, defaults, partial Sites, trainer calls, --from."""

from __future__ import annotations

import textwrap
from pathlib import Path

import yaml
from click.testing import CliRunner

from ce_lint.adapters.yaml_config import render_value
from ce_lint.cli import main
from tests.helpers import check, codes, fix, notices

TF446 = ("transformers==4.46.3", "sentence-transformers==4.0")
TF447 = ("transformers==4.47", "sentence-transformers==4.0")


def py(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def found(text: str, name: str = "config.yaml", **kwargs) -> list[str]:
    return codes(check(text, name, **kwargs))


# -- values ------------------------------------------------------------------------------


def test_save_strategy_best_follows_the_target() -> None:
    text = "save_strategy: best\neval_strategy: steps\nmetric_for_best_model: loss\n"
    assert "CE201" in found(text, targets=TF446)
    assert "CE201" not in found(text, targets=TF447)
    ranged = check(text, targets=("transformers>=4.46,<5",))
    (finding,) = [f for f in ranged.findings if f.code == "CE201"]
    assert "4.46" in finding.message and "4.47" in finding.message


def test_an_invalid_value_does_not_hide_the_other_problems() -> None:
    text = "eval_strategy: step\nload_best_model_at_end: true\nfp16: true\nbf16: true\n"
    result = found(text)
    assert "CE201" in result and "CE306" in result
    assert "CE301" not in result  # the invalid strategy is not compared with save_strategy


def test_removed_optimizer_with_a_floor_that_still_has_it() -> None:
    # adamw_hf is valid in 4.44 but gone in 4.50: a range over both reports it.
    result = check("optim: adamw_hf\n", targets=("transformers>=4.44,<4.51",))
    (finding,) = [f for f in result.findings if f.code == "CE203"]
    assert "4.50" in finding.message


def test_expressions_are_never_judged() -> None:
    text = py(
        """
        from sentence_transformers.cross_encoder import CrossEncoderTrainingArguments

        name = "no_duplicates"
        args = CrossEncoderTrainingArguments("out", optim=OPTIM, batch_sampler=name, learning_rate=lr)
        """
    )
    assert found(text, "train.py", targets=("sentence-transformers==4.1",)) == []


def test_a_lambda_sampler_before_5_0_is_refused() -> None:
    text = py(
        """
        from sentence_transformers.cross_encoder import CrossEncoderTrainingArguments

        args = CrossEncoderTrainingArguments("out", batch_sampler=lambda *a, **k: None)
        """
    )
    assert found(text, "train.py", targets=("sentence-transformers==4.1",)) == ["CE208"]
    assert found(text, "train.py") == []


def test_yaml_floats_read_back_as_floats() -> None:
    for value in (1e-05, 2e-7, 1e20, 0.5):
        assert yaml.safe_load(render_value(value, None)) == value


def test_json_text_fix_writes_a_mapping_in_every_format() -> None:
    text = "lr_scheduler_kwargs: \"{'min_lr': 0.0}\"\nseed: 1\n"
    assert yaml.safe_load(fix(text).fixed_text)["lr_scheduler_kwargs"] == {"min_lr": 0.0}


def test_type_checks_follow_the_release() -> None:
    # warmup_steps was an int before transformers 5; a fraction is a ratio since.
    assert "CE212" in found("warmup_steps: 0.1\nseed: 1\n", targets=TF446)
    assert "CE212" not in found("warmup_steps: 0.1\nseed: 1\n")


# -- cross-field: defaults and partial Sites ------------------------------------------------


def test_missing_keys_count_with_their_defaults() -> None:
    # save_strategy defaults to steps and save_steps to 500; eval_steps falls back to
    # logging_steps (500): 500 % 500 == 0, and the strategies match.
    assert found("eval_strategy: steps\nload_best_model_at_end: true\n") == []
    assert found("eval_strategy: epoch\nload_best_model_at_end: true\n") == ["CE301"]
    assert "CE302" in found("eval_strategy: steps\nsave_steps: 750\nload_best_model_at_end: true\n")


def test_yaml_merges_make_a_site_partial() -> None:
    text = "base: &base\n  eval_strategy: epoch\n  save_strategy: epoch\nargs:\n  <<: *base\n  load_best_model_at_end: true\n"
    assert found(text) == []
    assert found(text.replace("  <<: *base\n", "")) == ["CE301"]


def test_config_interpolations_are_not_judged() -> None:
    text = "eval_strategy: ${strategy}\nlearning_rate: ${lr}\nfsdp_config: '{{ fsdp }}'\n"
    assert found(text) == []


def test_partial_python_sites_use_no_defaults() -> None:
    text = py(
        """
        import dataclasses

        from transformers import TrainingArguments

        def build(**overrides):
            return TrainingArguments("out", **overrides, load_best_model_at_end=True, eval_strategy="epoch")

        args = TrainingArguments("out")
        again = dataclasses.replace(args, load_best_model_at_end=True, eval_strategy="epoch")
        """
    )
    assert "CE301" not in found(text, "train.py")


def test_attribute_sets_skip_post_init_checks() -> None:
    text = py(
        """
        from transformers import TrainingArguments

        args = TrainingArguments("out")
        args.fp16 = True
        args.bf16 = True
        """
    )
    assert "CE306" not in found(text, "train.py")


def test_ratio_multiples_follow_the_release() -> None:
    text = "eval_strategy: steps\neval_steps: 0.1\nsave_steps: 0.3\nload_best_model_at_end: true\n"
    assert "CE302" in found(text, targets=TF446)  # 4.46 also refused whole ratios of ratios
    assert "CE302" not in found(text)


def test_fsdp_rules_per_release() -> None:
    assert "CE309" in found("fsdp: offload\nseed: 1\n", targets=TF446)
    assert "CE309" not in found("fsdp: offload\nseed: 1\n")
    pinned = "fsdp: hybrid_shard\nfsdp_config: {version: 1}\n"
    assert "CE309" not in found(pinned)


# -- trainer calls ---------------------------------------------------------------------------


def test_trainer_positional_eval_dataset_counts() -> None:
    text = py(
        """
        from sentence_transformers.cross_encoder import CrossEncoderTrainer as T, CrossEncoderTrainingArguments

        args = CrossEncoderTrainingArguments("out", eval_strategy="epoch")
        T(model, args, train, dev).train()
        """
    )
    assert found(text, "train.py") == []


def test_plain_trainer_needs_an_eval_dataset_and_unpacking_is_not_judged() -> None:
    text = py(
        """
        import transformers

        args = transformers.TrainingArguments("out", eval_strategy="steps", eval_steps=10)
        transformers.Trainer(model=model, args=args, evaluator=None)
        """
    )
    result = check(text, "train.py")
    (finding,) = [f for f in result.findings if f.code == "CE311"]
    assert (
        "eval_dataset" in finding.message and "evaluator" not in finding.message.split("gets no")[1]
    )
    unpacked = text.replace("evaluator=None", "**extra")
    assert "CE311" not in found(unpacked, "train.py")


def test_inline_arguments_and_look_alike_trainers() -> None:
    text = py(
        """
        from sentence_transformers.cross_encoder import CrossEncoderTrainer, CrossEncoderTrainingArguments

        CrossEncoderTrainer(model=m, args=CrossEncoderTrainingArguments("out", eval_strategy="epoch"))
        """
    )
    assert found(text, "train.py") == ["CE311"]
    look_alike = text.replace(
        "from sentence_transformers.cross_encoder import CrossEncoderTrainer, ",
        "from mylib import CrossEncoderTrainer\nfrom sentence_transformers.cross_encoder import ",
    )
    assert found(look_alike, "train.py") == []


# -- unknown keys ----------------------------------------------------------------------------


def test_unknown_keys_in_configs_only_when_close_to_a_field() -> None:
    text = "output_dir: out\nlearning_rate: 0.1\ntokenizer_path: x\nnum_train_epoch: 3\n"
    result = check(text)
    assert [(f.code, f.fields) for f in result.findings if f.code == "CE190"] == [
        ("CE190", ("num_train_epoch",))
    ]


def test_a_field_of_another_class() -> None:
    text = py(
        """
        from transformers import TrainingArguments

        args = TrainingArguments("out", batch_sampler="no_duplicates")
        """
    )
    (finding,) = check(text, "train.py").findings
    assert finding.code == "CE190" and "other arguments classes" in finding.message


def test_field_too_new_for_the_floor_names_the_old_name() -> None:
    result = check("eval_strategy: steps\neval_steps: 10\n", targets=("transformers>=4.38,<5",))
    (finding,) = [f for f in result.findings if f.code == "CE191"]
    assert "4.41" in finding.message and "evaluation_strategy" in finding.message


# -- behaviour changes -------------------------------------------------------------------------


def test_current_names_get_no_notice_old_ones_do() -> None:
    assert notices(check("eval_strategy: epoch\nseed: 1\n")) == []
    assert notices(check("evaluation_strategy: epoch\nseed: 1\n")) == ["CE601", "CE602"]


def test_contradicting_evidence_gives_no_notice() -> None:
    # evaluation_strategy went in 4.51 and include_for_metrics came in 4.46: written for
    # 4.46-4.50, which still predates the changes of 4.54 and 5.0.
    text = "evaluation_strategy: epoch\ninclude_for_metrics: [inputs]\n"
    assert notices(check(text)) == ["CE601", "CE602"]
    # train_sampling_strategy exists from 5.2, after evaluation_strategy went: no era.
    text = "evaluation_strategy: epoch\ntrain_sampling_strategy: random\n"
    assert notices(check(text)) == []


def test_from_pins_only_with_unsafe_fixes(tmp_path: Path) -> None:
    path = tmp_path / "train.yaml"
    path.write_text("output_dir: out\nseed: 1\n")
    runner = CliRunner()
    args = ["--target", "transformers==5.24", "--from", "transformers==4.44", str(path)]
    result = runner.invoke(main, ["check", *args], catch_exceptions=False)
    assert result.exit_code == 0  # info notices never fail the run
    assert "CE601" in result.output and "CE602" in result.output
    runner.invoke(main, ["fix", *args], catch_exceptions=False)
    assert path.read_text() == "output_dir: out\nseed: 1\n"  # pins are unsafe
    runner.invoke(main, ["fix", "--unsafe-fixes", *args], catch_exceptions=False)
    pinned = yaml.safe_load(path.read_text())
    assert pinned["report_to"] == "all" and pinned["optim"] == "adamw_torch"
    # The inferred era never writes pins.
    path.write_text("evaluation_strategy: epoch\n")
    runner.invoke(main, ["fix", "--unsafe-fixes", *args[:2], str(path)], catch_exceptions=False)
    assert path.read_text() == "eval_strategy: epoch\n"


def test_run_name_pin_follows_output_dir_in_python() -> None:
    text = py(
        """
        from transformers import TrainingArguments

        args = TrainingArguments(output_dir=OUT, report_to="wandb")
        """
    )
    out = fix(text, "train.py", unsafe=True, era=("transformers==4.44",)).fixed_text
    assert 'run_name=f"{OUT}"' in out


def test_launch_flags_use_defaults_but_arrays_of_flags_do_not() -> None:
    script = (
        "#!/bin/bash\n"
        "ARGS=(--load_best_model_at_end --eval_strategy epoch --seed 1)\n"
        'torchrun --nproc_per_node 2 train.py "${ARGS[@]}" --save_strategy epoch\n'
        "torchrun train.py --load_best_model_at_end --eval_strategy epoch --optim adamw_hf\n"
    )
    result = check(script, "run.sh")
    rows = sorted((result.document.location(f.span.start)[0], f.code) for f in result.findings)
    assert rows == [(4, "CE203"), (4, "CE301"), (4, "CE601")]


def test_torch_nccl_variants_pass_in_configs_but_not_on_the_command_line() -> None:
    # transformers passes ddp_backend on to torch, which registers these from 2.14; only
    # HfArgumentParser's command line enforces the field's choices.
    assert "CE207" not in codes(check("ddp_backend: nccl2\nseed: 1\n"))
    flags = check("torchrun train.py --ddp_backend nccl2 --seed 1\n", "run.sh")
    (finding,) = [f for f in flags.findings if f.code == "CE207"]
    assert "On the command line" in finding.message
