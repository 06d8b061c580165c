"""Every binding of every name, by the scope that holds it: how many times a scope binds a
name, and with what, which decides whether a variable certainly holds one value.

ast-only; the precise counterpart of FileNames' by-kind tables (python_bindings), for rules
that must not guess (a rename on a receiver's class, the fit codemod).
"""

from __future__ import annotations

import ast

from .python_tree import child_nodes

FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
NEW_SCOPES = (*FUNCTIONS, ast.ClassDef, *COMPREHENSIONS)


class Bindings:
    """Every binding of every name, by the scope that holds it (module, function, class,
    comprehension); `global`/`nonlocal` count as bindings of the outer name too."""

    def __init__(self, tree: ast.Module):
        self.tree = tree
        self.parents: dict[ast.AST, ast.AST] = {}
        self.scope: dict[ast.AST, ast.AST] = {}  # node -> the scope node it is evaluated in
        self.bound: dict[ast.AST, dict[str, list[ast.AST]]] = {}
        self._index(tree, tree)

    def _add(self, scope: ast.AST, name: str, node: ast.AST) -> None:
        self.bound.setdefault(scope, {}).setdefault(name, []).append(node)

    def _index(self, node: ast.AST, scope: ast.AST) -> None:
        for child in child_nodes(node):
            self.parents[child] = node
            self.scope[child] = scope
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                self._add(scope, child.name, child)
            if isinstance(child, NEW_SCOPES):
                if isinstance(child, FUNCTIONS):
                    args = child.args
                    every = args.posonlyargs + args.args + args.kwonlyargs
                    every += [a for a in (args.vararg, args.kwarg) if a is not None]
                    for arg in every:
                        self._add(child, arg.arg, arg)
                self._index(child, child)
                continue
            if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store | ast.Del):
                self._add(scope, child.id, child)
            elif isinstance(child, ast.alias):
                self._add(scope, (child.asname or child.name).split(".")[0], child)
            elif isinstance(child, ast.ExceptHandler) and child.name:
                self._add(scope, child.name, child)
            elif isinstance(child, ast.Global | ast.Nonlocal):
                for name in child.names:  # the name is rebound from another scope
                    self._add(scope, name, child)
                    self._add(self.tree, name, child)
            elif isinstance(child, ast.MatchAs | ast.MatchStar) and child.name:
                self._add(scope, child.name, child)
            elif isinstance(child, ast.MatchMapping) and child.rest:
                self._add(scope, child.rest, child)
            self._index(child, scope)

    def resolve(self, name: str, at: ast.AST) -> list[ast.AST] | None:
        """The bindings of `name` in the innermost scope around `at` that binds it (class
        bodies are not seen from their methods); None where none does."""
        scope: ast.AST | None = self.scope.get(at, self.tree)
        first = True
        while scope is not None:
            if first or not isinstance(scope, ast.ClassDef):
                found = self.bound.get(scope, {}).get(name)
                if found:
                    return found
            first = False
            scope = None if scope is self.tree else self.scope.get(scope, self.tree)
        return None

    def single_value(self, name: str, at: ast.AST) -> ast.expr | None:
        """The value `name` holds at `at` where its scope binds it once, by `name = value`
        written before `at`."""
        found = self.resolve(name, at)
        if not found or len(found) != 1:
            return None
        store = found[0]
        owner = self.parents.get(store)
        if not (isinstance(owner, ast.Assign) and owner.targets == [store]):
            return None
        same_scope = self.scope.get(store) is self.scope.get(at, self.tree)
        if same_scope and (owner.end_lineno or 0) >= getattr(at, "lineno", 0):
            return None  # written after the use (or around it)
        return owner.value

    def steady(self, name: str, at: ast.AST) -> bool:
        return self.single_value(name, at) is not None
