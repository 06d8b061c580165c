"""A shell text bash would reject is CE901 and never edited; a fix bash would reject is refused.

The pure-Python check (shell_reject.rejection) is measured against `bash -n` on damaged copies
of the fixture scripts; the gate before writing is shown with bash and without it.
"""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest

from ce_lint.adapters import shell_reject
from ce_lint.adapters.makefile import judged_slice, shell_slices
from ce_lint.adapters.shell_reject import fix_refusal, rejection
from tests.helpers import fix

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
BASH = shutil.which("bash")
needs_bash = pytest.mark.skipif(BASH is None, reason="needs bash")
CE1 = {"select": ["CE1", "CE9"]}


def bash_accepts(text: str) -> bool:
    assert BASH is not None
    done = subprocess.run(
        [BASH, "--norc", "--noprofile", "-n"], input=text.encode(), capture_output=True, timeout=10
    )
    return done.returncode == 0


REJECTED = {
    'python t.py --run_name "a b\n': ('unterminated "', 23),
    "python t.py --run_name 'a b\n": ("unterminated '", 23),
    "python t.py --out ${OUT \\\n  --fp16\n": ("unterminated ${", 18),
    "python t.py --out $(date \\\n  --fp16\n": ("unterminated $(", 18),
    "python t.py --out `date \\\n  --fp16\n": ("unterminated `", 18),
    "python t.py --x $((1+ --fp16\n": ("unterminated $((", 16),
    "python t.py --x $'a --fp16\n": ("unterminated $'", 16),
    "ARGS=(--fp16\npython t.py\n": ("unterminated array (", 5),
    "python t.py --seed 1 )\n": ("unexpected )", 21),
    "python t.py --seed 1 (x)\n": ("unexpected (", 21),
    "python t.py --seed 1 ;;\n": (";; outside a case", 21),
    "python t.py &&\n": ("nothing follows &&", 12),
    "| python t.py\n": ("no command before |", 0),
    "python t.py > \n": ("the redirect > has no target", 12),
    "if true; then\n  python t.py\n": ("the if is never closed (no fi)", 0),
    "while true; do\n  python t.py\n": ("the loop is never closed (no done)", 0),
    "case $x in\n a) python t.py ;;\n": ("the case is never closed (no esac)", 0),
    "f() {\n  python t.py\n": ("the { is never closed (no })", 4),
    "python t.py\nfi\n": ("fi closes nothing", 12),
    "python t.py\ndone\n": ("done closes nothing", 12),
    "then python t.py\n": ("then without an if", 0),
}

ACCEPTED = [
    'ARGS=(\n  --fp16   # half\n  --seed 1\n)\npython train.py "${ARGS[@]}"\n',
    "cat <<EOF > cfg.sh\npython train.py --x 'unclosed\nEOF\npython train.py --seed 1\n",
    "cat <<EOF\nno delimiter: bash only warns\n",
    "case $X in\n  a) python t.py ;;\n  b|c) torchrun t.py ;;\n  *) ;;\nesac\n",
    "if [[ -n $X ]]; then python t.py; elif true; then :; fi\n",
    "for lr in 1e-5 2e-5; do\n  python t.py --learning_rate $lr\ndone\n",
    'OUT=$(python -c "print(1)")\npython t.py --run_name "$(date +%F)_${MODEL//\\//_}"\n',
    'X=$(case a in a) echo y;; esac)\npython t.py --x "$(echo ")")"\n',
    "python t.py --tag $'a\\tb' --x a#b --y ${#A[@]} --seed $((1+2))\n((i++))\n",
    'grep -v "^$" | sort\npython t.py --x "${A:-"}"}" --y <(cat f)\n',
    "python t.py --seed 0 \\\n",
    "python t.py --seed 0 \\",
    "python t.py --se\\\ned 1 \\\n  `# a comment` \\\n  --fp16\n",
    "X=$(echo a) \\\n  && python t.py\n",
    "python t.py |& tee log\nfunction f { :; }\nf() ( : )\n",
]


@pytest.mark.parametrize("text", list(REJECTED))
def test_what_bash_rejects_is_named_where_it_starts(text: str) -> None:
    reason, offset = REJECTED[text]
    assert rejection(text) == shell_reject.Rejection(reason, offset)
    if BASH is not None:
        assert not bash_accepts(text)


@pytest.mark.parametrize("text", ACCEPTED)
def test_valid_scripts_are_accepted(text: str) -> None:
    assert rejection(text) is None
    if BASH is not None:
        assert bash_accepts(text)


def test_every_fixture_script_is_accepted() -> None:
    for path in sorted(FIXTURES.rglob("*.sh")):
        assert rejection(path.read_text()) is None, path


# ---- CE901: reported, not checked, never edited ------------------------------------------


DAMAGED = (
    'torchrun train.py --output_dir out --logging_dir "logs --tpu_num_cores 8\n'
    "echo done\nrsync -a runs/ backup/\n"
)


def test_a_script_bash_rejects_is_ce901_and_never_edited() -> None:
    # Dropping --tpu_num_cores here once deleted everything to the end of the file.
    result = fix(DAMAGED, "run.sh", unsafe=True, **CE1)
    assert result.fixed_text is None
    assert [f.code for f in result.findings] == ["CE901"]
    assert result.findings[0].message.startswith(
        'bash would reject this script: unterminated " at line 1, column 50;'
    )
    assert result.document is not None and result.document.sites == ()


def test_a_makefile_is_judged_as_make_hands_it_to_the_shell() -> None:
    good = 'train:\n\tpython t.py $(if $(CI),--log "x",) --tpu_num_cores 8 $$HOME\n'
    assert "--tpu_num_cores" not in fix(good, "Makefile", unsafe=True, **CE1).fixed_text
    broken = 'ARGS = --run_name "x\ntrain:\n\tpython t.py --tpu_num_cores 8 $(ARGS)\n'
    result = fix(broken, "Makefile", unsafe=True, **CE1)
    assert result.fixed_text is None
    assert [f.code for f in result.findings] == ["CE901"]
    assert 'this recipe line: unterminated " at line 1, column 19' in result.findings[0].message


def test_make_expansion_keeps_offsets() -> None:
    text = 'all:\n\techo $(A) $$x ${B} $@ "q\n'
    (start, end, flag_list), = shell_slices(text)  # fmt: skip
    judged, where = judged_slice(text, start, end, flag_list)
    assert judged == 'echo MAKEVAR $x MAKEVAR MAKEVAR "q'
    found = rejection(judged)
    assert found is not None and text[where[found.offset]] == '"'


# ---- the gate before a fixed shell file is written ---------------------------------------


@needs_bash
def test_bash_judges_the_fixed_text() -> None:
    assert fix_refusal("python t.py --a 1\n", "python t.py --a 1 )\n") is not None
    assert fix_refusal("python t.py --a 1\n", "python t.py\n") is None
    # `-n` rejects extglob even after `shopt -s extglob`: a script bash already rejected
    # does not hold a fix back.
    extglob = "shopt -s extglob\nrm !(keep)\npython t.py --a 1\n"
    assert fix_refusal(extglob, extglob.replace(" --a 1", "")) is None


def test_without_bash_the_pure_check_judges(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shell_reject.shutil, "which", lambda name: None)
    refusal = fix_refusal("python t.py --a 1\n", "python t.py --a 1 )\n")
    assert refusal == "bash would reject the text it gives: unexpected )"
    assert fix_refusal("python t.py --a 1\n", "python t.py\n") is None


def test_a_fix_bash_rejects_is_refused_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ce_lint.engine.fix_refusal", lambda before, after: "bash -n says no")
    text = "torchrun t.py --tpu_num_cores 8 --evaluation_strategy steps\n"
    result = fix(text, "run.sh", unsafe=True, **CE1)
    assert result.fixed_text is None and result.fixes_applied == 0
    assert result.findings and all(f.fix is None for f in result.findings)
    assert all("Do it by hand" in f.message for f in result.findings)
    assert any("bash -n says no" in n for n in result.notices)


@needs_bash
def test_one_bash_call_per_fixed_file(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = shell_reject._bash_complaint

    def counted(bash: str, text: str) -> str | None:
        calls.append(text)
        return real(bash, text)

    monkeypatch.setattr(shell_reject, "_bash_complaint", counted)
    text = (
        "torchrun t.py --tpu_num_cores 8 \\\n  --evaluation_strategy steps \\\n"
        "  --per_gpu_train_batch_size 8 --fp16_backend auto\n"
    )
    result = fix(text, "run.sh", unsafe=True, **CE1)
    assert result.fixed_text is not None and result.fixes_applied >= 3
    assert calls == [result.fixed_text]


# ---- agreement with bash -n on damaged scripts ---------------------------------------------

DAMAGE = ['"', "'", "${X", "$(date ", "`date ", "$((1+", "\\", "(", ")", "{", "}", ";; ", "| ",
          "&& ", "> ", "<<< x ", "$'a", '$"a', "#", "if ", "then ", "done ", "fi\n", "esac\n",
          "\n", " ", ";", "&", "<", "!", "=", "case x in\n"]  # fmt: skip


def damaged_scripts(seed: int, count: int) -> list[str]:
    """Fixture scripts with one to three pieces of damage each, at random offsets."""
    rng = random.Random(seed)
    bases = [p.read_text() for p in sorted(FIXTURES.rglob("*.sh"))]
    out = []
    for _ in range(count):
        text = rng.choice(bases)
        for _ in range(rng.choice([1, 1, 2, 3])):
            at = rng.randrange(len(text) + 1)
            if rng.random() < 0.2:
                text = text[:at] + text[at + 1 :]
            else:
                text = text[:at] + rng.choice(DAMAGE) + text[at:]
        out.append(text)
    return out


@needs_bash
def test_the_pure_check_agrees_with_bash_on_damaged_scripts() -> None:
    texts = damaged_scripts(seed=13, count=300)
    verdicts = [(rejection(t) is None, bash_accepts(t)) for t in texts]
    agreed = sum(ours == bash for ours, bash in verdicts)
    accepted_wrongly = sum(ours and not bash for ours, bash in verdicts)
    assert sum(not bash for _, bash in verdicts) > 60  # the damage does break scripts
    assert agreed / len(texts) >= 0.97, (agreed, len(texts))
    assert accepted_wrongly <= 3, accepted_wrongly
