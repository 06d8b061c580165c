"""Command-line options of the smoke run, shared by `ce-lint verify` and `ce-lint fix --verify`.

Only click here: `fix` imports this module even when it does not verify.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

# The keyword names these options arrive under.
SMOKE_KEYS = ("steps", "smoke_model", "nproc", "smoke_timeout")


def smoke_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--steps", type=click.IntRange(1, 1000), default=2, show_default=True,
                     help="Optimizer steps of each smoke run."),
        click.option("--model", "smoke_model", metavar="DIR",
                     type=click.Path(exists=True, file_okay=False, path_type=Path),
                     help="Train this local model directory instead of a tiny generated cross-encoder."),
        click.option("--nproc", type=click.IntRange(1, 64),
                     help="Train every config on this many processes (launched with torchrun)."),
        click.option("--timeout", "smoke_timeout", type=click.FloatRange(min=1), default=300,
                     show_default=True, help="Seconds each config may take."),
    ]  # fmt: skip
    for option in reversed(options):
        fn = option(fn)
    return fn
