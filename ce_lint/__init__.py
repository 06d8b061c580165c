"""ce-lint: lint and migrate training arguments of sentence-transformers cross-encoders."""

# The one source of the version: pyproject.toml reads it ([tool.hatch.version]) and
# `ce-lint --version` prints it.
__version__ = "0.1.0"
