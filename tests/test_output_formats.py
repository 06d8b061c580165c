"""Every output format renders the same findings: positions, codes and fixes agree.

SARIF is validated against the official 2.1.0 schema (a copy lives in tests/data), GitHub
annotations are parsed back, JUnit is parsed as XML, GitLab fingerprints survive lines
moving. The findings come from a real check of a seed-era YAML file and a JSON file.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from click.testing import CliRunner

from ce_lint.cli import main
from ce_lint.engine import Engine, FileResult
from ce_lint.report import format_names, render
from ce_lint.report.model import Report
from ce_lint.reporting import build_report
from tests.helpers import engine

DATA = Path(__file__).parent / "data"
TARGETS = ["--target", "transformers==5.24", "--target", "sentence-transformers==6.2"]
YAML = """\
output_dir: out  # keep
evaluation_strategy: steps
no_cuda: false
logging_dir: out/tb
warmup_ratio: 0.1
"""
JSON = '{\n  "output_dir": "out",\n  "per_gpu_train_batch_size": 8,\n  "seed": 1\n}\n'


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "train.yaml").write_text(YAML)
    (tmp_path / "configs" / "eval.json").write_text(JSON)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def checked(project: Path) -> tuple[Engine, list[FileResult]]:
    eng = engine()
    return eng, [eng.check_path(Path(p)) for p in ("configs/eval.json", "configs/train.yaml")]


def context(project: Path) -> Report:
    return build_report(*checked(project))


def expected(results: list[FileResult]) -> set[tuple[str, int, int, str]]:
    """(file, row, column, code) of every finding, computed from the text itself."""
    out = set()
    for result in results:
        assert result.document is not None
        for finding in result.findings:
            row, col = result.document.location(finding.span.start)
            out.add((Path(result.path).as_posix(), row, col, finding.code))
    return out


def test_the_cli_offers_every_registered_format() -> None:
    names = format_names()
    assert names[0] == "text"
    assert set(names) >= {
        "text",
        "concise",
        "json",
        "json-lines",
        "sarif",
        "github",
        "junit",
        "gitlab",
    }
    code, out = run("check", "--help")
    for name in names:
        assert name in out
    code, out = run("check", "--output-format", "yaml", ".")
    assert code == 2


def test_every_format_carries_the_same_findings(project: Path) -> None:
    eng, results = checked(project)
    ctx = build_report(eng, results)
    want = expected(results)
    assert {c for *_, c in want} >= {"CE101", "CE102", "CE104", "CE124", "CE132"}

    rows = [json.loads(line) for line in render("json-lines", ctx).splitlines()]
    assert rows == json.loads(render("json", ctx))
    as_json = {(Path(r["filename"]).relative_to(project).as_posix(), r["location"]["row"],
                r["location"]["column"], r["code"]) for r in rows}  # fmt: skip
    assert as_json == want

    concise = set()
    for line in render("concise", ctx).splitlines()[:-1]:
        match = re.match(r"^(.+?):(\d+):(\d+): (CE\d+) ", line)
        assert match, line
        concise.add((match[1], int(match[2]), int(match[3]), match[4]))
    assert concise == want

    text = render("text", ctx)
    for path, row, col, code in want:
        assert f"{path}:{row}:{col}: {code} " in text

    sarif = json.loads(render("sarif", ctx))
    results = sarif["runs"][0]["results"]
    as_sarif = {(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                 r["locations"][0]["physicalLocation"]["region"]["startLine"],
                 r["locations"][0]["physicalLocation"]["region"]["startColumn"], r["ruleId"])
                for r in results}  # fmt: skip
    assert as_sarif == want

    assert {
        (a["file"], a["line"], a["col"], a["title"]) for a in annotations(render("github", ctx))
    } == want

    gitlab = json.loads(render("gitlab", ctx))
    assert {
        (g["location"]["path"], g["location"]["lines"]["begin"], g["check_name"]) for g in gitlab
    } == {(p, r, c) for p, r, _, c in want}

    root = ET.fromstring(render("junit", ctx))
    cases = root.findall(".//testcase")
    assert {
        (c.get("file"), int(c.get("line") or 0), c.find("failure").get("type")) for c in cases
    } == {  # type: ignore[union-attr]
        (p, r, c) for p, r, _, c in want
    }
    assert root.get("failures") == str(len(want))


def test_sarif_validates_and_lists_rules_with_help_and_fixes(project: Path) -> None:
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text())
    ctx = context(project)
    log = json.loads(render("sarif", ctx))
    jsonschema.validate(log, schema)
    run_ = log["runs"][0]
    assert log["version"] == "2.1.0" and run_["columnKind"] == "unicodeCodePoints"
    rules = run_["tool"]["driver"]["rules"]
    by_id = {r["id"]: r for r in rules}
    assert {"CE101", "CE124", "CE901", "CE910"} <= set(by_id)
    ce101 = by_id["CE101"]
    assert ce101["name"] == "evaluation-strategy-renamed"
    assert "eval_strategy" in ce101["shortDescription"]["text"]
    assert "4.51" in ce101["help"]["text"]  # the rule's `why`
    assert ce101["helpUri"].endswith("/CE101/")
    results = {r["ruleId"]: r for r in run_["results"]}
    for result in run_["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["partialFingerprints"]
    assert results["CE101"]["level"] == "error"
    assert results["CE132"]["level"] == "warning"
    fix = results["CE101"]["fixes"][0]
    change = fix["artifactChanges"][0]
    assert change["artifactLocation"]["uri"] == "configs/train.yaml"
    replacement = change["replacements"][0]
    assert replacement["insertedContent"]["text"] == "eval_strategy"
    assert replacement["deletedRegion"] == {
        "startLine": 2,
        "startColumn": 1,
        "endLine": 2,
        "endColumn": 20,
    }
    assert "needs --unsafe-fixes" in results["CE124"]["fixes"][0]["description"]["text"]
    # A file outside the current folder gets a file:// URI.
    from ce_lint.report.sarif import artifact_uri

    assert artifact_uri("/elsewhere/c.yaml") == "file:///elsewhere/c.yaml"
    assert artifact_uri("configs/train.yaml") == "configs/train.yaml"
    # A clean run is still a valid log with the rules listed.
    clean = build_report(engine(), [])
    empty = json.loads(render("sarif", clean))
    jsonschema.validate(empty, schema)
    assert empty["runs"][0]["results"] == [] and empty["runs"][0]["tool"]["driver"]["rules"]


def annotations(text: str) -> list[dict[str, object]]:
    out = []
    for line in text.splitlines():
        match = re.match(r"^::(error|warning|notice) (.*?)::(.*)$", line)
        assert match, line
        props = dict(item.split("=", 1) for item in match[2].split(","))
        row = {k: int(v) if v.isdigit() else v for k, v in props.items()}
        out.append({"level": match[1], "message": match[3], **row})
    return out


def test_github_annotations_carry_file_line_column_and_code(project: Path) -> None:
    code, out = run("check", *TARGETS, "--output-format", "github", "configs/train.yaml")
    assert code == 1
    found = {a["title"]: a for a in annotations(out)}
    ce101 = found["CE101"]
    assert ce101 | {"message": ""} == {"level": "error", "file": "configs/train.yaml", "line": 2,
                                       "col": 1, "endLine": 2, "endColumn": 20, "title": "CE101",
                                       "message": ""}  # fmt: skip
    assert "evaluation_strategy" in str(ce101["message"])
    assert found["CE132"]["level"] == "warning"


def test_github_escapes_newlines_commas_and_colons(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ce_lint.report.github import escape_data, escape_property

    assert escape_data("a%b\nc") == "a%25b%0Ac"
    assert escape_property("dir,x:y.yaml") == "dir%2Cx%3Ay.yaml"
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a,b.yaml").write_text("evaluation_strategy: steps\nseed: 1\n")
    _, out = run("check", *TARGETS, "--output-format", "github", "a,b.yaml")
    assert "file=a%2Cb.yaml," in out


def test_junit_and_gitlab_when_clean(project: Path) -> None:
    (project / "ok.yaml").write_text("output_dir: out\neval_strategy: steps\n")
    code, out = run("check", *TARGETS, "--output-format", "junit", "ok.yaml")
    assert code == 0
    root = ET.fromstring(out)
    assert root.get("failures") == "0" and len(root.findall(".//testcase")) == 1
    code, out = run("check", *TARGETS, "--output-format", "gitlab", "ok.yaml")
    assert code == 0 and json.loads(out) == []
    code, out = run("check", *TARGETS, "--output-format", "json-lines", "ok.yaml")
    assert code == 0 and out == ""


def test_gitlab_fingerprints_are_unique_and_survive_moved_lines(project: Path) -> None:
    path = project / "configs" / "train.yaml"
    path.write_text(YAML + "nested:\n  args:\n    no_cuda: false\n    seed: 2\n")
    _, out = run("check", *TARGETS, "--output-format", "gitlab", str(path))
    before = {
        (g["check_name"], g["location"]["lines"]["begin"]): g["fingerprint"]
        for g in json.loads(out)
    }
    prints = list(before.values())
    assert len(prints) == len(set(prints))  # two no_cuda lines, two fingerprints
    path.write_text("# a comment\n\n" + path.read_text())
    _, out = run("check", *TARGETS, "--output-format", "gitlab", str(path))
    after = {
        (g["check_name"], g["location"]["lines"]["begin"] - 2): g["fingerprint"]
        for g in json.loads(out)
    }
    assert after == before


def test_output_file_gets_the_report_and_stdout_stays_empty(project: Path) -> None:
    target = project / "reports" / "ce-lint.sarif"
    code, out = run(
        "check", *TARGETS, "--output-format", "sarif", "--output-file", str(target), "configs"
    )
    assert code == 1 and out == ""
    assert json.loads(target.read_text())["runs"][0]["results"]


def test_text_is_coloured_only_on_a_terminal(project: Path) -> None:
    ctx = context(project)
    assert "\033[" not in render("text", ctx)
    ctx = dataclasses.replace(ctx, color=True)
    assert "\033[31merror" in render("text", ctx)
    if os.name == "posix":
        code, out = run("check", *TARGETS, "configs")
        assert "\033[" not in out  # CliRunner's stdout is not a terminal


def test_statistics(project: Path) -> None:
    (project / "configs" / "b.yaml").write_text("evaluation_strategy: steps\nseed: 3\n")
    code, out = run("check", *TARGETS, "--select", "CE1", "--statistics", "configs")
    assert code == 1
    lines = out.splitlines()
    assert re.match(r"^\s*2\s+CE101\s+\[\*\] evaluation-strategy-renamed$", lines[0])
    assert any(re.match(r"^\s*1\s+CE124\s+logging-dir", line) for line in lines)  # unsafe: no [*]
    assert lines[-1] == "Found 6 problems."
    code, out = run(
        "check", *TARGETS, "--select", "CE1", "--statistics", "--output-format", "json", "configs"
    )
    rows = {r["code"]: r for r in json.loads(out)}
    assert rows["CE101"] == {
        "code": "CE101",
        "name": "evaluation-strategy-renamed",
        "count": 2,
        "fixable": 2,
    }
    code, out = run("check", *TARGETS, "--statistics", "--output-format", "sarif", "configs")
    assert code == 2
