"""Calls of sentence-transformers' model and evaluator API (`CrossEncoder(...)`,
`model.predict(...)`, `CERerankingEvaluator(...)`), resolved through the file's imports.

Only objects imported from sentence_transformers count: a project's own `CrossEncoder` or
another library's stays unknown. A method call counts where its receiver is a variable that
the same scope (or the module) only ever binds to a call of one model class.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Iterable

from ..model import ApiArgument, ApiCall, Span
from .python_bindings import FileNames
from .python_names import Scope, qualified
from .python_tree import module_nodes

ROOT = "sentence_transformers"


def _api_class(func: ast.expr, scope: Scope, classes: frozenset[str]) -> str | None:
    path = qualified(func, scope)
    if not path or path.split(".", 1)[0] != ROOT:
        return None
    name = path.rsplit(".", 1)[-1]
    return name if name in classes else None


def find_api_calls(
    names: FileNames, classes: Iterable[str], methods: Iterable[str]
) -> list[ApiCall]:
    """The calls of `classes` (their constructors) and of `methods` on their instances."""
    wanted = frozenset(classes)
    text = names.source.text
    if ROOT not in text or not any(name in text for name in wanted):
        return []  # only classes imported from sentence_transformers count
    tree, pos = names.tree, names.pos
    bindings = names.every_binding

    def bound_class(store: ast.AST) -> str | None:
        """The class a binding assigns an instance of (`var = CrossEncoder(...)`)."""
        owner = bindings.parents.get(store)
        if not (isinstance(owner, ast.Assign) and owner.targets == [store]):
            return None
        value = owner.value
        if not isinstance(value, ast.Call) or store not in names.scopes:
            return None
        return _api_class(value.func, names.scope_of(store), wanted)

    def receiver_class(node: ast.expr) -> str | None:
        """The class of a receiver that its scope only ever binds to instances of it."""
        if isinstance(node, ast.Call) and node in names.scopes:
            return _api_class(node.func, names.scope_of(node), wanted)
        if not isinstance(node, ast.Name):
            return None
        found = {bound_class(store) for store in bindings.resolve(node.id, node) or ()}
        return next(iter(found)) if len(found) == 1 else None

    imports = _plain_imports(tree, pos, wanted)
    named = Counter(n.id for n in module_nodes(tree) if isinstance(n, ast.Name)) if imports else {}
    uses = {name: named[name] for name in imports}
    calls: list[ApiCall] = []
    wanted_methods = frozenset(methods)
    for node in module_nodes(tree):
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
    for node in module_nodes(tree):
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
