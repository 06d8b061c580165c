"""Test-wide environment: results must not depend on the machine the tests run on.

Hardware rules judge against a profile; without one they probe this machine. Every test
process (and every ce-lint subprocess they start) therefore runs with hardware rules off
unless a test names a profile, and with its own cache folder instead of the user's; each
test has its own results cache (`check` and `fix` use it as they do for users), so no test
sees what another one found.
Tests of the selection itself (tests/test_hardware_*.py) change these variables locally.
"""

from __future__ import annotations

import os
import tempfile

import pytest

os.environ["CE_LINT_HARDWARE"] = "off"
os.environ.setdefault("CE_LINT_USER_CACHE", tempfile.mkdtemp(prefix="ce-lint-test-cache-"))


@pytest.fixture(autouse=True)
def _own_results_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CE_LINT_CACHE_DIR", str(tmp_path_factory.mktemp("results-cache")))
