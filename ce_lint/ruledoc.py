"""A rule's documentation, and its examples written out in every format ce-lint reads.

Examples are stored once, as YAML; the JSON, Python and shell forms are derived from it, so a
single example documents and tests the rule in all formats.
"""

from __future__ import annotations

import json
import re
import textwrap
from typing import Any

import yaml

from .rulebook import Example, RuleSpec

IMPORTS = {
    "CrossEncoderTrainingArguments": "from sentence_transformers.cross_encoder import CrossEncoderTrainingArguments",
    "SentenceTransformerTrainingArguments": "from sentence_transformers import SentenceTransformerTrainingArguments",
    "SparseEncoderTrainingArguments": "from sentence_transformers.sparse_encoder import SparseEncoderTrainingArguments",
    "MultiVectorEncoderTrainingArguments": (
        "from sentence_transformers.multi_vector_encoder import MultiVectorEncoderTrainingArguments"
    ),
    "TrainingArguments": "from transformers import TrainingArguments",
    "Seq2SeqTrainingArguments": "from transformers import Seq2SeqTrainingArguments",
    "SFTConfig": "from trl import SFTConfig",
    "DPOConfig": "from trl import DPOConfig",
}


def example_mapping(text: str) -> dict[str, Any]:
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError("an example must be a YAML mapping")
    return data


def as_json(text: str) -> str:
    return json.dumps(example_mapping(text), indent=2) + "\n"


def as_python(text: str, cls: str | None) -> str:
    cls = cls or "CrossEncoderTrainingArguments"
    mapping = example_mapping(text)
    if not _flat(mapping):
        # Nested configs have no one-call Python form; build the arguments from a dict.
        return ""
    lines = [IMPORTS[cls], "", f"args = {cls}("]
    lines += [f"    {key}={value!r}," for key, value in mapping.items()]
    lines.append(")")
    return "\n".join(lines) + "\n"


def as_shell(text: str, cls: str | None) -> str:
    """The example as a launch script (one flag per line), or "" when flags cannot say it:
    a value the parser would read back differently (None, `"false"` for a boolean, a float
    for a count), or an example about comments, which a derived script does not carry."""
    from .adapters.cli_args import cli_words
    from .adapters.shell_script import shell_quote

    mapping = example_mapping(text)
    if not _flat(mapping) or not mapping or re.search(r"ce-lint:|noqa", text, re.IGNORECASE):
        return ""
    if any(v is None or v == [] or v == {} for v in mapping.values()):
        return ""
    flags = []
    for key, value in mapping.items():
        words = [] if value is True else cli_words(value, None)  # a bare flag says True
        flags.append(" ".join([f"--{key}", *(shell_quote(w) for w in words)]))
    lines = [f"# ce-lint: class={cls}"] if cls else []
    lines.append("torchrun train.py \\")
    lines += [f"    {flag} \\" for flag in flags[:-1]] + [f"    {flags[-1]}"]
    script = "\n".join(lines) + "\n"
    return script if shell_values(script, cls) == _strict(mapping) else ""


def shell_values(script: str, cls: str | None) -> Any:
    """The values a launch script gives its flags, as the parser types them."""
    from .adapters.shell_script import ShellAdapter
    from .knowledge import Knowledge
    from .model import ClassChoice, ClassSource
    from .textio import SourceText

    adapter = ShellAdapter(Knowledge.load())
    chosen = ClassChoice(cls, ClassSource.SETTINGS) if cls else ClassChoice()
    document = adapter.parse(SourceText("run.sh", script), chosen)
    if len(document.sites) != 1:
        return None
    return _strict({e.key: e.value.py for e in document.sites[0].entries})


def _strict(value: Any) -> Any:
    """A value whose comparison tells True from 1 and 1 from 1.0."""
    if isinstance(value, dict):
        return {k: _strict(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_strict(v) for v in value]
    return (type(value).__name__, value)


def _flat(mapping: dict[str, Any]) -> bool:
    fields_like = all(isinstance(k, str) and k.isidentifier() for k in mapping)
    return fields_like and not any(k in ("training_args", "trainer", "args") for k in mapping)


def forms(
    text: str | None, cls: str | None, python: str | None = None, json_text: str | None = None
) -> dict[str, str]:
    """The example in each format: YAML as written; JSON, Python and shell derived from it.

    An explicit Python or JSON text replaces the derived one; a Python-only example has no YAML.
    """
    out = {} if text is None else {"yaml": text, "json": json_text or as_json(text)}
    py = python if python is not None else (as_python(text, cls) if text is not None else "")
    if py:
        out["python"] = py
    shell = as_shell(text, cls) if text is not None else ""
    if shell:
        out["shell"] = shell
    return out


def example_forms(example: Example) -> dict[str, str]:
    if example.reported:
        return forms(example.before, example.cls, example.python, example.json)
    return forms(example.valid, example.cls, example.python_valid)


def _hardware_label(spec: Any) -> str:
    if isinstance(spec, dict):
        return ", ".join(f"{k}={v}" for k, v in spec.items())
    return str(spec)


def _example_block(example: Example) -> list[str]:
    lines = []
    notes = [f"target: {', '.join(example.targets)}"] if example.targets else []
    if example.hardware is not None:
        notes.append(f"hardware: {_hardware_label(example.hardware)}")
    if example.written_for:
        notes.append(f"--from {', '.join(example.written_for)}")
    if example.release:
        changes = [f"{k} {', '.join(v)}" for k, v in example.release.items() if isinstance(v, list)]
        notes.append(f"{example.release['library']} {example.release['version']} installed, "
                     f"read from its source: {'; '.join(changes)}")  # fmt: skip
    target = f" ({'; '.join(notes)})" if notes else ""
    title = example.name or ("reported" if example.reported else "accepted")
    lines.append(f"  {title}{target}:")
    for form, text in example_forms(example).items():
        lines.append(f"    {form}:")
        lines.append(textwrap.indent(text.rstrip("\n"), "      "))
    if example.reported:
        after = [
            (f, t) for f, t in (("yaml", example.after), ("python", example.python_after)) if t
        ]
        if not after:
            lines.append("    (no automatic fix)")
        safety = "unsafe fix, needs --unsafe-fixes" if example.unsafe else "fix"
        for form, text in after:
            lines.append(f"    after {safety} ({form}):")
            lines.append(textwrap.indent(text.rstrip("\n"), "      "))
    return lines


def describe_rule(spec: RuleSpec) -> str:
    fix = {"always": "always available", "sometimes": "sometimes available", "never": "none"}[
        spec.fix
    ]
    lines = [f"{spec.code} ({spec.name})", "", spec.summary, ""]
    if spec.why:
        lines += ["Why:", textwrap.indent(textwrap.fill(spec.why, 88), "  "), ""]
    lines += [f"Fix: {fix}. A fix is safe when the meaning stays the same; an unsafe fix changes behaviour",
              "and the finding says how (apply it with --unsafe-fixes).", ""]  # fmt: skip
    if spec.examples:
        lines.append("Examples:")
        for example in spec.examples:
            lines += _example_block(example)
    return "\n".join(lines).rstrip() + "\n"
