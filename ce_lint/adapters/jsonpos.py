"""A small JSON parser that remembers where every key and value starts and ends.

The standard library's json module drops positions; edits need them. `//` and `/* */`
comments are skipped (editor configs use them), everything else is strict JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


class JsonPosError(ValueError):
    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.offset = offset


@dataclass(eq=False)
class JNode:
    start: int
    end: int


@dataclass(eq=False)
class JScalar(JNode):
    py: Any = None


@dataclass(eq=False)
class JArray(JNode):
    items: list[JNode] = field(default_factory=list)

    @property
    def py(self) -> list[Any]:
        return [item.py for item in self.items]


@dataclass(eq=False)
class JObject(JNode):
    members: list[tuple[JScalar, JNode]] = field(default_factory=list)

    @property
    def py(self) -> dict[str, Any]:
        return {key.py: value.py for key, value in self.members}


_DECODER = json.JSONDecoder()
_WS = " \t\r\n"


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.comments: list[tuple[int, str]] = []  # (offset, text) of each comment

    def skip(self) -> None:
        text, n = self.text, len(self.text)
        while self.pos < n:
            ch = text[self.pos]
            if ch in _WS:
                self.pos += 1
            elif text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                end = n if end == -1 else end
                self.comments.append((self.pos, text[self.pos : end].rstrip("\r")))
                self.pos = end
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                if end == -1:
                    raise JsonPosError("unterminated comment", self.pos)
                self.comments.append((self.pos, text[self.pos : end + 2]))
                self.pos = end + 2
            else:
                return

    def expect(self, ch: str) -> None:
        self.skip()
        if not self.text.startswith(ch, self.pos):
            found = self.text[self.pos : self.pos + 1] or "end of file"
            raise JsonPosError(f"expected {ch!r}, found {found!r}", self.pos)
        self.pos += 1

    def value(self) -> JNode:
        self.skip()
        if self.pos >= len(self.text):
            raise JsonPosError("unexpected end of file", self.pos)
        ch = self.text[self.pos]
        if ch == "{":
            return self.obj()
        if ch == "[":
            return self.arr()
        start = self.pos
        try:
            py, end = _DECODER.raw_decode(self.text, self.pos)
        except json.JSONDecodeError as exc:
            raise JsonPosError(exc.msg, exc.pos) from None
        if isinstance(py, dict | list):  # raw_decode never returns these here
            raise JsonPosError("unexpected value", start)
        self.pos = end
        return JScalar(start, end, py)

    def obj(self) -> JObject:
        node = JObject(self.pos, self.pos)
        self.pos += 1
        self.skip()
        if self.text.startswith("}", self.pos):
            self.pos += 1
            node.end = self.pos
            return node
        while True:
            self.skip()
            key = self.value()
            if not isinstance(key, JScalar) or not isinstance(key.py, str):
                raise JsonPosError("object keys must be strings", key.start)
            self.expect(":")
            node.members.append((key, self.value()))
            self.skip()
            if self.text.startswith(",", self.pos):
                self.pos += 1
                continue
            self.expect("}")
            node.end = self.pos
            return node

    def arr(self) -> JArray:
        node = JArray(self.pos, self.pos)
        self.pos += 1
        self.skip()
        if self.text.startswith("]", self.pos):
            self.pos += 1
            node.end = self.pos
            return node
        while True:
            node.items.append(self.value())
            self.skip()
            if self.text.startswith(",", self.pos):
                self.pos += 1
                continue
            self.expect("]")
            node.end = self.pos
            return node


def parse(text: str) -> JNode:
    return parse_with_comments(text)[0]


def parse_with_comments(text: str) -> tuple[JNode, list[tuple[int, str]]]:
    """The root node and the (offset, text) of every `//` and `/* */` comment."""
    parser = _Parser(text)
    node = parser.value()
    parser.skip()
    if parser.pos != len(text):
        raise JsonPosError("extra data after the JSON value", parser.pos)
    return node, parser.comments
