"""Byte patterns that tell, before any parsing, whether a file may hold training arguments.

The field names of every release are folded into trie-shaped patterns: Python's regex
engine tries a plain alternation of 160 names at every position, which is ten times slower
on big files.
"""

from __future__ import annotations

import re
from functools import cache

from ..knowledge import Knowledge


@cache
def flag_pattern(knowledge: Knowledge) -> re.Pattern[bytes]:
    """Bytes regex for a field written as a flag (`--name`, `--no_name`, `--dashed-name`)."""
    names = trie_pattern(sorted(knowledge.all_field_names)).replace("_", "[-_]")
    return re.compile(rb"--(?:no[-_])?(?:" + names.encode() + rb")(?![A-Za-z0-9_-])")


def trigger_pattern(knowledge: Knowledge) -> re.Pattern[bytes]:
    """Bytes regex for a field name written as a mapping key in YAML or JSON.

    The names are folded into a trie-shaped pattern: Python's regex engine tries a plain
    alternation of 160 names at every position, which is ten times slower on big files.
    """
    return re.compile(
        rb"\b(" + trie_pattern(sorted(knowledge.all_field_names)).encode() + rb")\b[\"']?[ \t]*:"
    )


def quoted_key_pattern(knowledge: Knowledge) -> re.Pattern[bytes]:
    """Bytes regex for a field name as a quoted dict key or subscript (`"seed":`, `["seed"]`);
    group 1 is the name."""
    names = trie_pattern(sorted(knowledge.all_field_names)).encode()
    return re.compile(rb"[\"'](" + names + rb")[\"'][ \t]*[:\]]")


def trie_pattern(words: list[str]) -> str:
    root: dict[str, dict] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        ends = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and not ends else "(?:" + "|".join(branches) + ")"
        return body + ("?" if ends else "")

    return build(root)
