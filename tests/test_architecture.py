"""The walls of the design, checked on the code itself.

- Rule kinds and the hardware predicates hold no release numbers: those live in the version
  knowledge (ce_lint/knowledge/data) or in the rules' parameters, parsed once when they load.
- The import contracts of pyproject.toml hold (import-linter), and breaking one is caught.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
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


# ---- import contracts ([tool.importlinter] in pyproject.toml) ------------------------------


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports over the package under `root`, with that checkout's contracts."""
    return subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports_command; lint_imports_command()",
         "--no-cache", str(root / "pyproject.toml")],
        cwd=root, env={**os.environ, "PYTHONPATH": str(root)}, capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip


def test_the_import_contracts_hold() -> None:
    proc = _lint_imports(PACKAGE.parent)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("report/text.py", "from ..engine import Engine", "Reports format a report model"),
        ("kinds/values.py", "from ..adapters import yaml_config", "Formats and rules know nothing"),
        ("adapters/base.py", "import torch", "never imports the training stack"),
        ("model.py", "from . import engine", "Layers"),
    ],
)
def test_a_violating_import_breaks_a_contract(
    tmp_path: Path, module: str, line: str, contract: str
) -> None:
    shutil.copytree(PACKAGE, tmp_path / "ce_lint", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PACKAGE.parent / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "ce_lint" / module
    text = target.read_text(encoding="utf-8")
    anchor = "from __future__ import annotations\n"
    target.write_text(text.replace(anchor, anchor + line + "  # noqa\n", 1), encoding="utf-8")
    proc = _lint_imports(tmp_path)
    assert proc.returncode == 1, proc.stdout[-3000:]
    broken = " ".join(proc.stdout.split("Broken contracts", 1)[-1].split())
    assert contract in broken


# ---- no cycles ----------------------------------------------------------------------------


def _imports_of(module: str, path: Path, modules: set[str]) -> set[str]:
    """The ce_lint modules `module` imports anywhere in its text, functions included (an
    import hidden in a function still ties the two modules together); type-only imports
    are left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(n)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for n in ast.walk(node)
    }
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rsplit(".", 1)[0]
            base = f"{base}.{node.module}" if node.level and node.module else node.module or base
            for alias in node.names:
                name = f"{base}.{alias.name}"
                out.add(name if name in modules else base)
        elif isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
    return {m for m in out if m in modules and m != module}


def cycles(root: Path) -> list[list[str]]:
    """Groups of modules under `root` that import one another (strongly connected)."""
    files = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        files[name] = path
    graph = {m: _imports_of(m, p, set(files)) for m, p in files.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return out


def test_no_import_cycles() -> None:
    assert cycles(PACKAGE) == []


def test_a_cycle_is_found(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from . import b\n")
    (package / "b.py").write_text("def f():\n    from .a import x\n")  # hidden in a function
    assert cycles(package) == [["pkg.a", "pkg.b"]]
