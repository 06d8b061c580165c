"""The walls of the design, checked on the code itself.

- Rule kinds and the hardware predicates hold no release numbers: those live in the version
  knowledge (ce_lint/knowledge/data) or in the rules' parameters, parsed once when they load.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "ce_lint"
# A release written into code: a bare "4.52" / "2.5.1", a placeholder such as "999", or a
# release named in a message ("from transformers 4.52", "torch 2.5", "releases from 4.44").
RELEASE = re.compile(
    r"^\d+\.\d+(\.\d+)?$|^9{3,}$"
    r"|\b(transformers|torch|accelerate|sentence-transformers|releases?|from)\s*(>=|==|<)?\s*"
    r"\d+\.\d+"
)


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                out.add(id(value))
    return out


def release_literals(path: Path) -> list[str]:
    """`line: text` of each string constant (docstrings left out) that names a release."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = _docstrings(tree)
    return [
        f"{node.lineno}: {node.value!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docs
        and RELEASE.search(node.value)
    ]


@pytest.mark.parametrize("folder", ["kinds", "hardware"])
def test_no_release_numbers_in_rule_kinds_or_hardware_code(folder: str) -> None:
    found = [
        f"{path.name}:{line}"
        for path in sorted((PACKAGE / folder).glob("*.py"))
        for line in release_literals(path)
    ]
    assert found == []


def test_the_release_check_finds_what_it_looks_for(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""Docstrings may name 4.52."""\n'
        'A = "4.52"\n'
        'B = f"from transformers 4.52 it raises"\n'
        'C = "999"\n'
        'D = "compute capability 8.0"\n'
    )
    found = sorted(line.split(": ", 1)[1] for line in release_literals(sample))
    assert found == ["'4.52'", "'999'", "'from transformers 4.52 it raises'"]
