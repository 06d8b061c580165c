"""The launch line of issue 8, fixed, parsed by today's HfArgumentParser on a real GPU.

`--bf16 True --tf32 True` need a GPU that supports them (the arguments check it when they are
built), so this runs only where CUDA is. On a GPU machine:
    python -m pytest -q -m gpu tests/test_shell_gpu.py
"""

from __future__ import annotations

import pytest

from ce_lint.adapters import cli_args
from ce_lint.adapters.shell_lex import lex
from ce_lint.hardware.machine import nvidia_driver
from tests.helpers import fixed_text

if nvidia_driver() is None:  # known without importing torch
    pytest.skip("needs an NVIDIA GPU", allow_module_level=True)
torch = pytest.importorskip("torch")
if not torch.cuda.is_available() or not torch.cuda.is_bf16_supported():
    pytest.skip("needs a CUDA GPU with bf16", allow_module_level=True)

pytestmark = pytest.mark.gpu

LINE = (
    "torchrun --nproc_per_node 1 train.py --output_dir out --evaluation_strategy steps "
    "--per_gpu_train_batch_size 8 --bf16 True --tf32 True\n"
)


def test_the_issue_line_is_accepted_after_the_fix() -> None:
    from transformers import HfArgumentParser, TrainingArguments

    fixed = fixed_text(LINE, "run.sh", select=["CE1"])
    assert fixed == (
        "torchrun --nproc_per_node 1 train.py --output_dir out --eval_strategy steps "
        "--per_device_train_batch_size 8 --bf16 True --tf32 True\n"
    )

    def training_arguments(text: str) -> list[str]:
        words = [w.value or "" for w in lex(text).commands[0].words]
        launch = cli_args.find_launch(list(words))
        assert launch is not None
        return words[launch.first :]

    parser = HfArgumentParser(TrainingArguments)
    with pytest.raises(ValueError, match="not used"):
        parser.parse_args_into_dataclasses(args=training_arguments(LINE))
    (args,) = parser.parse_args_into_dataclasses(args=training_arguments(fixed))
    assert (args.eval_strategy, args.per_device_train_batch_size, args.bf16, args.tf32) == (
        "steps",
        8,
        True,
        True,
    )
