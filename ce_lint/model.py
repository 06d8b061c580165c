"""The format-agnostic picture of training arguments that every rule reads.

An adapter turns a file into `Site`s; rules only ever see these objects, never text.
Offsets are character offsets into the decoded document text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Names of the arguments classes ce-lint understands, most specific first.
ARGUMENT_CLASSES = (
    "CrossEncoderTrainingArguments",
    "SentenceTransformerTrainingArguments",
    "SparseEncoderTrainingArguments",
    "MultiVectorEncoderTrainingArguments",
    "TrainingArguments",
    "Seq2SeqTrainingArguments",
)
DEFAULT_CLASS = "CrossEncoderTrainingArguments"


class Unknown:
    """Marker for a value that cannot be known without running the user's code."""

    _instance: Unknown | None = None

    def __new__(cls) -> Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN = Unknown()


@dataclass(frozen=True)
class Span:
    start: int
    end: int

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(eq=False)
class Value:
    """A value in a Site: `py` is the Python value, or UNKNOWN."""

    py: Any
    span: Span
    source: str = ""  # the value's text as written (an expression in Python files)
    entries: list[Entry] | None = None  # set when the value is a mapping whose keys we can edit
    handle: Any = None  # adapter-private
    # A value written as an enum member (e.g. IntervalStrategy.STEPS): (enum class, member).
    enum: tuple[str, str] | None = None
    # How the format read the text, when that may surprise (set by the adapter, shown by rules
    # that judge the value): e.g. YAML 1.1 reading a bare `no` as false.
    reading: str = ""
    # What a non-literal value names, when the adapter can tell: "class" or "function"
    # (e.g. a custom batch sampler passed in a script).
    refers_to: str | None = None
    # The text the library receives when only text can be given (a command-line flag), and
    # `py` is what the adapter reads it as (JSON text as a mapping): None elsewhere.
    as_text: str | None = None

    @property
    def known(self) -> bool:
        return self.py is not UNKNOWN


@dataclass(eq=False)
class Entry:
    key: str
    key_span: Span
    value: Value
    parent: Value | Site | None = None
    handle: Any = None  # adapter-private
    # What the code does with the field: "set" it (constructor, config), "assign" it on an
    # object already built, "read" it (a read raises on a release without the field), or
    # "declare" it (a subclass re-declares the field).
    role: str = "set"

    @property
    def span(self) -> Span:
        return Span(min(self.key_span.start, self.value.span.start), self.value.span.end)


@dataclass(eq=False)
class Site:
    """One training-arguments object found in a file."""

    path: str
    cls: str  # arguments class name, e.g. CrossEncoderTrainingArguments
    entries: list[Entry]
    span: Span
    adapter: Any = None  # the Adapter document that owns the text
    handle: Any = None  # adapter-private
    cls_origin: str = "default"  # default | comment | config | code
    # What the adapter says about the Site, so that rules never need to know the format:
    #   partial: entries may be missing (merged in, unpacked from unknown values), so a missing
    #            key does not mean the default;
    #   validated: the libraries check the values together when the object is built
    #            (default True; False e.g. for attribute assignments on an existing object);
    #   strict_keys: an unknown key fails at once (a constructor call raises TypeError), rather
    #            than sharing the mapping with other dataclasses;
    #   kind, format, ...: what it is, for messages.
    context: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str) -> Entry | None:
        for entry in self.entries:
            if entry.key == key:
                return entry
        return None

    def all(self, key: str) -> list[Entry]:
        return [e for e in self.entries if e.key == key]

    def keys(self) -> list[str]:
        return [e.key for e in self.entries]

    def value_of(self, key: str, default: Any = None) -> Any:
        entry = self.get(key)
        return default if entry is None else entry.value.py
