"""Python scripts: Sites from `ast` (python_sites), edits placed with libcst.

libcst is imported only when an edit is rendered: it knows where a call argument or dict
element really starts and ends (parentheses, commas, trailing comments), so removing or
adding one changes only those tokens. The fixed file is parsed again by the engine; a fix
that would not parse is never written.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

from ..findings import KEEP, AbstractEdit, AddEntry, Remove, ReplaceRead, Rewrite
from ..knowledge import Knowledge
from ..model import ClassChoice, Entry, Site, Span
from ..textio import SourceText, TextEdit
from . import cli_args, python_api_calls, python_argv
from .base import Adapter, Document, ScriptClassOf
from .errors import ParseProblem, RenderError
from .patterns import flag_pattern, quoted_key_pattern
from .python_bindings import PositionMap
from .python_sites import Handle, SiteFinder
from .python_tree import child_nodes, module_nodes
from .python_values import render_python

# Words a script must contain to hold training arguments at all (checked on bytes first).
TRIGGERS = re.compile(
    rb"TrainingArguments|HfArgumentParser|training_args|train_args|training_arguments"
    rb"|parse_args_into_dataclasses|sentence_transformers\.sampler|self\.args\.|EvaluationStrategy"
    rb"|\btrl\b"  # trl's arguments classes
    rb"|trainer\.tokenizer|\.fit\s*\("  # a trainer's `tokenizer`; the legacy `model.fit(...)`
    rb"|\bsentence_transformers\b"  # its model and evaluator API (python_api_calls)
)
# A trainer's `tokenizer=`: every trainer judged is, or derives from, a `...Trainer` class.
TOKENIZER_KEYWORD = re.compile(rb"tokenizer\s*=")
# Python's regex engine tries an alternation at every position (2 s over the transformers
# package); these plain byte searches, one of which every TRIGGERS match contains, take 0.2 s.
_TRIGGER_WORDS = (
    b"TrainingArguments", b"HfArgumentParser", b"train_arg", b"training_arg",
    b"parse_args_into_dataclasses", b"sentence_transformers", b"self.args.", b"EvaluationStrategy",
    b"trl", b"trainer.tokenizer", b".fit",
)  # fmt: skip


def mentions_triggers(data: bytes) -> bool:
    """Whether `data` holds one of the words a training script is found by."""
    if any(word in data for word in _TRIGGER_WORDS) and TRIGGERS.search(data) is not None:
        return True
    return (
        b"Trainer" in data and b"tokenizer" in data and TOKENIZER_KEYWORD.search(data) is not None
    )


# An IPython line: a magic (`%pip ...`, `%%time`), a shell escape (`!pip ...`), or a shell
# escape's output assigned (`files = !ls`). Notebooks hold them; so do scripts exported from
# one (Colab's "download .py"), which Python itself refuses.
IPYTHON_LINE = re.compile(r"[ \t]*(?:%|!|[A-Za-z_][\w.]*[ \t]*=[ \t]*[!%])")


# Where IPython ends a line: it splits a cell with str.splitlines (CR aside, which comes
# before a LF), so a `!` command also ends at a form feed, NEL, U+2028 or U+2029.
_LINE_BREAK = re.compile("[\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def line_end(text: str, start: int) -> int:
    """The end of the line that starts at `start`, as IPython splits a cell."""
    found = _LINE_BREAK.search(text, start)
    return found.start() if found else len(text)


def blank_ipython_lines(text: str) -> str:
    """`text` with its IPython lines (and the lines a trailing backslash continues) blanked,
    character for character, so that offsets stay those of the text."""
    chars = list(text)
    start = 0
    while start < len(text):
        end = line_end(text, start)
        if IPYTHON_LINE.match(text, start, end):
            while text[start:end].rstrip("\r").endswith("\\") and end < len(text):
                end = line_end(text, end + 1)
            for i in range(start, end):
                if chars[i] not in "\r\n":
                    chars[i] = " "
        start = end + 1
    return "".join(chars)


@dataclass(frozen=True, eq=False)
class PythonDocument(Document):
    tree: ast.Module | None = None
    # The text the tree was parsed from where it is not the file's own: its IPython lines
    # blanked (same offsets). Comments and libcst read it; edits apply to the file's text.
    parsed: SourceText | None = None

    writes_expressions: ClassVar[bool] = True  # f-strings

    # -- what each entry allows ----------------------------------------------------------

    def can_render(self, edit: AbstractEdit) -> bool:
        """A cheap check (no libcst) of whether render() can express the edit."""
        if cli_args.owns(edit):
            return cli_args.can_render(edit)
        if isinstance(edit, ReplaceRead):
            return _handle(edit.entry).syntax == "attribute-read"
        entries = []
        if isinstance(edit, Rewrite | Remove):
            entries = [edit.entry]
        elif isinstance(edit, AddEntry) and edit.after is not None:
            entries = [edit.after]
        for entry in entries:
            syntax = _handle(entry).syntax
            renames_only = isinstance(edit, Rewrite) and edit.value is KEEP
            if syntax == "declaration":
                # only a flowing default's value (Origin.DEFAULTS), never a declaration's name
                gives_value = isinstance(edit, Rewrite) and edit.key == entry.key
                return gives_value and not renames_only and entry.role == "default"
            if syntax == "attribute-read" and not renames_only:
                return False  # a read can be renamed, not removed or given a value
            if syntax == "positional" and not (isinstance(edit, Rewrite) and edit.key == entry.key):
                return False  # output_dir passed by position has no name to change
        return True

    # -- rewrite ---------------------------------------------------------------------

    def rewrite(self, edit: Rewrite) -> list[TextEdit]:
        if not self.can_render(edit):
            raise RenderError("this use of the field cannot be rewritten automatically")
        entry = edit.entry
        handle = _handle(entry)
        out = []
        if edit.key != entry.key:
            if not edit.key.isidentifier():
                raise RenderError(f"{edit.key!r} is not a Python name")
            if handle.syntax in ("dict-item", "subscript-set"):
                old = self.source.text[entry.key_span.start : entry.key_span.end]
                quote = old[-1] if old[-1:] in ("'", '"') else '"'
                out.append(
                    TextEdit(entry.key_span.start, entry.key_span.end, f"{quote}{edit.key}{quote}")
                )
            else:
                out.append(TextEdit(entry.key_span.start, entry.key_span.end, edit.key))
        if edit.value is not KEEP:
            span = entry.value.span
            out.append(TextEdit(span.start, span.end, render_python(edit.value, entry.value)))
        return out

    def replace_read(self, edit: ReplaceRead) -> list[TextEdit]:
        """The attribute expression that reads the field (`self.args.x`, an atom) becomes the
        value's literal; only reads (Load context) have this handle, never the target of an
        assignment, `del` or augmented assignment."""
        if not self.can_render(edit):
            raise RenderError("only a read of the field can be replaced by a value")
        span = edit.entry.value.span
        return [TextEdit(span.start, span.end, render_python(edit.value, edit.entry.value))]

    # -- remove ----------------------------------------------------------------------

    def remove(self, entry: Entry) -> list[TextEdit]:
        if not self.can_render(Remove(entry)):
            raise RenderError("this use of the field cannot be removed automatically")
        handle = _handle(entry)
        if handle.syntax in ("attribute-set", "subscript-set"):
            return self._remove_statement(handle.node)
        index = self.cst.items_for(entry.key_span.start)
        if index is None:
            raise RenderError("cannot locate the argument in the source")
        items, i = index
        return [self._remove_item(items, i)]

    def _remove_item(self, items: list[tuple[int, int]], i: int) -> TextEdit:
        """Remove items[i] (syntactic (start, end) spans of a call's arguments or a dict's
        elements) with its comma, keeping the surrounding layout."""
        text, src = self.source.text, self.source
        start, end = items[i]
        line_start = src.line_start(start)
        alone = text[line_start:start].strip() == ""
        rest_of_line = text[end : src.line_end(end)]
        only_comma_after = re.fullmatch(r"\s*,?\s*(#[^\n]*)?\r?\n?", rest_of_line) is not None
        if i + 1 < len(items):
            nxt = items[i + 1][0]
            comma = re.match(r"[ \t]*,[ \t]*", text[end:])
            if "#" in text[src.line_end(end) : nxt] and only_comma_after and comma:
                # Comment lines before the next item are its own: cut through this line only.
                if alone:
                    return TextEdit(line_start, src.line_end(end), "")
                return TextEdit(start, end + comma.end(), "")
            if alone and only_comma_after and text[src.line_start(nxt) : nxt].strip() == "":
                return TextEdit(line_start, src.line_start(nxt), "")
            return TextEdit(start, nxt, "")
        if alone and only_comma_after:
            return TextEdit(line_start, src.line_end(end), "")
        if i > 0:
            return TextEdit(items[i - 1][1], end, "")
        # The only item: remove it and a trailing comma.
        match = re.match(r"\s*,", text[end:])
        return TextEdit(start, end + (match.end() if match else 0), "")

    def _remove_statement(self, node: ast.AST) -> list[TextEdit]:
        parent = self.parents.get(node)
        body = None
        for name in ("body", "orelse", "finalbody"):
            candidate = getattr(parent, name, None)
            if isinstance(candidate, list) and node in candidate:
                body = candidate
        span = self._span(node)
        src, text = self.source, self.source.text
        line_start, line_end = src.line_start(span.start), src.line_end(span.end)
        before, after = text[line_start : span.start], text[span.end : line_end]
        if before.strip() or re.fullmatch(r"\s*(#[^\n]*)?\r?\n?", after) is None:
            raise RenderError("the statement shares its line with other code")
        if body is not None and len(body) == 1:
            return [TextEdit(span.start, span.end, "pass")]
        return [TextEdit(line_start, line_end, "")]

    # -- add -------------------------------------------------------------------------

    def add(self, edit: AddEntry) -> list[TextEdit]:
        if not self.can_render(edit):
            raise RenderError("cannot add an argument here")
        after = edit.after
        container = edit.container
        if after is None:
            entries = [
                e
                for e in (container.entries or [])
                if _handle(e).syntax in ("keyword", "dict-item", "attribute-set")
            ]
            after = entries[-1] if entries else None
        if after is None:
            if isinstance(container, Site) and isinstance(container.handle, ast.Call):
                call = container.handle
                span = self._span(call)
                # `**cfg` is a keyword too; after a trailing comma no second one.
                inside = self.source.text[span.start : span.end - 1].rstrip()
                sep = ", " if (call.args or call.keywords) and not inside.endswith(",") else ""
                return [
                    TextEdit(
                        span.end - 1, span.end - 1, f"{sep}{edit.key}={render_python(edit.value)}"
                    )
                ]
            raise RenderError("nowhere to add the argument")
        handle = _handle(after)
        if handle.syntax == "attribute-set":
            stmt_span = self._span(handle.node)
            line_start = self.source.line_start(stmt_span.start)
            indent = self.source.text[line_start : stmt_span.start]
            variable = getattr(handle.node, "targets", [None])[0]
            owner = ast.unparse(variable.value) if isinstance(variable, ast.Attribute) else "args"
            end = self.source.line_end(stmt_span.end)
            newline = self.source.newline()
            prefix = "" if self.source.text[end - 1 : end] == "\n" else newline
            return [
                TextEdit(
                    end,
                    end,
                    f"{prefix}{indent}{owner}.{edit.key} = {render_python(edit.value)}{newline}",
                )
            ]
        if handle.syntax == "dict-item":
            item = f"{json.dumps(edit.key)}: {render_python(edit.value)}"
        elif handle.syntax == "keyword":
            item = f"{edit.key}={render_python(edit.value)}"
        else:
            raise RenderError("cannot add next to this entry")
        index = self.cst.items_for(after.key_span.start)
        if index is None:
            raise RenderError("cannot locate the argument in the source")
        items, i = index
        start, end = items[i]
        text, src = self.source.text, self.source
        line_start = src.line_start(start)
        rest = text[end : src.line_end(end)]
        if text[line_start:start].strip() == "" and re.fullmatch(r"\s*,?\s*(#[^\n]*)?\r?\n?", rest):
            indent = text[line_start:start]
            comma = "" if rest.lstrip().startswith(",") else ","
            line_end = src.line_end(end)
            insert = f"{indent}{item},{src.newline()}"
            if comma:
                return [TextEdit(end, end, comma), TextEdit(line_end, line_end, insert)]
            return [TextEdit(line_end, line_end, insert)]
        return [TextEdit(end, end, f", {item}")]

    # -- helpers ---------------------------------------------------------------------

    def _span(self, node: ast.AST) -> Span:
        return PositionMap(self.source).span(node)

    @cached_property
    def parents(self) -> dict[ast.AST, ast.AST]:
        assert self.tree is not None
        return {
            child: parent for parent in module_nodes(self.tree) for child in child_nodes(parent)
        }

    @cached_property
    def cst(self) -> _CstIndex:
        """libcst's view of the file, made only when an edit is rendered."""
        return _CstIndex(self.parsed or self.source)

    def comments(self) -> list[tuple[int, str]]:
        """(offset, text) of every comment, from the tokenizer."""
        import io
        import tokenize

        out = []
        source = self.parsed or self.source
        try:
            for token in tokenize.generate_tokens(io.StringIO(source.text).readline):
                if token.type == tokenize.COMMENT:
                    row, col = token.start
                    out.append((source.line_starts[row - 1] + col, token.string))
        except (tokenize.TokenError, IndentationError, SyntaxError):
            pass
        return out


def _handle(entry: Entry) -> Handle:
    handle = entry.handle
    if not isinstance(handle, Handle):
        raise RenderError("not a Python entry")
    return handle


class _CstIndex:
    """Exact extents of call arguments and dict elements, from libcst (parsed on first use)."""

    def __init__(self, source: SourceText):
        import libcst as cst
        from libcst.metadata import MetadataWrapper, PositionProvider

        self.source = source
        wrapper = MetadataWrapper(cst.parse_module(source.text), unsafe_skip_copy=True)
        positions = wrapper.resolve(PositionProvider)
        self.by_start: dict[int, tuple[list[tuple[int, int]], int]] = {}

        def span(node: Any) -> tuple[int, int]:
            r = positions[node]
            return (
                source.offset(r.start.line, r.start.column + 1),
                source.offset(r.end.line, r.end.column + 1),
            )

        for node in positions:
            if isinstance(node, cst.Call):
                children = list(node.args)
            elif isinstance(node, cst.Dict):
                children = list(node.elements)
            else:
                continue
            spans = [span(child) for child in children]
            for i, (start, _) in enumerate(spans):
                self.by_start[start] = (spans, i)

    def items_for(self, offset: int) -> tuple[list[tuple[int, int]], int] | None:
        """The sibling items of the argument or element that starts at `offset`."""
        return self.by_start.get(offset)


class PythonAdapter(Adapter):
    name = "python"
    cr_breaks_lines = True

    def __init__(self, knowledge: Knowledge, script_class: ScriptClassOf | None = None):
        super().__init__(knowledge, script_class)
        self.flags = flag_pattern(knowledge)
        self.quoted_keys = quoted_key_pattern(knowledge)

    def may_hold_arguments(self, data: bytes) -> bool:
        if mentions_triggers(data):
            return True
        first = self.quoted_keys.search(data)
        if first is not None:
            # A dict of fields: python_dicts takes one with two fields at least (a lone field
            # under `training_args` holds a trigger word). Modeling code repeats one key often.
            for other in self.quoted_keys.finditer(data, first.end()):
                if other.group(1) != first.group(1):
                    return True
        # Flags in a list or command string (python_argv). The flag pattern starts with a
        # literal `--`, which the regex engine scans for quickly; it rarely matches.
        if self.flags.search(data) is None:
            return False
        return any(h.encode() in data for h in python_argv.HINTS)

    def parse(self, source: SourceText, chosen: ClassChoice) -> Document:
        try:
            tree = ast.parse(source.text, filename=source.path)
        except SyntaxError as exc:
            ipython = _parse_ipython(source)
            if ipython is not None:
                return self._document(source, chosen, *ipython)
            offset = 0
            if exc.lineno:
                try:
                    offset = source.offset(exc.lineno, max(exc.offset or 1, 1))
                except IndexError:
                    offset = 0
            problem = ParseProblem(f"Python does not parse: {exc.msg} (line {exc.lineno})", offset)
            return PythonDocument(source, problems=(problem,))
        except UnicodeEncodeError as exc:  # a lone surrogate (a notebook's "\udcff" escape)
            problem = ParseProblem(f"Python does not parse: {exc.reason}", exc.start)
            return PythonDocument(source, problems=(problem,))
        return self._document(source, chosen, tree, None)

    def _document(
        self, source: SourceText, chosen: ClassChoice, tree: ast.Module, parsed: SourceText | None
    ) -> PythonDocument:
        read = parsed or source
        finder = SiteFinder(read, tree, self.knowledge)
        sites = finder.run(chosen)
        sites += python_argv.find_sites(read, tree, finder, self.knowledge, chosen)
        names = tuple(finder.names.library_names(self.knowledge.enum_names))
        st = self.knowledge.st
        api_calls = python_api_calls.find_api_calls(finder.names, st.api_classes, st.api_methods)
        return PythonDocument(
            source,
            tuple(sites),
            imports=tuple(finder.names.imports),
            trainer_keywords=tuple(finder.trainer_keywords),
            trainer_attributes=tuple(finder.trainer_attributes),
            fit_calls=tuple(finder.fit_calls),
            api_calls=tuple(api_calls),
            names=names,
            tree=tree,
            parsed=parsed,
        )


def _parse_ipython(source: SourceText) -> tuple[ast.Module, SourceText] | None:
    """A script that Python refuses only for its IPython lines (exported from a notebook): its
    tree with those lines blanked, and that text. None when blanking does not make it parse."""
    blanked = blank_ipython_lines(source.text)
    if blanked == source.text:
        return None
    try:
        return ast.parse(blanked, filename=source.path), source.with_text(blanked)
    except (SyntaxError, ValueError, UnicodeEncodeError, MemoryError, RecursionError):
        return None
