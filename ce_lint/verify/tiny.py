"""A tiny cross-encoder and a generated pairs dataset, made on the spot: nothing is downloaded.

Runs only inside the verification worker (it imports transformers and datasets).
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

from ..fileio import atomic_write_text

# A small closed vocabulary: every generated text tokenizes into whole words.
_WORD_TEXT = (
    "what how why when where which who is are was can does do the a an of to in on for with "
    "by from at about into cat dog bird fish tree river city road house garden school market "
    "train model query passage answer question paper score rank data search engine light water "
    "fire stone music story history science number color small large quick slow red blue green "
    "old new good bad early late open closed warm cold"
)
WORDS = tuple(_WORD_TEXT.split())
SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789"


def vocabulary() -> list[str]:
    """Special tokens, the words, and single characters (plain and ## continuations) so that
    any lowercase text a prompt adds still tokenizes without [UNK] runs."""
    chars = list(LETTERS) + ["##" + c for c in LETTERS]
    punctuation = list(".,:;?!'\"-_/()")
    return SPECIAL_TOKENS + punctuation + chars + [w for w in WORDS if w not in LETTERS]


def build_tiny_model(directory: Path, seed: int = 0) -> Path:
    """Write a two-layer BERT sequence classifier with one output and its tokenizer."""
    import torch

    directory.mkdir(parents=True, exist_ok=True)
    vocab_file = directory / "vocab.txt"
    atomic_write_text(vocab_file, "\n".join(vocabulary()) + "\n")
    tokenizer = BertTokenizerFast(vocab_file=str(vocab_file), do_lower_case=True)
    config = BertConfig(
        vocab_size=len(vocabulary()),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
        num_labels=1,
    )
    torch.manual_seed(seed)
    model = BertForSequenceClassification(config)
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


def pairs(rows: int, seed: int, num_labels: int = 1) -> dict[str, list[Any]]:
    """(query, passage, label) columns with distinct texts and balanced labels.

    Labels alternate so that group_by_label finds at least two of each; they are floats
    0/1 for a single-output model and class ids otherwise.
    """
    rng = random.Random(seed)
    seen: set[str] = set()

    def text(low: int, high: int) -> str:
        while True:
            candidate = " ".join(rng.choices(WORDS, k=rng.randint(low, high)))
            if candidate not in seen:
                seen.add(candidate)
                return candidate

    queries = [text(3, 6) for _ in range(rows)]
    passages = [text(8, 14) for _ in range(rows)]
    if num_labels == 1:
        labels: list[Any] = [float(i % 2) for i in range(rows)]
    else:
        labels = [i % num_labels for i in range(rows)]
    return {"query": queries, "passage": passages, "label": labels}
