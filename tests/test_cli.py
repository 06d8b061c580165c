"""The command line: exit codes, Ruff-style JSON, input problems, writes, directory walks."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from ce_lint.cli import main

TARGETS = ["--target", "transformers==5.24", "--target", "sentence-transformers==6.2"]
NO_NOTICES = ["--ignore", "CE6"]  # behaviour notices (info) have their own tests
SEED = "output_dir: out  # keep\nevaluation_strategy: steps\nno_cuda: false\nlogging_dir: out/tb\n"


def run(*args: str, cwd: Path | None = None) -> tuple[int, str]:
    runner = CliRunner()
    if cwd is not None:
        old = os.getcwd()
        os.chdir(cwd)
    try:
        result = runner.invoke(main, list(args), catch_exceptions=False)
    finally:
        if cwd is not None:
            os.chdir(old)
    return result.exit_code, result.output


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "train.yaml").write_text(SEED)
    (tmp_path / "configs" / "clean.yaml").write_text("output_dir: out\neval_strategy: steps\n")
    return tmp_path


def test_check_reports_and_exits_1(project: Path) -> None:
    code, out = run("check", *TARGETS, str(project / "configs"))
    assert code == 1
    assert "train.yaml:2:1: CE101 error [*]" in out
    assert "train.yaml:3:1: CE104" in out
    assert "CE124 error [-]" in out  # logging_dir: only an unsafe fix
    assert "clean.yaml" not in out


def test_clean_exits_0_and_exit_zero(project: Path) -> None:
    code, out = run("check", *TARGETS, str(project / "configs" / "clean.yaml"))
    assert code == 0 and "All checks passed." in out
    code, _ = run("check", *TARGETS, "--exit-zero", str(project / "configs"))
    assert code == 0


def test_json_output_follows_ruffs_schema(project: Path) -> None:
    code, out = run(
        "check",
        *TARGETS,
        *NO_NOTICES,
        "--output-format",
        "json",
        str(project / "configs" / "train.yaml"),
    )
    assert code == 1
    data = json.loads(out)
    assert isinstance(data, list) and len(data) == 3
    first = data[0]
    assert set(first) >= {
        "cell",
        "code",
        "end_location",
        "filename",
        "fix",
        "location",
        "message",
        "noqa_row",
        "url",
    }
    assert first["code"] == "CE101"
    assert first["location"] == {"row": 2, "column": 1}
    assert first["end_location"] == {"row": 2, "column": 20}
    assert first["fix"]["applicability"] == "safe"
    edit = first["fix"]["edits"][0]
    assert edit["content"] == "eval_strategy"
    assert edit["location"] == {"row": 2, "column": 1} and edit["end_location"] == {
        "row": 2,
        "column": 20,
    }
    unsafe = next(d for d in data if d["code"] == "CE124")
    assert unsafe["fix"]["applicability"] == "unsafe"


def test_json_output_is_an_empty_array_when_clean(project: Path) -> None:
    code, out = run(
        "check", *TARGETS, "--output-format", "json", str(project / "configs" / "clean.yaml")
    )
    assert code == 0 and json.loads(out) == []


def test_fix_writes_atomically_keeps_mode_and_is_idempotent(project: Path) -> None:
    path = project / "configs" / "train.yaml"
    path.chmod(0o640)
    code, out = run("fix", *TARGETS, str(path))
    assert code == 1  # logging_dir remains: its fix is unsafe
    assert (
        path.read_text() == "output_dir: out  # keep\neval_strategy: steps\nlogging_dir: out/tb\n"
    )
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    code, out = run("fix", *TARGETS, "--unsafe-fixes", str(path))
    assert code == 0
    after = path.read_text()
    code, out = run("fix", *TARGETS, "--unsafe-fixes", str(path))
    assert code == 0 and path.read_text() == after
    code, out = run("check", *TARGETS, str(path))
    assert code == 0


def test_fix_diff_writes_nothing(project: Path) -> None:
    path = project / "configs" / "train.yaml"
    code, out = run("fix", "--diff", *TARGETS, str(path))
    assert code == 1
    assert "\n-evaluation_strategy: steps\n" in out and "\n+eval_strategy: steps\n" in out
    assert "Would fix 2 problems." in out
    assert path.read_text() == SEED
    code, _ = run("fix", "--diff", "--exit-zero", *TARGETS, str(path))
    assert code == 0


def test_input_problems_are_findings_and_the_run_goes_on(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("evaluation_strategy: [steps\nno_cuda: true\n")
    (tmp_path / "binary.json").write_bytes(b'{"seed": 1, "no_cuda": true}\x00\xff')
    (tmp_path / "latin1.yaml").write_bytes(
        "no_cuda: true\nseed: 1\nrun_name: caf\xe9\n".encode("latin-1")
    )
    (tmp_path / "good.yaml").write_text("no_cuda: true\nseed: 1\n")
    code, out = run(
        "check",
        *TARGETS,
        *NO_NOTICES,
        "--output-format",
        "json",
        str(tmp_path),
        str(tmp_path / "missing.yaml"),
    )
    assert code == 1
    data = {(Path(d["filename"]).name, d["code"]) for d in json.loads(out)}
    assert data == {
        ("broken.yaml", "CE901"),
        ("binary.json", "CE902"),
        ("latin1.yaml", "CE902"),
        ("missing.yaml", "CE903"),
        ("good.yaml", "CE104"),
    }
    # fix leaves broken files alone and still fixes the good one
    code, out = run("fix", *TARGETS, str(tmp_path))
    assert (tmp_path / "good.yaml").read_text() == "use_cpu: true\nseed: 1\n"
    assert (tmp_path / "broken.yaml").read_text().startswith("evaluation_strategy: [steps")
    assert code == 1


def test_walk_skips_vcs_virtualenvs_and_symlinked_dirs(tmp_path: Path) -> None:
    for folder in (".git", "node_modules", "venv", "lib/site-packages", "real"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "cfg.yaml").write_text("no_cuda: true\nseed: 1\n")
    (tmp_path / "myenv").mkdir()
    (tmp_path / "myenv" / "pyvenv.cfg").write_text("home = /usr\n")
    (tmp_path / "myenv" / "cfg.yaml").write_text("no_cuda: true\nseed: 1\n")
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    code, out = run("check", *TARGETS, *NO_NOTICES, "--output-format", "json", str(tmp_path))
    found = json.loads(out)
    names = sorted(Path(d["filename"]).relative_to(tmp_path).as_posix() for d in found)
    assert names == ["link", "real/cfg.yaml"]
    assert [d["code"] for d in found if d["filename"].endswith("link")] == ["CE908"]


def test_select_and_ignore(project: Path) -> None:
    path = str(project / "configs" / "train.yaml")
    _, out = run("check", *TARGETS, "--select", "CE101", path)
    assert "CE101" in out and "CE104" not in out
    _, out = run("check", *TARGETS, "--ignore", "CE10", path)
    assert "CE101" not in out and "CE124" in out
    _, out = run("check", *TARGETS, "--select", "CE1", "--ignore", "CE124", path)
    assert "CE124" not in out and "CE101" in out


def test_bad_usage_exits_2(project: Path) -> None:
    code, out = run("check", "--target", "torchvision==1.0", str(project))
    assert code == 2 and "unknown library" in out
    code, out = run("rule", "CE9999")
    assert code == 2


def test_rules_and_rule_commands() -> None:
    code, out = run("rules")
    assert code == 0 and "CE101" in out and "CE901" in out
    code, out = run("rules", "--output-format", "json")
    assert {r["code"] for r in json.loads(out)} >= {"CE101", "CE132"}
    code, out = run("rule", "ce101")
    assert code == 0
    assert "evaluation_strategy: steps" in out and '"evaluation_strategy": "steps"' in out
    assert "after fix (yaml):" in out


def test_older_target_gives_warnings_not_errors(project: Path) -> None:
    path = str(project / "configs" / "train.yaml")
    code, out = run(
        "check", "--target", "transformers==4.46", "--target", "sentence-transformers==4.0", path
    )
    assert "CE101 warning" in out  # deprecated in 4.41, still accepted by 4.46
    assert "CE104 warning" in out
    assert "CE124" not in out  # logging_dir is fine on 4.46


def test_floor_below_replacement_explains_instead_of_fixing(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("evaluation_strategy: steps\nseed: 1\n")
    code, out = run(
        "check",
        "--target",
        "transformers>=4.38,<5",
        "--target",
        "sentence-transformers==4.0",
        str(path),
    )
    assert "CE101 error" in out and "raise your floor to transformers>=4.41" in out
    assert "[*]" not in out.splitlines()[0]
