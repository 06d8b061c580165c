"""Every node of a parsed module, listed once and shared by the readers of the same tree.

The Python adapter's readers (names, bindings, dicts, API calls, fit statements) each look
through the whole module; `ast.walk` is a generator over `ast.iter_child_nodes`, slow enough
that walking a 5,000-line file seven times cost more than parsing it. The list has the order
`ast.walk` yields (breadth first), so a reader that keeps the first of something keeps the same.
"""

from __future__ import annotations

import ast

_AST = ast.AST
# The module whose nodes were listed last, and its nodes: files are read one after another.
_last: tuple[ast.Module, list[ast.AST]] | None = None


def module_nodes(tree: ast.Module) -> list[ast.AST]:
    """The nodes of `tree` in `ast.walk` order (do not change the list)."""
    global _last
    if _last is not None and _last[0] is tree:
        return _last[1]
    nodes = walk_list(tree)
    _last = (tree, nodes)
    return nodes


def walk_list(node: ast.AST) -> list[ast.AST]:
    """`list(ast.walk(node))`, about three times as fast."""
    out = [node]
    append, extend = out.append, out.extend
    i = 0
    while i < len(out):
        current = out[i]
        i += 1
        for name in current._fields:
            value = getattr(current, name, None)
            if isinstance(value, _AST):
                append(value)
            elif isinstance(value, list):
                extend([item for item in value if isinstance(item, _AST)])
    return out
