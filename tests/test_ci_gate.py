"""CI-gate conveniences: baseline, --exit-non-zero-on-fix, --quiet, --show-fixes, progress."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from ce_lint.cli import main
from ce_lint.progress import Progress, progress

# Field rules and input problems only: other rule families must not change the counts here.
TARGETS = [
    "--target", "transformers==5.24", "--target", "sentence-transformers==6.2", "--select", "CE1,CE9",
]  # fmt: skip
SEED = "output_dir: out\nevaluation_strategy: steps\nno_cuda: true\n"


def run(*args: str, cwd: Path) -> tuple[int, str]:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.output


def codes_of(out: str) -> list[tuple[str, str, int]]:
    return sorted(
        (Path(f["filename"]).name, f["code"], f["location"]["row"]) for f in json.loads(out)
    )


# -- baseline ---------------------------------------------------------------------------


def test_baseline_accepts_todays_findings_and_fails_on_new_ones(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(SEED)
    (tmp_path / "b.json").write_text('{"output_dir": "o", "per_gpu_train_batch_size": 8}\n')
    code, out = run("baseline", *TARGETS, ".", "-o", "ci/baseline.json", cwd=tmp_path)
    assert code == 0 and "Wrote 3 findings in 2 files to ci/baseline.json." in out
    data = json.loads((tmp_path / "ci" / "baseline.json").read_text())
    assert {(f["file"], f["code"]) for f in data["findings"]} == {
        ("../a.yaml", "CE101"),
        ("../a.yaml", "CE104"),
        ("../b.json", "CE102"),
    }
    assert all(set(f) == {"code", "file", "fields", "line", "message"} for f in data["findings"])

    gate = ("check", *TARGETS, "--output-format", "json", "--baseline", "ci/baseline.json", ".")
    code, out = run(*gate, cwd=tmp_path)
    assert code == 0 and json.loads(out) == []

    # Lines added above move the findings: still accepted.
    (tmp_path / "a.yaml").write_text("# header\nseed: 1\n" + SEED)
    code, out = run(*gate, cwd=tmp_path)
    assert code == 0 and json.loads(out) == []

    # A second copy of an accepted problem, and an edited line, are new.
    second_document = "---\nevaluation_strategy: steps\nseed: 2\n"
    (tmp_path / "a.yaml").write_text(
        "# header\nseed: 1\n" + SEED.replace("no_cuda: true", "no_cuda: false") + second_document
    )
    code, out = run(*gate, cwd=tmp_path)
    assert code == 1
    assert codes_of(out) == [("a.yaml", "CE101", 7), ("a.yaml", "CE104", 5)]

    # The baseline is found from anywhere: file names are relative to it.
    code, out = run("check", *TARGETS, "--output-format", "json", "--baseline",
                    str(tmp_path / "ci" / "baseline.json"), str(tmp_path), cwd=tmp_path / "ci")  # fmt: skip
    assert len(json.loads(out)) == 2


def test_fix_leaves_baselined_findings_alone(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(SEED)
    run("baseline", *TARGETS, "a.yaml", "-o", "base.json", cwd=tmp_path)
    path.write_text(SEED + "logging_steps: 10\nfp16_backend: auto\n")
    code, out = run("fix", *TARGETS, "--baseline", "base.json", "a.yaml", cwd=tmp_path)
    assert code == 0, out
    assert path.read_text() == SEED + "logging_steps: 10\n"


def test_baseline_from_settings_and_bad_baselines(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(SEED)
    (tmp_path / "pyproject.toml").write_text('[tool.ce-lint]\nbaseline = "ce-lint-baseline.json"\n')
    code, out = run("baseline", *TARGETS, ".", cwd=tmp_path)
    assert (tmp_path / "ce-lint-baseline.json").is_file()
    code, out = run("check", *TARGETS, ".", cwd=tmp_path)
    assert code == 0, out
    (tmp_path / "ce-lint-baseline.json").write_text("[1, 2]")
    code, out = run("check", *TARGETS, ".", cwd=tmp_path)
    assert code == 2 and "is not a ce-lint baseline" in out
    code, out = run("check", *TARGETS, "--baseline", "missing.json", ".", cwd=tmp_path)
    assert code == 2 and "cannot read baseline" in out


# -- exit codes and output ----------------------------------------------------------------


def test_exit_non_zero_on_fix(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("output_dir: out\nevaluation_strategy: steps\n")
    code, _ = run("fix", *TARGETS, "--exit-non-zero-on-fix", "a.yaml", cwd=tmp_path)
    assert code == 1 and path.read_text() == "output_dir: out\neval_strategy: steps\n"
    code, _ = run("fix", *TARGETS, "--exit-non-zero-on-fix", "a.yaml", cwd=tmp_path)
    assert code == 0  # nothing changed this time
    path.write_text("output_dir: out\nevaluation_strategy: steps\n")
    code, _ = run("fix", *TARGETS, "a.yaml", cwd=tmp_path)
    assert code == 0


def test_quiet_prints_findings_only(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(SEED)
    (tmp_path / "ok.yaml").write_text("output_dir: out\neval_strategy: steps\n")
    code, out = run("check", *TARGETS, "-q", ".", cwd=tmp_path)
    assert code == 1
    assert out.splitlines() == [line for line in out.splitlines() if line.startswith("a.yaml:")]
    assert len(out.splitlines()) == 2
    code, out = run("check", *TARGETS, "--quiet", "ok.yaml", cwd=tmp_path)
    assert code == 0 and out == ""
    code, out = run("fix", *TARGETS, "--quiet", ".", cwd=tmp_path)
    assert code == 0 and out == ""


def test_show_fixes_in_check_and_fix(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(SEED)
    code, out = run("check", *TARGETS, "--show-fixes", "a.yaml", cwd=tmp_path)
    assert "       2 - evaluation_strategy: steps\n       2 + eval_strategy: steps\n" in out
    assert "       3 - no_cuda: true\n       3 + use_cpu: true\n" in out
    code, out = run("fix", *TARGETS, "--show-fixes", "a.yaml", cwd=tmp_path)
    assert (
        "Fixed in a.yaml:\n    1 x CE101 evaluation-strategy-renamed\n    1 x CE104 no-cuda\n"
        in out
    )
    assert (
        tmp_path / "a.yaml"
    ).read_text() == "output_dir: out\neval_strategy: steps\nuse_cpu: true\n"


def test_fix_diff_still_writes_nothing_with_the_new_options(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(SEED)
    code, out = run("fix", *TARGETS, "--diff", "--statistics", "a.yaml", cwd=tmp_path)
    assert code == 1 and "+eval_strategy: steps" in out
    assert (tmp_path / "a.yaml").read_text() == SEED


# -- progress bar -------------------------------------------------------------------------


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_for_long_runs_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter(float(i) for i in range(1000))
    monkeypatch.setattr("ce_lint.progress.time.monotonic", lambda: next(clock))
    stream = FakeTerminal()
    assert list(progress([1, 2, 3], stream=stream)) == [1, 2, 3]
    text = stream.getvalue()
    assert "ce-lint [" in text and "3/3" in text
    assert text.endswith("\r\033[K")  # erased at the end

    piped = io.StringIO()
    assert list(progress([1, 2, 3], stream=piped)) == [1, 2, 3]
    assert piped.getvalue() == ""

    quick = FakeTerminal()
    bar = Progress(3, enabled=True, stream=quick, delay=10**6)
    bar.advance()
    bar.close()
    assert quick.getvalue() == ""
