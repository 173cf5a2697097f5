"""./grader package and ./grader kit: what ships to Gradescope and to students, and nothing else."""
import ast
import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from .helpers import REPO, grader

AS_ROOT = os.geteuid() == 0
STUDENT_FILES = ["gradients.py", "batchnorm.py", "rnn.py", "attention.py", "cnn.py", "beam_search.py", "gnn.py",
                 "autoencoder.py"]


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory):
    target = tmp_path_factory.mktemp("package") / "autograder.zip"
    grader("package", "--out", target)
    return target


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    target = tmp_path_factory.mktemp("kit") / "student-kit.zip"
    grader("kit", "--out", target)
    folder = target.parent / "unzipped"
    with zipfile.ZipFile(target) as archive:
        archive.extractall(folder)
    return folder / "student-kit"


def names(archive):
    with zipfile.ZipFile(archive) as handle:
        return handle.namelist()


# ---------------------------------------------------------------- autograder.zip

def test_the_package_has_setup_and_run_autograder_at_its_root(autograder_zip):
    assert {"setup.sh", "run_autograder", "rubric.yaml", "requirements.txt", "source/grade.py"} <= set(names(autograder_zip))


def test_the_package_holds_the_engine_the_reference_and_every_graded_test(autograder_zip):
    listed = set(names(autograder_zip))
    assert {f"source/reference/{f}" for f in STUDENT_FILES} <= listed
    assert {f"tests/{p.name}" for p in (REPO / "tests").glob("test_*.py")} <= listed
    assert {"source/autograder/sandbox/controller.py", "source/autograder/sandbox/forkserver.py",
            "source/autograder/graded.ini"} <= listed


def test_the_package_holds_nothing_gradescope_does_not_need(autograder_zip):
    for name in names(autograder_zip):
        assert name.split("/")[0] in {"setup.sh", "run_autograder", "rubric.yaml", "requirements.txt", "source", "tests"}
        assert "__pycache__" not in name and not name.endswith(".pyc")
        assert not name.startswith(("source/staff/", "source/kit/"))


def test_the_packages_scripts_are_executable(autograder_zip):
    with zipfile.ZipFile(autograder_zip) as archive:
        for name in ("setup.sh", "run_autograder"):
            assert archive.getinfo(name).external_attr >> 16 & 0o111


def test_packaging_twice_gives_the_same_bytes(autograder_zip, tmp_path):
    again = tmp_path / "again.zip"
    grader("package", "--out", again)
    assert again.read_bytes() == autograder_zip.read_bytes()


def test_no_package_is_built_while_the_rubric_check_fails(tmp_path):
    from staff import packaging
    root = tmp_path / "repo"
    shutil.copytree(REPO / "tests", root / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "rubric.yaml").write_text((REPO / "rubric.yaml").read_text().replace("total: 100", "total: 99"))
    with pytest.raises(packaging.PackagingError, match="the tests add up to 100 points but total: says 99"):
        packaging.build_autograder(str(tmp_path / "autograder.zip"), root=str(root))
    assert not (tmp_path / "autograder.zip").exists()


def test_an_unzipped_package_grades_a_submission(autograder_zip, tmp_path):
    folder = tmp_path / "unzipped"
    with zipfile.ZipFile(autograder_zip) as archive:
        archive.extractall(folder)
    out = tmp_path / "results.json"
    subprocess.run([sys.executable, "-I", str(folder / "source" / "grade.py"), "--submission",
                    str(REPO / "examples" / "submissions" / "partial"), "--results", str(out), "--quiet"],
                   check=True, timeout=300)
    results = json.loads(out.read_text())
    assert results["score"] == 72.1667 and len(results["tests"]) == 118


# ---------------------------------------------------------------- the student kit

def test_the_kit_has_every_starter_file_a_readme_and_the_checker(kit):
    assert {p.name for p in kit.iterdir()} >= set(STUDENT_FILES) | {"README.md", "check.py", "checker"}
    assert "python check.py" in (kit / "README.md").read_text()


def test_the_kit_contains_no_reference_code(kit):
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
    for path in kit.rglob("*"):
        if path.is_file():
            text = " ".join(path.read_text(errors="replace").split())
            assert "import reference" not in text and "from reference" not in text, path
            leaked = [line for line in secret if line in text]
            assert leaked == [], f"{path} contains reference code: {leaked[:3]}"


def test_the_kit_contains_no_hidden_test(kit):
    hidden_files = [p for p in (REPO / "tests").glob("test_*.py") if not p.name.endswith("_examples.py")]
    hidden_tests = {node.name for p in hidden_files for node in ast.walk(ast.parse(p.read_text()))
                    if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}
    shipped = "\n".join(p.read_text(errors="replace") for p in kit.rglob("*") if p.is_file())
    assert not any(p.name == h.name for h in hidden_files for p in kit.rglob("*"))
    assert [name for name in hidden_tests if name in shipped] == []


def test_the_kit_checker_reports_a_stub_as_not_attempted(kit):
    proc = subprocess.run([sys.executable, str(kit / "check.py"), "batchnorm.py"], capture_output=True, text=True,
                          timeout=120, cwd=kit)
    assert proc.returncode == 0, proc.stderr
    assert "Not attempted: batchnorm_forward in batchnorm.py still raises NotImplementedError" in proc.stdout
    assert "0 of 4 visible tests passed" in proc.stdout


def test_the_kit_checker_gives_the_graders_own_feedback(kit, tmp_path):
    """A wrong batchnorm.py gets, from check.py, the very text Gradescope shows for that visible test."""
    wrong = (REPO / "examples" / "submissions" / "partial" / "hw3-main" / "batchnorm.py").read_text()
    (kit / "batchnorm.py").write_text(wrong)
    proc = subprocess.run([sys.executable, str(kit / "check.py"), "batchnorm.py"], capture_output=True, text=True,
                          timeout=120, cwd=kit)
    (kit / "batchnorm.py").write_text((REPO / "starter" / "batchnorm.py").read_text())
    out = tmp_path / "results.json"
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "batchnorm.py").write_text(wrong)
    subprocess.run([sys.executable, "-I", str(REPO / "source" / "grade.py"), "--submission", str(submission),
                    "--results", str(out), "--quiet"], check=True, timeout=300)
    test = next(t for t in json.loads(out.read_text())["tests"]
                if t["extra_data"]["id"] == "test_batchnorm_examples.py::test_forward_reproduces_the_worked_example")
    for line in ("All 4 entries of `y` are wrong", "At y[0, 0]: expected -1.66666667, got -1.44337567.",
                 "Hint: every value is 0.866025 times the expected one"):
        assert line in proc.stdout and line in test["output"]


# ---------------------------------------------------------------- as Gradescope runs it

@pytest.mark.skipif(not AS_ROOT or not shutil.which("unshare"), reason="needs root and unshare (CI runs as root)")
def test_setup_and_run_autograder_work_as_gradescope_runs_them(autograder_zip, tmp_path):
    """The archive unzipped into /autograder/source (a private mount, so the machine's own /autograder
    is untouched), setup.sh run as root, run_autograder copied to /autograder and run with no
    arguments: it grades /autograder/submission as the sandbox user and writes
    /autograder/results/results.json."""
    home = tmp_path / "autograder"
    with zipfile.ZipFile(autograder_zip) as archive:
        archive.extractall(home / "source")
    for script in ("setup.sh", "run_autograder"):
        os.chmod(home / "source" / script, 0o755)
    shutil.copytree(REPO / "examples" / "submissions" / "partial", home / "submission")
    (home / "results").mkdir()
    os.chmod(tmp_path, 0o755)
    os.chmod(home, 0o755)
    created = not os.path.exists("/autograder")
    if created:
        os.mkdir("/autograder")
    try:
        script = ("set -e; mount --bind '{home}' /autograder; cd /autograder/source; bash ./setup.sh >/dev/null; "
                  "cp /autograder/source/run_autograder /autograder/run_autograder; cd /autograder; "
                  "/autograder/run_autograder").format(home=home)
        proc = subprocess.run(["unshare", "--mount", "--propagation", "private", "bash", "-c", script],
                              capture_output=True, text=True, timeout=900)
    finally:
        if created:
            os.rmdir("/autograder")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    results = json.loads((home / "results" / "results.json").read_text())
    assert results["score"] == 72.1667
    assert results["extra_data"]["isolation"].startswith("sandbox user ag-sandbox-")
    assert os.stat(home / "source" / "source").st_mode & 0o077 == 0  # locked away from the sandbox user
