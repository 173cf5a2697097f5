"""The trusted side of the trust boundary: workers that run student code, and their limits.

A Sandbox owns one fork server (forkserver.py) and at most one live worker at a time, each worker
serving one student file. `call` ships plain data to the worker and waits, with a deadline, for
plain data back. Whatever goes wrong over there (a hang, a crash, garbage on the wire, an enormous
result) becomes a StudentFailure here, the worker is killed, and the next call gets a fresh one.

When the grader runs as root, workers run as a sandbox user (one of SANDBOX_USERS, held for the
whole run under a lock, so concurrent graders never share one), which cannot read the grader's
files, signal or trace the grader, and every process it leaves behind is killed when a worker
retires. Run as an ordinary user, workers get the same limits but share that user, and
`isolation` says so.
"""
import dataclasses
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from autograder import failures
from autograder.sandbox import protocol
from autograder.sandbox.cleanup import kill_user_processes, remove_user_files
from autograder.sandbox.limits import Limits
from autograder.sandbox.users import acquire_user

FORKSERVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "forkserver.py")
CONTROL_TIMEOUT = 30.0
THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")


@dataclasses.dataclass
class CallResult:
    value: object
    printed: str
    mutated: list


@dataclasses.dataclass
class Worker:
    file: str
    pid: int
    channel: socket.socket


class ForkServer:
    """The fork server process (forkserver.py) and the control socket to it.

    One per grading run, or one per parallel slot of a batch, reused across submissions: it holds
    nothing of any student. In local mode student code could kill it (same user), so a dead server
    is restarted once per request: a spawn is retried, a wait learns nothing.
    """

    def __init__(self):
        self.restarts = 0
        self._start()

    def _start(self):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", **{v: "1" for v in THREAD_VARS}}
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-B", FORKSERVER, str(theirs.fileno())],
            pass_fds=[theirs.fileno()], env=env, stdin=subprocess.DEVNULL, cwd="/")
        theirs.close()
        ours.settimeout(CONTROL_TIMEOUT)
        self.control = ours

    def spawn(self, request, channel):
        """Fork a worker that will serve `channel` (a socket); returns its pid."""
        return self._request(request, channel)["pid"]

    def wait(self, pid):
        """The exit status of a killed worker: {"signal": n}, {"exit": n} or None."""
        return self._request({"op": "wait", "pid": pid}).get("status")

    def _request(self, request, channel=None):
        for _ in range(2):
            try:
                packet = json.dumps(request).encode()
                if channel is not None:
                    socket.send_fds(self.control, [packet], [channel.fileno()])
                else:
                    self.control.send(packet)
                reply = self.control.recv(1 << 16)
                if reply:
                    return json.loads(reply)
            except OSError:
                pass
            self.restarts += 1
            self.close()
            self._start()
            if channel is None:
                return {}
        raise RuntimeError("the fork server does not answer")

    def close(self):
        self.control.close()
        self.process.kill()
        self.process.wait()


class Sandbox:
    """Runs student files in confined worker processes. Use as a context manager.

    `server` and `user` may be passed in (a batch slot owns them across submissions); otherwise
    the sandbox starts its own fork server and, as root, locks a sandbox user of its own.
    """

    def __init__(self, staged_files, limits=None, isolate=True, notes=None, server=None, user=None):
        self.limits = limits or Limits()
        self.notes = notes or {}  # file -> what discovery said about it (why it is missing)
        self.isolate = isolate    # False: no user switch even as root (for tests of local mode)
        self.user, self._own_user = user, user is None
        self.server, self._own_server = server, server is None
        self.staged_files = dict(staged_files)  # file name -> path of the student's file
        self.deadline = time.monotonic() + self.limits.budget_seconds
        self.current = None
        self.broken = {}  # file -> the StudentFailure its import ended in
        self.network_isolated = None
        self.events = []  # instructor-facing log lines
        self._dirs = None

    # ------------------------------------------------------------ lifecycle

    def __enter__(self):
        if self.isolate and self.user is None:
            self.user = acquire_user()
        self._dirs = self._make_dirs()
        if self.server is None:
            self.server = ForkServer()
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def isolation(self):
        if self.user is None:
            return ("limited: running as an ordinary user, student code shares this user's files and "
                    "processes (run as root for a separate sandbox user)")
        net = {True: "no network", False: "network not isolated (kernel refused)", None: "network unknown"}
        return f"sandbox user {self.user.name} (uid {self.user.uid}), {net[self.network_isolated]}"

    def close(self):
        if self.server is not None:
            self._retire()
            if self.server.restarts:
                self.events.append(f"the fork server was restarted {self.server.restarts} time(s)")
            if self._own_server:
                self.server.close()
            self.server = None
        if self._dirs is not None:
            shutil.rmtree(self._dirs, ignore_errors=True)
            self._dirs = None
        if self.user is not None:
            kill_user_processes(self.user.uid)
            remove_user_files(self.user.uid)
            if self._own_user:
                os.close(self.user.lock)
            self.user = None

    def _make_dirs(self):
        """A run folder: the staged submission (read-only to workers) and a scratch folder.

        As root, the staged files belong to root and the sandbox user's group, unreadable to
        anyone else: in a batch, another student's worker cannot read this student's code.
        """
        root = tempfile.mkdtemp(prefix="ag-run-")
        os.chmod(root, 0o711)
        submission = os.path.join(root, "submission")
        os.mkdir(submission)
        for name, path in self.staged_files.items():
            source = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
            with open(source, "rb") as src, open(os.path.join(submission, name), "wb") as dst:
                shutil.copyfileobj(src, dst)
            self._share(os.path.join(submission, name))
        self._share(submission, folder=True)
        self.staged_files = {name: os.path.join(submission, name) for name in self.staged_files}
        scratch = os.path.join(root, "scratch")
        os.mkdir(scratch, 0o700)
        if self.user is not None:
            os.chown(scratch, self.user.uid, self.user.gid)
        self.submission_dir, self.scratch_dir = submission, scratch
        return root

    def _share(self, path, folder=False):
        """Readable by root and the sandbox user's group only; in local mode there is one user anyway."""
        if self.user is not None:
            os.chown(path, 0, self.user.gid)
            os.chmod(path, 0o750 if folder else 0o640)
        else:
            os.chmod(path, 0o755 if folder else 0o644)

    # ------------------------------------------------------------ calls

    def remaining(self):
        return self.deadline - time.monotonic()

    def call(self, file, function, args, kwargs, timeout=None):
        """Call file's function with plain-data arguments in a worker; return a CallResult."""
        budget = self.remaining()
        if budget <= 0:
            raise failures.BudgetExhausted(self.limits.budget_seconds)
        worker = self._worker_for(file)
        limit = min(timeout or self.limits.call_timeout, budget)
        request = {"op": "call", "function": function,
                   "args": [protocol.encode(a) for a in args],
                   "kwargs": {k: protocol.encode(v) for k, v in kwargs.items()}}
        try:
            reply = self._exchange(worker, request, limit)
        except socket.timeout:
            self._retire()
            raise failures.CallTimeout(file, function, limit) from None
        except protocol.MessageTooLarge as exc:
            self._retire()
            raise failures.ResultTooLarge(file, function, exc.length, self.max_bytes) from None
        except (EOFError, OSError):
            status = self._retire()
            raise failures.WorkerDied(file, function, status, self.limits.memory_mb) from None
        except protocol.ProtocolError as exc:
            self._retire()
            raise failures.BadResult(function, f"the worker sent a malformed reply ({exc})") from None
        return interpret(file, function, reply, self.max_bytes, self.limits.output_chars)

    @property
    def max_bytes(self):
        return self.limits.max_result_mb << 20

    def _exchange(self, worker, request, limit):
        deadline = time.monotonic() + limit
        worker.channel.settimeout(limit)
        worker.channel.sendall(protocol.dumps(request))
        return protocol.recv(worker.channel, self.max_bytes, deadline)

    # ------------------------------------------------------------ workers

    def _worker_for(self, file):
        if file in self.broken:
            raise self.broken[file]
        if file not in self.staged_files:
            raise failures.FileMissing(file, self.notes.get(file))
        if self.current is not None and self.current.file == file:
            return self.current
        self._retire()
        try:
            self.current = self._spawn(file)
        except failures.StudentFailure as failure:
            self.broken[file] = failure
            raise
        return self.current

    def _spawn(self, file):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        uid, gid = (self.user.uid, self.user.gid) if self.user is not None else (None, None)
        request = {
            "op": "spawn", "module": os.path.splitext(file)[0], "path": self.staged_files[file],
            "submission": self.submission_dir, "scratch": self.scratch_dir, "uid": uid, "gid": gid,
            "limits": self.limits.rlimits(uid), "max_result_bytes": self.max_bytes,
            "output_chars": int(self.limits.output_chars),
            "env": {"HOME": self.scratch_dir, "TMPDIR": self.scratch_dir, "PATH": "/usr/bin:/bin",
                    "LANG": "C.UTF-8", **{v: "1" for v in THREAD_VARS}},
        }
        try:
            pid = self.server.spawn(request, theirs)
        finally:
            theirs.close()
        worker = Worker(file, pid, ours)
        self.current = worker
        limit = min(self.limits.import_timeout, max(self.remaining(), 0.1))
        started = protocol.recv(ours, 1 << 16, time.monotonic() + CONTROL_TIMEOUT)
        if started.get("event") != "started":
            self._retire()
            raise RuntimeError(f"the sandbox could not start a worker: {started.get('error')}")
        try:
            hello = protocol.recv(ours, 1 << 20, time.monotonic() + limit)
        except socket.timeout:
            self._retire()
            raise failures.ImportTimeout(file, limit) from None
        except (EOFError, OSError, protocol.ProtocolError):
            status = self._retire()
            raise failures.WorkerDied(file, f"Importing {file}", status, self.limits.memory_mb) from None
        if hello.get("ok") is not True:
            self._retire()
            raise failures.ImportFailed(file, _error(hello.get("error")))
        self.network_isolated = hello.get("network_isolated") is True
        return worker

    def _retire(self):
        """Kill the live worker (and, as root, everything of the sandbox user); its exit status."""
        worker, self.current = self.current, None
        if worker is None:
            return None
        worker.channel.close()
        for kill in (os.killpg, os.kill):
            try:
                kill(worker.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if self.user is not None:
            kill_user_processes(self.user.uid)
        return self.server.wait(worker.pid)


def interpret(file, function, reply, max_bytes, output_chars=Limits.output_chars):
    """A worker's reply to a call, as a CallResult or the StudentFailure it describes.

    Every field is checked: the reply comes from the student's process, so whatever it holds is
    the student's result, good or bad, and never an error of the grader's.
    """
    printed = _text(reply.get("stdout"), output_chars + 100)  # room for the "... not shown" line
    mutated = reply.get("mutated") or []
    if type(mutated) is not list or not all(type(m) is str for m in mutated):
        raise failures.BadResult(function, "the worker sent a malformed reply")
    mutated = [m[:100] for m in mutated[:100]]
    if reply.get("ok") is not True:
        error = _error(reply.get("error"))
        # The worker's own reports name a bare type; a student's exception is module-qualified
        # (toy.ResultTooLarge), so a student's class cannot pass for one of them.
        own = error["types"] == [error["type"]]
        if error["type"] == "NotImplementedError":
            raise failures.NotAttempted(file, function)
        if own and error["type"] == "MissingFunction":
            raise failures.MissingFunction(file, function)
        if own and error["type"] == "Unencodable":
            raise failures.BadResult(function, error["message"])
        if own and error["type"] == "ResultTooLarge":
            message = error["message"]
            size = int(message) if message.isascii() and message.isdigit() and len(message) < 19 else max_bytes + 1
            raise failures.ResultTooLarge(file, function, size, max_bytes)
        failure = failures.StudentRaised(file, function, error)
        failure.printed = printed
        raise failure
    try:
        value = protocol.decode(reply.get("value"))
    except (protocol.ProtocolError, ValueError, RecursionError) as exc:
        raise failures.BadResult(function, f"the worker sent a malformed value ({exc})") from None
    return CallResult(value, printed, mutated)


def _text(value, cap=8000):
    """A string field of a reply, at most `cap` characters; anything else is no text."""
    return value[:cap] if type(value) is str else ""


def _error(error):
    """A worker's error report, reduced to strings of bounded length whatever it sent."""
    error = error if type(error) is dict else {}
    types = error.get("types")
    return {
        "type": _text(error.get("type"), 100) or "Error",
        "types": [t[:100] for t in types[:50] if type(t) is str] if type(types) is list else [],
        "message": _text(error.get("message")),
        "traceback": _text(error.get("traceback")),
    }
