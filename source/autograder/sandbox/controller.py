"""The trusted side of the trust boundary: workers that run student code, and what they may do.

A Sandbox owns one fork server (forkserver.py) and at most one live worker at a time, each worker
serving one student file. `call` ships plain data to the worker and waits, with a deadline, for
plain data back; `calls` does the same for several calls of one function in one exchange.
Whatever goes wrong over there (a hang, a crash, garbage on the wire, an enormous result, too much
written to disk) becomes a StudentFailure here, the worker is killed, and the next call gets a
fresh one.

Before any student file is imported, a probe worker confines itself and reports its layers
(confinement/; a batch probes each of its slots once instead); every later worker reports again,
and the sandbox checks from outside what it can (observe): `isolation` is built from those
reports only, never from anything a student module could rewrite. A rubric that requires a layer this machine lacks stops the run with
SandboxMisconfigured instead of grading with less.

Hidden inputs never reach visible feedback: once a worker has served a hidden test, a visible
test gets a fresh worker and a fresh scratch folder, and (as root) nothing the sandbox user left
anywhere survives. The plugin runs each file's visible tests before its hidden ones, so this
normally costs no extra worker.
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
from autograder.sandbox import protocol, runtime
from autograder.sandbox.cleanup import (descendants, kill_descendants, kill_user_processes, remove_leftovers,
                                        remove_stale_runs, user_processes, writable_places)
from autograder.sandbox.limits import LAYERS, Limits
from autograder.sandbox.quota import DiskWatch
from autograder.sandbox.replies import (CallResult, error_report as _error, first_result, interpret,  # noqa: F401
                                       interpret_all, pinned)
from autograder.sandbox.users import acquire_user

FORKSERVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "forkserver.py")
CONTROL_TIMEOUT = 30.0
THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")


class SandboxMisconfigured(Exception):
    """The rubric requires confinement layers this machine does not provide: not the student's fault."""

    def __init__(self, missing, layers):
        self.missing = missing
        reasons = "; ".join(f"{name}: {layers.get(name, {}).get('detail', 'not reported')}" for name in missing)
        super().__init__(f"rubric.yaml requires the sandbox layer(s) {', '.join(missing)}, which this machine "
                         f"does not provide ({reasons})")


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

    def __init__(self, worker_runtime=None):
        self.runtime = worker_runtime or runtime.locate(as_root=os.geteuid() == 0)
        self.restarts = 0
        self._start()

    def _start(self):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", **{v: "1" for v in THREAD_VARS}}
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-S", "-B", FORKSERVER, str(theirs.fileno()), self.runtime.packages],
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

    def sweep(self, uid, verify=True):
        """Kill every process that came from a worker (with `verify` and uid, every process of
        that sandbox user anywhere, confirmed by a scan of /proc); True when none is left."""
        return self._request({"op": "sweep", "uid": uid, "verify": verify}).get("clean", False)

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
    the sandbox starts its own fork server and, as root, locks a sandbox user of its own. `probed`
    is the layers a probe worker of that same server and user already reported (a batch probes
    each slot once): this sandbox then starts no probe of its own.
    """

    def __init__(self, staged_files, limits=None, isolate=True, notes=None, server=None, user=None, probed=None):
        self.limits = limits or Limits()
        self.notes = notes or {}  # file -> what discovery said about it (why it is missing)
        self.isolate = isolate    # False: no user switch even as root (for tests of local mode)
        self.user, self._own_user = user, user is None
        self.server, self._own_server = server, server is None
        self.staged_files = dict(staged_files)  # file name -> path of the student's file
        self.deadline = time.monotonic() + self.limits.budget_seconds
        self.current = None
        self.broken = {}  # file -> the StudentFailure its import ended in
        self.layers = dict(probed or {})  # layer -> {"on": bool, "detail": str}, from the workers' reports and our checks
        self._probed = probed is not None
        self.tainted = False  # a worker has served a hidden test since the last fresh start
        self.events = []  # instructor-facing log lines
        self.watch = None
        self._dirs = None
        self._ready = False

    # ------------------------------------------------------------ lifecycle

    def __enter__(self):
        try:
            if self.isolate and self.user is None:
                self.user = acquire_user()
            if self.user is not None:  # whatever a grader that was killed may have left
                kill_user_processes(self.user.uid)
                remove_stale_runs(self.user.gid)
                remove_leftovers(self.user.uid)
            if self.server is None:
                self.server = ForkServer()  # starts in the background, while pytest collects the tests
            self._dirs = self._make_dirs()
        except BaseException:
            self.close()
            raise
        return self

    def ready(self):
        """Probe the layers (the first wait for the fork server), start the disk watch, and refuse
        to go on without a layer the rubric requires (SandboxMisconfigured). The grader calls this
        once pytest has collected the tests; a call or `isolation` before then calls it first."""
        if self._ready:
            return
        self._ready = True
        if not self._probed:
            self._probe()
        self._start_watch()
        missing = [layer for layer in self.limits.require if not self.layers.get(layer, {}).get("on")]
        if missing:
            raise SandboxMisconfigured(missing, self.layers)

    def __exit__(self, *exc):
        self.close()

    @property
    def isolation(self):
        """{"summary": one line for people, "layers": {layer: {"on", "detail"}}}, in LAYERS order."""
        self.ready()
        layers = {name: self.layers[name] for name in LAYERS if name in self.layers}
        on = [name for name, layer in layers.items() if layer["on"]]
        off = [name for name, layer in layers.items() if not layer["on"]]
        summary = ("layers on: " + (", ".join(on) or "none")) + ("; off: " + ", ".join(off) if off else "")
        return {"summary": summary, "layers": layers}

    def close(self):
        if self.watch is not None:
            self.watch.stop()
        if self.server is not None:
            self._retire()
            self._sweep()
            if self.server.restarts:
                self.events.append(f"the fork server was restarted {self.server.restarts} time(s)")
            if self._own_server:
                self.server.close()
            self.server = None
        if self._dirs is not None:
            shutil.rmtree(self._dirs, ignore_errors=True)
            self._dirs = None
        if self.user is not None:
            remove_leftovers(self.user.uid)
            if self._own_user:
                os.close(self.user.lock)
            self.user = None

    def _make_dirs(self):
        """A run folder: the staged submission (read-only to workers) and a scratch folder.

        As root, the staged files belong to root and the sandbox user's group, unreadable to
        anyone else: in a batch, another student's worker cannot read this student's code.
        """
        root = tempfile.mkdtemp(prefix="ag-run-")
        try:
            os.chmod(root, 0o711)
            submission = os.path.join(root, "submission")
            os.mkdir(submission)
            for name, path in self.staged_files.items():
                source = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
                with open(source, "rb") as src, open(os.path.join(submission, name), "wb") as dst:
                    shutil.copyfileobj(src, dst)
                self._share(os.path.join(submission, name))
            self._share(submission, folder=True)
        except BaseException:
            shutil.rmtree(root, ignore_errors=True)  # a half-made run folder (a full disk) is not left behind
            raise
        self.staged_files = {name: os.path.join(submission, name) for name in self.staged_files}
        self.submission_dir, self.scratch_dir = submission, os.path.join(root, "scratch")
        self._new_scratch()
        return root

    def _new_scratch(self):
        shutil.rmtree(self.scratch_dir, ignore_errors=True)
        os.mkdir(self.scratch_dir, 0o700)
        if self.user is not None:
            os.chown(self.scratch_dir, self.user.uid, self.user.gid)

    def _share(self, path, folder=False):
        """Readable by root and the sandbox user's group only; in local mode there is one user anyway."""
        if self.user is not None:
            os.chown(path, 0, self.user.gid)
            os.chmod(path, 0o750 if folder else 0o640)
        else:
            os.chmod(path, 0o755 if folder else 0o644)

    # ------------------------------------------------------------ what the workers can do

    def _probe(self):
        """Start a worker that imports nothing: its report of the layers, before any student code."""
        ours, pid = self._fork(None)
        try:
            self._started(ours, pid)
        finally:
            ours.close()
            self._kill(pid)
            self.server.wait(pid)

    def _started(self, channel, pid):
        """Read a new worker's first message (its layers) and record them, checked from outside."""
        started = protocol.recv(channel, 1 << 16, time.monotonic() + CONTROL_TIMEOUT)
        if started.get("event") != "started" or type(started.get("layers")) is not dict:
            raise RuntimeError(f"the sandbox could not start a worker: {started.get('error')}")
        self._record(observe(pid, started["layers"], self.user))

    def _record(self, report):
        """Merge one worker's layers into the run's: a layer is on only if it was on in every worker."""
        for name in LAYERS:
            layer = report.get(name)
            if not isinstance(layer, dict):
                continue
            fresh = {"on": layer.get("on") is True, "detail": str(layer.get("detail", ""))[:300]}
            if name not in self.layers or (self.layers[name]["on"] and not fresh["on"]):
                self.layers[name] = fresh

    def _start_watch(self):
        """The disk quota: scratch always; as root without Landlock also the shared places."""
        landlock = self.layers.get("landlock", {}).get("on", False)
        uid = self.user.uid if self.user is not None else None
        shared = writable_places() if uid is not None and not landlock else []
        self.watch = DiskWatch(self.scratch_dir, int(self.limits.disk_mb) << 20, int(self.limits.disk_files),
                               uid=uid, shared=shared)
        if uid is None and not landlock:
            self.layers["disk-quota"] = {"on": False, "detail": (
                "student code runs as this user and may write wherever it can; only its scratch folder is counted")}
        else:
            where = "its scratch folder" if landlock else "its scratch folder and every shared writable folder"
            self.layers["disk-quota"] = {"on": True, "detail": (
                f"{self.limits.disk_mb:g} MB and {self.limits.disk_files:g} files and folders in {where}, "
                f"checked every {self.watch.interval * 1000:.0f} ms")}

    # ------------------------------------------------------------ calls

    def remaining(self):
        return self.deadline - time.monotonic()

    def call(self, file, function, args, kwargs, timeout=None, visible=False):
        """Call file's function with plain-data arguments in a worker; return a CallResult, or
        raise the StudentFailure that describes what went wrong.

        `visible`: the call belongs to a visible test. A hidden call's inputs are secret until the
        due date, so after one, a visible call first gets a fresh worker and scratch folder.
        """
        return first_result(self.calls(file, function, [(args, kwargs)], timeout, visible))

    def calls(self, file, function, arguments, timeout=None, visible=False, past_failures=False):
        """Call file's function once per (args, kwargs) in `arguments`, in one exchange with the
        worker; an outcome per call made (a CallResult or a StudentFailure), up to the first
        failure or, with `past_failures`, every call but those after a hang or a crash.

        The whole exchange has the time limit of one call, `timeout` (or call_timeout): calls of
        correct code take milliseconds, and a hang costs what it would cost in a single call. If
        the exchange fails as a whole, the calls are made again one by one (replies.pinned)."""
        return pinned(lambda some: self._exchange_calls(file, function, some, timeout, visible, past_failures),
                      arguments, past_failures)

    def _exchange_calls(self, file, function, arguments, timeout, visible, past_failures):
        self.ready()
        budget = self.remaining()
        if budget <= 0:
            raise failures.BudgetExhausted(self.limits.budget_seconds)
        if visible and self.tainted:
            self._fresh_start(file)
        self.tainted = self.tainted or not visible
        worker = self._worker_for(file)
        limit = min(timeout or self.limits.call_timeout, budget)
        request = protocol.calls_request(function, arguments, past_failures)
        try:
            reply = self._exchange(worker, request, limit)
        except socket.timeout:
            self._retire()
            raise failures.CallTimeout(file, function, limit) from None
        except protocol.MessageTooLarge as exc:
            self._retire()
            raise failures.ResultTooLarge(file, function, exc.length, self.max_bytes) from None
        except (EOFError, OSError):
            raise self._died(file, function) from None
        except protocol.ProtocolError as exc:
            self._retire()
            raise failures.BadResult(function, f"the worker sent a malformed reply ({exc})") from None
        return interpret_all(file, function, reply, len(arguments), self.max_bytes, self.limits.output_chars,
                             past_failures)

    @property
    def max_bytes(self):
        return self.limits.max_result_mb << 20

    def _exchange(self, worker, request, limit):
        deadline = time.monotonic() + limit
        worker.channel.settimeout(limit)
        worker.channel.sendall(protocol.dumps(request))
        return protocol.recv(worker.channel, self.max_bytes, deadline)

    def _died(self, file, function):
        """The failure for a worker that ended mid-call: over the disk quota, or its exit status."""
        status = self._retire()
        if self.watch is not None and self.watch.exceeded:
            exceeded, self.watch.exceeded = self.watch.exceeded, None
            self._new_scratch()
            return failures.DiskQuotaExceeded(file, function, exceeded)
        return failures.WorkerDied(file, function, status, self.limits.memory_mb)

    def _fresh_start(self, file):
        """Nothing of what served hidden tests survives: no worker, no scratch, no leftovers.
        Staff hear of it when it costs a worker: one that served `file` had to go."""
        if self.current is not None and self.current.file == file:
            self.events.append(f"a visible test of {file} ran after its hidden ones: fresh worker and scratch folder")
        self._retire()
        if self.user is not None and not self._writes_only_scratch():
            remove_leftovers(self.user.uid)
        self._new_scratch()
        self.broken.clear()
        self.tainted = False

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

    def _fork(self, file):
        """Ask the fork server for a confined worker serving `file` (None: a probe); (channel, pid)."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        uid, gid = (self.user.uid, self.user.gid) if self.user is not None else (None, None)
        request = {
            "op": "spawn", "module": os.path.splitext(file)[0] if file else None,
            "path": self.staged_files[file] if file else None,
            "submission": self.submission_dir, "scratch": self.scratch_dir, "readable": self.server.runtime.readable,
            "uid": uid, "gid": gid, "user": self.user.name if self.user is not None else None,
            "limits": self.limits.rlimits(uid), "max_result_bytes": self.max_bytes,
            "output_chars": int(self.limits.output_chars),
            "env": {"HOME": self.scratch_dir, "TMPDIR": self.scratch_dir, "PATH": "/usr/bin:/bin",
                    "LANG": "C.UTF-8", **{v: "1" for v in THREAD_VARS}},
        }
        try:
            pid = self.server.spawn(request, theirs)
        finally:
            theirs.close()
        return ours, pid

    def _spawn(self, file):
        ours, pid = self._fork(file)
        worker = Worker(file, pid, ours)
        self.current = worker
        self.watch.watch(self._killer(pid), self._processes(pid))
        try:
            self._started(ours, pid)
        except (EOFError, OSError, protocol.ProtocolError, RuntimeError) as exc:
            self._retire()
            raise RuntimeError(f"the sandbox could not start a worker: {exc}") from None
        limit = min(self.limits.import_timeout, max(self.remaining(), 0.1))
        try:
            hello = protocol.recv(ours, 1 << 20, time.monotonic() + limit)
        except socket.timeout:
            self._retire()
            self.events.append(f"{file}: importing it took longer than {limit:g} s")
            raise failures.ImportTimeout(file, limit) from None
        except (EOFError, OSError, protocol.ProtocolError):
            raise self._died(file, f"Importing {file}") from None
        if hello.get("ok") is not True:
            self._retire()
            raise failures.ImportFailed(file, _error(hello.get("error")))
        return worker

    def _killer(self, pid):
        """How the disk watch stops this worker: everything of the sandbox user, or everything
        that came from the fork server (whose child subreaper catches what a worker abandons)."""
        if self.user is not None:
            uid = self.user.uid
            return lambda: kill_user_processes(uid)
        server = self.server.process.pid
        return lambda: (self._kill(pid), kill_descendants(server))

    def _processes(self, pid):
        """The processes whose deleted open files count towards the quota: the sandbox user's, or
        the worker's tree; none under Landlock and seccomp, which let no file lose its name."""
        if self._writes_only_scratch():
            return lambda: []
        if self.user is not None:
            uid = self.user.uid
            return lambda: user_processes(uid)
        return lambda: descendants(pid)

    def _writes_only_scratch(self):
        """Landlock and seccomp are on in every worker: nothing but the scratch folder can be
        written, and no file there can lose its name (nor an IPC object be made)."""
        return self.layers.get("landlock", {}).get("on") and self.layers.get("seccomp", {}).get("on")

    @staticmethod
    def _kill(pid):
        for kill in (os.killpg, os.kill):
            try:
                kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def _retire(self):
        """Kill the live worker (and, as root, everything of the sandbox user); its exit status."""
        worker, self.current = self.current, None
        if worker is None:
            return None
        if self.watch is not None:
            self.watch.unwatch()  # after this no kill is in flight, so the pid cannot be reused under it
        worker.channel.close()
        self._kill(worker.pid)
        self._sweep(verify=False)  # what the worker left is below the fork server; the run's end checks all
        return self.server.wait(worker.pid)

    def _sweep(self, verify=True):
        if not self.server.sweep(self.user.uid if self.user is not None else None, verify):
            self.events.append("some process of the sandbox would not die when a worker retired")


def observe(pid, reported, user):
    """A worker's reported layers, corrected by what the trusted side sees in /proc/PID/status.

    The report comes from the worker before any student code runs; this is a second opinion on
    the layers the kernel shows (uid, no_new_privs, seccomp mode, and, where this process may look,
    a network namespace other than its own).
    """
    layers = {name: dict(layer) for name, layer in reported.items() if isinstance(layer, dict)}
    try:
        with open(f"/proc/{pid}/status") as status:
            fields = dict(line.rstrip("\n").split(":\t", 1) for line in status if ":\t" in line)
    except OSError:
        return layers
    seen = {"seccomp": fields.get("Seccomp", "").strip() == "2",
            "no-new-privs": fields.get("NoNewPrivs", "").strip() == "1"}
    theirs, ours = _network_of(pid), _network_of("self")
    if theirs is not None and ours is not None:
        seen["network-namespace"] = theirs != ours
    if user is not None:
        seen["sandbox-user"] = fields.get("Uid", "").split()[:1] == [str(user.uid)]
    for name, ok in seen.items():
        if layers.get(name, {}).get("on") and not ok:
            layers[name] = {"on": False, "detail": "reported on, but the kernel shows otherwise in /proc"}
    return layers


def _network_of(pid):
    """The network namespace of a process, or None where /proc does not show it (a worker of
    another user, to a root without CAP_SYS_PTRACE, as in Docker)."""
    try:
        return os.readlink(f"/proc/{pid}/ns/net")
    except OSError:
        return None
