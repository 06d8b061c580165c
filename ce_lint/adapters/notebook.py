"""Jupyter notebooks: code cells read as one Python program, `!` lines and `%%bash` cells as shell.

The notebook's JSON is never re-dumped. Its code cells are joined into one Python text (cells
share imports and variables, as they do in the kernel), with IPython magics and `!` lines
blanked out by spaces of the same length so positions stay put. The Python and shell
adapters find Sites in that text; their spans are then mapped to the characters of the JSON
strings that hold each cell's source. Edits go the other way: an edit of the joined text
becomes an edit of the JSON strings of one cell, escaped as JSON, splitting lines the way
notebooks store them. Outputs, metadata and every other cell stay byte for byte.

Reports give the cell (its 1-based position among all cells) and the line within it.
"""

from __future__ import annotations

import ast
import bisect
import dataclasses
import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..findings import AbstractEdit, AddEntry, Remove, ReplaceRead, ReplaceSource, Rewrite
from ..knowledge import Knowledge
from ..model import (
    ApiArgument,
    ApiCall,
    ClassChoice,
    Entry,
    FitCall,
    ImportRef,
    NameRef,
    Site,
    Span,
    TrainerAttribute,
    TrainerKeyword,
    Value,
)
from ..textio import SourceText, TextEdit
from . import cli_args, shell_script
from .base import Adapter, Document, ScriptClassOf, directed
from .errors import ParseProblem, RenderError
from .jsonpos import JArray, JObject, JScalar, JsonPosError, parse
from .patterns import flag_pattern
from .python_script import IPYTHON_LINE, PythonAdapter, PythonDocument, mentions_triggers
from .python_script import line_end as ipython_line_end

# Cell magics whose body is Python all the same.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "writefile"})
SHELL_CELL_MAGICS = frozenset({"bash", "sh", "script"})
_LONE_CR = re.compile(r"\r(?!\n)")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass
class _Piece:
    """One JSON string of a cell's source."""

    node: JScalar  # its position in the notebook, quotes included
    text: str  # the decoded string
    starts: list[int]  # notebook offset of each character's escape, then of the closing quote
    offset: int  # where the piece starts in the cell's text


@dataclass
class _Cell:
    number: int  # 1-based position among all cells
    pieces: list[_Piece]
    listed: bool  # the source is a list of strings (one per line) rather than one string
    start: int = 0  # where the cell starts in the joined text
    separator: int = 0  # 1 when a newline was added after the cell in the joined text
    line_starts: list[int] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.pieces)


def _decode_positions(raw: str, start: int) -> list[int]:
    """Offsets (from `start`) of each decoded character of a JSON string literal's body."""
    starts, i, n = [], 1, len(raw) - 1
    while i < n:
        starts.append(start + i)
        if raw[i] != "\\":
            i += 1
        elif raw[i + 1] == "u":
            code = int(raw[i + 2 : i + 6], 16)
            i += 6
            if 0xD800 <= code < 0xDC00 and raw.startswith("\\u", i):  # a surrogate pair
                i += 6
        else:
            i += 2
    starts.append(start + n)
    return starts


@dataclass(frozen=True, eq=False)
class NotebookDocument(Document):
    """The notebook, and its code cells joined into one text that the other formats read.

    The cell lists are filled while the notebook is read; the Sites are in notebook offsets
    and `origin` maps each of their objects back to the joined text's.
    """

    cells: list[_Cell] = field(default_factory=list)
    joined: SourceText | None = None  # the joined cell text (magics kept)
    python: PythonDocument | None = None
    origin: dict[int, Any] = field(
        default_factory=dict
    )  # id(notebook object) -> joined-text object
    found_comments: tuple[tuple[int, str], ...] = ()
    ensure_ascii: bool = False
    piece_starts: list[int] = field(default_factory=list)
    pieces: list[tuple[_Cell, _Piece]] = field(default_factory=list)

    # -- positions ---------------------------------------------------------------------

    def _cell_at(self, offset: int, insertion: bool = False) -> _Cell:
        starts = [c.start for c in self.cells]
        k = bisect.bisect_right(starts, offset) - 1
        if insertion and k > 0 and offset == self.cells[k].start:
            k -= 1  # an insertion at a boundary ends the cell before
        return self.cells[max(k, 0)]

    def to_notebook(self, offset: int, end: bool = False) -> int:
        """A joined-text offset as a notebook offset (`end`: the end of the character before)."""
        cell = self._cell_at(offset, insertion=end)
        local = min(offset - cell.start, len(cell.text))
        return self._local_to_notebook(cell, local, end)

    def _local_to_notebook(self, cell: _Cell, local: int, end: bool) -> int:
        if not cell.pieces:
            raise RenderError("the cell has no source to edit")
        if end and local > 0:
            piece = self._piece_of(cell, local - 1)
            return piece.starts[local - 1 - piece.offset + 1]
        if local >= len(cell.text):
            return cell.pieces[-1].starts[-1]
        piece = self._piece_of(cell, local)
        return piece.starts[local - piece.offset]

    @staticmethod
    def _piece_of(cell: _Cell, local: int) -> _Piece:
        k = bisect.bisect_right([p.offset for p in cell.pieces], local) - 1
        return cell.pieces[max(k, 0)]

    def _from_notebook(self, offset: int) -> tuple[_Cell, int] | None:
        """(cell, offset in its text) of a notebook offset inside a cell's source strings."""
        k = bisect.bisect_right(self.piece_starts, offset) - 1
        if k < 0:
            return None
        cell, piece = self.pieces[k]
        if offset >= piece.node.end:
            return None
        i = bisect.bisect_right(piece.starts, offset) - 1
        return cell, piece.offset + max(i, 0)

    def location(self, offset: int) -> tuple[int, int]:
        found = self._from_notebook(offset)
        if found is None:
            return self.source.location(offset)
        cell, local = found
        row = bisect.bisect_right(cell.line_starts, local) - 1
        return row + 1, local - cell.line_starts[row] + 1

    def cell(self, offset: int) -> int | None:
        found = self._from_notebook(offset)
        return found[0].number if found else None

    def comments(self) -> list[tuple[int, str]]:
        return list(self.found_comments)

    # -- edits -------------------------------------------------------------------------

    def render(self, edit: AbstractEdit) -> list[TextEdit]:
        inner = self._inner_edit(edit)
        if cli_args.owns(inner):
            edits = cli_args.render(inner)
        elif isinstance(inner, ReplaceSource) or self.python is None:
            if not isinstance(inner, ReplaceSource):
                raise RenderError(f"unsupported edit {edit!r}")
            edits = [TextEdit(inner.span.start, inner.span.end, inner.text)]
        else:
            edits = self.python.render(inner)
        out: list[TextEdit] = []
        for text_edit in edits:
            out += self._notebook_edits(text_edit)
        return out

    def can_render(self, edit: AbstractEdit) -> bool:
        try:
            inner = self._inner_edit(edit)
            if self.python is not None and not cli_args.owns(inner):
                return self.python.can_render(inner)
        except RenderError:
            return False
        return True

    def _inner_edit(self, edit: AbstractEdit) -> AbstractEdit:
        """The same edit in terms of the joined text's objects."""

        def back(obj: Any) -> Any:
            if obj is None:
                return None
            if id(obj) not in self.origin:
                raise RenderError("the edit refers to something outside this notebook")
            return self.origin[id(obj)]

        if isinstance(edit, Rewrite):
            return Rewrite(back(edit.entry), edit.key, edit.value)
        if isinstance(edit, Remove):
            return Remove(back(edit.entry))
        if isinstance(edit, AddEntry):
            return AddEntry(back(edit.container), edit.key, edit.value, back(edit.after))
        if isinstance(edit, ReplaceRead):
            return ReplaceRead(back(edit.entry), edit.value)
        if isinstance(edit, ReplaceSource):
            start = self._from_notebook(edit.span.start)
            end = self._from_notebook(max(edit.span.end - 1, edit.span.start))
            if start is None or end is None or start[0] is not end[0]:
                raise RenderError("the span is not inside one cell")
            cell = start[0]
            local_end = end[1] + (1 if edit.span.end > edit.span.start else 0)
            return ReplaceSource(Span(cell.start + start[1], cell.start + local_end), edit.text)
        raise RenderError(f"unsupported edit {edit!r}")

    def _notebook_edits(self, edit: TextEdit) -> list[TextEdit]:
        """One edit of the joined text as edits of one cell's JSON strings."""
        insertion = edit.start == edit.end
        cell = self._cell_at(edit.start, insertion=insertion)
        size = len(cell.text)
        local_start = edit.start - cell.start
        local_end = edit.end - cell.start
        text = edit.text
        if local_end > size + cell.separator or local_start > size + cell.separator:
            raise RenderError("the edit crosses a cell boundary")
        if local_start > size:
            local_start = size
        if local_end > size:
            local_end = size
        if cell.separator and local_start == size and text.endswith("\n"):
            # Appending a line to a cell whose last line has no newline.
            text = "\n" + text[:-1]
        start = self._local_to_notebook(cell, local_start, end=False)
        end = (
            self._local_to_notebook(cell, local_end, end=True) if local_end > local_start else start
        )
        if not cell.listed:
            return [TextEdit(start, end, self._escape(text))]
        return self._listed_edit(cell, start, end, text)

    def _escape(self, text: str) -> str:
        return json.dumps(text, ensure_ascii=self.ensure_ascii)[1:-1]

    def _listed_edit(self, cell: _Cell, start: int, end: int, text: str) -> list[TextEdit]:
        """Replace notebook [start, end) inside a list of strings, one string per line."""
        first = next(p for p in cell.pieces if p.node.start < start < p.node.end)
        last = next(p for p in cell.pieces if p.node.start < end < p.node.end)
        at_string_end = end == last.node.end - 1
        if not text and start == first.node.start + 1 and at_string_end:
            return [self._drop_strings(cell, first, last)]
        lines = [self._escape(line) for line in text.split("\n")]
        if at_string_end and text.endswith("\n"):
            # The new text ends its string: its last newline stays inside it.
            lines = lines[:-1]
            lines[-1] += "\\n"
        between = "\\n" + '",' + self._separator(cell) + '"'
        return [TextEdit(start, end, between.join(lines))]

    def _drop_strings(self, cell: _Cell, first: _Piece, last: _Piece) -> TextEdit:
        """Remove whole strings of a cell's source list, with one separator."""
        i, j = cell.pieces.index(first), cell.pieces.index(last)
        if j + 1 < len(cell.pieces):
            return TextEdit(first.node.start, cell.pieces[j + 1].node.start, "")
        if i > 0:
            before = cell.pieces[i - 1].node
            if not last.text.endswith("\n") and self.source.text.endswith('\\n"', 0, before.end):
                # The cell's last line had no newline: the new last line loses its own.
                return TextEdit(before.end - 3, last.node.end - 1, "")
            return TextEdit(before.end, last.node.end, "")
        return TextEdit(first.node.start, last.node.end, "")

    def _separator(self, cell: _Cell) -> str:
        """What stands between two strings of the list (a newline and the indentation)."""
        text = self.source.text
        if len(cell.pieces) >= 2:
            a, b = cell.pieces[0].node.end, cell.pieces[1].node.start
            return text[a:b].lstrip(" \t").lstrip(",")
        line_start = self.source.line_start(cell.pieces[0].node.start)
        indent = text[line_start : cell.pieces[0].node.start]
        return self.source.newline() + indent if indent.strip() == "" else " "


class NotebookAdapter(Adapter):
    name = "notebook"

    def __init__(self, knowledge: Knowledge, script_class: ScriptClassOf | None = None):
        super().__init__(knowledge, script_class)
        self.python = PythonAdapter(knowledge)
        self.flags = flag_pattern(knowledge)

    def may_hold_arguments(self, data: bytes) -> bool:
        return b"ce-lint:" in data or mentions_triggers(data) or self.flags.search(data) is not None

    def parse(self, source: SourceText, chosen: ClassChoice) -> Document:
        try:
            root = parse(source.text)
        except JsonPosError as exc:
            problem = ParseProblem(f"the notebook is not JSON: {exc}", exc.offset)
            return NotebookDocument(source, problems=(problem,))
        cells = _member(root, "cells")
        if not isinstance(cells, JArray):
            return NotebookDocument(
                source, problems=(ParseProblem("the notebook has no `cells` list"),)
            )
        doc = NotebookDocument(source, ensure_ascii=source.text.isascii() and "\\u" in source.text)
        self._read_cells(doc, cells)
        joined = "".join(c.text + "\n" * c.separator for c in doc.cells)
        doc = dataclasses.replace(doc, joined=SourceText(source.path, joined))
        assert doc.joined is not None
        python_text, shell_ranges = _split_languages(doc.cells, joined)
        # Python breaks lines at a lone CR too: hold it as LF, one character for one, so that
        # positions in the parsed text stay positions in the cells.
        python_text = _LONE_CR.sub("\n", python_text)
        chosen = directed(chosen, joined)
        inner_sites: list[Site] = []
        comments: list[tuple[int, str]] = []
        python = self._python(source.path, python_text, doc, chosen)
        imports: tuple[ImportRef, ...] = ()
        keywords: tuple[TrainerKeyword, ...] = ()
        attributes: tuple[TrainerAttribute, ...] = ()
        fits: tuple[FitCall, ...] = ()
        api_calls: tuple[ApiCall, ...] = ()
        names: tuple[NameRef, ...] = ()
        if python is not None:
            inner_sites += python.sites
            comments += python.comments()
            imports = tuple(_moved_import(ref, doc) for ref in python.imports)
            keywords = tuple(
                dataclasses.replace(k, span=_span(k.span, doc)) for k in python.trainer_keywords
            )
            attributes = tuple(
                dataclasses.replace(a, span=_span(a.span, doc)) for a in python.trainer_attributes
            )
            # no codemod in a notebook: its statement's offsets are the joined cells' text
            fits = tuple(
                dataclasses.replace(f, span=_span(f.span, doc), statement=None)
                for f in python.fit_calls
            )
            names = tuple(_name_ref(ref, doc) for ref in python.names)
            api_calls = tuple(_api_call(call, doc) for call in python.api_calls)
        scripts = shell_script.scripts_of(self.script_class, source.path, chosen)
        for start, end in shell_ranges:
            inner_sites += shell_script.find_sites(
                doc.joined, self.knowledge, chosen, start, end, scripts, comments=comments
            )
        return dataclasses.replace(
            doc,
            sites=tuple(_translate_site(site, doc) for site in inner_sites),
            imports=imports,
            trainer_keywords=keywords,
            trainer_attributes=attributes,
            fit_calls=fits,
            api_calls=api_calls,
            names=names,
            python=python,
            found_comments=tuple((doc.to_notebook(o), text) for o, text in comments),
        )

    def _read_cells(self, doc: NotebookDocument, cells: JArray) -> None:
        offset_in_cell = 0
        for number, node in enumerate(cells.items, start=1):
            if not isinstance(node, JObject) or _scalar(_member(node, "cell_type")) != "code":
                continue
            source = _member(node, "source")
            strings = source.items if isinstance(source, JArray) else [source]
            pieces = []
            offset_in_cell = 0
            for item in strings:
                if not isinstance(item, JScalar) or not isinstance(item.py, str):
                    continue
                raw = doc.source.text[item.start : item.end]
                pieces.append(
                    _Piece(item, item.py, _decode_positions(raw, item.start), offset_in_cell)
                )
                offset_in_cell += len(item.py)
            cell = _Cell(number, pieces, isinstance(source, JArray))
            doc.cells.append(cell)
        position = 0
        for cell in doc.cells:
            text = cell.text
            cell.start = position
            cell.separator = 0 if text.endswith("\n") else 1
            cell.line_starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]
            position += len(text) + cell.separator
            for piece in cell.pieces:
                doc.piece_starts.append(piece.node.start)
                doc.pieces.append((cell, piece))

    def _python(
        self, path: str, text: str, doc: NotebookDocument, chosen: ClassChoice
    ) -> PythonDocument | None:
        if not text.strip():
            return None
        parsed = self.python.parse(SourceText(path, text), chosen)
        if isinstance(parsed, PythonDocument) and not parsed.problems:
            return parsed
        # One broken cell must not hide the others: blank the cells that do not parse alone.
        chars = list(text)
        for cell in doc.cells:
            body = text[cell.start : cell.start + len(cell.text)]
            try:
                ast.parse(body)
            except (SyntaxError, UnicodeEncodeError):  # a lone surrogate cannot be compiled
                for i in range(cell.start, cell.start + len(cell.text)):
                    if chars[i] != "\n":
                        chars[i] = " "
        parsed = self.python.parse(SourceText(path, "".join(chars)), chosen)
        if isinstance(parsed, PythonDocument) and not parsed.problems:
            return parsed
        return None


def _member(node: Any, key: str) -> Any:
    if not isinstance(node, JObject):
        return None
    for k, v in node.members:
        if k.py == key:
            return v
    return None


def _scalar(node: Any) -> Any:
    return node.py if isinstance(node, JScalar) else None


def _split_languages(cells: list[_Cell], joined: str) -> tuple[str, list[tuple[int, int]]]:
    """The joined text with magics blanked (for Python) and the ranges that are shell."""
    chars = list(joined)
    shell: list[tuple[int, int]] = []

    def blank(start: int, end: int) -> None:
        for i in range(start, end):
            if chars[i] not in "\r\n":
                chars[i] = " "

    for cell in cells:
        text = cell.text
        base = cell.start
        first_line_end = text.find("\n")
        first_line_end = len(text) if first_line_end == -1 else first_line_end
        first = text[:first_line_end].strip()
        if first.startswith("%%"):
            magic = first[2:].split()
            name = magic[0] if magic else ""
            blank(base, base + first_line_end)
            if name in SHELL_CELL_MAGICS and (name != "script" or magic[1:2] in (["bash"], ["sh"])):
                shell.append((base + first_line_end, base + len(text)))
                blank(base, base + len(text))
            elif name not in PYTHON_CELL_MAGICS or (
                name == "writefile" and not first.endswith(".py")
            ):
                blank(base, base + len(text))
            continue
        line_start = 0
        while line_start < len(text):
            line_end = ipython_line_end(text, line_start)
            match = IPYTHON_LINE.match(text, line_start, line_end)
            if match:
                end = line_end
                # `!cmd \` goes on on the next line, as IPython joins them.
                while text[line_start:end].rstrip("\r").endswith("\\") and end < len(text):
                    end = ipython_line_end(text, end + 1)
                bang = text.find("!", line_start, line_end)
                stripped = text[line_start:line_end].lstrip()
                if stripped.startswith("!") or stripped.startswith("%run"):
                    command_start = bang + 1 if stripped.startswith("!") else line_start
                    shell.append((base + command_start, base + end))
                blank(base + line_start, base + end)
                line_end = end
            line_start = line_end + 1
    return "".join(chars), shell


# ---- spans of the joined text -> spans of the notebook ------------------------------------


def _span(span: Span, doc: NotebookDocument) -> Span:
    start = doc.to_notebook(span.start)
    end = doc.to_notebook(span.end, end=True) if span.end > span.start else start
    return Span(start, end)


def _name_ref(ref: NameRef, doc: NotebookDocument) -> NameRef:
    return dataclasses.replace(
        ref,
        span=_span(ref.span, doc),
        statement=_span(ref.statement, doc) if ref.statement else None,
        drop=_span(ref.drop, doc) if ref.drop else None,
    )


def _translate_site(site: Site, doc: NotebookDocument) -> Site:
    entries = tuple(_translate_entry(e, None, doc) for e in site.entries)
    new = dataclasses.replace(site, span=_span(site.span, doc), entries=entries)
    doc.origin[id(new)] = site
    return new


def _translate_entry(entry: Entry, parent: Any, doc: NotebookDocument) -> Entry:
    value = _translate_value(entry.value, doc)
    new = dataclasses.replace(
        entry, key_span=_span(entry.key_span, doc), value=value, parent=parent
    )
    doc.origin[id(new)] = entry
    return new


def _translate_value(value: Value, doc: NotebookDocument) -> Value:
    new = dataclasses.replace(value, span=_span(value.span, doc), entries=None)
    doc.origin[id(new)] = value
    if value.entries is not None:
        new.entries = [_translate_entry(e, new, doc) for e in value.entries]
    return new


def _moved_import(ref: ImportRef, doc: NotebookDocument) -> ImportRef:
    return ImportRef(ref.module, ref.names, _span(ref.span, doc), _span(ref.statement, doc))


def _api_call(call: ApiCall, doc: NotebookDocument) -> ApiCall:
    """A call of the model API with its spans in the notebook's text."""

    def moved(span: Span | None) -> Span | None:
        return None if span is None else _span(span, doc)

    arguments = tuple(
        ApiArgument(
            a.keyword, _span(a.span, doc), moved(a.name_span), _span(a.value_span, doc), a.text
        )
        for a in call.arguments
    )
    return dataclasses.replace(
        call, span=_span(call.span, doc), arguments=arguments, import_span=moved(call.import_span)
    )
