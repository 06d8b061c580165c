"""Flags that live inside other files: YAML and JSON (CI steps, Kubernetes jobs, editor launch
configurations), Python lists and command strings, Makefiles; and configs or launches judged
as the class of the script that reads them."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.helpers import TODAY, check, fix, fixed_text

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "launch"
CE1 = {"select": ["CE1"]}


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def found(text: str, name: str) -> list[tuple[str, int, int]]:
    result = check(dedent(text), name, **CE1)
    return [(f.code, *result.document.location(f.span.start)) for f in result.findings]


@pytest.mark.parametrize("name", ["ci-workflow.before.yaml", "launch.before.json"])
def test_fixtures_are_fixed_to_their_after_text(name: str) -> None:
    before = (FIXTURES / name).read_text()
    result = fix(before, name, unsafe=True, **CE1)
    assert result.fixed_text == (FIXTURES / name.replace("before", "after")).read_text()
    assert result.findings == []


def test_the_workflow_is_reported_flag_by_flag() -> None:
    text = (FIXTURES / "ci-workflow.before.yaml").read_text()
    result = check(text, "ci.yaml", **CE1)
    lines = text.splitlines()
    for finding in result.findings:
        row, col = result.document.location(finding.span.start)
        assert lines[row - 1][col - 1 :].startswith(f"--{finding.fields[0]}")
    assert [f.code for f in result.findings] == [
        "CE101",
        "CE102",
        "CE104",
        "CE104",
        "CE101",
        "CE106",
    ]


def test_yaml_scalars_in_every_style() -> None:
    text = """
    a: python train.py --output_dir o --evaluation_strategy steps --seed 1
    b: 'torchrun t.py --no_cuda'
    c: "torchrun t.py --no_cuda"
    d: >
      torchrun t.py
      --output_dir o
      --no_cuda
    e: "torchrun t.py --no_cuda \\\\ x"
    f: torchrun t.py --dispatch_batches False
    """
    assert [code for code, *_ in found(text, "c.yaml")] == [
        "CE101",
        "CE104",
        "CE104",
        "CE104",
        "CE112",
    ]
    out = fixed_text(dedent(text), "c.yaml", **CE1)
    assert out == dedent(
        """
        a: python train.py --output_dir o --eval_strategy steps --seed 1
        b: 'torchrun t.py --use_cpu'
        c: "torchrun t.py --use_cpu"
        d: >
          torchrun t.py
          --output_dir o
          --use_cpu
        e: "torchrun t.py --no_cuda \\\\ x"
        f: torchrun t.py --dispatch_batches False
        """
    )
    # A JSON object cannot be written into a plain scalar (`: ` would start a mapping).
    assert check(dedent(text), "c.yaml", **CE1).findings[-1].fix is None


def test_yaml_lists() -> None:
    text = """
    flow: ["--output_dir", "o", "--evaluation_strategy", "steps", "--overwrite_output_dir"]
    block:
      - python
      - train.py
      - --no_cuda
      - --seed
      - '1'
    """
    assert fixed_text(dedent(text), "c.yaml", **CE1) == dedent(
        """
        flow: ["--output_dir", "o", "--eval_strategy", "steps"]
        block:
          - python
          - train.py
          - --use_cpu
          - --seed
          - '1'
        """
    )


def test_unrelated_lists_and_strings_stay_quiet() -> None:
    text = """
    repos:
      - hooks:
          - id: ruff
            args: [--fix, --exit-non-zero-on-fix]
          - id: mypy
            args: ["--strict", "--debug"]
    description: "use --evaluation_strategy to choose when to evaluate"
    """
    assert found(text, "c.yaml") == []
    assert found('{"args": ["--debug"], "cmd": "ls --seed"}', "c.json") == []


def test_json_command_strings_and_escapes() -> None:
    text = '{"postCreateCommand": "python train.py --output_dir o --no_cuda --evaluation_strategy steps"}'
    assert fixed_text(text, "devcontainer.json", **CE1) == (
        '{"postCreateCommand": "python train.py --output_dir o --use_cpu --eval_strategy steps"}'
    )
    escaped = '{"cmd": "torchrun t.py --run_name \\"x\\" --no_cuda"}'
    assert found(escaped, "c.json") == []  # positions would not map one to one


def test_python_lists_and_command_strings() -> None:
    text = """
    import os
    import subprocess
    import sys

    from transformers import HfArgumentParser, TrainingArguments

    parser = HfArgumentParser((TrainingArguments,))
    (args,) = parser.parse_args_into_dataclasses(
        args=[
            "--output_dir", "out",
            "--evaluation_strategy", "steps",
            "--overwrite_output_dir",
        ]
    )
    other = HfArgumentParser(TrainingArguments).parse_args(["--output_dir", "o", "--no_cuda"])
    sys.argv = ["train.py", "--output_dir", "o", "--per_gpu_train_batch_size", "4"]
    sys.argv += ["--tpu_num_cores", "8"]
    subprocess.run(["torchrun", "--nproc_per_node", "2", "train.py", "--fp16_backend", "amp", "--fp16"])
    os.system("python train.py --output_dir o --push_to_hub_token tok")
    print(["--no_cuda", "--fp16"])
    """
    assert [code for code, *_ in found(text, "train.py")] == [
        "CE101", "CE123", "CE104", "CE102", "CE116", "CE106", "CE111",
    ]  # fmt: skip
    out = fixed_text(dedent(text), "train.py", **CE1)
    assert '        "--eval_strategy", "steps",\n    ]' in out
    assert 'parse_args(["--output_dir", "o", "--use_cpu"])' in out
    assert (
        'sys.argv = ["train.py", "--output_dir", "o", "--per_device_train_batch_size", "4"]' in out
    )
    assert "sys.argv += []\n" in out  # the only flag went; the statement stays valid
    assert '"train.py", "--fp16"])' in out
    assert 'os.system("python train.py --output_dir o --hub_token tok")' in out
    assert 'print(["--no_cuda", "--fp16"])' in out
    compile(out, "train.py", "exec")


def test_a_parser_list_takes_the_parser_class() -> None:
    text = dedent(
        """
        from transformers import HfArgumentParser, TrainingArguments
        from sentence_transformers.cross_encoder import CrossEncoderTrainingArguments

        a = HfArgumentParser(TrainingArguments).parse_args_into_dataclasses(args=["--warmup_ratio", "0.1"])
        b = HfArgumentParser(CrossEncoderTrainingArguments).parse_args_into_dataclasses(args=["--warmup_ratio", "0.1"])
        """
    )
    result = check(text, "t.py", **CE1)
    assert [(f.code, f.severity.value) for f in result.findings] == [
        ("CE132", "error"),
        ("CE132", "warning"),
    ]


def test_makefile_recipes_and_variables() -> None:
    text = (
        "TRAIN_ARGS = --evaluation_strategy steps \\\n\t--per_gpu_train_batch_size 8 --seed 1\n"
        "\n"
        "train: data\n"
        "\t@echo training\n"
        "\ttorchrun --nproc_per_node $(NGPU) train.py $(TRAIN_ARGS) \\\n"
        "\t\t--output_dir $(OUT) \\\n"
        "\t\t--no_cuda False\n"
        "\n"
        "# --fp16_backend apex\n"
        "clean:\n"
        "\trm -rf out --no_cuda\n"
    )
    result = check(text, "Makefile", **CE1)
    assert [(f.code, result.document.location(f.span.start)[0]) for f in result.findings] == [
        ("CE101", 1), ("CE102", 2), ("CE104", 8),
    ]  # fmt: skip
    out = fixed_text(text, "Makefile", **CE1)
    assert out == text.replace("--evaluation_strategy", "--eval_strategy").replace(
        "--per_gpu_train_batch_size", "--per_device_train_batch_size"
    ).replace(" \\\n\t\t--no_cuda False", "")
    assert check(text, "rules.mk", **CE1).findings


# ---- configs and launches judged as the script's class -----------------------------------


def run_check(folder: Path, *args: str) -> str:
    targets = [f"--target={t}" for t in TODAY]
    proc = subprocess.run(
        [sys.executable, "-m", "ce_lint", "check", *targets, "--select", "CE132", *args, "."],
        cwd=folder, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    return proc.stdout


def test_configs_and_launches_take_the_class_of_the_script(tmp_path: Path) -> None:
    (tmp_path / "configs").mkdir()
    (tmp_path / "train.py").write_text(
        dedent(
            """
            import json

            import yaml
            from transformers import HfArgumentParser, TrainingArguments

            parser = HfArgumentParser((TrainingArguments,))
            (args,) = parser.parse_json_file(json_file="configs/train.json")
            with open("configs/other.yaml") as f:
                cfg = yaml.safe_load(f)
            more = TrainingArguments(**cfg["training"])
            last = TrainingArguments(**json.load(open("configs/last.json")))
            """
        )
    )
    config = '{"output_dir": "o", "warmup_ratio": 0.1, "seed": 1}\n'
    for name in ("train.json", "last.json", "unlinked.json"):
        (tmp_path / "configs" / name).write_text(config)
    (tmp_path / "configs" / "other.yaml").write_text(
        "training:\n  output_dir: o\n  warmup_ratio: 0.1\n"
    )
    (tmp_path / "run.sh").write_text(
        "torchrun train.py --output_dir o --warmup_ratio 0.1\npython other.py --seed 1 --warmup_ratio 0.1\n"
    )
    out = run_check(tmp_path)
    plain = "rejected by TrainingArguments"
    lines = {
        line.split(":")[0] + ":" + line.split(":")[1]: line
        for line in out.splitlines()
        if "CE132" in line
    }
    assert plain in lines["configs/train.json:1"]
    assert plain in lines["configs/other.yaml:3"]
    assert plain in lines["configs/last.json:1"]
    assert plain in lines["run.sh:1"]
    assert "deprecated" in lines["configs/unlinked.json:1"]
    assert "deprecated" in lines["run.sh:2"]
    # --class says otherwise for every file.
    assert plain not in run_check(tmp_path, "--class", "CrossEncoderTrainingArguments")
