"""JSON Lines: one finding per line, the same objects as the `json` format."""

from __future__ import annotations

import json

from . import ReportContext, located, register
from .json_format import as_dict


@register("json-lines")
def json_lines(ctx: ReportContext) -> str:
    return "".join(json.dumps(as_dict(item)) + "\n" for item in located(ctx))
