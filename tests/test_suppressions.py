"""Suppression comments in YAML, JSON and Python, and CE910 for those that hide nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from ce_lint.cli import main
from ce_lint.textio import SourceText
from tests import helpers
from tests.helpers import codes, engine

PY_HEAD = "from transformers import TrainingArguments\n\n"
FIELDS_AND_INPUTS = ["CE1", "CE9"]  # other rule families must not change what these tests see


def check(text: str, name: str = "config.yaml", **kwargs):  # type: ignore[no-untyped-def]
    kwargs.setdefault("select", FIELDS_AND_INPUTS)
    return helpers.check(text, name, **kwargs)


def fixed_text(text: str, name: str = "config.yaml") -> str:
    return helpers.fixed_text(text, name, select=FIELDS_AND_INPUTS)


# -- where comments are ---------------------------------------------------------------


def comments(text: str, name: str) -> list[str]:
    eng = engine()
    result = eng.check_source(SourceText(name, text))
    assert result.document is not None and not result.document.problems
    return [c for _, c in result.document.comments()]


def test_yaml_comments_skip_hashes_inside_strings_and_block_scalars() -> None:
    text = (
        "# top\n"
        "run_name: 'a # b'  # after quoted\n"
        'hub_model_id: "x#y"\n'
        "url: http://host/#frag # real\n"
        "notes: |  # header comment\n"
        "  line # not a comment\n"
        "  other\n"
        "tags: [a, b]  # flow\n"
    )
    assert comments(text, "c.yaml") == [
        "# top",
        "# after quoted",
        "# real",
        "# header comment",
        "# flow",
    ]


def test_json_comments_both_styles() -> None:
    text = '// head\n{"a": "// no", /* mid */ "b": 1}\n'
    assert comments(text, "c.json") == ["// head", "/* mid */"]


def test_python_comments_come_from_the_tokenizer() -> None:
    text = PY_HEAD + 'args = TrainingArguments(output_dir="# no")  # yes\n'
    assert comments(text, "t.py") == ["# yes"]


# -- suppression ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,text",
    [
        ("c.yaml", "output_dir: out\nevaluation_strategy: steps  # ce-lint: ignore[CE101]\nno_cuda: true\n"),
        ("c.yaml", "output_dir: out\nevaluation_strategy: steps  # ce-lint: ignore\nno_cuda: true\n"),
        ("c.yaml", "output_dir: out\nevaluation_strategy: steps  # noqa: CE101\nno_cuda: true\n"),
        ("c.yaml", "output_dir: out\nevaluation_strategy: steps  # NOQA:CE101,E501\nno_cuda: true\n"),
        ("c.json", '{"output_dir": "out",\n "evaluation_strategy": "steps", // ce-lint: ignore[CE101]\n "no_cuda": true}\n'),
        ("t.py", PY_HEAD + "args = TrainingArguments(\n    output_dir='o',\n    evaluation_strategy='steps',  # noqa: CE101\n    no_cuda=True,\n)\n"),
        ("t.py", PY_HEAD + "args = TrainingArguments(\n    output_dir='o',\n    evaluation_strategy='steps',  # ce-lint: ignore[CE101]\n    no_cuda=True,\n)\n"),
        ("t.py", PY_HEAD + "args = TrainingArguments(\n    output_dir='o',\n    evaluation_strategy='steps',  # noqa\n    no_cuda=True,\n)\n"),
    ],
)  # fmt: skip
def test_line_suppression_hides_only_that_line(name: str, text: str) -> None:
    result = check(text, name)
    assert codes(result) == ["CE104"]


def test_a_suppression_for_another_code_hides_nothing() -> None:
    text = "output_dir: out\nevaluation_strategy: steps  # ce-lint: ignore[CE104]\nno_cuda: true\n"
    assert codes(check(text)) == ["CE101", "CE910", "CE104"]


def test_noqa_for_other_tools_is_not_ours() -> None:
    text = "output_dir: out\nevaluation_strategy: steps  # noqa: E501\n"
    assert codes(check(text)) == ["CE101"]


@pytest.mark.parametrize(
    "name,text",
    [
        ("c.yaml", "# ce-lint: ignore-file[CE101, CE104]\noutput_dir: out\nevaluation_strategy: steps\nno_cuda: true\nlogging_dir: x\n"),
        ("c.json", '// ce-lint: ignore-file[CE101,CE104]\n{"output_dir": "out", "evaluation_strategy": "steps", "no_cuda": true, "logging_dir": "x"}\n'),
        ("t.py", PY_HEAD + "# ce-lint: ignore-file[CE101, CE104]\nargs = TrainingArguments(output_dir='o', evaluation_strategy='steps', no_cuda=True, logging_dir='x')\n"),
    ],
)  # fmt: skip
def test_file_suppression(name: str, text: str) -> None:
    assert codes(check(text, name)) == ["CE124"]
    everything = text.replace("[CE101, CE104]", "").replace("[CE101,CE104]", "")
    assert codes(check(everything, name)) == []


def test_a_suppressed_finding_is_never_fixed() -> None:
    text = "output_dir: out\nevaluation_strategy: steps  # ce-lint: ignore[CE101]\nno_cuda: false\n"
    assert (
        fixed_text(text)
        == "output_dir: out\nevaluation_strategy: steps  # ce-lint: ignore[CE101]\n"
    )


def test_a_quoted_directive_is_not_a_comment() -> None:
    text = "output_dir: out\nevaluation_strategy: steps\nrun_name: 'x # ce-lint: ignore-file'\n"
    assert codes(check(text)) == ["CE101"]


# -- CE910 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "before,after",
    [
        # the whole comment goes when only the directive was in it
        ("output_dir: out\neval_strategy: steps  # ce-lint: ignore[CE101]\n", "output_dir: out\neval_strategy: steps\n"),
        # a comment on its own line goes with its line
        ("output_dir: out\n# ce-lint: ignore-file\neval_strategy: steps\n", "output_dir: out\neval_strategy: steps\n"),
        # other words in the comment stay
        ("output_dir: out\neval_strategy: steps  # keep me ce-lint: ignore[CE101]\n", "output_dir: out\neval_strategy: steps  # keep me\n"),
        ("output_dir: out\neval_strategy: steps  # ce-lint: ignore[CE101] keep me\n", "output_dir: out\neval_strategy: steps  # keep me\n"),
        # other tools' noqa codes stay
        ("output_dir: out\neval_strategy: steps  # noqa: E501, CE101\n", "output_dir: out\neval_strategy: steps  # noqa: E501\n"),
        # an unknown code is dropped, a used one kept
        ("output_dir: out\nno_cuda: true  # ce-lint: ignore[CE104, CE998]\n", "output_dir: out\nno_cuda: true  # ce-lint: ignore[CE104]\n"),
    ],
)  # fmt: skip
def test_unused_suppressions_are_reported_and_fixed(before: str, after: str) -> None:
    found = [f for f in check(before).findings if f.code == "CE910"]
    assert len(found) == 1 and found[0].fix is not None
    assert fixed_text(before) == after
    assert "CE910" not in codes(check(after))


def test_unknown_code_message() -> None:
    found = [f for f in check("output_dir: out\nseed: 1  # ce-lint: ignore[CE998]\n").findings]
    assert [f.code for f in found] == ["CE910"]
    assert "no rule is called CE998" in found[0].message


def test_codes_the_run_did_not_look_for_are_not_called_unused() -> None:
    text = "output_dir: out\neval_strategy: steps  # ce-lint: ignore[CE101]\n"
    assert codes(check(text, select=["CE104", "CE910"])) == []
    assert codes(check(text, ignores_for=lambda path: ["CE101"])) == []
    assert codes(check(text, ignore=["CE910"])) == []
    assert codes(check(text)) == ["CE910"]


def test_a_bare_noqa_is_never_reported() -> None:
    assert codes(check("output_dir: out\neval_strategy: steps  # noqa\n")) == []


def test_json_stays_valid_after_removing_a_stale_comment() -> None:
    import json

    before = '{\n  "output_dir": "out", /* ce-lint: ignore[CE104] */\n  "seed": 1\n}\n'
    after = fixed_text(before, "c.json")
    assert json.loads(after) == {"output_dir": "out", "seed": 1}
    assert after == '{\n  "output_dir": "out",\n  "seed": 1\n}\n'


def test_fix_on_disk_removes_stale_suppressions(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("output_dir: out  # ce-lint: ignore[CE101]\nevaluation_strategy: steps\n")
    result = CliRunner().invoke(
        main,
        [
            "fix",
            "--target",
            "transformers==5.24",
            "--target",
            "sentence-transformers==6.2",
            str(path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert path.read_text() == "output_dir: out\neval_strategy: steps\n"
