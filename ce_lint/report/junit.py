"""JUnit XML, for CI systems that show test reports: one test suite per file, one failing
test case per finding; a clean run is one passing test case."""

from __future__ import annotations

from itertools import groupby
from xml.etree import ElementTree as ET

from . import ReportContext, located, register, relative_uri


@register("junit")
def junit(ctx: ReportContext) -> str:
    items = located(ctx)
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
        for item in found:
            f = item.finding
            case = ET.SubElement(
                suite,
                "testcase",
                name=f"{f.code} at {item.row}:{item.column}",
                classname=name,
                file=name,
                line=str(item.row),
            )
            failure = ET.SubElement(case, "failure", message=f.message, type=f.code)
            failure.text = (
                f"{name}:{item.row}:{item.column}: {f.code} {f.severity.value} {f.message}"
            )
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
