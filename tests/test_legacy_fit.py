"""The legacy training API: `model.fit(...)` of sentence-transformers models (issue 15).

What each release does was read from the wheels and run on a tiny model in each
(/work/research/legacy-fit): these tests pin the rules to those facts."""

from __future__ import annotations

import json
import textwrap

from tests.helpers import check

CE = "from sentence_transformers.cross_encoder import CrossEncoder\nmodel = CrossEncoder('m', num_labels=1)\n"


def codes(text: str, st: str = "6.3", name: str = "train.py") -> list[str]:
    result = check(textwrap.dedent(text), name, targets=(f"sentence-transformers=={st}",))
    return sorted(f.code for f in result.findings if f.code >= "CE520")


def message(text: str, code: str, st: str = "6.3") -> str:
    result = check(textwrap.dedent(text), "train.py", targets=(f"sentence-transformers=={st}",))
    return next(f.message for f in result.findings if f.code == code)


def test_positional_arguments_are_named_by_the_signature() -> None:
    text = CE + "model.fit(loader, ev, 3, None, None, 'WarmupCosine', 100)\n"
    said = message(text, "CE520")
    assert "epochs -> num_train_epochs=3" in said
    assert "scheduler -> lr_scheduler_type='cosine'" in said
    assert "warmup_steps -> warmup_steps=100" in said
    assert "weight_decay=0.01" in said  # fit's default, which the Trainer does not share


def test_a_scheduler_object_raises_from_4_0() -> None:
    built = CE + "model.fit(loader, scheduler=get_linear_schedule_with_warmup(opt, 1, 9))\n"
    assert codes(built) == ["CE520", "CE521"]
    assert codes(built, st="3.4") == ["CE520"]  # the 3.x loop took objects
    named = CE + "model.fit(loader, scheduler='WarmupLinear')\n"
    held = CE + "model.fit(loader, scheduler=sched)\n"  # may hold a name: not judged
    assert codes(named) == codes(held) == ["CE520"]


def test_an_unsaved_output_path_between_4_0_and_6_3() -> None:
    text = CE + "model.fit(loader, evaluator=ev, output_path='out', callback=cb)\n"
    assert codes(text, st="6.2") == ["CE520", "CE522"]
    assert "never calls `callback`" in message(text, "CE522", st="6.2")
    assert codes(text, st="6.3") == ["CE520"]  # 6.3 saves and calls again
    stepped = CE + "model.fit(loader, evaluator=ev, output_path='out', evaluation_steps=50)\n"
    assert codes(stepped, st="6.2") == ["CE520"]
    nothing = CE + "model.fit(loader, evaluator=None, output_path=None)\n"
    assert codes(nothing, st="6.2") == ["CE520"]


def test_sparse_encoder_fit_is_gone_from_5_4() -> None:
    text = (
        "from sentence_transformers import SparseEncoder\nm = SparseEncoder('s')\nm.fit([(l, x)])\n"
    )
    assert codes(text, st="6.3") == ["CE523"]
    assert codes(text, st="5.3") == ["CE520"]


def test_other_fits_stay_quiet() -> None:
    own = "from myproj import CrossEncoder\nmodel = CrossEncoder('m')\nmodel.fit(loader)\n"
    sklearn = "from sklearn.linear_model import LogisticRegression\nm = LogisticRegression()\nm.fit(x, y)\n"
    assert codes(own) == codes(sklearn) == []


def test_a_notebook_cell() -> None:
    cells = [CE, "model.fit(loader, epochs=2)\n"]
    nb = {"cells": [{"cell_type": "code", "source": c, "metadata": {}, "outputs": []} for c in cells],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}  # fmt: skip
    text = json.dumps(nb)
    result = check(text, "nb.ipynb")
    (finding,) = [f for f in result.findings if f.code == "CE520"]
    assert text[finding.span.start : finding.span.end] == "fit"


def test_a_model_held_by_a_class_of_the_file() -> None:
    text = """
    from sentence_transformers.cross_encoder import CrossEncoder
    class Reranker:
        def __init__(self, name):
            self.model = CrossEncoder(name, num_labels=1)
        def train(self, loader):
            self.model.fit(train_dataloader=loader, epochs=1)
            self.other.fit(loader)
    """
    assert codes(text) == ["CE520"]


def test_a_parameter_annotated_with_a_model_class() -> None:
    text = """
    from sentence_transformers import SentenceTransformer
    def train(model: SentenceTransformer, data):
        model.fit(train_objectives=[(data, None)], epochs=1)
    def other(model):
        model.fit(data)
    """
    assert codes(text) == ["CE520"]


def test_a_wrapper_whose_fit_is_the_models() -> None:
    text = """
    from beir.retrieval.train import TrainRetriever
    from sentence_transformers import SentenceTransformer
    model = SentenceTransformer("m")
    retriever = TrainRetriever(model=model, batch_size=16)
    retriever.fit(train_objectives=[(loader, loss)], epochs=2, warmup_steps=10)
    """
    assert codes(text) == ["CE520"]
    assert "through TrainRetriever" in message(text, "CE520")
    assert "epochs -> num_train_epochs=2" in message(text, "CE520")


def test_a_model_handed_to_a_function_of_the_file() -> None:
    text = """
    from sentence_transformers import SentenceTransformer
    def finetune(model, data, epochs):
        model.fit(train_objectives=[(data, None)], epochs=epochs)
    def other(model):
        model.fit(data)
    model = SentenceTransformer("m")
    finetune(model=model, data=loader, epochs=1)
    other(model)
    other(something_else)
    """
    assert codes(text) == ["CE520"]  # `other` gets a model and something else


def test_the_model_api_in_a_notebook() -> None:
    """CE507 (a renamed constructor keyword) placed on the notebook's own text, and fixed
    there."""
    from tests.helpers import fix

    cells = [CE.replace("num_labels=1", "automodel_args={}")]
    nb = {"cells": [{"cell_type": "code", "source": c, "metadata": {}, "outputs": []} for c in cells],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}  # fmt: skip
    text = json.dumps(nb)
    (finding,) = [f for f in check(text, "nb.ipynb").findings if f.code == "CE507"]
    assert text[finding.span.start : finding.span.end] == "automodel_args"
    fixed = json.loads(fix(text, "nb.ipynb").fixed_text or text)["cells"][0]["source"]
    assert "model_kwargs={}" in "".join(fixed)
