"""Command-line flags inside JSON: argument arrays and strings that hold a shell command.

    "args": ["--evaluation_strategy", "steps", "--fp16"]          (VS Code launch.json, k8s)
    "command": ["torchrun", "train.py", "--no_cuda"]
    "postCreateCommand": "python train.py --evaluation_strategy steps"

`cli_args` reads the flags; this module only knows JSON arrays and strings: where an item
starts and ends and how to change items without breaking the JSON or its layout.
"""

from __future__ import annotations

import json

from ..knowledge import Knowledge
from ..model import ClassChoice, Site, Span
from ..textio import SourceText, TextEdit
from . import cli_args, shell_script
from .cli_args import ArgWord
from .jsonpos import JArray, JNode, JObject, JScalar
from .patterns import flag_pattern


class JsonArrayLayout:
    def __init__(self, source: SourceText, node: JArray):
        self.source = source
        self.node = node
        text = source.text
        self.words = [
            ArgWord(
                cli_args.item_value(item.py),
                Span(item.start, item.end),
                text[item.start : item.end],
            )
            for item in node.items
            if isinstance(item, JScalar)
        ]

    def _own_line(self, start: int) -> bool:
        return self.source.text[self.source.line_start(start) : start].strip() == ""

    def replace(self, i: int, value: str) -> list[TextEdit]:
        span = self.words[i].span
        return [TextEdit(span.start, span.end, json.dumps(value, ensure_ascii=False))]

    def remove(self, i: int, j: int) -> list[TextEdit]:
        words, src = self.words, self.source
        start, end = words[i].span.start, words[j - 1].span.end
        if j < len(words):
            following = words[j].span.start
            if self._own_line(start) and self._own_line(following):
                return [TextEdit(src.line_start(start), src.line_start(following), "")]
            return [TextEdit(start, following, "")]
        if i > 0:
            return [TextEdit(words[i - 1].span.end, end, "")]
        return [TextEdit(start, end, "")]

    def insert_after(self, i: int, values: list[str], own_line: bool = False) -> list[TextEdit]:
        end = self.words[i].span.end
        items = [json.dumps(v, ensure_ascii=False) for v in values]
        start = self.words[i].span.start
        following = self.words[i + 1].span.start if i + 1 < len(self.words) else None
        if own_line and self._own_line(start) and (following is None or self._own_line(following)):
            indent = self.source.text[self.source.line_start(start) : start]
            separator = "," + self.source.newline() + indent
        else:
            separator = ", "
        return [TextEdit(end, end, "".join(separator + item for item in items))]


def find_sites(
    source: SourceText, root: JNode, knowledge: Knowledge, chosen: ClassChoice
) -> list[Site]:
    """Sites for argument arrays and command strings anywhere in a JSON document."""
    sites: list[Site] = []
    pattern = flag_pattern(knowledge)
    stack: list[JNode] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, JObject):
            stack += [value for _, value in node.members]
        elif isinstance(node, JArray):
            if node.items and all(
                isinstance(i, JScalar) and isinstance(i.py, str) for i in node.items
            ):
                layout = JsonArrayLayout(source, node)
                span = Span(node.start, node.end)
                site = cli_args.list_site(source.path, span, layout, knowledge, chosen)
                if site is not None:
                    sites.append(site)
            else:
                stack += node.items
        elif isinstance(node, JScalar) and isinstance(node.py, str) and "--" in node.py:
            raw = source.text[node.start + 1 : node.end - 1]
            if raw == node.py and pattern.search(raw.encode()):  # no escapes: positions map 1:1
                sites += shell_script.find_sites(
                    source, knowledge, chosen, node.start + 1, node.end - 1, forbidden='"\\'
                )
    return sorted(sites, key=lambda s: s.span.start)
