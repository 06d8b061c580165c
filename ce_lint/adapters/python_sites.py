"""Finding training arguments in a Python script with `ast` (fast; libcst is used only to edit).

Sites found:
  * calls of an arguments class (keywords, the positional output_dir, and the entries of a
    dict literal or dict(...) call unpacked with `**`, including `cfg["key"] = ...` assignments
    into that dict);
  * `dataclasses.replace(args, ...)` and `parser.parse_dict({...})`;
  * attribute assignments and reads on a variable that holds an arguments object (built by a
    call, unpacked by position from an HfArgumentParser result, or annotated with the class);
  * the `set_*` helpers called on such a variable;
  * fields re-declared in a subclass of an arguments class, and `self.<field>` reads in it.
Nothing is imported or executed; a value that is not a literal is UNKNOWN.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..model import (
    ARGUMENT_CLASSES,
    UNKNOWN,
    ClassSource,
    Entry,
    ImportRef,
    Origin,
    Site,
    Span,
    TrainerCall,
    Value,
)
from ..textio import SourceText
from .python_names import (
    LIBRARY_ROOTS,
    PARSER,
    TRAINER_CLASSES,
    Scope,
    arguments_class,
    library_object,
    qualified,
    record_import,
)

PARSE_METHODS = ("parse_args_into_dataclasses", "parse_json_file", "parse_yaml_file", "parse_dict")
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


@dataclass(frozen=True)
class Handle:
    """Where an entry lives in the code, for the renderer.

    syntax: keyword | positional | dict-item | subscript-set | attribute-set | attribute-read |
    declaration
    """

    syntax: str
    node: ast.AST  # the keyword / dict key / statement / attribute node
    container: ast.AST | None = None  # the Call or Dict the item belongs to


# How each kind of Python Site is checked: whether the libraries validate its values when the
# object is built, and whether an unknown key fails at once.
_VALIDATED = frozenset({Origin.CALL, Origin.PARSE_DICT, Origin.REPLACE})
_STRICT = frozenset({Origin.CALL, Origin.REPLACE})
_WHOLE = frozenset({Origin.CALL, Origin.PARSE_DICT})


@dataclass(eq=False)
class _Draft:
    """A Site being read: the walk adds entries to it until the file is done."""

    cls: str
    span: Span
    origin: Origin
    entries: list[Entry] = field(default_factory=list)
    handle: Any = None
    unpacked_unknown: bool = False  # a `**name` whose content is unknown
    helper: str | None = None
    subclass: str | None = None
    trainer: TrainerCall | None = None

    def build(self, path: str) -> Site:
        return Site(
            path,
            self.cls,
            tuple(self.entries),
            self.span,
            self.origin,
            ClassSource.CODE,
            partial=self.origin not in _WHOLE or self.unpacked_unknown,
            validated=self.origin in _VALIDATED,
            strict_keys=self.origin in _STRICT,
            trainer=self.trainer,
            helper=self.helper,
            subclass=self.subclass,
            handle=self.handle,
        )


@dataclass
class _Bindings:
    args_vars: dict[str, str] = field(default_factory=dict)  # variable -> arguments class
    dict_vars: dict[str, ast.expr] = field(default_factory=dict)  # variable -> Dict / dict() call
    parsers: dict[str, list[str | None]] = field(default_factory=dict)  # variable -> dataclasses
    bound: set[str] = field(default_factory=set)  # every name bound in the scope


class PositionMap:
    """ast positions (UTF-8 byte columns) to character offsets in the text."""

    def __init__(self, source: SourceText, line_offset: int = 0):
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


def literal(node: ast.AST) -> Any:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return UNKNOWN


class SiteFinder:
    def __init__(self, source: SourceText, tree: ast.Module, knowledge: Any):
        self.source = source
        self.tree = tree
        self.knowledge = knowledge
        # Enum classes whose members a value may name (IntervalStrategy, BatchSamplers ...).
        self.enums = knowledge.enum_names
        self.pos = PositionMap(source)
        self.drafts: list[_Draft] = []
        self.imports: list[ImportRef] = []
        self.scopes: dict[ast.AST, Scope] = {}
        self.bindings: dict[ast.AST, _Bindings] = {}
        self.used_dicts: set[ast.AST] = set()
        self.trainer_calls: list[tuple[ast.Call, str, Scope]] = []
        self.defined: dict[str, str] = {}  # names of classes and functions defined in the file

    # -- pass 1: scopes, imports, subclasses, bindings -------------------------------------

    def run(self) -> list[Site]:
        module_scope = Scope(self.tree, None)
        for node in ast.walk(self.tree):
            if isinstance(node, ast.ClassDef):
                self.defined[node.name] = "class"
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self.defined.setdefault(node.name, "function")
        self._collect(self.tree, module_scope)
        if not self._names_arguments():
            return []  # nothing in the file resolves to an arguments class or parser
        self._bind(self.tree, module_scope)
        self._sites(self.tree, module_scope)
        self._link_trainers()
        return [draft.build(self.source.path) for draft in self.drafts]

    def _names_arguments(self) -> bool:
        """Whether any import, subclass or annotated function can lead to arguments.

        Most files that merely mention TrainingArguments (docs, the library's own relative
        imports) stop here after one walk instead of three.
        """
        for scope in {id(s): s for s in self.scopes.values()}.values():
            if scope.classes or scope.returns:
                return True
            for path in scope.imports.values():
                name = library_object(path)
                if name in ARGUMENT_CLASSES or name == PARSER:
                    return True
                if path.split(".", 1)[0] in LIBRARY_ROOTS and path.rsplit(".", 1)[-1].islower():
                    return True  # a module (`import transformers as tf`): any attribute may be the class
        return False

    def _children_scopes(self, node: ast.AST, scope: Scope) -> Iterator[tuple[ast.AST, Scope]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, FUNCTIONS):
                yield child, self.scopes.setdefault(child, Scope(child, scope))
            else:
                yield child, scope

    def _collect(self, node: ast.AST, scope: Scope) -> None:
        self.scopes.setdefault(node, scope)
        for child, child_scope in self._children_scopes(node, scope):
            if isinstance(child, ast.Import | ast.ImportFrom):
                record_import(child, child_scope)
                if isinstance(child, ast.ImportFrom) and child.module and not child.level:
                    self._record_import_ref(child)
            elif (
                isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
                and child.returns is not None
            ):
                cls = self._annotation_class(child.returns, scope)
                if cls:
                    scope.returns[child.name] = cls
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

    def _scope_of(self, node: ast.AST) -> Scope:
        return self.scopes[node]

    def _bindings(self, scope: Scope) -> _Bindings:
        return self.bindings.setdefault(scope.node, _Bindings())

    def _bind(self, node: ast.AST, scope: Scope) -> None:
        for child, child_scope in self._children_scopes(node, scope):
            b = self._bindings(child_scope)
            if isinstance(child, FUNCTIONS) and not isinstance(child, ast.Lambda):
                params = child.args.posonlyargs + child.args.args + child.args.kwonlyargs
                inner = self._bindings(child_scope)
                for param in params:
                    inner.bound.add(param.arg)
                    cls = self._annotation_class(param.annotation, scope)
                    if cls:
                        inner.args_vars[param.arg] = cls
            elif isinstance(child, ast.Assign):
                for target in child.targets:
                    self._bind_target(target, child.value, child_scope, b)
            elif isinstance(child, ast.AnnAssign) and isinstance(child.target, ast.Name):
                b.bound.add(child.target.id)
                cls = self._annotation_class(child.annotation, child_scope)
                if cls:
                    b.args_vars[child.target.id] = cls
                elif child.value is not None:
                    self._bind_target(child.target, child.value, child_scope, b)
            elif isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
                b.bound.add(child.id)
            self._bind(child, child_scope)

    def _annotation_class(self, annotation: ast.expr | None, scope: Scope) -> str | None:
        if annotation is None:
            return None
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            try:
                annotation = ast.parse(annotation.value, mode="eval").body
            except SyntaxError:
                return None
        return arguments_class(annotation, scope)

    def _bind_target(self, target: ast.expr, value: ast.expr, scope: Scope, b: _Bindings) -> None:
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
                    return
                parser = self._parser_classes(value, scope)
                if parser is not None:
                    b.parsers[target.id] = parser
                    return
                if self._is_dict_call(value, scope):
                    b.dict_vars[target.id] = value
                    return
            elif isinstance(value, ast.Subscript) and isinstance(value.value, ast.Call):
                # parser.parse_args_into_dataclasses()[2]
                classes = self._parse_result(value.value, scope)
                index = literal(value.slice)
                if (
                    classes
                    and isinstance(index, int)
                    and -len(classes) <= index < len(classes)
                    and classes[index]
                ):
                    b.args_vars[target.id] = classes[index]  # type: ignore[assignment]
            elif isinstance(value, ast.Dict):
                b.dict_vars[target.id] = value
        elif isinstance(target, ast.Tuple | ast.List) and isinstance(value, ast.Call):
            classes = self._parse_result(value, scope)
            for i, element in enumerate(target.elts):
                if isinstance(element, ast.Name):
                    b.bound.add(element.id)
                    if classes and i < len(classes) and classes[i]:
                        b.args_vars[element.id] = classes[i]  # type: ignore[assignment]

    def _parser_classes(self, call: ast.Call, scope: Scope) -> list[str | None] | None:
        """HfArgumentParser(X) or HfArgumentParser((A, B, X)) -> the class at each position."""
        if library_object(qualified(call.func, scope)) != PARSER or not call.args:
            return None
        first = call.args[0]
        elements = first.elts if isinstance(first, ast.Tuple | ast.List) else [first]
        return [arguments_class(e, scope) for e in elements]

    def _parse_result(self, call: ast.Call, scope: Scope) -> list[str | None] | None:
        """`parser.parse_*(...)` -> the classes, in the order the result unpacks."""
        func = call.func
        if not isinstance(func, ast.Attribute) or func.attr not in PARSE_METHODS:
            return None
        owner = func.value
        if isinstance(owner, ast.Call):
            return self._parser_classes(owner, scope)
        if isinstance(owner, ast.Name):
            return self._lookup(owner.id, scope, "parsers")
        return None

    def _is_dict_call(self, call: ast.Call, scope: Scope) -> bool:
        return (
            isinstance(call.func, ast.Name)
            and call.func.id == "dict"
            and scope.lookup_import("dict") is None
        )

    def _lookup(self, name: str, scope: Scope, what: str) -> Any:
        """A binding of `name` in the innermost scope that binds it (args_vars/dict_vars/parsers)."""
        return self._lookup_with_scope(name, scope, what)[0]

    def _lookup_with_scope(self, name: str, scope: Scope, what: str) -> tuple[Any, Scope]:
        current: Scope | None = scope
        while current is not None:
            b = self.bindings.get(current.node)
            if b is not None and (name in b.bound or name in getattr(b, what)):
                return getattr(b, what).get(name), current
            current = current.parent
        return None, scope

    # -- pass 2: sites -----------------------------------------------------------------

    def _sites(self, node: ast.AST, scope: Scope) -> None:
        attribute_sites: dict[tuple[int, str], _Draft] = {}
        self._walk(node, scope, attribute_sites, None)

    def _walk(
        self,
        node: ast.AST,
        scope: Scope,
        attribute_sites: dict[tuple[int, str], _Draft],
        subclass: tuple[_Draft, ast.ClassDef] | None,
    ) -> None:
        for child, child_scope in self._children_scopes(node, scope):
            if isinstance(child, ast.ClassDef) and child.name in child_scope.classes:
                site = self._subclass_site(child, child_scope.classes[child.name])
                self._walk(child, child_scope, attribute_sites, (site, child))
                continue
            if isinstance(child, ast.Call):
                self._call(child, child_scope, attribute_sites)
            elif isinstance(child, ast.Assign | ast.AugAssign):
                targets = child.targets if isinstance(child, ast.Assign) else [child.target]
                for target in targets:
                    self._assignment(child, target, child_scope, attribute_sites)
            elif isinstance(child, ast.Attribute) and isinstance(child.ctx, ast.Load):
                self._attribute_read(child, child_scope, attribute_sites, subclass)
            self._walk(child, child_scope, attribute_sites, subclass)

    def _new_site(self, cls: str, span: Span, origin: Origin, **traits: Any) -> _Draft:
        draft = _Draft(cls, span, origin, **traits)
        self.drafts.append(draft)
        return draft

    def _call(
        self, call: ast.Call, scope: Scope, attribute_sites: dict[tuple[int, str], _Draft]
    ) -> None:
        cls = arguments_class(call.func, scope)
        if cls:
            site = self._new_site(cls, self.pos.span(call), Origin.CALL, handle=call)
            if call.args and not isinstance(call.args[0], ast.Starred):
                arg = call.args[0]
                span = self.pos.span(arg)
                site.entries.append(
                    Entry(
                        "output_dir", span, self._value(arg), None, Handle("positional", arg, call)
                    )
                )
            self._keywords(site, call)
            return
        func = call.func
        path = qualified(func, scope)
        trainer = library_object(path)
        if trainer in TRAINER_CLASSES:
            self.trainer_calls.append((call, trainer, scope))
            return
        if path == "dataclasses.replace" and call.args:
            target = call.args[0]
            if isinstance(target, ast.Name) and (
                cls := self._lookup(target.id, scope, "args_vars")
            ):
                site = self._new_site(cls, self.pos.span(call), Origin.REPLACE, handle=call)
                self._keywords(site, call)
            return
        if isinstance(func, ast.Attribute):
            owner = func.value
            if func.attr == "parse_dict" and call.args:
                classes = self._parse_result(call, scope) or []
                cls = next((c for c in classes if c), None)
                if cls:
                    # Keys of the other dataclasses (model, data arguments) share the dict.
                    site = self._new_site(cls, self.pos.span(call), Origin.PARSE_DICT, handle=call)
                    self._unpacked(site, call.args[0], scope)
                return
            if func.attr.startswith("set_") and isinstance(owner, ast.Name):
                cls = self._lookup(owner.id, scope, "args_vars")
                if cls:
                    site = self._new_site(
                        cls, self.pos.span(call), Origin.HELPER, handle=call, helper=func.attr
                    )
                    self._keywords(site, call, role="helper")

    def _keywords(self, site: _Draft, call: ast.Call, role: str = "set") -> None:
        scope = self._scope_of(call)
        for kw in call.keywords:
            if kw.arg is None:
                self._unpacked(site, kw.value, scope)
                continue
            key_span = Span(
                *(lambda s: (s, s + len(kw.arg)))(self.pos.offset(kw.lineno, kw.col_offset))
            )
            site.entries.append(
                Entry(
                    kw.arg,
                    key_span,
                    self._value(kw.value),
                    None,
                    Handle("keyword", kw, call),
                    role,
                )
            )

    def _unpacked(self, site: _Draft, value: ast.expr, scope: Scope) -> None:
        """`**{...}`, `**dict(...)` or `**name` bound to one of those: its entries join the Site."""
        node: ast.expr | None = value
        name = None
        if isinstance(value, ast.Name):
            name = value.id
            node, scope = self._lookup_with_scope(name, scope, "dict_vars")
        if node is None or node in self.used_dicts:
            site.unpacked_unknown = True
            return
        self.used_dicts.add(node)
        container = Value(
            UNKNOWN,
            self.pos.span(node),
            ast.get_source_segment(self.source.text, node) or "",
            [],
            node,
        )
        if isinstance(node, ast.Dict):
            container.entries = self._dict_entries(node, container)
        elif isinstance(node, ast.Call):
            self._keywords(site, node)  # dict(a=1): keywords, edited like the call's own
            container.entries = None
        site.entries.extend(container.entries or [])
        if name is not None:
            self._subscript_sets(site, name, scope)

    def _dict_entries(self, node: ast.Dict, parent: Value) -> list[Entry]:
        out = []
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                out.append(
                    Entry(
                        key.value,
                        self.pos.span(key),
                        self._value(value),
                        parent,
                        Handle("dict-item", key, node),
                    )
                )
        return out

    def _subscript_sets(self, site: _Draft, name: str, scope: Scope) -> None:
        for node in ast.walk(scope.node):
            if not isinstance(node, ast.Assign) or self._scope_of(node) is not scope:
                continue
            for target in node.targets:
                if (
                    isinstance(target, ast.Subscript)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == name
                    and isinstance(target.slice, ast.Constant)
                    and isinstance(target.slice.value, str)
                ):
                    entry = Entry(
                        target.slice.value, self.pos.span(target.slice), self._value(node.value), None,
                        Handle("subscript-set", node),
                    )  # fmt: skip
                    site.entries.append(entry)

    def _assignment(
        self, stmt: ast.stmt, target: ast.expr, scope: Scope, sites: dict[tuple[int, str], _Draft]
    ) -> None:
        if not (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)):
            return
        var = target.value.id
        cls = self._lookup(var, scope, "args_vars")
        if not cls:
            return
        site = self._attribute_site(cls, var, scope, stmt, sites)
        value = stmt.value if isinstance(stmt, ast.Assign) else None
        entry = Entry(
            target.attr, self._attr_span(target), self._value(value) if value is not None else Value(UNKNOWN, self.pos.span(stmt)),
            None, Handle("attribute-set", stmt), "assign",
        )  # fmt: skip
        site.entries.append(entry)

    def _attr_span(self, node: ast.Attribute) -> Span:
        end = self.pos.offset(node.end_lineno, node.end_col_offset)  # type: ignore[arg-type]
        return Span(end - len(node.attr), end)

    def _attribute_site(
        self, cls: str, var: str, scope: Scope, node: ast.AST, sites: dict[tuple[int, str], _Draft]
    ) -> _Draft:
        key = (id(scope.node), var)
        if key not in sites:
            sites[key] = self._new_site(cls, self.pos.span(node), Origin.ATTRIBUTES)
        return sites[key]

    def _attribute_read(
        self,
        node: ast.Attribute,
        scope: Scope,
        sites: dict[tuple[int, str], _Draft],
        subclass: tuple[_Draft, ast.ClassDef] | None,
    ) -> None:
        if not isinstance(node.value, ast.Name):
            return
        var = node.value.id
        if var == "self" and subclass is not None:
            site = subclass[0]
        else:
            cls = self._lookup(var, scope, "args_vars")
            if not cls:
                return
            site = self._attribute_site(cls, var, scope, node, sites)
        if node.attr.startswith("set_") or node.attr.startswith("__"):
            return
        entry = Entry(
            node.attr,
            self._attr_span(node),
            Value(UNKNOWN, self.pos.span(node)),
            None,
            Handle("attribute-read", node),
            "read",
        )
        site.entries.append(entry)

    def _subclass_site(self, node: ast.ClassDef, cls: str) -> _Draft:
        site = self._new_site(cls, self.pos.span(node), Origin.SUBCLASS, subclass=node.name)
        for stmt in node.body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                value = self._field_default(stmt.value)
                entry = Entry(
                    stmt.target.id,
                    self.pos.span(stmt.target),
                    value,
                    None,
                    Handle("declaration", stmt),
                    "declare",
                )
                site.entries.append(entry)
        return site

    def _field_default(self, node: ast.expr | None) -> Value:
        if node is None:
            return Value(UNKNOWN, Span(0, 0))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute):
            for kw in node.keywords:
                if kw.arg == "default":
                    return self._value(kw.value)
            return Value(
                UNKNOWN, self.pos.span(node), ast.get_source_segment(self.source.text, node) or ""
            )
        return self._value(node)

    # -- trainer calls -----------------------------------------------------------------

    def _link_trainers(self) -> None:
        """Record on each arguments Site the trainer call it is passed to (as `args`)."""
        by_handle = {id(d.handle): d for d in self.drafts if d.origin in _WHOLE}
        for call, trainer, scope in self.trainer_calls:
            args = next((k.value for k in call.keywords if k.arg == "args"), None)
            positional = [a for a in call.args if not isinstance(a, ast.Starred)]
            if args is None and len(positional) > 1:
                args = positional[1]
            if args is None:
                continue
            site = by_handle.get(id(args)) if isinstance(args, ast.Call) else None
            if site is None and isinstance(args, ast.Name):
                site = self._bound_site(args.id, call, scope, by_handle)
            if site is None:
                continue
            site.trainer = TrainerCall(
                trainer,
                call.lineno,
                frozenset(k.arg for k in call.keywords if k.arg),
                frozenset(
                    k.arg for k in call.keywords
                    if k.arg and isinstance(k.value, ast.Constant) and k.value.value is None
                ),
                len(positional),
                any(k.arg is None for k in call.keywords) or len(positional) < len(call.args),
            )  # fmt: skip

    def _bound_site(
        self, name: str, call: ast.Call, scope: Scope, by_handle: dict[int, _Draft]
    ) -> _Draft | None:
        """The Site built by the last assignment to `name` before `call`, in its scope."""
        _, owner = self._lookup_with_scope(name, scope, "args_vars")
        found = None
        for node in ast.walk(owner.node):
            if not isinstance(node, ast.Assign) or node.lineno > call.lineno:
                continue
            if self._scope_of(node) is not owner or not isinstance(node.value, ast.Call):
                continue
            names = [
                e.id
                for target in node.targets
                for e in ([target] if isinstance(target, ast.Name) else getattr(target, "elts", []))
                if isinstance(e, ast.Name)
            ]
            if name in names and id(node.value) in by_handle:
                found = by_handle[id(node.value)]
        return found

    # -- values ------------------------------------------------------------------------

    def _value(self, node: ast.expr) -> Value:
        span = self.pos.span(node)
        text = self.source.text[span.start : span.end]
        value = Value(literal(node), span, text, None, node)
        if isinstance(node, ast.Dict):
            value.entries = self._dict_entries(node, value)
        elif isinstance(node, ast.Lambda):
            value.refers_to = "function"
        elif isinstance(node, ast.Name) and not value.known:
            value.refers_to = self._names_callable(node)
        elif (
            isinstance(node, ast.Call)
            and qualified(node.func, self._scope_of(node)) == "functools.partial"
        ):
            value.refers_to = "function"
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name | ast.Attribute):
            enum = library_object(qualified(node.value, self._scope_of(node)))
            if enum in self.enums:
                value.enum = (enum, node.attr)
                value.py = self._enum_value(enum, node.attr)
        return value

    def _names_callable(self, node: ast.Name) -> str | None:
        """Whether a name is a class or a function (defined here or imported), else None."""
        if node.id in self.defined:
            return self.defined[node.id]
        imported = library_object(qualified(node, self._scope_of(node)))
        if imported and imported not in self.enums:
            return "class" if imported[:1].isupper() else "function"
        return None

    def _enum_value(self, enum: str, member: str) -> Any:
        """The string a member stands for, from the version knowledge (UNKNOWN if none has it)."""
        for library in (self.knowledge.tf, self.knowledge.st):
            for _, values in library.enum_history(enum):
                for v in values or []:
                    if v.upper() == member:
                        return v
        return UNKNOWN
