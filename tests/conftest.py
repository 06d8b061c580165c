"""Test-wide environment: results must not depend on the machine the tests run on.

Hardware rules judge against a profile; without one they probe this machine. Every test
process (and every ce-lint subprocess they start) therefore runs with hardware rules off
unless a test names a profile, and with its own cache folder instead of the user's.
Tests of the selection itself (tests/test_hardware_*.py) change these variables locally.
"""

from __future__ import annotations

import os
import tempfile

os.environ["CE_LINT_HARDWARE"] = "off"
os.environ.setdefault("CE_LINT_CACHE_DIR", tempfile.mkdtemp(prefix="ce-lint-test-cache-"))
