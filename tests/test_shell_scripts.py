"""Launch scripts: commands become Sites, flags become Entries, fixes keep the script's layout.

The fixture scripts in fixtures/launch/ are fixed and compared with their `.after.sh` text;
then bash itself runs the fixed scripts with the launchers replaced by functions that record
their arguments, and the real HfArgumentParser must accept what the training script would
receive, with the meaning the seed-era flags had.
"""

from __future__ import annotations

import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from ce_lint.adapters import cli_args
from ce_lint.adapters.base import RenderError
from ce_lint.adapters.shell_lex import lex, word_at
from ce_lint.adapters.shell_script import ShellLayout, shell_quote
from ce_lint.findings import AddEntry
from ce_lint.model import UNKNOWN
from ce_lint.textio import SourceText, apply_text_edits
from tests.helpers import check, fix, fixed_text

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "launch"
CE1 = {"select": ["CE1"]}


def sh(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def found(text: str, name: str = "run.sh", **kwargs) -> list[tuple[str, int, int, str]]:
    result = check(sh(text), name, **{**CE1, **kwargs})
    out = []
    for f in result.findings:
        row, col = result.document.location(f.span.start)
        out.append((f.code, row, col, f.fields[0] if f.fields else ""))
    return out


def fixed(text: str, name: str = "run.sh", unsafe: bool = True) -> str:
    return fixed_text(sh(text), name, unsafe=unsafe, **CE1)


def words_of(text: str) -> list[list[tuple[str, str | None]]]:
    script = lex(text)
    return [[(text[w.start : w.end], w.value) for w in c.words] for c in script.commands]


# ---- the lexer ----------------------------------------------------------------------------


def test_words_keep_their_spans_through_quotes_escapes_and_continuations() -> None:
    text = 'torchrun a.py \\\n  --run_name \'a b\' --out "$OUT/x" --tag="v\\"1" x\\ y  # done\n'
    assert words_of(text) == [
        [
            ("torchrun", "torchrun"), ("a.py", "a.py"), ("--run_name", "--run_name"),
            ("'a b'", "a b"), ("--out", "--out"), ('"$OUT/x"', None),
            ('--tag="v\\"1"', '--tag=v"1'), ("x\\ y", "x y"),
        ]
    ]  # fmt: skip
    assert lex(text).comments == [(text.index("# done"), "# done")]


def test_separators_redirections_heredocs_and_expansions() -> None:
    text = sh(
        """
        a 1 && b 2; c 3 | d 4 > out.log 2>&1 &
        cat <<EOF > cfg.yaml
        python train.py --no_cuda
        EOF
        e $(date +%s) `hostname` ${X:-1} $'a\\tb' $'plain'
        """
    )
    assert words_of(text) == [
        [("a", "a"), ("1", "1")],
        [("b", "b"), ("2", "2")],
        [("c", "c"), ("3", "3")],
        [("d", "d"), ("4", "4")],
        [("cat", "cat")],
        [("e", "e"), ("$(date +%s)", None), ("`hostname`", None), ("${X:-1}", None),
         ("$'a\\tb'", None), ("$'plain'", "plain")],
    ]  # fmt: skip


def test_arrays_and_flag_strings_are_commands_of_their_own() -> None:
    text = sh(
        """
        ARGS=(
          --fp16   # half precision
          --seed 1
        )
        export FLAGS="--evaluation_strategy steps --seed $SEED"
        """
    )
    script = lex(text)
    by_name = {c.variable: c for c in script.commands if c.variable}
    assert [text[w.start : w.end] for w in by_name["ARGS"].words] == ["--fp16", "--seed", "1"]
    assert by_name["FLAGS"].split_only
    assert [w.value for w in by_name["FLAGS"].words] == [
        "--evaluation_strategy",
        "steps",
        "--seed",
        None,
    ]
    assert (text.index("# half"), "# half precision") in script.comments


def test_one_word_out_of_a_slice() -> None:
    text = "--x='a b'"
    assert word_at(text, 4, len(text)).value == "a b"


def test_dollar_quote_inside_double_quotes_is_a_literal_dollar() -> None:
    # microsoft/LoRA: the `$"` of "^$" opened a new string and hid the launch after it.
    text = 'grep -v "^$" | sort\npython3 run.py --per_gpu_train_batch_size 8\n'
    assert words_of(text)[0][2] == ('"^$"', "^$")
    assert words_of(text)[2][0] == ("python3", "python3")


def test_parameter_expansion_closes_at_its_own_brace() -> None:
    text = 'python t.py --x "${A:-"}"}" --y ${B:-${C}} --seed 1\n'
    assert [raw for raw, _ in words_of(text)[0][3:]] == [
        '"${A:-"}"}"', "--y", "${B:-${C}}", "--seed", "1"
    ]  # fmt: skip


def test_a_word_ends_before_the_continuation_that_follows_it() -> None:
    # Replacing `1024` must not delete the `\`-newline after it.
    assert words_of("python t.py --seed 1024\\\n    --fp16\n")[0][3:] == [
        ("1024", "1024"), ("--fp16", "--fp16")
    ]  # fmt: skip
    assert words_of("python t.py --se\\\ned 1\n")[0][2] == ("--se\\\ned", "--seed")


def test_a_backslash_at_the_end_of_the_text_is_no_word() -> None:
    # bash drops it; as a word it was the value of --seed ... and a false CE212.
    assert words_of("python t.py --seed 0 \\")[0][-1] == ("0", "0")
    assert words_of("python t.py --seed 0\\")[0][-1] == ("0", "0")


def test_process_substitution_is_one_word() -> None:
    text = "python t.py --y <(cat f) >(tee x) --seed 1\n"
    assert [raw for raw, _ in words_of(text)[0][3:]] == ["<(cat f)", ">(tee x)", "--seed", "1"]


# ---- which commands launch training --------------------------------------------------------


@pytest.mark.parametrize(
    "command,program,script,first_argument",
    [
        ("python train.py --a 1", "python", "train.py", "--a"),
        ("python3 -u -W ignore train.py --a 1", "python", "train.py", "--a"),
        ("/opt/conda/bin/python3.11 -m my.train --a 1", "python", "my.train", "--a"),
        ("torchrun --nproc_per_node 8 --standalone train.py --a 1", "torchrun", "train.py", "--a"),
        ("torchrun --nproc-per-node=8 $SCRIPT --a 1", "torchrun", None, "--a"),
        (
            "python -m torch.distributed.launch --nproc_per_node=2 --use_env train.py --a",
            "torchrun",
            "train.py",
            "--a",
        ),
        ("python -m torch.distributed.run --nnodes 2 train.py --a", "torchrun", "train.py", "--a"),
        (
            "accelerate launch --multi_gpu --num_processes 2 train.py --a",
            "accelerate launch",
            "train.py",
            "--a",
        ),
        (
            "accelerate launch --config_file cfg.yaml -m pkg.train --a",
            "accelerate launch",
            "pkg.train",
            "--a",
        ),
        ("deepspeed --num_gpus 8 --no_local_rank train.py --a", "deepspeed", "train.py", "--a"),
        (
            "CUDA_VISIBLE_DEVICES=0,1 WANDB_MODE=offline python train.py --a",
            "python",
            "train.py",
            "--a",
        ),
        ("srun -N 2 --gres=gpu:8 torchrun train.py --a", "torchrun", "train.py", "--a"),
        ("nohup env OMP_NUM_THREADS=4 python train.py --a", "python", "train.py", "--a"),
        ("uv run python train.py --a", "python", "train.py", "--a"),
        ("then python train.py --a", "python", "train.py", "--a"),
    ],
)
def test_launches(command: str, program: str, script: str | None, first_argument: str) -> None:
    values = [w.value for w in lex(command).commands[0].words]
    launch = cli_args.find_launch(values)
    assert launch is not None
    assert (launch.program, launch.script, values[launch.first]) == (
        program,
        script,
        first_argument,
    )


@pytest.mark.parametrize(
    "command",
    [
        "python -c 'import x' --a",
        "pip install --upgrade x",
        "echo --fp16",
        "bash train.sh --a",
        "python - --a",
    ],
)
def test_not_launches(command: str) -> None:
    assert cli_args.find_launch([w.value for w in lex(command).commands[0].words]) is None


# ---- flags ------------------------------------------------------------------------------------


def site_of(text: str, **kwargs):
    result = check(sh(text), "run.sh", **{**CE1, **kwargs})
    assert len(result.document.sites) == 1, result.document.sites
    return result.document.sites[0]


def test_flag_forms_and_values() -> None:
    site = site_of(
        """
        torchrun train.py --fp16 --bf16=False --tf32 true --seed=1 --learning_rate 2e-5 \\
          --run_name "a b" --output_dir $OUT --max_steps -1 --report_to wandb tensorboard \\
          --per-device-train-batch-size 8 --no_remove_unused_columns --eval_steps=$STEPS
        """
    )
    values = {e.key: e.value.py for e in site.entries}
    assert values == {
        "fp16": True, "bf16": False, "tf32": True, "seed": 1, "learning_rate": 2e-5,
        "run_name": "a b", "output_dir": UNKNOWN, "max_steps": -1,
        "report_to": ["wandb", "tensorboard"], "per_device_train_batch_size": 8,
        "remove_unused_columns": False, "eval_steps": UNKNOWN,
    }  # fmt: skip
    assert site.launch is not None
    assert site.launch.program == "torchrun" and site.launch.script == "train.py"


def test_launcher_options_are_not_training_arguments() -> None:
    site = site_of("torchrun --nproc_per_node 2 --no_python --max_restarts 3 train.py --seed 1")
    assert [e.key for e in site.entries] == ["seed"]
    assert [c for c, *_ in found("accelerate launch --debug --fp16 train.py --no_cuda")] == [
        "CE104"
    ]


def test_each_flag_is_reported_where_it_is_written() -> None:
    text = """
    python train.py --output_dir out \\
        --evaluation_strategy steps \\
        --per-gpu-train-batch-size 8 --no_cuda
    """
    assert found(text) == [
        ("CE101", 2, 5, "evaluation_strategy"),
        ("CE102", 3, 5, "per_gpu_train_batch_size"),
        ("CE104", 3, 34, "no_cuda"),
    ]


def test_commented_out_flags_and_unrelated_commands_stay_quiet() -> None:
    text = """
    # torchrun train.py --evaluation_strategy steps --no_cuda
    echo "--evaluation_strategy steps"   # --no_cuda
    pip install --no_cuda
    python tools/convert.py --input a --output b --no_cuda
    cat <<EOF
    python train.py --evaluation_strategy steps --no_cuda
    EOF
    """
    assert found(text) == []


def test_a_commented_line_ends_the_command_as_in_bash() -> None:
    text = """
    torchrun train.py --output_dir out \\
        # --fp16_backend apex \\
        --evaluation_strategy steps --no_cuda
    """
    # bash runs the last line as a command of its own: those flags never reach train.py.
    assert found(text) == []


def test_one_known_flag_is_enough_for_a_distributed_launch_not_for_python() -> None:
    assert [c for c, *_ in found("torchrun t.py --model m --data d --no_cuda")] == ["CE104"]
    assert found("python t.py --model m --data d --no_cuda") == []
    assert [c for c, *_ in found("python t.py --no_cuda")] == ["CE104"]


def test_the_class_comes_from_a_directive() -> None:
    text = "# ce-lint: class=TrainingArguments\ntorchrun t.py --warmup_ratio 0.1\n"
    site = check(text, "run.sh").document.sites[0]
    assert site.cls == "TrainingArguments"
    assert (
        check(text.split("\n", 1)[1], "run.sh").document.sites[0].cls
        == "CrossEncoderTrainingArguments"
    )


# ---- fixes and layout ---------------------------------------------------------------------


def test_renames_keep_style_quotes_and_dashes() -> None:
    assert fixed('python t.py --evaluation_strategy="steps" --per-gpu-train-batch-size 8\n') == (
        'python t.py --eval_strategy="steps" --per-device-train-batch-size 8\n'
    )
    assert fixed("torchrun t.py --no_cuda true\n") == "torchrun t.py --use_cpu true\n"
    assert fixed("torchrun t.py --no_cuda\n") == "torchrun t.py --use_cpu\n"


def test_removing_the_last_line_of_a_continued_command_drops_its_backslash() -> None:
    text = """
    torchrun train.py \\
        --output_dir out \\
        --seed 1 \\
        --no_cuda False  # was for the laptop
    echo done
    """
    assert fixed(text) == sh(
        """
        torchrun train.py \\
            --output_dir out \\
            --seed 1
        echo done
        """
    )


def test_removing_lines_keeps_aligned_backslashes() -> None:
    text = """
    torchrun train.py                   \\
        --output_dir out                \\
        --overwrite_output_dir          \\
        --tpu_num_cores 8 --seed 1      \\
        --fp16 > train.log 2>&1
    """
    assert fixed(text) == sh(
        """
        torchrun train.py                   \\
            --output_dir out                \\
            --seed 1      \\
            --fp16 > train.log 2>&1
        """
    )


def test_inline_removals_take_one_blank_along() -> None:
    assert fixed("python t.py --seed 1 --no_cuda False --fp16 && echo ok\n") == (
        "python t.py --seed 1 --fp16 && echo ok\n"
    )
    assert (
        fixed("python t.py --seed 1 --overwrite_output_dir > log\n")
        == "python t.py --seed 1 > log\n"
    )
    assert fixed("torchrun t.py --tpu_num_cores 8; echo\n") == "torchrun t.py; echo\n"


def test_last_flag_of_a_continued_command_with_a_redirection_after_it() -> None:
    text = """
    torchrun t.py \\
        --seed 1 \\
        --overwrite_output_dir > log.txt
    """
    assert fixed(text) == "torchrun t.py \\\n    --seed 1 > log.txt\n"


def test_arrays_strings_and_nested_commands() -> None:
    text = """
    ARGS=(
      --output_dir out
      --overwrite_output_dir
      --evaluation_strategy steps
    )
    FLAGS="--seed 1 --no_cuda --per_gpu_eval_batch_size 4"
    srun bash -c "python train.py --output_dir o --evaluation_strategy steps --no_cuda"
    sbatch --wrap='torchrun train.py --no_cuda'
    """
    assert fixed(text) == sh(
        """
        ARGS=(
          --output_dir out
          --eval_strategy steps
        )
        FLAGS="--seed 1 --use_cpu --per_device_eval_batch_size 4"
        srun bash -c "python train.py --output_dir o --eval_strategy steps --use_cpu"
        sbatch --wrap='torchrun train.py --use_cpu'
        """
    )


def test_a_value_the_context_cannot_quote_gets_no_fix() -> None:
    # A string split on blanks cannot hold a JSON object; inside "..." it cannot hold quotes.
    for text in (
        'FLAGS="--output_dir o --dispatch_batches False --seed 1"\n',
        'bash -c "torchrun t.py --dispatch_batches False"\n',
    ):
        result = check(text, "run.sh", **CE1)
        assert [f.code for f in result.findings] == ["CE112"]
        assert result.findings[0].fix is None
        assert fixed_text(text, "run.sh", unsafe=True, **CE1) == text
    assert fixed("torchrun t.py --dispatch_batches False\n") == (
        "torchrun t.py --accelerator_config '{\"dispatch_batches\": false}'\n"
    )


def test_values_are_written_the_way_the_parser_reads_them() -> None:
    assert cli_args.cli_words(True, None) == ["True"]
    assert cli_args.cli_words(["inputs", "loss"], None) == ["inputs", "loss"]
    assert cli_args.cli_words({"use_reentrant": False}, None) == ['{"use_reentrant": false}']
    assert shell_quote('{"a": 1}') == "'{\"a\": 1}'"
    assert shell_quote("it's") == "'it'\\''s'"
    assert shell_quote("x y", like='"z"') == '"x y"'
    assert shell_quote('--k={"a": 1}') == "--k='{\"a\": 1}'"
    with pytest.raises(RenderError):
        cli_args.cli_words(None, None)
    with pytest.raises(RenderError):
        shell_quote("a b", split_only=True)


@pytest.mark.parametrize(
    "text,expected",
    [
        (
            "torchrun t.py \\\n    --seed 1       \\\n    --fp16\n",
            "torchrun t.py \\\n    --seed 1       \\\n    --save_strategy no \\\n    --fp16\n",
        ),
        (
            "torchrun t.py \\\n    --fp16 \\\n    --seed 1\n",
            "torchrun t.py \\\n    --fp16 \\\n    --seed 1 \\\n    --save_strategy no\n",
        ),
        ("python t.py --seed 1 --fp16\n", "python t.py --seed 1 --save_strategy no --fp16\n"),
    ],
)
def test_adding_a_flag_follows_the_layout(text: str, expected: str) -> None:
    document = check(text, "run.sh").document
    site = document.sites[0]
    after = site.get("seed")
    edits = document.render(AddEntry(site, "save_strategy", "no", after=after))
    assert apply_text_edits(text, edits) == expected


def test_remove_with_a_layout_directly() -> None:
    text = "python t.py --a 1 --b 2\n"
    words = [
        cli_args.ArgWord(w.value, cli_args.Span(w.start, w.end), text[w.start : w.end])
        for w in lex(text).commands[0].words
    ]
    layout = ShellLayout(SourceText("x.sh", text), words)
    assert apply_text_edits(text, layout.remove(2, 4)) == "python t.py --b 2\n"
    assert apply_text_edits(text, layout.remove(4, 6)) == "python t.py --a 1\n"


def test_fixing_twice_changes_nothing_more() -> None:
    text = (FIXTURES / "launchers.before.sh").read_text()
    once = fixed_text(text, "launchers.sh", unsafe=True, **CE1)
    assert fixed_text(once, "launchers.sh", unsafe=True, **CE1) == once


def test_dropping_a_line_after_a_blankless_continuation_keeps_the_words_apart() -> None:
    # `steps\` + a dropped line + `--fp16` at column 0 became the one word `steps--fp16`.
    text = (
        "torchrun t.py --evaluation_strategy \\\nsteps\\\n  --fp16_backend\\\n  auto \\\n--fp16\n"
    )
    assert fixed(text) == "torchrun t.py --eval_strategy \\\nsteps\\\n --fp16\n"
    # Two dropped lines side by side, the first after `t.py\`.
    text = "torchrun t.py\\\n  --tpu_num_cores 8 \\\n  --overwrite_output_dir \\\n--seed 1\n"
    assert fixed(text) == "torchrun t.py\\\n --seed 1\n"


def test_the_word_continued_after_a_dropped_flag_survives() -> None:
    text = "torchrun t.py --output_dir out --tpu_num_cores 8 --se\\\ned 5 --fp16\n"
    assert fixed(text) == "torchrun t.py --output_dir out --se\\\ned 5 --fp16\n"


# ---- the fixture scripts, fixed, read by bash and by the real parser ----------------------

SCRIPTS = ["torchrun_reranker", "launchers"]


@pytest.mark.parametrize("name", SCRIPTS)
def test_fixture_scripts_are_fixed_to_their_after_text(name: str) -> None:
    before = (FIXTURES / f"{name}.before.sh").read_text()
    result = fix(before, f"{name}.sh", unsafe=True, **CE1)
    assert result.fixed_text == (FIXTURES / f"{name}.after.sh").read_text()
    assert result.findings == []


def test_every_seed_era_flag_is_reported_on_its_line() -> None:
    text = (FIXTURES / "launchers.before.sh").read_text()
    result = check(text, "launchers.sh", **CE1)
    reported = {(f.fields[0], result.document.location(f.span.start)[0]) for f in result.findings}
    lines = text.splitlines()
    for field, row in reported:
        assert f"--{field}" in lines[row - 1]
    written = {
        (word[2:].split("=")[0], i + 1)
        for i, line in enumerate(lines)
        if not line.lstrip().startswith("#")
        for word in line.split()
        if word.startswith("--") and word[2:].split("=")[0] in SEED_ERA_FLAGS
    }
    assert written == reported


SEED_ERA_FLAGS = {
    "evaluation_strategy", "no_cuda", "dispatch_batches", "split_batches", "adafactor",
    "include_inputs_for_metrics", "push_to_hub_model_id", "push_to_hub_organization",
    "push_to_hub_token", "per_gpu_train_batch_size", "gradient_checkpointing",
    "evaluate_during_training", "tpu_num_cores", "group_by_length", "torchdynamo",
}  # fmt: skip

STUBS = r"""
record() { local IFS=$'\x1f'; printf '%s\n' "$*" >> "$ARGV_FILE"; }
torchrun() { record torchrun "$@"; }
deepspeed() { record deepspeed "$@"; }
accelerate() { record accelerate "$@"; }
python() { record python "$@"; }
python3() { record python3 "$@"; }
nohup() { "$@"; }
srun() { while [[ $# -gt 0 ]] && ! declare -F "$1" > /dev/null; do shift; done; "$@"; }
sbatch() {
  local previous=""
  for a in "$@"; do
    if [[ $a == --wrap=* ]]; then eval "${a#--wrap=}"; elif [[ $previous == --wrap ]]; then eval "$a"; fi
    previous=$a
  done
}
"""


def argv_lists(script: Path, tmp_path: Path) -> list[list[str]]:
    """What each launcher of `script` receives, as bash expands it (launchers are stubs)."""
    record = tmp_path / "argv.txt"
    record.write_text("")
    stubs = tmp_path / "stubs.sh"
    stubs.write_text(STUBS)
    subprocess.run(
        ["bash", "-c", f'source "{stubs}"; source "{script}"; wait'],
        cwd=tmp_path, env={"ARGV_FILE": str(record), "PATH": "/usr/bin:/bin"}, check=True,
        capture_output=True, timeout=60,
    )  # fmt: skip
    return [line.split("\x1f") for line in record.read_text().splitlines()]


def training_arguments(argv: list[str]) -> list[str]:
    launch = cli_args.find_launch(list(argv))
    assert launch is not None, argv
    args = argv[launch.first :]
    if "--deepspeed" in args:  # would need the deepspeed package to read its config
        i = args.index("--deepspeed")
        del args[i : i + 2]
    return args


def parse(args: list[str]):
    from dataclasses import dataclass

    from sentence_transformers.cross_encoder import CrossEncoderTrainingArguments
    from transformers import HfArgumentParser

    @dataclass
    class ScriptArguments:
        model_name_or_path: str | None = None

    return HfArgumentParser(
        (ScriptArguments, CrossEncoderTrainingArguments)
    ).parse_args_into_dataclasses(args=args, look_for_args_file=False)[1]


MEANING = {
    "torchrun_reranker": [
        {"output_dir": "runs/reranker", "eval_strategy": "steps", "eval_steps": 500,
         "per_device_train_batch_size": 16, "per_device_eval_batch_size": 64,
         "learning_rate": 2e-5, "warmup_steps": 0.1, "fp16": True, "seed": 42},
    ],
    "launchers": [
        {"output_dir": "runs/debug", "eval_strategy": "steps", "max_steps": 20, "use_cpu": False,
         "accelerator_config.dispatch_batches": False, "accelerator_config.split_batches": True},
        {"eval_strategy": "epoch", "optim": "adafactor", "include_for_metrics": ["inputs"],
         "hub_model_id": "acme/reranker-v2", "hub_token": "hf_abc"},
        {"per_device_train_batch_size": 8, "activation_checkpointing": True, "eval_strategy": "steps"},
        {"output_dir": "runs/launch", "eval_strategy": "steps"},
        {"output_dir": "runs/srun", "use_cpu": True},
        {"output_dir": "runs/sbatch", "eval_strategy": "no", "seed": 7},
        {"output_dir": "runs/bg", "train_sampling_strategy": "group_by_length",
         "torch_compile_backend": "inductor", "torch_compile": True},
    ],
}  # fmt: skip


def _read(args, dotted: str):
    value = args
    for part in dotted.split("."):
        value = getattr(value, part)
    return getattr(value, "value", value)  # enums compare by their string


@pytest.mark.libs
@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize("name", SCRIPTS)
def test_fixed_scripts_give_flags_todays_parser_accepts_with_the_old_meaning(
    name: str, tmp_path: Path
) -> None:
    before = argv_lists(FIXTURES / f"{name}.before.sh", tmp_path)
    after = argv_lists(FIXTURES / f"{name}.after.sh", tmp_path)
    assert len(before) == len(after) == len(MEANING[name])
    for old, new, meaning in zip(before, after, MEANING[name], strict=True):
        with pytest.raises(ValueError, match="not used by the HfArgumentParser"):
            parse(training_arguments(old))  # the seed-era flags are refused today
        args = parse(training_arguments(new))
        assert {k: _read(args, k) for k in meaning} == meaning


def test_checking_scripts_and_notebooks_imports_no_heavy_library(tmp_path: Path) -> None:
    from tests.test_static_path import HEAVY, imported_modules

    shutil.copy(FIXTURES / "launchers.before.sh", tmp_path / "run.sh")
    shutil.copy(FIXTURES.parent / "notebooks" / "reranker.ipynb", tmp_path / "nb.ipynb")
    (tmp_path / "Makefile").write_text("train:\n\ttorchrun t.py --no_cuda\n")
    targets = ["--target", "transformers==5.24", "--target", "sentence-transformers==6.2"]
    for command in (["check", *targets, "."], ["fix", "--unsafe-fixes", *targets, "."]):
        modules = imported_modules(*command, cwd=tmp_path)
        assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


# ---- a string of flags continued with `\`-newlines inside its double quotes ------------------

CONTINUED_STRING = """\
training_args="\\
    --output_dir out \\
    --overwrite_output_dir \\
    --warmup_ratio 0.1 \\
    --gradient_checkpointing \\
"
cmd="torchrun --nproc_per_node 8 -m FlagEmbedding.finetune.reranker.encoder_only.base $model_args $training_args"
eval $cmd
"""


def test_a_double_quoted_string_continued_with_backslash_newlines_holds_flags() -> None:
    # Inside "...", bash deletes `\\`-newline: the words inside keep their places in the file.
    assert found(CONTINUED_STRING) == [
        ("CE123", 3, 5, "overwrite_output_dir"),
        ("CE132", 4, 5, "warmup_ratio"),
        ("CE133", 5, 5, "gradient_checkpointing"),
    ]
    assert fixed(CONTINUED_STRING) == CONTINUED_STRING.replace(
        "    --overwrite_output_dir \\\n", ""
    ).replace("--warmup_ratio", "--warmup_steps").replace(
        "--gradient_checkpointing", "--activation_checkpointing"
    )


def test_a_continued_string_whose_last_flag_ends_it_joins_onto_the_word_before() -> None:
    text = 'ARGS="--output_dir out --seed 1 \\\n    --overwrite_output_dir"\ntorchrun t.py $ARGS\n'
    # (the blank left before `"` keeps `1` apart from whatever the removal brings next)
    assert fixed(text) == 'ARGS="--output_dir out --seed 1 "\ntorchrun t.py $ARGS\n'


def test_a_module_and_its_flags_held_in_a_string_are_read() -> None:
    # gritlm: `export CMD=" \\ -m training.run --flag ..."`, run as `bash -c "$LAUNCHER $CMD"`.
    text = 'export CMD=" \\\n    -m training.run \\\n    --output_dir o \\\n    --warmup_ratio 0.1 \\\n    "\n'
    assert found(text) == [("CE132", 4, 5, "warmup_ratio")]
    assert fixed(text) == text.replace("--warmup_ratio", "--warmup_steps")
    assert found('CMD="-m 1 --output_dir o --warmup_ratio 0.1"\n') == []  # not a module


@pytest.mark.parametrize(
    "text",
    [
        # other escapes change the text: positions would move
        'A="--output_dir \\"o\\" --warmup_ratio 0.1 \\\n --seed 1"\n',
        'A="--output_dir \\$o --warmup_ratio 0.1 \\\n --seed 1"\n',
        'A="--output_dir o\\\\ --warmup_ratio 0.1 --seed 1"\n',
        # `\\`-newline between two word characters joins them: `1--warmup_ratio`
        'A="--output_dir o --seed 1\\\n--warmup_ratio 0.1"\n',
        # `\\` before CR LF is no continuation
        'A="--output_dir o --seed 1 \\\r\n --warmup_ratio 0.1"\r\n',
        # inside single quotes `\\` is a character: the string holds a word `\\`
        "A='--output_dir o --seed 1 \\\n --warmup_ratio 0.1'\n",
    ],
)
def test_strings_with_escapes_that_move_words_are_not_read(text: str) -> None:
    assert [c.variable for c in lex(text).commands if c.variable] == []
    assert fixed_text(text, "run.sh", unsafe=True, **CE1) == text


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_reads_the_fixed_continued_string_as_the_intended_flags(tmp_path: Path) -> None:
    after = fixed(CONTINUED_STRING)
    script = tmp_path / "run.sh"
    script.write_text(after)
    assert subprocess.run(["bash", "-n", str(script)], capture_output=True).returncode == 0
    body = tmp_path / "vars.sh"
    body.write_text(after.split("cmd=")[0])
    words = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", f'source {body}; printf "%s\\n" $training_args'],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert words == ["--output_dir", "out", "--warmup_steps", "0.1", "--activation_checkpointing"]
