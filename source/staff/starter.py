"""Render the student starter files from the reference solution.

The starter is generated, never edited by hand: for each reference module it keeps
the module docstring, the imports, the constants students need (STUDENT_CONSTANTS)
and every public top-level function with its exact signature and docstring, whose
body becomes `raise NotImplementedError`. Private helpers (names starting with an
underscore), other constants and everything else are dropped. The text of what is
kept is copied verbatim from the reference source, so the output does not depend
on the Python version.

Regenerate the committed starter/ with:

    ./grader starter

Trusted code: standard library only.
"""
import ast
import sys
from pathlib import Path

# The student files, in the order of the assignment.
MODULES = (
    "gradients",
    "batchnorm",
    "rnn",
    "attention",
    "cnn",
    "beam_search",
    "gnn",
    "autoencoder",
)

# Module-level constants that students need, e.g. to run the worked examples.
STUDENT_CONSTANTS = frozenset({"EXAMPLE_MODEL"})

_REPO = Path(__file__).resolve().parents[2]
REFERENCE_DIR = _REPO / "source" / "reference"
STARTER_DIR = _REPO / "starter"
REGENERATE_COMMAND = "./grader starter"


def _segment(lines, first, last):
    """Source lines first..last (1-based, inclusive), as one string."""
    return "".join(lines[first - 1 : last])


def _comment_start(lines, first):
    """The first line of the comment block directly above line `first` (or `first`)."""
    while first > 1 and lines[first - 2].lstrip().startswith("#"):
        first -= 1
    return first


def _assigned_names(node):
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    return {t.id for t in targets if isinstance(t, ast.Name)}


def _is_docstring(node):
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _function_stub(lines, node):
    """The function's decorators, signature and docstring, then a NotImplementedError body."""
    first = _comment_start(lines, min([d.lineno for d in node.decorator_list] + [node.lineno]))
    if _is_docstring(node.body[0]):
        header = _segment(lines, first, node.body[0].end_lineno)
    else:
        header = _segment(lines, first, node.body[0].lineno - 1)
        if not header:
            raise ValueError(
                f"line {node.lineno}: put the body of {node.name}() on its own lines"
            )
    indent = " " * (node.col_offset + 4)
    return header.rstrip("\n") + f"\n{indent}raise NotImplementedError\n"


def render_starter(reference_source: str, keep_constants=STUDENT_CONSTANTS) -> str:
    """The starter file for one reference module, given the module's source text."""
    tree = ast.parse(reference_source)
    lines = reference_source.splitlines(keepends=True)
    blocks = []  # (kind, text); kind decides the blank lines in between
    for position, node in enumerate(tree.body):
        if position == 0 and _is_docstring(node):
            blocks.append(("docstring", _segment(lines, node.lineno, node.end_lineno)))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            blocks.append(("import", _segment(lines, node.lineno, node.end_lineno)))
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and _assigned_names(node) & set(
            keep_constants
        ):
            first = _comment_start(lines, node.lineno)
            blocks.append(("constant", _segment(lines, first, node.end_lineno)))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not (
            node.name.startswith("_")
        ):
            blocks.append(("function", _function_stub(lines, node)))
    out = []
    previous = None
    for kind, text in blocks:
        if previous is not None:
            if kind == previous == "import":
                pass
            elif "function" in (kind, previous):
                out.append("\n\n")
            else:
                out.append("\n")
        out.append(text if text.endswith("\n") else text + "\n")
        previous = kind
    return "".join(out)


def write_starter(reference_dir=REFERENCE_DIR, out_dir=STARTER_DIR):
    """Render every student module of reference_dir into out_dir; returns the paths written."""
    reference_dir, out_dir = Path(reference_dir), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in MODULES:
        source = (reference_dir / f"{name}.py").read_text(encoding="utf-8")
        target = out_dir / f"{name}.py"
        target.write_text(render_starter(source), encoding="utf-8")
        written.append(target)
    return written


def main():
    """Regenerate the committed starter/ from source/reference/."""
    for path in write_starter():
        print(f"wrote {path.relative_to(_REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
