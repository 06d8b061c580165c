"""Resolving names in a Python module to the library objects they stand for.

Only imports are trusted: a name counts as `TrainingArguments` when it was imported from
transformers or sentence-transformers (under any alias, from any of the module paths the
class has had) or is a class defined in the same file that derives from one. A project's own
class that merely shares the name stays unknown. A class of another library counts only where
the version knowledge says it extends TrainingArguments (trl's SFTConfig, imported from trl).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ..knowledge import TRL, Knowledge
from ..model import ARGUMENT_CLASSES
from .python_tree import module_nodes

LIBRARY_ROOTS = ("transformers", "sentence_transformers", TRL)

PARSER = "HfArgumentParser"
# Parsers that fill dataclasses the way HfArgumentParser does (TrlParser subclasses it).
PARSERS = frozenset({PARSER, "TrlParser"})

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
    # function -> the class at each position of the tuple it is annotated to return
    tuple_returns: dict[str, tuple[str | None, ...]] = field(default_factory=dict)
    # imported class of another package, known to extend an arguments class only by its use
    # (see subclass_evidence) -> its name; `classes` maps it to the arguments class
    unread: dict[str, str] = field(default_factory=dict)

    def _lookup(self, table: str, name: str) -> Any:
        """`name` in the innermost scope whose `table` (imports, classes, ...) binds it."""
        scope: Scope | None = self
        while scope is not None:
            found = getattr(scope, table)
            if name in found:
                return found[name]
            scope = scope.parent
        return None

    def lookup_import(self, name: str) -> str | None:
        return self._lookup("imports", name)

    def lookup_class(self, name: str) -> str | None:
        return self._lookup("classes", name)

    def lookup_return(self, name: str) -> str | None:
        return self._lookup("returns", name)

    def lookup_tuple_return(self, name: str) -> tuple[str | None, ...] | None:
        return self._lookup("tuple_returns", name)


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


@cache
def third_party_classes() -> frozenset[str]:
    """trl's classes that the version knowledge says extend TrainingArguments."""
    return Knowledge.load().third_party_classes


@cache
def third_party_trainers() -> frozenset[str]:
    """trl's trainers (they take the arguments as `args`, as transformers' Trainer does)."""
    return Knowledge.load().trl.trainers


# sentence-transformers' models, whose `fit` is the legacy training API.
MODEL_CLASSES = frozenset({"CrossEncoder", "SentenceTransformer", "SparseEncoder"})


def model_class(path: str | None) -> str | None:
    """The sentence-transformers model class an imported path names, if it is one."""
    if not path or path.split(".", 1)[0] != "sentence_transformers":
        return None
    name = path.rsplit(".", 1)[-1]
    return name if name in MODEL_CLASSES else None


@cache
def fit_wrappers() -> dict[str, str]:
    """Other libraries' classes whose `fit` is a model's (beir's TrainRetriever)."""
    return Knowledge.load().st.fit_wrappers


def fit_wrapper(path: str | None) -> str | None:
    """The model class whose `fit` the imported wrapper class at `path` calls, if any."""
    return fit_wrappers().get(path or "")


def is_trainer(name: str | None, path: str | None) -> bool:
    """Whether an imported object (its name and library path) is a trainer taking `args`."""
    if not name or not path:
        return False
    if path.split(".", 1)[0] == TRL:
        return name in third_party_trainers()
    return name in TRAINER_CLASSES


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
    path = qualified(node, scope)
    name = library_object(path)
    if name is not None and path is not None and path.split(".", 1)[0] == TRL:
        return name if name in third_party_classes() else None
    if name in ARGUMENT_CLASSES:
        return name
    if isinstance(node, ast.Name):
        return scope.lookup_class(node.id)
    return None


def unread_subclass(node: ast.AST, scope: Scope) -> str | None:
    """The name of the unread subclass (Scope.unread) a class reference names, else None."""
    if not isinstance(node, ast.Name):
        return None
    current: Scope | None = scope
    while current is not None:
        if node.id in current.classes:
            return current.unread.get(node.id)
        current = current.parent
    return None


def tuple_classes(annotation: ast.expr, scope: Scope) -> tuple[str | None, ...] | None:
    """`tuple[ModelArgs, TrainingArguments]` (or `Tuple[...]`): the arguments class at each
    position, when one of them is one."""
    if not isinstance(annotation, ast.Subscript):
        return None
    if dotted(annotation.value) not in ("tuple", "Tuple", "typing.Tuple"):
        return None
    elements = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else []
    if any(isinstance(e, ast.Constant) and e.value is Ellipsis for e in elements):
        return None  # tuple[X, ...]: the positions are not known
    classes = tuple(arguments_class(e, scope) for e in elements)
    return classes if any(classes) else None


# Where each arguments class is imported from, for a snippet that uses it without an import.
_HOME = {name: "transformers" for name in ("TrainingArguments", "Seq2SeqTrainingArguments")}


def unbound_class_names(tree: ast.Module, text: str) -> dict[str, str]:
    """Arguments classes a snippet calls by name without binding the name anywhere (no import,
    definition or assignment; a notebook whose import cell was left out): name -> import path.
    None when a star import from elsewhere could bind it."""
    if not any(name in text for name in ARGUMENT_CLASSES):
        return {}  # no class is named: no walk
    bound: set[str] = set()
    used: set[str] = set()
    for node in module_nodes(tree):
        if isinstance(node, ast.Name):
            (used if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                if alias.name == "*":
                    module = node.module or ""
                    if node.level or module.split(".", 1)[0] not in LIBRARY_ROOTS:
                        return {}  # `from mylib import *` may bind any name
                bound.add((alias.asname or alias.name).split(".", 1)[0])
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            bound.update(node.names)
    return {
        name: f"{_HOME.get(name, 'sentence_transformers')}.{name}"
        for name in ARGUMENT_CLASSES
        if name in used and name not in bound
    }


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


@dataclass(frozen=True)
class ParserInfo:
    """What an `HfArgumentParser((A, B, X))` fills: the arguments class at each position (None
    for the script's own dataclasses) and the fields of those others."""

    classes: tuple[str | None, ...]
    # None: some other dataclass is not defined in the file (imported), so its fields are
    # unknown; so are those of an unread subclass.
    other_fields: frozenset[str] | None
    # the unread subclass (Scope.unread) at each position, where one is
    unread: tuple[str | None, ...] = ()
    # the name each position is written as (`ScriptArguments`), where it is a plain name
    names: tuple[str | None, ...] = ()

    @property
    def cls(self) -> str | None:
        return next((c for c in self.classes if c), None)

    @property
    def unread_subclass(self) -> str | None:
        """The unread subclass at the position of `cls`, if that is one."""
        for cls, unread in zip(self.classes, self.unread, strict=False):
            if cls:
                return unread
        return None


def parser_info(
    call: ast.Call, scope: Scope, defined: dict[str, frozenset[str] | None]
) -> ParserInfo | None:
    """The ParserInfo of an `HfArgumentParser(...)` call, else None. `defined`: the fields of
    the classes the file defines (dataclass_fields)."""
    if library_object(qualified(call.func, scope)) not in PARSERS or not call.args:
        return None
    first = call.args[0]
    elements = first.elts if isinstance(first, ast.Tuple | ast.List) else [first]
    classes = tuple(arguments_class(e, scope) for e in elements)
    unread = tuple(unread_subclass(e, scope) for e in elements)
    others: set[str] | None = None if any(unread) else set()
    for element, cls in zip(elements, classes, strict=True):
        if cls is not None or others is None:
            continue
        fields = defined.get(element.id) if isinstance(element, ast.Name) else None
        if fields is None:
            others = None
            break
        others |= fields
    names = tuple(e.id if isinstance(e, ast.Name) else None for e in elements)
    return ParserInfo(classes, None if others is None else frozenset(others), unread, names)


def dataclass_fields(tree: ast.Module) -> dict[str, frozenset[str] | None]:
    """The field names of each class defined at the top of the module, with those of its bases
    defined there too; None for a class with a base from elsewhere (its fields are unknown)."""
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    found: dict[str, frozenset[str] | None] = {}

    def fields_of(name: str, seen: frozenset[str]) -> frozenset[str] | None:
        if name in found:
            return found[name]
        node = classes[name]
        own = {
            s.target.id
            for s in node.body
            if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
        }
        result: frozenset[str] | None = frozenset(own)
        for base in node.bases:
            base_name = base.id if isinstance(base, ast.Name) else None
            if base_name in classes and base_name not in seen:
                inherited = fields_of(base_name, seen | {name})
                result = None if inherited is None or result is None else result | inherited
            elif dotted(base) not in ("object", "ABC", "abc.ABC"):
                result = None  # a base from elsewhere brings fields ce-lint cannot see
        found[name] = result
        return result

    for name in classes:
        fields_of(name, frozenset())
    return found
