"""`./grader package`: what ships to Gradescope, and nothing else."""
import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from selftests.engine.helpers import DOCKER_CAPS

from .helpers import REPO, grader

AS_ROOT = os.geteuid() == 0
STUDENT_FILES = ["gradients.py", "batchnorm.py", "rnn.py", "attention.py", "cnn.py", "beam_search.py", "gnn.py",
                 "autoencoder.py"]


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory):
    target = tmp_path_factory.mktemp("package") / "autograder.zip"
    grader("package", "--out", target)
    return target


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


# ---------------------------------------------------------------- as Gradescope runs it

@pytest.mark.skipif(not AS_ROOT or not shutil.which("unshare"), reason="needs root and unshare (CI runs as root)")
def test_setup_and_run_autograder_work_as_gradescope_runs_them(autograder_zip, tmp_path):
    """The archive unzipped into /autograder/source (a private mount, so the machine's own /autograder
    is untouched), setup.sh run as root, run_autograder copied to /autograder and run with no
    arguments, both with exactly Docker's default capabilities, as in Gradescope's container: it
    grades /autograder/submission as the sandbox user and writes /autograder/results/results.json."""
    docker = " ".join(f"'{arg}'" for arg in DOCKER_CAPS)
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
        script = ("set -e; mount --bind '{home}' /autograder; cd /autograder/source; {docker} bash ./setup.sh >/dev/null; "
                  "cp /autograder/source/run_autograder /autograder/run_autograder; cd /autograder; "
                  "{docker} /autograder/run_autograder").format(home=home, docker=docker)
        proc = subprocess.run(["unshare", "--mount", "--propagation", "private", "bash", "-c", script],
                              capture_output=True, text=True, timeout=900)
    finally:
        if created:
            os.rmdir("/autograder")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    results = json.loads((home / "results" / "results.json").read_text())
    assert results["score"] == 72.1667
    layers = results["extra_data"]["isolation"]["layers"]
    assert layers["sandbox-user"]["on"] and layers["sandbox-user"]["detail"].startswith("ag-sandbox-")
    assert layers["seccomp"]["on"] and not layers["network-namespace"]["on"]  # no CAP_SYS_ADMIN in Docker
    assert os.stat(home / "source").st_mode & 0o077 == 0  # the whole checkout is closed to the sandbox user
