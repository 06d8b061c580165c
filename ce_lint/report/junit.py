"""JUnit XML, for CI systems that show test reports: one test suite per file, one failing
test case per finding; a clean run is one passing test case."""

from __future__ import annotations

from itertools import groupby
from xml.etree import ElementTree as ET

from . import relative_uri
from .model import Report


def render(report: Report) -> str:
    items = report.findings
    root = ET.Element("testsuites", name="ce-lint", tests=str(max(len(items), 1)))
    root.set("failures", str(len(items)))
    if not items:
        suite = ET.SubElement(root, "testsuite", name="ce-lint", tests="1", failures="0")
        ET.SubElement(suite, "testcase", name="no problems found", classname="ce-lint")
    for path, group in groupby(items, key=lambda item: item.path):
        found = list(group)
        name = relative_uri(path)
        suite = ET.SubElement(
            root, "testsuite", name=name, tests=str(len(found)), failures=str(len(found))
        )
        for f in found:
            row, column = f.start
            case = ET.SubElement(
                suite,
                "testcase",
                name=f"{f.code} at {row}:{column}",
                classname=name,
                file=name,
                line=str(row),
            )
            failure = ET.SubElement(case, "failure", message=f.message, type=f.code)
            failure.text = f"{name}:{row}:{column}: {f.code} {f.severity.value} {f.message}"
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
