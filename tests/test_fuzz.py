"""Fuzzing: ce-lint against hostile and unlucky files (the properties of tools/fuzz/props.py).

Hypothesis drives the campaign's own mutations of the fixtures and its generated configs
(tools/fuzz: byte flips, dropped and repeated lines, truncation, inserted syntax, field names
swapped for others of the knowledge, odd unicode, CRLF / CR / BOM / tab mixes, deep nesting)
for every format. For each input: check never raises or hangs; fix (safe, unsafe, unsafe with
--from) keeps a parseable file parseable, never empties it, changes nothing outside the edits
its findings report, and a second fix changes nothing.

The profile is deterministic (derandomize) and small, so the file runs in seconds; raise
CE_LINT_FUZZ_EXAMPLES for a longer search, or run tools/fuzz/campaign.py for hours.

Known failures are seeds in tests/data/fuzz/ (the minimal input and a JSON description): each
open one is a strict xfail, so the fix that repairs it turns the test red until its status
says "fixed"; while open, its signature is tolerated by the property tests here.
"""

from __future__ import annotations

import functools
import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ce_lint.engine import PlannedFix
from ce_lint.textio import TextEdit
from tools.fuzz.generate import generated
from tools.fuzz.inputs import FuzzInput, make_input
from tools.fuzz.props import MODES, Failure, Harness, RecordingEngine
from tools.fuzz.seeds import FORMATS, REPO_ROOT, fixture_pairs, seeds

SEED_DIR = Path(__file__).resolve().parent / "data" / "fuzz"
EXAMPLES = int(os.environ.get("CE_LINT_FUZZ_EXAMPLES", "12"))
FUZZ = settings(
    derandomize=True,
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@dataclass(frozen=True)
class KnownFailure:
    """A seed of tests/data/fuzz: a minimal input that breaks (or broke) one property."""

    name: str
    fmt: str
    mode: str
    prop: str
    match: str  # a regular expression over the failure signature
    status: str  # "open" (a strict xfail) or "fixed" (a regression test)
    reason: str
    data: bytes

    def matches(self, failure: Failure) -> bool:
        return failure.prop == self.prop and re.search(self.match, failure.signature) is not None


def known_failures() -> list[KnownFailure]:
    out = []
    for description in sorted(SEED_DIR.glob("*.json")):
        info = json.loads(description.read_text(encoding="utf-8"))
        data = (SEED_DIR / info["input"]).read_bytes()
        out.append(
            KnownFailure(
                description.stem,
                info["format"],
                info["mode"],
                info["property"],
                info["match"],
                info["status"],
                info["reason"],
                data,
            )  # fmt: skip
        )
    return out


KNOWN = known_failures()
OPEN = [k for k in KNOWN if k.status == "open"]


@functools.cache
def harness() -> Harness:
    return Harness(stage_timeout=30.0)


def unexpected(failures: list[Failure]) -> list[Failure]:
    """The failures no open seed accounts for."""
    return [f for f in failures if not any(k.matches(f) for k in OPEN)]


def explain(item: FuzzInput, failures: list[Failure]) -> str:
    lines = [f"{item.fmt} input from {item.origin} after {item.mutations}:", repr(item.data[:1500])]
    for f in failures:
        lines += [f"-- {f.prop} ({f.mode}): {f.signature}", f.detail]
    lines.append(
        "Minimise it (tools/fuzz/minimize.py) and add it to tests/data/fuzz/ if it is a bug."
    )
    return "\n".join(lines)


def picks(draw: st.DrawFn) -> callable:
    return lambda n: draw(st.integers(0, n - 1))


@st.composite
def mutated_inputs(draw: st.DrawFn, fmt: str) -> FuzzInput:
    return make_input(fmt, picks(draw))


@st.composite
def generated_inputs(draw: st.DrawFn, fmt: str) -> FuzzInput:
    return FuzzInput(fmt, "generated", generated(fmt, picks(draw)))


# ---- the properties, for every format ---------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@FUZZ
@given(data=st.data())
def test_mutated_fixtures_keep_the_properties(fmt: str, data: st.DataObject) -> None:
    item = data.draw(mutated_inputs(fmt))
    failures = unexpected(harness().run(item.data, fmt))
    assert not failures, explain(item, failures)


@pytest.mark.parametrize("fmt", FORMATS)
@FUZZ
@given(data=st.data())
def test_generated_configs_keep_the_properties(fmt: str, data: st.DataObject) -> None:
    item = data.draw(generated_inputs(fmt))
    failures = unexpected(harness().run(item.data, fmt))
    assert not failures, explain(item, failures)


@pytest.mark.parametrize(
    "before", [b for b, _ in fixture_pairs()], ids=lambda p: p.name.split(".before.")[0]
)
def test_fixture_pairs_keep_the_properties(before: Path) -> None:
    """The unmutated before/after fixtures: the harness itself sees no failure in them."""
    fmt = {"yml": "yaml"}.get(before.suffix[1:], before.suffix[1:])
    after = before.with_name(before.name.replace(".before.", ".after."))
    for path in (before, after):
        failures = harness().run(path.read_bytes(), fmt)
        assert not failures, explain(FuzzInput(fmt, str(path), path.read_bytes()), failures)


def test_fixture_pairs_are_seeds() -> None:
    """The campaign and the tests above start from the fixtures, found by name."""
    for before, after in fixture_pairs():
        fmt = {"yml": "yaml"}.get(before.suffix[1:], before.suffix[1:])
        names = {s.name for s in seeds(fmt)}
        assert {str(p.relative_to(REPO_ROOT)) for p in (before, after)} <= names


# ---- the known failures: strict xfails until fixed ---------------------------------------------


def _seed_params() -> list:
    params = []
    for k in KNOWN:
        marks = [pytest.mark.xfail(strict=True, reason=k.reason)] if k.status == "open" else []
        params.append(pytest.param(k, id=k.name, marks=marks))
    return params


@pytest.mark.parametrize("known", _seed_params())
def test_known_failure_seeds(known: KnownFailure) -> None:
    failures = harness().run(known.data, known.fmt, (known.mode,))
    broken = [f for f in failures if known.matches(f)]
    assert not broken, "\n".join(f"{f.signature}\n{f.detail}" for f in broken)


def test_seeds_are_well_formed() -> None:
    for k in KNOWN:
        assert k.fmt in FORMATS and k.mode in MODES and k.status in ("open", "fixed"), k.name
        re.compile(k.match)


# ---- the harness catches what it claims to catch --------------------------------------------

YAML = b"output_dir: out  # where\nevaluation_strategy: steps\nseed: 1  # keep me\n"


def test_an_edit_no_finding_reported_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    plan = RecordingEngine._plan_pass

    def extra(self: RecordingEngine, result, unsafe, refused):  # type: ignore[no-untyped-def]
        planned = plan(self, result, unsafe, refused)
        if planned:  # one more fix no finding offers: drop the first line's comment
            planned = [*planned, PlannedFix(("CE000", 17, 24), (TextEdit(17, 24, ""),))]
        return planned

    monkeypatch.setattr(RecordingEngine, "_plan_pass", extra)
    failures = Harness().run_mode(YAML, "yaml", "fix-safe")
    assert "out_of_span:yaml:unreported-edit" in {f.signature for f in failures}


def test_an_edit_past_its_lines_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    from ce_lint.adapters import yaml_config

    rewrite = yaml_config.YamlDocument.rewrite

    def greedy(self, edit):  # type: ignore[no-untyped-def]
        edits = rewrite(self, edit)  # ... and the lines after its own (the text still parses)
        text = self.source.text
        return [
            TextEdit(e.start, len(text), e.text + text[e.end : text.index("\n", e.end) + 1])
            for e in edits
        ]

    monkeypatch.setattr(yaml_config.YamlDocument, "rewrite", greedy)
    props = {f.prop for f in Harness().run_mode(YAML, "yaml", "fix-safe")}
    assert {"out_of_span", "lost_data"} <= props


def test_a_crash_and_a_hang_are_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    from ce_lint.adapters.yaml_config import YamlAdapter

    def boom(self, source, chosen):  # type: ignore[no-untyped-def]
        raise KeyError("boom")

    monkeypatch.setattr(YamlAdapter, "parse", boom)
    (failure,) = Harness().run_mode(YAML, "yaml", "check")
    assert failure.signature == "crash:yaml:check:KeyError:fuzz/test_fuzz.py:boom via ?" or (
        failure.prop == "crash" and "KeyError" in failure.signature
    )

    def slow(self, source, chosen):  # type: ignore[no-untyped-def]
        time.sleep(5)

    monkeypatch.setattr(YamlAdapter, "parse", slow)
    (failure,) = Harness(stage_timeout=0.2).run_mode(YAML, "yaml", "check")
    assert failure.prop == "hang"
