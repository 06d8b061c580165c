"""One version: ce_lint.__version__ is the source, the package metadata and `--version` follow."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

import ce_lint


def test_cli_metadata_and_module_agree() -> None:
    # The console script of this environment, as a user runs it.
    script = Path(sys.executable).parent / "ce-lint"
    assert script.is_file(), f"no ce-lint script next to {sys.executable}"
    proc = subprocess.run([script, "--version"], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == f"ce-lint, version {ce_lint.__version__}"
    # An editable install records the version when it is installed: bumping __version__
    # without reinstalling shows up here.
    assert importlib.metadata.version("ce-lint") == ce_lint.__version__
