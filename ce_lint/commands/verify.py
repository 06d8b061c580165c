"""`ce-lint verify PATHS`: a real smoke-training step for every arguments object found.

Also used by `ce-lint fix --verify` on the fixed files. Exit codes: 0 everything verified
(or nothing to verify), 1 a config failed, 2 bad usage or the libraries are missing.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from ..fileio import atomic_write_text
from ..results import FileResult
from ..verify.options import smoke_options
from ..verify.request import SmokeOptions, plan
from ..verify.runner import Verifier, VerifyUnavailable
from .run import USAGE_ERROR, Run, common_options, guarded

# The output formats verify prints.
VERIFY_FORMATS = ("text", "json")


@click.command("verify")
@common_options
@smoke_options
@guarded
def verify(**opts: Any) -> None:
    """Train a few steps with each config's arguments to prove that it really trains.

    A tiny cross-encoder and a small generated dataset are made on the spot (or --model
    DIR is used); nothing is downloaded and nothing is written outside a temporary directory.
    """
    smoke = SmokeOptions.pop_from(opts)
    with Verifier(smoke, progress) as verifier:
        verifier.worker.start()  # the libraries import while the static rules run
        run = Run(opts, trains_here=True)
        results = run.folder_problems() + [run.engine.check_path(p) for p in run.files]
        code = verify_results(run, results, verifier)
    sys.exit(run.exit_code(results, code))


def progress(line: str) -> None:
    click.echo(f"ce-lint verify: {line}", err=True)


def verify_fixed(run: Run, results: list[FileResult], smoke: dict[str, Any]) -> int:
    """`fix --verify`: verify what the fix left (the options were popped by `fix`)."""
    with Verifier(SmokeOptions.pop_from(dict(smoke)), progress) as verifier:
        return verify_results(run, results, verifier, after_fix=True)


def verify_results(
    run: Run, results: list[FileResult], verifier: Verifier, after_fix: bool = False
) -> int:
    """Verify the Sites of `results`; print the report; return the exit code.

    After `fix` in JSON mode stdout already holds the findings array, so the table goes to
    stderr there (run `ce-lint verify --output-format json` for the JSON form).
    """
    output_format = run.output_format if run.output_format in VERIFY_FORMATS else None
    if output_format is None:
        raise click.UsageError(f"verify prints text or json, not {run.output_format}")
    if after_fix and output_format == "json":
        output_format = "stderr"
    items = plan(results, verifier.options)
    if items:
        noun = "config" if len(items) == 1 else "configs"
        progress(f"{len(items)} {noun}, {verifier.options.steps} steps each")
    try:
        outcomes = verifier.verify(items)
    except VerifyUnavailable as exc:
        click.echo(f"ce-lint: error: {exc}", err=True)
        sys.exit(USAGE_ERROR)

    from ..verify.report import render_json, render_text

    libraries = verifier.libraries
    if output_format == "json":
        text = render_json(outcomes, libraries)
    else:
        text = render_text(outcomes, libraries)
    if output_format == "stderr":
        click.echo(text, nl=False, err=True)
    elif run.output_file is not None and not after_fix:
        atomic_write_text(run.output_file, text)
    else:
        click.echo(text, nl=False)
    failed = any(not o.ok for o in outcomes)
    return 0 if run.exit_zero or not failed else 1
