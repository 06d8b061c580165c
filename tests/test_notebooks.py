"""Jupyter notebooks: findings by cell and line, fixes that change only the cells' source."""

from __future__ import annotations

import difflib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import TODAY, check, fix

NOTEBOOK = Path(__file__).resolve().parent.parent / "fixtures" / "notebooks" / "reranker.ipynb"
CE1 = {"select": ["CE1"]}


def notebook(*sources: str | list[str], ensure_ascii: bool = False) -> str:
    """A notebook in nbformat 4 layout (indent 1, sources as lists of lines)."""
    cells = []
    for i, source in enumerate(sources):
        if isinstance(source, str):
            source = source.splitlines(keepends=True)
        cells.append(
            {"cell_type": "code", "execution_count": i + 1, "id": f"c{i}", "metadata": {},
             "outputs": [{"name": "stdout", "output_type": "stream", "text": [f"out {i}\n"]}],
             "source": source}
        )  # fmt: skip
    data = {
        "cells": cells,
        "metadata": {"language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(data, indent=1, ensure_ascii=ensure_ascii) + "\n"


def code_sources(text: str) -> list[str]:
    out = []
    for cell in json.loads(text)["cells"]:
        if cell["cell_type"] == "code":
            source = cell["source"]
            out.append(source if isinstance(source, str) else "".join(source))
    return out


def without_sources(text: str) -> dict:
    data = json.loads(text)
    for cell in data["cells"]:
        cell.pop("source")
    return data


def where(result) -> list[tuple[str, int | None, int, int]]:
    doc = result.document
    return [(f.code, doc.cell(f.span.start), *doc.location(f.span.start)) for f in result.findings]


IMPORT = "from transformers import TrainingArguments\n"


def test_the_fixture_is_reported_by_cell_and_line() -> None:
    result = check(NOTEBOOK.read_text(), "reranker.ipynb", **CE1)
    assert where(result) == [
        ("CE101", 4, 4, 5),
        ("CE102", 4, 6, 5),
        ("CE104", 4, 8, 5),
        ("CE123", 4, 11, 6),
        ("CE101", 6, 2, 12),  # a read in a %%time cell, whose source is one string
        ("CE101", 8, 1, 61),  # !torchrun ... line
        ("CE104", 8, 1, 89),
        ("CE103", 9, 4, 5),  # %%bash cell
        ("CE117", 9, 5, 5),
    ]


def test_the_fixture_is_fixed_and_only_cell_sources_change() -> None:
    before = NOTEBOOK.read_text()
    result = fix(before, "reranker.ipynb", unsafe=True, **CE1)
    after = result.fixed_text
    assert after is not None and result.findings == []
    assert without_sources(after) == without_sources(before)
    old, new = code_sources(before), code_sources(after)
    assert new[0] == old[0] and new[1] == old[1] and new[3] == old[3]
    assert new[2] == (
        "# Training arguments (évaluation à chaque 500 pas)\n"
        "args = CrossEncoderTrainingArguments(\n"
        '    output_dir="runs/reranker",\n'
        '    eval_strategy="steps",\n'
        "    eval_steps=500,\n"
        "    per_device_train_batch_size=16,\n"
        "    learning_rate=2e-5,\n"
        "    fp16=True,\n"
        ")\n"
        "args"
    )
    assert new[4] == "%%time\nprint(args.eval_strategy)"
    assert (
        new[5]
        == "!torchrun --nproc_per_node 2 train.py --output_dir runs/ddp --eval_strategy steps --seed 1"
    )
    assert new[6] == (
        "%%bash\naccelerate launch train.py \\\n    --output_dir runs/acc \\\n"
        "    --per_device_eval_batch_size 64 \\\n    --optim adafactor"
    )
    # Every line of a listed source stays a string of its own, ending in a newline but the last.
    for cell in json.loads(after)["cells"]:
        if isinstance(cell["source"], list):
            assert all(line.endswith("\n") for line in cell["source"][:-1])
            assert cell["source"][-1] and not cell["source"][-1].endswith("\n")
    # Lines outside the edited strings are byte for byte the same.
    diff = difflib.ndiff(before.splitlines(), after.splitlines())
    changed = [line[2:] for line in diff if line[:1] in "+-"]
    assert changed and all(line.lstrip().startswith('"') for line in changed)


def test_the_fixed_notebook_is_still_a_valid_notebook() -> None:
    nbformat = pytest.importorskip("nbformat")
    after = fix(NOTEBOOK.read_text(), "reranker.ipynb", unsafe=True, **CE1).fixed_text
    nbformat.validate(nbformat.reads(after, as_version=4))


def test_cells_share_imports_and_a_broken_cell_hides_nothing_else() -> None:
    text = notebook(
        IMPORT, "args = TrainingArguments('o', no_cuda=True)\n", "args.x?\n", "for x in\n"
    )
    assert where(check(text, "n.ipynb", **CE1)) == [("CE104", 2, 1, 31)]


def test_inserted_lines_become_strings_of_their_own() -> None:
    cell = (
        "args = TrainingArguments(\n"
        '    "out",\n'
        "    accelerator_config={\n"
        '        "even_batches": True,\n'
        "    },\n"
        "    dispatch_batches=False,\n"
        ")"
    )
    after = fix(notebook(IMPORT, cell), "n.ipynb", **CE1).fixed_text
    source = json.loads(after)["cells"][1]["source"]
    assert source == [
        "args = TrainingArguments(\n",
        '    "out",\n',
        "    accelerator_config={\n",
        '        "even_batches": True,\n',
        '        "dispatch_batches": False,\n',
        "    },\n",
        ")",
    ]


def test_removing_the_last_line_leaves_no_empty_string() -> None:
    text = notebook(IMPORT, "args = TrainingArguments('o')\nargs.overwrite_output_dir = True")
    after = fix(text, "n.ipynb", **CE1).fixed_text
    assert json.loads(after)["cells"][1]["source"] == ["args = TrainingArguments('o')"]


def test_single_string_sources_and_escaped_unicode() -> None:
    text = notebook(
        IMPORT + "args = TrainingArguments('é', evaluation_strategy='steps')", ensure_ascii=True
    )
    data = json.loads(text)
    data["cells"][0]["source"] = "".join(data["cells"][0]["source"])
    text = json.dumps(data, indent=1, ensure_ascii=True)
    assert "\\u00e9" in text
    result = check(text, "n.ipynb", **CE1)
    assert where(result) == [("CE101", 1, 2, 31)]
    after = fix(text, "n.ipynb", **CE1).fixed_text
    assert "\\u00e9" in after and after.isascii()
    assert code_sources(after) == [IMPORT + "args = TrainingArguments('é', eval_strategy='steps')"]


def test_magics_shell_lines_and_cell_magics() -> None:
    text = notebook(
        "files = !ls\n%env X=1\n" + IMPORT,
        "!python train.py --output_dir o --evaluation_strategy steps \\\n    --no_cuda\n",
        "%%writefile train.py\n" + IMPORT + "TrainingArguments('o', tpu_num_cores=8)\n",
        "%%html\n<b>TrainingArguments(no_cuda=True)</b>\n",
        "%%script bash\ntorchrun t.py --per_gpu_train_batch_size 2\n",
        "%run train.py --output_dir o --evaluation_strategy steps --seed 1\n",
    )
    assert where(check(text, "n.ipynb", **CE1)) == [
        ("CE101", 2, 1, 33),
        ("CE104", 2, 2, 5),
        ("CE116", 3, 3, 24),
        ("CE102", 5, 2, 15),
        ("CE101", 6, 1, 30),
    ]
    after = fix(text, "n.ipynb", unsafe=True, **CE1).fixed_text
    sources = code_sources(after)
    assert sources[1] == "!python train.py --output_dir o --eval_strategy steps \\\n    --use_cpu\n"
    assert sources[3] == "%%html\n<b>TrainingArguments(no_cuda=True)</b>\n"
    assert sources[5] == "%run train.py --output_dir o --eval_strategy steps --seed 1\n"


def test_suppression_comments_in_cells() -> None:
    text = notebook(IMPORT, "a = TrainingArguments('o', no_cuda=True)  # ce-lint: ignore[CE104]\n")
    assert where(check(text, "n.ipynb", **CE1)) == []


def test_a_suppression_covers_its_own_cell_only() -> None:
    text = notebook(
        IMPORT + "a = TrainingArguments('o', no_cuda=True)  # ce-lint: ignore[CE104]\n",
        IMPORT + "b = TrainingArguments('o', no_cuda=True)\n",
    )
    assert [(code, cell) for code, cell, _, _ in where(check(text, "n.ipynb", **CE1))] == [
        ("CE104", 2)
    ]


@pytest.mark.parametrize("text", ["{", '{"cells": 3}', "[]"])
def test_a_broken_notebook_is_a_finding(text: str) -> None:
    assert [f.code for f in check(text, "n.ipynb").findings] == ["CE901"]


def test_cli_reports_the_cell(tmp_path: Path) -> None:
    (tmp_path / "reranker.ipynb").write_text(NOTEBOOK.read_text())
    targets = [f"--target={t}" for t in TODAY]
    proc = subprocess.run(
        [sys.executable, "-m", "ce_lint", "check", *targets, "--select", "CE1", "reranker.ipynb"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert "reranker.ipynb:cell 4:4:5: CE101" in proc.stdout
    proc = subprocess.run(
        [sys.executable, "-m", "ce_lint", "check", *targets, "--select", "CE1",
         "--output-format", "json", "reranker.ipynb"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    rows = json.loads(proc.stdout)
    places = {(r["code"], r["cell"], r["location"]["row"], r["location"]["column"]) for r in rows}
    assert ("CE101", 4, 4, 5) in places and ("CE117", 9, 5, 5) in places
