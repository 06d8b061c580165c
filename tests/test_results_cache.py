"""The results cache: a rerun answers from it exactly what a fresh run would say, and anything
that could change a file's findings (its bytes, the settings, the scripts a config is read by)
makes it check the file again."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from ce_lint.cache import RESULTS_PREFIX
from ce_lint.cli import main
from ce_lint.fileio import TEMP_SUFFIX

ROOT = Path(__file__).resolve().parent.parent
TARGETS = ["--target", "transformers==5.25", "--target", "sentence-transformers==6.3"]
OLD = "output_dir: out\nevaluation_strategy: steps\n"
NEW = "output_dir: out\neval_strategy: steps\n"  # no finding


def run(*args: str, cwd: Path) -> tuple[int, str]:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, [*args, *TARGETS], catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.output


def cache_files(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"{RESULTS_PREFIX}*/*.json"))


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("CE_LINT_CACHE_DIR", str(folder))
    return folder


def age(path: Path, seconds: float = 3600) -> None:
    """Set the file's mtime well before now (not `racy`: its stat alone is trusted)."""
    when = time.time() - seconds
    os.utime(path, (when, when))


def test_a_rerun_says_what_a_fresh_run_says(tmp_path: Path, cache: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "fixtures", project, ignore=shutil.ignore_patterns("gpu", "golden"))
    args = ("check", "--output-format", "json", ".")
    fresh = run(*args, "--no-cache", cwd=project)
    assert not cache.exists()  # --no-cache writes nothing
    first = run(*args, cwd=project)
    assert cache_files(cache)
    again = run(*args, cwd=project)
    assert fresh == first == again
    assert json.loads(again[1])  # it found something: the comparison is not of two empty lists


def test_a_changed_file_is_checked_again(tmp_path: Path, cache: Path) -> None:
    config = tmp_path / "train.yaml"
    config.write_text(OLD)
    age(config)
    assert run("check", "train.yaml", cwd=tmp_path)[0] == 1
    config.write_text(NEW)  # other bytes, another size
    assert run("check", "train.yaml", cwd=tmp_path)[0] == 0


def test_a_change_that_keeps_size_and_mtime_is_seen_while_the_file_is_new(
    tmp_path: Path, cache: Path
) -> None:
    """Written as it was recorded, a file's stat cannot tell a second change in the same
    mtime tick: its bytes are compared."""
    config = tmp_path / "train.yaml"
    config.write_text("eval_strategy: steps\n")
    stat = config.stat()
    assert run("check", "train.yaml", cwd=tmp_path)[0] == 0
    config.write_text("warmup_ratio: 0.1000\n")  # same length, a deprecated field
    assert config.stat().st_size == stat.st_size
    os.utime(config, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    code, out = run("check", "train.yaml", cwd=tmp_path)
    assert "warmup_ratio" in out, out


def test_the_same_bytes_under_a_new_mtime_are_a_hit(tmp_path: Path, cache: Path) -> None:
    config = tmp_path / "train.yaml"
    config.write_text(OLD)
    age(config)
    first = run("check", "train.yaml", cwd=tmp_path)
    age(config, 60)  # a checkout rewrote it with the same bytes
    assert run("check", "train.yaml", cwd=tmp_path) == first
    entry = next(iter(json.loads(cache_files(cache)[0].read_text())["entries"].values()))
    assert entry["sig"][1] == config.stat().st_mtime_ns  # recorded under its new stat


def test_the_cache_answers_for_an_unchanged_file(tmp_path: Path, cache: Path) -> None:
    """A file whose stat is as recorded is not read again (as Ruff's cache: a change that
    keeps size, mtime and inode of an old file is not seen; `--no-cache` reads everything)."""
    config = tmp_path / "train.yaml"
    config.write_text(OLD)
    age(config)
    stat = config.stat()
    assert run("check", "train.yaml", cwd=tmp_path)[0] == 1
    with open(config, "r+") as f:  # same inode, same size
        f.write("e" + OLD[1:].replace("evaluation_strategy", "eval_strategy_xx_x"))
    os.utime(config, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert run("check", "train.yaml", cwd=tmp_path)[0] == 1  # answered from the cache
    assert run("check", "--no-cache", "train.yaml", cwd=tmp_path)[0] == 0


def test_settings_are_part_of_the_key(tmp_path: Path, cache: Path) -> None:
    config = tmp_path / "train.yaml"
    config.write_text(OLD)
    age(config)
    assert run("check", "train.yaml", cwd=tmp_path)[0] == 1
    (tmp_path / "pyproject.toml").write_text('[tool.ce-lint]\nignore = ["CE1"]\n')
    assert run("check", "train.yaml", cwd=tmp_path)[0] == 0
    assert run("check", "--ignore", "CE", "train.yaml", cwd=tmp_path)[0] == 0
    assert len(cache_files(cache)) == 3  # one file per run key


def test_a_config_follows_the_script_that_reads_it(tmp_path: Path, cache: Path) -> None:
    """Which class a config is read as comes from the scripts: a changed script is a new
    context for every config and launcher."""
    (tmp_path / "train.yaml").write_text(OLD)
    script = tmp_path / "train.py"
    script.write_text("print('no config read here')\n")
    for path in tmp_path.iterdir():
        age(path)
    first = run("check", "--output-format", "json", ".", cwd=tmp_path)[1]
    script.write_text(
        "import yaml\nfrom dataclasses import dataclass\n\n@dataclass\nclass MyConfig:\n"
        "    output_dir: str\n    evaluation_strategy: str\n\n"
        "with open('train.yaml') as f:\n    cfg = yaml.safe_load(f)\nconf = MyConfig(**cfg)\n"
    )
    second = run("check", "--output-format", "json", ".", cwd=tmp_path)[1]
    fresh = run("check", "--no-cache", "--output-format", "json", ".", cwd=tmp_path)[1]
    assert second == fresh
    assert first != fresh  # the project's own class reads it now: no training arguments


def test_fix_fixes_what_check_found_and_cached(tmp_path: Path, cache: Path) -> None:
    config = tmp_path / "train.yaml"
    config.write_text(OLD)
    age(config)
    assert run("check", "train.yaml", cwd=tmp_path)[0] == 1
    assert run("fix", "train.yaml", cwd=tmp_path)[0] == 0
    assert config.read_text() == NEW
    assert run("check", "train.yaml", cwd=tmp_path)[0] == 0


def test_a_broken_cache_file_is_ignored_and_rewritten(tmp_path: Path, cache: Path) -> None:
    config = tmp_path / "train.yaml"
    config.write_text(OLD)
    age(config)
    first = run("check", "train.yaml", cwd=tmp_path)
    (stored,) = cache_files(cache)
    for broken in ("{not json", '{"format": 1, "entries": {"train.yaml": {"sig": 3}}}', "[]"):
        stored.write_text(broken)
        assert run("check", "train.yaml", cwd=tmp_path) == first
        assert json.loads(stored.read_text())["entries"]


def test_an_unwritable_cache_is_a_note_not_a_failure(tmp_path: Path, cache: Path) -> None:
    cache.write_text("a file where the folder should be")
    config = tmp_path / "train.yaml"
    config.write_text(NEW)
    result = CliRunner().invoke(main, ["check", str(config), *TARGETS])
    assert result.exit_code == 0
    assert "was not written" in result.output


def test_the_environment_turns_it_off(tmp_path: Path, cache: Path, monkeypatch) -> None:
    monkeypatch.setenv("CE_LINT_NO_CACHE", "1")
    (tmp_path / "train.yaml").write_text(OLD)
    run("check", "train.yaml", cwd=tmp_path)
    assert not cache.exists()


def test_cache_dir_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CE_LINT_CACHE_DIR")
    (tmp_path / "pyproject.toml").write_text('[tool.ce-lint]\ncache-dir = "build/lint-cache"\n')
    (tmp_path / "train.yaml").write_text(OLD)
    run("check", "train.yaml", cwd=tmp_path)
    assert cache_files(tmp_path / "build" / "lint-cache")
    ignored = tmp_path / "build" / "lint-cache" / ".gitignore"
    assert ignored.read_text().splitlines()[-1] == "*"  # git leaves it alone


def test_two_runs_at_once_and_a_killed_one_leave_a_whole_cache(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "fixtures" / "configs", project)
    folder = tmp_path / "cache"
    env = dict(os.environ, CE_LINT_CACHE_DIR=str(folder))
    command = [sys.executable, "-m", "ce_lint", "check", "--exit-zero", "-q", *TARGETS, "."]
    runs = [subprocess.Popen(command, cwd=project, env=env) for _ in range(2)]
    assert [p.wait(timeout=300) for p in runs] == [0, 0]
    (stored,) = cache_files(folder)
    entries = json.loads(stored.read_text())["entries"]
    assert len(entries) == len(list(project.rglob("*.y*ml")) + list(project.rglob("*.json")))
    # A run killed while writing leaves its temporary file; the next run removes it.
    leftover = stored.with_name(f".{stored.name}.999999.x1y2{TEMP_SUFFIX}")
    leftover.write_text("{half")
    (project / "new.yaml").write_text(OLD)
    subprocess.run(command, cwd=project, env=env, check=True)
    assert not leftover.exists()
    assert "new.yaml" in json.loads(stored.read_text())["entries"]


def test_old_entries_and_other_versions_are_pruned(tmp_path: Path, cache: Path) -> None:
    config = tmp_path / "train.yaml"
    config.write_text(OLD)
    (stored_dir := cache / f"{RESULTS_PREFIX}0.0.1").mkdir(parents=True)
    (stored_dir / "abc.json").write_text("{}")
    age(stored_dir / "abc.json", 40 * 24 * 3600)
    other = cache / "hardware"  # another user of the folder: never touched
    other.mkdir()
    age(other, 40 * 24 * 3600)
    run("check", "train.yaml", cwd=tmp_path)
    assert not stored_dir.exists()
    assert other.exists()


def test_many_files_checked_in_workers_say_what_one_process_says(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ce_lint.commands import pool

    if pool.workers() < 2:
        pytest.skip("one core: no workers are started")
    for i in range(pool.MIN_FILES + 20):
        folder = tmp_path / f"part{i % 7}"
        folder.mkdir(exist_ok=True)
        if i % 3 == 0:
            (folder / f"c{i}.yaml").write_text(OLD if i % 2 else NEW)
        elif i % 3 == 1:
            (folder / f"s{i}.py").write_text(
                "from transformers import TrainingArguments\n"
                f"args = TrainingArguments(output_dir='o{i}', evaluation_strategy='steps')\n"
            )
        else:
            (folder / f"plain{i}.py").write_text(f"x = {i}\n")
    (tmp_path / "part0" / "broken.py").write_text("def (:\n")
    args = ("check", "--output-format", "json", ".")
    pooled = run(*args, "--no-cache", cwd=tmp_path)
    monkeypatch.setattr(pool, "MIN_FILES", 10**9)
    alone = run(*args, "--no-cache", cwd=tmp_path)
    assert pooled == alone
    assert len(json.loads(alone[1])) > 100
    monkeypatch.undo()
    monkeypatch.setenv("CE_LINT_CACHE_DIR", str(cache))
    assert run(*args, cwd=tmp_path) == run(*args, cwd=tmp_path) == alone


def test_the_hardware_a_file_was_judged_on_reads_the_same_in_every_process() -> None:
    """A profile holds frozensets, whose repr follows the process's string hashing: the
    entry of a file judged on this machine must still match in the next run."""
    code = (
        "from ce_lint.hardware.builtin import builtin_profile\n"
        "from dataclasses import replace\n"
        "p = replace(builtin_profile('a100x8'), packages=frozenset("
        "{'accelerate', 'xxhash', 'deepspeed', 'flash_attn', 'triton'}))\n"
        "print(p.identity())\n"
    )
    seen = {
        subprocess.run(
            [sys.executable, "-c", code],
            env=dict(os.environ, PYTHONHASHSEED=str(seed)),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in range(6)
    }
    assert len(seen) == 1 and "xxhash" in seen.pop()
