"""Places in Python code where people write training arguments without a call of the class
that the file imports (issue: the real world). Each input is minimal and self-written."""

from __future__ import annotations

import textwrap

from tests.helpers import check, fix


def py(text: str) -> str:
    return textwrap.dedent(text).lstrip()


def found(text: str) -> list[tuple[str, int]]:
    result = check(py(text), "train.py")
    return sorted(
        (f.code, result_line(text, f.span.start)) for f in result.findings if f.code < "CE6"
    )


def result_line(text: str, offset: int) -> int:
    return py(text)[:offset].count("\n") + 1


def test_a_snippet_that_calls_the_class_without_importing_it() -> None:
    text = 'args = TrainingArguments(output_dir="o", evaluation_strategy="steps")\n'
    assert found(text) == [("CE101", 1)]
    assert "eval_strategy=" in fix(text, "train.py").fixed_text


def test_a_star_import_from_elsewhere_may_bind_the_name() -> None:
    text = """
    from mylib import *
    args = TrainingArguments(output_dir="o", evaluation_strategy="steps")
    """
    assert found(text) == []


def test_a_name_bound_in_the_file_is_not_the_class() -> None:
    text = """
    class TrainingArguments:
        def __init__(self, **kw): ...
    args = TrainingArguments(output_dir="o", evaluation_strategy="steps")
    """
    assert found(text) == []


def test_a_dict_no_call_consumes_with_mostly_fields() -> None:
    text = """
    train_kwargs = {
        "output_dir": "out",
        "evaluation_strategy": "steps",
        "learning_rate": 2e-5,
    }
    """
    result = check(py(text), "train.py")
    (finding,) = [f for f in result.findings if f.code == "CE101"]
    assert "(assumed)" in finding.message
    assert '"eval_strategy": "steps"' in fix(py(text), "train.py").fixed_text


def test_a_dict_filled_key_by_key() -> None:
    text = """
    def make_args():
        args = {}
        args["output_dir"] = "out"
        args["evaluation_strategy"] = "steps"
        return args
    """
    assert found(text) == [("CE101", 4)]


def test_a_dict_whose_keys_the_file_reads_itself_is_the_projects_own() -> None:
    text = """
    config = {"output_dir": "out", "warmup_ratio": 0.1, "learning_rate": 1e-4}
    steps = int(config["warmup_ratio"] * 1000)
    """
    assert found(text) == []


def test_a_dict_with_one_field_among_many_other_keys_is_not_arguments() -> None:
    text = """
    ds_config = {"train_batch_size": 8, "gradient_accumulation_steps": 1, "fp16": {"enabled": True}}
    params = {"lr": 1e-3, "weight_decay": 0.0, "betas": (0.9, 0.99), "eps": 1e-8}
    """
    assert found(text) == []


def test_a_mapping_under_a_training_arguments_key() -> None:
    text = """
    config = dict(model="bert", training_args={"evaluation_strategy": "epoch"})
    run(trainer_args={"evaluation_strategy": "epoch", "seed": 1})
    """
    assert found(text) == [("CE101", 1), ("CE101", 2)]


def test_a_dict_inside_a_site_is_its_value_not_a_site() -> None:
    text = """
    from transformers import TrainingArguments
    args = TrainingArguments(
        "o", accelerator_config={"dispatch_batches": False, "split_batches": True}
    )
    """
    assert found(text) == []  # nothing to move: the nested dict is already where it belongs
    assert fix(py(text), "train.py").fixed_text in (None, py(text))


def test_a_tuple_returned_by_an_annotated_helper() -> None:
    text = """
    from dataclasses import dataclass
    from transformers import HfArgumentParser, TrainingArguments

    @dataclass
    class ModelArgs:
        name: str = "x"

    def parse() -> tuple[ModelArgs, TrainingArguments]:
        return HfArgumentParser((ModelArgs, TrainingArguments)).parse_args_into_dataclasses()

    model_args, training_args = parse()
    if training_args.overwrite_output_dir:
        pass
    """
    assert found(text) == [("CE123", 12)]


def test_an_unannotated_parameter_named_like_the_arguments() -> None:
    text = """
    def train(model, training_args, data=None):
        if training_args.overwrite_output_dir:
            print("x")
        return training_args.logging_dir
    """
    result = check(py(text), "train.py")
    assert sorted(f.code for f in result.findings) == ["CE123", "CE124"]
    assert all("TrainingArguments (assumed)" in f.message for f in result.findings)


def test_a_parameter_with_a_type_or_a_telling_default_is_not_guessed() -> None:
    text = """
    def train(model, training_args: dict, train_args=DEFAULTS):
        return training_args.overwrite_output_dir, train_args.overwrite_output_dir
    """
    assert found(text) == []


def test_parse_dict_of_a_dict_built_in_another_function() -> None:
    text = """
    from transformers import HfArgumentParser, TrainingArguments

    def build():
        cfg = {"output_dir": "o"}
        cfg["evaluation_strategy"] = "steps"
        return cfg

    def main():
        (args,) = HfArgumentParser(TrainingArguments).parse_dict(build())

    def main2(cfg):
        (args,) = HfArgumentParser(TrainingArguments).parse_dict(cfg)

    def caller():
        d = {"output_dir": "o", "logging_dir": "logs"}
        main2(d)
    """
    result = check(py(text), "train.py")
    codes = sorted(f.code for f in result.findings if f.code < "CE6")
    assert codes == ["CE101", "CE124"]
    assert all("(assumed)" not in f.message for f in result.findings)


def test_a_command_in_a_variable_run_by_subprocess() -> None:
    text = """
    import subprocess
    cmd = "torchrun --nproc_per_node 2 train.py --output_dir o --evaluation_strategy steps"
    subprocess.run(cmd, shell=True)
    """
    assert found(text) == [("CE101", 2)]


def test_commands_quoted_for_another_tool_in_shell() -> None:
    text = (
        'ssh host "cd x && torchrun train.py --evaluation_strategy steps"\n'
        "srun --cmd='python train.py --overwrite_output_dir'\n"
        'echo "python train.py --evaluation_strategy steps"\n'
    )
    result = check(text, "launch.sh")
    lines = sorted(
        (f.code, text[: f.span.start].count("\n") + 1) for f in result.findings if f.code < "CE6"
    )
    assert lines == [("CE101", 1), ("CE123", 2)]
    fixed = fix(text, "launch.sh").fixed_text
    assert '"cd x && torchrun train.py --eval_strategy steps"' in fixed
    assert fixed.endswith('echo "python train.py --evaluation_strategy steps"\n')


def test_reads_and_sets_of_self_args_in_a_trainer_subclass() -> None:
    text = """
    from transformers import Trainer

    class MyTrainer(Trainer):
        def _save(self, output_dir=None):
            if self.args.save_safetensors:
                self.args.overwrite_output_dir = True
            return self.args.output_dir
    """
    assert found(text) == [("CE123", 6), ("CE125", 5)]


def test_self_args_outside_a_trainer_subclass_is_unknown() -> None:
    text = """
    from transformers import TrainingArguments

    class Runner:
        def run(self):
            return self.args.save_safetensors
    """
    assert found(text) == []


def test_flags_set_in_branches_that_exclude_each_other_do_not_conflict() -> None:
    text = """
    from transformers import TrainingArguments
    training_args = dict(output_dir="out")
    if config.mixed_precision == "fp16":
        training_args["fp16"] = True
    if config.mixed_precision == "bf16":
        training_args["bf16"] = True
    args = TrainingArguments(**training_args)
    """
    assert "CE306" not in [f.code for f in check(py(text), "train.py").findings]
    unconditional = """
    from transformers import TrainingArguments
    training_args = dict(output_dir="out")
    training_args["fp16"] = True
    training_args["bf16"] = True
    args = TrainingArguments(**training_args)
    """
    assert "CE306" in [f.code for f in check(py(unconditional), "train.py").findings]


def test_the_args_of_a_trainer_variable() -> None:
    """`trainer.args` is the arguments object the trainer was given (smol-course's notebook
    sets `trainer.args.push_to_hub_model_id` before pushing)."""
    text = """
    from trl import SFTConfig, SFTTrainer
    config = SFTConfig(output_dir="o")
    trainer = SFTTrainer(model=model, args=config)
    trainer.args.push_to_hub_model_id = "me/model"
    if trainer.args.overwrite_output_dir:
        pass
    """
    assert found(text) == [("CE109", 4), ("CE123", 5)]
    result = check(py(text), "train.py")
    assert "SFTConfig" in result.findings[0].message
    # nothing says what `runner` is, nor what a project's own trainer keeps in `args`
    text = """
    from mylib import Runner
    from transformers import Trainer
    runner = Runner()
    runner.args.overwrite_output_dir = True
    trainer = Trainer(model)
    trainer.args.overwrite_output_dir = True
    """
    assert found(text) == [("CE123", 6)]  # a Trainer's args are TrainingArguments


def test_an_attribute_of_a_class_that_holds_arguments() -> None:
    """ChatGLM3's FinetuningConfig: a dataclass field annotated with the class, changed in
    its __post_init__; also an attribute set to a call of the class in a method."""
    text = """
    import dataclasses as dc
    from transformers import Seq2SeqTrainingArguments, TrainingArguments

    @dc.dataclass
    class FinetuningConfig:
        training_args: Seq2SeqTrainingArguments = dc.field(default_factory=lambda: None)
        name: str = "x"

        def __post_init__(self):
            self.training_args.evaluation_strategy = "no"
            self.name.evaluation_strategy = "no"

    class Runner:
        def __init__(self):
            self.targs = TrainingArguments("o")
            self.other = make()

        def run(self):
            if self.targs.no_cuda or self.other.no_cuda:
                pass
    """
    assert found(text) == [("CE101", 10), ("CE104", 19)]
    result = check(py(text), "train.py")
    [ce101] = [f for f in result.findings if f.code == "CE101"]
    assert "Seq2SeqTrainingArguments" in ce101.message
    fixed = fix(py(text), "train.py", unsafe=True).fixed_text
    assert "self.training_args.eval_strategy = " in fixed  # unsafe: assigned after building
    assert "self.name.evaluation_strategy" in fixed


def test_keywords_of_a_trainer_subclass_passed_on_to_its_base() -> None:
    """sotopia-rl: a Trainer subclass calls `super().__init__(..., tokenizer=tok)`."""
    text = """
    from transformers import Trainer
    from mylib import Mixin

    class MyTrainer(Trainer):
        def __init__(self, model, args, tok):
            super().__init__(model=model, args=args, tokenizer=tok)

    class Other(Mixin, Trainer):
        def __init__(self, tok):
            super().__init__(tokenizer=tok)
            Trainer.__init__(self, tokenizer=tok)

    class NotATrainer(Mixin):
        def __init__(self, tok):
            super().__init__(tokenizer=tok)
    """
    assert found(text) == [("CE505", 6), ("CE505", 11)]  # Other's super() is Mixin's
    fixed = fix(py(text), "train.py").fixed_text
    assert "super().__init__(model=model, args=args, processing_class=tok)" in fixed


def test_a_script_exported_from_a_notebook_keeps_its_ipython_lines() -> None:
    """CyberBrain's main.py (a Colab export): `!pip` lines make it invalid Python; with them
    blanked it is read, and fixes leave them as they are."""
    text = """
    !pip install transformers trl \\
        datasets
    %matplotlib inline
    files = !ls
    from transformers import TrainingArguments
    from trl import SFTTrainer
    args = TrainingArguments("o", use_mps_device=True, seed=1)
    trainer = SFTTrainer(model=model, tokenizer=tok, args=args)
    !nvidia-smi
    other = TrainingArguments("o", no_cuda=True)  # ce-lint: ignore[CE104]
    """
    assert found(text) == [("CE105", 7), ("CE505", 8)]  # comments are read as well
    fixed = fix(py(text), "main.py").fixed_text
    expected = (
        py(text)
        .replace("use_mps_device=True, seed=1", "seed=1")
        .replace("tokenizer=tok", "processing_class=tok")
    )
    assert fixed == expected
    # a real syntax error stays one, IPython lines or not
    broken = "!pip install x\nfrom transformers import TrainingArguments\nargs = (\n"
    assert [f.code for f in check(broken, "main.py").findings] == ["CE901"]


def test_a_trainers_tokenizer_attribute() -> None:
    text = """
    from transformers import Trainer, TrainerCallback
    trainer = Trainer(model=model, args=args, processing_class=tok)
    ids = trainer.tokenizer(text)
    class Sample(TrainerCallback):
        def __init__(self, trainer, data):
            self.tok = trainer.tokenizer
    def annotated(trainer: "MyLoop"):
        return trainer.tokenizer
    """
    assert found(text) == [("CE506", 3), ("CE506", 6)]
    fixed = fix(py(text), "train.py", unsafe=True).fixed_text or ""
    assert fixed.count("processing_class") == 3 and fixed.count(".tokenizer") == 1


def test_a_lightning_callbacks_trainer_is_not_transformers() -> None:
    text = """
    import lightning
    from transformers import AutoTokenizer
    class Sample(lightning.Callback):
        def on_fit_start(self, trainer, module):
            return trainer.tokenizer
    """
    assert found(text) == []


def test_a_default_of_the_scripts_own_dataclass_that_reaches_the_class() -> None:
    text = """
    from dataclasses import dataclass, field
    from typing import Optional
    from transformers import HfArgumentParser, TrainingArguments
    @dataclass
    class ScriptArguments:
        optim: Optional[str] = field(default="adamw_hf", metadata={"help": "x"})
        lr_scheduler_type: str = "linear"
        report: str = "adamw_hf"
    args = HfArgumentParser(ScriptArguments).parse_args_into_dataclasses()[0]
    training_args = TrainingArguments(
        output_dir="o", optim=args.optim, lr_scheduler_type=args.lr_scheduler_type,
        report_to=args.report,
    )
    """
    assert found(text) == [("CE203", 6)]  # only same-named fields flow; `linear` is valid
    result = check(py(text), "train.py")
    assert "default of ScriptArguments.optim" in result.findings[0].message
    fixed = fix(py(text), "train.py", unsafe=True).fixed_text or ""
    assert 'field(default="adamw_torch"' in fixed and 'report: str = "adamw_hf"' in fixed
