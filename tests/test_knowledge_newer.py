"""An installed release newer than the data files is read from its sources, never imported.

A fake transformers 5.99.0 (a dist-info and the real sources of the installed release, with
one field removed and one added) is put first on the path of a `ce-lint check` run. Its
`__init__.py` raises, so any import of it would fail the run.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ce_lint.knowledge import Knowledge
from ce_lint.knowledge.installed import read_installed
from ce_lint.knowledge.sources import TF_TRAINING_ARGS
from tests.helpers import TODAY

REMOVED, ADDED = "label_smoothing_factor", "brand_new_option"
CONFIG = f"""\
output_dir: out
{REMOVED}: 0.1
{ADDED}: true
learning_rate: 1.0e-05
"""
COPIED = (
    "transformers/training_args_seq2seq.py",
    "transformers/trainer_utils.py",
    "transformers/debug_utils.py",
    "transformers/integrations/integration_utils.py",
)


def _installed_root() -> Path:
    spec = importlib.util.find_spec("transformers")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("transformers is not installed (the verify extra)")
    return Path(spec.submodule_search_locations[0]).parent


def _without_field_plus_one(text: str) -> str:
    """The source with REMOVED's declaration cut out of TrainingArguments and ADDED declared."""
    tree = ast.parse(text)
    cls = next(
        n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "TrainingArguments"
    )
    node = next(
        n
        for n in cls.body
        if isinstance(n, ast.AnnAssign)
        and isinstance(n.target, ast.Name)
        and n.target.id == REMOVED
    )
    lines = text.splitlines(keepends=True)
    indent = lines[node.lineno - 1][: node.col_offset]
    new = f'{indent}{ADDED}: bool = field(default=False, metadata={{"help": "New."}})\n'
    return "".join(lines[: node.lineno - 1] + [new] + lines[node.end_lineno :])


def _fake_release(site: Path, readable: bool = True) -> None:
    root = _installed_root()
    dist = site / "transformers-5.99.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: transformers\nVersion: 5.99.0\n")
    package = site / "transformers"
    package.mkdir()
    (package / "__init__.py").write_text("raise ImportError('ce-lint must never import me')\n")
    for rel in COPIED:
        if (root / rel).is_file():
            (site / rel).parent.mkdir(parents=True, exist_ok=True)
            (site / rel).write_text((root / rel).read_text(encoding="utf-8"), encoding="utf-8")
    text = (root / TF_TRAINING_ARGS).read_text(encoding="utf-8")
    (site / TF_TRAINING_ARGS).write_text(
        _without_field_plus_one(text) if readable else "class TrainingArguments(:\n",
        encoding="utf-8",
    )


def _check(tmp_path: Path, site: Path) -> subprocess.CompletedProcess[str]:
    (tmp_path / "train.yaml").write_text(CONFIG)
    env = dict(os.environ, PYTHONPATH=str(site), CE_LINT_USER_CACHE=str(tmp_path / "cache"))
    st = next(t for t in TODAY if t.startswith("sentence-transformers"))
    return subprocess.run(
        [sys.executable, "-m", "ce_lint", "check", "--class", "TrainingArguments",
         "--target", st, "--output-format", "text", "train.yaml"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_a_newer_release_is_read_from_its_source(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _fake_release(site)
    first = _check(tmp_path, site)
    assert "must never import" not in first.stderr
    assert "Targets: transformers 5.99.0 (installed; read from its source)" in first.stdout
    lines = first.stdout.splitlines()
    removed = [line for line in lines if line.startswith("train.yaml:2:1: CE192 error")]
    assert removed and "removed in transformers 5.99" in removed[0], first.stdout
    assert not [line for line in lines if ADDED in line], first.stdout
    assert first.returncode == 1
    cached = list((tmp_path / "cache" / "knowledge").glob("transformers-5.99.0-*.json"))
    assert len(cached) == 1
    again = _check(tmp_path, site)  # from the cache this time
    assert again.stdout == first.stdout


def test_unreadable_sources_are_judged_as_the_newest_known_release(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _fake_release(site, readable=False)
    proc = _check(tmp_path, site)
    newest = Knowledge.load().tf.newest
    assert (
        f"Targets: transformers 5.99.0 (installed; judged as {newest}, the newest release "
        "ce-lint knows)" in proc.stdout
    ), proc.stdout
    assert "CE192" not in proc.stdout and "read from its source" not in proc.stdout
    assert not (tmp_path / "cache" / "knowledge").exists() or not list(
        (tmp_path / "cache" / "knowledge").iterdir()
    )


def test_an_edited_source_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    _fake_release(site)
    monkeypatch.setenv("CE_LINT_USER_CACHE", str(tmp_path / "cache"))
    monkeypatch.syspath_prepend(str(site))
    first = read_installed("transformers", "5.99.0")
    assert first is not None and ADDED in first.fields and REMOVED not in first.fields
    path = site / TF_TRAINING_ARGS
    path.write_text(path.read_text().replace(f"{ADDED}: bool", "renamed_option: bool"))
    second = read_installed("transformers", "5.99.0")
    assert second is not None and "renamed_option" in second.fields and ADDED not in second.fields
