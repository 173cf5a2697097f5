"""The fork server: a clean process with numpy loaded that forks one worker per request.

Started by the trusted side (controller.py) as `python -I -S forkserver.py FD PACKAGES`, it
never loads the reference, the tests or the rubric, so nothing secret is in the memory a worker
inherits; it imports numpy from PACKAGES (runtime.py), a folder the sandbox users can read, and
nothing from site-packages. Forking it costs milliseconds instead of a fresh interpreter and
numpy import per worker.

Each forked child confines itself (confinement/) before any student code runs and sends the
report of its layers as its first message; only then does the worker import the student's file.

The server is a child subreaper: whatever a worker forks and abandons is reparented to it, not
to init, so `sweep` can find and kill every process that came from a worker (and, as root,
every process of the sandbox user), and the server reaps them all.

Requests arrive on a SOCK_SEQPACKET control socket, one JSON packet each, a spawn request
carrying the worker's end of its channel as an SCM_RIGHTS file descriptor.
"""
import ctypes
import gc
import json
import os
import signal
import socket
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
PACKAGES = sys.argv[2] if __name__ == "__main__" else None
sys.path[:] = [SOURCE] + [p for p in sys.path if p not in (HERE, "")] + ([PACKAGES] if PACKAGES else [])

import numpy  # noqa: E402,F401  (loaded once here so every worker starts with it)

# Standard modules a numpy assignment commonly imports, loaded before the fork: free for every worker.
PRELOAD = ("__future__", "bisect", "collections", "copy", "dataclasses", "decimal", "encodings.idna", "fractions",
           "functools", "heapq", "itertools", "json", "math", "numbers", "operator", "random", "re",
           "statistics", "string", "time", "typing", "numpy.linalg", "numpy.fft", "numpy.random")
for _name in PRELOAD:
    __import__(_name)

from autograder.sandbox import cleanup, protocol, worker  # noqa: E402
from autograder.sandbox.confinement import confine, keep_only, network_namespace, off  # noqa: E402


PR_SET_CHILD_SUBREAPER = 36
STATUSES = {}  # pid -> exit status of a child reaped before anyone asked for it


def main(control_fd):
    ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    network = shared_network()
    gc.freeze()  # nothing loaded so far is ever collected: a worker's first collection copies no page of it
    control = socket.socket(fileno=control_fd)
    while True:
        try:
            packet, fds, _flags, _addr = socket.recv_fds(control, 1 << 16, 1)
        except OSError:
            return
        if not packet:
            return
        request = json.loads(packet)
        op = request.get("op")
        if op == "spawn":
            pid = os.fork()
            if pid == 0:
                control.close()
                run_child(fds[0], request, network)
            os.close(fds[0])
            control.send(json.dumps({"pid": pid}).encode())
        elif op == "wait":
            control.send(json.dumps({"status": reap(request["pid"])}).encode())
        elif op == "sweep":
            control.send(json.dumps({"clean": sweep(request.get("uid"), request.get("verify", True))}).encode())
        else:
            return


def reap(pid):
    """The child's exit status as {"exit": code} or {"signal": number}; None if not ours."""
    if pid in STATUSES:
        return STATUSES.pop(pid)
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return None
    return describe(status)


def describe(status):
    if os.WIFSIGNALED(status):
        return {"signal": os.WTERMSIG(status)}
    return {"exit": os.waitstatus_to_exitcode(status)}


def sweep(uid, verify):
    """Kill every process that came from a worker (all of them are below this subreaper) and, with
    `verify`, as root every process of the sandbox user uid wherever it is, confirmed by a scan of
    /proc (for the start and the end of a run); reap them. True when none is left."""
    clean = cleanup.kill_user_processes(uid) if uid is not None and verify else True
    clean = cleanup.kill_descendants(os.getpid()) and clean
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            break
        STATUSES[pid] = describe(status)
    for stale in list(STATUSES)[:-1000]:  # statuses nobody asked for: orphans of workers
        del STATUSES[stale]
    return clean


def shared_network():
    """As root, move this server into a network namespace of its own, with nothing in it, for
    every worker it forks to inherit; the report of that layer (confinement.network_namespace).

    One namespace per server rather than per worker: making and tearing down a namespace costs
    as much CPU as the rest of a worker's start-up, and nothing in it can outlive a worker (it has
    no interface up, seccomp refuses bind, listen and connect, and every process a worker leaves
    is killed before the next submission's worker starts)."""
    if os.geteuid() != 0:
        return off("needs root (CAP_SYS_ADMIN)")
    return network_namespace()


def run_child(channel_fd, request, network):
    """Confine this freshly forked process, report its layers (with `network`, the report of the
    namespace it inherited), then serve one student module (or, for a probe, nothing). Never returns.

    The first message on the channel comes from here, before any student code runs: "started"
    with the layers, or "setup-failed" with the reason, so a broken sandbox is never blamed on
    the student and a student module can never forge the report.
    """
    try:
        channel = socket.socket(fileno=channel_fd)
        try:
            os.setsid()
            keep_only(channel_fd)
            for sig in (signal.SIGCHLD, signal.SIGPIPE, signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, signal.SIG_DFL)
            layers = confine(request, network)
            os.chdir(request["scratch"])
            os.environ.clear()
            os.environ.update(request["env"])
            sys.path[:] = [request["submission"]] + [p for p in sys.path if p not in (SOURCE, HERE, "")]
        except BaseException as exc:
            protocol.send(channel, {"event": "setup-failed", "error": f"{type(exc).__name__}: {exc}"})
            raise
        protocol.send(channel, {"event": "started", "layers": layers})
        if request["module"] is None:
            channel.recv(1)  # a probe: stay alive, for the trusted side to look at, until it hangs up
        else:
            worker.serve(channel, request["module"], request["path"], request["submission"],
                         request["max_result_bytes"], request["output_chars"])
    finally:
        os._exit(0)


if __name__ == "__main__":
    main(int(sys.argv[1]))
