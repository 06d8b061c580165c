"""The golden test for Python scripts: fixing a seed-era script keeps what it built.

For every script in fixtures/golden/scripts.json: `ce-lint fix --unsafe-fixes` turns the
"before" script into exactly the committed "after" script, which compiles; a second fix
changes nothing; then today's libraries run the fixed script's build function (it only
builds the arguments object) and fixtures/golden/probe.py's probe() of the result equals
what the seed-era libraries made of the "before" script (fixtures/golden/seed_era_scripts.json,
recorded by tools/record_seed_golden.py).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ce_lint.cli import main

os.environ.setdefault("HF_HUB_OFFLINE", "1")

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
GOLDEN = FIXTURES / "golden"
TARGETS = ("--target", "transformers==5.24", "--target", "sentence-transformers==6.2")
MANIFEST: dict[str, Any] = json.loads((GOLDEN / "scripts.json").read_text(encoding="utf-8"))[
    "scripts"
]
SEED: dict[str, Any] = json.loads((GOLDEN / "seed_era_scripts.json").read_text(encoding="utf-8"))


def _module(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"ce_lint_golden_{name}", GOLDEN / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


probe = _module("probe")
runner = _module("script_runner")


def fix(path: Path) -> None:
    result = CliRunner().invoke(
        main, ["fix", "--unsafe-fixes", *TARGETS, str(path)], catch_exceptions=False
    )
    assert result.exit_code in (0, 1), result.output


def test_seed_record_matches_the_probe() -> None:
    assert SEED["probe_sha256"] == hashlib.sha256((GOLDEN / "probe.py").read_bytes()).hexdigest(), (
        "probe.py changed: re-record with tools/record_seed_golden.py"
    )
    assert set(SEED["scripts"]) == set(MANIFEST)


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_fix_gives_the_after_script(name: str, tmp_path: Path) -> None:
    path = tmp_path / Path(name).name
    shutil.copy(FIXTURES / name, path)
    fix(path)
    once = path.read_text(encoding="utf-8")
    assert once == (FIXTURES / MANIFEST[name]["after"]).read_text(encoding="utf-8")
    compile(once, str(path), "exec")
    fix(path)
    assert path.read_text(encoding="utf-8") == once, "a second fix changed the script"
    before_comments = [
        line.split("#", 1)[1]
        for line in (FIXTURES / name).read_text().splitlines()
        if "  # " in line
    ]
    for comment in before_comments:
        assert comment in once


@pytest.mark.libs
@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_fixed_script_builds_the_same_arguments(name: str, tmp_path: Path) -> None:
    pytest.importorskip("sentence_transformers", reason="needs the [verify] extra")
    entry = MANIFEST[name]
    args, env_set = runner.build_from_script(
        FIXTURES / entry["after"], entry["function"], tmp_path, probe
    )
    now = probe.probe(args, entry.get("probe_mapping", {}), env_set)
    diffs = probe.differences(SEED["scripts"][name]["probe"], now)
    allowed = entry.get("allowed_differences", {})
    assert {k: v for k, v in diffs.items() if k not in allowed} == {}, f"{name}: meaning changed"
    assert not sorted(set(allowed) - set(diffs)), "allowed differences that no longer differ"
