"""Running ./grader as course staff would, for the self-tests."""
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TOY = REPO / "selftests" / "fixtures" / "toy"
CORRECT = TOY / "submissions" / "correct"


def grader(*args, check=True, timeout=600):
    """Run `./grader ARGS` (through the same interpreter); returns the CompletedProcess."""
    proc = subprocess.run([sys.executable, "-I", str(REPO / "source" / "staff"), *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    if check:
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def toy_options():
    return ["--rubric", TOY / "rubric.yaml", "--tests", TOY / "tests"]


def make_toy_class(tmp_path):
    """A folder of five toy submissions: three correct, one wrong `scale`, one that exits at import."""
    root = tmp_path / "submissions"
    for name in ("ada", "ben", "cy", "dee", "eve"):
        shutil.copytree(CORRECT, root / name)
    (root / "ben" / "toy.py").write_text((CORRECT / "toy.py").read_text().replace("c * x", "c + x"))
    (root / "cy" / "toy.py").write_text("import os\nos._exit(0)\n")
    return root
