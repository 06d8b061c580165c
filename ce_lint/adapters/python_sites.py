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
from dataclasses import dataclass, field
from typing import Any

from ..model import (
    UNKNOWN,
    ClassSource,
    Entry,
    Origin,
    Site,
    Span,
    TrainerCall,
    TrainerKeyword,
    Value,
)
from ..textio import SourceText
from .python_bindings import FileNames, literal
from .python_names import (
    Scope,
    arguments_class,
    is_trainer,
    library_object,
    qualified,
)


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
    other_fields: frozenset[str] | None = frozenset()

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
            other_fields=self.other_fields,
            trainer=self.trainer,
            helper=self.helper,
            subclass=self.subclass,
            handle=self.handle,
        )


class SiteFinder:
    """The second pass: the Sites, read with what the first pass (FileNames) learnt."""

    def __init__(self, source: SourceText, tree: ast.Module, knowledge: Any):
        self.source = source
        self.tree = tree
        self.knowledge = knowledge
        # Enum classes whose members a value may name (IntervalStrategy, BatchSamplers ...).
        self.enums = knowledge.enum_names
        self.names = FileNames(source, tree)
        self.pos = self.names.pos
        self.drafts: list[_Draft] = []
        self.used_dicts: set[ast.AST] = set()
        self.trainer_calls: list[tuple[ast.Call, str, Scope]] = []
        self.trainer_keywords: list[TrainerKeyword] = []

    def run(self) -> list[Site]:
        if not self.names.names_arguments():
            return []  # nothing in the file resolves to an arguments class or parser
        self.names.bind()
        self._sites(self.tree, self.names.module_scope)
        self._link_trainers()
        return [draft.build(self.source.path) for draft in self.drafts]

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
        for child, child_scope in self.names.children_scopes(node, scope):
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
        if trainer is not None and is_trainer(trainer, path):
            self.trainer_calls.append((call, trainer, scope))
            self._trainer_keywords(call, trainer, path or "")
            return
        if path == "dataclasses.replace" and call.args:
            target = call.args[0]
            if isinstance(target, ast.Name) and (
                cls := self.names.lookup(target.id, scope, "args_vars")
            ):
                site = self._new_site(cls, self.pos.span(call), Origin.REPLACE, handle=call)
                self._keywords(site, call)
            return
        if isinstance(func, ast.Attribute):
            owner = func.value
            if func.attr == "parse_dict" and call.args:
                parser = self.names.parse_result(call, scope)
                if parser and parser.cls:
                    # Keys of the other dataclasses (model, data arguments) share the dict.
                    site = self._new_site(
                        parser.cls, self.pos.span(call), Origin.PARSE_DICT, handle=call,
                        other_fields=parser.other_fields,
                    )  # fmt: skip
                    self._unpacked(site, call.args[0], scope)
                return
            if func.attr.startswith("set_") and isinstance(owner, ast.Name):
                cls = self.names.lookup(owner.id, scope, "args_vars")
                if cls:
                    site = self._new_site(
                        cls, self.pos.span(call), Origin.HELPER, handle=call, helper=func.attr
                    )
                    self._keywords(site, call, role="helper")

    def _trainer_keywords(self, call: ast.Call, trainer: str, path: str) -> None:
        library = path.split(".", 1)[0].replace("_", "-")
        given = frozenset(k.arg for k in call.keywords if k.arg)
        for kw in call.keywords:
            if kw.arg is None:
                continue
            start = self.pos.offset(kw.lineno, kw.col_offset)
            span = Span(start, start + len(kw.arg))
            self.trainer_keywords.append(
                TrainerKeyword(trainer, library, kw.arg, span, given - {kw.arg})
            )

    def _keywords(self, site: _Draft, call: ast.Call, role: str = "set") -> None:
        scope = self.names.scope_of(call)
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
            node, scope = self.names.lookup_with_scope(name, scope, "dict_vars")
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
            if not isinstance(node, ast.Assign) or self.names.scope_of(node) is not scope:
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
        cls = self.names.lookup(var, scope, "args_vars")
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
            cls = self.names.lookup(var, scope, "args_vars")
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
        _, owner = self.names.lookup_with_scope(name, scope, "args_vars")
        found = None
        for node in ast.walk(owner.node):
            if not isinstance(node, ast.Assign) or node.lineno > call.lineno:
                continue
            if self.names.scope_of(node) is not owner or not isinstance(node.value, ast.Call):
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
            and qualified(node.func, self.names.scope_of(node)) == "functools.partial"
        ):
            value.refers_to = "function"
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name | ast.Attribute):
            enum = library_object(qualified(node.value, self.names.scope_of(node)))
            if enum in self.enums:
                value.enum = (enum, node.attr)
                value.py = self._enum_value(enum, node.attr)
        return value

    def _names_callable(self, node: ast.Name) -> str | None:
        """Whether a name is a class or a function (defined here or imported), else None."""
        if node.id in self.names.defined:
            return self.names.defined[node.id]
        imported = library_object(qualified(node, self.names.scope_of(node)))
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
