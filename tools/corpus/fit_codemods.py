"""Judge the fit -> Trainer codemod (CE520) on the real-world corpus.

    python tools/corpus/fit_codemods.py [--corpus DIR] [--out JSON] [--ce-lint EXE]

For every corpus file labelled with a legacy `fit` call (corpus/labels.json, `legacy_fit`):
1. `ce-lint fix --unsafe-fixes --select CE520` on a copy: was the call rewritten?
2. the fixed file compiles;
3. its Trainer setup builds and trains two steps under today's libraries: the generated
   statements (Dataset.from_dict ... trainer.train() and the copy of the best model) run on a
   tiny CrossEncoder and a few InputExamples, after the file's module-level imports; values
   that come from the user's own variables (epochs, paths, learning rates read from argparse
   or a config) are replaced by small values of the same role, and the evaluator by a tiny one
   that reports the same metric key;
4. `ce-lint verify` trains the fixed file's arguments.

It runs the generated code only, never the rest of the user's file. Prints one line per file
and a summary; --out writes the details as JSON.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import shutil
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
TARGETS = ["--target", "transformers==5.24", "--target", "sentence-transformers==6.2"]
sys.path.insert(0, str(ROOT / "fixtures" / "legacy_fit"))

# Small values by the argument they fill, for expressions of the user's own variables.
ROLE_VALUES: dict[str, Any] = {
    "num_train_epochs": 1,
    "warmup_steps": 1,
    "per_device_train_batch_size": 2,
    "learning_rate": 2e-5,
    "adam_epsilon": 1e-8,
    "weight_decay": 0.01,
    "max_grad_norm": 1.0,
    "eval_steps": 1,
    "fp16": False,  # no accelerator here
    "disable_tqdm": True,
    "dataloader_num_workers": 0,
    "dataloader_pin_memory": False,
    "dataloader_drop_last": False,
}
METRICS = {
    "average_precision": "classification",
    "accuracy": "classification",
    "spearman": "correlation",
}


def generated_block(tree: ast.Module) -> tuple[list[ast.stmt], list[ast.stmt]] | None:
    """(the body holding the codemod's statements, those statements)."""
    for node in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            body = getattr(node, field, None)
            if not isinstance(body, list):
                continue
            for i, stmt in enumerate(body):
                value = getattr(stmt, "value", None)
                if (
                    isinstance(stmt, ast.Assign)
                    and isinstance(value, ast.Call)
                    and isinstance(value.func, ast.Attribute)
                    and value.func.attr == "from_dict"
                ):
                    block = body[i : i + 4]
                    if i + 4 < len(body) and isinstance(body[i + 4], ast.If):
                        block.append(body[i + 4])
                    return body, block
    return None


class Stubs(ast.NodeTransformer):
    """Points the generated statements at the tiny model, examples and evaluator."""

    def __init__(self, out_dir: str):
        self.out_dir = out_dir
        self.metric: str | None = None

    def visit_comprehension(self, node: ast.comprehension) -> ast.comprehension:
        node.iter = ast.Name("EXAMPLES", ast.Load())
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name.endswith("TrainingArguments"):
            keywords = []
            for kw in node.keywords:
                if kw.arg == "output_dir":
                    kw.value = ast.Constant(self.out_dir)
                elif kw.arg == "metric_for_best_model":
                    self.metric = ast.unparse(kw.value)
                    kw.value = ast.Name("METRIC", ast.Load())
                elif kw.arg in ROLE_VALUES and not isinstance(kw.value, ast.Constant):
                    kw.value = ast.Constant(ROLE_VALUES[kw.arg])
                elif kw.arg == "fp16":
                    kw.value = ast.Constant(False)
                if kw.arg != "report_to":
                    keywords.append(kw)
            keywords.append(ast.keyword("max_steps", ast.Constant(2)))
            keywords.append(ast.keyword("report_to", ast.Constant("none")))
            node.keywords = keywords
        elif name.endswith("Trainer"):
            for kw in node.keywords:
                if kw.arg == "model":
                    kw.value = ast.Name("MODEL", ast.Load())
                elif kw.arg == "evaluator":
                    kw.value = ast.Name("EVALUATOR", ast.Load())
        elif name == "save_pretrained":
            node.args = [ast.Constant(self.out_dir + "/best")]
        return node


def loss_receiver(block: list[ast.stmt]) -> None:
    """A loss built on the model (`MSELoss(model)`, `MSELoss(self.model)`) gets the tiny one."""
    for node in ast.walk(block[2]):
        if (
            isinstance(node, ast.keyword)
            and node.arg == "loss"
            and isinstance(node.value, ast.Call)
        ):
            node.value.args = [ast.Name("MODEL", ast.Load())] + node.value.args[1:]


def run_block(fixed: Path, work: Path) -> str | None:
    """None where the generated statements build the trainer and train; else the error."""
    import tiny
    from sentence_transformers import InputExample
    from sentence_transformers.cross_encoder import CrossEncoder
    from sentence_transformers.cross_encoder import evaluation as ev

    tree = ast.parse(fixed.read_text(encoding="utf-8"))
    found = generated_block(tree)
    if found is None:
        return "no generated block found"
    _, block = found
    stubs = Stubs(str(work / "out"))
    block = [stubs.visit(stmt) for stmt in block]
    loss_receiver(block)
    module = ast.Module(body=block, type_ignores=[])
    ast.fix_missing_locations(module)
    ns: dict[str, Any] = {}
    for stmt in tree.body:  # the file's own imports (torch, losses, the classes written)
        if isinstance(stmt, ast.Import | ast.ImportFrom):
            # a library the corpus file needs may be absent here
            with contextlib.suppress(Exception):
                exec(compile(ast.Module([stmt], []), str(fixed), "exec"), ns)
    model = CrossEncoder(tiny.build(str(work / "tiny-bert"), num_labels=1))
    examples = [
        InputExample(texts=["what is the capital of france", "paris is the capital"], label=1.0),
        InputExample(texts=["what is the capital of france", "the cat sleeps"], label=0.0),
        InputExample(texts=["how fast is a train", "a train is fast"], label=1.0),
        InputExample(texts=["how fast is a train", "a red apple"], label=0.0),
    ]
    ns.update(MODEL=model, EXAMPLES=examples, METRIC=None, EVALUATOR=None)
    if stubs.metric is not None:
        kind = next((k for m, k in METRICS.items() if m in stubs.metric), "reranking")
        pairs = [e.texts for e in examples]
        labels = [int(e.label) for e in examples]
        if kind == "classification":
            evaluator = ev.CrossEncoderClassificationEvaluator(pairs, labels, name="stub")
            suffix = "accuracy" if "accuracy" in stubs.metric else "average_precision"
        elif kind == "correlation":
            evaluator = ev.CrossEncoderCorrelationEvaluator(
                pairs, [float(x) for x in labels], name="stub"
            )
            suffix = "spearman"
        else:
            samples = [
                {"query": "what is", "positive": ["paris is"], "negative": ["the cat", "a red"]}
            ]
            evaluator = ev.CrossEncoderRerankingEvaluator(samples, name="stub")
            suffix = stubs.metric.rsplit("_", 1)[-1].strip("'\"")
        ns.update(EVALUATOR=evaluator, METRIC=f"stub_{suffix}")
    else:
        pairs = [e.texts for e in examples]
        ns["EVALUATOR"] = ev.CrossEncoderClassificationEvaluator(
            pairs, [int(e.label) for e in examples], name="stub"
        )
    try:
        exec(compile(module, str(fixed), "exec"), ns)
    except Exception:  # noqa: BLE001 - the verdict
        return traceback.format_exc().strip().splitlines()[-1][:300]
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default="/work/corpus")
    parser.add_argument("--ce-lint", default=str(ROOT / ".venv" / "bin" / "ce-lint"))
    parser.add_argument("--out")
    options = parser.parse_args()
    labels = json.loads((ROOT / "corpus" / "labels.json").read_text(encoding="utf-8"))["files"]
    rows = []
    for fid, label in sorted(labels.items()):
        if not label.get("legacy_fit"):
            continue
        source = Path(options.corpus) / "files" / fid
        row: dict[str, Any] = {"file": fid, "calls": len(label["legacy_fit"]["calls"])}
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            path = work / source.name
            shutil.copy(source, path)
            before = path.read_bytes()
            check = subprocess.run(
                [options.ce_lint, "check", "--select", "CE520", "--output-format", "json",
                 "--exit-zero", *TARGETS, str(path)],
                capture_output=True, text=True, timeout=300,
            )  # fmt: skip
            findings = json.loads(check.stdout or "[]")
            row["reported"] = len(findings)
            row["refused"] = [
                f["message"].split("No automatic rewrite: ", 1)[1]
                for f in findings
                if "No automatic rewrite: " in f["message"]
            ]
            subprocess.run(
                [options.ce_lint, "fix", "--unsafe-fixes", "--select", "CE520", *TARGETS, str(path)],
                capture_output=True, text=True, timeout=300,
            )  # fmt: skip
            row["rewritten"] = path.read_bytes() != before
            if row["rewritten"]:
                try:
                    compile(path.read_text(encoding="utf-8"), str(path), "exec")
                    row["compiles"] = True
                except SyntaxError as exc:
                    row["compiles"] = False
                    row["compile_error"] = str(exc)
                row["trains_error"] = run_block(path, work) if row["compiles"] else "skipped"
                row["trains"] = row["trains_error"] is None
                verify = subprocess.run(
                    [options.ce_lint, "verify", *TARGETS, str(path)],
                    capture_output=True, text=True, timeout=600, cwd=work,
                )  # fmt: skip
                row["verified"] = verify.returncode == 0
                if not row["verified"]:
                    row["verify_tail"] = (verify.stdout + verify.stderr)[-600:]
        rows.append(row)
        status = (
            f"rewritten compiles={row.get('compiles')} trains={row.get('trains')} "
            f"verified={row.get('verified')}"
            if row["rewritten"]
            else f"report only ({'; '.join(row['refused']) or 'not reported'})"
        )
        print(f"{fid[:90]}: {status}")
        if row.get("trains_error"):
            print(f"    {row['trains_error']}")
    files = len(rows)
    good = sum(1 for r in rows if r.get("rewritten") and r.get("trains") and r.get("verified"))
    summary = {
        "legacy_fit_files": files,
        "reported": sum(1 for r in rows if r["reported"]),
        "rewritten": sum(1 for r in rows if r.get("rewritten")),
        "rewritten_compile_train_verify": good,
    }
    print(json.dumps(summary))
    if options.out:
        Path(options.out).write_text(json.dumps({"summary": summary, "files": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
