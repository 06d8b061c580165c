"""Python training scripts: where arguments hide, look-alikes that must stay quiet, safe edits."""

from __future__ import annotations

import ast
import textwrap

import pytest

from tests.helpers import check, codes, fixed_text


def py(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def found(text: str, **kwargs) -> list[tuple[str, int, str]]:
    """(code, line, field) for each finding."""
    result = check(py(text), "train.py", **kwargs)
    out = []
    for f in result.findings:
        if f.severity == "info":
            continue  # behaviour notices (CE6xx) have their own tests
        row, _ = result.document.location(f.span.start)
        out.append((f.code, row, f.fields[0] if f.fields else ""))
    return out


def fixed(text: str, unsafe: bool = True) -> str:
    out = fixed_text(py(text), "train.py", unsafe=unsafe)
    compile(out, "train.py", "exec")
    return out


def test_aliases_and_module_attribute_calls() -> None:
    text = """
    import transformers
    import sentence_transformers.cross_encoder as ce
    from sentence_transformers.cross_encoder.training_args import CrossEncoderTrainingArguments as Args

    a = transformers.TrainingArguments("out", evaluation_strategy="steps")
    b = ce.CrossEncoderTrainingArguments(output_dir="out", no_cuda=True)
    c = Args(output_dir="out", per_gpu_train_batch_size=8)
    """
    assert found(text) == [
        ("CE101", 5, "evaluation_strategy"),
        ("CE104", 6, "no_cuda"),
        ("CE102", 7, "per_gpu_train_batch_size"),
    ]
    out = fixed(text)
    assert 'transformers.TrainingArguments("out", eval_strategy="steps")' in out
    assert 'ce.CrossEncoderTrainingArguments(output_dir="out", use_cpu=True)' in out
    assert 'Args(output_dir="out", per_device_train_batch_size=8)' in out


def test_the_class_decides_which_fields_exist() -> None:
    text = """
    from transformers import TrainingArguments
    from sentence_transformers.cross_encoder import CrossEncoderTrainingArguments

    plain = TrainingArguments("out", warmup_ratio=0.1)
    ce = CrossEncoderTrainingArguments("out", warmup_ratio=0.1)
    """
    result = check(py(text), "train.py")
    severities = [(f.code, f.severity.value) for f in result.findings]
    assert severities == [("CE132", "error"), ("CE132", "warning")]


def test_dict_unpacking_subscripts_and_dict_calls() -> None:
    text = """
    from transformers import TrainingArguments

    cfg = {
        "output_dir": "out",
        "evaluation_strategy": "steps",  # keep this comment
        "no_cuda": False,
    }
    cfg["per_gpu_eval_batch_size"] = 4
    more = dict(overwrite_output_dir=True, seed=1)


    def main():
        return TrainingArguments(**cfg, **more)
    """
    assert [c for c, _, _ in found(text)] == ["CE101", "CE104", "CE103", "CE123"]
    out = fixed(text)
    assert out == py(
        """
    from transformers import TrainingArguments

    cfg = {
        "output_dir": "out",
        "eval_strategy": "steps",  # keep this comment
    }
    cfg["per_device_eval_batch_size"] = 4
    more = dict(seed=1)


    def main():
        return TrainingArguments(**cfg, **more)
    """
    )


def test_parser_results_annotations_and_attribute_access() -> None:
    text = """
    from dataclasses import replace

    from transformers import HfArgumentParser, TrainingArguments


    def run(args: TrainingArguments) -> None:
        if args.no_cuda:
            print("cpu")


    def main():
        parser = HfArgumentParser((ModelArguments, DataArguments, TrainingArguments))
        model_args, data_args, training_args = parser.parse_json_file("args.json")
        training_args.evaluation_strategy = "epoch"
        if not training_args.overwrite_output_dir:
            pass
        other = replace(training_args, per_gpu_train_batch_size=2)
        (only,) = HfArgumentParser(TrainingArguments).parse_args_into_dataclasses()
        print(only.logging_dir, model_args.no_cuda)
    """
    assert found(text) == [
        ("CE104", 7, "no_cuda"),
        ("CE101", 14, "evaluation_strategy"),
        ("CE123", 15, "overwrite_output_dir"),
        ("CE102", 17, "per_gpu_train_batch_size"),
        ("CE124", 19, "logging_dir"),
    ]
    out = fixed(text)
    assert "if args.use_cpu:" in out
    assert 'training_args.eval_strategy = "epoch"' in out
    assert "replace(training_args, per_device_train_batch_size=2)" in out
    assert "model_args.no_cuda" in out  # not an arguments object
    assert "if not training_args.overwrite_output_dir:" in out  # a read cannot be dropped


def test_removing_an_attribute_assignment_keeps_the_block_valid() -> None:
    text = """
    from transformers import TrainingArguments

    args = TrainingArguments("out")
    if True:
        args.overwrite_output_dir = True
    args.no_cuda = False  # trailing
    args.seed = 3
    """
    out = fixed(text)
    assert out == py(
        """
    from transformers import TrainingArguments

    args = TrainingArguments("out")
    if True:
        pass
    args.seed = 3
    """
    )


def test_enum_members_keep_their_expression_on_rename() -> None:
    text = """
    from transformers import IntervalStrategy, TrainingArguments

    args = TrainingArguments("out", evaluation_strategy=IntervalStrategy.STEPS)
    """
    assert fixed(text).endswith('TrainingArguments("out", eval_strategy=IntervalStrategy.STEPS)\n')


def test_values_from_elsewhere_are_renamed_not_judged() -> None:
    text = """
    import torch
    from transformers import TrainingArguments

    def build(cfg):
        return TrainingArguments(
            output_dir=cfg["out"],
            evaluation_strategy=cfg["evaluation_strategy"],
            no_cuda=not torch.cuda.is_available(),
        )
    """
    out = fixed(text, unsafe=False)
    assert 'eval_strategy=cfg["evaluation_strategy"],' in out
    assert "use_cpu=not torch.cuda.is_available()," in out


def test_hub_model_id_built_from_expressions() -> None:
    text = """
    from transformers import TrainingArguments

    def build(org, name):
        return TrainingArguments("out", push_to_hub_organization=org, push_to_hub_model_id=name)
    """
    out = fixed(text, unsafe=False)
    assert 'TrainingArguments("out", hub_model_id=f"{org}/{name}")' in out


@pytest.mark.parametrize(
    "text",
    [
        # A dict key that never reaches an arguments class.
        'from transformers import TrainingArguments\nopts = {"evaluation_strategy": "steps"}\nprint(opts)\n',
        # An unrelated object with a no_cuda attribute.
        "from transformers import TrainingArguments\nclass Cfg:\n    no_cuda = True\ncfg = Cfg()\nprint(cfg.no_cuda)\n",
        # A function that happens to be called evaluation_strategy.
        "from transformers import TrainingArguments\ndef evaluation_strategy(x):\n    return x\nevaluation_strategy(1)\n",
        # batch_sampler= of another library.
        "import torch\nfrom transformers import TrainingArguments\nloader = torch.utils.data.DataLoader([], batch_sampler=None)\n",
        # A project's own classes with familiar names.
        "from mylib import CrossEncoder, CrossEncoderTrainer, TrainingArguments\n"
        "args = TrainingArguments(evaluation_strategy='steps', no_cuda=True)\n",
        # A local class that is not derived from the library's.
        "class TrainingArguments:\n    def __init__(self, **kw):\n        pass\nargs = TrainingArguments(no_cuda=True)\n",
        # Modern, clean script.
        "from transformers import TrainingArguments\nargs = TrainingArguments('out', eval_strategy='steps', use_cpu=True)\n"
        "print(args.eval_strategy, args.device)\n",
    ],
)
def test_look_alikes_stay_quiet(text: str) -> None:
    assert check(text, "train.py").findings == []


def test_syntax_error_is_one_finding() -> None:
    result = check(
        "from transformers import TrainingArguments\nargs = TrainingArguments(\n", "train.py"
    )
    assert codes(result) == ["CE901"]


def test_conflicting_spellings_never_duplicate_a_keyword() -> None:
    text = """
    from transformers import TrainingArguments

    args = TrainingArguments(
        "out",
        eval_strategy="epoch",
        evaluation_strategy="steps",
    )
    """
    assert fixed_text(py(text), "train.py", unsafe=False) == py(text)  # only an unsafe fix exists
    out = fixed(text)
    tree = ast.parse(out)
    call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call) and n.keywords)
    assert [(k.arg, k.value.value) for k in call.keywords] == [("eval_strategy", "steps")]


def test_keyword_layout_and_trailing_commas() -> None:
    text = """
    from transformers import TrainingArguments

    args = TrainingArguments(
        output_dir="out",  # where
        no_cuda=False,  # gone
        dispatch_batches=False,
        seed=1,
    )
    """
    assert fixed(text) == py(
        """
    from transformers import TrainingArguments

    args = TrainingArguments(
        output_dir="out",  # where
        accelerator_config={"dispatch_batches": False},
        seed=1,
    )
    """
    )


def test_adding_into_an_existing_dict_value() -> None:
    text = """
    from transformers import TrainingArguments

    args = TrainingArguments(
        "out",
        accelerator_config={"even_batches": True},
        split_batches=True,
    )
    """
    out = fixed(text)
    assert 'accelerator_config={"even_batches": True, "split_batches": True},' in out
    assert "split_batches=True," not in out


def test_fixing_twice_equals_fixing_once() -> None:
    text = py(
        """
    from transformers import TrainingArguments

    args = TrainingArguments("out", evaluation_strategy="steps", no_cuda=True, logging_dir="tb")
    args.per_gpu_train_batch_size = 8
    """
    )
    once = fixed_text(text, "train.py", unsafe=True)
    assert fixed_text(once, "train.py", unsafe=True) == once
    assert check(once, "train.py").findings == []


def test_helpers_and_moved_imports() -> None:
    text = """
    from sentence_transformers.training_args import BatchSamplers
    from transformers import TrainingArguments

    args = TrainingArguments("out")
    args.set_testing(batch_size=8, jit_mode=True)
    """
    assert [c for c, _, _ in found(text)] == ["CE504", "CE502"]
    out = fixed(text)
    assert (
        "from sentence_transformers.sentence_transformer.training_args import BatchSamplers" in out
    )
    assert "args.set_testing(batch_size=8)" in out


def test_parse_dict_literal_is_judged_as_the_parsers_class() -> None:
    text = """
    from transformers import HfArgumentParser
    from sentence_transformers.cross_encoder import CrossEncoderTrainingArguments

    parser = HfArgumentParser(CrossEncoderTrainingArguments)
    (args,) = parser.parse_dict({"output_dir": "out", "evaluation_strategy": "epoch", "warmup_ratio": 0.1})
    print(args.no_cuda)
    """
    assert found(text) == [
        ("CE101", 5, "evaluation_strategy"),
        ("CE132", 5, "warmup_ratio"),
        ("CE104", 6, "no_cuda"),
    ]
    out = fixed(text)
    assert '{"output_dir": "out", "eval_strategy": "epoch", "warmup_steps": 0.1}' in out
    assert "print(args.use_cpu)" in out


def test_positions_with_non_ascii_text() -> None:
    text = """
    from transformers import TrainingArguments

    args = TrainingArguments(run_name="réglage—ü", evaluation_strategy="steps")
    """
    result = check(py(text), "train.py")
    finding = next(f for f in result.findings if f.code == "CE101")
    assert py(text)[finding.span.start : finding.span.end] == "evaluation_strategy"
    assert 'run_name="réglage—ü", eval_strategy="steps"' in fixed(text)
