"""Mutation analysis of the graded tests: `.venv/bin/python bench/mutation.py` (about 10 minutes on 2 cores).

Makes every first-order mutant of a correct submission (the reference by default): one small change each,
of the kinds real mistakes are made of -- an arithmetic or comparison operator flipped, a constant changed,
an axis swapped, a term or a sign dropped, max for min, sum for mean -- grades each mutant submission with
the real tests and rubric through `./grader batch`, and reports per file how many mutants lose points
(are killed), and which survive. A survivor is either equivalent (the change cannot alter any result the
spec allows, e.g. a sum of two copies of the same value) or a gap in the tests; bench/mutation_survivors.yaml
lists the equivalent ones, each with the reason, keyed by file and mutated source line, so the report can
say which survivors are unexplained. Per-call timeouts are lowered, so a mutant that loops forever costs
seconds; it is killed like any other.

    --files cnn.py,rnn.py     only these files
    --limit 50                at most this many mutants per file (a quick look)
    --json FILE               also write every mutant and its fate as JSON

Nothing here is a test: selftests/test_mutation.py checks the machinery on the toy assignment.
"""
import argparse
import ast
import collections
import copy
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
SURVIVORS = Path(__file__).with_name("mutation_survivors.yaml")
FILES = ("gradients.py", "batchnorm.py", "rnn.py", "attention.py", "cnn.py", "beam_search.py", "gnn.py",
         "autoencoder.py")

SWAPS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.FloorDiv: ast.Div,
         ast.Pow: ast.Mult, ast.Mod: ast.FloorDiv, ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE,
         ast.GtE: ast.Gt, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.And: ast.Or, ast.Or: ast.And,
         ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn, ast.NotIn: ast.In}
FUNCTIONS = {"max": "min", "min": "max", "argmax": "argmin", "argmin": "argmax", "sum": "mean", "mean": "sum",
             "maximum": "minimum", "minimum": "maximum", "zeros": "ones", "ones": "zeros", "zeros_like": "ones_like",
             "ones_like": "zeros_like", "log": "log1p", "log1p": "log", "tanh": "sinh", "sqrt": "abs"}


# ---------------------------------------------------------------- making mutants

class _Sites(ast.NodeVisitor):
    """Every place a mutation can be made, as (node path, kind, description)."""

    def __init__(self):
        self.sites = []
        self._docstrings = set()

    def visit(self, node):
        # Module-level constants (the worked example's model, regular expressions) are data, not logic.
        skipped = {id(n) for statement in getattr(node, "body", []) if isinstance(statement, (ast.Assign, ast.AnnAssign))
                   for n in ast.walk(statement)}
        for child in ast.walk(node):
            body = getattr(child, "body", None)
            if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                    and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
                self._docstrings.add(id(body[0].value))
        for child in ast.walk(node):
            if id(child) not in skipped:
                self._sites_of(child)
        return self.sites

    def _add(self, node, kind, what):
        self.sites.append((node, kind, what))

    def _sites_of(self, node):
        if isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in SWAPS:
            self._add(node, "operator", f"{type(node.op).__name__} -> {SWAPS[type(node.op)].__name__}")
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
            self._add(node, "drop-right", f"drop the right operand of {type(node.op).__name__}")
            if isinstance(node.op, (ast.Add, ast.Mult)):
                self._add(node, "drop-left", f"drop the left operand of {type(node.op).__name__}")
        if isinstance(node, ast.BoolOp) and type(node.op) in SWAPS:
            self._add(node, "operator", f"{type(node.op).__name__} -> {SWAPS[type(node.op)].__name__}")
        if isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                if type(op) in SWAPS:
                    self._add((node, i), "compare", f"{type(op).__name__} -> {SWAPS[type(op)].__name__}")
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Not)):
            self._add(node, "unary", f"drop {type(node.op).__name__}")
        if isinstance(node, ast.Constant) and id(node) not in self._docstrings and not isinstance(node.value, bool):
            if isinstance(node.value, int):
                self._add(node, "constant", f"{node.value} -> {node.value + 1}")
                if node.value != 0:
                    self._add(node, "constant", f"{node.value} -> {node.value - 1}")
            elif isinstance(node.value, float):
                self._add(node, "constant", f"{node.value!r} -> {_changed(node.value)!r}")
        if isinstance(node, ast.keyword) and node.arg in ("axis", "keepdims", "ddof"):
            self._add(node, "keyword", f"drop {node.arg}=")
        if isinstance(node, ast.Attribute) and node.attr in FUNCTIONS:
            self._add(node, "function", f"{node.attr} -> {FUNCTIONS[node.attr]}")
        if isinstance(node, ast.Name) and node.id in ("max", "min") and isinstance(node.ctx, ast.Load):
            self._add(node, "function", f"{node.id} -> {FUNCTIONS[node.id]}")
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
            self._add(node, "slice", "drop the slice")


def _changed(value):
    return 1.0 if value == 0.0 else value * 2.0


def _apply(site):
    """Mutate the node of `site` in place (on a deep copy of the tree made by the caller)."""
    node, kind, what = site
    if kind == "operator":
        node.op = SWAPS[type(node.op)]()
    elif kind == "compare":
        compare, i = node
        compare.ops[i] = SWAPS[type(compare.ops[i])]()
        return compare
    elif kind == "unary":
        return node.operand
    elif kind == "drop-right":
        return node.left
    elif kind == "drop-left":
        return node.right
    elif kind == "constant":
        node.value = type(node.value)(what.split(" -> ")[1]) if isinstance(node.value, int) \
            else _changed(node.value)
    elif kind == "keyword":
        return None
    elif kind == "function":
        if isinstance(node, ast.Attribute):
            node.attr = FUNCTIONS[node.attr]
        else:
            node.id = FUNCTIONS[node.id]
    elif kind == "slice":
        return node.value
    return node


class _Replace(ast.NodeTransformer):
    def __init__(self, target, replacement):
        self.target, self.replacement = target, replacement

    def generic_visit(self, node):
        for field, value in ast.iter_fields(node):
            if isinstance(value, list):
                items = []
                for item in value:
                    if item is self.target:
                        if self.replacement is not None:
                            items.append(self.replacement)
                    elif isinstance(item, ast.AST):
                        items.append(self.visit(item))
                    else:
                        items.append(item)
                value[:] = items
            elif value is self.target:
                setattr(node, field, self.replacement)
            elif isinstance(value, ast.AST):
                self.visit(value)
        return node


def mutants(source):
    """[(line, kind, description, mutated source)] for every first-order mutant of `source` that compiles
    and differs from it as code."""
    tree = ast.parse(source)
    original = ast.unparse(tree)
    count = len(_Sites().visit(tree))
    found, seen = [], set()
    for index in range(count):
        copy_tree = copy.deepcopy(tree)
        node, kind, what = _Sites().visit(copy_tree)[index]
        target = node[0] if kind == "compare" else node
        line = getattr(target, "lineno", None) or 0
        replacement = _apply((node, kind, what))
        if replacement is not target:
            _Replace(target, replacement).visit(copy_tree)
        try:
            text = ast.unparse(ast.fix_missing_locations(copy_tree))
            compile(text, "<mutant>", "exec")
        except (SyntaxError, ValueError, TypeError):
            continue
        if text == original or text in seen:
            continue
        seen.add(text)
        found.append((line, kind, what, text))
    return found


# ---------------------------------------------------------------- grading them

def fast_rubric(rubric_path, out, call_timeout):
    """The rubric with short per-call timeouts, so that a looping mutant costs seconds."""
    data = yaml.safe_load(Path(rubric_path).read_text())
    data.setdefault("sandbox", {})["call_timeout"] = call_timeout
    for settings in (data.get("tests") or {}).values():
        if isinstance(settings, dict):
            settings.pop("timeout", None)
    out.write_text(yaml.safe_dump(data, sort_keys=False))
    return out


def grade(submission_dir, files, tests_dir, rubric_path, work, call_timeout=3, limit=None, jobs=2):
    """[{file, line, kind, what, killed, visible, kinds}] for every mutant of every file, graded in batches."""
    work = Path(work)
    rubric = fast_rubric(rubric_path, work / "rubric.yaml", call_timeout)
    originals = {f: (Path(submission_dir) / f).read_text() for f in files}
    results = []
    for file in files:
        found = mutants(originals[file])[:limit]
        folder = work / file.removesuffix(".py")
        # All the tests, not just this file's: the grader refuses a rubric that names tests it cannot find.
        # The other files are missing from every mutant, so their tests cost next to nothing.
        tests = folder / "tests"
        shutil.copytree(tests_dir, tests, ignore=shutil.ignore_patterns("__pycache__"))
        for i, (line, kind, what, text) in enumerate([(0, "", "", originals[file])] + found):
            mutant = folder / "submissions" / f"m{i:04d}"
            mutant.mkdir(parents=True)
            (mutant / file).write_text(text)
        subprocess.run([sys.executable, "-I", str(REPO / "source" / "staff"), "batch", str(folder / "submissions"),
                        "--out", str(folder / "batch"), "--tests", str(tests), "--rubric", str(rubric),
                        "--jobs", str(jobs), "--quiet"], check=True, stdout=subprocess.DEVNULL)
        for i, (line, kind, what, text) in enumerate([(0, "", "", originals[file])] + found):
            graded = json.loads((folder / "batch" / "results" / f"m{i:04d}" / "results.json").read_text())
            tests_of_file = [t for t in graded["tests"] if t["extra_data"]["file"] == file]
            lost = [t for t in tests_of_file if t["score"] < t["max_score"]]
            if i == 0:
                if lost or not tests_of_file:
                    raise RuntimeError(f"the unmutated {file} does not earn every point, so no mutant can be judged: "
                                       + "; ".join(t["name"] for t in lost))
                continue
            results.append({"file": file, "line": line, "kind": kind, "what": what,
                            "source": originals[file].splitlines()[line - 1].strip() if line else "",
                            "killed": bool(lost), "visible": any("_examples.py::" in t["extra_data"]["id"] for t in lost)})
    return results


# ---------------------------------------------------------------- what the report says

def load_explained(path=SURVIVORS):
    """{(file, stripped source line, what): reason} for the survivors known to be equivalent."""
    if not Path(path).exists():
        return {}
    entries = yaml.safe_load(Path(path).read_text()) or []
    return {(e["file"], e["line"].strip(), e["mutation"]): e["why"] for e in entries}


def summary(results, explained):
    per_file = collections.OrderedDict()
    for r in results:
        per_file.setdefault(r["file"], []).append(r)
    lines = ["| file | mutants | killed | killed by a visible test | survivors explained as equivalent | "
             "unexplained | kill rate of non-equivalent mutants |", "|---|---|---|---|---|---|---|"]
    unexplained = []
    for file, rs in per_file.items():
        killed = sum(r["killed"] for r in rs)
        survivors = [r for r in rs if not r["killed"]]
        equivalent = [r for r in survivors if (r["file"], r["source"], r["what"]) in explained]
        open_ = [r for r in survivors if (r["file"], r["source"], r["what"]) not in explained]
        unexplained += open_
        rate = killed / (len(rs) - len(equivalent)) if len(rs) > len(equivalent) else 1.0
        lines.append(f"| {file} | {len(rs)} | {killed} | {sum(r['visible'] for r in rs)} | {len(equivalent)} | "
                     f"{len(open_)} | {100 * rate:.1f}% |")
    total = len(results)
    killed = sum(r["killed"] for r in results)
    lines.append(f"\n{total} mutants, {killed} killed ({100 * killed / max(total, 1):.1f}%), "
                 f"{len(unexplained)} unexplained survivors.")
    for r in unexplained:
        lines.append(f"  UNEXPLAINED {r['file']}:{r['line']} {r['kind']} ({r['what']}): {r['source']}")
    return "\n".join(lines), unexplained


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--submission", default=str(REPO / "source" / "reference"), help="correct files to mutate")
    p.add_argument("--tests", default=str(REPO / "tests"))
    p.add_argument("--rubric", default=str(REPO / "rubric.yaml"))
    p.add_argument("--files", default=",".join(FILES))
    p.add_argument("--limit", type=int, default=None)
    p.add_argument("--json", default=None)
    p.add_argument("--survivors", default=str(SURVIVORS))
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        Path(work).chmod(0o755)
        results = grade(args.submission, args.files.split(","), args.tests, args.rubric, work, limit=args.limit)
    text, unexplained = summary(results, load_explained(args.survivors))
    print(text)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
