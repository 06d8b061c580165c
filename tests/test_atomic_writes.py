"""Every file ce-lint writes goes through ce_lint.fileio.atomic_write."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from ce_lint.cli import main
from ce_lint.fileio import atomic_write_text

TARGETS = ["--target", "transformers==5.24", "--target", "sentence-transformers==6.2"]


def test_text_is_written_whole_and_no_temporary_file_stays(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    atomic_write_text(path, "one\ntwo\n")
    assert path.read_bytes() == f"one{os.linesep}two{os.linesep}".encode()
    atomic_write_text(path, "three\n")
    assert path.read_text() == "three\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.txt"]


@pytest.mark.skipif(os.name != "posix", reason="symlinks and /dev/null")
def test_a_symlink_stays_a_link_and_a_device_is_written_in_place(tmp_path: Path) -> None:
    target = tmp_path / "real.txt"
    target.write_text("old\n")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    atomic_write_text(link, "new\n")
    assert link.is_symlink() and target.read_text() == "new\n"
    atomic_write_text(Path(os.devnull), "nothing\n")  # not a file it could replace


def test_output_file_is_written_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("train.yaml").write_text("evaluation_strategy: steps\n")
    out = tmp_path / "reports" / "deep" / "ce-lint.json"
    result = CliRunner().invoke(
        main, ["check", *TARGETS, "--output-format", "json", "--output-file", str(out), "."]
    )
    assert result.exit_code == 1 and result.output == ""
    assert '"CE101"' in out.read_text()
    assert [p.name for p in out.parent.iterdir()] == ["ce-lint.json"]
