"""Each unlucky input that once lost bytes, crashed a run or was judged in silence, kept small.

The hostile filesystem cases (FIFOs, links, read-only files, kills) are in test_file_safety.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ce_lint.cli import main
from ce_lint.textio import SourceText

from .helpers import check, engine, fix, fixed_text


def _codes(result) -> list[str]:
    return [f.code for f in result.findings]


# -- line breaks ----------------------------------------------------------------------------


def _fixed_file(name: str, data: bytes, tmp: Path) -> bytes:
    path = tmp / name
    path.write_bytes(data)
    engine().fix_path(path)
    return path.read_bytes()


def test_a_yaml_file_with_lone_cr_line_breaks_is_fixed_not_emptied(tmp_path: Path) -> None:
    data = b"# old Mac\revaluation_strategy: steps\rno_cuda: true\rseed: 1\r"
    fixed = _fixed_file("train.yaml", data, tmp_path)
    assert fixed == b"# old Mac\reval_strategy: steps\ruse_cpu: true\rseed: 1\r"


def test_a_python_file_with_lone_cr_line_breaks_is_fixed(tmp_path: Path) -> None:
    data = (
        b"from transformers import TrainingArguments\r"
        b'args = TrainingArguments(output_dir="o", evaluation_strategy="steps")\r'
    )
    fixed = _fixed_file("train.py", data, tmp_path)
    assert fixed == data.replace(b"evaluation_strategy", b"eval_strategy")


def test_text_with_lone_cr_given_as_text_is_read_as_a_file_would_be() -> None:
    text = "evaluation_strategy: steps\rno_cuda: true\r"
    result = fix(text)
    assert result.document.output(result.fixed_text) == b"eval_strategy: steps\ruse_cpu: true\r"
    python = "from transformers import TrainingArguments\rTrainingArguments(no_cuda=True)\r"
    assert _codes(check(python, "train.py")) == ["CE104", "CE601"]


def test_lone_cr_mixed_with_lf_is_not_guessed() -> None:
    found = _read("mixed.yaml", b"evaluation_strategy: steps\rno_cuda: true\nseed: 1\n")
    assert _codes(found) == ["CE902"] and "mixes lone CR" in found.findings[0].message


def test_a_notebook_cell_with_cr_does_not_shift_the_edits_of_later_cells() -> None:
    cells = [
        ["x = 1\r", "y = 2\r"],
        ["!torchrun train.py --evaluation_strategy steps --seed 1\n"],
        [
            "from transformers import TrainingArguments\n",
            "args = TrainingArguments(no_cuda=True)\n",
        ],
    ]
    text = _notebook(cells)
    fixed = json.loads(fixed_text(text, "nb.ipynb"))
    assert [c["source"] for c in fixed["cells"]] == [
        ["x = 1\r", "y = 2\r"],
        ["!torchrun train.py --eval_strategy steps --seed 1\n"],
        [
            "from transformers import TrainingArguments\n",
            "args = TrainingArguments(use_cpu=True)\n",
        ],
    ]


def _notebook(cells: list[list[str]]) -> str:
    return json.dumps(
        {
            "cells": [
                {
                    "cell_type": "code",
                    "metadata": {},
                    "outputs": [],
                    "execution_count": None,
                    "source": source,
                }  # fmt: skip
                for source in cells
            ],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        },
        indent=1,
    )


# -- encodings ------------------------------------------------------------------------------


def _read(name: str, data: bytes, tmp: Path | None = None):
    import tempfile

    folder = Path(tempfile.mkdtemp()) if tmp is None else tmp
    path = folder / name
    path.write_bytes(data)
    return engine().check_path(path)


@pytest.mark.parametrize(
    ("encoding", "said"),
    [("utf-16", "UTF-16"), ("utf-16-be", None), ("utf-32", "UTF-32")],
)
def test_text_in_another_encoding_is_a_finding_never_skipped(encoding: str, said: str) -> None:
    data = "evaluation_strategy: steps\nno_cuda: true\n".encode(encoding)
    if said is None:  # no byte order mark: the NUL bytes give it away
        said = "NUL"
    found = _read("train.yaml", data)
    assert _codes(found) == ["CE902"] and said in found.findings[0].message


# -- values the rules did not expect ---------------------------------------------------------


@pytest.mark.parametrize("debug", ["true", "3", "{a: 1}"])
def test_tpu_metrics_debug_beside_a_debug_that_is_no_string(debug: str) -> None:
    result = fix(f"output_dir: o\ndebug: {debug}\ntpu_metrics_debug: true\n")
    assert "CE115" in _codes(result)
    assert result.fixed_text is None  # nothing to add the option to: told, not guessed


# -- Python the parsers disagree on -----------------------------------------------------------


@pytest.mark.parametrize("indent", ["", "    "])
def test_a_line_holding_only_a_backslash_is_read_as_cpython_reads_it(indent: str) -> None:
    text = (
        "from transformers import TrainingArguments\nif True:\n"
        f"{indent}\\\n"
        '    args = TrainingArguments(output_dir="o", evaluation_strategy="steps")\n'
    )
    assert fixed_text(text, "train.py") == text.replace("evaluation_strategy", "eval_strategy")


# -- shell ----------------------------------------------------------------------------------


def test_the_same_flag_twice_on_one_command() -> None:
    text = "torchrun train.py --evaluation_strategy steps --evaluation_strategy epoch --no_cuda\n"
    first = fixed_text(text, "run.sh")
    assert first == "torchrun train.py --eval_strategy steps --eval_strategy epoch --use_cpu\n"
    assert fixed_text(first, "run.sh") == first


# -- too deep for the parsers ----------------------------------------------------------------

DEEP = {
    "flow.yaml": "training_args: " + "[" * 300 + "]" * 300 + "\nno_cuda: true\nseed: 1\n",
    "deep.json": '{"no_cuda": true, "x": ' + "[" * 1000 + "]" * 1000 + "}\n",
    "terms.py": "from transformers import TrainingArguments\nx = "
    + "+".join(["1"] * 1000)
    + "\nargs = TrainingArguments(output_dir='o', no_cuda=True)\n",
    "elifs.py": "from transformers import TrainingArguments\n"
    + "if a:\n    pass\nel" * 20000
    + "se:\n    args = TrainingArguments(output_dir='o', no_cuda=True)\n",
}


@pytest.mark.parametrize("name", sorted(DEEP))
def test_a_file_too_deep_for_the_parsers_is_a_parse_finding(name: str, tmp_path: Path) -> None:
    found = _read(name, DEEP[name].encode(), tmp_path)
    assert _codes(found) == ["CE901"] and not found.internal_error


def test_deep_files_never_stop_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, text in DEEP.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "train.yaml").write_text("no_cuda: true\n")
    monkeypatch.chdir(tmp_path)
    done = CliRunner().invoke(main, ["fix", ".", "--output-format", "concise"])
    assert done.exit_code == 1, done.output
    assert (tmp_path / "train.yaml").read_text() == "use_cpu: true\n"
    assert done.output.count("CE901") == len(DEEP)
    assert all((tmp_path / name).read_text() == text for name, text in DEEP.items())


def test_a_block_yaml_200_levels_deep_is_read() -> None:
    text = "".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "no_cuda: true\n"
    result = check(text)
    assert not result.document.problems  # read to the bottom, and no arguments there


# -- reports --------------------------------------------------------------------------------


def test_the_concise_format_names_the_notebook_cell(tmp_path: Path) -> None:
    cells = [["!python train.py --no_cuda\n"], ["!python train.py --no_cuda\n"]]
    (tmp_path / "nb.ipynb").write_text(_notebook(cells))
    done = CliRunner().invoke(main, ["check", str(tmp_path / "nb.ipynb"), "--output-format",
                                     "concise", "--select", "CE104"])  # fmt: skip
    lines = [line.split(" CE104")[0] for line in done.output.splitlines() if "CE104" in line]
    assert [line.rsplit("nb.ipynb:", 1)[1] for line in lines] == ["cell 1:1:18:", "cell 2:1:18:"]


def test_source_text_keeps_lone_cr_when_written_back() -> None:
    source = SourceText.from_bytes("a.yaml", b"a: 1\rb: 2\r", cr_breaks_lines=True)
    assert source.text == "a: 1\nb: 2\n"
    assert source.encode(source.text.replace("a", "c")) == b"c: 1\rb: 2\r"


def test_fixes_that_do_not_settle_are_not_written(monkeypatch: pytest.MonkeyPatch) -> None:
    # A key repeated many times takes one pass per copy; writing what the passes reached would
    # make the next fix change the file again. Fewer passes here stand for many copies.
    import ce_lint.engine

    text = (
        "push_to_hub: true\nhub_model_id: reranker-v2\n" + "push_to_hub_model_id: reranker-v2\n" * 3
    )
    assert fix(text, unsafe=True).fixed_text == "push_to_hub: true\nhub_model_id: reranker-v2\n"
    monkeypatch.setattr(ce_lint.engine, "MAX_FIX_PASSES", 2)
    result = fix(text, unsafe=True)
    assert result.fixed_text is None
    assert any("did not settle" in n for n in result.notices)
    assert all(f.fix is None for f in result.findings if f.code == "CE109")


def test_removing_an_entry_beside_a_key_that_is_no_text() -> None:
    text = "{'a': 1}: true\nhalf_precision_backend: apex\nseed: 1\n"
    once = fix(text, unsafe=True).fixed_text
    assert once == "{'a': 1}: true\nseed: 1\n"
    alone = "{'a': 1}: true\nhalf_precision_backend: apex\n"
    fixed = fix(alone, unsafe=True).fixed_text or alone
    assert "{}" not in fixed and "{'a': 1}: true" in fixed
    assert fix(fixed, unsafe=True).fixed_text in (None, fixed)  # fixing twice = fixing once


def test_a_fix_never_brings_a_u_feff_to_the_start_of_the_file() -> None:
    text = "# noqa: CE104\n\ufeff# ce-lint: ignore[CE101, CE104]\nbatch_sampler: no_duplicates_hashed\n"
    result = fix(text)
    assert result.fixed_text is None
    assert any("byte order mark" in n for n in result.notices)


def test_a_directive_after_a_line_break_yaml_sees_in_a_comment_is_data() -> None:
    # YAML ends the comment at U+2029: `ce-lint: ignore` after it is a key, never a directive.
    text = "#\u2029ce-lint: ignore\noutput_dir: o\nno_cuda: true\n"
    result = fix(text)
    assert "CE910" not in _codes(result)
    assert "#\u2029ce-lint: ignore\n" in (result.fixed_text or text)


def test_an_entry_is_not_removed_over_a_line_break_only_yaml_reads() -> None:
    # (`seed`, a field: a key foreign to the family would make ce-lint keep the entry anyway)
    text = "output_dir: o\nno_cuda: false\u2029seed: 1\n"
    result = fix(text)
    assert result.fixed_text is None or "seed: 1" in result.fixed_text
    assert any("only YAML reads" in n for n in result.notices)
