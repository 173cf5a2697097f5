"""Grading as an ordinary user (a TA's laptop), where no user switch is possible and student code
runs as the grader's own user: seccomp and Landlock are then the barrier.

A copy of the grader (source/, the toy assignment, the virtual environment) is made for a real
unprivileged account, which grades hostile toy submissions with it. Needs root to create the
account; CI runs as root.
"""
import json
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from autograder.sandbox.confinement import landlock

from .helpers import AS_ROOT, CORRECT_OTHER, REPO, TOY, shown, write_files
from .test_hostile import WRONG, wrong_with

USER = "ag-selftest"
pytestmark = pytest.mark.skipif(not AS_ROOT or not shutil.which("runuser"), reason="needs root to make an ordinary user")
needs_landlock = pytest.mark.skipif(landlock.abi() < 1, reason="this kernel has no Landlock")


@pytest.fixture(scope="module")
def checkout():
    """A copy of the grader owned by an ordinary user: (folder, uid).

    It lives in a folder of its own under /tmp, not in pytest's basetemp: that sits in
    /tmp/pytest-of-root, which is 0700, and the user could not reach its own checkout.
    """
    if subprocess.run(["id", "-u", USER], capture_output=True).returncode != 0:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", USER], check=True)
    uid = pwd.getpwnam(USER).pw_uid
    folder = Path(tempfile.mkdtemp(prefix="ag-laptop-"))
    os.chmod(folder, 0o755)
    shutil.copytree(REPO / "source", folder / "source", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(TOY, folder / "toy", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / ".venv", folder / ".venv", symlinks=True)
    subprocess.run(["chown", "-R", f"{USER}:", str(folder)], check=True)
    yield folder, uid
    shutil.rmtree(folder, ignore_errors=True)


def grade_as(checkout, files):
    folder, uid = checkout
    work = Path(tempfile.mkdtemp(prefix="work-", dir=folder))
    write_files(work / "submission", files)
    subprocess.run(["chown", "-R", f"{USER}:", str(work)], check=True)
    out = work / "results.json"
    proc = subprocess.run(
        ["runuser", "-u", USER, "--", str(folder / ".venv" / "bin" / "python"), "-I", str(folder / "source" / "grade.py"),
         "--submission", str(work / "submission"), "--results", str(out),
         "--rubric", str(folder / "toy" / "rubric.yaml"), "--tests", str(folder / "toy" / "tests")],
        capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL, cwd=str(work))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(out.read_text())


def test_the_report_says_student_code_runs_as_the_graders_own_user(checkout):
    results = grade_as(checkout, {"toy.py": WRONG, "other.py": CORRECT_OTHER})
    layers = results["extra_data"]["isolation"]["layers"]
    assert not layers["sandbox-user"]["on"] and "ordinary user" in layers["sandbox-user"]["detail"]
    assert layers["seccomp"]["on"] and layers["no-new-privs"]["on"]


def test_the_network_is_refused(checkout):
    results = grade_as(checkout, {"toy.py": WRONG.replace("    return c + x", """
    import socket
    try:
        socket.create_connection(("127.0.0.1", 22), timeout=1)
        return "connected"
    except OSError as exc:
        raise RuntimeError(f"network: {exc}")""")})
    test = next(t for t in results["tests"] if t["extra_data"]["id"].endswith("test_scale_doubles_a_vector"))
    assert "network: [Errno 1] Operation not permitted" in shown(test["output"])


def test_the_grader_cannot_be_signalled_even_by_its_own_user(checkout):
    results = grade_as(checkout, {"toy.py": wrong_with("""
        import os, signal
        for pid in [os.getppid()] + list(range(2, 1 << 15)):
            if pid != os.getpid():
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
    """), "other.py": CORRECT_OTHER})
    assert len(results["tests"]) == 9  # the grader lived to grade every test
    assert next(t for t in results["tests"] if t["extra_data"]["file"] == "other.py")["status"] == "passed"


@needs_landlock
def test_the_graders_own_files_can_be_neither_read_nor_changed(checkout):
    """Same user, so file permissions allow it all; Landlock does not."""
    folder, _ = checkout
    rubric = folder / "toy" / "rubric.yaml"
    before = rubric.read_text()
    results = grade_as(checkout, {"toy.py": wrong_with(f"""
        import os
        try:
            exec(open({str(folder / 'toy' / 'submissions' / 'correct' / 'toy.py')!r}).read())
        except OSError:
            pass
        for target in ({str(rubric)!r}, {str(folder / 'toy' / 'tests' / 'test_toy.py')!r}):
            try:
                with open(target, "a") as f:
                    f.write("\\n# changed by a student\\n")
            except OSError:
                pass
    """)})
    assert rubric.read_text() == before
    assert "changed by a student" not in (folder / "toy" / "tests" / "test_toy.py").read_text()
    scale_tests = [t for t in results["tests"] if "scale" in t["extra_data"]["functions"] and t["max_score"]]
    assert scale_tests and all(t["score"] == 0 for t in scale_tests)
    assert results["extra_data"]["isolation"]["layers"]["landlock"]["on"]


def test_processes_student_code_leaves_behind_do_not_outlive_the_grading(checkout):
    """As the grader's own user nothing can be killed by uid: the fork server is a child subreaper,
    so even a process that left its session and its parent is found and killed."""
    from autograder.sandbox.cleanup import user_processes

    from .test_hostile import SURVIVOR
    _, uid = checkout
    leaver = SURVIVOR + """
def scale(x, c):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            time.sleep(60)
        os._exit(0)
    leave_a_survivor()
    return c * x
"""
    results = grade_as(checkout, {"toy.py": leaver, "other.py": CORRECT_OTHER})
    scale = next(t for t in results["tests"] if t["extra_data"]["id"].endswith("test_scale_doubles_a_vector"))
    assert scale["status"] == "passed"
    assert user_processes(uid) == []
