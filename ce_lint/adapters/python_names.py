"""Resolving names in a Python module to the library objects they stand for.

Only imports are trusted: a name counts as `TrainingArguments` when it was imported from
transformers or sentence-transformers (under any alias, from any of the module paths the
class has had) or is a class defined in the same file that derives from one. A project's own
class that merely shares the name stays unknown.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from ..model import ARGUMENT_CLASSES

LIBRARY_ROOTS = ("transformers", "sentence_transformers")

PARSER = "HfArgumentParser"

# Trainers that take the arguments as `args` (keyword, or the second positional argument).
TRAINER_CLASSES = frozenset(
    {
        "Trainer",
        "Seq2SeqTrainer",
        "SentenceTransformerTrainer",
        "CrossEncoderTrainer",
        "SparseEncoderTrainer",
        "MultiVectorEncoderTrainer",
    }
)


@dataclass
class Scope:
    """Names bound in one function or module body."""

    node: ast.AST
    parent: Scope | None
    imports: dict[str, str] = field(default_factory=dict)  # local name -> dotted path
    classes: dict[str, str] = field(default_factory=dict)  # local subclass -> arguments class
    returns: dict[str, str] = field(
        default_factory=dict
    )  # function -> class it is annotated to return

    def lookup_import(self, name: str) -> str | None:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.imports:
                return scope.imports[name]
            scope = scope.parent
        return None

    def lookup_class(self, name: str) -> str | None:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.classes:
                return scope.classes[name]
            scope = scope.parent
        return None

    def lookup_return(self, name: str) -> str | None:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.returns:
                return scope.returns[name]
            scope = scope.parent
        return None


def dotted(node: ast.AST) -> str | None:
    """`a.b.c` as text, or None for anything that is not a plain dotted name."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def qualified(node: ast.AST, scope: Scope) -> str | None:
    """The library path a name or attribute chain refers to, through the imports in scope."""
    text = dotted(node)
    if text is None:
        return None
    head, _, rest = text.partition(".")
    target = scope.lookup_import(head)
    if target is None:
        return None
    return f"{target}.{rest}" if rest else target


def library_object(path: str | None) -> str | None:
    """The object name when `path` points into transformers or sentence-transformers."""
    if not path:
        return None
    root = path.split(".", 1)[0]
    if root not in LIBRARY_ROOTS:
        return None
    return path.rsplit(".", 1)[-1]


def arguments_class(node: ast.AST, scope: Scope) -> str | None:
    """The arguments class a call target names (a library class or a local subclass)."""
    name = library_object(qualified(node, scope))
    if name in ARGUMENT_CLASSES:
        return name
    if isinstance(node, ast.Name):
        return scope.lookup_class(node.id)
    return None


def record_import(node: ast.Import | ast.ImportFrom, scope: Scope) -> None:
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                scope.imports[alias.asname] = alias.name
            else:
                head = alias.name.split(".", 1)[0]
                scope.imports[head] = head
        return
    if node.level or not node.module:
        return  # relative imports point into the user's own package
    for alias in node.names:
        if alias.name != "*":
            scope.imports[alias.asname or alias.name] = f"{node.module}.{alias.name}"
