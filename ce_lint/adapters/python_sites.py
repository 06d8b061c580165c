"""Finding training arguments in a Python script with `ast` (fast; libcst is used only to edit).

Sites found:
  * calls of an arguments class (keywords, the positional output_dir, and the entries of a
    dict literal or dict(...) call unpacked with `**`, including `cfg["key"] = ...` assignments
    into that dict);
  * `dataclasses.replace(args, ...)` and `parser.parse_dict({...})`;
  * attribute assignments and reads on a variable that holds an arguments object (built by a
    call, unpacked by position from an HfArgumentParser result, or annotated with the class);
  * the `set_*` helpers called on such a variable;
  * fields re-declared in a subclass of an arguments class, and `self.<field>` reads in it;
  * dicts no call in the file consumes whose keys are mostly fields (at least two, a third of
    the keys; `cfg["key"] = ...` counts), or that sit under a training-arguments key
    (`training_args={...}`): another module may unpack them, so their class is assumed.
Nothing is imported or executed; a value that is not a literal is UNKNOWN.
"""

from __future__ import annotations

import ast
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from ..model import (
    UNKNOWN,
    ClassChoice,
    ClassSource,
    Entry,
    FitArgument,
    FitCall,
    Origin,
    Site,
    Span,
    TrainerAttribute,
    TrainerCall,
    TrainerKeyword,
    Value,
)
from ..textio import SourceText
from . import python_dicts, python_fit
from .python_bindings import FileNames, literal
from .python_names import (
    Scope,
    arguments_class,
    dotted,
    is_trainer,
    library_object,
    model_class,
    qualified,
    unread_subclass,
)
from .python_scopes import Bindings
from .python_tree import child_nodes, module_nodes, nodes_under


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

# The class of a Trainer's `self.args` (its subclasses share the fields that were removed).
TRAINER_ARGUMENTS = "TrainingArguments"


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
    class_source: ClassSource = ClassSource.CODE
    unread_subclass: str | None = None  # see Site

    def build(self, path: str) -> Site:
        unread = self.unread_subclass is not None  # its own fields are unknown
        return Site(
            path,
            self.cls,
            tuple(self.entries),
            self.span,
            self.origin,
            self.class_source,
            partial=self.origin not in _WHOLE or self.unpacked_unknown,
            validated=self.origin in _VALIDATED,
            strict_keys=self.origin in _STRICT and not unread,
            other_fields=None if unread else self.other_fields,
            trainer=self.trainer,
            helper=self.helper,
            subclass=self.subclass,
            unread_subclass=self.unread_subclass,
            handle=self.handle,
        )


# keywords only the legacy fit of one model class takes
FIT_KEYWORDS = {"train_objectives": "SentenceTransformer", "train_dataloader": "CrossEncoder"}
FIT_ELEMENTS = 8  # the longest list display a fit argument's elements are read from


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
        self.trainer_class: ast.ClassDef | None = None  # the Trainer subclass being walked
        self.merged = _merged_namespaces(self.tree, source.text)  # scope id -> names merged into
        # The class being walked and its attributes that hold arguments objects (`self.attr`):
        # attribute -> (class, unread subclass or None).
        self.holder: tuple[ast.ClassDef, dict[str, tuple[str, str | None]]] | None = None
        self.trainer_keywords: list[TrainerKeyword] = []
        self.trainer_attributes: list[TrainerAttribute] = []
        self.fit_calls: list[FitCall] = []
        self.fit_statements: python_fit.StatementFacts | None = None
        # the attributes of the class being walked that hold a model (`self.model = CrossEncoder(...)`)
        self.model_attributes: dict[str, str] = {}

    def run(self, chosen: ClassChoice | None = None) -> list[Site]:
        bound = False
        if self.names.names_arguments():
            self.names.bind()
            bound = True
            self._sites(self.tree, self.names.module_scope)
            self._link_trainers()
        loose = python_dicts.candidates(self.tree, self.knowledge)
        if loose:
            if not bound:
                self.names.bind()
            python_dicts.add_sites(self, loose, chosen or ClassChoice())
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
            if isinstance(child, ast.ClassDef):
                attributes = self._argument_attributes(child, child_scope)
                outer_holder, self.holder = self.holder, (child, attributes) if attributes else None
                outer_models, self.model_attributes = (
                    self.model_attributes,
                    _model_attributes(child, self.names),
                )
                self._walk_class(child, child_scope, attribute_sites, subclass)
                self.holder = outer_holder
                self.model_attributes = outer_models
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

    def _walk_class(
        self,
        child: ast.ClassDef,
        child_scope: Scope,
        attribute_sites: dict[tuple[int, str], _Draft],
        subclass: tuple[_Draft, ast.ClassDef] | None,
    ) -> None:
        if child.name in child_scope.classes:
            site = self._subclass_site(child, child_scope.classes[child.name])
            self._walk(child, child_scope, attribute_sites, (site, child))
        elif self._is_trainer_subclass(child, child_scope):
            outer, self.trainer_class = self.trainer_class, child
            self._walk(child, child_scope, attribute_sites, subclass)
            self.trainer_class = outer
        else:
            self._walk(child, child_scope, attribute_sites, subclass)

    def _argument_attributes(
        self, node: ast.ClassDef, scope: Scope
    ) -> dict[str, tuple[str, str | None]]:
        """Attributes of a class that hold an arguments object, read as `self.attr` in its
        methods: annotated with the class in its body (a dataclass field,
        `training_args: Seq2SeqTrainingArguments = field(...)`), or set in a method to an
        annotated value or a call of the class (`self.training_args = TrainingArguments(...)`).
        A trainer's own `args` is `self.args` of a trainer subclass, read apart."""
        found: dict[str, tuple[str, str | None]] = {}
        for stmt in node.body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                cls = self.names.annotation_class(stmt.annotation, scope)
                if cls:
                    found[stmt.target.id] = (cls, unread_subclass(stmt.annotation, scope))
        methods = [s for s in node.body if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)]
        for method in methods:
            for stmt in ast.walk(method):
                target, cls, named = None, None, None
                if isinstance(stmt, ast.AnnAssign):
                    target, named = stmt.target, stmt.annotation
                    cls = self.names.annotation_class(named, self.names.scope_of(stmt))
                elif (
                    isinstance(stmt, ast.Assign)
                    and len(stmt.targets) == 1
                    and isinstance(stmt.value, ast.Call)
                ):
                    target, named = stmt.targets[0], stmt.value.func
                    cls = arguments_class(named, self.names.scope_of(stmt))
                if cls and isinstance(target, ast.Attribute) and _is_self(target.value):
                    found.setdefault(
                        target.attr, (cls, unread_subclass(named, self.names.scope_of(stmt)))
                    )
        return found

    def _held_site(
        self, node: ast.expr, scope: Scope, stmt: ast.AST, sites: dict[tuple[int, str], _Draft]
    ) -> _Draft | None:
        """The Site of the arguments object `node` (the owner of a field access) stands for,
        when it is `self.attr` of a class holding one, or `trainer.args` of a trainer
        variable."""
        if not isinstance(node, ast.Attribute):
            return None
        if self.holder is not None and _is_self(node.value) and node.attr in self.holder[1]:
            cls, unread = self.holder[1][node.attr]
            key = (id(self.holder[0]), f"self.{node.attr}")
            if key not in sites:
                sites[key] = self._new_site(
                    cls, self.pos.span(stmt), Origin.ATTRIBUTES, unread_subclass=unread
                )
            return sites[key]
        if node.attr == "args" and isinstance(node.value, ast.Name):
            call = self.names.lookup(node.value.id, scope, "trainer_vars")
            if call is not None:
                return self._trainer_args_site(call, stmt, sites)
        return None

    def _trainer_args_site(
        self, call: ast.Call, stmt: ast.AST, sites: dict[tuple[int, str], _Draft]
    ) -> _Draft:
        """The Site of `trainer.args` for a trainer built by `call`: the class of what the call
        hands it as `args` where the file shows it, else TrainingArguments."""
        key = (id(call), "trainer.args")
        if key in sites:
            return sites[key]
        args = next((k.value for k in call.keywords if k.arg == "args"), None)
        if args is None and len(call.args) > 1 and not isinstance(call.args[1], ast.Starred):
            args = call.args[1]
        scope = self.names.scope_of(call)
        cls, unread = None, None
        if isinstance(args, ast.Name):
            cls = self.names.lookup(args.id, scope, "args_vars")
            unread = self.names.lookup(args.id, scope, "unread") if cls else None
        elif isinstance(args, ast.Call):
            cls = arguments_class(args.func, scope)
            unread = unread_subclass(args.func, scope) if cls else None
        sites[key] = self._new_site(
            cls or TRAINER_ARGUMENTS, self.pos.span(stmt), Origin.ATTRIBUTES, unread_subclass=unread
        )
        return sites[key]

    def _new_site(self, cls: str, span: Span, origin: Origin, **traits: Any) -> _Draft:
        draft = _Draft(cls, span, origin, **traits)
        self.drafts.append(draft)
        return draft

    def _call(
        self, call: ast.Call, scope: Scope, attribute_sites: dict[tuple[int, str], _Draft]
    ) -> None:
        cls = arguments_class(call.func, scope)
        if cls:
            site = self._new_site(
                cls, self.pos.span(call), Origin.CALL, handle=call,
                unread_subclass=unread_subclass(call.func, scope),
            )  # fmt: skip
            if call.args and not isinstance(call.args[0], ast.Starred):
                arg = call.args[0]
                span = self.pos.span(arg)
                site.entries.append(
                    Entry(
                        "output_dir", span, self._value(arg), None, Handle("positional", arg, call)
                    )
                )
            self._keywords(site, call)
            self._flowing_defaults(cls, call, scope)
            return
        if self._fit_call(call, scope):
            return
        func = call.func
        base = self._base_init(call, scope)
        if base is not None:
            self._trainer_keywords(call, *base)  # super().__init__(...) of a trainer subclass
            return
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
                        other_fields=parser.other_fields, unread_subclass=parser.unread_subclass,
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

    def _base_init(self, call: ast.Call, scope: Scope) -> tuple[str, str] | None:
        """(trainer, path) when `call` runs a known trainer's constructor from a subclass:
        `super().__init__(...)` in a class whose first base is that trainer (the next class
        of its method resolution order), or `Trainer.__init__(self, ...)`."""
        func = call.func
        if self.trainer_class is None or not isinstance(func, ast.Attribute):
            return None
        if func.attr != "__init__":
            return None
        owner = func.value
        if isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name):
            if owner.func.id != "super" or scope.lookup_import("super") is not None:
                return None
            first = owner.args[0] if owner.args else None
            if first is not None and not (
                isinstance(first, ast.Name) and first.id == self.trainer_class.name
            ):
                return None
            if not self.trainer_class.bases:
                return None
            owner = self.trainer_class.bases[0]
            scope = self.names.scope_of(self.trainer_class)
        path = qualified(owner, scope)
        name = library_object(path)
        if name is None or path is None or not is_trainer(name, path):
            return None
        return name, path

    def _trainer_keywords(self, call: ast.Call, trainer: str, path: str) -> None:
        library = path.split(".", 1)[0].replace("_", "-")
        given = frozenset(k.arg for k in call.keywords if k.arg)
        for kw in call.keywords:
            if kw.arg is None:
                continue
            span = self._keyword_span(kw)
            self.trainer_keywords.append(
                TrainerKeyword(trainer, library, kw.arg, span, given - {kw.arg})
            )

    def _fit_call(self, call: ast.Call, scope: Scope) -> bool:
        """Record `model.fit(...)` of a sentence-transformers model (the legacy training API);
        positional arguments are named `#0`, `#1`, ... (the rule knows each release's order)."""
        func = call.func
        if not (isinstance(func, ast.Attribute) and func.attr == "fit"):
            return False
        owner = func.value
        through = None
        if isinstance(owner, ast.Name):
            model = self.names.lookup(owner.id, scope, "model_vars")
            through = self.names.lookup(owner.id, scope, "fit_wrappers")
        elif isinstance(owner, ast.Attribute) and _is_self(owner.value):
            model = self.model_attributes.get(owner.attr)
        else:
            model = None
        assumed = False
        if not model:
            model = self._fit_by_keywords(call)
            assumed = model is not None
        if not model:
            return False
        arguments = []
        unpacked = False
        for i, arg in enumerate(call.args):
            if isinstance(arg, ast.Starred):
                unpacked = True
                break
            arguments.append(self._fit_argument(f"#{i}", arg, call, scope))
        for kw in call.keywords:
            if kw.arg is None:
                unpacked = True
                continue
            arguments.append(self._fit_argument(kw.arg, kw.value, call, scope))
        end = self.pos.offset(func.end_lineno, func.end_col_offset)  # type: ignore[arg-type]
        span = Span(end - len("fit"), end)
        statement = self._fit_facts().statement(call, self._bindings())
        self.fit_calls.append(
            FitCall(model, span, tuple(arguments), unpacked, through, statement, assumed)
        )
        return True

    def _fit_by_keywords(self, call: ast.Call) -> str | None:
        """The model class a `.fit(...)` on an object of unknown class belongs to by its
        keywords alone (`train_objectives=`: SentenceTransformer, `train_dataloader=`:
        CrossEncoder), in a file that imports sentence-transformers."""
        given = {kw.arg for kw in call.keywords}
        for keyword, model in FIT_KEYWORDS.items():
            if keyword in given and self._imports_sentence_transformers():
                return model
        return None

    def _imports_sentence_transformers(self) -> bool:
        return any(
            path.split(".", 1)[0] == "sentence_transformers"
            for _, path in self._fit_facts().imported
        )

    def _fit_argument(self, name: str, node: ast.expr, call: ast.Call, scope: Scope) -> FitArgument:
        text = self.source.text
        return FitArgument(
            name,
            ast.get_source_segment(text, node) or "",
            literal(node),
            isinstance(node, ast.Call),
            python_fit.argument_call(node, call, scope, text, self._bindings()),
            python_fit.dict_items(node, call, text, self._bindings()),
            python_fit.resolved_literal(node, call, self._bindings()),
            python_fit.integral(node, call, scope, self._bindings()),
            qualified(node, scope) if isinstance(node, ast.Name | ast.Attribute) else None,
            self._fit_elements(node, call, scope),
        )

    def _fit_elements(
        self, node: ast.expr, call: ast.Call, scope: Scope
    ) -> tuple[FitArgument, ...] | None:
        """The elements of a small list or tuple display (`[(loader, loss)]`)."""
        if not isinstance(node, ast.List | ast.Tuple) or len(node.elts) > FIT_ELEMENTS:
            return None
        if any(isinstance(e, ast.Starred) for e in node.elts):
            return None
        return tuple(self._fit_argument(f"#{i}", e, call, scope) for i, e in enumerate(node.elts))

    def _bindings(self) -> Bindings:
        return self.names.every_binding

    def _fit_facts(self) -> python_fit.StatementFacts:
        if self.fit_statements is None:
            self.fit_statements = python_fit.StatementFacts(
                self.source, self.tree, self.pos, self.names.module_imports
            )
        return self.fit_statements

    def _flowing_defaults(self, cls: str, call: ast.Call, scope: Scope) -> None:
        """`Config(optim=args.optim)` where `args` is the script's own dataclass filled from
        the command line: the field's default reaches the class unless a flag sets it, so
        the defaults are judged as values too (a Site of Origin.DEFAULTS, role "default")."""
        entries = []
        for kw in call.keywords:
            value = kw.value
            if not (isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name)):
                continue
            if kw.arg != value.attr:
                continue
            owner = self.names.lookup(value.value.id, scope, "own_vars")
            stmt = self._own_field(owner, value.attr) if owner else None
            if stmt is None or stmt.value is None:
                continue
            default = self._field_default(stmt.value)
            if not default.known:
                continue
            line = stmt.lineno
            default.reading = (
                f"(It is the default of {owner}.{value.attr} (line {line}), which reaches "
                f"{cls}({kw.arg}=...) unless the command line sets it.)"
            )
            handle = Handle("declaration", stmt)
            entries.append(
                Entry(kw.arg, self.pos.span(stmt.target), default, None, handle, "default")
            )
        if entries:
            site = self._new_site(cls, self.pos.span(call), Origin.DEFAULTS)
            site.entries.extend(entries)

    def _own_field(self, owner: str, name: str) -> ast.AnnAssign | None:
        """The declaration of `name` in the dataclass `owner` the module defines at its top."""
        for node in self.tree.body:
            if isinstance(node, ast.ClassDef) and node.name == owner:
                for stmt in node.body:
                    if (
                        isinstance(stmt, ast.AnnAssign)
                        and isinstance(stmt.target, ast.Name)
                        and stmt.target.id == name
                    ):
                        return stmt
        return None

    def _keywords(self, site: _Draft, call: ast.Call, role: str = "set") -> None:
        scope = self.names.scope_of(call)
        for kw in call.keywords:
            if kw.arg is None:
                self._unpacked(site, kw.value, scope)
                continue
            key_span = self._keyword_span(kw)
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
        node, name, scope = self._dict_source(value, scope)
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

    def _dict_source(
        self, value: ast.expr, scope: Scope, depth: int = 0
    ) -> tuple[ast.expr | None, str | None, Scope]:
        """The dict literal or dict(...) call `value` stands for, the variable that holds it
        (its `name["key"] = ...` sets count), and that variable's scope. Followed through a
        function of the file that returns it, and into a parameter its only caller fills."""
        if isinstance(value, ast.Dict) or (
            isinstance(value, ast.Call) and self.names.is_dict_call(value, scope)
        ):
            return value, None, scope
        if depth > 2:
            return None, None, scope
        if isinstance(value, ast.Name):
            node, owner = self.names.lookup_with_scope(value.id, scope, "dict_vars")
            if node is not None:
                return node, value.id, owner
            if value.id not in self.names.bindings_of(scope).bound:
                return None, None, scope
            argument = self._only_caller_argument(value.id, scope)
            if argument is not None:
                return self._dict_source(argument, self.names.scope_of(argument), depth + 1)
        elif isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and not value.args:
            function = self._function(value.func.id)
            returned = {
                id(r.value): r.value
                for r in ast.walk(function) if isinstance(r, ast.Return) and r.value is not None
                and self.names.scope_of(r) is self.names.scope_of(function.body[0])
            } if function is not None else {}  # fmt: skip
            if len(returned) == 1:
                (inner,) = returned.values()
                return self._dict_source(inner, self.names.scope_of(inner), depth + 1)
        return None, None, scope

    def _function(self, name: str) -> ast.FunctionDef | None:
        """The one function of the file with this name (None if none or several)."""
        found = [
            n for n in module_nodes(self.tree) if isinstance(n, ast.FunctionDef) and n.name == name
        ]
        return found[0] if len(found) == 1 else None

    def _only_caller_argument(self, param: str, scope: Scope) -> ast.expr | None:
        """What the one call of the function in the file passes for its parameter `param`."""
        function = scope.node
        if not isinstance(function, ast.FunctionDef) or self._function(function.name) is None:
            return None
        positional = [a.arg for a in function.args.posonlyargs + function.args.args]
        if param not in positional + [a.arg for a in function.args.kwonlyargs]:
            return None
        calls = [
            n for n in module_nodes(self.tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
            and n.func.id == function.name
        ]  # fmt: skip
        if len(calls) != 1:
            return None
        (call,) = calls
        for kw in call.keywords:
            if kw.arg == param:
                return kw.value
        index = positional.index(param) if param in positional else len(call.args)
        if index < len(call.args) and not any(isinstance(a, ast.Starred) for a in call.args):
            return call.args[index]
        return None

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
        branches = _under_branches(scope.node)
        for node in nodes_under(scope.node):
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
                    value = self._value(node.value)
                    if id(node) in branches:  # set only on some runs (`if fp16: cfg["fp16"] = ...`)
                        value = Value(UNKNOWN, value.span, value.source, None, node.value)
                    entry = Entry(
                        target.slice.value, self.pos.span(target.slice), value, None,
                        Handle("subscript-set", node),
                    )  # fmt: skip
                    site.entries.append(entry)

    def _assignment(
        self, stmt: ast.stmt, target: ast.expr, scope: Scope, sites: dict[tuple[int, str], _Draft]
    ) -> None:
        if not isinstance(target, ast.Attribute):
            return
        if self.trainer_class is not None and _is_self_args(target.value):
            site = self._self_args_site(stmt, sites)
        elif (held := self._held_site(target.value, scope, stmt, sites)) is not None:
            site = held
        elif not isinstance(target.value, ast.Name) or self._is_merged(target.value.id, scope):
            return
        elif cls := self.names.lookup(target.value.id, scope, "args_vars"):
            site = self._attribute_site(cls, target.value.id, scope, stmt, sites)
        else:
            return
        value = stmt.value if isinstance(stmt, ast.Assign) else None
        entry = Entry(
            target.attr, self._attr_span(target), self._value(value) if value is not None else Value(UNKNOWN, self.pos.span(stmt)),
            None, Handle("attribute-set", stmt), "assign",
        )  # fmt: skip
        site.entries.append(entry)

    def _trainer_attribute(self, node: ast.Attribute, var: str, scope: Scope) -> bool:
        """Record `trainer.attr` where `trainer` holds a trainer: built by a trainer call, or an
        unannotated parameter named `trainer` (a callback's; assumed transformers' Trainer)."""
        call = self.names.lookup(var, scope, "trainer_vars")
        assumed = call is None and bool(self.names.lookup(var, scope, "guessed_trainers"))
        if call is None and not assumed:
            return False
        if node.attr.startswith("__") or node.attr == "args":
            return True
        trainer, library = "Trainer", "transformers"
        if call is not None:
            path = qualified(call.func, self.names.scope_of(call)) or ""
            trainer = library_object(path) or (dotted(call.func) or trainer).rsplit(".", 1)[-1]
            library = path.split(".", 1)[0] if library_object(path) else library
        self.trainer_attributes.append(
            TrainerAttribute(trainer, library, node.attr, self._attr_span(node), assumed)
        )
        return True

    def _is_merged(self, var: str, scope: Scope) -> bool:
        """Whether other attributes are merged into `var` in this scope (`var.__dict__.update`):
        then its attributes are not only the arguments' fields."""
        return var in self.merged.get(id(scope.node), ())

    def _keyword_span(self, kw: ast.keyword) -> Span:
        """The keyword's name as written: Python reads names NFKC-normalized, so `kw.arg` may
        be shorter than the text (a combining accent)."""
        start = self.pos.offset(kw.lineno, kw.col_offset)
        text = self.source.text
        end = start + 1
        while end < len(text) and text[start : end + 1].isidentifier():
            end += 1
        return Span(start, end)

    def _attr_span(self, node: ast.Attribute) -> Span:
        """The attribute's name as written: Python reads names NFKC-normalized, so `node.attr`
        may be shorter than the text (a combining accent)."""
        end = self.pos.offset(node.end_lineno, node.end_col_offset)  # type: ignore[arg-type]
        text = self.source.text
        written = text[text.rfind(".", 0, end) + 1 : end].lstrip()
        if written != node.attr and unicodedata.normalize("NFKC", written) == node.attr:
            return Span(end - len(written), end)
        return Span(end - len(node.attr), end)

    def _attribute_site(
        self, cls: str, var: str, scope: Scope, node: ast.AST, sites: dict[tuple[int, str], _Draft]
    ) -> _Draft:
        key = (id(scope.node), var)
        if key not in sites:
            guessed = self.names.lookup(var, scope, "guessed")
            source = ClassSource.ASSUMED if guessed else ClassSource.CODE
            sites[key] = self._new_site(
                cls, self.pos.span(node), Origin.ATTRIBUTES, class_source=source,
                unread_subclass=self.names.lookup(var, scope, "unread"),
            )  # fmt: skip
        return sites[key]

    def _attribute_read(
        self,
        node: ast.Attribute,
        scope: Scope,
        sites: dict[tuple[int, str], _Draft],
        subclass: tuple[_Draft, ast.ClassDef] | None,
    ) -> None:
        if self.trainer_class is not None and _is_self_args(node.value):
            site = self._self_args_site(node, sites)
        elif (held := self._held_site(node.value, scope, node, sites)) is not None:
            site = held
        elif not isinstance(node.value, ast.Name) or self._is_merged(node.value.id, scope):
            return
        elif (var := node.value.id) != "self" and self._trainer_attribute(node, var, scope):
            return  # a trainer's attribute, not an arguments field
        elif var == "self" and subclass is not None:
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

    def _self_args_site(self, node: ast.AST, sites: dict[tuple[int, str], _Draft]) -> _Draft:
        """The Site of `self.args` in the Trainer subclass being walked (its TrainingArguments)."""
        key = (id(self.trainer_class), "self.args")
        if key not in sites:
            sites[key] = self._new_site(TRAINER_ARGUMENTS, self.pos.span(node), Origin.ATTRIBUTES)
        return sites[key]

    def _is_trainer_subclass(self, node: ast.ClassDef, scope: Scope) -> bool:
        paths = [qualified(base, scope) for base in node.bases]
        return any(is_trainer(library_object(path), path) for path in paths)

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
        for call, trainer, _ in self.trainer_calls:
            args = next((k.value for k in call.keywords if k.arg == "args"), None)
            positional = [a for a in call.args if not isinstance(a, ast.Starred)]
            if args is None and len(positional) > 1:
                args = positional[1]
            if args is None:
                continue
            site = by_handle.get(id(args)) if isinstance(args, ast.Call) else None
            if site is None and isinstance(args, ast.Name):
                site = self._bound_site(args.id, call, by_handle)
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

    def _bound_site(self, name: str, call: ast.Call, by_handle: dict[int, _Draft]) -> _Draft | None:
        """The Site built by the last assignment to `name` before `call`, in its scope (one
        lookup in the file's binding index: a walk per trainer call was quadratic)."""
        bindings = self._bindings()
        found, found_line = None, -1
        for store in bindings.resolve(name, call) or ():
            owner = bindings.parents.get(store)
            if isinstance(owner, ast.Tuple | ast.List):  # `a, args = ...`
                owner = bindings.parents.get(owner)
            if not isinstance(owner, ast.Assign) or owner.lineno > call.lineno:
                continue
            value = owner.value
            if (
                isinstance(value, ast.Call)
                and id(value) in by_handle
                and owner.lineno >= found_line
            ):
                found, found_line = by_handle[id(value)], owner.lineno
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


def _model_attributes(node: ast.ClassDef, names: FileNames) -> dict[str, str]:
    """The attributes a class's methods set to a sentence-transformers model:
    `self.model = CrossEncoder(...)` -> {"model": "CrossEncoder"}."""
    found: dict[str, str] = {}
    for stmt in ast.walk(node):
        if not (isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call)):
            continue
        model = model_class(qualified(stmt.value.func, names.scope_of(stmt)))
        for target in stmt.targets:
            if model and isinstance(target, ast.Attribute) and _is_self(target.value):
                found.setdefault(target.attr, model)
    return found


def _merged_namespaces(tree: ast.Module, text: str) -> dict[int, set[str]]:
    """For each function (and the module), the names whose attributes it merges in from
    elsewhere: `x.__dict__.update(...)`, `vars(x).update(...)`, `setattr(x, name, ...)` with a
    computed name."""
    found: dict[int, set[str]] = {}
    if "update" not in text and "setattr" not in text:
        return found  # none of these calls is written: no walk
    # One walk, with the functions (and the module) each node is inside.
    stack: list[tuple[ast.AST, tuple[int, ...]]] = [(tree, (id(tree),))]
    while stack:
        node, owners = stack.pop()
        name = _merge_target(node)
        if name is not None:
            for owner in owners:
                found.setdefault(owner, set()).add(name)
        for child in child_nodes(node):
            inner = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            stack.append((child, (*owners, id(child)) if inner else owners))
    return found


def _merge_target(node: ast.AST) -> str | None:
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr == "update":
        holder = func.value
        if isinstance(holder, ast.Attribute) and holder.attr == "__dict__":
            return holder.value.id if isinstance(holder.value, ast.Name) else None
        if (
            isinstance(holder, ast.Call)
            and isinstance(holder.func, ast.Name)
            and holder.func.id == "vars"
            and holder.args
            and isinstance(holder.args[0], ast.Name)
        ):
            return holder.args[0].id
    if isinstance(func, ast.Name) and func.id == "setattr" and len(node.args) >= 2:
        target, name = node.args[0], node.args[1]
        if isinstance(target, ast.Name) and not isinstance(name, ast.Constant):
            return target.id
    return None


def _is_self(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "self"


def _is_self_args(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "args"
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
    )


_BRANCHES = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.Try, ast.Match)


def _under_branches(scope_node: ast.AST) -> set[int]:
    """Statements of this scope that run only on some paths (inside if/for/while/try/match)."""
    found: set[int] = set()
    for node in nodes_under(scope_node):
        if isinstance(node, _BRANCHES):
            found.update(id(n) for n in ast.walk(node) if n is not node)
    return found
