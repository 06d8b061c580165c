"""sentence-transformers' model and evaluator API, read from the sources (parse_st_api)."""

from ce_lint.knowledge import Knowledge, V
from ce_lint.knowledge.sources import parse_st_api

DECORATORS = """
def cross_encoder_init_args_decorator(func):
    _POSITIONAL_ARGS = ("num_labels", "max_length")
    def wrapper(self, *args, **kwargs):
        mapping = {"model_name": "model_name_or_path", "automodel_args": "model_kwargs"}
        return func(self, *args, **kwargs)
    return wrapper
"""

MODEL = """
class CrossEncoder(BaseModel):
    @cross_encoder_init_args_decorator
    def __init__(self, model_name_or_path=None, *, num_labels=None, max_length=None, **kw):
        pass

    @overload
    def predict(self, sentences): ...

    @deprecated_kwargs(sentences="inputs")
    def predict(self, inputs, batch_size=32):
        pass

    @deprecated("renamed")
    def old_dim(self):
        return self.new_dim()
"""

EVALUATORS = """
@deprecated("use CrossEncoderRerankingEvaluator")
class CERerankingEvaluator(CrossEncoderRerankingEvaluator):
    pass

class CrossEncoderRerankingEvaluator(BaseEvaluator):
    def __init__(self, samples, at_k=10, always_rerank_positives=True):
        pass
"""


def test_signatures_shims_and_inheritance():
    api = parse_st_api(
        {
            "sentence_transformers/util/decorators.py": DECORATORS,
            "sentence_transformers/cross_encoder/model.py": MODEL,
            "sentence_transformers/cross_encoder/evaluation/deprecated.py": EVALUATORS,
            "sentence_transformers/unrelated.py": "class CrossEncoder:\n    def __init__(self, x): pass\n",
        }
    )
    init = api["CrossEncoder.__init__"]
    assert init["params"] == ["model_name_or_path", "*", "num_labels", "max_length", "**"]
    assert init["renamed"] == {"automodel_args": "model_kwargs", "model_name": "model_name_or_path"}
    assert init["positional"] == ["num_labels", "max_length"]
    # the last definition, not the @overload stub
    assert api["CrossEncoder.predict"] == {
        "params": ["inputs", "batch_size"],
        "renamed": {"sentences": "inputs"},
    }
    assert api["CrossEncoder"] == {"renamed_methods": {"old_dim": "new_dim"}}
    assert api["CERerankingEvaluator.__init__"] == {
        "params": ["samples", "at_k", "always_rerank_positives"],
        "deprecated": True,
        "inherits": "CrossEncoderRerankingEvaluator",
    }


def test_the_data_from_the_wheels():
    st = Knowledge.load().st
    assert st.api("CrossEncoder.__init__", V("3.4.0"))["params"][3] == "device"
    assert st.api("CrossEncoder.__init__", V("4.0.0"))["params"][3] == "activation_fn"
    assert st.api("SentenceTransformer.__init__", V("5.4.0"))["params"][1] == "*"
    assert st.api("CERerankingEvaluator.__init__", V("6.3.0"))["deprecated"] is True
    assert "apply_softmax" not in st.api("CrossEncoder.rank", V("6.2.0"))["params"]
    assert "apply_softmax" in st.api("CrossEncoder.rank", V("6.1.0"))["params"]
    assert st.api_curated("CrossEncoder.rank")["dropped"]["apply_softmax"]["since"] == "6.2.0"
