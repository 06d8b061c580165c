"""Command-line flags written as Python lists of strings, and commands in Python strings.

    parser.parse_args_into_dataclasses(args=["--evaluation_strategy", "steps"])
    parser.parse_args(["--no_cuda"])
    sys.argv = ["train.py", "--per_gpu_train_batch_size", "8"]     (also `+=`, `.extend`)
    subprocess.run(["torchrun", "train.py", "--evaluation_strategy", "steps"])
    os.system("python train.py --no_cuda")

The list items become words for `cli_args`; a command string goes to `shell_script` when its
text maps one to one onto its value (no escapes). This module knows Python lists: where an
element starts and ends and how to change elements without breaking the code.
"""

from __future__ import annotations

import ast
import re

from ..knowledge import Knowledge
from ..model import ClassChoice, ClassSource, Site, Value
from ..textio import SourceText, TextEdit
from . import cli_args, shell_script
from .cli_args import ArgWord
from .python_bindings import PositionMap
from .python_names import qualified
from .python_sites import SiteFinder
from .python_tree import nodes_under
from .python_values import render_python

PARSE_CALLS = frozenset({"parse_args_into_dataclasses", "parse_args", "parse_known_args"})
RUN_CALLS = frozenset(
    {
        "subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output",
        "subprocess.Popen", "os.system",
    }
)  # fmt: skip
# Text a file must hold for any of the above to be in it.
HINTS = ("parse_args", "parse_known_args", "argv", "subprocess", "os.system", "Popen")
_LINE_REST = re.compile(r"\s*,?\s*(#[^\n]*)?\r?\n?\Z")


class PythonListLayout:
    def __init__(self, source: SourceText, elements: list[ast.expr], pos: PositionMap):
        self.source = source
        text = source.text
        self.words = []
        for element in elements:
            span = pos.span(element)
            value = element.value if isinstance(element, ast.Constant) else None
            value = value if isinstance(value, str) else None
            self.words.append(ArgWord(value, span, text[span.start : span.end]))

    def replace(self, i: int, value: str) -> list[TextEdit]:
        word = self.words[i]
        like = Value(word.value, word.span, word.raw)
        return [TextEdit(word.span.start, word.span.end, render_python(value, like))]

    def remove(self, i: int, j: int) -> list[TextEdit]:
        """Remove elements i..j-1 with their commas, keeping one element per line tidy."""
        text, src, words = self.source.text, self.source, self.words
        start, end = words[i].span.start, words[j - 1].span.end
        line_start = src.line_start(start)
        alone = text[line_start:start].strip() == ""
        ends_line = _LINE_REST.match(text[end : src.line_end(end)]) is not None
        if j < len(words):
            following = words[j].span.start
            if alone and ends_line and text[src.line_start(following) : following].strip() == "":
                return [TextEdit(line_start, src.line_start(following), "")]
            return [TextEdit(start, following, "")]
        if alone and ends_line and i > 0:
            return [TextEdit(line_start, src.line_end(end), "")]
        if i > 0:
            return [TextEdit(words[i - 1].span.end, end, "")]
        match = re.match(r"\s*,", text[end:])
        return [TextEdit(start, end + (match.end() if match else 0), "")]

    def insert_after(self, i: int, values: list[str], own_line: bool = False) -> list[TextEdit]:
        like = next(
            (Value(w.value, w.span, w.raw) for w in self.words if w.value is not None), None
        )
        items = ", ".join(render_python(v, like) for v in values)
        end = self.words[i].span.end
        return [TextEdit(end, end, ", " + items)]


def find_sites(
    source: SourceText, tree: ast.Module, finder: SiteFinder, knowledge: Knowledge,
    chosen: ClassChoice,
) -> list[Site]:  # fmt: skip
    """Sites for flag lists handed to a parser, set as sys.argv, or run as a command."""
    if not any(hint in source.text for hint in HINTS) or "--" not in source.text:
        return []  # walking a big module's tree costs more than these searches
    pos = finder.pos
    parsed = _file_parser_class(finder)
    sites: list[Site] = []
    for node in finder.names.scopes:  # every node, already collected by the finder's first pass
        if isinstance(node, ast.Call):
            sites += _call_sites(source, node, finder, knowledge, chosen, pos)
        elif isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                first = _argv_target(target, isinstance(node, ast.AugAssign))
                if first is not None and isinstance(node.value, ast.List | ast.Tuple):
                    site = _list_site(
                        source, node.value, pos, knowledge, parsed or chosen, first,
                        trusted=parsed is not None,
                    )  # fmt: skip
                    sites += [site] if site else []
    return sorted(sites, key=lambda s: s.span.start)


def _argv_target(target: ast.expr, augmented: bool) -> int | None:
    """Index of the first argument when `target` is sys.argv (0 for a slice or `+=`)."""
    if isinstance(target, ast.Attribute) and _is_sys_argv(target):
        return 0 if augmented else 1
    if isinstance(target, ast.Subscript) and _is_sys_argv(target.value):
        return 0
    return None


def _is_sys_argv(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "argv"
        and isinstance(node.value, ast.Name)
        and node.value.id == "sys"
    )


def _call_sites(
    source: SourceText, call: ast.Call, finder: SiteFinder, knowledge: Knowledge,
    chosen: ClassChoice, pos: PositionMap,
) -> list[Site]:  # fmt: skip
    func = call.func
    listed = (
        call.args[0]
        if call.args
        else next((k.value for k in call.keywords if k.arg == "args"), None)
    )
    if isinstance(func, ast.Attribute) and func.attr in PARSE_CALLS:
        if not isinstance(listed, ast.List | ast.Tuple):
            return []
        scope = finder.names.scopes.get(call) or finder.names.scopes[finder.tree]
        owner = func.value
        info = None
        if isinstance(owner, ast.Call):
            info = finder.names.parser_info(owner, scope)
        elif isinstance(owner, ast.Name):
            info = finder.names.lookup(owner.id, scope, "parsers")
        if info is None or info.cls is None:
            return []
        parser = ClassChoice(
            info.cls, ClassSource.CODE, info.other_fields, unread_subclass=info.unread_subclass
        )
        site = _list_site(source, listed, pos, knowledge, parser, 0, trusted=True)
        return [site] if site else []
    if isinstance(func, ast.Attribute) and func.attr == "extend" and _is_sys_argv(func.value):
        if isinstance(listed, ast.List | ast.Tuple):
            parsed = _file_parser_class(finder)
            site = _list_site(
                source, listed, pos, knowledge, parsed or chosen, 0, trusted=parsed is not None
            )
            return [site] if site else []
        return []
    scope = finder.names.scopes.get(call) or finder.names.scopes[finder.tree]
    if qualified(func, scope) not in RUN_CALLS or listed is None:
        return []
    if isinstance(listed, ast.Name):  # cmd = "torchrun ..."; subprocess.run(cmd, shell=True)
        listed = _assigned_once(listed.id, scope.node, finder) or listed
    if isinstance(listed, ast.List | ast.Tuple):
        site = _list_site(source, listed, pos, knowledge, chosen, None)
        return [site] if site else []
    if isinstance(listed, ast.Constant) and isinstance(listed.value, str):
        span = pos.span(listed)
        raw = source.text[span.start : span.end]
        quote = raw[:1]
        if quote in ("'", '"') and raw[1:-1] == listed.value and raw[-1:] == quote:
            return shell_script.find_sites(
                source, knowledge, chosen, span.start + 1, span.end - 1, forbidden=quote + "\\"
            )
    return []


def _assigned_once(name: str, scope_node: ast.AST, finder: SiteFinder) -> ast.expr | None:
    """The value of the one assignment to `name` in this scope (None if it has several)."""
    values = [
        node.value
        for node in nodes_under(scope_node)
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign)
        and finder.names.scopes.get(node) is finder.names.scopes.get(scope_node)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name) and target.id == name
    ]
    return values[0] if len(values) == 1 else None


def _list_site(
    source: SourceText, node: ast.List | ast.Tuple, pos: PositionMap, knowledge: Knowledge,
    chosen: ClassChoice, first: int | None, trusted: bool = False,
) -> Site | None:  # fmt: skip
    if not node.elts:
        return None
    layout = PythonListLayout(source, node.elts, pos)
    # A list of flags in code is not validated as one object by the rules (it may be joined
    # with other arguments at run time).
    return cli_args.list_site(
        source.path, pos.span(node), layout, knowledge, chosen, first=first,
        launch_only=first is None, trusted=trusted, validated=False,
    )  # fmt: skip


def _file_parser_class(finder: SiteFinder) -> ClassChoice | None:
    """The arguments class of an HfArgumentParser built in the file, if there is one."""
    for bindings in finder.names.bindings.values():
        for info in bindings.parsers.values():
            if info.cls:
                return ClassChoice(
                    info.cls,
                    ClassSource.CODE,
                    info.other_fields,
                    unread_subclass=info.unread_subclass,
                )
    return None
