"""The fixtures' golden test: fixing a seed-era config keeps what it meant.

For every fixture in fixtures/golden/manifest.json:
  * `ce-lint fix --unsafe-fixes` (explicit targets transformers 5.24, sentence-transformers 6.2)
    turns the "before" file into exactly the committed "after" file, bytes included (BOM, CRLF);
    a second fix changes nothing; `check` then reports nothing fixable; comments survive.
  * today's CrossEncoderTrainingArguments builds every argument mapping of the fixed file
    (and of the committed "after" file), and fixtures/golden/probe.py's probe() of it equals
    what the seed-era libraries (transformers 4.44.2 + sentence-transformers 4.0.2) made of the
    "before" file, recorded once in fixtures/golden/seed_era.json by
    tools/record_seed_golden.py. Only the differences the manifest lists, with a reason, are
    allowed, and each of those must really differ, so the list cannot go stale.

The meaning half needs torch, transformers and sentence-transformers (the `verify` extra) and
is skipped without them. Arguments are built in-process; nothing trains.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ce_lint.cli import main

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
GOLDEN = FIXTURES / "golden"
TARGETS = ("--target", "transformers==5.24", "--target", "sentence-transformers==6.2")

MANIFEST: dict[str, Any] = json.loads((GOLDEN / "manifest.json").read_text(encoding="utf-8"))[
    "files"
]
SEED: dict[str, Any] = json.loads((GOLDEN / "seed_era.json").read_text(encoding="utf-8"))
NAMES = sorted(MANIFEST)


def _load_probe() -> Any:
    spec = importlib.util.spec_from_file_location("ce_lint_fixture_probe", GOLDEN / "probe.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


probe = _load_probe()


def run_cli(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@functools.cache
def fixed(name: str) -> tuple[bytes, bytes, list[dict[str, Any]]]:
    """(text after one fix, text after a second fix, JSON findings of `check` afterwards).

    Works on a copy in a fresh temporary folder, so no pyproject.toml above it applies.
    """
    workdir = Path(tempfile.mkdtemp(prefix="ce-lint-golden-"))
    target = workdir / Path(name).name
    shutil.copyfile(FIXTURES / name, target)
    first = run_cli("fix", "--unsafe-fixes", *TARGETS, str(target))
    assert first.exit_code in (0, 1), first.output
    once = target.read_bytes()
    second = run_cli("fix", "--unsafe-fixes", *TARGETS, str(target))
    assert second.exit_code in (0, 1), second.output
    twice = target.read_bytes()
    check = run_cli("check", "--unsafe-fixes", "--output-format", "json", *TARGETS, str(target))
    findings = json.loads(check.output)
    shutil.rmtree(workdir, ignore_errors=True)
    return once, twice, findings


def decode(data: bytes) -> str:
    return data.decode("utf-8-sig")


# -- the manifest itself ----------------------------------------------------------------------


def test_manifest_and_seed_record_agree() -> None:
    """Every before file is in the manifest, and the seed record covers every site of it."""
    befores = {
        str(p.relative_to(FIXTURES))
        for folder in ("pairs", "configs/seed-era")
        for p in (FIXTURES / folder).iterdir()
        if ".before." in p.name
    }
    assert befores == set(MANIFEST), "fixtures/golden/manifest.json is out of date"
    for name, entry in MANIFEST.items():
        if entry["after"] is not None:
            assert (FIXTURES / entry["after"]).is_file(), entry["after"]
        recorded = SEED["files"].get(name)
        assert recorded is not None, f"{name}: not recorded; run tools/record_seed_golden.py"
        assert set(recorded) == {probe.site_id(p) for p in entry["sites"]}, name
        for sid, keys in entry.get("seed_drop", {}).items():
            assert "error" in recorded[sid], (
                f"{name} {sid}: seed_drop listed but the seed build did not fail"
            )
            assert set(recorded[sid]["dropped"]) == set(keys), name
    probe_hash = hashlib.sha256((GOLDEN / "probe.py").read_bytes()).hexdigest()
    assert SEED["probe_sha256"] == probe_hash, (
        "probe.py changed; run tools/record_seed_golden.py again"
    )
    assert SEED["versions"]["transformers"] == "4.44.2"
    assert SEED["versions"]["sentence-transformers"] == "4.0.2"


# -- text: the fix itself ---------------------------------------------------------------------

_KEY_LINE = re.compile(r"""^\s*(?:-\s+)?["']?([A-Za-z_][\w.-]*)["']?\s*:""")


def yaml_comments(text: str) -> list[tuple[str, str | None]]:
    """(comment, key of the line it trails or None for a whole-line comment)."""
    out = []
    for line in text.splitlines():
        quote = None
        for i, ch in enumerate(line):
            if quote:
                if ch == quote:
                    quote = None
            elif ch in "'\"" and (i == 0 or line[i - 1] in " \t:[{,"):
                quote = ch
            elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
                comment = line[i:].rstrip()
                head = line[:i]
                match = _KEY_LINE.match(head)
                out.append((comment, match.group(1) if match and head.strip() else None))
                break
    return out


def key_present(text: str, key: str) -> bool:
    return (
        re.search(rf"""(^|[\s{{,])["']?{re.escape(key)}["']?\s*:""", text, re.MULTILINE) is not None
    )


@pytest.mark.parametrize("name", NAMES)
def test_fix_gives_the_after_file(name: str) -> None:
    entry = MANIFEST[name]
    once, twice, findings = fixed(name)
    before = (FIXTURES / name).read_bytes()
    if entry["after"] is not None:
        expected = (FIXTURES / entry["after"]).read_bytes()
        assert decode(once) == decode(expected), (
            f"{name}: ce-lint's fix differs from {entry['after']}"
        )
        assert once == expected, f"{name}: same text, different bytes (BOM or line endings)"
    assert twice == once, f"{name}: a second fix changed the file again"
    fixable = [f for f in findings if f["fix"] is not None]
    assert not fixable, f"{name}: fixable findings left after the fix: {fixable}"
    if entry.get("builds_today", True):
        assert findings == [], f"{name}: findings left after the fix: {findings}"
    if before.startswith(b"\xef\xbb\xbf"):
        assert once.startswith(b"\xef\xbb\xbf"), f"{name}: the byte order mark was lost"
    if b"\r\n" in before:
        assert once.count(b"\n") == once.count(b"\r\n"), f"{name}: mixed line endings after the fix"
    if name.endswith((".yaml", ".yml")):
        after_text = decode(once)
        for comment, key in yaml_comments(decode(before)):
            if key is not None and not key_present(after_text, key) and comment not in after_text:
                continue  # it trailed an entry the fix removed; it left with its line
            assert comment in after_text, f"{name}: comment {comment!r} was lost"


# -- meaning: today's libraries against the seed record ---------------------------------------


@pytest.fixture(scope="module")
def today() -> dict[str, Any]:
    try:
        import torch
        from sentence_transformers.cross_encoder.training_args import CrossEncoderTrainingArguments
    except Exception as exc:  # pragma: no cover - depends on the environment
        pytest.skip(f"sentence_transformers is not importable ({exc}); install the [verify] extra")
    return {"cls": CrossEncoderTrainingArguments, "cuda": bool(torch.cuda.is_available())}


def write_temp(name: str, data: bytes, workdir: Path) -> Path:
    path = workdir / Path(name).name
    path.write_bytes(data)
    return path


def host_adjusted(values: dict[str, Any], args: Any, today: dict[str, Any]) -> dict[str, Any]:
    """The seed record was made without a GPU; on a GPU host undo what only the host changes."""
    if today["cuda"] == SEED["host"]["cuda_available"]:
        return values
    values = dict(values)
    values.pop("device", None)
    n_gpu = max(1, getattr(args, "n_gpu", 1))
    values["train_batch_size"] //= n_gpu
    values["eval_batch_size"] //= n_gpu
    return values


def compare_meaning(name: str, text: bytes, today: dict[str, Any], tmp_path: Path) -> None:
    entry = MANIFEST[name]
    path = write_temp(name, text, tmp_path)
    documents = probe.load_documents(path)
    for key_path in entry["sites"]:
        sid = probe.site_id(key_path)
        mapping = probe.find_mapping(documents, key_path)
        record = SEED["files"][name][sid]
        if not entry.get("builds_today", True):
            with pytest.raises(Exception, match=entry["today_error"]):
                probe.build_arguments(
                    today["cls"], mapping, tmp_path / "out", entry.get("launch_env")
                )
            continue
        assert "probe" in record, (
            f"{name} {sid}: the seed era could not build it: {record.get('error')}"
        )
        args, env_set = probe.build_arguments(
            today["cls"], mapping, tmp_path / "out", entry.get("launch_env")
        )
        now = host_adjusted(probe.probe(args, mapping, env_set), args, today)
        seed = host_adjusted(record["probe"], args, today)
        diffs = probe.differences(seed, now)
        allowed = entry.get("allowed_differences", {}).get(sid, {})
        unexpected = {k: v for k, v in diffs.items() if k not in allowed}
        assert not unexpected, f"{name} {sid}: meaning changed (seed, today): {unexpected}"
        stale = sorted(set(allowed) - set(diffs))
        assert not stale, f"{name} {sid}: listed as allowed differences but equal now: {stale}"


@pytest.mark.libs
@pytest.mark.parametrize("name", [n for n in NAMES if MANIFEST[n]["after"] is not None])
def test_expected_after_means_what_before_meant(
    name: str, today: dict[str, Any], tmp_path: Path
) -> None:
    """The committed after file, built by today's libraries, means what the seed era made of before."""
    compare_meaning(name, (FIXTURES / MANIFEST[name]["after"]).read_bytes(), today, tmp_path)


@pytest.mark.libs
@pytest.mark.parametrize("name", NAMES)
def test_fixed_file_means_what_before_meant(
    name: str, today: dict[str, Any], tmp_path: Path
) -> None:
    """ce-lint's own output, built by today's libraries, means what the seed era made of before."""
    once, _, _ = fixed(name)
    after = MANIFEST[name]["after"]
    if after is not None and once == (FIXTURES / after).read_bytes():
        return  # identical to the committed after file, checked above
    compare_meaning(name, once, today, tmp_path)
