"""Command-line flags inside YAML: argument lists and scalars that hold a shell command.

    run: |                                   (a CI step, a Kubernetes or SLURM template)
      torchrun train.py --evaluation_strategy steps
    args: ["--evaluation_strategy", "steps"]
    command:
      - python
      - train.py
      - --no_cuda

`cli_args` reads the flags and `shell_script` the commands; this module only knows YAML
nodes: which text a scalar's value comes from, and how to change sequence items in place.
"""

from __future__ import annotations

import yaml

from ..knowledge import Knowledge
from ..model import ClassChoice, Site, Span, Value
from ..textio import SourceText, TextEdit
from . import cli_args, shell_script
from .cli_args import ArgWord
from .patterns import flag_pattern
from .yaml_values import render_value

# New words in a plain scalar must not turn into YAML syntax.
_PLAIN_FORBIDDEN = ":#,[]{}"


class YamlSequenceLayout:
    def __init__(self, source: SourceText, node: yaml.SequenceNode):
        self.source = source
        self.flow = bool(node.flow_style)
        self.node = node
        text = source.text
        self.words = []
        for item in node.value:
            start, end = item.start_mark.index, item.end_mark.index
            self.words.append(
                ArgWord(cli_args.item_value(item.value), Span(start, end), text[start:end])
            )

    def replace(self, i: int, value: str) -> list[TextEdit]:
        word = self.words[i]
        like = Value(word.value, word.span, word.raw)
        return [TextEdit(word.span.start, word.span.end, render_value(value, like))]

    def remove(self, i: int, j: int) -> list[TextEdit]:
        words, src = self.words, self.source
        start, end = words[i].span.start, words[j - 1].span.end
        if i == 0 and j == len(words):
            return [TextEdit(self.node.start_mark.index, self.node.end_mark.index, "[]")]
        if self.flow:
            if j < len(words):
                return [TextEdit(start, words[j].span.start, "")]
            return [TextEdit(words[i - 1].span.end, end, "")]
        return [TextEdit(src.line_start(start), src.line_end(end), "")]

    def insert_after(self, i: int, values: list[str], own_line: bool = False) -> list[TextEdit]:
        items = [render_value(v, None) for v in values]
        end = self.words[i].span.end
        if self.flow:
            return [TextEdit(end, end, "".join(", " + item for item in items))]
        src = self.source
        line_start = src.line_start(self.words[i].span.start)
        dash = src.text.rfind("-", line_start, self.words[i].span.start)
        indent = src.text[line_start:dash]
        newline = src.newline()
        line_end = src.line_end(end)
        prefix = "" if src.text[line_end - 1 : line_end] == "\n" else newline
        lines = "".join(f"{indent}- {item}{newline}" for item in items)
        return [TextEdit(line_end, line_end, prefix + lines)]


def find_sites(
    source: SourceText, roots: list[yaml.Node], knowledge: Knowledge, chosen: ClassChoice
) -> list[Site]:
    """Sites for argument lists and command scalars anywhere in the YAML documents."""
    sites: list[Site] = []
    pattern = flag_pattern(knowledge)
    seen: set[int] = set()
    stack: list[yaml.Node] = [r for r in roots if r is not None]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack += [value for _, value in node.value]
        elif isinstance(node, yaml.SequenceNode):
            if node.value and all(_is_string(i) for i in node.value):
                site = _list_site(source, node, knowledge, chosen)
                if site is not None:
                    sites.append(site)
            else:
                stack += node.value
        elif _is_string(node) and "--" in node.value and pattern.search(node.value.encode()):
            sites += _scalar_sites(source, node, knowledge, chosen)
    return sorted(sites, key=lambda s: s.span.start)


def _is_string(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str"


def _list_site(
    source: SourceText, node: yaml.SequenceNode, knowledge: Knowledge, chosen: ClassChoice
) -> Site | None:
    layout = YamlSequenceLayout(source, node)
    span = Span(node.start_mark.index, node.end_mark.index)
    return cli_args.list_site(source.path, span, layout, knowledge, chosen)


def _scalar_sites(
    source: SourceText, node: yaml.ScalarNode, knowledge: Knowledge, chosen: ClassChoice
) -> list[Site]:
    """The commands in a scalar whose text maps one to one onto its value."""
    start, end = node.start_mark.index, node.end_mark.index
    text = source.text
    style = node.style
    fold, forbidden = False, ""
    if style in ("|", ">"):
        start = source.line_end(start)  # the body starts after the `|` / `>` header line
        fold = style == ">"
    elif style in ("'", '"'):
        start, end = start + 1, end - 1
        if text[start:end] != node.value:  # escapes or folded lines: positions do not map
            return []
        forbidden = style + ("\\" if style == '"' else "")
    else:
        fold = "\n" in text[start:end]
        forbidden = _PLAIN_FORBIDDEN
    return shell_script.find_sites(
        source, knowledge, chosen, start, end, forbidden=forbidden, fold=fold
    )
