"""Calls of sentence-transformers' model and evaluator API (`CrossEncoder(...)`,
`model.predict(...)`, `CERerankingEvaluator(...)`), resolved through the file's imports.

Only objects imported from sentence_transformers count: a project's own `CrossEncoder` or
another library's stays unknown. A method call counts where its receiver is a variable that
the same scope (or the module) only ever binds to a call of one model class.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from ..model import ApiArgument, ApiCall, Span
from .python_bindings import FileNames
from .python_names import Scope, qualified

ROOT = "sentence_transformers"
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def _api_class(func: ast.expr, scope: Scope, classes: frozenset[str]) -> str | None:
    path = qualified(func, scope)
    if not path or path.split(".", 1)[0] != ROOT:
        return None
    name = path.rsplit(".", 1)[-1]
    return name if name in classes else None


def _scope_node(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> ast.AST | None:
    """The function (or None: the module) whose body binds names used at `node`."""
    current = parents.get(node)
    while current is not None and not isinstance(current, FUNCTIONS):
        current = parents.get(current)
    return current


def find_api_calls(
    names: FileNames, classes: Iterable[str], methods: Iterable[str]
) -> list[ApiCall]:
    """The calls of `classes` (their constructors) and of `methods` on their instances."""
    wanted = frozenset(classes)
    if not any(name in names.source.text for name in wanted):
        return []
    tree, pos = names.tree, names.pos
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    # (scope node, variable) -> the model classes bound to it (None: something else)
    bound: dict[tuple[ast.AST | None, str], set[str | None]] = {}
    for node in ast.walk(tree):
        if isinstance(node, FUNCTIONS):
            args = node.args
            for a in args.posonlyargs + args.args + args.kwonlyargs:
                bound.setdefault((node, a.arg), set()).add(None)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            owner = parents.get(node)
            cls = None
            if isinstance(owner, ast.Assign) and owner.targets == [node]:
                value = owner.value
                if isinstance(value, ast.Call) and node in names.scopes:
                    cls = _api_class(value.func, names.scope_of(node), wanted)
            bound.setdefault((_scope_node(node, parents), node.id), set()).add(cls)

    def receiver_class(node: ast.expr) -> str | None:
        if isinstance(node, ast.Call) and node in names.scopes:
            return _api_class(node.func, names.scope_of(node), wanted)
        if not isinstance(node, ast.Name):
            return None
        scope = _scope_node(node, parents)
        while (scope, node.id) not in bound and scope is not None:
            scope = _scope_node(scope, parents)
        found = bound.get((scope, node.id), set())
        return next(iter(found)) if len(found) == 1 else None

    imports = _plain_imports(tree, pos, wanted)
    uses = {
        name: sum(isinstance(n, ast.Name) and n.id == name for n in ast.walk(tree))
        for name in imports
    }
    calls: list[ApiCall] = []
    wanted_methods = frozenset(methods)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or node not in names.scopes:
            continue
        func = node.func
        cls = _api_class(func, names.scope_of(node), wanted)
        if cls is not None:
            end = pos.span(func).end
            span = Span(end - len(cls), end)
            import_span = imports.get(cls) if isinstance(func, ast.Name) else None
            calls.append(_call(names, node, cls, "__init__", span, import_span))
        elif isinstance(func, ast.Attribute) and (
            owner := _api_class(func.value, names.scope_of(node), wanted)
        ):
            # A class method (`CEBinaryClassificationEvaluator.from_input_examples(...)`).
            end = pos.span(func.value).end
            calls.append(_call(names, node, owner, func.attr, Span(end - len(owner), end)))
        elif isinstance(func, ast.Attribute) and func.attr in wanted_methods:
            owner = receiver_class(func.value)
            if owner is not None:
                end = pos.span(func).end
                calls.append(_call(names, node, owner, func.attr, Span(end - len(func.attr), end)))
    # A rename of the class is whole only where the file uses the name in these calls alone.
    counted = {
        cls: sum(c.import_span is not None and c.cls == cls for c in calls) for cls in imports
    }
    return [
        ApiCall(
            c.cls,
            c.method,
            c.span,
            c.arguments,
            c.unpacked,
            c.import_span,
            c.import_span is not None and uses[c.cls] == counted[c.cls],
        )  # fmt: skip
        for c in calls
    ]


def _plain_imports(tree: ast.Module, pos: object, wanted: frozenset[str]) -> dict[str, Span]:
    """`from sentence_transformers... import Cls` (no alias), once in the file: where it names
    the class."""
    found: dict[str, list[Span]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == ROOT:
            for alias in node.names:
                if alias.name in wanted and alias.asname is None and not node.level:
                    start = pos.span(alias).start  # type: ignore[attr-defined]
                    found.setdefault(alias.name, []).append(Span(start, start + len(alias.name)))
    return {name: spans[0] for name, spans in found.items() if len(spans) == 1}


def _call(
    names: FileNames,
    call: ast.Call,
    cls: str,
    method: str,
    span: Span,
    import_span: Span | None = None,
) -> ApiCall:
    pos, text = names.pos, names.source.text
    arguments = []
    unpacked = False
    for arg in call.args:
        if isinstance(arg, ast.Starred):
            unpacked = True
            break
        value = pos.span(arg)
        arguments.append(ApiArgument(None, value, None, value, text[value.start : value.end]))
    for kw in call.keywords:
        if kw.arg is None:
            unpacked = True
            continue
        whole, value = pos.span(kw), pos.span(kw.value)
        name = Span(whole.start, whole.start + len(kw.arg))
        if text[name.start : name.end] != kw.arg:
            continue  # a name Python read NFKC-normalized: no edit can be placed on it
        arguments.append(ApiArgument(kw.arg, whole, name, value, text[value.start : value.end]))
    return ApiCall(cls, method, span, tuple(arguments), unpacked, import_span)
