"""Configs and a script with many value and cross-field problems (fixtures/values/).

Each fixture line names, in an `expect:` comment, every code ce-lint must report on that
line (info notices included). One `ce-lint check` run over the folder must report exactly
those, each on its line; fixing with --unsafe-fixes must converge and leave nothing fixable.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from ce_lint.cli import main
from tests.helpers import fix

FOLDER = Path(__file__).resolve().parent.parent / "fixtures" / "values"
TARGETS = ["--target", "transformers==5.24", "--target", "sentence-transformers==6.2"]
EXPECT = re.compile(r"(?:#|//)\s*expect:\s*((?:CE\d{3}\s*)+)")
NAMES = sorted(p.name for p in FOLDER.iterdir() if p.suffix in (".yaml", ".json", ".py"))


def expected(name: str) -> set[tuple[int, str]]:
    out = set()
    for row, line in enumerate((FOLDER / name).read_text(encoding="utf-8").splitlines(), 1):
        match = EXPECT.search(line)
        if match:
            out |= {(row, code) for code in match.group(1).split()}
    return out


def test_one_run_reports_every_problem_on_its_line(tmp_path: Path) -> None:
    for name in NAMES:
        shutil.copyfile(FOLDER / name, tmp_path / name)
    result = CliRunner().invoke(
        main, ["check", *TARGETS, "--output-format", "json", str(tmp_path)], catch_exceptions=False
    )
    assert result.exit_code == 1, result.output
    found: dict[str, set[tuple[int, str]]] = {name: set() for name in NAMES}
    for item in json.loads(result.output):
        found[Path(item["filename"]).name].add((item["location"]["row"], item["code"]))
    for name in NAMES:
        want = expected(name)
        assert want, f"{name} has no expect: comments"
        assert found[name] == want, (
            f"{name}: missing {sorted(want - found[name])}, unexpected {sorted(found[name] - want)}"
        )


@pytest.mark.parametrize("name", NAMES)
def test_unsafe_fix_converges(name: str) -> None:
    text = (FOLDER / name).read_text(encoding="utf-8")
    once = fix(text, name, unsafe=True)
    assert once.fixed_text is not None, f"{name}: nothing was fixed"
    again = fix(once.fixed_text, name, unsafe=True)
    assert again.fixed_text is None, f"{name}: a second fix changed the file again"
    left = [f for f in again.findings if f.fixable]
    assert not left, [(f.code, f.message) for f in left]
    if name.endswith(".py"):
        compile(once.fixed_text, name, "exec")
