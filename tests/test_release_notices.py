"""What changed with transformers 5.25 / sentence-transformers 6.3, on whole files (fixtures/releases/).

Each fixture names in comments every code ce-lint must report: `# expect: CODES` at the end of
a line (or `# expect line N: CODES` where a line cannot carry a comment) for a run with
today's targets and `--from sentence-transformers==6.2`; `expect-on-6.2` for a run that targets
sentence-transformers 6.2 with transformers 5.24. The hardware is an H100 node, so that this
machine's own (a CPU) does not decide.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from ce_lint.cli import main
from tests.helpers import TODAY

FOLDER = Path(__file__).resolve().parent.parent / "fixtures" / "releases"
NAMES = sorted(p.name for p in FOLDER.iterdir())
RUNS = {
    "expect": [*(f"--target={t}" for t in TODAY), "--from", "sentence-transformers==6.2"],
    "expect-on-6.2": ["--target", "transformers==5.24", "--target", "sentence-transformers==6.2"],
}
INLINE = re.compile(r"#\s*(expect(?:-on-6\.2)?):\s*((?:CE\d{3}\s*)+)$")
BY_LINE = re.compile(r"#\s*(expect(?:-on-6\.2)?) line (\d+):\s*((?:CE\d{3}\s*)+)$")


def expected(name: str, run: str) -> set[tuple[int, str]]:
    out = set()
    for row, line in enumerate((FOLDER / name).read_text(encoding="utf-8").splitlines(), 1):
        if (match := BY_LINE.search(line)) and match.group(1) == run:
            out |= {(int(match.group(2)), code) for code in match.group(3).split()}
        elif (match := INLINE.search(line)) and match.group(1) == run:
            out |= {(row, code) for code in match.group(2).split()}
    return out


@pytest.mark.parametrize("run", sorted(RUNS))
def test_each_file_reports_what_its_comments_say(run: str, tmp_path: Path) -> None:
    for name in NAMES:
        shutil.copyfile(FOLDER / name, tmp_path / name)
    args = ["check", *RUNS[run], "--hardware", "h100x8", "--output-format", "json", str(tmp_path)]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    found: dict[str, set[tuple[int, str]]] = {name: set() for name in NAMES}
    for item in json.loads(result.output):
        found[Path(item["filename"]).name].add((item["location"]["row"], item["code"]))
    for name in NAMES:
        want = expected(name, run)
        assert found[name] == want, (
            f"{name} ({run}): missing {sorted(want - found[name])}, "
            f"unexpected {sorted(found[name] - want)}"
        )
