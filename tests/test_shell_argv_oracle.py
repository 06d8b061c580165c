"""bash is the oracle of a shell fix: the argv each command gets after `fix` is the argv it got
before, with the flags the fix meant to rename or drop renamed or dropped, and nothing else.

bash runs each script in restricted mode (`-r`: no command named by a path, no output
redirection), with an empty PATH and a `command_not_found_handle` that records the argv of
every command it cannot find, which is every command but a builtin: nothing real runs.
"""

from __future__ import annotations

import difflib
import random
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from ce_lint.adapters.shell_lex import lex
from ce_lint.engine import Engine
from ce_lint.textio import SourceText
from tests.helpers import engine

BASH = shutil.which("bash")
pytestmark = pytest.mark.skipif(BASH is None, reason="needs bash")
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
RECORDER = "command_not_found_handle() { printf '\\1'; printf '%s\\0' \"$@\"; printf '\\2'; }\n"


def argvs(script: str) -> list[list[str]]:
    """The argv of each command bash would run, in order (builtins aside)."""
    assert BASH is not None
    with tempfile.TemporaryDirectory() as cwd:
        done = subprocess.run(
            [BASH, "--norc", "--noprofile", "-r", "-s"], input=(RECORDER + script).encode(),
            capture_output=True, timeout=10, cwd=cwd, env={"PATH": "/nonexistent", "HOME": cwd},
        )  # fmt: skip
    records = re.findall(r"\x01(.*?)\x02", done.stdout.decode(), re.DOTALL)
    return [record.split("\0")[:-1] for record in records]


@pytest.fixture(scope="module")
def fixer() -> Engine:
    return engine(select=["CE1"])


def fix_of(fixer: Engine, script: str) -> str:
    result = fixer.fix_source(SourceText("run.sh", script), unsafe=True)
    return script if result.fixed_text is None else result.fixed_text


# ---- the fixture scripts: the fix's intent is what it did to the words shell_lex reads -----


def lexed_words(text: str) -> list[tuple[str, str | None]]:
    return [(text[w.start : w.end], w.value) for c in lex(text).commands for w in c.words]


def may_be(word: str, intended: list[tuple[str, str | None]]) -> bool:
    """Whether bash's `word` is one of the words the fix meant to write (or remove)."""
    for raw, value in intended:
        if value == word or (value is None and word.startswith(re.split(r"[$`\"']", raw)[0])):
            return True
    return False


@pytest.mark.parametrize(
    "path", sorted(FIXTURES.rglob("*.sh")), ids=lambda p: str(p.relative_to(FIXTURES))
)
def test_fixture_scripts_change_only_the_words_the_fix_meant(path: Path, fixer: Engine) -> None:
    before = path.read_text()
    after = fix_of(fixer, before)
    words_before, words_after = lexed_words(before), lexed_words(after)
    removed, added = [], []
    matcher = difflib.SequenceMatcher(
        None, [r for r, _ in words_before], [r for r, _ in words_after]
    )
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            removed += words_before[i1:i2]
            added += words_after[j1:j2]
    runs_before, runs_after = argvs(before), argvs(after)
    assert len(runs_before) == len(runs_after)
    for argv_before, argv_after in zip(runs_before, runs_after, strict=True):
        argv_matcher = difflib.SequenceMatcher(None, argv_before, argv_after)
        for op, i1, i2, j1, j2 in argv_matcher.get_opcodes():
            if op == "equal":
                continue
            assert all(may_be(w, removed) for w in argv_before[i1:i2]), (argv_before, argv_after)
            assert all(may_be(w, added) for w in argv_after[j1:j2]), (argv_before, argv_after)


# ---- generated layouts: renames and drops known in advance --------------------------------

DROPPED = {"--tpu_num_cores": 1, "--fp16_backend": 1, "--overwrite_output_dir": 0}
RENAMED = {
    "--evaluation_strategy": "--eval_strategy",
    "--per_gpu_train_batch_size": "--per_device_train_batch_size",
}
KEPT = [("--seed", ["1"]), ("--output_dir", ["out"]), ("--learning_rate", ["2e-5"]),
        ("--fp16", []), ("--run_name", ["'a b'"]), ("--logging_steps", ["10"])]  # fmt: skip
CHANGED = [("--tpu_num_cores", ["8"]), ("--evaluation_strategy", ["steps"]),
           ("--per_gpu_train_batch_size", ["16"]), ("--overwrite_output_dir", []),
           ("--fp16_backend", ["auto"])]  # fmt: skip


def layout(rng: random.Random) -> str:
    """A launch with flags in random order, `\\`-continuations between and inside words, with
    and without a blank before them, sometimes a flag twice."""
    items = KEPT + CHANGED
    rng.shuffle(items)
    items = items[: rng.randint(3, len(items))]
    if rng.random() < 0.2:
        items.insert(rng.randrange(len(items)), rng.choice(items))
    words = ["train.py"] + [w for flag, values in items for w in [flag, *values]]
    out = "torchrun"
    for word in words:
        if rng.random() < 0.15 and len(word) > 3 and "'" not in word:
            cut = rng.randrange(1, len(word) - 1)
            word = word[:cut] + "\\\n" + word[cut:]
        out += rng.choice([" ", " ", " \\\n  ", "\\\n  ", " \\\n"]) + word
    return out + rng.choice(["\n", "\necho done\n", " # end\n"])


def intended(argv: list[str]) -> list[str]:
    out, i = [], 0
    while i < len(argv):
        if argv[i] in DROPPED:
            i += 1 + DROPPED[argv[i]]
            continue
        out.append(RENAMED.get(argv[i], argv[i]))
        i += 1
    return out


def test_generated_layouts_lose_or_join_no_word(fixer: Engine) -> None:
    rng = random.Random(7)
    for _ in range(100):
        before = layout(rng)
        after = fix_of(fixer, before)
        assert argvs(after) == [intended(argv) for argv in argvs(before)], (before, after)


def string_layout(rng: random.Random) -> str:
    """The same flags held in a double-quoted variable, continued with `\\`-newlines (which
    bash deletes inside the quotes) that never join two words, then run unquoted."""
    items = [item for item in KEPT + CHANGED if item[0] != "--run_name"]  # quotes mean nothing
    rng.shuffle(items)
    items = items[: rng.randint(3, len(items))]
    words = [w for flag, values in items for w in [flag, *values]]
    out = "FLAGS=" + '"' + rng.choice(["", "\\\n  ", " \\\n"])
    for k, word in enumerate(words):
        out += (rng.choice([" ", " \\\n  ", "\\\n  ", " \\\n"]) if k else "") + word
    out += rng.choice(['"', ' \\\n"', ' \\\n  "', '\n"'])
    return out + "\ntorchrun train.py $FLAGS\n"


def test_generated_continued_strings_lose_or_join_no_word(fixer: Engine) -> None:
    rng = random.Random(11)
    for _ in range(100):
        before = string_layout(rng)
        after = fix_of(fixer, before)
        assert argvs(after) == [intended(argv) for argv in argvs(before)], (before, after)
