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


# cnlp_transformers src/cnlpt/_cli/train.py before its maintainers' migration: IntervalStrategy
# is imported beside it, and the class is named as a type for typer (which builds the member).
CNLPT_TYPER = """\
from typing import Annotated

from transformers.trainer_utils import EvaluationStrategy, IntervalStrategy

LoggingStrategyArg = Annotated[IntervalStrategy, option("logging_strategy")]
EvalStrategyArg = Annotated[
    EvaluationStrategy, option("eval_strategy")
]


def main(strategy: EvaluationStrategy | None = None) -> Optional[EvaluationStrategy]:
    return EvaluationStrategy("steps") if strategy is None else EvaluationStrategy[strategy.name]
"""


def test_an_import_that_brings_the_replacement_loses_the_removed_name() -> None:
    result = check(CNLPT_TYPER, "train.py", **CE5)
    [finding] = result.findings
    assert "imported already" in finding.message
    after = fixed_text(CNLPT_TYPER, "train.py", **CE5)  # safe: types and members only
    assert after == CNLPT_TYPER.replace(
        "EvaluationStrategy, IntervalStrategy", "IntervalStrategy"
    ).replace("EvaluationStrategy", "IntervalStrategy")
    assert check(after, "train.py", **CE5).findings == []


def test_the_removed_name_is_dropped_keeping_the_layout() -> None:
    def drop(imports: str) -> str:
        return fixed_text(f"{imports}\nx = EvaluationStrategy.NO\n", "t.py", **CE5)

    first = "from transformers.trainer_utils import (\n    EvaluationStrategy,\n    IntervalStrategy,\n)"
    assert drop(first) == (
        "from transformers.trainer_utils import (\n    IntervalStrategy,\n)\nx = IntervalStrategy.NO\n"
    )
    last = "from transformers.trainer_utils import (\n    IntervalStrategy,\n    EvaluationStrategy,\n)"
    assert drop(last) == (
        "from transformers.trainer_utils import (\n    IntervalStrategy,\n)\nx = IntervalStrategy.NO\n"
    )
    assert drop("from transformers import IntervalStrategy as IS, EvaluationStrategy") == (
        "from transformers import IntervalStrategy as IS, IntervalStrategy\nx = IntervalStrategy.NO\n"
    )  # the replacement is bound under another name: renamed, not dropped
    # an earlier statement of the same block brings it: the removed name's line goes
    separate = (
        "from transformers import IntervalStrategy\n"
        "from transformers.trainer_utils import EvaluationStrategy  "
    )
    assert drop(separate) == "from transformers import IntervalStrategy\nx = IntervalStrategy.NO\n"


def test_the_removed_name_is_renamed_where_dropping_it_could_unbind_or_lose_text() -> None:
    def fixed(text: str) -> str:
        after = fixed_text(text, "t.py", **CE5)
        ast.parse(after)
        assert check(after, "t.py", **CE5).findings == []
        return after

    cases = [
        # imported after it: the uses between would meet an unbound name
        "from transformers.trainer_utils import EvaluationStrategy\n"
        "x = EvaluationStrategy.NO\n"
        "from transformers import IntervalStrategy\n",
        # imported in a function only
        "from transformers.trainer_utils import EvaluationStrategy\n"
        "def f():\n    from transformers import IntervalStrategy\n"
        "x = EvaluationStrategy.NO\n",
        # a comment between the names
        "from transformers.trainer_utils import (\n    EvaluationStrategy,  # old\n"
        "    IntervalStrategy,\n)\nx = EvaluationStrategy.NO\n",
        # another statement on the line, and an import in a block of its own
        "from transformers import IntervalStrategy\n"
        "import os; from transformers.trainer_utils import EvaluationStrategy\n"
        "x = EvaluationStrategy.NO\n",
        "from transformers import IntervalStrategy\n"
        "try:\n    from transformers.trainer_utils import EvaluationStrategy\n"
        "except ImportError:\n    pass\nx = EvaluationStrategy.NO\n",
        # an IntervalStrategy of another package beside it
        "from mylib import IntervalStrategy\n"
        "from transformers.trainer_utils import EvaluationStrategy\nx = EvaluationStrategy.NO\n",
    ]
    for text in cases[:-1]:
        assert fixed(text) == text.replace("EvaluationStrategy", "IntervalStrategy"), text
    assert fixed_text(cases[-1], "t.py", **CE5) == cases[-1]  # binds the name itself: by hand


def test_using_the_class_itself_is_an_unsafe_rename() -> None:
    """isinstance/type tell the classes apart: TrainingArguments stores its strategies as
    IntervalStrategy members, which were never EvaluationStrategy instances, so the check's
    answer for them changes with the rename."""
    for use in (
        "isinstance(value, EvaluationStrategy)",
        "isinstance(value, (EvaluationStrategy, str))",
        "type(value) is EvaluationStrategy",
        "choices(EvaluationStrategy)",
        "EvaluationStrategy.__name__",
    ):
        text = f"from transformers.trainer_utils import EvaluationStrategy\n\nx = {use}\n"
        [finding] = check(text, "t.py", **CE5).findings
        assert finding.fix is not None and finding.fix.applicability == "unsafe", use
        assert "the class itself" in finding.message
        assert fixed_text(text, "t.py", **CE5) == text  # not without --unsafe-fixes
        after = fixed_text(text, "t.py", unsafe=True, **CE5)
        assert after == text.replace("EvaluationStrategy", "IntervalStrategy"), use
    # a member, a value or a type alone stays safe
    text = (
        "from transformers import EvaluationStrategy\n"
        "def f(s: 'x', t: EvaluationStrategy = EvaluationStrategy.NO):\n"
        "    return EvaluationStrategy(s)\n"
    )
    [finding] = check(text, "t.py", **CE5).findings
    assert finding.fix is not None and finding.fix.applicability == "safe"


def test_a_notebook_import_brought_by_an_earlier_cell_is_dropped() -> None:
    cells = [
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
         "source": ["from transformers import IntervalStrategy\n", "import os"]},
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
         "source": ["from transformers.trainer_utils import EvaluationStrategy\n",
                    "s = EvaluationStrategy.STEPS"]},
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
         "source": ["t = 1\n", "from transformers.trainer_utils import EvaluationStrategy"]},
    ]  # fmt: skip
    nb = json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1)
    after = json.loads(fixed_text(nb, "t.ipynb", **CE5))
    assert after["cells"][1]["source"] == ["s = IntervalStrategy.STEPS"]
    assert after["cells"][2]["source"] == ["t = 1"]  # the cell's last line loses its newline
