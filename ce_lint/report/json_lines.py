"""JSON Lines: one finding per line, the same objects as the `json` format."""

from __future__ import annotations

import json

from .json_format import as_dict
from .model import Report


def render(report: Report) -> str:
    return "".join(json.dumps(as_dict(f)) + "\n" for f in report.findings)
