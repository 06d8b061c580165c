"""Training arguments given as command-line flags, whatever file holds the command.

HfArgumentParser turns `--flag value` words into the fields of the script's dataclasses. This
module knows that convention and nothing about file formats: a format hands in the words it
found (`ArgWord`: the argument as the program receives it, and where it is written) and a
`Layout` that knows how to change words in its own text (a shell line, a JSON array, a
Python list). From those it
  * finds the words that launch training (python, torchrun, accelerate launch, deepspeed, and
    wrappers such as srun, env, nohup) and where the script's own arguments start;
  * turns the flags into Entries (`--flag value`, `--flag=value`, bare `--fp16`, `--no_x`,
    several values for list fields, `--dashed-names`), with values typed the way the parser
    types them;
  * renders the abstract edits of rules as word edits: rename a flag, rewrite its value, drop
    it with its value, add a new flag.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from ..findings import KEEP, AbstractEdit, AddEntry, Remove, Rewrite, Template
from ..knowledge import Knowledge
from ..model import UNKNOWN, ClassChoice, ClassSource, Entry, Launch, Origin, Site, Span, Value
from ..textio import TextEdit
from .errors import RenderError


@dataclass(frozen=True)
class ArgWord:
    value: str | None  # the argument the program receives; None when only a shell knows it
    span: Span  # the whole word or list item as written
    raw: str  # its text as written (quotes included)


def item_value(text: str) -> str | None:
    """An item of an argument list in a config file; `${var}` / `$(VAR)` are filled in later
    by the tool that reads it (an editor, Kubernetes), so their value is unknown."""
    return None if "${" in text or "$(" in text else text


class Layout(Protocol):
    """How one format changes the words of one argument list in its text."""

    words: list[ArgWord]

    def replace(self, i: int, value: str) -> list[TextEdit]:
        """Word i becomes a word whose value is `value`."""
        ...

    def remove(self, i: int, j: int) -> list[TextEdit]:
        """Words i..j-1 disappear, with the blanks or separators around them."""
        ...

    def insert_after(self, i: int, values: list[str], own_line: bool = False) -> list[TextEdit]:
        """New words after word i (`own_line`: a new flag, which may go on a line of its own)."""
        ...


# ---- which words launch training ----------------------------------------------------------

# Words that run the rest of the command (their options are skipped up to the launcher).
WRAPPERS = frozenset(
    {
        "env", "nohup", "time", "exec", "command", "nice", "ionice", "stdbuf", "timeout",
        "numactl", "taskset", "chrt", "srun", "salloc", "mpirun", "mpiexec", "sudo", "xargs",
        "uv", "poetry", "pipenv", "conda", "mamba", "micromamba", "pdm", "hatch", "rye",
        "pixi", "apptainer", "singularity", "docker", "podman", "caffeinate", "ddp",
    }
)  # fmt: skip
RESERVED = frozenset({"if", "then", "else", "elif", "while", "until", "do", "!", "{", "time"})
_PYTHON = re.compile(r"python(\d+(\.\d+)?)?[w]?(\.exe)?$")

# Launcher options that take no value (from each launcher's argparse parser). Any other
# option takes one, unless it is written `--opt=value` or followed by a `.py` file.
TORCHRUN_FLAGS = frozenset(
    {
        "-h", "--help", "--standalone", "-m", "--module", "--no-python", "--no_python",
        "--run-path", "--run_path", "--virtual-local-rank", "--virtual_local_rank",
        "--use-env", "--use_env",
    }
)  # fmt: skip
ACCELERATE_FLAGS = frozenset(
    {
        "-h", "--help", "-q", "--quiet", "--cpu", "--multi_gpu", "--multi-gpu", "--tpu",
        "--enable_cpu_affinity", "--enable-cpu-affinity", "--dynamo_use_fullgraph",
        "--dynamo-use-fullgraph", "--dynamo_use_dynamic", "--dynamo-use-dynamic",
        "--dynamo_use_regional_compilation", "--dynamo-use-regional-compilation",
        "--use_deepspeed", "--use-deepspeed", "--use_fsdp", "--use-fsdp",
        "--use_parallelism_config", "--use-parallelism-config", "--use_megatron_lm",
        "--use-megatron-lm", "--same_network", "--same-network", "-m", "--module",
        "--no_python", "--no-python", "--tpu_cluster", "--tpu-cluster", "--no_tpu_cluster",
        "--no-tpu-cluster", "--tpu_use_sudo", "--tpu-use-sudo", "--downcast_bf16",
        "--downcast-bf16", "--fp8_use_autocast_during_eval", "--fp8-use-autocast-during-eval",
        "--debug", "--fp16", "--use_cpu", "--use_xpu",
    }
)  # fmt: skip
DEEPSPEED_FLAGS = frozenset(
    {
        "-h", "--help", "--no_ssh_check", "--force_multi", "--save_pid", "--elastic_training",
        "--bind_cores_to_rank", "--no_python", "--module", "--no_local_rank", "--no_ssh",
        "--enable_each_rank_log",
    }
)  # fmt: skip
PYTHON_OPTIONS_WITH_VALUE = frozenset({"-W", "-X", "--check-hash-based-pycs"})
DISTRIBUTED_MODULES = {
    "torch.distributed.run": ("torchrun", TORCHRUN_FLAGS),
    "torch.distributed.launch": ("torchrun", TORCHRUN_FLAGS),
    "accelerate.commands.launch": ("accelerate launch", ACCELERATE_FLAGS),
    "deepspeed.launcher.runner": ("deepspeed", DEEPSPEED_FLAGS),
}


@dataclass(frozen=True)
class FoundLaunch:
    """A launch found among words: what starts, and where the script's arguments begin."""

    program: str  # python | torchrun | accelerate launch | deepspeed
    script: str | None  # the script or module, None when written as a variable
    first: int  # index of the script's first argument
    distributed: bool


def _name(value: str | None) -> str:
    return posixpath.basename(value) if value else ""


def find_launch(values: list[str | None]) -> FoundLaunch | None:
    """Where the training script and its arguments are in one command, if it launches one."""
    i, n = 0, len(values)
    while i < n and (values[i] in RESERVED or _is_assignment(values[i])):
        i += 1
    if i >= n:
        return None
    if not _is_launcher(values, i):
        if _name(values[i]) not in WRAPPERS:
            return None
        i = next((k for k in range(i + 1, n) if _is_launcher(values, k)), n)
        if i >= n:
            return None
    return _launch_at(values, i)


def _is_assignment(value: str | None) -> bool:
    return value is not None and re.match(r"[A-Za-z_][A-Za-z0-9_]*=", value) is not None


def _is_launcher(values: list[str | None], i: int) -> bool:
    name = _name(values[i])
    if _PYTHON.match(name) or name in ("torchrun", "deepspeed", "accelerate-launch", "%run"):
        return True
    return name == "accelerate" and i + 1 < len(values) and values[i + 1] == "launch"


def _launch_at(values: list[str | None], i: int) -> FoundLaunch | None:
    name = _name(values[i])
    if name == "torchrun":
        return _after_options(values, i + 1, "torchrun", TORCHRUN_FLAGS)
    if name == "deepspeed":
        return _after_options(values, i + 1, "deepspeed", DEEPSPEED_FLAGS)
    if name == "accelerate":
        return _after_options(values, i + 2, "accelerate launch", ACCELERATE_FLAGS)
    if name == "accelerate-launch":
        return _after_options(values, i + 1, "accelerate launch", ACCELERATE_FLAGS)
    # python [options] (-m module | script) args
    k, n = i + 1, len(values)
    while k < n:
        value = values[k]
        if value is None or not value.startswith("-") or value == "-":
            break
        if value.startswith("-c"):
            return None  # a program given as a string
        if value.startswith("-m"):
            module = value[2:] or (values[k + 1] if k + 1 < n else None)
            k += 1 if value[2:] else 2
            if module in DISTRIBUTED_MODULES:
                program, flags = DISTRIBUTED_MODULES[module]
                return _after_options(values, k, program, flags)
            return FoundLaunch("python", module, k, False)
        k += 2 if value in PYTHON_OPTIONS_WITH_VALUE else 1
    if k >= n or values[k] == "-":
        return None
    return FoundLaunch("python", values[k], k + 1, False)


def _after_options(
    values: list[str | None], k: int, program: str, no_value: frozenset[str]
) -> FoundLaunch | None:
    n = len(values)
    while k < n:
        value = values[k]
        if value is None or not value.startswith("-") or value == "-":
            break
        if value == "--":
            k += 1
            break
        name = value.split("=", 1)[0]
        following = values[k + 1] if k + 1 < n else None
        if "=" in value or name in no_value or (following or "").endswith(".py"):
            k += 1
        else:
            k += 2
    if k >= n:
        return None
    script = values[k]
    if _name(script) and _PYTHON.match(_name(script)):  # `--no-python python train.py`
        return _launch_at(values, k)
    return FoundLaunch(program, script, k + 1, True)


# ---- flags into entries -------------------------------------------------------------------

_FLAG_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*$")
_NEGATIVE_NUMBER = re.compile(r"-\.?\d")
_TRUE = frozenset({"yes", "true", "t", "y", "1"})
_FALSE = frozenset({"no", "false", "f", "n", "0"})


@dataclass(frozen=True, eq=False)
class FlagHandle:
    """Where one flag entry sits among the words of its Layout."""

    layout: Layout
    index: int  # the flag word
    count: int  # the flag word and its value words
    flag: str  # the flag as written, e.g. `--per-gpu-train-batch-size`
    key_offset: int | None  # where `flag` starts verbatim in the document (None: not verbatim)
    inline: bool  # written `--flag=value`
    negated: bool  # `--no_flag` for a boolean field


def is_option(value: str | None) -> bool:
    return (
        value is not None
        and value.startswith("-")
        and value != "-"
        and _NEGATIVE_NUMBER.match(value) is None
    )


def flag_entries(layout: Layout, first: int, knowledge: Knowledge, cls: str) -> list[Entry]:
    """Entries for the `--flags` among words[first:] (up to a bare `--`)."""
    words = layout.words
    fields = knowledge.all_field_names
    out: list[Entry] = []
    k, n = first, len(words)
    while k < n:
        value = words[k].value
        if value == "--":
            break
        if value is None:
            value = _unknown_inline(words[k].raw)  # `--flag=$VAR`: the name is still known
        if value is None or not value.startswith("--"):
            k += 1
            continue
        name, eq, rest = value[2:].partition("=")
        if not _FLAG_NAME.match(name):
            k += 1
            continue
        if eq:
            texts: list[str | None] = [rest if words[k].value is not None else None]
            count = 1
        else:
            j = k + 1
            while j < n and not _starts_flag(words[j]):
                j += 1
            texts = [w.value for w in words[k + 1 : j]]
            count = j - k
        key = name.replace("-", "_")
        negated = False
        if key.startswith("no_") and key not in fields and _kind(knowledge, key[3:], cls) == "bool":
            key, negated = key[3:], True
        flag = "--" + name
        offset = _verbatim(words[k], flag)
        key_span = Span(offset, offset + len(flag)) if offset is not None else words[k].span
        handle = FlagHandle(layout, k, count, flag, offset, bool(eq), negated)
        entry_value = _value(words, k, count, eq, rest, texts, key, knowledge, cls, negated)
        _json_entries(entry_value, handle)
        out.append(Entry(key, key_span, entry_value, None, handle))
        k += count
    return out


def _starts_flag(word: ArgWord) -> bool:
    value = word.value
    return (
        is_option(value)
        or value == "--"
        or (value is None and _unknown_inline(word.raw) is not None)
    )


def _unknown_inline(raw: str) -> str | None:
    """`--name=` of a word whose value only the shell knows (the rest stays unknown)."""
    match = re.match(r"[\"']?(--[A-Za-z_][A-Za-z0-9_-]*=)", raw)
    return match.group(1) if match else None


def _verbatim(word: ArgWord, flag: str) -> int | None:
    """Document offset of `flag` at the start of a word, after an opening quote if any."""
    raw = word.raw
    for skip in range(0, 3):
        if raw.startswith(flag, skip) and all(c in "'\"rRbBuU" for c in raw[:skip]):
            return word.span.start + skip
    return None


def _value(
    words: list[ArgWord], k: int, count: int, inline: str, rest: str,
    texts: list[str | None], key: str, knowledge: Knowledge, cls: str, negated: bool,
) -> Value:  # fmt: skip
    flag_word = words[k]
    if negated:
        return Value(False, Span(flag_word.span.end, flag_word.span.end), "")
    if inline:
        eq = flag_word.raw.find("=")
        start = flag_word.span.start + eq + 1 if eq >= 0 else flag_word.span.end
        source = flag_word.raw[eq + 1 :] if eq >= 0 else rest
        span = Span(start, flag_word.span.end)
    elif count == 1:
        return Value(True, Span(flag_word.span.end, flag_word.span.end), "")
    else:
        span = Span(words[k + 1].span.start, words[k + count - 1].span.end)
        source = " ".join(w.raw for w in words[k + 1 : k + count])
    return Value(typed(texts, _kind(knowledge, key, cls)), span, source)


@dataclass(frozen=True, eq=False)
class JsonKeyHandle:
    """A key of a JSON object given as a flag's value (`--accelerator_config '{...}'`)."""

    flag: FlagHandle


def _json_entries(value: Value, handle: FlagHandle) -> None:
    """TrainingArguments reads a dict field's string that starts with `{` as JSON: expose its
    keys as entries, so rules can move fields into it; edits rewrite the whole word."""
    if not isinstance(value.py, str) or not value.py.lstrip().startswith("{"):
        return
    try:
        data = json.loads(value.py)
    except ValueError:
        return
    if not isinstance(data, dict):
        return
    value.as_text = value.py
    value.py, value.handle = data, handle
    key_handle = JsonKeyHandle(handle)
    value.entries = [
        Entry(str(k), value.span, Value(v, value.span, json.dumps(v)), value, key_handle)
        for k, v in data.items()
    ]


@cache
def _kind(knowledge: Knowledge, key: str, cls: str) -> str:
    """bool | int | float | list | str: how HfArgumentParser types the field's words."""
    info = knowledge.field(key, cls)
    types = info.types if info is not None else []
    if not types:
        return "str"
    text = types[-1].replace("typing.", "")
    members = [m.strip() for m in re.split(r"[|,]|Optional\[|Union\[", text) if m.strip(" []")]
    members = [m.strip("[] ") for m in members if m.strip("[] ") not in ("None", "NoneType")]
    if "bool" in members:
        return "bool"
    if any(m.lower().startswith("list") for m in members) and "str" not in members:
        return "list"
    if members and members[0] in ("int", "float"):
        return members[0]
    return "str"


def typed(texts: list[str | None], kind: str) -> Any:
    """The Python value the parser makes of a flag's words."""
    if any(t is None for t in texts):
        return UNKNOWN
    items = [_scalar(t or "", kind) for t in texts]
    if len(items) > 1 or kind == "list":
        return items
    return items[0] if items else True


def _scalar(text: str, kind: str) -> Any:
    if kind == "bool":
        low = text.lower()
        return True if low in _TRUE else False if low in _FALSE else text
    if kind in ("int", "float"):
        try:
            return int(text) if kind == "int" else float(text)
        except ValueError:
            return text
    return text


def counts_as_arguments(
    entries: list[Entry], knowledge: Knowledge, launch: FoundLaunch | None
) -> bool:
    """Whether these flags are training arguments rather than some other tool's options.

    A distributed launcher says so by itself (one known field is enough); a plain `python`
    launch needs two known fields or nothing but known fields; a list of flags that launches
    nothing (a shell array, an `args:` list) needs two known fields making up a third of them.
    """
    fields = knowledge.all_field_names
    keys = {e.key for e in entries}
    known = sum(1 for k in keys if k in fields)
    if known == 0:
        return False
    if launch is not None:
        return launch.distributed or known >= 2 or known == len(keys)
    return known >= 2 and known * 3 >= len(keys)


def list_site(
    path: str,
    span: Span,
    layout: Layout,
    knowledge: Knowledge,
    chosen: ClassChoice,
    *,
    first: int | None = None,
    launch_only: bool = False,
    trusted: bool = False,
    held: bool = False,
    validated: bool = True,
    script_class: Callable[[str | None], ClassChoice | None] | None = None,
) -> Site | None:
    """The Site of a list of words' flags; None when they are not training arguments.

    The words either launch training (`["torchrun", "train.py", "--flag", ...]`) or, unless
    `launch_only`, are the script's arguments themselves (`["--flag", "value", ...]`); `first`
    says where the arguments start when the caller knows it. `trusted`: the words certainly go
    to an HfArgumentParser, so one known field is enough. `held`: a variable holds the words,
    so a command may add more. `validated`: HfArgumentParser builds the object from them alone.
    """
    launch = None
    own: frozenset[str] = frozenset()  # options the launched script declares itself
    if first is None:
        values = [w.value for w in layout.words]
        launch = find_launch(values)
        if launch is not None:
            first = launch.first
            found = script_class(launch.script) if script_class is not None else None
            if found and found.owner:
                return None  # the script parses these flags into its own dataclasses only
            if found and found.source is ClassSource.LINKED:
                chosen = found  # the class the launched script parses its flags into
            if found:
                own = found.script_options
        elif not launch_only and values and (values[0] or "").startswith("--"):
            first = 0
        elif held and _module_and_flags(values):
            first = 2  # `CMD="-m training.run --flag ..."`, run later as `python $CMD`
        else:
            return None
    entries = [e for e in flag_entries(layout, first, knowledge, chosen.cls) if e.key not in own]
    if not entries:
        return None
    if not trusted and not counts_as_arguments(entries, knowledge, launch):
        return None
    if trusted and not any(e.key in knowledge.all_field_names for e in entries):
        return None
    return Site(
        path,
        chosen.cls,
        tuple(entries),
        span,
        Origin.COMMAND if launch is not None else Origin.FLAGS,
        chosen.source,
        partial=held or launch is None,
        other_fields=chosen.other_fields,
        unread_subclass=chosen.unread_subclass,
        validated=validated,
        launch=Launch(launch.program, launch.script) if launch is not None else None,
        handle=layout,
    )


def _module_and_flags(values: list[str | None]) -> bool:
    """`-m MODULE --flag ...`: the arguments of a `python -m` whose launcher is elsewhere."""
    return (
        len(values) > 2
        and values[0] == "-m"
        and re.fullmatch(r"[A-Za-z_][\w.]*", values[1] or "") is not None
        and (values[2] or "").startswith("--")
    )


# ---- edits --------------------------------------------------------------------------------


def owns(edit: AbstractEdit) -> bool:
    """Whether an edit is about flag entries (and so rendered here)."""
    if isinstance(edit, Rewrite | Remove):
        return isinstance(edit.entry.handle, FlagHandle | JsonKeyHandle)
    if isinstance(edit, AddEntry):
        container = edit.container
        if isinstance(container, Value):
            return isinstance(container.handle, FlagHandle)
        return isinstance(container, Site) and container.origin in (Origin.COMMAND, Origin.FLAGS)
    return False


def render(edit: AbstractEdit) -> list[TextEdit]:
    if isinstance(edit, Rewrite | Remove) and isinstance(edit.entry.handle, JsonKeyHandle):
        return _json_edit(edit)
    if isinstance(edit, AddEntry) and isinstance(edit.container, Value):
        return _json_edit(edit)
    if isinstance(edit, Remove):
        h = _flag(edit.entry)
        return h.layout.remove(h.index, h.index + h.count)
    if isinstance(edit, Rewrite):
        return _rewrite(edit)
    if isinstance(edit, AddEntry):
        return _add(edit)
    raise RenderError(f"unsupported edit {edit!r}")


def can_render(edit: AbstractEdit) -> bool:
    try:
        render(edit)
    except RenderError:
        return False
    return True


def _json_edit(edit: Rewrite | Remove | AddEntry) -> list[TextEdit]:
    """Rewrite the JSON object word of a flag with one key added, changed or removed."""
    if isinstance(edit, AddEntry):
        container = edit.container
        assert isinstance(container, Value)
        data = dict(container.py)
        data[edit.key] = edit.value
        flag = container.handle
    else:
        container = edit.entry.parent
        assert isinstance(container, Value)
        data = {}
        for key, value in container.py.items():
            if key != edit.entry.key:
                data[key] = value
            elif isinstance(edit, Rewrite):
                data[edit.key] = value if edit.value is KEEP else edit.value
        flag = edit.entry.handle.flag
    if any(isinstance(v, Template) for v in data.values()):
        raise RenderError("the new value depends on values that are not known")
    text = json.dumps(data)
    if flag.inline:
        return flag.layout.replace(flag.index, f"{flag.flag}={text}")
    return flag.layout.replace(flag.index + 1, text)


def _flag(entry: Entry) -> FlagHandle:
    handle = entry.handle
    if not isinstance(handle, FlagHandle):
        raise RenderError("not a command-line flag")
    return handle


def flag_text(key: str, like: FlagHandle | None) -> str:
    dashed = like is not None and "-" in like.flag[2:]
    return "--" + (key.replace("_", "-") if dashed else key)


def _rewrite(edit: Rewrite) -> list[TextEdit]:
    entry, h = edit.entry, _flag(edit.entry)
    layout = h.layout
    new_flag = flag_text(edit.key, h)
    renamed = new_flag != h.flag
    value = edit.value
    if h.negated and value is KEEP and renamed:
        value = False  # `--no_x` said False; the new flag must say it with a word
    words = None if value is KEEP else cli_words(value, entry.value)
    out: list[TextEdit] = []
    if h.inline and words is not None:
        if len(words) == 1:
            return layout.replace(h.index, f"{new_flag}={words[0]}")
        return layout.replace(h.index, new_flag) + layout.insert_after(h.index, words)
    if renamed:
        if h.key_offset is not None:
            out.append(TextEdit(h.key_offset, h.key_offset + len(h.flag), new_flag))
        elif h.inline:
            old = entry.value.source
            if not entry.value.known and not old:
                raise RenderError("the flag is not written plainly enough to rename it")
            out += layout.replace(h.index, f"{new_flag}={_plain(entry.value)}")
        else:
            out += layout.replace(h.index, new_flag)
    if words is None:
        return out
    old_count = h.count - 1
    if old_count == 0:
        if value is True:
            return out  # a bare flag already says True
        return out + layout.insert_after(h.index, words)
    first = h.index + 1
    shared = min(old_count, len(words))
    for k in range(shared):
        if layout.words[first + k].value != words[k]:
            out += layout.replace(first + k, words[k])
    if old_count > shared:
        out += layout.remove(first + shared, first + old_count)
    elif len(words) > shared:
        out += layout.insert_after(first + shared - 1, words[shared:])
    return out


def _plain(value: Value) -> str:
    if isinstance(value.py, str):
        return value.py
    raise RenderError("the value is not written plainly enough to rename the flag")


def _add(edit: AddEntry) -> list[TextEdit]:
    container = edit.container
    if not isinstance(container, Site):
        raise RenderError("a command line has no nested mappings")
    flags = [e for e in container.entries if isinstance(e.handle, FlagHandle)]
    after = edit.after if edit.after is not None else (flags[-1] if flags else None)
    if after is None:
        raise RenderError("nowhere to add the flag")
    h = _flag(after)
    words = [flag_text(edit.key, h), *cli_words(edit.value, None)]
    return h.layout.insert_after(h.index + h.count - 1, words, own_line=True)


def cli_words(value: Any, like: Value | None) -> list[str]:
    """The words HfArgumentParser reads back as `value`."""
    if isinstance(value, Template):
        concrete = value.concrete()
        if concrete is None:
            raise RenderError("the new value depends on values that are not known")
        value = concrete
    if isinstance(value, list | tuple):
        if not value:
            raise RenderError("a flag cannot be given an empty list")
        return [_word(v, None) for v in value]
    return [_word(value, like)]


def _word(value: Any, like: Value | None) -> str:
    if isinstance(value, bool):
        text = "True" if value else "False"
        source = like.source if like is not None else ""
        return text.lower() if source[:1].islower() and source.lower() in _TRUE | _FALSE else text
    if value is None:
        raise RenderError("a command line cannot say None")
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        # TrainingArguments reads a string starting with `{` in its dict fields as JSON.
        return json.dumps(value)
    raise RenderError(f"cannot write {value!r} on a command line")
