"""The version knowledge agrees with the libraries installed here.

Fields the knowledge says exist at the installed releases are exactly the dataclass fields
of the installed classes (imported for real: this test needs the [verify] extra). The
knowledge is what `ce-lint check` judges with: the data files, plus an installed release
newer than them read from its sources.
"""

from __future__ import annotations

import dataclasses
from importlib import metadata

import pytest
from packaging.version import Version

from ce_lint.knowledge import Knowledge
from ce_lint.knowledge.installed import learn_installed

pytest.importorskip("sentence_transformers", reason="needs the [verify] extra")

pytestmark = pytest.mark.libs


def _versions() -> tuple[Version, Version]:
    return Version(metadata.version("transformers")), Version(
        metadata.version("sentence-transformers")
    )


def _init_fields(cls: type) -> set[str]:
    return {f.name for f in dataclasses.fields(cls) if f.init}


@pytest.mark.parametrize(
    "module,name",
    [
        ("transformers", "TrainingArguments"),
        ("transformers", "Seq2SeqTrainingArguments"),
        ("sentence_transformers.cross_encoder.training_args", "CrossEncoderTrainingArguments"),
        ("sentence_transformers", "SentenceTransformerTrainingArguments"),
        ("sentence_transformers.sparse_encoder.training_args", "SparseEncoderTrainingArguments"),
    ],
)
def test_fields_match_the_installed_classes(module: str, name: str) -> None:
    import importlib

    cls = getattr(importlib.import_module(module), name)
    tf, st = _versions()
    knowledge = learn_installed(Knowledge.load())
    assert knowledge.fields_of(name, tf, st) == _init_fields(cls)


def test_enums_match_the_installed_libraries() -> None:
    from sentence_transformers.base.sampler import BatchSamplers, MultiDatasetBatchSamplers
    from transformers.trainer_utils import (
        HubStrategy,
        IntervalStrategy,
        SaveStrategy,
        SchedulerType,
    )
    from transformers.training_args import OptimizerNames

    tf, st = _versions()
    kn = learn_installed(Knowledge.load())
    for enum in (IntervalStrategy, SaveStrategy, HubStrategy, SchedulerType, OptimizerNames):
        assert sorted(e.value for e in enum) == kn.tf.enum_values(enum.__name__, kn.tf.floor(tf)), (
            enum
        )
    for enum in (BatchSamplers, MultiDatasetBatchSamplers):
        assert sorted(e.value for e in enum) == kn.st.enum_values(enum.__name__, kn.st.floor(st)), (
            enum
        )


def test_removed_fields_are_really_rejected() -> None:
    """Every field the data calls removed at the installed release raises TypeError."""
    from sentence_transformers.cross_encoder import CrossEncoderTrainingArguments

    tf, st = _versions()
    kn = learn_installed(Knowledge.load())
    accepted = kn.fields_of("CrossEncoderTrainingArguments", tf, st)
    removed = [
        n
        for n in kn.all_field_names
        if n not in accepted and kn.tf.fields.get(n) and kn.tf.fields[n].removed_in
    ]
    assert len(removed) >= 31
    for name in removed:
        with pytest.raises(TypeError):
            CrossEncoderTrainingArguments(output_dir="/nonexistent-ce-lint", **{name: None})
