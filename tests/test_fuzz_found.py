"""Bugs the fuzz campaign (tools/fuzz) found in ce-lint, each kept small."""

from __future__ import annotations

import json

import pytest

from ce_lint.textio import SourceText

from .helpers import engine, fix, fixed_text
from .test_file_safety import NEW, OLD, _Breaking, _with


def test_fixes_tried_alone_are_applied_at_their_own_offsets() -> None:
    """A pass whose fixes together do not parse tries them one by one; each is planned against
    the pass's text, so a rename that shortens a line must not shift the next fix's edits."""
    source = SourceText("train.yaml", (OLD + b"seed: 7\n").decode())
    result = _with(_Breaking, "CE001").fix_source(source)
    assert result.fixed_text == (NEW + b"seed: 7\n").decode()
    # Only the broken fix is reported as not applied (the shifted rename was refused too).
    assert {n.split()[3] for n in result.notices} == {"CE001"}


def test_an_argument_added_after_a_double_star_dict_gets_its_comma() -> None:
    """`TrainingArguments(**cfg)` with an empty `cfg`: the added argument follows `**cfg`."""
    head = "from transformers import TrainingArguments\n\ncfg = {}\n"
    era = ("transformers==4.44",)
    for call, fixed in (
        ("TrainingArguments(**cfg)", 'TrainingArguments(**cfg, report_to="all", optim'),
        ("TrainingArguments(**cfg,)", 'TrainingArguments(**cfg,report_to="all", optim'),
    ):
        result = fix(f"{head}args = {call}\n", "train.py", unsafe=True, era=era)
        assert result.fixed_text is not None and fixed in result.fixed_text
        assert not result.notices


def test_an_entry_added_where_another_fix_removes_the_last_one_waits_a_pass() -> None:
    """An insertion at the end of another fix's removal would write `{, "report_to": ...}`:
    the two never share a pass, so neither is refused."""
    text = (
        "from transformers import TrainingArguments\n\ncfg = {'ddp_timeout': None}\n"
        "args = TrainingArguments(**cfg)\n"
    )
    result = fix(text, "train.py", unsafe=True, era=("transformers==4.44",))
    assert result.fixed_text is not None and "ddp_timeout" not in result.fixed_text
    assert '"report_to": "all"' in result.fixed_text and not result.notices


def test_a_json_member_removed_keeps_the_comments_on_other_lines() -> None:
    """A comment line between members (a ce-lint directive, say) is not the member's own."""
    cases = {
        '{\n  "seed": 1,\n// ce-lint: class=TrainingArguments\n  "jit_mode_eval": true\n}\n': (
            '{\n  "seed": 1\n// ce-lint: class=TrainingArguments\n}\n'
        ),
        '{\n  "jit_mode_eval": true,  // mine\n  // about seed\n  "seed": 1\n}\n': (
            '{\n  // about seed\n  "seed": 1\n}\n'
        ),
        '{\n  // only\n  "jit_mode_eval": true\n}\n': "{\n  // only\n}\n",
        '{"seed": 1, "jit_mode_eval": true}': '{"seed": 1}',  # no comment: as before
    }
    for text, fixed in cases.items():
        assert fixed_text(text, "c.json", unsafe=True) == fixed


def test_a_nested_yaml_block_value_removed_leaves_the_next_key_and_its_comment() -> None:
    """A block collection's end mark is the next key: removing the entry took that key's
    line (and the comment lines before it) along."""
    head = "training_args:\n  output_dir: o\n  model_parallel:\n"
    tail = "  # about seed\n  seed: 1\n"
    for value in ("    - a\n    - []\n", "    a: 1\n    b: [2]\n"):
        fixed = fixed_text(head + value + tail, "c.yaml", unsafe=True)
        assert fixed == "training_args:\n  output_dir: o\n" + tail


def test_the_only_entry_of_a_yaml_flow_mapping_removed_leaves_its_braces_alone() -> None:
    """`{a: 1}` -> `{}`, never `{{}}` (a mapping as a key: PyYAML rejects it)."""
    text = '{"overwrite_output_dir": 100000000000000000000}\n'
    assert fixed_text(text, "c.yaml") == "{}\n"
    nested = 'training_args: {"overwrite_output_dir": 1}\n'
    assert fixed_text(nested, "c.yaml") == "training_args: {}\n"


def test_a_notebook_cell_with_a_lone_surrogate_is_a_parse_problem_not_a_crash() -> None:
    """JSON may escape a lone surrogate ("\\udcff"); Python cannot compile such text."""
    cell = {
        "cell_type": "code",
        "source": ["from transformers import TrainingArguments\n", "\udcff"],
    }
    text = json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    result = engine().check_source(SourceText("nb.ipynb", text))
    assert "CE999" not in [f.code for f in result.findings]
    python = engine().check_source(SourceText("train.py", "x = 1\n\udcff\n"))
    assert [f.code for f in python.findings] == ["CE901"]


def test_an_unused_suppression_read_through_json_escapes_is_not_fixed_in_the_wrong_place() -> None:
    """A notebook cell's comment with `\\\\` in its JSON: offsets in the file differ from
    offsets in the comment, so the CE910 edit would cut the wrong characters."""
    cell = {"cell_type": "code", "source": ["# ce-lint: ignore[CE101, \\]\n", "x = 1\n"]}
    text = json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    result = fix(text, "nb.ipynb")
    assert result.fixed_text is None
    (unused,) = [f for f in result.findings if f.code == "CE910"]
    assert unused.fix is None and "Do it by hand" in unused.message


def test_a_fix_too_deep_for_libcst_is_reported_without_its_edits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ast reads a call nested 195 deep; libcst, which renders Python fixes, may recurse past
    the limit there (how far depends on the stack): `check` shows the finding without the
    fix's edits instead of crashing."""
    from ce_lint.adapters.python_script import PythonDocument
    from ce_lint.reporting import located_edits

    text = "from transformers import TrainingArguments\nTrainingArguments(no_cuda=True)\n"
    result = engine().check_source(SourceText("train.py", text))
    fixable = [f for f in result.findings if f.fix is not None]
    assert fixable and result.document is not None

    def too_deep(self: PythonDocument, edit: object) -> list:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(PythonDocument, "render", too_deep)
    assert all(located_edits(f, result.document) == () for f in fixable)


def test_a_python_argument_removed_keeps_the_comment_lines_before_the_next_one() -> None:
    head = "from transformers import TrainingArguments\n"
    cases = {
        "a = TrainingArguments(jit_mode_eval=False,\n# about seed\nseed=1)\n": (
            "a = TrainingArguments(\n# about seed\nseed=1)\n"
        ),
        "a = TrainingArguments(\n    jit_mode_eval=False,  # mine\n    # about seed\n    seed=1,\n)\n": (
            "a = TrainingArguments(\n    # about seed\n    seed=1,\n)\n"
        ),
    }
    for text, fixed in cases.items():
        assert fixed_text(head + text, "train.py", unsafe=True) == head + fixed


def test_a_shell_line_of_a_notebook_ends_where_ipython_ends_it() -> None:
    """IPython splits a cell with str.splitlines: a `!` command ends at U+2029 too, and what
    follows is Python. Flags added to the command must never land in that Python line (the
    campaign's notebook seed 3 #1567)."""
    for sep in ("\u2029", "\u2028", "\x85", "\f"):
        source = f"!accelerate launch {sep}d --tf32 -g"
        cell = {"cell_type": "code", "source": source, "metadata": {}, "outputs": []}
        text = json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
        result = fix(text, "nb.ipynb", unsafe=True, era=("transformers==4.44",))
        fixed = json.loads(result.fixed_text or text)["cells"][0]["source"]
        assert "".join(fixed).split(sep, 1)[1] == "d --tf32 -g", repr(sep)


def test_a_keyword_with_a_combining_accent_is_pointed_at_whole() -> None:
    """Python reads names NFKC-normalized: `ha\\u0301lf` is one letter shorter as a name than
    as text, and the finding's span must cover the text (py seed 3)."""
    from .helpers import check

    text = (
        "from transformers import TrainingArguments\n"
        'args = TrainingArguments(output_dir="o", ha\u0301lf_precision_backend="x")\n'
    )
    (finding,) = [f for f in check(text, "train.py").findings if f.code == "CE190"]
    assert text[finding.span.start : finding.span.end] == "ha\u0301lf_precision_backend"


def test_removing_a_lone_suppression_keeps_a_line_break_only_yaml_reads() -> None:
    """str.strip() takes U+2029 as a blank: the comment's line looked empty before the
    directive and the unused suppression's removal took the U+2029 with it (yaml seed 5)."""
    for text, kept in (("\u2029 #ce-lint:ignore[]", "\u2029"), ("\n #ce-lint:ignore[]\n", "\n")):
        result = fix(text, "c.yaml")
        assert result.fixed_text == kept, repr(text)


def test_an_attribute_with_a_combining_accent_is_pointed_at_whole() -> None:
    """As for keywords: `args.m\\u0301_parameters` is one letter shorter as a name (py seed 5)."""
    from .helpers import check

    text = (
        "from transformers import Seq2SeqTrainingArguments\n"
        "args = Seq2SeqTrainingArguments('')\nargs.m\u0301_parameters = {}\n"
    )
    (finding,) = [f for f in check(text, "train.py").findings if f.code == "CE190"]
    assert text[finding.span.start : finding.span.end] == "m\u0301_parameters"
