"""The shortcuts taken for speed give the answers of the long way round.

The byte prefilter may skip a file only where parsing it would find nothing, and the shared
node list of a module is `ast.walk`'s, in its order.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import ce_lint
from ce_lint.adapters.python_script import PythonAdapter
from ce_lint.adapters.python_tree import child_nodes, module_nodes, walk_list
from ce_lint.knowledge import Knowledge
from ce_lint.textio import SourceText
from tests.helpers import engine

TRAINER_WITH_TOKENIZER = """\
from transformers import Trainer
trainer = Trainer(model=model, tokenizer=tok)
"""
# (text, the prefilter lets it through)
SNIPPETS = [
    (TRAINER_WITH_TOKENIZER, True),
    # Modeling code builds tokenizers all day and never a trainer.
    ("tokenizer = AutoTokenizer.from_pretrained(name)\n", False),
    ("from transformers import Trainer as T\nT(model=m, tokenizer = tok)\n", True),
    # One field named twice is one key: no dict of training arguments has one field alone.
    ('def f(kw):\n    if kw["use_cache"]:\n        kw["use_cache"] = False\n', False),
    ('cfg = {"learning_rate": 1e-5, "seed": 3}\n', True),
    ("cfg = {'learning_rate': 1e-5}\ncfg['evaluation_strategy'] = 'steps'\n", True),
    ("from transformers import TrainingArguments\n", True),
    ("import trl\n", True),
    ("control = 1\n", False),  # `trl` inside a word is no import of trl
    ("model.fit(train_objectives=[(loader, loss)])\n", True),
    ("import subprocess\nsubprocess.run(['python', 'train.py', '--evaluation_strategy', 'no'])\n",
     True),
]  # fmt: skip


@pytest.fixture(scope="module")
def adapter() -> PythonAdapter:
    return PythonAdapter(Knowledge.load())


@pytest.mark.parametrize(("text", "parsed"), SNIPPETS)
def test_prefilter_lets_through_what_it_must(adapter: PythonAdapter, text: str, parsed: bool):
    assert adapter.may_hold_arguments(text.encode()) is parsed


@pytest.mark.parametrize(("text", "parsed"), [s for s in SNIPPETS if not s[1]])
def test_a_skipped_file_has_nothing_to_find(text: str, parsed: bool) -> None:
    """What the prefilter skips, the whole check (run on the text directly) finds nothing in."""
    result = engine().check_source(SourceText("skipped.py", text))
    assert result.findings == []


def test_the_trainers_tokenizer_is_still_found(tmp_path: Path) -> None:
    path = tmp_path / "train.py"
    path.write_text(TRAINER_WITH_TOKENIZER)
    result = engine().check_path(path)
    assert not result.skipped
    assert any("tokenizer" in f.message for f in result.findings)


def _sources() -> list[Path]:
    return sorted(Path(ce_lint.__file__).parent.rglob("*.py"))


def test_module_nodes_are_ast_walk_in_its_order() -> None:
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        expected = list(ast.walk(tree))
        got = module_nodes(tree)
        assert len(got) == len(expected), path
        assert all(a is b for a, b in zip(got, expected, strict=True)), path
        assert module_nodes(tree) is got  # listed once per tree
        for node in expected:
            assert child_nodes(node) == list(ast.iter_child_nodes(node)), path


def test_walk_list_of_a_subtree() -> None:
    tree = ast.parse("def f(a, *, b=1):\n    return [x async for x in a if b]\n")
    function = tree.body[0]
    assert walk_list(function) == list(ast.walk(function))


def test_installed_versions_read_from_dist_info_are_importlib_metadatas() -> None:
    from importlib import metadata

    from ce_lint.knowledge.installed import _dist_info_version

    names = {d.metadata["Name"] for d in metadata.distributions()}
    assert {"transformers", "sentence-transformers", "torch"} <= names
    for name in names:
        fast = _dist_info_version(name)
        assert fast is None or fast == metadata.version(name), name
    assert _dist_info_version("transformers") == metadata.version("transformers")
    assert _dist_info_version("no-such-library-here") in ("", None)  # "": none, as metadata says


def _renamed_with_conflicts(copies: int, renamed: int = 1) -> str:
    keywords = ", ".join(
        ['evaluation_strategy="steps"'] * renamed + ['eval_strategy="no"'] * copies
    )
    return f"from transformers import TrainingArguments\nTrainingArguments(output_dir='o', {keywords})\n"


def test_a_rename_removes_a_few_conflicting_entries() -> None:
    from tests.helpers import check

    (finding,) = [
        f for f in check(_renamed_with_conflicts(2), "t.py").findings if f.code == "CE101"
    ]
    assert finding.fix is not None and len(finding.fix.edits) == 3  # rename, remove both


def test_a_rename_among_many_conflicts_is_left_to_a_person() -> None:
    """Each finding's fix would remove every copy: 1,000 of each took 20 s to report."""
    from tests.helpers import check

    found = [
        f
        for f in check(_renamed_with_conflicts(9, renamed=3), "t.py").findings
        if f.code == "CE101"
    ]
    assert len(found) == 3
    assert all(f.fix is None and "set 9 times in the same place" in f.message for f in found)


def test_many_settings_moving_into_one_mapping_are_left_to_a_person() -> None:
    """Each finding's fix would move every one of them (1,000 took 68 s to report)."""
    from tests.helpers import check

    lines = "".join(f"args.dispatch_batches = {i % 2 == 0}\n" for i in range(9))
    text = (
        "from transformers import TrainingArguments\n"
        "args = TrainingArguments(output_dir='o')\n" + lines
    )
    found = [f for f in check(text, "t.py").findings if "dispatch_batches" in f.message]
    assert len(found) == 9
    assert all(f.fix is None and "merge them by hand" in f.message for f in found)
    few = text.replace(lines, "args.dispatch_batches = True\n")
    (moved,) = [f for f in check(few, "t.py").findings if "dispatch_batches" in f.message]
    assert moved.fix is not None
