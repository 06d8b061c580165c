"""Seed inputs per format: the bundled fixtures, the rules' examples, and files built from them.

Seeds are named after where they came from (`fixtures/pairs/CE104-no-cuda.before.yaml`,
`rule:CE101:yaml:2`, `notebook:fixtures/scripts/...`), so a failure points back at a fixture.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "fixtures"

# The formats fuzzed; `make` is a Makefile.
FORMATS = ("yaml", "json", "py", "sh", "ipynb", "make")
FILE_NAMES = {
    "yaml": "input.yaml",
    "json": "input.json",
    "py": "input.py",
    "sh": "input.sh",
    "ipynb": "input.ipynb",
    "make": "Makefile",
}
SUFFIXES = {
    "yaml": (".yaml", ".yml"),
    "json": (".json",),
    "py": (".py",),
    "sh": (".sh",),
    "ipynb": (".ipynb",),
    "make": (".mk",),
}
MAX_SEED_BYTES = 32_000  # larger fixtures (recorded probes) slow every input down


@dataclass(frozen=True)
class Seed:
    name: str
    data: bytes


def file_name(fmt: str) -> str:
    return FILE_NAMES[fmt]


def _fixture_files(fmt: str) -> list[Path]:
    out = []
    for path in sorted(FIXTURES.rglob("*")):
        name = path.name.lower()
        if (
            path.is_file()
            and name.endswith(SUFFIXES[fmt])
            and path.stat().st_size <= MAX_SEED_BYTES
        ):
            out.append(path)
    return out


def _rule_examples() -> dict[str, list[Seed]]:
    """Every rule example in each format ruledoc derives (yaml, json, python, shell)."""
    from ce_lint.rulebook import load_specs
    from ce_lint.ruledoc import example_forms

    names = {"yaml": "yaml", "json": "json", "python": "py", "shell": "sh"}
    out: dict[str, list[Seed]] = {fmt: [] for fmt in FORMATS}
    for spec in load_specs():
        for i, example in enumerate(spec.examples):
            try:
                forms = example_forms(example)
            except ValueError:  # an example that is not a mapping has no derived forms
                continue
            for form, text in forms.items():
                fmt = names.get(form)
                if fmt and text:
                    out[fmt].append(Seed(f"rule:{spec.code}:{fmt}:{i}", text.encode("utf-8")))
    return out


def notebook_text(cells: list[tuple[str, str]], indent: int = 1, listed: bool = True) -> str:
    """A notebook of (cell_type, source) cells in nbformat 4 layout."""
    out = []
    for i, (kind, source) in enumerate(cells):
        cell: dict[str, object] = {"cell_type": kind, "id": f"c{i}", "metadata": {}}
        if kind == "code":
            cell["execution_count"] = i + 1
            cell["outputs"] = [{"name": "stdout", "output_type": "stream", "text": ["ok\n"]}]
        cell["source"] = source.splitlines(keepends=True) if listed else source
        out.append(cell)
    data = {
        "cells": out,
        "metadata": {"language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(data, indent=indent, ensure_ascii=False) + "\n"


def _cells_of(py: str) -> list[tuple[str, str]]:
    """A script cut into cells at blank lines between top-level statements."""
    cells, current = [], []
    for line in py.splitlines(keepends=True):
        if not line.strip() and current and not current[-1].startswith((" ", "\t")):
            cells.append(("code", "".join(current).rstrip("\n")))
            current = []
        else:
            current.append(line)
    if current:
        cells.append(("code", "".join(current).rstrip("\n")))
    return cells


def _notebooks(py: list[Seed], sh: list[Seed]) -> list[Seed]:
    out = []
    for k, seed in enumerate(py):
        cells = [("markdown", "# Train a reranker")] + _cells_of(seed.data.decode("utf-8"))
        out.append(
            Seed(f"notebook:{seed.name}", notebook_text(cells, 1 + k % 2, k % 3 != 2).encode())
        )
    for k, seed in enumerate(sh):
        body = seed.data.decode("utf-8")
        commands = [ln for ln in body.splitlines() if "--" in ln and not ln.endswith("\\")]
        cells = [("code", "%%bash\n" + body)]
        cells += [("code", "!" + c.strip()) for c in commands[:3]]
        out.append(Seed(f"notebook:{seed.name}", notebook_text(cells, 1, k % 2 == 0).encode()))
    return out


def _makefiles(sh: list[Seed]) -> list[Seed]:
    """Launch scripts as Makefile recipes and flag variables."""
    out = []
    for k, seed in enumerate(sh):
        lines = [ln for ln in seed.data.decode("utf-8").splitlines() if not ln.startswith("#!")]
        recipe = "".join(f"\t{ln}\n" for ln in lines if ln.strip())
        flags = [w for ln in lines for w in ln.split() if w.startswith("--")]
        head = f"ARGS = {' '.join(flags[:4])}\n\n" if k % 2 and flags else ""
        out.append(Seed(f"makefile:{seed.name}", f"{head}train:\n{recipe}".encode()))
    return out


@functools.cache
def seeds(fmt: str) -> tuple[Seed, ...]:
    """Every seed of one format, fixtures first (sorted by name, so runs are reproducible)."""
    examples = _rule_examples()

    def of(f: str) -> list[Seed]:
        fixtures = [Seed(str(p.relative_to(REPO_ROOT)), p.read_bytes()) for p in _fixture_files(f)]
        return fixtures + examples[f]

    if fmt == "ipynb":
        return tuple(of("ipynb") + _notebooks(of("py"), of("sh")))
    if fmt == "make":
        return tuple(_makefiles(of("sh")))
    return tuple(of(fmt))


def fixture_pairs() -> list[tuple[Path, Path]]:
    """The before/after fixture pairs (`NAME.before.EXT` next to `NAME.after.EXT`)."""
    pairs = []
    for before in sorted(FIXTURES.rglob("*.before.*")):
        after = before.with_name(before.name.replace(".before.", ".after."))
        if after.exists():
            pairs.append((before, after))
    return pairs
