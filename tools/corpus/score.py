"""Score an installed ce-lint against the real-world corpus and its hand labels.

    python tools/corpus/score.py [--corpus /work/corpus] [--ce-lint PATH] [--out FILE]
                                 [--compare OLD.json] [--verbose]

It runs ce-lint as a subprocess (`check --output-format json`, then `fix` on temporary copies,
with and without --unsafe-fixes) and reports: crashes, fixed files that no longer parse,
bytes changed outside the reported edits, recall against the labels, false findings, wrong
edits, and for migration pairs how ce-lint's fix compares with the person's own migration.
A JSON summary is written to --out; --compare OLD.json prints the deltas against an earlier
summary. Exit status 0 always, except 2 for usage errors of this script.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus_common import (  # noqa: E402
    DEFAULT_CORPUS,
    LABELS,
    MANIFEST,
    after_location,
    join_loc,
    load_json,
    load_manifest,
    notebook_cells,
    rel_path,
    text_lines,
)

TARGETS = ["--target", "transformers==5.24", "--target", "sentence-transformers==6.2"]
# Findings of these kinds are reported apart and never counted as false findings.
MACHINE_PREFIX = "CE4"  # hardware rules: judge a machine profile, not the file's era
PARSE_PREFIX = "CE9"  # parse/decode/read errors and unused suppressions
# The legacy `model.fit(...)` rules: on a labelled fit call they report the call (issue 15),
# counted apart; the labels do not say what each release does with it.
FIT_CODES = ("CE520", "CE521", "CE522", "CE523")
ALIASES = {"optim": ("optim", "adamw_hf", "adamw_apex_fused")}


# ---------------------------------------------------------------- running ce-lint
@dataclass
class Run:
    rc: int
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool = False


# ce-lint's results cache goes to a folder of this scoring run, never into the corpus; each
# file is checked once per run anyway, so the numbers are those of a fresh run.
CACHE_ENV = dict(os.environ, CE_LINT_CACHE_DIR=tempfile.mkdtemp(prefix="ce-lint-score-cache-"))


def run_ce_lint(exe: str, args: list[str], cwd: Path, timeout: float) -> Run:
    start = time.monotonic()
    try:
        proc = subprocess.run(
            [exe, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False,
            env=CACHE_ENV,
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        return Run(124, out, "timeout", time.monotonic() - start, True)
    return Run(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start)


def crashed(run: Run) -> bool:
    return (
        run.timed_out or run.rc == 2 or "internal error" in run.stderr or "Traceback" in run.stderr
    )


def parse_findings(run: Run) -> list[dict[str, Any]] | None:
    try:
        data = json.loads(run.stdout or "[]")
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, list) else None


# ---------------------------------------------------------------- corpus model
@dataclass
class Item:
    name: str
    loc: str
    severity: str = ""
    found: bool = False
    fixable: bool = False
    severity_match: bool = False


@dataclass
class FileScore:
    id: str
    fmt: str
    kind: str
    items: list[Item] = field(default_factory=list)
    false: list[dict[str, Any]] = field(default_factory=list)
    info: int = 0
    machine: int = 0
    parse_findings: list[str] = field(default_factory=list)
    fit_calls: dict[str, bool] = field(default_factory=dict)  # labelled fit call -> reported
    fit_findings: list[str] = field(default_factory=list)  # errors/warnings on those calls


def finding_loc(f: dict[str, Any]) -> str:
    row = (f.get("location") or {}).get("row") or 0
    return join_loc(f.get("cell"), int(row))


def mentions(message: str, name: str) -> bool:
    names = ALIASES.get(name, (name.split(".")[-1],))
    return any(
        re.search(r"(?<![A-Za-z0-9_])" + re.escape(n) + r"(?![A-Za-z0-9_])", message) for n in names
    )


def is_legacy(label: dict[str, Any]) -> bool:
    """Trains through the legacy CrossEncoder.fit / SentenceTransformer.fit loop."""
    return label["kind"] == "legacy_fit"


def is_quiet(label: dict[str, Any]) -> bool:
    """A file where a correct linter reports no error or warning."""
    return label["kind"] in ("negative", "clean") or (
        is_legacy(label) and not label.get("outdated")
    )


def score_findings(
    label: dict[str, Any], fid: str, fmt: str, findings: list[dict[str, Any]]
) -> FileScore:
    fs = FileScore(fid, fmt, label["kind"])
    for it in label.get("outdated", []):
        fs.items.append(Item(it["name"], join_loc(it.get("cell"), it["line"]), it["severity"]))
    uncertain = {
        (join_loc(u.get("cell"), u["line"]), u["name"]) for u in label.get("uncertain", [])
    }
    notargs = label.get("not_arguments", [])
    for call in (label.get("legacy_fit") or {}).get("calls", []):
        fs.fit_calls[join_loc(call.get("cell"), call["line"])] = False
    for f in findings:
        code, sev, msg = f.get("code", ""), f.get("severity", ""), f.get("message", "")
        loc = finding_loc(f)
        if code in FIT_CODES and loc in fs.fit_calls:
            fs.fit_calls[loc] = True
            if sev != "info":
                fs.fit_findings.append(f"{fid}:{loc} {code} {sev}")
            continue
        if code.startswith(PARSE_PREFIX):
            fs.parse_findings.append(f"{loc} {code}")
            continue
        if code.startswith(MACHINE_PREFIX):
            fs.machine += 1
            continue
        if sev == "info":
            fs.info += 1
            continue
        matched = False
        for it in fs.items:
            if it.loc == loc and mentions(msg, it.name):
                it.found = True
                it.fixable = it.fixable or bool(f.get("fix"))
                it.severity_match = it.severity_match or sev == it.severity
                matched = True
        if matched:
            continue
        if any(u_loc == loc and mentions(msg, name) for u_loc, name in uncertain):
            continue
        why = "no labelled problem on this line"
        if label["kind"] == "negative":
            why = "file holds no training arguments"
        for na in notargs:
            na_loc = join_loc(na.get("cell"), na["line"]) if "line" in na else None
            if mentions(msg, na["name"]) and (na_loc is None or na_loc == loc):
                why = f"not an argument: {na['name']}"
        if any(it.loc == loc for it in fs.items) and why.startswith("no labelled"):
            why = "labelled line, other field"
        names = [n for n in re.findall(r"`([^`]+)`", msg) if re.fullmatch(r"[A-Za-z_][\w.]*", n)]
        fs.false.append(
            {
                "file": fid,
                "loc": loc,
                "code": code,
                "severity": sev,
                "why": why,
                "fields": names,
                "message": msg,
            }
        )
    return fs


# ---------------------------------------------------------------- parsing fixed files
def parses(data: bytes, fmt: str, path: Path) -> tuple[bool, str]:
    """Whether bytes parse as their format (yaml/json/python/shell/notebook/makefile)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return False, f"not UTF-8: {exc}"
    try:
        if fmt == "yaml":
            list(yaml.safe_load_all(text))
        elif fmt == "json":
            try:
                json.loads(text)
            except json.JSONDecodeError:
                # JSON with // comments: drop comment-only lines and try again
                json.loads(re.sub(r"(?m)^\s*//.*$", "", text))
        elif fmt == "python":
            ast.parse(text)
        elif fmt == "notebook":
            try:  # nbformat validation when it is installed, else a structural check
                import nbformat  # type: ignore[import-not-found]

                nbformat.validate(nbformat.reads(text, as_version=nbformat.NO_CONVERT))
            except ImportError:
                pass
            nb = json.loads(text)
            if not isinstance(nb.get("cells"), list):
                return False, "no cells list"
            for cell in nb["cells"]:
                if "cell_type" not in cell or "source" not in cell:
                    return False, "cell without cell_type/source"
        elif fmt == "shell":
            proc = subprocess.run(
                ["bash", "-n", str(path)], capture_output=True, text=True, check=False, timeout=30
            )
            if proc.returncode:
                return False, "bash -n" + _where(proc.stderr)
        elif fmt == "makefile":
            return (
                True,
                "",
            )  # never run make (it could execute $(shell ...)); see makefile_tabs_kept
    except Exception as exc:  # any parser error means "does not parse"
        return False, f"{type(exc).__name__}{_where(str(exc))}"
    return True, ""


def _where(text: str) -> str:
    """Only a line number from a parser message (the message may quote the file)."""
    m = re.search(r"line (\d+)", text)
    return f" at line {m.group(1)}" if m else ""


def makefile_tabs_kept(before: bytes, after: bytes) -> bool:
    """Recipe lines (tab-indented) that an edit rewrote must still start with a tab."""
    b, a = before.splitlines(), after.splitlines()
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=b, b=a, autojunk=False).get_opcodes():
        if op == "replace" and i2 - i1 == j2 - j1:
            for x, y in zip(b[i1:i2], a[j1:j2], strict=True):
                if x.startswith(b"\t") and not y.startswith(b"\t"):
                    return False
    return True


# ---------------------------------------------------------------- edits and byte checks
def edit_lines(findings: list[dict[str, Any]]) -> dict[int | None, set[int]]:
    """Lines (per notebook cell; None for plain files) that reported fix edits touch."""
    out: dict[int | None, set[int]] = defaultdict(set)
    for f in findings:
        fix = f.get("fix") or {}
        for ed in fix.get("edits", []):
            start = ed["location"]["row"]
            end = ed["end_location"]["row"]
            out[ed.get("cell", f.get("cell"))].update(range(start, end + 1))
    return out


def changed_outside(
    before: bytes, after: bytes, fmt: str, allowed: dict[int | None, set[int]]
) -> tuple[int, list[str]]:
    """Bytes changed on lines that no reported edit touches; returns (bytes, locations)."""
    lost, where = 0, []
    if fmt == "notebook":
        try:
            b_cells, a_cells = notebook_cells(before), notebook_cells(after)
            b_nb, a_nb = json.loads(before), json.loads(after)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return len(before), ["notebook no longer JSON"]
        for cb, ca in zip(b_nb.get("cells", []), a_nb.get("cells", []), strict=False):
            rest_b = {k: v for k, v in cb.items() if k != "source"}
            rest_a = {k: v for k, v in ca.items() if k != "source"}
            if rest_b != rest_a:
                lost += len(json.dumps(rest_b))
                where.append("cell outputs/metadata changed")
        if {k: v for k, v in b_nb.items() if k != "cells"} != {
            k: v for k, v in a_nb.items() if k != "cells"
        } or len(b_cells) != len(a_cells):
            lost += 1
            where.append("notebook metadata or cell count changed")
        # the raw layout outside "source" strings must stay byte for byte
        lost_raw, where_raw = _raw_outside_sources(before, after)
        lost += lost_raw
        where += where_raw
        for (num, _, sb), (_, _, sa) in zip(b_cells, a_cells, strict=False):
            if sb != sa:
                n, w = _line_diff(sb, sa, allowed.get(num, set()))
                lost += n
                where += [f"c{num}:{x}" for x in w]
        return lost, where
    return _line_diff(
        before.decode("utf-8", "replace"),
        after.decode("utf-8", "replace"),
        allowed.get(None, set()),
    )


def _line_diff(before: str, after: str, allowed: set[int]) -> tuple[int, list[str]]:
    b, a = before.splitlines(keepends=True), after.splitlines(keepends=True)
    lost, where = 0, []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=b, b=a, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        if op == "insert":  # allowed next to an edited line
            if not {i1, i1 + 1} & allowed:
                lost += sum(len(x) for x in a[j1:j2])
                where.append(str(i1 + 1))
            continue
        if op == "replace" and i2 - i1 == j2 - j1:  # line by line
            for k in range(i2 - i1):
                if b[i1 + k] != a[j1 + k] and i1 + k + 1 not in allowed:
                    lost += max(len(b[i1 + k]), len(a[j1 + k]))
                    where.append(str(i1 + k + 1))
            continue
        outside = [r for r in range(i1 + 1, i2 + 1) if r not in allowed]
        if outside:
            lost += sum(len(b[r - 1]) for r in outside)
            where += [str(r) for r in outside]
    return lost, where


_SOURCE_START = re.compile(rb'^\s*"source":\s*(\[|")')


def _raw_outside_sources(before: bytes, after: bytes) -> tuple[int, list[str]]:
    """Changed raw lines of a notebook that lie outside any "source" value."""

    def mask(data: bytes) -> list[bytes]:
        lines, out, inside = data.splitlines(keepends=True), [], False
        for ln in lines:
            m = _SOURCE_START.match(ln)
            if m and not inside:
                if m.group(1) == b"[" and not ln.rstrip().endswith((b"],", b"]")):
                    inside = True
                out.append(b"<source>\n")
                continue
            if inside:
                if ln.strip() in (b"]", b"],"):
                    inside = False
                    out.append(ln)
                continue
            out.append(ln)
        return out

    mb, ma = mask(before), mask(after)
    lost, where = 0, []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=mb, b=ma, autojunk=False).get_opcodes():
        if op != "equal":
            lost += max(sum(map(len, mb[i1:i2])), sum(map(len, ma[j1:j2])))
            where.append(f"raw layout near masked line {i1 + 1}")
    return lost, where


# ---------------------------------------------------------------- pairs and wrong edits
def line_map(before: list[tuple[str, str]], after: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Each before location -> the text lines that replace it in `after` ([] when deleted)."""
    out: dict[str, list[str]] = {}
    sm = difflib.SequenceMatcher(a=[t for _, t in before], b=[t for _, t in after], autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        repl = [t for _, t in after[j1:j2]]
        for k in range(i1, i2):
            if op == "equal":
                out[before[k][0]] = [after[j1 + k - i1][1]]
            elif op == "replace" and (i2 - i1) == (j2 - j1):
                out[before[k][0]] = [repl[k - i1]]
            else:
                out[before[k][0]] = repl if k == i1 else []
    return out


def norm(lines: list[str]) -> str:
    return re.sub(r"\s+", " ", " ".join(lines)).strip().rstrip("\\,").strip()


def count_token(name: str, lines: list[str]) -> int:
    pattern = re.compile(r"(?<![A-Za-z0-9_])" + re.escape(name) + r"(?![A-Za-z0-9_])")
    return sum(len(pattern.findall(t)) for t in lines)


def token_in(name: str, lines: list[str]) -> bool:
    return any(
        re.search(r"(?<![A-Za-z0-9_])" + re.escape(name) + r"(?![A-Za-z0-9_])", ln) for ln in lines
    )


def describe(name: str, orig: str, lines: list[str]) -> str:
    """What ce-lint did to one line, in field names only (no third-party text)."""
    if not lines:
        return "line removed"
    if norm(lines) == norm([orig]):
        return "unchanged"
    gone = count_token(name, [orig]) - count_token(name, lines)
    words = sorted(
        set(re.findall(r"[A-Za-z_][A-Za-z0-9_]+", " ".join(lines)))
        - set(re.findall(r"[A-Za-z_][A-Za-z0-9_]+", orig))
    )
    if gone > 0:
        return f"{name} replaced by {', '.join(words[:4])}" if words else f"{name} removed"
    return f"line edited, {name} kept"


def value_after(name: str, lines: list[str]) -> str | None:
    """The value written after `name` on a line (flag value, YAML value or keyword value)."""
    pattern = r"(?<![A-Za-z0-9_])" + re.escape(name) + r"(?![A-Za-z0-9_])[\"']?\s*[:=]?\s*(\S+)"
    m = re.search(pattern, " ".join(lines))
    return m.group(1).strip("\"',\\)") if m else None


def pair_verdict(
    ch: dict[str, Any], orig: str, mine: list[str], theirs: list[str], fixed_all: list[str]
) -> str:
    """same / missed / different for one field the person changed."""
    name = ch["name"]
    if norm(mine) == norm(theirs):
        return "same"
    if count_token(name, mine) >= count_token(name, [orig]):
        return "missed"
    if not ch["after"].startswith("renamed to"):
        return "same"  # the person removed it and so did ce-lint (perhaps with more or less text)
    new = ch["after"].split("renamed to ")[1].split()[0]
    if "another line" in ch["after"]:
        return "same" if count_token(new, fixed_all) > count_token(new, [orig]) else "different"
    if count_token(new, mine) <= count_token(new, [orig]):
        return "different"  # ce-lint dropped it where the person renamed it
    mine_v, theirs_v = value_after(new, mine), value_after(new, theirs)
    # the person may also have renamed their own variable inside the value (config.eval_strategy)
    if theirs_v is None or mine_v == theirs_v or (mine_v or "").replace(name, new) == theirs_v:
        return "same"
    if ch.get("value_by_choice") and mine_v == value_after(name, [orig]):
        # the person chose a new value; ce-lint kept the old one under the new name
        return "same meaning"
    return "different value"


def compare_pair(
    label: dict[str, Any], fmt: str, before: bytes, person: bytes, fixed: bytes
) -> list[dict[str, Any]]:
    b, p, c = text_lines(before, fmt), text_lines(person, fmt), text_lines(fixed, fmt)
    bmap, pmap, cmap = dict(b), line_map(b, p), line_map(b, c)
    fixed_all = [t for _, t in c]
    out = []
    for ch in label.get("person_changes", []):
        loc = join_loc(ch.get("cell"), ch["line"])
        orig = bmap.get(loc, "")
        mine, theirs = cmap.get(loc, [orig]), pmap.get(loc, [])
        if not ch["in_scope"]:
            verdict = "touched out-of-scope" if norm(mine) != norm([orig]) else "left alone"
        else:
            verdict = pair_verdict(ch, orig, mine, theirs, fixed_all)
        out.append(
            {
                "loc": loc,
                "name": ch["name"],
                "in_scope": ch["in_scope"],
                "person": ch["after"],
                "ce_lint": describe(ch["name"], orig, mine),
                "verdict": verdict,
            }
        )
    return out


def fit_rewrites(label: dict[str, Any], fmt: str, before: bytes, fixed: bytes) -> set[str]:
    """Lines of the labelled legacy `fit` statements that the fit -> Trainer codemod (CE520)
    replaced: their edits are the codemod's, judged by tools/corpus/fit_codemods.py, not
    edits of their parameters (labelled not-arguments of training arguments)."""
    calls = (label.get("legacy_fit") or {}).get("calls", [])
    if fmt != "python" or not calls:
        return set()
    try:
        text, after = before.decode("utf-8"), fixed.decode("utf-8")
        tree = ast.parse(text)
    except (UnicodeDecodeError, SyntaxError, ValueError):
        return set()
    wanted = {call["line"] for call in calls if "cell" not in call}
    out: set[str] = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
            continue
        func = node.value.func
        if not (isinstance(func, ast.Attribute) and func.attr == "fit"):
            continue
        lines = range(node.lineno, (node.end_lineno or node.lineno) + 1)
        segment = ast.get_source_segment(text, node) or ""
        if wanted & set(lines) and segment not in after:
            out.update(str(n) for n in lines)
    return out


def wrong_edits(
    label: dict[str, Any], fmt: str, before: bytes, fixed: bytes
) -> list[dict[str, Any]]:
    if before == fixed:
        return []
    rewritten = fit_rewrites(label, fmt, before, fixed)
    b, c = text_lines(before, fmt), text_lines(fixed, fmt)
    if rewritten:  # the codemod's lines are judged apart; the rest of the file as usual
        b = [(loc, txt) for loc, txt in b if loc not in rewritten]
    cmap = line_map(b, c)
    bmap = dict(b)
    out = []
    if label["kind"] == "negative":
        changed = [loc for loc, txt in b if norm(cmap.get(loc, [])) != norm([txt])]
        return [
            {"loc": loc, "name": "", "why": "edit in a file without training arguments"}
            for loc in changed
        ]
    labelled = {
        join_loc(x.get("cell"), x["line"])
        for x in label.get("outdated", []) + label.get("uncertain", [])
    }
    if is_quiet(label):
        # training arguments (or a legacy fit loop) but nothing outdated: any edit off the
        # uncertain lines is wrong
        for loc, txt in b:
            if loc not in labelled and norm(cmap.get(loc, [])) != norm([txt]):
                out.append({"loc": loc, "name": "", "why": "edit in a file with nothing outdated"})
        return out
    for na in label.get("not_arguments", []):
        if "line" in na:
            loc = join_loc(na.get("cell"), na["line"])
            now, was = cmap.get(loc, []), [bmap.get(loc, "")]
            # a line that also holds a labelled item may change, but not the not-argument itself
            if count_token(na["name"], now) < count_token(na["name"], was) or (
                loc not in labelled and norm(now) != norm(was)
            ):
                out.append({"loc": loc, "name": na["name"], "why": na["why"]})
        else:
            name = na["name"].split(".")[-1]
            if rewritten and "fit" in na["why"]:
                continue  # a parameter of the rewritten fit call
            if count_token(name, [t for _, t in c]) < count_token(name, [t for _, t in b]):
                out.append({"loc": "*", "name": na["name"], "why": na["why"]})
    return out


# ---------------------------------------------------------------- main scoring
def check_corpus(root: Path, entries: list[dict[str, Any]]) -> list[str]:
    missing = []
    for e in entries:
        p = root / "files" / rel_path(e["repo"], e["commit"], e["path"])
        if not p.exists() or hashlib.sha256(p.read_bytes()).hexdigest() != e["sha256"]:
            missing.append(e["id"])
    return missing


def by_file(findings: list[dict[str, Any]], base: Path) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for f in findings:
        try:
            fid = str(Path(f["filename"]).resolve().relative_to(base.resolve()))
        except ValueError:
            fid = f["filename"]
        out[fid].append(f)
    return out


def per_file_check(
    exe: str, base: Path, ids: list[str], extra: list[str], timeout: float
) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """Run check file by file: which files crash ce-lint, and the findings of the others."""
    bad: dict[str, str] = {}
    findings: list[dict[str, Any]] = []
    for fid in ids:
        run = run_ce_lint(
            exe, ["check", "--output-format", "json", "--exit-zero", *extra, fid], base, timeout
        )
        if crashed(run) or parse_findings(run) is None:
            tail = (run.stderr.strip().splitlines() or ["no JSON output"])[-1]
            bad[fid] = "timeout" if run.timed_out else tail[:300]
        else:
            findings += parse_findings(run) or []
    return bad, findings


def fix_run(
    exe: str, src: Path, ids: list[str], extra: list[str], unsafe: bool, timeout: float
) -> tuple[Path, Run, Run]:
    """Copy the corpus files, run `check` (for the edits) and `fix` on the copy."""
    tmp = Path(tempfile.mkdtemp(prefix="ce-lint-score-"))
    shutil.copytree(src, tmp / "files", symlinks=False)
    flags = ["--unsafe-fixes"] if unsafe else []
    check = run_ce_lint(
        exe,
        ["check", "--output-format", "json", "--exit-zero", *flags, *extra, "files"],
        tmp,
        timeout,
    )
    fix = run_ce_lint(exe, ["fix", "--exit-zero", *flags, *extra, "files"], tmp, timeout)
    return tmp, check, fix


def score(args: argparse.Namespace) -> dict[str, Any]:
    entries = load_manifest(args.manifest)
    labels = load_json(args.labels)["files"]
    root: Path = args.corpus
    unlabelled = [e["id"] for e in entries if e["id"] not in labels]
    if unlabelled:
        print(
            f"warning: {len(unlabelled)} manifest entries have no labels; skipped", file=sys.stderr
        )
    entries = [e for e in entries if e["id"] in labels]
    missing = check_corpus(root, entries)
    entries = [e for e in entries if e["id"] not in missing]
    files_dir = root / "files"
    extra = [*TARGETS, "--hardware", args.hardware, *args.ce_lint_arg]

    # 1. check over the whole corpus (cross-file inference works as in a real repository)
    run = run_ce_lint(
        args.ce_lint,
        ["check", "--output-format", "json", "--exit-zero", *extra, "."],
        files_dir,
        args.timeout,
    )
    findings = parse_findings(run) or []
    crashes: dict[str, str] = {}
    if crashed(run) or parse_findings(run) is None:
        # find the culprits; the other files are checked one by one (no cross-file inference)
        crashes, findings = per_file_check(
            args.ce_lint, files_dir, [e["id"] for e in entries], extra, 120
        )
        if not crashes:
            crashes["<whole corpus run>"] = (run.stderr.strip().splitlines() or ["?"])[-1][:300]
    per_file = by_file(findings, files_dir)

    # 1b. hardware rules under --hardware auto (what a user gets without naming a machine)
    extra_auto = [*TARGETS, "--hardware", "auto", *args.ce_lint_arg]
    run_auto = run_ce_lint(
        args.ce_lint,
        ["check", "--output-format", "json", "--exit-zero", *extra_auto, "."],
        files_dir,
        args.timeout,
    )
    hardware_auto = Counter(
        f.get("severity", "?")
        for f in parse_findings(run_auto) or []
        if f.get("code", "").startswith(MACHINE_PREFIX)
    )
    hardware_auto_codes = Counter(
        f"{f.get('code')} {f.get('severity')}"
        for f in parse_findings(run_auto) or []
        if f.get("code", "").startswith(MACHINE_PREFIX)
    )

    # 2. recall / false findings
    scores = {
        e["id"]: score_findings(labels[e["id"]], e["id"], e["format"], per_file.get(e["id"], []))
        for e in entries
    }
    misparsed = []
    for e in entries:
        fs = scores[e["id"]]
        if fs.parse_findings:
            ok, _ = parses((files_dir / e["id"]).read_bytes(), e["format"], files_dir / e["id"])
            if ok:
                misparsed.append({"file": e["id"], "findings": fs.parse_findings})

    # 3. fixes, with and without --unsafe-fixes
    fix_results: dict[str, Any] = {}
    for mode in ("safe", "unsafe"):
        tmp, chk, fx = fix_run(
            args.ce_lint,
            files_dir,
            [e["id"] for e in entries],
            extra,
            mode == "unsafe",
            args.timeout,
        )
        try:
            edits_by_file = by_file(parse_findings(chk) or [], tmp / "files")
            broken, lost, wrong, pairs, changed_files = [], [], [], [], 0
            for e in entries:
                before = (files_dir / e["id"]).read_bytes()
                fixed_path = tmp / "files" / e["id"]
                fixed = fixed_path.read_bytes() if fixed_path.exists() else b""
                label = labels[e["id"]]
                if "after" in e:
                    person_path = after_location(root, e)
                    if person_path and person_path.exists():
                        for res in compare_pair(
                            label, e["format"], before, person_path.read_bytes(), fixed
                        ):
                            pairs.append({"file": e["id"], **res})
                if fixed == before:
                    continue
                changed_files += 1
                ok_before, _ = parses(before, e["format"], files_dir / e["id"])
                ok_after, why = parses(fixed, e["format"], fixed_path)
                if e["format"] == "makefile" and not makefile_tabs_kept(before, fixed):
                    ok_after, why = False, "recipe tab lost"
                if ok_before and not ok_after:
                    broken.append({"file": e["id"], "why": why})
                n, where = changed_outside(
                    before, fixed, e["format"], edit_lines(edits_by_file.get(e["id"], []))
                )
                if n:
                    lost.append({"file": e["id"], "bytes": n, "where": where[:10]})
                for w in wrong_edits(label, e["format"], before, fixed):
                    wrong.append({"file": e["id"], **w})
            fix_results[mode] = {
                "crash": crashed(fx) or crashed(chk),
                "crash_detail": (fx.stderr.strip().splitlines() or [""])[-1][:300]
                if crashed(fx)
                else "",
                "seconds": round(fx.seconds, 1),
                "files_changed": changed_files,
                "parse_breaks": broken,
                "lost_bytes": lost,
                "wrong_edits": wrong,
                "pairs": pairs,
            }
        finally:
            if not args.keep:
                shutil.rmtree(tmp, ignore_errors=True)
            else:
                print(f"kept fix copy ({mode}): {tmp}", file=sys.stderr)

    out = summarise(entries, labels, scores, crashes, misparsed, fix_results, run, missing)
    out["headline"]["hardware_auto_errors"] = hardware_auto.get("error", 0)
    out["headline"]["hardware_auto_warnings"] = hardware_auto.get("warning", 0)
    out["headline"]["hardware_auto_info"] = hardware_auto.get("info", 0)
    out["hardware_auto"] = dict(hardware_auto_codes.most_common())
    if crashed(run_auto) or parse_findings(run_auto) is None:
        out["headline"]["crashes"] += 1
        out["crashes"]["<--hardware auto run>"] = (run_auto.stderr.strip().splitlines() or ["?"])[
            -1
        ][:300]
    return out


def summarise(
    entries, labels, scores, crashes, misparsed, fix_results, run, missing
) -> dict[str, Any]:  # noqa: ANN001
    legacy_ids = {fid for fid in scores if is_legacy(labels[fid])}
    legacy_items = [(fs, it) for fs in scores.values() if fs.id in legacy_ids for it in fs.items]
    items = [(fs, it) for fs in scores.values() if fs.id not in legacy_ids for it in fs.items]
    found = [(fs, it) for fs, it in items if it.found]
    # per file: files with outdated usage (legacy fit apart)
    per_file_recall = [
        sum(it.found for it in fs.items) / len(fs.items)
        for fs in scores.values()
        if fs.items and fs.id not in legacy_ids
    ]
    quiet = [fs for fs in scores.values() if is_quiet(labels[fs.id])]
    quiet_false = [fs for fs in quiet if fs.false]
    by_name: dict[str, Counter] = defaultdict(Counter)
    by_fmt: dict[str, Counter] = defaultdict(Counter)
    for fs, it in items:
        by_name[it.name]["labelled"] += 1
        by_name[it.name]["found"] += it.found
        by_fmt[fs.fmt]["labelled"] += 1
        by_fmt[fs.fmt]["found"] += it.found
    false = [f for fs in scores.values() for f in fs.false]
    missed = [{"file": fs.id, "loc": it.loc, "name": it.name} for fs, it in items if not it.found]
    legacy_missed = [
        {"file": fs.id, "loc": it.loc, "name": it.name} for fs, it in legacy_items if not it.found
    ]
    pair_verdicts = {
        mode: Counter(p["verdict"] for p in res["pairs"]) for mode, res in fix_results.items()
    }
    formats = Counter(e["format"] for e in entries)
    kinds = Counter(labels[e["id"]]["kind"] for e in entries)
    return {
        "schema": 1,
        "ce_lint_seconds": round(run.seconds, 1),
        "corpus": {
            "files": len(entries),
            "missing": missing,
            "repos": len({e["repo"] for e in entries}),
            "formats": dict(sorted(formats.items())),
            "kinds": dict(sorted(kinds.items())),
            "pairs": sum("after" in e for e in entries),
            "pair_changes": sum(
                len(labels[e["id"]].get("person_changes", [])) for e in entries if "after" in e
            ),
        },
        "headline": {
            "crashes": len(crashes),
            "labelled_items": len(items),
            "found": len(found),
            "recall": round(len(found) / len(items), 4) if items else None,
            "files_with_deprecated_usage": len(per_file_recall),
            "files_fully_found": sum(r == 1 for r in per_file_recall),
            "files_nothing_found": sum(r == 0 for r in per_file_recall),
            "mean_per_file_recall": round(sum(per_file_recall) / len(per_file_recall), 4)
            if per_file_recall
            else None,
            "legacy_fit_files": len(legacy_ids),
            "legacy_fit_items": len(legacy_items),
            "legacy_fit_found": sum(it.found for _, it in legacy_items),
            "legacy_fit_calls": sum(len(fs.fit_calls) for fs in scores.values()),
            "legacy_fit_calls_reported": sum(sum(fs.fit_calls.values()) for fs in scores.values()),
            "legacy_fit_call_errors_warnings": sum(len(fs.fit_findings) for fs in scores.values()),
            "quiet_files": len(quiet),
            "quiet_files_with_false_finding": len(quiet_false),
            "quiet_false_share": round(len(quiet_false) / len(quiet), 4) if quiet else None,
            "found_with_fix": sum(it.fixable for _, it in found),
            "severity_agrees": sum(it.severity_match for _, it in found),
            "false_findings": len(false),
            "false_in_negative_files": sum(f["why"].startswith("file holds") for f in false),
            "false_on_not_arguments": sum(f["why"].startswith("not an argument") for f in false),
            "misparsed_files": len(misparsed),
            "info_findings": sum(fs.info for fs in scores.values()),
            "machine_findings": sum(fs.machine for fs in scores.values()),
            **{
                f"{mode}_{k}": v
                for mode, res in fix_results.items()
                for k, v in (
                    ("parse_breaks", len(res["parse_breaks"])),
                    ("lost_bytes", sum(x["bytes"] for x in res["lost_bytes"])),
                    ("files_with_lost_bytes", len(res["lost_bytes"])),
                    ("wrong_edits", len(res["wrong_edits"])),
                    ("files_changed", res["files_changed"]),
                    ("fix_crash", int(res["crash"])),
                )
            },
            **{
                f"pairs_{mode}_{v}": n
                for mode, c in pair_verdicts.items()
                for v, n in sorted(c.items())
            },
            **{
                f"{mode}_{k}": v
                for mode, c in pair_verdicts.items()
                for k, v in (
                    ("missed_migrations", c.get("missed", 0)),
                    (
                        "wrong_edits_in_migrations",
                        c.get("different", 0)
                        + c.get("different value", 0)
                        + c.get("touched out-of-scope", 0),
                    ),
                )
            },
        },
        "recall_by_field": {k: dict(v) for k, v in sorted(by_name.items())},
        "recall_by_format": {k: dict(v) for k, v in sorted(by_fmt.items())},
        "false_by_code": dict(Counter(f["code"] for f in false).most_common()),
        "false_by_why": dict(Counter(f["why"].split(":")[0] for f in false).most_common()),
        "crashes": crashes,
        "misparsed": misparsed,
        "missed": missed,
        "legacy_fit_missed": legacy_missed,
        "legacy_fit_calls_unreported": sorted(
            f"{fs.id}:{loc}"
            for fs in scores.values()
            for loc, seen in fs.fit_calls.items()
            if not seen
        ),
        "legacy_fit_call_findings": [x for fs in scores.values() for x in fs.fit_findings],
        "quiet_files_with_false_finding": sorted(fs.id for fs in quiet_false),
        "false_findings": false,
        "fix": fix_results,
    }


# ---------------------------------------------------------------- reporting
def report(s: dict[str, Any], verbose: bool) -> None:
    c, h = s["corpus"], s["headline"]
    print(
        f"corpus: {c['files']} files from {c['repos']} repositories, {c['pairs']} migration pairs"
    )
    print(f"  formats: {c['formats']}  kinds: {c['kinds']}")
    if c["missing"]:
        print(f"  MISSING or mismatched (run rebuild.py): {len(c['missing'])}")
    print(
        f"check: {s['ce_lint_seconds']} s, crashes: {h['crashes']}, files misparsed (CE9xx on a valid file): {h['misparsed_files']}"
    )
    print(
        f"recall: {h['found']}/{h['labelled_items']} = {h['recall']:.1%}"
        f"  (with a fix: {h['found_with_fix']}, same severity: {h['severity_agrees']})"
    )
    print(
        f"false findings: {h['false_findings']} (in negative files {h['false_in_negative_files']},"
        f" on labelled not-arguments {h['false_on_not_arguments']}); info findings {h['info_findings']},"
        f" machine (CE4xx) {h['machine_findings']}"
    )
    for mode in ("safe", "unsafe"):
        print(
            f"fix ({mode}): files changed {h.get(f'{mode}_files_changed')}, parse breaks {h.get(f'{mode}_parse_breaks')},"
            f" lost bytes {h.get(f'{mode}_lost_bytes')} in {h.get(f'{mode}_files_with_lost_bytes')} files,"
            f" wrong edits {h.get(f'{mode}_wrong_edits')}, crash {h.get(f'{mode}_fix_crash')}"
        )
        verdicts = {k.split("_", 2)[2]: v for k, v in h.items() if k.startswith(f"pairs_{mode}_")}
        print(f"  migration pairs vs the person ({mode}): {verdicts}")
    print("issue 14 numbers:")
    print(f"  crashes: {h['crashes']}")
    print(
        f"  fixed files broken: safe {h.get('safe_parse_breaks')}, unsafe {h.get('unsafe_parse_breaks')}"
    )
    print(
        f"  wrong edits (corpus): safe {h.get('safe_wrong_edits')}, unsafe {h.get('unsafe_wrong_edits')};"
        f" in human migrations: safe {h.get('safe_wrong_edits_in_migrations')},"
        f" unsafe {h.get('unsafe_wrong_edits_in_migrations')} of {c.get('pair_changes')} changes"
    )
    print(
        f"  missed migrations: safe {h.get('safe_missed_migrations')}, unsafe {h.get('unsafe_missed_migrations')}"
    )
    print(
        f"  recall over files with deprecated usage (legacy fit apart): items {h['found']}/{h['labelled_items']}"
        f" = {h['recall']:.1%}; per file: mean {h['mean_per_file_recall']:.1%},"
        f" all found in {h['files_fully_found']}/{h['files_with_deprecated_usage']}, none in {h['files_nothing_found']}"
    )
    print(
        f"  legacy fit: {h['legacy_fit_files']} files, items found {h['legacy_fit_found']}/{h['legacy_fit_items']} (not in recall);"
        f" fit calls reported {h.get('legacy_fit_calls_reported', 0)}/{h.get('legacy_fit_calls', 0)}"
        f" (errors/warnings on them, for review: {h.get('legacy_fit_call_errors_warnings', 0)})"
    )
    print(
        f"  quiet files with a false error or warning: {h['quiet_files_with_false_finding']}/{h['quiet_files']}"
        f" = {h['quiet_false_share']:.1%}"
    )
    print(
        f"  hardware (CE4xx) under --hardware auto: errors {h.get('hardware_auto_errors')},"
        f" warnings {h.get('hardware_auto_warnings')}, info {h.get('hardware_auto_info')}"
    )
    print("recall by field:")
    for name, v in s["recall_by_field"].items():
        print(f"  {name:36} {v.get('found', 0):3}/{v['labelled']}")
    print(
        "recall by format: "
        + ", ".join(
            f"{k} {v.get('found', 0)}/{v['labelled']}" for k, v in s["recall_by_format"].items()
        )
    )
    print(f"false findings by code: {s['false_by_code']}")
    print(f"false findings by reason: {s['false_by_why']}")
    if s["crashes"]:
        print("crashes:")
        for fid, why in s["crashes"].items():
            print(f"  {fid}: {why}")
    limit = None if verbose else 25
    print(f"false findings ({len(s['false_findings'])}, for review):")
    for f in s["false_findings"][:limit]:
        print(f"  {f['file']}:{f['loc']}: {f['code']} [{f['why']}] {f['message'][:140]}")
    print(f"missed labelled items ({len(s['missed'])}, legacy fit apart):")
    for m in s["missed"][:limit]:
        print(f"  {m['file']}:{m['loc']}: {m['name']}")
    for mode in ("safe", "unsafe"):
        res = s["fix"].get(mode, {})
        for key in ("parse_breaks", "lost_bytes", "wrong_edits"):
            if res.get(key):
                print(f"{key} ({mode}):")
                for x in res[key][:limit]:
                    print(f"  {json.dumps(x)[:300]}")
        diffs = [p for p in res.get("pairs", []) if p["verdict"] not in ("same", "left alone")]
        if diffs:
            print(f"pairs not like the person ({mode}):")
            for p in diffs[:limit]:
                print(
                    f"  {p['file']}:{p['loc']} {p['name']}: person {p['person']!r}, ce-lint {p['ce_lint']!r} -> {p['verdict']}"
                )


def compare(new: dict[str, Any], old: dict[str, Any]) -> None:
    print("deltas against the earlier run:")
    nh, oh = new["headline"], old.get("headline", {})
    for key in sorted(set(nh) | set(oh)):
        a, b = oh.get(key), nh.get(key)
        if a != b:
            if isinstance(a, (int, float)) and isinstance(b, (int, float)):
                print(f"  {key:34} {a} -> {b} ({b - a:+.4g})")
            else:
                print(f"  {key:34} {a} -> {b}")
    old_false = {(f["file"], f["loc"], f["code"]) for f in old.get("false_findings", [])}
    new_false = {(f["file"], f["loc"], f["code"]) for f in new.get("false_findings", [])}
    old_missed = {(m["file"], m["loc"], m["name"]) for m in old.get("missed", [])}
    new_missed = {(m["file"], m["loc"], m["name"]) for m in new.get("missed", [])}
    for title, items in (
        ("new false findings", new_false - old_false),
        ("false findings gone", old_false - new_false),
        ("newly missed", new_missed - old_missed),
        ("newly found", old_missed - new_missed),
    ):
        if items:
            print(f"  {title} ({len(items)}):")
            for x in sorted(items)[:40]:
                print(f"    {x[0]}:{x[1]} {x[2]}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--manifest", type=Path, default=MANIFEST)
    ap.add_argument("--labels", type=Path, default=LABELS)
    ap.add_argument(
        "--ce-lint", default=shutil.which("ce-lint") or "ce-lint", help="ce-lint executable"
    )
    ap.add_argument("--hardware", default="h100", help="hardware profile for CE4xx (default h100)")
    ap.add_argument(
        "--ce-lint-arg", action="append", default=[], help="extra argument for ce-lint (repeatable)"
    )
    ap.add_argument(
        "--out", type=Path, default=Path("corpus-score.json"), help="JSON summary to write"
    )
    ap.add_argument("--compare", type=Path, help="earlier JSON summary to compare with")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds per ce-lint run")
    ap.add_argument("--keep", action="store_true", help="keep the temporary fixed copies")
    ap.add_argument("--verbose", action="store_true", help="list every finding, not the first 25")
    args = ap.parse_args(argv)
    for p in (args.manifest, args.labels):
        if not p.exists():
            ap.error(f"missing {p}")
    if not (args.corpus / "files").is_dir():
        ap.error(f"no corpus at {args.corpus} (run tools/corpus/rebuild.py first)")
    exe = shutil.which(args.ce_lint)
    if exe is None:
        ap.error(f"ce-lint not found: {args.ce_lint}")
    args.ce_lint = str(Path(exe).resolve())  # runs happen in other folders
    if args.compare and not args.compare.exists():
        ap.error(f"no such file: {args.compare}")
    summary = score(args)
    report(summary, args.verbose)
    # the file keeps numbers, codes, field names and paths: no message text
    for f in summary["false_findings"]:
        f.pop("message", None)
    args.out.write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"summary written to {args.out}")
    if args.compare:
        compare(summary, load_json(args.compare))
    return 0


if __name__ == "__main__":
    sys.exit(main())
