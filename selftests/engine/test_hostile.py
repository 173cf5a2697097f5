"""Hostile submissions: none of them may raise its score, hurt the grader, or see what it holds.

Each attack is a toy.py (sometimes with company). Most of them compute `scale` wrongly, so any
point they earn on `scale` would be an escape; the ones that compute correctly check that the
attack costs nothing else. Attacks that need a separate user (reading the grader's files,
signalling it) are only meaningful as root, which is how CI and Gradescope run. As root, every
attack runs twice: with all of root's capabilities (a staff machine) and with exactly Docker's
default set (Gradescope's container: no CAP_SYS_ADMIN, so no network namespace).
"""
import os
import re
import shutil
import textwrap

import pytest

from .helpers import AS_ROOT, CORRECT_OTHER, CORRECT_TOY, DOCKER_CAPS, REPO, run_grader, write_files

root_only = pytest.mark.skipif(not AS_ROOT, reason="the sandbox user exists only when grading as root")
WHERE = {"staff machine": (), "gradescope container": DOCKER_CAPS} if AS_ROOT and shutil.which("setpriv") \
    else {"as this user": ()}


@pytest.fixture(params=list(WHERE))
def grade(request, tmp_path):
    """grade({"toy.py": source, ...}) -> Graded, once with each capability set in WHERE."""
    def run(files, **options):
        return run_grader(write_files(tmp_path / "submission", files), tmp_path, wrapper=WHERE[request.param],
                          **options)
    return run

WRONG = """
import numpy as np

def scale(x, c):
    return c + x

def stats(x):
    return 0.0, 0.0, 0.0

def safe_div(a, b):
    return 0.0
"""

SCALE_TESTS = ["test_scale_doubles_a_vector", "test_scale_matches_on_a_random_matrix",
               "test_decorators_set_points_number_visibility_and_tags"]


def wrong_with(attack):
    """A wrong toy.py that also runs `attack` (indented code) when imported."""
    return WRONG + "\n" + textwrap.dedent(attack)


def scale_body(code, base=WRONG, old="    return c + x"):
    """toy.py with the body of `scale` replaced by `code` (any indentation)."""
    return base.replace(old, textwrap.indent(textwrap.dedent(code).strip("\n"), "    "))


def sandbox_processes(graded):
    """Live processes of the sandbox user this grading ran as (named in results' extra_data)."""
    from autograder.sandbox.cleanup import user_processes
    detail = graded.results["extra_data"]["isolation"]["layers"]["sandbox-user"]["detail"]
    uid = int(re.search(r"\(uid (\d+)\)", detail).group(1))
    return user_processes(uid)


def assert_no_points_for_scale(graded):
    for name in SCALE_TESTS:
        assert graded.test(name)["score"] == 0, f"{name} earned points: {graded.test(name)['output']}"


# ---------------------------------------------------------------- forging results

@root_only
def test_writing_results_json_directly_has_no_effect(grade, tmp_path):
    graded = grade({"toy.py": wrong_with(f"""
        import json, os
        fake = {{"score": 1000, "tests": []}}
        for path in ["/autograder/results/results.json", {str(tmp_path / 'results' / 'results.json')!r}]:
            try:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w") as f:
                    json.dump(fake, f)
            except OSError:
                pass
    """)})
    assert graded.results["score"] <= 1  # only safe_div... which WRONG also gets wrong
    assert_no_points_for_scale(graded)


def test_printing_a_fake_results_document_has_no_effect(grade):
    graded = grade({"toy.py": wrong_with("""
        print('{"score": 1000, "tests": []}')
        import sys
        sys.__stdout__.write('{"score": 1000}')
    """)})
    assert_no_points_for_scale(graded)


def test_exiting_at_import_costs_only_that_file(grade):
    for exit_call in ("import sys; sys.exit(0)", "import os; os._exit(0)", "raise SystemExit(0)"):
        graded = grade({"toy.py": exit_call + "\n", "other.py": CORRECT_OTHER})
        assert_no_points_for_scale(graded)
        assert graded.test("test_other_file_is_graded_on_its_own")["status"] == "passed"


def test_exiting_inside_a_call_fails_that_test_only(grade):
    graded = grade({"toy.py": CORRECT_TOY.replace("return c * x", "import os; os._exit(0)")})
    assert graded.test("test_scale_doubles_a_vector")["score"] == 0
    assert "ended the process with exit code 0" in graded.test("test_scale_doubles_a_vector")["output"]
    assert graded.test("test_stats_returns_min_max_and_mean")["score"] == 3


def test_sys_exit_inside_a_call_is_reported_as_such(grade):
    graded = grade({"toy.py": CORRECT_TOY.replace("return c * x", "import sys; sys.exit(0)")})
    assert "called sys.exit()" in graded.test("test_scale_doubles_a_vector")["output"]


# ---------------------------------------------------------------- tampering with the test framework

def test_conftest_ini_and_sitecustomize_in_the_submission_are_never_loaded(grade):
    forced_pass = """
        import pytest
        @pytest.hookimpl(hookwrapper=True)
        def pytest_runtest_makereport(item, call):
            outcome = yield
            outcome.get_result().outcome = "passed"
        def pytest_collection_modifyitems(items):
            items.clear()
    """
    graded = grade({
        "toy.py": WRONG,
        "conftest.py": forced_pass, "tests/conftest.py": forced_pass,
        "pytest.ini": "[pytest]\naddopts = -p no:terminal --co\n",
        "setup.cfg": "[tool:pytest]\naddopts = --co\n",
        "tox.ini": "[pytest]\naddopts = --co\n",
        "pyproject.toml": "[tool.pytest.ini_options]\naddopts = '--co'\n",
        "sitecustomize.py": "import os; os._exit(0)\n",
        "usercustomize.py": "import os; os._exit(0)\n",
    })
    assert_no_points_for_scale(graded)
    assert len(graded.results["tests"]) == 9


def test_monkeypatching_the_grader_modules_inside_the_worker_has_no_effect(grade):
    graded = grade({"toy.py": wrong_with("""
        import sys
        for name, module in list(sys.modules.items()):
            if name.startswith("autograder"):
                for attr in ("check", "compare", "decode", "encode", "answer"):
                    if hasattr(module, attr):
                        setattr(module, attr, lambda *a, **k: None)
        try:
            import pytest, _pytest.outcomes
            _pytest.outcomes.fail = lambda *a, **k: None
        except Exception:
            pass
    """)})
    assert_no_points_for_scale(graded)


def test_a_returned_object_with_custom_equality_is_refused(grade):
    graded = grade({"toy.py": WRONG.replace("return c + x", "return Always()") + """
class Always:
    def __eq__(self, other): return True
    def __array__(self, *a, **k): raise RuntimeError
"""})
    assert_no_points_for_scale(graded)
    assert "cannot read" in graded.test("test_scale_doubles_a_vector")["output"]


def test_an_ndarray_subclass_is_graded_as_its_plain_values(grade):
    graded = grade({"toy.py": WRONG.replace("return c + x", "return Liar(c + x)") + """
class Liar(np.ndarray):
    def __new__(cls, a): return np.asarray(a).view(cls)
    def __eq__(self, other): return np.ones(self.shape, bool)
    def __sub__(self, other): return np.zeros(self.shape)
    def __abs__(self): return np.zeros(self.shape)
"""})
    assert_no_points_for_scale(graded)


def test_forging_replies_on_the_worker_channel_cannot_smuggle_objects(grade):
    graded = grade({"toy.py": wrong_with("""
        import json, socket, struct, os
        def forge(body):
            data = json.dumps(body).encode()
            for fd in range(3, 64):
                try:
                    os.write(fd, struct.pack(">I", len(data)) + data)
                except OSError:
                    pass
        def scale(x, c):
            forge({"ok": True, "value": {"t": "nd", "dtype": "|O", "shape": [3], "data": ""}})
            return c + x
    """)})
    assert_no_points_for_scale(graded)


# ---------------------------------------------------------------- resources

def test_an_infinite_loop_times_out_and_grading_goes_on(grade):
    graded = grade({"toy.py": CORRECT_TOY.replace("return c * x", "while True:\n        pass")})
    assert "did not return within 2 s" in graded.test("test_scale_doubles_a_vector")["output"]
    assert graded.test("test_stats_returns_min_max_and_mean")["score"] == 3


def test_a_hang_at_import_costs_one_import_timeout_not_one_per_test(grade):
    """The file is imported once (the grader's staff log counts import timeouts), and every one of
    its tests reports it."""
    graded = grade({"toy.py": "while True:\n    pass\n", "other.py": CORRECT_OTHER})
    assert graded.stdout.count("toy.py: importing it took longer than") == 1
    toy_tests = [t for t in graded.results["tests"] if t["extra_data"]["file"] == "toy.py"]
    assert all(t["extra_data"]["kind"] == "import timeout" for t in toy_tests)
    assert "Importing toy.py took longer than 3 s" in graded.test("test_scale_doubles_a_vector")["output"]
    assert graded.test("test_other_file_is_graded_on_its_own")["status"] == "passed"


def test_a_memory_bomb_fails_its_test_only(grade):
    graded = grade({"toy.py": CORRECT_TOY.replace("return c * x", "return np.ones((1 << 31,)) * c")})
    assert graded.test("test_scale_doubles_a_vector")["score"] == 0
    assert "memory" in graded.test("test_scale_doubles_a_vector")["output"]
    assert graded.test("test_stats_returns_min_max_and_mean")["score"] == 3


def test_a_segfault_fails_its_test_only(grade):
    graded = grade({"toy.py": CORRECT_TOY.replace("return c * x", "import ctypes; ctypes.string_at(0)")})
    assert "segmentation fault" in graded.test("test_scale_doubles_a_vector")["output"]
    assert graded.test("test_stats_returns_min_max_and_mean")["score"] == 3


def test_huge_output_is_truncated_and_costs_nothing(grade):
    graded = grade({"toy.py": CORRECT_TOY.replace(
        "return c * x", "print('x' * 50_000_000)\n    import os; os.write(1, b'y' * 10_000_000)\n    return c * x")})
    test = graded.test("test_scale_doubles_a_vector")
    assert test["status"] == "passed"
    assert "more characters not shown" in test["output"]
    assert len(graded.path.read_text()) < 200_000


def test_an_enormous_result_is_refused_with_a_clear_message(grade):
    graded = grade({"toy.py": CORRECT_TOY.replace("return c * x", "return np.zeros((5_000_000,))")})
    assert "more than the 16 MB the grader accepts" in graded.test("test_scale_doubles_a_vector")["output"]


def test_a_deeply_nested_result_is_refused(grade):
    graded = grade({"toy.py": CORRECT_TOY.replace("return c * x", "r = []\n    for _ in range(100000):\n        r = [r]\n    return r")})
    assert graded.test("test_scale_doubles_a_vector")["score"] == 0
    assert "cannot read" in graded.test("test_scale_doubles_a_vector")["output"]


def test_mutating_an_input_is_marked_wrong(grade):
    graded = grade({"toy.py": CORRECT_TOY.replace("return c * x", "x *= c\n    return x")})
    assert "modified its input `x` in place" in graded.test("test_scale_doubles_a_vector")["output"]


# ---------------------------------------------------------------- what the sandbox user can reach

@root_only
def test_the_reference_tests_and_rubric_cannot_be_read(grade):
    targets = [REPO / "source" / "reference" / "batchnorm.py", REPO / "tests" / "test_batchnorm.py",
               REPO / "rubric.yaml", REPO / "source" / "autograder" / "cli.py"]
    graded = grade({"toy.py": scale_body(f"""
        found = []
        for path in {[str(t) for t in targets]!r}:
            try:
                found.append(open(path).read()[:200])
            except OSError as exc:
                found.append(type(exc).__name__)
        raise RuntimeError("|".join(found))""")})
    output = graded.test("test_scale_doubles_a_vector")["output"]
    assert output.count("PermissionError") == len(targets), output
    assert "def batchnorm_forward" not in graded.everything_shown()


@root_only
def test_a_symlink_to_the_reference_is_not_followed(tmp_path):
    from .helpers import run_grader, write_files
    submission = write_files(tmp_path / "submission", {"other.py": CORRECT_OTHER})
    os.symlink(REPO / "selftests" / "fixtures" / "toy" / "submissions" / "correct" / "toy.py", submission / "toy.py")
    graded = run_grader(submission, tmp_path)
    assert graded.file_score("toy.py") == 0
    assert "toy.py was ignored: it is a symbolic link" in graded.overview


@root_only
def test_the_grader_cannot_be_signalled_or_traced(grade):
    graded = grade({"toy.py": scale_body("""
        import os, signal, ctypes
        results = []
        for pid in [os.getppid(), 1] + list(range(2, 4096)):
            try:
                os.kill(pid, signal.SIGKILL if pid != os.getpid() else 0)
                results.append(("killed", pid))
            except OSError:
                pass
        libc = ctypes.CDLL(None, use_errno=True)
        traced = libc.ptrace(16, os.getppid(), 0, 0)  # PTRACE_ATTACH
        raise RuntimeError(f"killed={len([r for r in results if r[1] != os.getpid()])} traced={traced}")""")})
    output = graded.shown("test_scale_doubles_a_vector")
    assert "traced=-1" in output
    assert len(graded.results["tests"]) == 9  # the grader survived to write every test


@root_only
def test_processes_left_behind_are_killed_before_results_are_written(grade):
    graded = grade({"toy.py": CORRECT_TOY + """
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        while True:
            time.sleep(0.05)
    os._exit(0)
"""})
    assert graded.results["score"] == 15
    assert sandbox_processes(graded) == []


SURVIVOR = """
import ctypes, os, threading, time

def leave_a_survivor():
    # A process whose main thread exits while another thread runs: /proc shows its leader as a
    # zombie, though it is alive.
    if os.fork() != 0:
        return
    os.setsid()
    threading.Thread(target=lambda: (time.sleep(60), os._exit(0))).start()
    ctypes.CDLL(None).syscall(60, 0)  # SYS_exit: ends only the main thread
"""


@root_only
def test_a_process_whose_main_thread_exited_does_not_survive_grading(grade):
    once = "    if c == 2.0:  # the visible test: one survivor\n        leave_a_survivor()\n    return c * x"
    graded = grade({"toy.py": SURVIVOR + CORRECT_TOY.replace("    return c * x", once)})
    assert graded.results["score"] == 15
    assert sandbox_processes(graded) == []


@root_only
def test_a_fork_bomb_is_contained(grade):
    graded = grade({"toy.py": scale_body("""
        import os
        while True:
            try:
                os.fork()
            except OSError:
                pass""", base=CORRECT_TOY, old="    return c * x")})
    assert graded.test("test_stats_returns_min_max_and_mean")["score"] == 3
    assert sandbox_processes(graded) == []


@root_only
def test_the_staged_submission_cannot_be_modified(grade):
    graded = grade({"toy.py": scale_body("""
        import os
        here = os.path.dirname(__file__)
        try:
            with open(os.path.join(here, "other.py"), "w") as f:
                f.write("def identity(v):\\n    return 42\\n")
            return "wrote"
        except OSError as exc:
            raise RuntimeError(type(exc).__name__)"""), "other.py": "def identity(v):\n    return v\n"})
    assert "PermissionError" in graded.test("test_scale_doubles_a_vector")["output"]
    assert graded.test("test_other_file_is_graded_on_its_own")["status"] == "passed"


@root_only
def test_the_network_is_refused(grade):
    graded = grade({"toy.py": scale_body("""
        import socket
        try:
            socket.create_connection(("127.0.0.1", 22), timeout=1)
            raise RuntimeError("connected")
        except OSError as exc:
            raise RuntimeError(f"network: {type(exc).__name__}: {exc}")""")})
    assert "network: PermissionError: [Errno 1] Operation not permitted" in graded.shown("test_scale_doubles_a_vector")
    assert graded.results["extra_data"]["isolation"]["layers"]["seccomp"]["on"]


def test_the_worker_does_not_run_as_root(grade):
    graded = grade({"toy.py": scale_body("""
        import os
        raise RuntimeError(f"uid={os.getuid()} euid={os.geteuid()} groups={os.getgroups()}")""")})
    output = graded.shown("test_scale_doubles_a_vector")
    assert "uid=0 " not in output and "euid=0 " not in output
    if AS_ROOT:
        assert "groups=[]" in output


def test_the_output_cap_is_set_in_the_rubric(grade, tmp_path):
    from .helpers import TOY
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text((TOY / "rubric.yaml").read_text().replace("memory_mb: 400}", "memory_mb: 400, output_chars: 50}"))
    graded = grade({"toy.py": CORRECT_TOY.replace("return c * x", "print('z' * 500)\n    return c * x")}, rubric=rubric)
    output = graded.test("test_scale_doubles_a_vector")["output"]
    assert "z" * 50 in output and "z" * 51 not in output and "451 more characters not shown" in output  # 500 and the newline, less 50


@root_only
def test_gradescopes_submission_metadata_cannot_be_read(grade, tmp_path):
    """The metadata (names, emails, earlier scores) is locked before any student code runs."""
    import tempfile
    from pathlib import Path
    shared = Path(tempfile.mkdtemp(prefix="metadata-"))  # in /tmp, which the sandbox user can traverse
    os.chmod(shared, 0o755)
    metadata = shared / "submission_metadata.json"
    metadata.write_text('{"created_at": "2026-11-20T12:00:00+00:00", "users": [{"email": "ada@example.edu"}]}')
    os.chmod(metadata, 0o644)
    graded = grade({"toy.py": scale_body(f"""
        try:
            raise RuntimeError(open({str(metadata)!r}).read())
        except OSError as exc:
            raise RuntimeError(type(exc).__name__)""")}, extra=["--metadata", str(metadata)])
    output = graded.test("test_scale_doubles_a_vector")["output"]
    import shutil
    shutil.rmtree(shared)
    assert "PermissionError" in output and "ada@example.edu" not in graded.everything_shown()


@root_only
def test_files_left_in_shared_folders_are_removed_after_grading(grade, tmp_path):
    import glob
    graded = grade({"toy.py": CORRECT_TOY + """
import os
for place in ("/tmp", "/dev/shm"):
    try:
        with open(os.path.join(place, "left-by-student-%d" % os.getpid()), "w") as f:
            f.write("x")
        os.makedirs(os.path.join(place, "left-dir-%d" % os.getpid(), "sub"))
    except OSError:
        pass
"""})
    assert graded.results["score"] == 15
    assert glob.glob("/tmp/left-by-student-*") == [] and glob.glob("/tmp/left-dir-*") == []
    assert glob.glob("/dev/shm/left-by-student-*") == []
