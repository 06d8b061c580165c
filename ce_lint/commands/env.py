"""`ce-lint env`: print this machine's hardware profile as a file for `--hardware FILE`.

Run it once on the training machine, commit the file, and CI on a CPU runner can lint the
configs for that machine: `ce-lint check --hardware cluster.yaml configs/`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..fileio import atomic_write
from ..hardware.probe import ProbeError, probe_result, profile_from_result, short_name
from ..hardware.profile import HardwareProfile
from .run import USAGE_ERROR, guarded


def profile_text(profile: HardwareProfile, cached: bool) -> str:
    origin = "cached probe" if cached else "probe"
    header = (
        f"ce-lint hardware profile ({origin} of this machine through torch {profile.torch}).\n"
        'Use it with: ce-lint check --hardware THIS_FILE, or `hardware = "THIS_FILE"` in '
        "[tool.ce-lint]."
    )
    return profile.to_yaml(header)


@click.command("env")
@click.option(
    "--name", help="Name of the profile in messages (default: from the devices, e.g. h100x8)."
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the profile to this file instead of stdout.",
)
@click.option("--refresh", is_flag=True, help="Probe again instead of using the cached answer.")
@guarded
def env(name: str | None, output: Path | None, refresh: bool) -> None:  # fmt: skip
    """Probe this machine through torch and print its hardware profile (YAML)."""
    from dataclasses import replace

    from ..hardware.probe import torch_importable

    if not torch_importable():
        click.echo(
            "ce-lint: error: torch is not installed here, so there is nothing to probe", err=True
        )
        sys.exit(USAGE_ERROR)
    try:
        result, cached = probe_result(refresh=refresh)
        profile = profile_from_result(result)
    except ProbeError as exc:
        click.echo(f"ce-lint: error: {exc}", err=True)
        sys.exit(USAGE_ERROR)
    profile = replace(profile, name=name or short_name(profile))
    text = profile_text(profile, cached)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(output, text.encode("utf-8"))
        click.echo(f"ce-lint: wrote {output} ({profile.name})", err=True)
