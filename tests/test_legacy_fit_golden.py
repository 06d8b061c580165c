"""The golden test of the fit -> Trainer codemod (CE520): the migration trains like the old fit.

For every script in fixtures/legacy_fit/manifest.json (a CrossEncoder.fit or
SentenceTransformer.fit script of the 2.x/3.x era):
- with a codemod, `ce-lint fix --unsafe-fixes` writes exactly the committed NAME.after.py, which
  compiles; a second fix changes nothing; today's libraries run it unchanged under the
  recorder (a tiny BERT, a few steps) and it trains with the settings that sentence-transformers
  2.7.0 and 3.4.1 recorded for the old script (records.json, tools/record_legacy_fit.py; for
  SentenceTransformer.fit 2.7.0 only: 3.0 made it a Trainer wrapper): the
  optimizer steps and the learning rate at each, AdamW's settings and weight-decay groups,
  clipping, mixed precision, the torch loss, the batches of each epoch, when the evaluator runs
  and which model is saved where; `ce-lint verify` trains it;
- without one, the notice says why and fix leaves the file as it was.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ce_lint.cli import main

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "legacy_fit"
TARGETS = ("--target", "transformers==5.25", "--target", "sentence-transformers==6.3")
MANIFEST: dict[str, Any] = json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))[
    "scripts"
]
RECORDS: dict[str, Any] = json.loads((FIXTURES / "records.json").read_text(encoding="utf-8"))
MIGRATED = sorted(name for name, entry in MANIFEST.items() if entry["codemod"])
REFUSED = sorted(name for name, entry in MANIFEST.items() if not entry["codemod"])
OLD_RELEASES = ("2.7.0", "3.4.1")


def _settings_module() -> Any:
    spec = importlib.util.spec_from_file_location(
        "ce_lint_legacy_fit_settings", FIXTURES / "settings.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


settings = _settings_module().settings


def _run(*args: str) -> Any:
    return CliRunner().invoke(main, [*args, *TARGETS], catch_exceptions=False)


def test_records_hold_every_script_at_every_old_release() -> None:
    assert set(RECORDS["scripts"]) == set(MANIFEST)
    for name in MANIFEST:
        assert set(RECORDS["scripts"][name]) == set(OLD_RELEASES), name


@pytest.mark.parametrize("name", MIGRATED)
def test_fix_writes_the_migration(name: str, tmp_path: Path) -> None:
    path = tmp_path / "train.py"
    shutil.copy(FIXTURES / f"{name}.before.py", path)
    result = _run("fix", "--unsafe-fixes", str(path))
    assert result.exit_code in (0, 1), result.output
    once = path.read_text(encoding="utf-8")
    assert once == (FIXTURES / f"{name}.after.py").read_text(encoding="utf-8")
    compile(once, str(path), "exec")
    _run("fix", "--unsafe-fixes", str(path))
    assert path.read_text(encoding="utf-8") == once, "a second fix changed the script"


@pytest.mark.parametrize("name", MIGRATED)
def test_without_unsafe_fixes_the_script_stays(name: str, tmp_path: Path) -> None:
    path = tmp_path / "train.py"
    shutil.copy(FIXTURES / f"{name}.before.py", path)
    _run("fix", "--select", "CE520", str(path))
    assert path.read_bytes() == (FIXTURES / f"{name}.before.py").read_bytes()


@pytest.mark.parametrize("name", REFUSED)
def test_refused_shapes_say_why_and_stay(name: str, tmp_path: Path) -> None:
    path = tmp_path / "train.py"
    shutil.copy(FIXTURES / f"{name}.before.py", path)
    result = _run("check", "--select", "CE520", "--output-format", "json", str(path))
    (finding,) = json.loads(result.output)
    assert finding["fix"] is None
    assert f"No automatic rewrite: {MANIFEST[name]['refused']}." in finding["message"]
    _run("fix", "--unsafe-fixes", "--select", "CE520", str(path))
    assert path.read_bytes() == (FIXTURES / f"{name}.before.py").read_bytes()


def _record(script: Path, tmp_path: Path) -> dict[str, Any]:
    out = tmp_path / "record.json"
    done = subprocess.run(
        [sys.executable, str(FIXTURES / "recorder.py"), str(out), str(script),
         "--workdir", str(tmp_path / "work")],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.mark.libs
@pytest.mark.parametrize("name", MIGRATED)
def test_the_migration_trains_like_the_old_fit(name: str, tmp_path: Path) -> None:
    pytest.importorskip("sentence_transformers", reason="needs the [verify] extra")
    record = _record(FIXTURES / f"{name}.after.py", tmp_path)
    now = json.loads(json.dumps(settings(record, MANIFEST[name]["output_path"])))  # as stored
    for release in MANIFEST[name]["legacy"]:
        old = RECORDS["scripts"][name][release]
        differences = {key: (old[key], now[key]) for key in old if old[key] != now[key]}
        assert differences == {}, f"{name} trains unlike sentence-transformers {release}'s fit"


@pytest.mark.libs
def test_verify_trains_every_migration(tmp_path: Path) -> None:
    pytest.importorskip("sentence_transformers", reason="needs the [verify] extra")
    paths = []
    for name in MIGRATED:
        path = tmp_path / f"{name}.py"
        shutil.copy(FIXTURES / f"{name}.after.py", path)
        paths.append(str(path))
    # an evaluator named by an f-string: the metric is unknown statically, and the smoke run
    # needs one for save_strategy="best" (a stand-in)
    text = (FIXTURES / "L2_ce_msmarco_binary_eval.after.py").read_text(encoding="utf-8")
    formatted = tmp_path / "formatted_metric.py"
    formatted.write_text(
        text.replace('"train-eval_average_precision"', 'f"{split}_average_precision"'),
        encoding="utf-8",
    )
    paths.append(str(formatted))
    done = subprocess.run(
        [sys.executable, "-m", "ce_lint", "verify", *TARGETS, *paths],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert f"{len(paths)} configs: {len(paths)} verified" in output
    assert "metric_for_best_model (stand-in 'stand_in_accuracy')" in output
