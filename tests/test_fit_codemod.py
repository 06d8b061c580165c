"""The fit -> Trainer codemod (CE520) on the shapes real files take: where it writes, how the
written code fits the file, and the many places where it must say why not and touch nothing."""

from __future__ import annotations

import ast

import pytest

from tests.helpers import check, fixed_text

HEAD = """from torch.utils.data import DataLoader

from sentence_transformers import InputExample
from sentence_transformers.cross_encoder import CrossEncoder

samples = [InputExample(texts=["q", "p"], label=1), InputExample(texts=["q", "n"], label=0)]
model = CrossEncoder("bert-base-uncased", num_labels=1)
loader = DataLoader(samples, shuffle=True, batch_size=16)
"""


def _fix(text: str) -> str:
    return fixed_text(text, "train.py", unsafe=True)


def _notice(text: str) -> str:
    (finding,) = [f for f in check(text, "train.py").findings if f.code == "CE520"]
    return finding.message


def test_rewrite_compiles_and_a_second_fix_changes_nothing() -> None:
    once = _fix(HEAD + "model.fit(train_dataloader=loader, epochs=2, warmup_steps=10)\n")
    ast.parse(once)
    assert "model.fit(" not in once and "trainer.train()" in once
    assert _fix(once) == once


@pytest.mark.parametrize(
    ("call", "reason"),
    [
        ("x = 1; model.fit(train_dataloader=loader)", "not a statement of its own"),
        ("done = model.fit(train_dataloader=loader)", "not a statement of its own"),
        ("model.fit(train_dataloader=loader, warmup_steps=0.1 * 100)", "whole number"),
        ("model.fit(train_dataloader=loader, callback=print)", "callback"),
        ("model.fit(train_dataloader=loader, optimizer_params=params)", "optimizer_params"),
        ("model.fit(train_dataloader=loader, scheduler=my_scheduler)", "scheduler"),
        ("model.fit(train_dataloader=loader, optimizer_class=Lion)", "AdamW"),
        ("model.fit(train_dataloader=other)", "DataLoader built in this file"),
        ("model.fit(train_dataloader=loader, activation_fct=Sigmoid())", "num_labels"),
        ("model.fit(**options)", "hide some"),
    ],
)
def test_refusals_say_why_and_touch_nothing(call: str, reason: str) -> None:
    text = HEAD + call + "\n"
    assert reason in _notice(text).split("No automatic rewrite: ", 1)[1]
    assert _fix(text) == text


def test_a_loader_bound_twice_is_not_trusted() -> None:
    text = (
        HEAD + "loader = DataLoader(samples, shuffle=False)\nmodel.fit(train_dataloader=loader)\n"
    )
    assert "No automatic rewrite" in _notice(text)
    assert _fix(text) == text


def test_a_dict_changed_in_place_is_not_read() -> None:
    text = HEAD + 'params = {"lr": 1e-5}\nparams["lr"] = 3e-5\n'
    text += "model.fit(train_dataloader=loader, optimizer_params=params)\n"
    assert "optimizer_params" in _notice(text).split("No automatic rewrite: ", 1)[1]
    bound = (
        HEAD
        + 'params = {"lr": 1e-5}\nmodel.fit(train_dataloader=loader, optimizer_params=params)\n'
    )
    assert "learning_rate=1e-5," in _fix(bound)


def test_a_name_the_file_uses_otherwise_refuses_the_import() -> None:
    text = "from torch.utils.data import Dataset\n" + HEAD + "model.fit(train_dataloader=loader)\n"
    assert "already uses the name `Dataset`" in _notice(text)


def test_taken_variable_names_get_a_suffix() -> None:
    text = HEAD + "trainer = 'mine'\nmodel.fit(train_dataloader=loader)\nprint(trainer)\n"
    out = _fix(text)
    assert "trainer_fit = CrossEncoderTrainer(" in out and "trainer_fit.train()" in out
    assert out.endswith("print(trainer)\n")


def test_inside_a_loop_with_tabs_comments_and_crlf() -> None:
    body = (
        "for epoch in range(3):\r\n"
        "\tmodel.fit(\r\n"
        "\t\ttrain_dataloader=loader,  # the pairs\r\n"
        "\t\twarmup_steps=100 if epoch == 0 else 0,\r\n"
        "\t)  # one epoch at a time\r\n"
    )
    out = _fix(HEAD.replace("\n", "\r\n") + body)
    assert "\n" not in out.replace("\r\n", "")
    lines = out.split("\r\n")
    start = lines.index("\t# the pairs")  # the comment inside the call, kept above the rewrite
    assert lines[start + 1] == "\ttrain_dataset = Dataset.from_dict("
    assert "\t\twarmup_steps=100 if epoch == 0 else 0," in lines
    assert "\ttrainer.train()  # one epoch at a time" in lines
    ast.parse(out)


def test_best_model_saving_follows_the_evaluator_name() -> None:
    text = HEAD.replace(
        "from sentence_transformers.cross_encoder import CrossEncoder\n",
        "from sentence_transformers.cross_encoder import CrossEncoder\n"
        "from sentence_transformers.cross_encoder.evaluation import CERerankingEvaluator\n",
    )
    text += 'evaluator = CERerankingEvaluator(dev, name=f"dev-{split}", at_k=5)\n'
    text += 'model.fit(train_dataloader=loader, evaluator=evaluator, output_path="out")\n'
    out = _fix(text)
    assert 'metric_for_best_model=f"dev-{split}_mrr@5",' in out
    assert 'save_strategy="best",' in out and 'eval_strategy="epoch",' in out
    assert 'CrossEncoder(trainer.state.best_model_checkpoint).save_pretrained("out")' in out


def test_the_target_must_have_the_trainer() -> None:
    text = HEAD + "model.fit(train_dataloader=loader)\n"
    result = check(text, "train.py", targets=("transformers==4.44", "sentence-transformers==3.4"))
    (finding,) = [f for f in result.findings if f.code == "CE520"]
    assert "older than the Trainer API" in finding.message
    assert finding.fix is None


def test_a_model_known_by_fit_keywords_alone_is_reported_without_a_rewrite() -> None:
    text = (
        "from torch.utils.data import DataLoader\n"
        "from sentence_transformers import InputExample\n\n\n"
        "def train(reranker, samples):\n"
        "    loader = DataLoader(samples, shuffle=True, batch_size=16)\n"
        "    reranker.fit(train_dataloader=loader, epochs=1)\n"
        "    clf.fit(features, labels)\n"
    )
    result = check(text, "train.py")
    (finding,) = [f for f in result.findings if f.code.startswith("CE52")]
    assert finding.code == "CE520" and "keywords alone" in finding.message
    assert "No automatic rewrite: the object's class is not shown" in finding.message
    assert finding.fix is None
    # without sentence-transformers in the file, the same keyword names nothing
    other = text.replace("from sentence_transformers import InputExample\n", "")
    assert not [f for f in check(other, "train.py").findings if f.code.startswith("CE52")]


def test_each_trainer_call_is_linked_to_the_last_arguments_bound_before_it() -> None:
    """The trainer link reads the file's binding index (it walked the scope once per trainer
    call: a notebook of 741 Trainer lines took 9 s, found by the fuzz campaign, seed 8)."""
    text = (
        "from transformers import Trainer, TrainingArguments\n"
        "args = TrainingArguments(output_dir='a', evaluation_strategy='steps')\n"
        "first = Trainer(model=model, args=args)\n"
        "args = TrainingArguments(output_dir='b')\n"
        "second = Trainer(model=model, args=args)\n"
        "x, args = 1, TrainingArguments(output_dir='c')\n"
        "third = Trainer(model=model, args=args)\n"
    )
    document = check(text, "train.py").document
    assert document is not None
    linked = [site.trainer.line if site.trainer else None for site in sorted(
        document.sites, key=lambda site: site.span.start
    )]  # fmt: skip
    # `x, args = 1, TrainingArguments(...)` binds a tuple, not the call: the third trainer
    # reads the second Site (the later link wins), and the third Site has none
    assert linked == [3, 7, None]
