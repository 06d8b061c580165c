"""Names every part of the version knowledge shares: the libraries, the data folder."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from packaging.version import Version

DATA_DIR = Path(__file__).parent / "data"

TRANSFORMERS = "transformers"
SENTENCE_TRANSFORMERS = "sentence-transformers"
# A library whose arguments classes extend transformers' TrainingArguments (SFTConfig, ...).
TRL = "trl"

ST_CLASSES = (
    "CrossEncoderTrainingArguments",
    "SentenceTransformerTrainingArguments",
    "SparseEncoderTrainingArguments",
    "MultiVectorEncoderTrainingArguments",
)


@cache
def V(text: str) -> Version:
    return Version(text)
