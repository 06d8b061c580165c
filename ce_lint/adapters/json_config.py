"""JSON configs: Sites from a position-keeping parse, edits that keep the JSON valid."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..findings import KEEP, AbstractEdit, AddEntry, Rewrite, Template
from ..model import ClassChoice, Entry, Origin, Site, Span, Value
from ..textio import SourceText, TextEdit
from . import cli_args, config_sites, json_args
from .base import Document, directed
from .errors import ParseProblem, RenderError
from .jsonpos import JArray, JNode, JObject, JsonPosError, parse_with_comments


def render_json(value: Any) -> str:
    if isinstance(value, Template):
        concrete = value.concrete()
        if concrete is None:
            raise RenderError("the new value depends on values that are not known")
        value = concrete
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        raise RenderError(f"cannot write {value!r} as JSON") from None


@dataclass(frozen=True, eq=False)
class JsonDocument(Document):
    found_comments: tuple[tuple[int, str], ...] = ()

    def comments(self) -> list[tuple[int, str]]:
        return list(self.found_comments)

    def can_render(self, edit: AbstractEdit) -> bool:
        return cli_args.can_render(edit) if cli_args.owns(edit) else True

    def rewrite(self, edit: Rewrite) -> list[TextEdit]:
        entry = edit.entry
        out = []
        if edit.key != entry.key:
            out.append(TextEdit(entry.key_span.start, entry.key_span.end, json.dumps(edit.key)))
        if edit.value is not KEEP:
            span = entry.value.span
            out.append(TextEdit(span.start, span.end, render_json(edit.value)))
        return out

    def remove(self, entry: Entry) -> list[TextEdit]:
        edits = self._remove(entry)
        if not self._drops_other_comments(entry, edits):
            return edits
        return self._remove_keeping_comments(entry)

    def _member_lines(self, entry: Entry) -> tuple[int, int]:
        """The start of the member's first line and the end of its last (past the newline)."""
        return (
            self.source.line_start(entry.key_span.start),
            self.source.line_end(entry.value.span.end),
        )

    def _drops_other_comments(self, entry: Entry, edits: list[TextEdit]) -> bool:
        """Whether an edit deletes a comment that lies on a line of its own, not the member's."""
        first, last = self._member_lines(entry)
        return any(
            e.start <= offset < e.end and not first <= offset < last
            for offset, _ in self.found_comments
            for e in edits
        )

    def _comma_after(self, offset: int, limit: int) -> int | None:
        """The first comma after `offset` (before `limit`) that no comment holds."""
        inside = [(o, o + len(c)) for o, c in self.found_comments]
        i = self.source.text.find(",", offset, limit)
        while i != -1:
            if not any(a <= i < b for a, b in inside):
                return i
            i = self.source.text.find(",", i + 1, limit)
        return None

    def _remove_keeping_comments(self, entry: Entry) -> list[TextEdit]:
        """The member, its own line's comment and one comma; comments on other lines stay."""
        text = self.source.text
        parent = entry.parent
        siblings = parent.entries if parent is not None and parent.entries is not None else [entry]
        index = siblings.index(entry)
        first, _ = self._member_lines(entry)
        start, end = entry.key_span.start, entry.value.span.end
        own_line = text[first:start].strip() == ""
        edits = []
        if index + 1 < len(siblings):  # the comma after it goes with it
            comma = self._comma_after(end, siblings[index + 1].key_span.start)
            if comma is None:
                raise RenderError("cannot find the comma after the member")
            end = comma + 1
        elif index > 0:  # the last member: the comma before it goes
            comma = self._comma_after(siblings[index - 1].value.span.end, start)
            if comma is None:
                raise RenderError("cannot find the comma before the member")
            edits.append(TextEdit(comma, comma + 1, ""))
        rest = text[end : self.source.line_end(end)]
        if own_line and (rest.strip() == "" or rest.lstrip().startswith(("//", "#"))):
            start, end = first, self.source.line_end(end)  # whole lines: indentation stays tidy
        edits.append(TextEdit(start, end, ""))
        return edits

    def _remove(self, entry: Entry) -> list[TextEdit]:
        parent = entry.parent
        siblings = parent.entries if parent is not None and parent.entries is not None else [entry]
        index = siblings.index(entry)
        text = self.source.text
        if len(siblings) == 1:
            # `{ "a": 1 }` -> `{}`: drop everything between the braces.
            span = parent.span if parent is not None else entry.span
            return [TextEdit(span.start + 1, span.end - 1, "")]
        if index + 1 < len(siblings):
            # Remove this member, its comma, and the whitespace up to the next key.
            start = entry.key_span.start
            line_start = self.source.line_start(start)
            next_start = siblings[index + 1].key_span.start
            if (
                text[line_start:start].strip() == ""
                and text[self.source.line_start(next_start) : next_start].strip() == ""
            ):
                # One member per line: drop whole lines so indentation stays tidy.
                return [TextEdit(line_start, self.source.line_start(next_start), "")]
            return [TextEdit(start, next_start, "")]
        # Last member: remove from the end of the previous value (its comma included).
        return [TextEdit(siblings[index - 1].value.span.end, entry.value.span.end, "")]

    def add(self, edit: AddEntry) -> list[TextEdit]:
        container = edit.container
        entries = container.entries
        if entries is None:
            raise RenderError("the value is not a JSON object")
        member = f"{json.dumps(edit.key)}: {render_json(edit.value)}"
        if not entries:
            span = container.span
            return [TextEdit(span.start + 1, span.end - 1, member)]
        after = edit.after or entries[-1]
        text = self.source.text
        key_start = entries[0].key_span.start
        line_start = self.source.line_start(key_start)
        if text[line_start:key_start].strip() == "":
            indent = text[line_start:key_start]
            sep = "," + self.source.newline() + indent
        else:
            sep = ", "
        return [TextEdit(after.value.span.end, after.value.span.end, sep + member)]


class JsonAdapter(config_sites.ConfigAdapter):
    name = "json"
    cr_breaks_lines = True

    def parse(self, source: SourceText, chosen: ClassChoice) -> Document:
        try:
            root, comments = parse_with_comments(source.text)
        except JsonPosError as exc:
            problem = ParseProblem(f"JSON does not parse: {exc}", exc.offset)
            return JsonDocument(source, problems=(problem,))
        chosen = directed(chosen, source.text)
        sites: list[Site] = []

        def walk(node: JNode, parent_key: str | None, root: bool = False) -> None:
            if isinstance(node, JObject):
                keys = [k.py for k, _ in node.members]
                nested = frozenset(k.py for k, v in node.members if isinstance(v, JObject))
                if config_sites.holds_arguments(
                    keys, parent_key, self.knowledge, chosen, root, nested
                ):
                    entries = tuple(self._entries(node, None, source.text))
                    span = Span(node.start, node.end)
                    sites.append(
                        Site(
                            source.path,
                            chosen.cls,
                            entries,
                            span,
                            Origin.MAPPING,
                            chosen.source,
                            other_fields=config_sites.other_fields(
                                keys, self.knowledge, chosen, root
                            ),
                            handle=node,
                        )  # fmt: skip
                    )
                    return
                for key, child in node.members:
                    walk(child, key.py)
            elif isinstance(node, JArray):
                for child in node.items:
                    walk(child, parent_key)

        walk(root, None, root=True)
        sites += json_args.find_sites(source, root, self.knowledge, chosen)
        return JsonDocument(source, tuple(sites), found_comments=tuple(comments))

    def _entries(self, node: JObject, parent: Value | None, text: str) -> list[Entry]:
        out = []
        for key, child in node.members:
            value = Value(
                child.py, Span(child.start, child.end), text[child.start : child.end], None, child
            )
            if isinstance(child, JObject):
                value.entries = self._entries(child, value, text)
            out.append(Entry(key.py, Span(key.start, key.end), value, parent, key))
        return out
