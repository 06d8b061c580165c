"""Every node of a parsed module, listed once and shared by the readers of the same tree.

The Python adapter's readers (names, bindings, dicts, API calls, fit statements) each look
through the whole module; `ast.walk` is a generator over `ast.iter_child_nodes`, slow enough
that walking a 5,000-line file seven times cost more than parsing it. The list has the order
`ast.walk` yields (breadth first), so a reader that keeps the first of something keeps the same;
the children of each node, listed on the way, are kept for the scope walks.
"""

from __future__ import annotations

import ast

_AST = ast.AST


class _Listed:
    """The nodes of one module, and each node's children (by id, with the node kept)."""

    def __init__(self, tree: ast.Module):
        self.tree = tree
        self.nodes: list[ast.AST] = [tree]
        self.children: dict[int, tuple[ast.AST, list[ast.AST]]] = {}
        nodes, children = self.nodes, self.children
        i = 0
        while i < len(nodes):
            node = nodes[i]
            i += 1
            below = _children(node)
            children[id(node)] = (node, below)
            nodes.extend(below)


# The module listed last: files are read one after another.
_last: _Listed | None = None


def module_nodes(tree: ast.Module) -> list[ast.AST]:
    """The nodes of `tree` in `ast.walk` order (do not change the list)."""
    global _last
    if _last is None or _last.tree is not tree:
        _last = _Listed(tree)
    return _last.nodes


def nodes_under(node: ast.AST) -> list[ast.AST]:
    """`list(ast.walk(node))`: the shared list when `node` is a module (a module scope)."""
    return module_nodes(node) if isinstance(node, ast.Module) else walk_list(node)


def walk_list(node: ast.AST) -> list[ast.AST]:
    """`list(ast.walk(node))`."""
    out = [node]
    i = 0
    while i < len(out):
        out.extend(_children(out[i]))
        i += 1
    return out


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """`list(ast.iter_child_nodes(node))`: listed already when the node's module was."""
    if _last is not None:
        known = _last.children.get(id(node))
        if known is not None and known[0] is node:
            return known[1]
    return _children(node)


def _children(node: ast.AST) -> list[ast.AST]:
    out: list[ast.AST] = []
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, _AST):
            out.append(value)
        elif isinstance(value, list):
            out.extend([item for item in value if isinstance(item, _AST)])
    return out
