"""YAML text for Python values, in the style of the text they replace (PyYAML reads it back)."""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from ..findings import Template
from ..model import Entry, Value
from .errors import RenderError

_PLAIN_SAFE = re.compile(r"^[A-Za-z_./](?:[A-Za-z0-9_./@+ -]*[A-Za-z0-9_./@+-])?$")


def render_key(key: str, like: Entry | None) -> str:
    style = getattr(like.handle, "style", None) if like is not None else None
    if style == "'":
        return "'" + key.replace("'", "''") + "'"
    if style == '"':
        return json.dumps(key)
    return key if _PLAIN_SAFE.match(key) else json.dumps(key)


def render_value(value: Any, like: Value | None) -> str:
    """YAML text for a Python value, following the style of the value it replaces."""
    if isinstance(value, Template):
        concrete = value.concrete()
        if concrete is None:
            raise RenderError("the new value depends on values that are not known")
        value = concrete
    source = like.source if like is not None else ""
    if isinstance(value, bool):
        text = "true" if value else "false"
        if source[:1].isupper():
            text = text.capitalize()
        return text
    if value is None:
        return "null"
    if isinstance(value, float):
        return _yaml_float(value)
    if isinstance(value, int):
        return repr(value)
    if isinstance(value, str):
        quote = source[:1] if source[:1] in ("'", '"') else ""
        if quote == "'":
            return "'" + value.replace("'", "''") + "'"
        if not quote and _PLAIN_SAFE.match(value) and _loads_as_same(value):
            return value
        return json.dumps(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(render_value(v, None) for v in value) + "]"
    if isinstance(value, dict):
        items = (f"{render_key(str(k), None)}: {render_value(v, None)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    raise RenderError(f"cannot write {value!r} as YAML")


def _yaml_float(value: float) -> str:
    """A float that YAML 1.1 (PyYAML) reads back as a float: 1e-05 would be text there."""
    text = repr(value)
    special = {"inf": ".inf", "-inf": "-.inf", "nan": ".nan"}
    if text in special:
        return special[text]
    mantissa, e, exponent = text.partition("e")
    if e and "." not in mantissa:
        return f"{mantissa}.0e{exponent}"
    return text


def _loads_as_same(text: str) -> bool:
    try:
        return yaml.safe_load(text) == text
    except yaml.YAMLError:
        return False
