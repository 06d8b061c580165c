"""Dicts in Python code that no call in the file consumes but that hold training arguments:
their keys are mostly fields (two at least, no more foreign keys than fields; `cfg["k"] = v`
sets count), or they sit under a training-arguments key (`training_args={...}`). Another
module may unpack them, so their class is the file's chosen one (assumed unless declared).
A dict whose keys the file reads itself is the project's own settings."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from ..knowledge import Knowledge
from ..model import ClassChoice, Origin
from .config_sites import EXPLICIT_KEYS, is_arguments_mapping
from .python_names import Scope
from .python_tree import module_nodes, nodes_under

if TYPE_CHECKING:
    from .python_sites import SiteFinder


# A dict literal or dict(...) call, and the keyword or key it sits under.
Candidate = tuple[ast.Dict | ast.Call, str | None]


def candidates(tree: ast.Module, knowledge: Knowledge) -> list[Candidate]:
    """Dict literals and dict(...) calls with a field among their keys (or a subscript set
    somewhere), each with the keyword or key it sits under."""
    fields = knowledge.all_field_names
    under: dict[int, str] = {}
    found: list[Candidate] = []
    subscripted = False
    for node in module_nodes(tree):
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg:
                    under[id(kw.value)] = kw.arg
            if _is_plain_dict_call(node) and any(k.arg in fields for k in node.keywords):
                found.append((node, under.get(id(node))))
        elif isinstance(node, ast.Dict):
            keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    under[id(value)] = key.value
            if any(k in fields for k in keys if isinstance(k, str)) or not node.keys:
                found.append((node, under.get(id(node))))
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store):
            subscripted = True
    if not subscripted:
        found = [(n, k) for n, k in found if not isinstance(n, ast.Dict) or n.keys]
    return found


def add_sites(finder: SiteFinder, candidates: list[Candidate], chosen: ClassChoice) -> None:
    """Sites of an assumed (or the file's chosen) class for the candidates that look like
    training arguments and that no Site of the file holds already."""
    names = {
        id(node): (name, scope_node)
        for scope_node, b in finder.names.bindings.items()
        for name, node in b.dict_vars.items()
    }
    read_here = _names_read_by_key(finder.tree)
    # Dicts nested in a Site are its values (accelerator_config={...}), never Sites.
    inside: set[int] = set()
    for holder in [*finder.used_dicts, *(d.handle for d in finder.drafts)]:
        if isinstance(holder, ast.AST):
            inside.update(id(n) for n in ast.walk(holder) if n is not holder)
    for node, parent_key in candidates:
        if node in finder.used_dicts or id(node) in inside:
            continue
        named = names.get(id(node))
        if named is not None and named[0] in read_here:
            continue  # the file reads its keys itself: the project's own settings
        scope = finder.names.scope_of(node)
        keys, nested = _dict_keys(node)
        if named is not None:
            keys += _subscript_keys(finder, named[0], finder.names.scope_of(named[1]))
        key = parent_key if parent_key and parent_key.lower() in EXPLICIT_KEYS else None
        if not keys or not is_arguments_mapping(keys, key, finder.knowledge, nested=nested):
            continue
        site = finder._new_site(
            chosen.cls, finder.pos.span(node), Origin.MAPPING, handle=node,
            class_source=chosen.source, other_fields=chosen.other_fields,
        )  # fmt: skip
        finder._unpacked(site, node, scope)
        if named is not None:
            finder._subscript_sets(site, named[0], finder.names.scope_of(named[1]))
        inside.update(id(n) for n in ast.walk(node) if n is not node)


def _subscript_keys(finder: SiteFinder, name: str, scope: Scope) -> list[str]:
    return [
        target.slice.value
        for stmt in nodes_under(scope.node)
        if isinstance(stmt, ast.Assign) and finder.names.scope_of(stmt) is scope
        for target in stmt.targets
        if isinstance(target, ast.Subscript)
        and isinstance(target.value, ast.Name)
        and target.value.id == name
        and isinstance(target.slice, ast.Constant)
        and isinstance(target.slice.value, str)
    ]


def _is_plain_dict_call(node: ast.Call) -> bool:
    return isinstance(node.func, ast.Name) and node.func.id == "dict" and not node.args


def _dict_keys(node: ast.Dict | ast.Call) -> tuple[list[str], frozenset[str]]:
    """The string keys of a dict literal or dict(...) call, and those whose value is a dict."""
    if isinstance(node, ast.Call):
        pairs = [(k.arg, k.value) for k in node.keywords if k.arg]
    else:
        pairs = [
            (k.value, v)
            for k, v in zip(node.keys, node.values, strict=True)
            if isinstance(k, ast.Constant) and isinstance(k.value, str)
        ]
    nested = frozenset(
        k
        for k, v in pairs
        if isinstance(v, ast.Dict) or (isinstance(v, ast.Call) and _is_plain_dict_call(v))
    )
    return [k for k, _ in pairs], nested


def _names_read_by_key(tree: ast.Module) -> set[str]:
    """Names whose keys the module reads itself (`cfg["lr"]`, `cfg.get("lr")`)."""
    read = set()
    for node in module_nodes(tree):
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.ctx, ast.Load)
            and isinstance(node.value, ast.Name)
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, str)
        ):
            read.add(node.value.id)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("get", "pop", "setdefault")
            and isinstance(node.func.value, ast.Name)
        ):
            read.add(node.func.value.id)
    return read
