"""The README stays true: every rule is documented, the Quickstart has its two commands."""

from __future__ import annotations

import re
from pathlib import Path

from ce_lint.rulebook import load_specs

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def documented_codes() -> set[str]:
    codes: set[str] = set()
    for first, last in re.findall(r"CE(\d{3})(?:[–-]CE(\d{3}))?", README):
        end = int(last or first)
        codes.update(f"CE{n}" for n in range(int(first), end + 1))
    return codes


def test_every_rule_is_in_the_readme() -> None:
    missing = sorted({spec.code for spec in load_specs()} - documented_codes())
    assert not missing, f"rules missing from the README: {missing}"


def test_quickstart_has_exactly_two_commands() -> None:
    section = README.split("## Quickstart", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block is not None
    lines = [line for line in block.group(1).splitlines() if line.strip()]
    assert len(lines) == 2
    assert "ce-lint fix --diff --exit-zero fixtures/" in lines[0]
    assert "pytest" in lines[1]
