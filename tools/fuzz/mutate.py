"""Mutations of seed files, driven by a `pick(n) -> int in [0, n)` function.

The campaign passes `random.Random.randrange`; Hypothesis passes a draw of `st.integers`, so
the same code makes the inputs of both and Hypothesis can shrink them (small picks are simple
mutations). A mutation works on text decoded with surrogateescape, so bytes that are not
UTF-8 survive every other mutation.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable

Pick = Callable[[int], int]

# Characters that editors, copy-paste and other platforms put into files.
ODD_UNICODE = (
    "\u00a0",  # no-break space
    "\u200b",  # zero-width space
    "\ufeff",  # a BOM in the middle of the file
    "\u2028",  # line separator (a line break to str.splitlines, YAML and JavaScript)
    "\u2029",  # paragraph separator
    "\u0085",  # next line
    "\u202e",  # right-to-left override
    "\u0301",  # combining acute accent
    "\uff1d",  # fullwidth equals sign
    "\u00e9",
    "\u6f22",
    "\U0001f600",
    "\x0b",
    "\x0c",
    "\x1b",
    "\x7f",
    "\x00",
    "\r",
    "\t",
    "\udcff",  # an undecodable byte (surrogateescape)
)

# Values put in place of a token.
ODD_VALUES = (
    "null", "~", "yes", "no", "on", "off", "True", "false", "1e-5", "0x10", "0o7", "1_000",
    "-0", ".inf", "nan", "NaN", "Infinity", "''", '""', "[]", "{}", "[1, 2]", "{a: 1}",
    "&x", "*x", "!!binary", "$VAR", "$(cmd)", "`x`", "'unterminated", '"unterminated',
    "steps", "epoch", "no", "adamw_hf", "apex", "amp", "ccl", "auto", "None", "{'a': 1}",
    '{"a": 1}', "a b c", "\\", "--", "-", "--flag", "--no_cuda", "=", "#", "//",
)  # fmt: skip

SNIPPETS: dict[str, tuple[str, ...]] = {
    "yaml": (
        "---\n", "...\n", "&a ", "*a", "<<: *a\n", "? x\n", "- ", "{", "}", "[", "]", ", ", '"',
        "'", "#", "|\n", ">-\n", "!!str ", "!!int ", "!!binary ", "!!python/name:os.system ",
        "\t", ":", ": ", "training_args:\n  ", "evaluation_strategy: steps\n",
        "no_cuda: true\n", "  - --evaluation_strategy\n", "args: [--no_cuda, --seed, '1']\n",
        "run: |\n  python train.py --evaluation_strategy steps\n", "%YAML 1.1\n---\n",
        "key: &anc {a: 1}\n", "? [a, b]\n: c\n", '"quoted key": 1\n',
        "{evaluation_strategy: steps, no_cuda: true}\n", "@", "`", "%",
        "base: &b {no_cuda: true, seed: 1}\nargs:\n  <<: *b\n  evaluation_strategy: steps\n",
        "trainer:\n  args:\n    per_gpu_train_batch_size: 8\n",
        "accelerator_config: '{\"split_batches\": true}'\n", "fsdp_config: {min_num_params: 1}\n",
    ),
    "json": (
        "{", "}", "[", "]", ",", ":", '"', "//", "/*", "*/", "// comment\n", "/* c */",
        '"evaluation_strategy": "steps",', '"no_cuda": true,', "null", "NaN", "Infinity", "-0",
        "1e999", '"\\ud800"', '"\\u0000"', '"\\', "\\", "\ufeff", ",,", ",}", ",]",
        '"args": ["--no_cuda", "--evaluation_strategy", "steps"],',
        '{"training_args": {"evaluation_strategy": "steps"}}', '"dispatch_batches": true,',
        '"accelerator_config": {"split_batches": true},', '"fsdp_config": "{}",',
        '"evaluation_strategy": "steps", "evaluation_strategy": "epoch",',
    ),
    "py": (
        "(", ")", "[", "]", "{", "}", ",", ":", "\\\n", "#", '"', "'", '"""', "f'{", "**", "*",
        "lambda: ", "yield ", "global x\n", "if True:\n    ", "    ", "\n    pass\n",
        "args.no_cuda = True\n", "TrainingArguments(evaluation_strategy='steps')\n",
        "from transformers import TrainingArguments as TA\n", "import transformers\n",
        "TA(no_cuda=True, **cfg)\n", "cfg = {'evaluation_strategy': 'steps'}\n",
        "cfg['no_cuda'] = True\n",
        "parser.parse_args(['--no_cuda', '--evaluation_strategy', 'steps'])\n",
        "subprocess.run(['torchrun', 'train.py', '--no_cuda'])\n",
        "os.system('python train.py --evaluation_strategy steps')\n",
        "sys.argv = ['x', '--no_cuda']\n", "dataclasses.replace(args, no_cuda=True)\n",
        "args.set_evaluate(strategy='steps')\n",
        "class A(TrainingArguments):\n    no_cuda: bool = True\n",
        "match x:\n    case 1:\n        pass\n", "type X = int\n", "def f[T](x: T): ...\n",
        "print(f'{x!r:>{w}}')\n", "\x0c", "\t", ";", "@dec\n", "IntervalStrategy.STEPS",
        "EvaluationStrategy.STEPS", "from sentence_transformers.training_args import X\n",
        "x = TrainingArguments(*a, **{**b, 'no_cuda': True})\n", "del args.no_cuda\n",
        "if not training_args.overwrite_output_dir:\n    pass\n", "# -*- coding: latin-1 -*-\n",
    ),
    "sh": (
        "\\\n", "\\", '"', "'", "$(", ")", "`", "${", "}", "$VAR", "&&", "||", ";", "|", "&",
        "#", "<<EOF\n--no_cuda\nEOF\n", "<<'EOF'\n", "EOF\n", "(", "{ ", " }",
        "if true; then\n", "fi\n", "case x in\n", "esac\n", "ARGS=(--no_cuda --seed 1)\n",
        'FLAGS="--evaluation_strategy steps --seed 1"\n',
        "torchrun --nproc_per_node 2 train.py --no_cuda --evaluation_strategy steps\n",
        'bash -c "python train.py --no_cuda --seed 1"\n',
        'sbatch --wrap "python train.py --evaluation_strategy no"\n', " --no_cuda",
        " --evaluation_strategy=steps", " --per_gpu_train_batch_size 8", " --fp16_backend apex",
        "$'\\n'", '"$@"', "${ARGS[@]}", "#!/bin/zsh\n", "function f {\n",
        "python -m torch.distributed.launch train.py --no_cuda \\\n  --seed 1\n",
        " --dispatch_batches True --split_batches", " --accelerator_config '{\"a\": 1}'",
        "accelerate launch train.py \\\n    --no_cuda \\\n    # --seed 1\n",
    ),
    "make": (
        "\t", "\\\n", "$(", ")", "$$", "${", "}", ":", "=", ":=", "+=", "?=", "#", ";", "@", "-",
        "define X\n", "endef\n", "ifeq (a,b)\n", "endif\n", "ARGS = --no_cuda --seed 1\n",
        "train:\n\ttorchrun train.py --evaluation_strategy steps \\\n\t\t--no_cuda\n",
        "export X=1\n", ".PHONY: train\n", "\ttorchrun train.py $(ARGS) --no_cuda\n",
        "\tpython train.py --per_gpu_train_batch_size 8 --fp16_backend apex\n",
    ),
}  # fmt: skip
SNIPPETS["ipynb"] = SNIPPETS["json"]

# Cells a notebook mutation may add.
NOTEBOOK_CELLS = (
    ("code", "!python train.py --evaluation_strategy steps --no_cuda"),
    ("code", "%%bash\ntorchrun train.py \\\n  --per_gpu_train_batch_size 8 \\\n  --no_cuda\n"),
    ("code", "%run train.py --evaluation_strategy steps --seed 1"),
    ("code", "args = TrainingArguments(output_dir='o', evaluation_strategy='steps')"),
    ("code", "from transformers import TrainingArguments"),
    ("markdown", "Run with `--no_cuda` and `--evaluation_strategy steps`."),
    ("raw", "--no_cuda --evaluation_strategy steps"),
    ("code", "%%time\nargs.no_cuda = True"),
    ("code", ""),
    ("code", "x = !ls --no_cuda\n%env A=1"),
)

DIRECTIVES = (
    "ce-lint: ignore[CE101]", "ce-lint: ignore", "noqa", "noqa: CE104", "noqa: CE104, E501",
    "ce-lint: class=TrainingArguments", "ce-lint: ignore-file[CE1]", "ce-lint: ignore[CE999]",
    "ce-lint: ignore[CE101, CE104]", "ce-lint: class=Nope", "ce-lint:", "ce-lint: ignore[",
)  # fmt: skip
COMMENT = {"yaml": "#", "json": "//", "py": "#", "sh": "#", "ipynb": "#", "make": "#"}

DEPTHS = (2, 10, 50, 200, 1000, 5000)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TOKEN = re.compile(r"\"[^\"\n]*\"|'[^'\n]*'|[^\s:=,\[\]{}()]+")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


@functools.cache
def field_pool() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(fields the rules migrate, every field any release knows), sorted."""
    from ce_lint.knowledge import Knowledge
    from ce_lint.rulebook import load_specs

    ruled = {
        str(spec.params[key])
        for spec in load_specs()
        for key in ("field", "replacement")
        if isinstance(spec.params.get(key), str)
    }
    return tuple(sorted(ruled)), tuple(sorted(Knowledge.load().all_field_names))


def pick_field(pick: Pick) -> str:
    ruled, every = field_pool()
    pool = ruled if pick(3) else every
    return pool[pick(len(pool))]


def lines_of(text: str) -> list[str]:
    """Lines with their endings; `\\r\\n`, `\\r` and `\\n` all end a line."""
    return _LINE.findall(text)


def _decode(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def _at_line(text: str, index: int) -> int:
    """Offset of the start of line `index` (modulo the line count)."""
    lines = lines_of(text)
    if not lines:
        return 0
    k = index % (len(lines) + 1)
    return sum(len(x) for x in lines[:k])


def _newline(text: str) -> str:
    if "\r\n" in text:
        return "\r\n"
    return "\r" if "\r" in text and "\n" not in text else "\n"


# ---- the mutations: (text or bytes, fmt, pick) -> the same type ----------------------------


def flip(data: bytes, fmt: str, pick: Pick) -> bytes:
    if not data:
        return bytes([pick(256)])
    i = pick(len(data))
    return data[:i] + bytes([data[i] ^ (1 << pick(8))]) + data[i + 1 :]


def truncate_bytes(data: bytes, fmt: str, pick: Pick) -> bytes:
    return data[: pick(len(data) + 1)]


def delete_lines(text: str, fmt: str, pick: Pick) -> str:
    lines = lines_of(text)
    if not lines:
        return text
    i = pick(len(lines))
    return "".join(lines[:i] + lines[i + 1 + pick(3) :])


def duplicate_line(text: str, fmt: str, pick: Pick) -> str:
    lines = lines_of(text)
    if not lines:
        return text
    i = pick(len(lines))
    line = lines[i] if lines[i].endswith(("\n", "\r")) else lines[i] + _newline(text)
    return "".join(lines[:i] + [line] * (2 + pick(2)) + lines[i + 1 :])


def swap_lines(text: str, fmt: str, pick: Pick) -> str:
    lines = lines_of(text)
    if len(lines) < 2:
        return text
    i, j = pick(len(lines)), pick(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return "".join(lines)


def truncate(text: str, fmt: str, pick: Pick) -> str:
    return text[: pick(len(text) + 1)]


def insert_snippet(text: str, fmt: str, pick: Pick) -> str:
    snippets = SNIPPETS[fmt]
    snippet = snippets[pick(len(snippets))]
    pos = _at_line(text, pick(1 << 16)) if pick(2) else pick(len(text) + 1)
    return text[:pos] + snippet + text[pos:]


def replace_token(text: str, fmt: str, pick: Pick) -> str:
    tokens = list(_TOKEN.finditer(text))
    if not tokens:
        return text
    m = tokens[pick(len(tokens))]
    return text[: m.start()] + ODD_VALUES[pick(len(ODD_VALUES))] + text[m.end() :]


def swap_field(text: str, fmt: str, pick: Pick) -> str:
    """Put another field's name (from the knowledge) where a field name is written."""
    _, every = field_pool()
    known = frozenset(every)
    words = [m for m in _WORD.finditer(text) if m.group() in known]
    if not words:
        words = list(_WORD.finditer(text))
    if not words:
        return text + pick_field(pick)
    m = words[pick(len(words))]
    return text[: m.start()] + pick_field(pick) + text[m.end() :]


def odd_unicode(text: str, fmt: str, pick: Pick) -> str:
    pos = pick(len(text) + 1)
    return text[:pos] + ODD_UNICODE[pick(len(ODD_UNICODE))] + text[pos:]


def line_endings(text: str, fmt: str, pick: Pick) -> str:
    body = re.sub(r"\r\n|\r", "\n", text)
    mode = pick(6)
    if mode == 0:
        return body.replace("\n", "\r\n")
    if mode == 1:
        return body.replace("\n", "\r")
    if mode == 2:  # a mix, line by line
        return "".join(
            ln[:-1] + ("\n", "\r\n", "\r")[pick(3)] if ln.endswith("\n") else ln
            for ln in lines_of(body)
        )
    if mode == 3:
        return text.rstrip("\r\n")
    if mode == 4:
        return text + _newline(text) * (1 + pick(3))
    return text.replace("\n", " \n") if pick(2) else text.replace("\n", "\t\n")


def bom(text: str, fmt: str, pick: Pick) -> str:
    mode = pick(3)
    if mode == 0:
        return "\ufeff" + text
    if mode == 1:
        return text.lstrip("\ufeff")
    pos = _at_line(text, pick(1 << 16))
    return text[:pos] + "\ufeff" + text[pos:]


def tabs(text: str, fmt: str, pick: Pick) -> str:
    lines = lines_of(text)
    if not lines:
        return "\t"
    mode = pick(3)
    if mode == 0:  # every indentation as tabs
        return "".join(
            re.sub(r"^( {2}|    )+", lambda m: "\t" * (len(m.group()) // 2), ln) for ln in lines
        )
    i = pick(len(lines))
    if mode == 1:
        lines[i] = re.sub(r"^ +", "\t", lines[i]) if lines[i].startswith(" ") else "\t" + lines[i]
    else:
        lines[i] = re.sub(r"^(\s*)", lambda m: m.group(1) + " \t ", lines[i])
    return "".join(lines)


def indent(text: str, fmt: str, pick: Pick) -> str:
    lines = lines_of(text)
    if not lines:
        return text
    i = pick(len(lines))
    shift = pick(4) + 1
    if pick(2):
        lines[i] = " " * shift + lines[i]
    else:
        lines[i] = re.sub(rf"^ {{1,{shift}}}", "", lines[i])
    return "".join(lines)


def directive(text: str, fmt: str, pick: Pick) -> str:
    """A suppression or class comment, at the end of a line or on a line of its own."""
    lines = lines_of(text)
    comment = f"{COMMENT[fmt]} {DIRECTIVES[pick(len(DIRECTIVES))]}"
    if fmt == "json" and pick(3) == 0:
        comment = f"/* {DIRECTIVES[pick(len(DIRECTIVES))]} */"
    if not lines:
        return comment
    i = pick(len(lines))
    body = lines[i].rstrip("\r\n")
    end = lines[i][len(body) :]
    lines[i] = f"{body}  {comment}{end}" if pick(2) else f"{comment}{_newline(text)}{lines[i]}"
    return "".join(lines)


def repeat(text: str, fmt: str, pick: Pick) -> str:
    """One line many times over: size and speed (a quadratic step shows as a hang)."""
    lines = lines_of(text)
    if not lines:
        return text
    i = pick(len(lines))
    line = lines[i] if lines[i].endswith(("\n", "\r")) else lines[i] + _newline(text)
    return "".join(lines[:i] + [line] * (20, 100, 1000)[pick(3)] + lines[i + 1 :])


def nest(text: str, fmt: str, pick: Pick) -> str:
    """Deep nesting, the way each format nests."""
    depth = DEPTHS[pick(len(DEPTHS))]
    pos = _at_line(text, pick(1 << 16))
    nl = _newline(text)
    mode = pick(3)
    if fmt == "yaml":
        if mode == 0 and depth <= 50:
            for _ in range(depth):
                text = "a:" + nl + "".join("  " + ln for ln in lines_of(text))
            return text
        inner = "[" * depth + "]" * depth if mode == 1 else "{a: " * depth + "1" + "}" * depth
        return text[:pos] + f"deep: {inner}{nl}" + text[pos:]
    if fmt in ("json", "ipynb"):
        if fmt == "ipynb" or mode == 2:  # inside a value, so the document keeps its shape
            m = re.search(r'"metadata":\s*\{', text)
            if m:
                return (
                    text[: m.end()]
                    + '"d": '
                    + '{"a": ' * depth
                    + "1"
                    + "}" * depth
                    + ", "
                    + text[m.end() :]
                )
        return (
            ('{"a": ' * depth + text + "}" * depth)
            if mode == 0
            else "[" * depth + text + "]" * depth
        )
    if fmt == "py":
        if mode == 0:
            inner = "(" * depth + "1" + ")" * depth
        elif mode == 1:
            inner = " + ".join(["1"] * depth)
        else:
            inner = "f(" * depth + "no_cuda=True" + ")" * depth
        return text[:pos] + f"x = {inner}{nl}" + text[pos:]
    if fmt in ("sh", "make"):
        dollar = "$$" if fmt == "make" else "$"
        if mode == 0:
            inner = f"{dollar}(" * depth + "echo --no_cuda" + ")" * depth
        elif mode == 1:
            inner = "(" * depth + "python train.py --no_cuda --seed 1" + ")" * depth
        else:
            inner = "python train.py --no_cuda"
            for _ in range(min(depth, 8)):
                inner = "bash -c " + _sh_quote(inner)
        prefix = "\t" if fmt == "make" else ""
        return text[:pos] + prefix + inner + nl + text[pos:]
    return text


def _sh_quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$") + '"'


# ---- notebooks: mutate a cell's source and write the notebook back -------------------------


def load_notebook(text: str) -> dict | None:
    """A notebook's JSON object, or None when the text is not one."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        return None
    return data


def _dump_notebook(data: dict, text: str, pick: Pick) -> str:
    indent = 1 if '\n "' in text[:40] else 2
    try:
        return json.dumps(data, indent=indent, ensure_ascii=bool(pick(4) == 0)) + "\n"
    except (ValueError, RecursionError):
        return text


def cell_mutation(text: str, fmt: str, pick: Pick) -> str:
    """Apply a Python or shell mutation to one cell's source, keep the notebook valid JSON."""
    data = load_notebook(text)
    if data is None or not data["cells"]:
        return insert_snippet(text, fmt, pick)
    cell = data["cells"][pick(len(data["cells"]))]
    if not isinstance(cell, dict):
        return text
    source = cell.get("source", "")
    joined = "".join(source) if isinstance(source, list) else str(source)
    inner = "sh" if joined.startswith(("%%bash", "%%sh", "!")) else "py"
    ops = GENTLE_OPS if pick(2) else TEXT_OPS
    op = ops[pick(len(ops))]
    mutated = op(joined, inner, pick)
    listed = isinstance(source, list) if pick(4) else not isinstance(source, list)
    cell["source"] = mutated.splitlines(keepends=True) if listed else mutated
    return _dump_notebook(data, text, pick)


def notebook_cells(text: str, fmt: str, pick: Pick) -> str:
    """Add, drop, reorder or retype cells; escape the JSON as ASCII."""
    data = load_notebook(text)
    if data is None:
        return insert_snippet(text, fmt, pick)
    cells = data["cells"]
    mode = pick(4)
    if mode == 0 or not cells:
        kind, source = NOTEBOOK_CELLS[pick(len(NOTEBOOK_CELLS))]
        new = {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True)}
        if kind == "code":
            new |= {"execution_count": None, "outputs": []}
        cells.insert(pick(len(cells) + 1), new)
    elif mode == 1:
        del cells[pick(len(cells))]
    elif mode == 2:
        i, j = pick(len(cells)), pick(len(cells))
        cells[i], cells[j] = cells[j], cells[i]
    else:
        cell = cells[pick(len(cells))]
        if isinstance(cell, dict):
            cell["cell_type"] = ("code", "markdown", "raw", "weird")[pick(4)]
    return _dump_notebook(data, text, pick)


TEXT_OPS: tuple[Callable[[str, str, Pick], str], ...] = (
    insert_snippet, delete_lines, duplicate_line, swap_lines, truncate, replace_token,
    swap_field, odd_unicode, line_endings, bom, tabs, indent, directive, nest, repeat,
)  # fmt: skip
BYTE_OPS: tuple[Callable[[bytes, str, Pick], bytes], ...] = (flip, truncate_bytes)
NOTEBOOK_OPS: tuple[Callable[[str, str, Pick], str], ...] = (cell_mutation, notebook_cells)


# Mutations that mostly keep a file parseable, so that fixes get to run on odd files too.
GENTLE_OPS: tuple[Callable[[str, str, Pick], str], ...] = (
    swap_field, swap_field, directive, line_endings, bom, duplicate_line, delete_lines, odd_unicode,
)  # fmt: skip


def op_names(fmt: str, gentle: bool = False) -> list[str]:
    ops: list[Callable] = [*GENTLE_OPS] if gentle else [*TEXT_OPS, *BYTE_OPS]
    if fmt == "ipynb":
        ops = [*NOTEBOOK_OPS] if gentle else ops + [*NOTEBOOK_OPS] * 3
    return [op.__name__ for op in ops]


_BY_NAME: dict[str, Callable] = {op.__name__: op for op in (*TEXT_OPS, *BYTE_OPS, *NOTEBOOK_OPS)}


def mutate(data: bytes, fmt: str, pick: Pick, count: int) -> tuple[bytes, list[str]]:
    """Apply `count` mutations chosen by `pick`; returns the bytes and the mutations' names.

    Half the inputs get only gentle mutations (GENTLE_OPS), which mostly keep them parseable.
    """
    names = op_names(fmt, gentle=pick(2) == 0)
    applied = []
    for _ in range(count):
        name = names[pick(len(names))]
        op = _BY_NAME[name]
        data = op(data, fmt, pick) if op in BYTE_OPS else _encode(op(_decode(data), fmt, pick))
        applied.append(name)
        if len(data) > 200_000:  # repeated repeats: keep an input checkable in seconds
            data = data[:200_000]
    return data, applied
