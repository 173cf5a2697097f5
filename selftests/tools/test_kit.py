"""The student kit, as a student uses it: built by ./grader kit, unzipped, and run with a fresh
Python environment that has exactly what the kit's README installs."""
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import venv
import zipfile

import pytest

from selftests.engine.helpers import shown

from .helpers import REPO, grader

STUDENT_FILES = ["gradients.py", "batchnorm.py", "rnn.py", "attention.py", "cnn.py", "beam_search.py", "gnn.py",
                 "autoencoder.py"]
WRONG_BATCHNORM = (REPO / "examples" / "submissions" / "partial" / "hw3-main" / "batchnorm.py").read_text()


@pytest.fixture(scope="module")
def built_kit(tmp_path_factory):
    target = tmp_path_factory.mktemp("kit") / "student-kit.zip"
    grader("kit", "--out", target)
    folder = target.parent / "unzipped"
    with zipfile.ZipFile(target) as archive:
        archive.extractall(folder)
    return folder / "student-kit"


@pytest.fixture(scope="module")
def kit_python(built_kit, tmp_path_factory):
    """A fresh virtual environment with only the packages the kit's README tells students to install."""
    command = re.search(r"^pip install (.+?)(\s+#.*)?$", (built_kit / "README.md").read_text(), re.M)
    assert command, "the kit's README says nothing about what to install"
    folder = tmp_path_factory.mktemp("student-venv")
    venv.create(folder, with_pip=True, clear=True)
    python = folder / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    *command.group(1).split()], check=True, timeout=900, stdin=subprocess.DEVNULL)
    return python


@pytest.fixture
def kit(built_kit, tmp_path):
    """A copy of the unzipped kit, for one test to write its files into."""
    return shutil.copytree(built_kit, tmp_path / "student-kit")


def check(kit_python, kit, *args, cwd=None):
    return subprocess.run([kit_python, str(kit / "check.py"), *args], capture_output=True, text=True, timeout=300,
                          cwd=cwd or kit, stdin=subprocess.DEVNULL)


def graded_output(tmp_path, files, test_id):
    """What Gradescope shows for one test of a submission of these files, as rendered."""
    submission = tmp_path / "submission"
    for name, text in files.items():
        (submission / name).parent.mkdir(parents=True, exist_ok=True)
        (submission / name).write_text(text)
    out = tmp_path / "results.json"
    subprocess.run([sys.executable, "-I", str(REPO / "source" / "grade.py"), "--submission", str(submission),
                    "--results", str(out), "--quiet"], check=True, timeout=300)
    output = next(t for t in json.loads(out.read_text())["tests"] if t["extra_data"]["id"] == test_id)["output"]
    return shown(output)


# ---------------------------------------------------------------- what is in it

def test_the_kit_has_every_starter_file_a_readme_and_the_checker(built_kit):
    assert {p.name for p in built_kit.iterdir()} >= set(STUDENT_FILES) | {"README.md", "check.py", "checker"}
    assert "python check.py" in (built_kit / "README.md").read_text()


def test_the_kit_contains_no_reference_code(built_kit):
    """No file imports the reference, and no line of a reference function's body (beyond what the
    starter shows) appears anywhere in the kit."""
    starter = " ".join(" ".join((REPO / "starter" / f).read_text().split()) for f in STUDENT_FILES)
    secret = set()
    for path in (REPO / "source" / "reference").glob("*.py"):
        source = path.read_text()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef):
                for statement in node.body[1:] if ast.get_docstring(node) else node.body:
                    for inner in ast.walk(statement):
                        if isinstance(inner, ast.stmt) and not isinstance(inner, (ast.FunctionDef, ast.If, ast.For)):
                            text = " ".join(ast.get_source_segment(source, inner).split())
                            if len(text) >= 30 and text not in starter:
                                secret.add(text)
    assert secret, "the scan found no reference code to look for"
    for path in built_kit.rglob("*"):
        if path.is_file():
            text = " ".join(path.read_text(errors="replace").split())
            assert "import reference" not in text and "from reference" not in text, path
            leaked = [line for line in secret if line in text]
            assert leaked == [], f"{path} contains reference code: {leaked[:3]}"


def test_the_kit_contains_no_hidden_test(built_kit):
    hidden_files = [p for p in (REPO / "tests").glob("test_*.py") if not p.name.endswith("_examples.py")]
    hidden_tests = {node.name for p in hidden_files for node in ast.walk(ast.parse(p.read_text()))
                    if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}
    shipped = "\n".join(p.read_text(errors="replace") for p in built_kit.rglob("*") if p.is_file())
    assert not any(p.name == h.name for h in hidden_files for p in built_kit.rglob("*"))
    assert [name for name in hidden_tests if name in shipped] == []


# ---------------------------------------------------------------- running it as a student would

def test_the_students_environment_has_only_what_the_readme_installs(kit_python):
    for module in ("yaml", "pydantic", "gradescope_utils"):
        assert subprocess.run([kit_python, "-c", f"import {module}"], capture_output=True).returncode != 0, module


def test_on_the_starter_every_test_is_not_attempted_and_the_exit_status_says_so(kit_python, kit):
    proc = check(kit_python, kit)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Not attempted: batchnorm_forward in batchnorm.py still raises NotImplementedError" in proc.stdout
    assert re.search(r"^0 of \d+ visible tests passed", proc.stdout, re.M) and "PASS" not in proc.stdout


def test_a_correct_file_passes_every_visible_test_with_exit_status_0(kit_python, kit):
    shutil.copy(REPO / "source" / "reference" / "batchnorm.py", kit / "batchnorm.py")
    proc = check(kit_python, kit, "batchnorm.py")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "4 of 4 visible tests passed (5.5 / 5.5 points)" in proc.stdout and "FAIL" not in proc.stdout


def test_a_wrong_file_gets_the_graders_own_feedback(kit_python, kit, tmp_path):
    (kit / "batchnorm.py").write_text(WRONG_BATCHNORM)
    proc = check(kit_python, kit, "batchnorm.py")
    assert proc.returncode == 1
    graded = graded_output(tmp_path, {"batchnorm.py": WRONG_BATCHNORM},
                           "test_batchnorm_examples.py::test_forward_reproduces_the_worked_example")
    for line in ("All 4 entries of `y` are wrong", "At y[0, 0]: expected -1.66666667, got -1.44337567.",
                 "Hint: every value is 0.866025 times the expected one"):
        assert line in proc.stdout and line.replace("`", "") in graded  # rendered, `y` is code


def test_a_syntax_error_is_reported_as_the_grader_reports_it(kit_python, kit, tmp_path):
    broken = "import numpy as np\n\ndef batchnorm_forward(x, gamma, beta, eps=1e-5):\n    return x +\n"
    (kit / "batchnorm.py").write_text(broken)
    proc = check(kit_python, kit, "batchnorm.py")
    assert proc.returncode == 1
    sentence = "batchnorm.py has a syntax error: invalid syntax (batchnorm.py, line 4)"
    assert sentence in proc.stdout
    assert sentence in graded_output(tmp_path, {"batchnorm.py": broken},
                                     "test_batchnorm_examples.py::test_forward_reproduces_the_worked_example")
    assert "checker" not in proc.stdout and "Traceback (most recent call last)" not in proc.stdout + proc.stderr


def test_an_infinite_loop_is_stopped_by_the_autograders_time_limit(kit_python, kit):
    (kit / "batchnorm.py").write_text((REPO / "source" / "reference" / "batchnorm.py").read_text()
                                      + "\n\ndef demean_backward(dy, gamma):\n    while True:\n        pass\n")
    proc = check(kit_python, kit, "batchnorm.py")
    assert proc.returncode == 1
    assert "demean_backward did not return within 10 s and was stopped." in proc.stdout
    assert "2 of 4 visible tests passed" in proc.stdout  # the other tests still ran


def test_printed_output_is_captured_and_cut_as_the_grader_does(kit_python, kit, tmp_path):
    chatty = (REPO / "source" / "reference" / "batchnorm.py").read_text().replace(
        "def batchnorm_forward(x, gamma, beta, eps=1e-5):\n",
        "def batchnorm_forward(x, gamma, beta, eps=1e-5):\n    print('step \\x1b[2J' + 'x' * 5000)\n")
    assert "print(" in chatty
    (kit / "batchnorm.py").write_text(chatty)
    proc = check(kit_python, kit, "batchnorm.py")
    graded = graded_output(tmp_path, {"batchnorm.py": chatty},
                           "test_batchnorm_examples.py::test_forward_reproduces_the_worked_example")
    cut = re.search(r"\(\d+ more characters not shown\)", graded).group()
    assert "Your code printed:" in proc.stdout and cut in proc.stdout
    assert "\x1b" not in proc.stdout and "step \\x1b[2J" in proc.stdout


def test_a_file_given_as_a_path_in_another_case_is_checked_with_a_warning(kit_python, kit, tmp_path):
    (kit / "hw").mkdir()
    shutil.copy(REPO / "source" / "reference" / "batchnorm.py", kit / "hw" / "BatchNorm.py")
    proc = check(kit_python, kit, str(kit / "hw" / "BatchNorm.py"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "BatchNorm.py was checked, but the autograder looks for batchnorm.py" in proc.stdout
    assert "4 of 4 visible tests passed" in proc.stdout


def test_a_file_that_is_not_part_of_the_assignment_is_a_usage_error(kit_python, kit):
    proc = check(kit_python, kit, "batchnrom.py")
    assert proc.returncode == 2 and "batchnrom.py is not one of the assignment's files" in proc.stderr
