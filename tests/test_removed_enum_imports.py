"""Importing an enum class transformers removed (EvaluationStrategy, gone in 5.0) fails when
the script starts: the import is an error, renamed onto IntervalStrategy (the same members)
together with its uses when they only read members."""

from __future__ import annotations

import ast
import json

from ce_lint.findings import Severity
from tests.helpers import check, fixed_text

CE5 = {"select": ["CE5"]}

# cnlp_transformers src/cnlpt/_cli/train.py (its maintainers moved to IntervalStrategy)
CNLPT = """\
from transformers import HfArgumentParser, Trainer
from transformers.trainer_utils import EvaluationStrategy


def main(training_args):
    if training_args.eval_strategy == EvaluationStrategy.STEPS:
        print("evaluating every", training_args.eval_steps)
"""


def test_the_import_is_an_error_and_the_fix_renames_it_and_its_uses() -> None:
    result = check(CNLPT, "train.py", **CE5)
    [finding] = result.findings
    assert (finding.code, finding.severity) == ("CE503", Severity.ERROR)
    assert result.document.location(finding.span.start) == (2, 40)
    assert "removed in transformers 5.0" in finding.message
    after = fixed_text(CNLPT, "train.py", **CE5)
    assert after == CNLPT.replace("EvaluationStrategy", "IntervalStrategy")
    ast.parse(after)
    assert check(after, "train.py", **CE5).findings == []


def test_targets_before_the_removal_keep_it() -> None:
    assert (
        check(
            CNLPT, "train.py", targets=("transformers==4.57.1", "sentence-transformers==5.1"), **CE5
        ).findings
        == []
    )
    # a range reaching 5.0 fails at its top; IntervalStrategy exists all along it
    result = check(
        CNLPT, "train.py", targets=("transformers>=4.30,<6", "sentence-transformers==5.1"), **CE5
    )
    assert [f.fix is not None for f in result.findings] == [True]


def test_the_top_level_import_and_a_module_path_are_found() -> None:
    text = "from transformers import EvaluationStrategy\nx = EvaluationStrategy.EPOCH\n"
    assert fixed_text(text, "t.py", **CE5) == text.replace("EvaluationStrategy", "IntervalStrategy")
    text = "import transformers\nx = transformers.EvaluationStrategy.NO\n"
    result = check(text, "t.py", **CE5)
    assert "AttributeError" in result.findings[0].message


def test_a_project_class_of_that_name_is_not_the_library_one() -> None:
    text = "from mylib.enums import EvaluationStrategy\nx = EvaluationStrategy.STEPS\n"
    assert check(text, "t.py", **CE5).findings == []


def test_a_notebook_cell_is_fixed_in_place() -> None:
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# x\n"]},
        {
            "cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
            "source": ["from transformers.trainer_utils import EvaluationStrategy\n",
                       "s = EvaluationStrategy.STEPS\n"],
        },
    ]  # fmt: skip
    nb = json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1)
    after = fixed_text(nb, "t.ipynb", **CE5)
    assert after == nb.replace("EvaluationStrategy", "IntervalStrategy")
