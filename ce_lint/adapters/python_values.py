"""Python source for values, in the quote style of the text they replace."""

from __future__ import annotations

import json
from typing import Any

from ..findings import Template
from ..model import Value
from .errors import RenderError


def render_python(value: Any, like: Value | None = None) -> str:
    """Python source for a value, following the quote style of the value it replaces."""
    if isinstance(value, Template):
        return _fstring(value)
    if isinstance(value, bool) or value is None or isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        if like is not None and like.source[:1] == "'":
            return repr(value)
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(render_python(v) for v in value) + "]"
    if isinstance(value, tuple):
        inner = ", ".join(render_python(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, dict):
        items = ", ".join(f"{render_python(k)}: {render_python(v)}" for k, v in value.items())
        return "{" + items + "}"
    raise RenderError(f"cannot write {value!r} as Python")


def _fstring(template: Template) -> str:
    """A Template as a plain string when every part is known, else as an f-string."""
    concrete = template.concrete()
    if concrete is not None:
        return render_python(concrete)
    pieces = []
    for part in template.parts:
        if isinstance(part, str) or (part.known and isinstance(part.py, str)):
            text = part if isinstance(part, str) else part.py
            if any(c in text for c in "\\\n'\""):
                raise RenderError("the value cannot be written as a simple f-string")
            pieces.append(text.replace("{", "{{").replace("}", "}}"))
        else:
            pieces.append("{" + part.source + "}")
    body = "".join(pieces)
    for quote in ('"', "'"):
        if quote not in body and "\\" not in body:
            return f"f{quote}{body}{quote}"
    raise RenderError("the value cannot be written as a simple f-string")
