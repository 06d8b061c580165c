"""What a legacy `model.fit(...)` call stands on, read with `ast`: the call each argument is (or
that its variable holds), and the statement around the call.

A codemod that replaces the call by a Trainer needs these facts, and only where they are
certain: a variable counts only where its scope binds it exactly once, by a plain assignment
written before the call; anything else stays unknown.
"""

from __future__ import annotations

import ast
import io
import tokenize
from collections import Counter
from typing import Any

from ..model import UNKNOWN, CallFacts, FitStatement
from ..textio import SourceText
from .python_bindings import PositionMap, literal
from .python_names import Scope, qualified
from .python_scopes import Bindings
from .python_tree import module_nodes

DEFAULT_INDENT = "    "


def call_facts(call: ast.Call, scope: Scope, source: str, bindings: Bindings) -> CallFacts:
    positional: list[str] = []
    keywords: list[tuple[str, str]] = []
    literals: list[tuple[str, object]] = []
    steady: set[str] = set()
    formatted: set[str] = set()
    unpacked = False
    named = [(f"#{i}", arg) for i, arg in enumerate(call.args)]
    named += [(kw.arg, kw.value) for kw in call.keywords if kw.arg is not None]
    for key, node in named:
        if isinstance(node, ast.Starred):
            unpacked = True
            continue
        text = ast.get_source_segment(source, node) or ""
        if key.startswith("#"):
            positional.append(text)
        else:
            keywords.append((key, text))
        value = literal(node)
        if value is not UNKNOWN:
            literals.append((key, value))
        if isinstance(node, ast.Name) and bindings.steady(node.id, call):
            steady.add(key)
        if _plain_fstring(node, text):
            formatted.add(key)
    unpacked = unpacked or any(kw.arg is None for kw in call.keywords)
    return CallFacts(
        qualified(call.func, scope) or "",
        tuple(positional),
        tuple(keywords),
        tuple(literals),
        unpacked,
        frozenset(steady),
        frozenset(formatted),
    )


TRIPLE_QUOTES = ("'" * 3, '"' * 3)


def _plain_fstring(node: ast.expr, text: str) -> bool:
    """An f-string on one line, in single quotes, with some literal text besides its fields."""
    if not isinstance(node, ast.JoinedStr) or "\n" in text or len(text) < 3:
        return False
    head = text[:2].lower()
    if head not in ("f'", 'f"') or text[-1] != text[1] or text[1:4] in TRIPLE_QUOTES:
        return False
    return any(isinstance(v, ast.Constant) and v.value for v in node.values)


def argument_call(
    node: ast.expr, at: ast.AST, scope: Scope, source: str, bindings: Bindings
) -> CallFacts | None:
    """The call an argument is, or that its variable is bound to once before `at`."""
    if isinstance(node, ast.Name):
        value = bindings.single_value(node.id, at)
        node = value if value is not None else node
    if isinstance(node, ast.Call):
        return call_facts(node, scope, source, bindings)
    return None


def resolved_literal(node: ast.expr, at: ast.AST, bindings: Bindings) -> Any:
    """The literal a variable holds where its scope binds it once, before `at`."""
    if not isinstance(node, ast.Name):
        return UNKNOWN
    value = bindings.single_value(node.id, at)
    return UNKNOWN if value is None else literal(value)


# Calls whose result is an int whatever their (valid) arguments: builtins, and math's.
INT_CALLS = frozenset({"int", "len", "round"})
INT_MATH = frozenset({"math.ceil", "math.floor", "math.trunc"})
INT_OPERATORS = (ast.Add, ast.Sub, ast.Mult, ast.FloorDiv, ast.Mod)


def integral(node: ast.expr, at: ast.AST, scope: Scope, bindings: Bindings, depth: int = 0) -> bool:
    """Whether the expression is certainly an int: an int literal, a call of int/len/round
    (one argument)/math.ceil/math.floor, integer arithmetic of such, or a variable bound once,
    before `at`, to one of these."""
    if depth > 8:
        return False
    if isinstance(node, ast.Constant):
        return type(node.value) is int
    if isinstance(node, ast.Name):
        value = bindings.single_value(node.id, at)
        return value is not None and integral(value, value, scope, bindings, depth + 1)
    if isinstance(node, ast.IfExp):
        return integral(node.body, at, scope, bindings, depth + 1) and integral(
            node.orelse, at, scope, bindings, depth + 1
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, INT_OPERATORS):
        return integral(node.left, at, scope, bindings, depth + 1) and integral(
            node.right, at, scope, bindings, depth + 1
        )
    if isinstance(node, ast.Call) and not node.keywords:
        func = node.func
        if isinstance(func, ast.Name) and func.id in INT_CALLS:
            if bindings.resolve(func.id, node) is not None:
                return False  # the file rebinds the builtin
            return func.id != "round" or len(node.args) == 1
        return qualified(func, scope) in INT_MATH
    return False


def dict_items(
    node: ast.expr, at: ast.AST, source: str, bindings: Bindings
) -> tuple[tuple[str, str], ...] | None:
    """A dict display's items (key, value source) where every key is a text literal: the
    argument itself, or what its variable is bound to once, before `at`, where nothing in the
    file stores into it (`d["lr"] = ...`) or reads an attribute of it (`d.update(...)`)."""
    if isinstance(node, ast.Name):
        value = bindings.single_value(node.id, at)
        if value is None or _changed_in_place(node.id, bindings.tree):
            return None
        node = value
    if not isinstance(node, ast.Dict):
        return None
    items = []
    for key, value in zip(node.keys, node.values, strict=True):
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
            return None
        items.append((key.value, ast.get_source_segment(source, value) or ""))
    return tuple(items)


def _changed_in_place(name: str, tree: ast.Module) -> bool:
    for node in module_nodes(tree):
        stored = isinstance(node, ast.Subscript) and not isinstance(node.ctx, ast.Load)
        if stored or isinstance(node, ast.Attribute):
            target = node.value  # type: ignore[attr-defined]
        elif isinstance(node, ast.AugAssign):
            target = node.target
        else:
            continue
        if isinstance(target, ast.Name) and target.id == name:
            return True
    return False


class StatementFacts:
    """The file-wide facts every fit statement shares (computed once per file)."""

    def __init__(
        self, source: SourceText, tree: ast.Module, pos: PositionMap, imported: dict[str, str]
    ):
        self.source = source
        self.tree = tree
        self.pos = pos
        text = source.text
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self.names = frozenset(_names(tree))
        self.imported = tuple(imported.items())
        self.quote = _quote(tree, text, pos)
        self.indent_unit = _indent_unit(tree, text, pos)

    def statement(self, call: ast.Call, bindings: Bindings) -> FitStatement | None:
        stmt = bindings.parents.get(call)
        if not isinstance(stmt, ast.Expr) or not isinstance(call.func, ast.Attribute):
            return None
        text = self.source.text
        span = self.pos.span(stmt)
        line_start = text.rfind("\n", 0, span.start) + 1
        indent = text[line_start : span.start]
        if indent.strip(" \t"):
            return None  # another statement before it on its line
        line_end = _line_end(text, span.end)
        after = text[span.end : line_end].strip(" \t\r")
        if after and not after.startswith("#"):
            return None  # `; another()` after it
        segment = text[span.start : span.end]
        comments = _comments(segment)
        if comments is None:
            return None
        import_at = self._import_at(span.start)
        if import_at is None:
            return None
        receiver = ast.get_source_segment(text, call.func.value) or ""
        return FitStatement(
            span, indent, self.indent_unit, self.newline, self.quote, receiver,
            comments, self.names, self.imported, import_at,
        )  # fmt: skip

    def _import_at(self, before: int) -> int | None:
        """After the line of the module's last plain import written before `before`."""
        best = None
        for stmt in self.tree.body:
            if isinstance(stmt, ast.Import | ast.ImportFrom):
                end = self.pos.span(stmt).end
                if end <= before:
                    best = end
        if best is None:
            return None
        text = self.source.text
        end = _line_end(text, best)
        rest = text[best:end].strip(" \t\r")
        if rest and not rest.startswith("#"):
            return None  # `import x; y = 1`: no line of its own
        return end + 1 if end < len(text) else None


def _line_end(text: str, offset: int) -> int:
    end = text.find("\n", offset)
    return len(text) if end < 0 else end


def _comments(segment: str) -> tuple[str, ...] | None:
    """The comments inside a statement's text; None where it does not tokenize alone."""
    found = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(segment).readline):
            if token.type == tokenize.COMMENT:
                found.append(token.string)
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
    return tuple(found)


def _names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in module_nodes(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.Global | ast.Nonlocal):
            names.update(node.names)
    return names


def _quote(tree: ast.Module, text: str, pos: PositionMap) -> str:
    counts: Counter[str] = Counter()
    for node in module_nodes(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            start = pos.offset(node.lineno, node.col_offset)
            head = text[start : start + 4].lstrip("rRbBuUfF")
            if head[:1] in ("'", '"'):
                counts[head[0]] += 1
    return "'" if counts["'"] > counts['"'] else '"'


def _indent_unit(tree: ast.Module, text: str, pos: PositionMap) -> str:
    """The indentation a block adds, read from the file's first nested block."""
    for node in module_nodes(tree):
        body = getattr(node, "body", None)
        if not isinstance(node, ast.stmt) or not isinstance(body, list) or not body:
            continue
        inner = body[0]
        if inner.lineno == node.lineno:
            continue  # `if x: y` on one line
        outer_start = pos.offset(node.lineno, node.col_offset)
        inner_start = pos.offset(inner.lineno, inner.col_offset)
        outer = text[text.rfind("\n", 0, outer_start) + 1 : outer_start]
        inner_indent = text[text.rfind("\n", 0, inner_start) + 1 : inner_start]
        if inner_indent.startswith(outer) and len(inner_indent) > len(outer):
            unit = inner_indent[len(outer) :]
            if not unit.strip(" \t"):
                return unit
    return DEFAULT_INDENT
