"""ce-lint: lint and migrate training arguments of sentence-transformers cross-encoders."""

__version__ = "0.1.0"
