"""What every source adapter provides: Sites out of text, text edits out of abstract edits."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from ..findings import (
    AbstractEdit,
    AddEntry,
    Remove,
    ReplaceRead,
    ReplaceSource,
    Rewrite,
    Template,
)
from ..knowledge import Knowledge
from ..model import (
    ARGUMENT_CLASSES,
    ApiCall,
    ClassChoice,
    ClassSource,
    Entry,
    FitCall,
    ImportRef,
    NameRef,
    Site,
    TrainerAttribute,
    TrainerKeyword,
)
from ..textio import SourceText, TextEdit
from . import cli_args
from .errors import ParseProblem, RenderError
from .files import SUFFIXES, format_of

# `# ce-lint: class=TrainingArguments` anywhere in a file sets the class of its Sites.
CLASS_DIRECTIVE = re.compile(r"ce-lint:\s*class\s*=\s*([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True, eq=False)
class Document:
    """One parsed file: its text, the Sites in it, and how to edit it.

    An adapter's `parse` builds it whole; nothing changes it afterwards.
    """

    source: SourceText
    sites: tuple[Site, ...] = ()
    problems: tuple[ParseProblem, ...] = ()
    imports: tuple[ImportRef, ...] = ()  # Python's `from ... import` statements
    trainer_keywords: tuple[TrainerKeyword, ...] = ()  # keywords of trainer calls (Python)
    trainer_attributes: tuple[TrainerAttribute, ...] = ()  # reads of trainers' attributes
    fit_calls: tuple[FitCall, ...] = ()  # legacy `model.fit(...)` calls (Python)
    api_calls: tuple[ApiCall, ...] = ()  # calls of sentence-transformers' model API (Python)
    names: tuple[NameRef, ...] = ()  # library enum classes imported or used in Python

    @property
    def path(self) -> str:
        return self.source.path

    def render(self, edit: AbstractEdit) -> list[TextEdit]:
        """Text edits for an abstract edit; formats implement rewrite/remove/add."""
        # Flags can sit inside any format (a list, a command string): cli_args renders them.
        if cli_args.owns(edit):
            return cli_args.render(edit)
        if isinstance(edit, ReplaceSource):
            return [TextEdit(edit.span.start, edit.span.end, edit.text)]
        if isinstance(edit, Rewrite):
            return self.rewrite(edit)
        if isinstance(edit, Remove):
            return self.remove(edit.entry)
        if isinstance(edit, AddEntry):
            return self.add(edit)
        if isinstance(edit, ReplaceRead):
            return self.replace_read(edit)
        raise RenderError(f"unsupported edit {edit!r}")

    def rewrite(self, edit: Rewrite) -> list[TextEdit]:
        raise RenderError("this format cannot rename or rewrite here")

    def replace_read(self, edit: ReplaceRead) -> list[TextEdit]:
        raise RenderError("this format has no reads of a field to replace")

    def remove(self, entry: Entry) -> list[TextEdit]:
        raise RenderError("this format cannot remove entries here")

    def add(self, edit: AddEntry) -> list[TextEdit]:
        raise RenderError("this format cannot add entries here")

    # Whether the format can write a value computed from other values (a Python f-string);
    # a data format can write a Template only when every part of it is known.
    writes_expressions: ClassVar[bool] = False

    def can_render(self, edit: AbstractEdit) -> bool:
        """A cheap check of whether render() can express an edit in this format."""
        if isinstance(edit, ReplaceRead):
            return False  # only code reads fields (see PythonDocument)
        value = getattr(edit, "value", None)
        return not (
            isinstance(value, Template) and value.concrete() is None and not self.writes_expressions
        )

    def location(self, offset: int) -> tuple[int, int]:
        return self.source.location(offset)

    def cell(self, offset: int) -> int | None:
        """Notebook cell number holding `offset`, for formats that have cells."""
        return None

    def output(self, text: str) -> bytes:
        """Bytes to write for the edited text."""
        return self.source.encode(text)

    def comments(self) -> list[tuple[int, str]]:
        """(offset, text) of every comment in the file, its marker included (`# x`, `// x`).

        Suppression comments are read from these. Formats without comments keep the default.
        """
        return []


# The class a launched script parses into, given the launching file's path and the script as
# written (what a run learns from the checked scripts; see script_links).
ScriptClassOf = Callable[[str, str | None], ClassChoice | None]


class Adapter:
    """Base class: subclasses set `name` (a format of files.py, which names its files) and
    implement `parse`.

    Every adapter is made with the version knowledge and, for formats that launch scripts,
    the class each launched script parses into.
    """

    name: ClassVar[str] = ""
    suffixes: ClassVar[tuple[str, ...]] = ()
    # Whether the format breaks lines at a lone CR, as YAML, JSON and Python do (bash does not).
    cr_breaks_lines: ClassVar[bool] = False

    def __init__(self, knowledge: Knowledge, script_class: ScriptClassOf | None = None):
        self.knowledge = knowledge
        self.script_class = script_class

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.suffixes = SUFFIXES.get(cls.name, ())

    @classmethod
    def matches(cls, path: str) -> bool:
        return format_of(path) == cls.name

    def may_hold_arguments(self, data: bytes) -> bool:
        """Cheap byte-level test run before any parsing."""
        return True

    def parse(self, source: SourceText, chosen: ClassChoice) -> Document:
        raise NotImplementedError

    def shell_text(self, text: str) -> str | None:
        """The shell text bash reads from a file of this format (a fix of it is written only
        while bash still accepts it); None for formats that are not shell."""
        return None


def class_directive(text: str) -> str | None:
    match = CLASS_DIRECTIVE.search(text)
    if match and (
        match.group(1) in ARGUMENT_CLASSES or match.group(1) in Knowledge.load().third_party_classes
    ):
        return match.group(1)
    return None


def directed(chosen: ClassChoice, text: str) -> ClassChoice:
    """The class a `# ce-lint: class=...` directive in the file names, else `chosen`."""
    cls = class_directive(text)
    if not cls:
        return chosen
    return ClassChoice(cls, ClassSource.COMMENT, numbers_from_text=chosen.numbers_from_text)


def leading_space(text: str) -> bool:
    return text.strip(" \t") == ""
