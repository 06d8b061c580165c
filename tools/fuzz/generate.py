"""Training-argument files built from scratch: fields from the knowledge, values of every type,
written in each format's styles. Driven by `pick(n)` like the mutations."""

from __future__ import annotations

import json
from typing import Any

from .mutate import Pick, pick_field
from .seeds import notebook_text

WORDS = (
    "steps", "epoch", "no", "best", "adamw_hf", "adamw_torch", "adafactor", "apex", "amp",
    "cuda_amp", "auto", "ccl", "nccl", "gloo", "linear", "cosine", "greedy", "full_shard",
    "offload", "tpu_metrics_debug", "underflow_overflow", "all", "none", "tensorboard",
    "inductor", "group_by_length", "no_duplicates", "runs/out", "org/name", "hf_xyz",
    "BertLayer", "true", "false", "1e-5", "8", "0.1", "",
)  # fmt: skip
STRINGS = (
    "a b",
    "it's",
    'say "hi"',
    "back\\slash",
    "#hash",
    "x: y",
    "--flag",
    "$HOME",
    "ünï",
    "\t",
)


def value(pick: Pick, depth: int = 0) -> Any:
    kind = pick(10)
    if kind == 0:
        return bool(pick(2))
    if kind == 1:
        return (0, 1, 8, 500, -1, 10**20)[pick(6)]
    if kind == 2:
        return (0.1, 1e-5, 2.5, 0.0, -0.5)[pick(5)]
    if kind == 3:
        return None
    if kind == 4 and depth < 2:
        return [value(pick, depth + 1) for _ in range(pick(3))]
    if kind == 5 and depth < 2:
        return {
            pick_field(pick) if pick(2) else f"k{pick(9)}": value(pick, depth + 1)
            for _ in range(pick(3))
        }
    if kind == 6:
        return STRINGS[pick(len(STRINGS))]
    return WORDS[pick(len(WORDS))]


def mapping(pick: Pick) -> dict[str, Any]:
    out = {"output_dir": "runs/x"} if pick(2) else {}
    for _ in range(1 + pick(6)):
        out[pick_field(pick)] = value(pick)
    return out


def _yaml_scalar(v: Any, pick: Pick) -> str:
    if isinstance(v, str):
        style = pick(3)
        if style == 0 and v and v.strip() == v and v[0].isalnum() and ":" not in v and "#" not in v:
            return v
        if style == 1 and "'" not in v and "\n" not in v:
            return f"'{v}'"
    return json.dumps(v, ensure_ascii=False)


def as_yaml(data: dict[str, Any], pick: Pick, indent: int = 0) -> str:
    pad = " " * indent
    if pick(5) == 0:  # flow style
        return pad + json.dumps(data, ensure_ascii=False) + "\n"
    out = []
    for k, v in data.items():
        key = f'"{k}"' if pick(6) == 0 else k
        comment = "  # note" if pick(5) == 0 else ""
        if isinstance(v, dict) and v and pick(2):
            out.append(f"{pad}{key}:{comment}\n" + as_yaml(v, pick, indent + 2))
        elif isinstance(v, list) and v and pick(2):
            out.append(f"{pad}{key}:{comment}\n")
            out += [f"{pad}  - {_yaml_scalar(x, pick)}\n" for x in v]
        else:
            out.append(f"{pad}{key}: {_yaml_scalar(v, pick)}{comment}\n")
    return "".join(out)


def _py(v: Any) -> str:
    return repr(v)


def _flag_words(key: str, v: Any, pick: Pick) -> str:
    dash = f"--{key.replace('_', '-')}" if pick(6) == 0 else f"--{key}"
    if v is True and pick(2):
        return dash
    if isinstance(v, list):
        return " ".join([dash, *(str(x) for x in v)])
    if isinstance(v, dict):
        return f"{dash} '{json.dumps(v)}'"
    text = str(v)
    if pick(3) == 0:
        return f"{dash}={text}" if text and " " not in text else f'{dash}="{text}"'
    return f"{dash} {text}" if text and " " not in text and "'" not in text else f"{dash} '{text}'"


def as_shell(data: dict[str, Any], pick: Pick) -> str:
    flags = [_flag_words(k, v, pick) for k, v in data.items()]
    launcher = (
        "torchrun --nproc_per_node 2 train.py", "python train.py", "accelerate launch train.py",
        "deepspeed train.py", "python -m torch.distributed.launch --use_env train.py",
        "srun python -m mypkg.train",
    )[pick(6)]  # fmt: skip
    style = pick(3)
    if style == 0:
        return f"#!/bin/bash\n{launcher} " + " ".join(flags) + "\n"
    if style == 1:
        return f"#!/bin/bash\n{launcher} \\\n" + " \\\n".join(f"    {f}" for f in flags) + "\n"
    return "ARGS=(\n" + "".join(f"  {f}\n" for f in flags) + f')\n{launcher} "${{ARGS[@]}}"\n'


def as_python(data: dict[str, Any], pick: Pick) -> str:
    cls = ("TrainingArguments", "CrossEncoderTrainingArguments", "Seq2SeqTrainingArguments")[
        pick(3)
    ]
    module = "sentence_transformers.cross_encoder" if cls.startswith("Cross") else "transformers"
    head = f"from {module} import {cls}\n\n"
    style = pick(3)
    if style == 0:
        args = "".join(f"    {k}={_py(v)},\n" for k, v in data.items())
        return f"{head}args = {cls}(\n{args})\n"
    if style == 1:
        return f"{head}cfg = {data!r}\nargs = {cls}(**cfg)\n"
    lines = "".join(f"args.{k} = {_py(v)}\n" for k, v in data.items())
    return f"{head}args = {cls}(output_dir='o')\n{lines}"


def generated(fmt: str, pick: Pick) -> bytes:
    """One generated file of a format."""
    data = mapping(pick)
    if fmt == "yaml":
        if pick(3) == 0:
            return ("model: x\ntraining_args:\n" + as_yaml(data, pick, 2)).encode()
        return as_yaml(data, pick).encode()
    if fmt == "json":
        wrapped = {"args": data} if pick(3) == 0 else data
        return (
            json.dumps(wrapped, indent=(None, 2, 4)[pick(3)], ensure_ascii=bool(pick(2))) + "\n"
        ).encode()
    if fmt == "py":
        return as_python(data, pick).encode()
    if fmt == "sh":
        return as_shell(data, pick).encode()
    if fmt == "make":
        flags = " ".join(_flag_words(k, v, pick) for k, v in data.items())
        return f"ARGS = {flags}\n\ntrain:\n\ttorchrun train.py $(ARGS) \\\n\t\t{flags}\n".encode()
    cells = [("code", as_python(data, pick)), ("code", "!" + as_shell(data, pick).splitlines()[-1])]
    return notebook_text(cells, 1 + pick(2), bool(pick(3))).encode()
