"""The first pass over a Python module: scopes, imports, subclasses, and which names hold
arguments objects, parsers and dicts (nothing is imported or executed)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..knowledge import TRL
from ..model import (
    ARGUMENT_CLASSES,
    UNKNOWN,
    USE_CALL,
    USE_MEMBER,
    USE_OTHER,
    USE_TYPE,
    ImportRef,
    NameRef,
    Span,
)
from ..textio import SourceText
from .python_names import (
    LIBRARY_ROOTS,
    PARSERS,
    TRAINER_CLASSES,
    ParserInfo,
    Scope,
    arguments_class,
    dataclass_fields,
    dotted,
    fit_wrapper,
    is_trainer,
    library_object,
    model_class,
    parser_info,
    qualified,
    record_import,
    third_party_classes,
    tuple_classes,
    unbound_class_names,
    unread_subclass,
)
from .python_scopes import Bindings
from .python_tree import child_nodes, module_nodes

PARSE_METHODS = (
    "parse_args_into_dataclasses",
    "parse_json_file",
    "parse_yaml_file",
    "parse_dict",
    "parse_args_and_config",  # TrlParser
)
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)

# Parameters read as arguments objects when nothing in the file gives them a type (the class
# is then assumed: TrainingArguments, whose fields the whole family shares).
# The arguments class an unread subclass extends, as far as its use shows (a trainer's `args`).
UNREAD_BASE = "TrainingArguments"

ST_ROOT = "sentence_transformers"
FIT_KEYWORD = re.compile(r"\b(?:train_objectives|train_dataloader)\s*=")
ARGUMENTS_PARAMETERS = frozenset({"training_args", "train_args", "training_arguments"})
ASSUMED_PARAMETER_CLASS = "TrainingArguments"
# An unannotated parameter of this name is read as a transformers Trainer (a callback's).
TRAINER_PARAMETERS = frozenset({"trainer"})
OTHER_TRAINER_LIBRARIES = frozenset({"lightning", "pytorch_lightning"})


@dataclass
class ScopeBindings:
    args_vars: dict[str, str] = field(default_factory=dict)  # variable -> arguments class
    dict_vars: dict[str, ast.expr] = field(default_factory=dict)  # variable -> Dict / dict() call
    parsers: dict[str, ParserInfo] = field(default_factory=dict)  # variable -> its dataclasses
    bound: set[str] = field(default_factory=set)  # every name bound in the scope
    guessed: dict[str, bool] = field(default_factory=dict)  # args_vars known by name alone
    guessed_trainers: dict[str, bool] = field(default_factory=dict)  # trainers by name alone
    # variable -> the script's own dataclass a parser filled it with (see Origin.DEFAULTS)
    own_vars: dict[str, str] = field(default_factory=dict)
    model_vars: dict[str, str] = field(default_factory=dict)  # variable -> its model class
    fit_wrappers: dict[str, str] = field(default_factory=dict)  # variable -> wrapper's name
    unread: dict[str, str] = field(default_factory=dict)  # args_vars of an unread subclass
    trainer_vars: dict[str, ast.Call] = field(default_factory=dict)  # variable -> trainer call


class PositionMap:
    """ast positions (UTF-8 byte columns) to character offsets in the text."""

    def __init__(self, source: SourceText):
        self.source = source
        self.lines = source.text.split("\n")

    def offset(self, lineno: int, col: int) -> int:
        line = self.lines[lineno - 1]
        if line.isascii():
            chars = col
        else:
            chars = len(line.encode("utf-8")[:col].decode("utf-8", errors="replace"))
        return self.source.line_starts[lineno - 1] + chars

    def span(self, node: ast.AST) -> Span:
        return Span(
            self.offset(node.lineno, node.col_offset),  # type: ignore[attr-defined]
            self.offset(node.end_lineno, node.end_col_offset),  # type: ignore[attr-defined]
        )


def _untyped(param: ast.arg, default: ast.expr | None) -> bool:
    """No annotation, and no default that says what it holds (None says nothing)."""
    if param.annotation is not None:
        return False
    return default is None or (isinstance(default, ast.Constant) and default.value is None)


def literal(node: ast.AST) -> Any:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return UNKNOWN


class FileNames:
    """What the names of one module are bound to, scope by scope."""

    def __init__(self, source: SourceText, tree: ast.Module):
        self.source = source
        self.tree = tree
        self.pos = PositionMap(source)
        self.imports: list[ImportRef] = []
        self.scopes: dict[ast.AST, Scope] = {}
        self.bindings: dict[ast.AST, ScopeBindings] = {}
        self.defined: dict[str, str] = {}  # names of classes and functions defined in the file
        self.module_scope = Scope(tree, None)
        self._dataclass_fields: dict[str, frozenset[str] | None] | None = None
        self.arguments_parameters: set[str] = set()  # parameters named like arguments objects
        self.trainer_parameters = False  # a parameter named like a trainer (see TRAINER_PARAMETERS)
        # classes of the file deriving from a known trainer (see _subclass_evidence)
        self.trainer_subclasses: set[str] = set()
        for node in module_nodes(tree):
            if isinstance(node, ast.ClassDef):
                self.defined[node.name] = "class"
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self.defined.setdefault(node.name, "function")
                names = {a.arg for a in node.args.args + node.args.kwonlyargs}
                self.arguments_parameters |= names & ARGUMENTS_PARAMETERS
                self.trainer_parameters |= bool(names & TRAINER_PARAMETERS)
        self._collect(tree, self.module_scope)
        # what the module imports, before the classes a snippet names without an import
        self.module_imports = dict(self.module_scope.imports)
        self.module_scope.imports.update(unbound_class_names(tree, source.text))
        self._subclass_evidence()

    @cached_property
    def every_binding(self) -> Bindings:
        """Each binding of each name (made on first use: most files need none)."""
        return Bindings(self.tree)

    def bind(self) -> None:
        """Which variables hold arguments, parsers and dicts (worth it once a file names them)."""
        self._bind(self.tree, self.module_scope)
        self._model_parameters()

    def _model_parameters(self) -> None:
        """A parameter of a module-level function that every call of it in the file hands the
        same kind of model (`finetune(model=model, ...)` with `model = SentenceTransformer(...)`)
        holds that model."""
        functions = {
            n.name: n
            for n in self.tree.body
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        }
        seen: dict[tuple[str, str], set[str | None]] = {}
        for call in module_nodes(self.tree):
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)):
                continue
            function = functions.get(call.func.id)
            if function is None or self.scope_of(call).lookup_import(call.func.id):
                continue
            params = [a.arg for a in function.args.posonlyargs + function.args.args]
            handed = list(zip(params, call.args, strict=False))
            handed += [(k.arg, k.value) for k in call.keywords if k.arg]
            for param, value in handed:
                model = None
                if isinstance(value, ast.Name):
                    model = self.lookup(value.id, self.scope_of(call), "model_vars")
                seen.setdefault((function.name, param), set()).add(model)
        for (name, param), models in seen.items():
            (model,) = models if len(models) == 1 else (None,)
            if model is not None:
                inner = self.bindings_of(self.scopes[functions[name]])
                if param not in inner.model_vars and param in {
                    a.arg
                    for a in functions[name].args.args
                    + functions[name].args.posonlyargs
                    + functions[name].args.kwonlyargs
                }:
                    inner.model_vars[param] = model

    @cached_property
    def guesses_trainers(self) -> bool:
        """Whether a parameter named `trainer` is taken for transformers' Trainer: the file
        imports from the family and from no other training framework (Lightning's callbacks
        take a `trainer` too)."""
        if not self.trainer_parameters:
            return False
        scopes = {id(s): s for s in self.scopes.values()}.values()  # a scope per node: once each
        roots = {p.split(".", 1)[0] for s in scopes for p in s.imports.values()}
        return bool(roots & set(LIBRARY_ROOTS)) and not roots & OTHER_TRAINER_LIBRARIES

    def names_arguments(self) -> bool:
        """Whether any import, subclass or annotated function can lead to arguments.

        Most files that merely mention TrainingArguments (docs, the library's own relative
        imports) stop here after one walk instead of three.
        """
        if self.arguments_parameters or self.guesses_trainers:
            return True
        for scope in {id(s): s for s in self.scopes.values()}.values():
            if scope.classes or scope.returns or scope.tuple_returns:
                return True
            for path in scope.imports.values():
                name = library_object(path)
                if name in ARGUMENT_CLASSES or name in PARSERS or name in TRAINER_CLASSES:
                    return True
                if path.split(".", 1)[0] == TRL and name in third_party_classes():
                    return True
                if is_trainer(name, path):
                    return True  # its keywords (`tokenizer=`) are judged too
                if model_class(path) or fit_wrapper(path):
                    return True  # its legacy `fit` is judged
                if path.split(".", 1)[0] == ST_ROOT and FIT_KEYWORD.search(self.source.text):
                    return True  # a `fit` known by its keywords alone (python_sites)
                if path.split(".", 1)[0] in LIBRARY_ROOTS and path.rsplit(".", 1)[-1].islower():
                    return True  # a module (`import transformers as tf`): any attribute may be the class
        return False

    def _subclass_evidence(self) -> None:
        """Classes of other packages that the file hands a trainer as `args`: subclasses of
        TrainingArguments known by that use alone (their source is not read). They are bound
        like a subclass defined in the file (Scope.classes), and marked unread (Scope.unread).

        A trainer is a known one (transformers', sentence-transformers' or trl's, or a class
        of this file deriving from one: they read every field of `args`, keyword or second
        positional), or a class called `...Trainer` imported from the same package as the
        arguments class, given it as the `args` keyword. A package that exports classes under
        transformers' own names (`Trainer`, `TrainingArguments`: setfit, PaddleNLP) has
        re-implemented them rather than extended them, so a class of that very name is never
        taken, nor a same-package trainer of that name. HfArgumentParser filling a class is no
        evidence alone (it fills any dataclass: peft's LoraConfig, a project's ModelArguments
        kept in another module); the object it returns, handed to a trainer, is.
        """
        if "Trainer" not in self.source.text:
            return  # every trainer taken is or derives from a `...Trainer`
        calls: list[ast.Call] = []
        binds: dict[str, list[tuple[ast.Assign, int | None]]] = {}
        trainer_subclasses = self.trainer_subclasses
        for node in module_nodes(self.tree):
            if isinstance(node, ast.Call):
                calls.append(node)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        binds.setdefault(target.id, []).append((node, None))
                    elif isinstance(target, ast.Tuple | ast.List):
                        for i, element in enumerate(target.elts):
                            if isinstance(element, ast.Name):
                                binds.setdefault(element.id, []).append((node, i))
            elif isinstance(node, ast.ClassDef):
                scope = self.scopes[node]
                paths = [qualified(base, scope) for base in node.bases]
                if any(is_trainer(library_object(path), path) for path in paths):
                    trainer_subclasses.add(node.name)
        for call in calls:
            scope = self.scopes[call]
            path = qualified(call.func, scope)
            name = path.rsplit(".", 1)[-1] if path else None
            known = is_trainer(library_object(path), path) or (
                isinstance(call.func, ast.Name) and call.func.id in trainer_subclasses
            )
            args = next((k.value for k in call.keywords if k.arg == "args"), None)
            if known and args is None and len(call.args) > 1:
                args = call.args[1]
            if args is None or isinstance(args, ast.Starred):
                continue
            if known:
                package = None
            elif (
                path
                and name
                and name.endswith("Trainer")
                and name not in TRAINER_CLASSES
                and path.split(".", 1)[0] not in LIBRARY_ROOTS
            ):
                package = path.split(".", 1)[0]
            else:
                continue
            for node in self._args_classes(args, scope, binds):
                self._mark_unread(node, package)

    def _args_classes(
        self, args: ast.expr, scope: Scope, binds: dict[str, list[tuple[ast.Assign, int | None]]]
    ) -> Iterator[ast.expr]:
        """The class references that may have built `args`: its own call, the calls assigned to
        the name in the innermost scope that assigns it, or the class at its position in the
        HfArgumentParser whose result is unpacked into it."""
        if isinstance(args, ast.Call):
            yield args.func
            return
        if not isinstance(args, ast.Name):
            return
        current: Scope | None = scope
        while current is not None:
            found = [(a, i) for a, i in binds.get(args.id, ()) if self.scopes[a] is current]
            if found:
                break
            current = current.parent
        else:
            return
        for assign, index in found:
            value = assign.value
            if not isinstance(value, ast.Call):
                continue
            if index is None:
                yield value.func
                continue
            func = value.func
            if not isinstance(func, ast.Attribute) or func.attr not in PARSE_METHODS:
                continue
            parser = func.value
            if isinstance(parser, ast.Name):
                made = [
                    a.value
                    for a, i in binds.get(parser.id, ())
                    if i is None and isinstance(a.value, ast.Call)
                ]
                parser = made[-1] if len(made) == 1 else None
            if not isinstance(parser, ast.Call) or not parser.args:
                continue
            if library_object(qualified(parser.func, self.scopes[parser])) not in PARSERS:
                continue
            first = parser.args[0]
            elements = first.elts if isinstance(first, ast.Tuple | ast.List) else [first]
            if index < len(elements):
                yield elements[index]

    def _mark_unread(self, node: ast.expr, package: str | None) -> None:
        """Bind an imported class of another package as an unread subclass (see
        _subclass_evidence); `package`: the trainer's, which the class must share."""
        if not isinstance(node, ast.Name):
            return
        scope: Scope | None = self.scopes[node]
        while scope is not None and node.id not in scope.imports:
            scope = scope.parent
        if scope is None or node.id in scope.classes:
            return
        path = scope.imports[node.id]
        root, _, rest = path.partition(".")
        name = path.rsplit(".", 1)[-1]
        if not rest or root in LIBRARY_ROOTS or (package is not None and root != package):
            return  # a module, the libraries' own classes (known), another package's
        if not name[:1].isupper() or name in ARGUMENT_CLASSES:
            return
        scope.classes[node.id] = UNREAD_BASE
        scope.unread[node.id] = name

    def children_scopes(self, node: ast.AST, scope: Scope) -> Iterator[tuple[ast.AST, Scope]]:
        for child in child_nodes(node):
            if isinstance(child, FUNCTIONS):
                yield child, self.scopes.setdefault(child, Scope(child, scope))
            else:
                yield child, scope

    def _collect(self, node: ast.AST, scope: Scope) -> None:
        self.scopes.setdefault(node, scope)
        for child, child_scope in self.children_scopes(node, scope):
            if isinstance(child, ast.Import | ast.ImportFrom):
                record_import(child, child_scope)
                if isinstance(child, ast.ImportFrom) and child.module and not child.level:
                    self._record_import_ref(child)
            elif (
                isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
                and child.returns is not None
            ):
                cls = self.annotation_class(child.returns, scope)
                if cls:
                    scope.returns[child.name] = cls
                elif classes := tuple_classes(child.returns, scope):
                    scope.tuple_returns[child.name] = classes
            elif isinstance(child, ast.ClassDef):
                for base in child.bases:
                    cls = arguments_class(base, child_scope)
                    if cls:
                        child_scope.classes[child.name] = cls
                        break
            self._collect(child, child_scope)

    def _record_import_ref(self, node: ast.ImportFrom) -> None:
        statement = self.pos.span(node)
        text = self.source.text[statement.start : statement.end]
        module = node.module or ""
        start = text.find(module, len("from"))
        if start < 0:
            return
        span = Span(statement.start + start, statement.start + start + len(module))
        self.imports.append(ImportRef(module, tuple(a.name for a in node.names), span, statement))

    def library_names(self, wanted: frozenset[str]) -> list[NameRef]:
        """Where library objects named in `wanted` (enum classes) are imported and used."""
        out: list[NameRef] = []
        if not any(name in self.source.text for name in wanted):
            return out
        parents: dict[ast.AST, ast.AST] = {}
        for node in module_nodes(self.tree):
            for child in child_nodes(node):
                parents[child] = node
        for node in module_nodes(self.tree):
            if _library_import(node):
                assert isinstance(node, ast.ImportFrom) and node.module
                statement = self.pos.span(node)
                block = self._block(node, parents)
                for i, alias in enumerate(node.names):
                    if alias.name in wanted:
                        start = self.pos.span(alias).start
                        span = Span(start, start + len(alias.name))
                        path = f"{node.module}.{alias.name}"
                        local = alias.asname or alias.name
                        drop = self._drop(node, i, block)
                        out.append(
                            NameRef(
                                path,
                                span,
                                local,
                                True,
                                is_import=True,
                                statement=statement,
                                block=block[0] if block else None,
                                drop=drop,
                            )
                        )
            elif own := _own_binding(node, wanted):
                # the file binds the name itself: a rename onto it would change what it means
                out.append(NameRef("", self.pos.span(node), own, False))
            elif isinstance(node, ast.Name | ast.Attribute) and isinstance(node.ctx, ast.Load):
                if isinstance(node, ast.Name):
                    scope = self.scopes.get(node)
                    if scope is None:
                        continue
                    # a Name can reach a library object only through `from ... import`
                    path, imported = scope.lookup_import(node.id), True
                    span, local = self.pos.span(node), node.id
                else:
                    scope = self.scopes.get(node)
                    path = qualified(node, scope) if scope is not None else None
                    imported, local = False, node.attr
                    end = self.pos.span(node).end
                    span = Span(end - len(node.attr), end)
                if library_object(path) not in wanted or path is None:
                    continue
                use, member = _use(node, parents)
                out.append(NameRef(path, span, local, imported, member=member, use=use))
        return out

    def _block(
        self, statement: ast.stmt, parents: dict[ast.AST, ast.AST]
    ) -> tuple[int, list[ast.stmt]] | None:
        """The statement list holding `statement`, with an id of its own (where its first
        statement starts)."""
        parent = parents.get(statement, self.tree if statement in self.tree.body else None)
        for name in ("body", "orelse", "finalbody"):
            statements = getattr(parent, name, None)
            if isinstance(statements, list) and any(s is statement for s in statements):
                return self.pos.span(statements[0]).start, statements
        return None

    def _drop(
        self, node: ast.ImportFrom, i: int, block: tuple[int, list[ast.stmt]] | None
    ) -> Span | None:
        """The text whose removal drops `node.names[i]` from its import, keeping the layout:
        the name and the comma after it (before it, for the last name), or the statement's
        own lines when it imports nothing else. None where a comment or a line continuation
        sits in between, or the statement shares its line or is its block's only one."""
        text = self.source.text
        spans = [self.pos.span(alias) for alias in node.names]
        if len(spans) > 1:
            if i + 1 < len(spans):
                start, end, between = (
                    spans[i].start,
                    spans[i + 1].start,
                    (spans[i].end, spans[i + 1].start),
                )
            else:
                start, end, between = (
                    spans[i - 1].end,
                    spans[i].end,
                    (spans[i - 1].end, spans[i].start),
                )
            if not re.fullmatch(r"\s*,\s*", text[between[0] : between[1]]):
                return None
            return Span(start, end)
        if block is None or len(block[1]) < 2:
            return None  # removing the block's only statement would leave it empty
        statement = self.pos.span(node)
        line_start = self.source.line_start(statement.start)
        line_end = self.source.line_end(statement.end)
        if text[line_start : statement.start].strip() or text[statement.end : line_end].strip():
            return None  # another statement or a comment shares the line
        return Span(line_start, line_end)

    def scope_of(self, node: ast.AST) -> Scope:
        return self.scopes[node]

    def bindings_of(self, scope: Scope) -> ScopeBindings:
        return self.bindings.setdefault(scope.node, ScopeBindings())

    def _bind(self, node: ast.AST, scope: Scope) -> None:
        for child, child_scope in self.children_scopes(node, scope):
            b = self.bindings_of(child_scope)
            if isinstance(child, FUNCTIONS) and not isinstance(child, ast.Lambda):
                params = child.args.posonlyargs + child.args.args + child.args.kwonlyargs
                inner = self.bindings_of(child_scope)
                positional = len(child.args.posonlyargs) + len(child.args.args)
                # positional defaults belong to the last positional parameters
                padding: list[ast.expr | None] = [None] * (positional - len(child.args.defaults))
                defaults = [*padding, *child.args.defaults, *child.args.kw_defaults]
                for param, default in zip(params, defaults, strict=False):
                    inner.bound.add(param.arg)
                    cls = self.annotation_class(param.annotation, scope)
                    if cls:
                        inner.args_vars[param.arg] = cls
                        self._note_unread(inner, param.arg, param.annotation, scope)
                    elif param.annotation is not None and (
                        model := model_class(qualified(param.annotation, scope))
                    ):
                        inner.model_vars[param.arg] = model  # `model: CrossEncoder`
                    elif _untyped(param, default) and param.arg in ARGUMENTS_PARAMETERS:
                        inner.args_vars[param.arg] = ASSUMED_PARAMETER_CLASS
                        inner.guessed[param.arg] = True
                    elif (
                        _untyped(param, default)
                        and param.arg in TRAINER_PARAMETERS
                        and self.guesses_trainers
                    ):
                        inner.guessed_trainers[param.arg] = True
            elif isinstance(child, ast.Assign):
                for target in child.targets:
                    self._bind_target(target, child.value, child_scope, b)
            elif isinstance(child, ast.AnnAssign) and isinstance(child.target, ast.Name):
                b.bound.add(child.target.id)
                cls = self.annotation_class(child.annotation, child_scope)
                if cls:
                    b.args_vars[child.target.id] = cls
                    self._note_unread(b, child.target.id, child.annotation, child_scope)
                elif child.value is not None:
                    self._bind_target(child.target, child.value, child_scope, b)
            elif isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
                b.bound.add(child.id)
            self._bind(child, child_scope)

    def annotation_class(self, annotation: ast.expr | None, scope: Scope) -> str | None:
        if annotation is None:
            return None
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            try:
                annotation = ast.parse(annotation.value, mode="eval").body
            except SyntaxError:
                return None
        return arguments_class(annotation, scope)

    def _bind_target(
        self, target: ast.expr, value: ast.expr, scope: Scope, b: ScopeBindings
    ) -> None:
        if isinstance(target, ast.Name):
            b.bound.add(target.id)
            if isinstance(value, ast.Call):
                cls = arguments_class(value.func, scope)
                if cls is None and isinstance(value.func, ast.Name):
                    cls = scope.lookup_return(
                        value.func.id
                    )  # args = build_args() -> TrainingArguments
                if cls:
                    b.args_vars[target.id] = cls
                    self._note_unread(b, target.id, value.func, scope)
                    return
                parser = self.parser_info(value, scope)
                if parser is not None:
                    b.parsers[target.id] = parser
                    return
                if self.is_trainer_call(value, scope):
                    b.trainer_vars[target.id] = value
                    return
                if model := model_class(qualified(value.func, scope)):
                    b.model_vars[target.id] = model
                    return
                if wrapped := fit_wrapper(qualified(value.func, scope)):
                    b.model_vars[target.id] = wrapped
                    b.fit_wrappers[target.id] = dotted(value.func) or wrapped
                    return
                if self.is_dict_call(value, scope):
                    b.dict_vars[target.id] = value
                    return
            elif isinstance(value, ast.Subscript) and isinstance(value.value, ast.Call):
                # parser.parse_args_into_dataclasses()[2]
                parser = self.parse_result(value.value, scope)
                classes = parser.classes if parser else ()
                index = literal(value.slice)
                cls = (
                    classes[index]
                    if isinstance(index, int) and -len(classes) <= index < len(classes)
                    else None
                )
                if cls:
                    b.args_vars[target.id] = cls
                    if parser is not None and isinstance(index, int):
                        self._unread_at(b, target.id, parser, index)
                elif parser is not None and isinstance(index, int):
                    self._own_at(b, target.id, parser, index)
            elif isinstance(value, ast.Dict):
                b.dict_vars[target.id] = value
        elif isinstance(target, ast.Tuple | ast.List) and isinstance(value, ast.Call):
            parser = self.parse_result(value, scope)
            classes = parser.classes if parser else ()
            if not classes and isinstance(value.func, ast.Name):
                classes = scope.lookup_tuple_return(value.func.id) or ()  # a, b = parse()
            for i, element in enumerate(target.elts):
                if isinstance(element, ast.Name):
                    b.bound.add(element.id)
                    if classes and i < len(classes) and classes[i]:
                        b.args_vars[element.id] = classes[i]  # type: ignore[assignment]
                        if parser is not None:
                            self._unread_at(b, element.id, parser, i)
                    elif parser is not None:
                        self._own_at(b, element.id, parser, i)

    def _note_unread(self, b: ScopeBindings, var: str, node: ast.expr | None, scope: Scope) -> None:
        """Record that `var` holds an unread subclass, when `node` names one."""
        unread = unread_subclass(node, scope) if node is not None else None
        if unread:
            b.unread[var] = unread

    def _own_at(self, b: ScopeBindings, var: str, parser: ParserInfo, index: int) -> None:
        """Record that `var` holds the script's own dataclass at `index` of a parse result."""
        if not -len(parser.names) <= index < len(parser.names) or parser.classes[index]:
            return
        name = parser.names[index]
        if name is not None and self.dataclass_fields_of(name) is not None:
            b.own_vars[var] = name

    def dataclass_fields_of(self, name: str) -> frozenset[str] | None:
        """The fields of a dataclass the file defines at its top (None: not one, or unknown)."""
        if self._dataclass_fields is None:
            self._dataclass_fields = dataclass_fields(self.tree)
        return self._dataclass_fields.get(name)

    def _unread_at(self, b: ScopeBindings, var: str, parser: ParserInfo, index: int) -> None:
        if -len(parser.unread) <= index < len(parser.unread) and parser.unread[index]:
            b.unread[var] = parser.unread[index]  # type: ignore[assignment]

    def parser_info(self, call: ast.Call, scope: Scope) -> ParserInfo | None:
        """HfArgumentParser(X) or HfArgumentParser((A, B, X)): the class at each position and
        the fields of the script's own dataclasses among them."""
        if self._dataclass_fields is None:
            self._dataclass_fields = dataclass_fields(self.tree)
        return parser_info(call, scope, self._dataclass_fields)

    def parse_result(self, call: ast.Call, scope: Scope) -> ParserInfo | None:
        """`parser.parse_*(...)` -> its parser's dataclasses, in the order the result unpacks."""
        func = call.func
        if not isinstance(func, ast.Attribute) or func.attr not in PARSE_METHODS:
            return None
        owner = func.value
        if isinstance(owner, ast.Call):
            return self.parser_info(owner, scope)
        if isinstance(owner, ast.Name):
            return self.lookup(owner.id, scope, "parsers")
        return None

    def is_trainer_call(self, call: ast.Call, scope: Scope) -> bool:
        """A call of a known trainer (transformers', sentence-transformers', trl's) or of a
        class of this file deriving from one."""
        path = qualified(call.func, scope)
        if is_trainer(library_object(path), path):
            return True
        return isinstance(call.func, ast.Name) and call.func.id in self.trainer_subclasses

    def is_dict_call(self, call: ast.Call, scope: Scope) -> bool:
        return (
            isinstance(call.func, ast.Name)
            and call.func.id == "dict"
            and scope.lookup_import("dict") is None
        )

    def lookup(self, name: str, scope: Scope, what: str) -> Any:
        """A binding of `name` in the innermost scope that binds it (args_vars/dict_vars/parsers)."""
        return self.lookup_with_scope(name, scope, what)[0]

    def lookup_with_scope(self, name: str, scope: Scope, what: str) -> tuple[Any, Scope]:
        current: Scope | None = scope
        while current is not None:
            b = self.bindings.get(current.node)
            if b is not None and (name in b.bound or name in getattr(b, what)):
                return getattr(b, what).get(name), current
            current = current.parent
        return None, scope


# Subscripted names that make a type of their arguments (`Annotated[X, ...]`, `Optional[X]`).
TYPE_FORMS = frozenset(
    {
        "Annotated", "Optional", "Union", "List", "Sequence", "Iterable", "Type", "ClassVar",
        "Final", "Tuple", "Set", "list", "tuple", "set", "type",
    }
)  # fmt: skip


def _use(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> tuple[str, str | None]:
    """What the code does with a library class (USE_*), and the member a member use reads."""
    parent = parents.get(node)
    if isinstance(parent, ast.Attribute) and parent.value is node:
        return USE_MEMBER, parent.attr
    if isinstance(parent, ast.Call) and parent.func is node:
        return USE_CALL, None
    if isinstance(parent, ast.Subscript) and parent.value is node:
        return USE_CALL, None
    # Up through the type expressions that hold it: `Optional[X]`, `X | None`, `Annotated[X, m]`
    child, typed = node, False
    while True:
        if isinstance(parent, ast.Subscript) and parent.slice is child:
            name = dotted(parent.value)
            if name is None or name.rsplit(".", 1)[-1] not in TYPE_FORMS:
                break
            typed = True
        elif not (
            isinstance(parent, ast.Tuple)
            or (isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.BitOr))
        ):
            break
        child, parent = parent, parents.get(parent)
    annotation = (
        (isinstance(parent, ast.arg) and parent.annotation is child)
        or (isinstance(parent, ast.AnnAssign) and parent.annotation is child)
        or (isinstance(parent, ast.FunctionDef | ast.AsyncFunctionDef) and parent.returns is child)
    )
    return (USE_TYPE if annotation or typed else USE_OTHER), None


def _own_binding(node: ast.AST, wanted: frozenset[str]) -> str | None:
    """The name in `wanted` that `node` binds to something other than a library object."""
    name = None
    if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
        name = node.name
    elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
        name = node.id
    elif isinstance(node, ast.arg):
        name = node.arg
    elif isinstance(node, ast.Import | ast.ImportFrom) and not _library_import(node):
        names = [a.asname or a.name.split(".", 1)[0] for a in node.names]
        name = next((n for n in names if n in wanted), None)
    return name if name in wanted else None


def _library_import(node: ast.AST) -> bool:
    """`from transformers... import ...` (or sentence_transformers)."""
    return (
        isinstance(node, ast.ImportFrom)
        and not node.level
        and (node.module or "").split(".", 1)[0] in LIBRARY_ROOTS
    )
