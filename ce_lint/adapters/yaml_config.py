"""YAML configs: Sites from pyyaml's composed nodes, edits as surgical text changes.

The document is never re-dumped: positions come from node marks, and only the spans
an edit names change, so comments, quoting, order, indentation and line endings stay.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from typing import Any

import yaml

from ..findings import KEEP, AbstractEdit, AddEntry, Rewrite
from ..knowledge import Knowledge
from ..model import UNKNOWN, ClassChoice, Entry, Origin, Site, Span, Value
from ..textio import SourceText, TextEdit
from . import cli_args, config_sites, yaml_args
from .base import Document, directed, leading_space
from .errors import ParseProblem, RenderError
from .yaml_values import render_key, render_value


@dataclass(frozen=True, eq=False)
class YamlDocument(Document):
    roots: tuple[yaml.Node, ...] = ()  # the composed documents, kept for comments()

    def comments(self) -> list[tuple[int, str]]:
        """`#` comments: a `#` after a blank or at a line start, outside every scalar.

        Scalar spans come from the composed nodes, so a `#` inside a quoted string or a block
        scalar is never taken for a comment.
        """
        text = self.source.text
        if "#" not in text:
            return []
        inside = _scalar_spans(list(self.roots), self.source)
        out, i, k = [], text.find("#"), 0
        while i != -1:
            while k < len(inside) and inside[k][1] <= i:
                k += 1
            in_scalar = k < len(inside) and inside[k][0] <= i
            if not in_scalar and (i == 0 or text[i - 1] in " \t\r\n"):
                end = text.find("\n", i)
                end = len(text) if end == -1 else end
                out.append((i, text[i:end].rstrip("\r")))
                i = text.find("#", end)
            else:
                i = text.find("#", i + 1)
        return out

    def can_render(self, edit: AbstractEdit) -> bool:
        return cli_args.can_render(edit) if cli_args.owns(edit) else True

    # -- helpers ---------------------------------------------------------------------

    def rewrite(self, edit: Rewrite) -> list[TextEdit]:
        entry = edit.entry
        out = []
        if edit.key != entry.key:
            out.append(
                TextEdit(entry.key_span.start, entry.key_span.end, render_key(edit.key, entry))
            )
        if edit.value is not KEEP:
            node = entry.value.handle
            text = render_value(edit.value, like=entry.value)
            if isinstance(node, yaml.CollectionNode) and not node.flow_style or _block_scalar(node):
                # A block value starts on the next line: replace from the key's end.
                end = entry.value.span.end
                tail = self.source.newline() if self.source.text[end - 1 : end] == "\n" else ""
                out.append(TextEdit(entry.key_span.end, end, f": {text}{tail}"))
                return _merge_adjacent(out)
            span = entry.value.span
            if span.start == span.end:  # `key:` with an empty (null) value
                text = " " + text
            out.append(TextEdit(span.start, span.end, text))
        return out

    def remove(self, entry: Entry) -> list[TextEdit]:
        parent = entry.parent
        siblings = parent.entries if parent is not None and parent.entries is not None else [entry]
        index = siblings.index(entry)
        text = self.source.text
        if len(siblings) == 1 and _pairs(parent) <= 1:
            # `{a: 1}` keeps its own braces; a block mapping left empty becomes `{}`.
            empty = "" if _is_flow(parent) else "{}"
            return [TextEdit(entry.key_span.start, entry.value.span.end, empty)]
        if _is_flow(parent):
            if index + 1 < len(siblings):
                return [TextEdit(entry.key_span.start, siblings[index + 1].key_span.start, "")]
            return [TextEdit(siblings[index - 1].value.span.end, entry.value.span.end, "")]
        start = self.source.line_start(entry.key_span.start)
        end = entry.value.span.end
        if end == 0 or text[end - 1] != "\n":
            end = self.source.line_end(end)
        if _YAML_ONLY_BREAK.search(text, start, end):
            # YAML breaks lines at NEL, LS and PS too: the rest of this "line" is other data.
            raise RenderError("the line holds a line break only YAML reads (NEL, U+2028, U+2029)")
        if leading_space(text[start : entry.key_span.start]):
            return [TextEdit(start, end, "")]
        # `- key: value` (first key of a sequence item): keep the `- ` and pull the next key up.
        if len(siblings) == 1:
            raise RenderError("the mapping's other keys are not text")
        if index + 1 < len(siblings):
            return [TextEdit(entry.key_span.start, siblings[index + 1].key_span.start, "")]
        return [TextEdit(entry.key_span.start, entry.value.span.end, "{}")]

    def add(self, edit: AddEntry) -> list[TextEdit]:
        container = edit.container
        entries = container.entries
        if entries is None:
            raise RenderError("the value is not a mapping ce-lint can edit")
        rendered = f"{render_key(edit.key, None)}: {render_value(edit.value, like=None)}"
        if not entries:
            span = container.span
            return [TextEdit(span.start, span.end, "{" + rendered + "}")]
        after = edit.after or entries[-1]
        if _is_flow(container):
            return [TextEdit(after.value.span.end, after.value.span.end, ", " + rendered)]
        column = self.source.location(entries[0].key_span.start)[1]
        end = after.value.span.end
        text = self.source.text
        if end == 0 or text[end - 1] != "\n":
            end = self.source.line_end(end)
        newline = self.source.newline()
        prefix = "" if text[end - 1 : end] == "\n" else newline
        return [TextEdit(end, end, prefix + " " * (column - 1) + rendered + newline)]


def _scalar_spans(roots: list[yaml.Node], source: SourceText) -> list[tuple[int, int]]:
    """Sorted (start, end) of every scalar node; a block scalar's header line is left out,
    since a comment may follow its `|` or `>`."""
    spans, seen, stack = [], set(), list(roots)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            start, end = node.start_mark.index, node.end_mark.index
            if _block_scalar(node):
                start = min(source.line_end(start), end)
            if end > start:
                spans.append((start, end))
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack += [key, value]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value
    return sorted(spans)


def _merge_adjacent(edits: list[TextEdit]) -> list[TextEdit]:
    """A key rename plus a block-value rewrite touch adjacent spans: join them."""
    if len(edits) == 2 and edits[0].end == edits[1].start:
        return [TextEdit(edits[0].start, edits[1].end, edits[0].text + edits[1].text)]
    return edits


def _is_flow(container: Any) -> bool:
    node = getattr(container, "handle", None)
    return bool(getattr(node, "flow_style", False))


def _block_scalar(node: Any) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.style in ("|", ">")


def _surprising_reading(node: yaml.Node, py: Any) -> str:
    """What YAML 1.1 (pyyaml, HfArgumentParser's loader) made of a plain scalar, if surprising."""
    if not isinstance(node, yaml.ScalarNode) or node.style is not None:
        return ""
    text = node.value
    if py is False and text.lower() in ("no", "off", "n"):
        return f"YAML reads a bare `{text}` as false: quote it."
    if isinstance(py, str):
        with contextlib.suppress(ValueError):
            float(text)
            return "(YAML 1.1 reads an exponent without a decimal point, like 1e-5, as text.)"
    return ""


# YAML 1.2's float: an exponent needs no decimal point (`1e-5`), unlike YAML 1.1's.
_YAML12_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")


def _yaml12_number(node: yaml.Node, py: Any) -> bool:
    """A plain scalar that YAML 1.1 (pyyaml) reads as text and YAML 1.2 as a float."""
    return (
        isinstance(node, yaml.ScalarNode)
        and node.style is None
        and isinstance(py, str)
        and _YAML12_FLOAT.fullmatch(node.value) is not None
    )


# libyaml composes about 30 times as fast as PyYAML; on printable ASCII with LF line breaks and
# no tags its nodes, marks and verdicts are PyYAML's (tests/test_yaml_composers.py compares
# them on fuzzed texts); elsewhere they differ (character counts, tabs, `!`). So it reads only
# such text, and only a large file (a generated config), where the time goes; a text it
# refuses is read again by PyYAML, whose message and position are reported.
C_COMPOSER_MIN = 64 * 1024
_NOT_FOR_C = re.compile(r"[^\n\x20-\x7e]|!")


def compose(text: str) -> list[yaml.Node | None]:
    """The documents of `text` as PyYAML composes them (raises yaml.YAMLError)."""
    c_loader = getattr(yaml, "CSafeLoader", None)
    if c_loader is not None and len(text) >= C_COMPOSER_MIN and not _NOT_FOR_C.search(text):
        try:
            roots = list(yaml.compose_all(text, Loader=c_loader))
        except yaml.YAMLError:
            pass
        else:
            _plain_style_is_none(roots)
            return roots
    return list(yaml.compose_all(text, Loader=yaml.SafeLoader))


def _plain_style_is_none(roots: list[yaml.Node | None]) -> None:
    """libyaml marks a plain scalar with style "", PyYAML with None."""
    stack = [r for r in roots if r is not None]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue  # an alias
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            if node.style == "":
                node.style = None
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack += (key, value)
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value


class YamlAdapter(config_sites.ConfigAdapter):
    name = "yaml"
    cr_breaks_lines = True

    def parse(self, source: SourceText, chosen: ClassChoice) -> Document:
        try:
            roots = compose(source.text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            problem = getattr(exc, "problem", None) or str(exc)
            offset = mark.index if mark is not None else 0
            return YamlDocument(
                source, problems=(ParseProblem(f"YAML does not parse: {problem}", offset),)
            )
        chosen = directed(chosen, source.text)
        builder = _SiteBuilder(source, self.knowledge, chosen)
        for root in roots:
            if root is not None:
                builder.walk(root, None, root=True)
        sites = builder.sites + yaml_args.find_sites(source, roots, self.knowledge, chosen)
        return YamlDocument(source, tuple(sites), roots=tuple(roots))


class _SiteBuilder:
    def __init__(self, source: SourceText, knowledge: Knowledge, chosen: ClassChoice):
        self.source = source
        self.knowledge = knowledge
        self.chosen = chosen
        self.sites: list[Site] = []
        self.loader = yaml.SafeLoader("")
        self.seen: set[int] = set()

    def walk(self, node: yaml.Node, parent_key: str | None, root: bool = False) -> None:
        if id(node) in self.seen:  # an alias points at a node we already visited
            return
        self.seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys = [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)]
            nested = frozenset(
                k.value
                for k, v in node.value
                if isinstance(k, yaml.ScalarNode) and isinstance(v, yaml.MappingNode)
            )
            if config_sites.holds_arguments(
                keys, parent_key, self.knowledge, self.chosen, root, nested
            ):
                others = config_sites.other_fields(keys, self.knowledge, self.chosen, root)
                self.sites.append(self.site(node, others))
                return
            for key, child in node.value:
                self.walk(child, key.value if isinstance(key, yaml.ScalarNode) else None)
        elif isinstance(node, yaml.SequenceNode):
            for child in node.value:
                self.walk(child, parent_key)

    def site(self, node: yaml.MappingNode, others: frozenset[str] | None) -> Site:
        return Site(
            self.source.path,
            self.chosen.cls,
            tuple(self.entries(node, None)),
            Span(node.start_mark.index, node.end_mark.index),
            Origin.MAPPING,
            self.chosen.source,
            # `<<: *base` keys are not entries: rules must not read their absence as defaults.
            partial=any(k.tag == "tag:yaml.org,2002:merge" for k, _ in node.value),
            other_fields=others,
            handle=node,
        )

    def entries(self, node: yaml.MappingNode, parent: Value | None) -> list[Entry]:
        out = []
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                continue
            if key.tag == "tag:yaml.org,2002:merge":  # `<<: *base` merges are not keys
                continue
            entry = Entry(
                key=str(key.value),
                key_span=Span(key.start_mark.index, key.end_mark.index),
                value=self.value(value),
                parent=parent,
                handle=key,
            )
            out.append(entry)
        return out

    def value(self, node: yaml.Node) -> Value:
        span = Span(node.start_mark.index, _content_end(node))
        text = self.source.text[span.start : span.end]
        value = Value(UNKNOWN, span, text, None, node)
        if isinstance(node, yaml.MappingNode):
            # Read the keys before constructing: pyyaml flattens `<<` merges in place.
            value.entries = self.entries(node, value)
        with contextlib.suppress(yaml.YAMLError):
            value.py = self.loader.construct_object(node, deep=True)
        if self.chosen.numbers_from_text and _yaml12_number(node, value.py):
            value.py = float(node.value)  # what the project's loader makes of it
        else:
            value.reading = _surprising_reading(node, value.py)
        return value


def _content_end(node: yaml.Node) -> int:
    """Where a value's own text ends. A block collection's end mark is the next token (the
    next key, past any comment lines and its indentation): its last item's end is its own."""
    while isinstance(node, yaml.SequenceNode | yaml.MappingNode) and not node.flow_style:
        if not node.value:
            break
        last = node.value[-1]
        node = last[1] if isinstance(last, tuple) else last
    return node.end_mark.index


_YAML_ONLY_BREAK = re.compile("[\x85\u2028\u2029]")


def _pairs(parent: object) -> int:
    """Pairs of the YAML mapping an entry sits in, counting keys that are no entries (a
    mapping or a list used as a key, `<<` merges)."""
    node = getattr(parent, "handle", None)
    return len(node.value) if isinstance(node, yaml.MappingNode) else 1
