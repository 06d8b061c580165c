"""The output formats read the report model alone (ce_lint.report.model).

ce_lint.reporting builds the model from the engine's results; the formats never import the
engine, the adapters or the rule kinds, so a report made by hand prints like any other.
"""

from __future__ import annotations

import json
import subprocess
import sys

from ce_lint.findings import Applicability, Severity
from ce_lint.report import format_names, render
from ce_lint.report.model import (
    FixedFile,
    FixEdit,
    Position,
    Report,
    ReportedFinding,
    ReportFix,
    RuleInfo,
)
from ce_lint.report.statistics import STATISTICS_FORMATS, render_statistics


def test_the_formats_import_neither_the_engine_nor_the_adapters_nor_the_kinds() -> None:
    code = (
        "import sys\n"
        "import importlib, ce_lint.report, ce_lint.report.statistics\n"
        "for module in ce_lint.report.FORMATS.values():\n"
        "    importlib.import_module('ce_lint.report.' + module)\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    loaded = set(out.split())
    assert "ce_lint.report.sarif" in loaded
    for module in ("ce_lint.engine", "ce_lint.adapters", "ce_lint.kinds", "ce_lint.reporting"):
        assert module not in loaded


def hand_made() -> Report:
    rule = RuleInfo(
        code="CE101",
        name="evaluation-strategy-renamed",
        summary="It was renamed to `eval_strategy`.",
        why="transformers 5 refuses the old name.",
        url="https://ce-lint.readthedocs.io/rules/CE101/",
        group="renamed",
        fix="always",
        field="evaluation_strategy",
    )
    fix = ReportFix(
        Applicability.SAFE,
        "Rename to `eval_strategy`",
        (FixEdit("eval_strategy", Position(2, 1), Position(2, 20)),),
        ("   2 - evaluation_strategy: steps", "   2 + eval_strategy: steps"),
    )
    finding = ReportedFinding(
        path="train.yaml",
        code="CE101",
        severity=Severity.ERROR,
        message="`evaluation_strategy` was renamed",
        start=Position(2, 1),
        end=Position(2, 20),
        fix=fix,
        fields=("evaluation_strategy",),
        line="evaluation_strategy: steps",
    )
    return Report(
        findings=(finding,),
        rules=(rule,),
        targets="transformers 5.24, sentence-transformers 6.2",
        show_fixes=True,
        fixed_files=(FixedFile("train.yaml", (("CE101", 1),)),),
    )


def test_a_report_made_by_hand_prints_in_every_format() -> None:
    report = hand_made()
    for name in format_names():
        assert "CE101" in render(name, report)
    text = render("text", report).splitlines()
    assert text[0] == "train.yaml:2:1: CE101 error [*] `evaluation_strategy` was renamed"
    assert text[1:4] == [
        "    fix (safe): Rename to `eval_strategy`",
        "       2 - evaluation_strategy: steps",
        "       2 + eval_strategy: steps",
    ]
    assert "    1 x CE101 evaluation-strategy-renamed" in text
    assert text[-1] == "Targets: transformers 5.24, sentence-transformers 6.2"
    sarif = json.loads(render("sarif", report))["runs"][0]
    assert sarif["tool"]["driver"]["rules"][0]["shortDescription"]["text"].startswith(
        "`evaluation_strategy`: "
    )
    assert sarif["results"][0]["fixes"][0]["artifactChanges"][0]["replacements"]
    rows = json.loads(render_statistics(report, "json"))
    assert rows == [
        {"code": "CE101", "name": "evaluation-strategy-renamed", "count": 1, "fixable": 1}
    ]
    assert set(STATISTICS_FORMATS) <= set(format_names())
