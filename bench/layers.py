"""What the confinement layers cost: run `.venv/bin/python bench/layers.py` (as root for all of them).

The layers cannot be switched off in the grader (no setting turns security off), so their cost is
measured piece by piece, each against the same work without it, on this machine:
  1. putting the layers on a freshly forked worker (fork, confine, exit, against fork, exit), and the
     network namespace its fork server makes once for all of them;
  2. what the seccomp filter adds to a call's round trip (the same socket exchange a call makes,
     in a forked child with and without the filter);
  3. a sweep after a worker retires, the probe worker, and the disk watchdog's polling;
then, with the counts of one real grading of a correct submission (workers, calls, sweeps), the
total as a share of that grading's wall time. Prints a table and puts it into README.md between the
layers markers; no test depends on these figures.
"""
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "source"))

import readme  # noqa: E402  (bench/, this script's own folder)
from autograder.sandbox import runtime  # noqa: E402
from autograder.sandbox.confinement import confine, network_namespace, off  # noqa: E402
from autograder.sandbox.controller import ForkServer, Sandbox  # noqa: E402
from autograder.sandbox.limits import Limits  # noqa: E402
from autograder.sandbox.quota import DiskWatch  # noqa: E402
from autograder.sandbox.users import acquire_user  # noqa: E402

ROUNDS = 200


def forked(body, rounds=ROUNDS):
    """Median seconds of fork + body() + exit in the child + waitpid, over `rounds`."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            try:
                body()
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def layers_per_worker(user, scratch):
    """Seconds the layers add to starting one worker."""
    as_root = user is not None
    request = {"uid": user.uid if as_root else None, "gid": user.gid if as_root else None,
               "user": user.name if as_root else None, "limits": Limits().rlimits(user.uid if as_root else None),
               "readable": runtime.locate(as_root).readable, "submission": scratch, "scratch": scratch}
    return forked(lambda: confine(request, off("the fork server's"))) - forked(lambda: None)


def network_once(user):
    """Seconds the fork server spends once making the network namespace its workers share (root only)."""
    return forked(network_namespace) - forked(lambda: None) if user is not None else 0.0


def round_trip(filtered, rounds=20000):
    """Seconds per request/reply exchange over a socket pair, the worker side under the filter or not."""
    ours, theirs = socket.socketpair()
    pid = os.fork()
    if pid == 0:
        ours.close()
        if filtered:
            from autograder.sandbox.confinement import seccomp
            seccomp.install()
        while theirs.recv(64):
            theirs.sendall(b"reply")
        os._exit(0)
    theirs.close()
    start = time.perf_counter()
    for _ in range(rounds):
        ours.sendall(b"call")
        ours.recv(64)
    elapsed = time.perf_counter() - start
    ours.close()
    os.waitpid(pid, 0)
    return elapsed / rounds


def sweep_and_probe(user):
    """(seconds per sweep after a worker, seconds per probe worker)."""
    uid = user.uid if user else None
    server = ForkServer()
    server.sweep(uid)  # waits for the server to start
    start = time.perf_counter()
    for _ in range(50):
        server.sweep(uid, verify=False)
    sweep = (time.perf_counter() - start) / 50
    with tempfile.TemporaryDirectory() as folder:
        os.chmod(folder, 0o755)
        probes = []
        for _ in range(20):
            sandbox = Sandbox({}, Limits(), server=server, user=user)
            sandbox.__enter__()
            start = time.perf_counter()
            sandbox._probe()
            probes.append(time.perf_counter() - start)
            sandbox.close()
    server.close()
    return sweep, statistics.median(probes)


def watchdog_cpu(scratch, seconds=2.0):
    """CPU seconds per second the disk watchdog's thread uses while it watches."""
    watch = DiskWatch(scratch, 64 << 20, 2000)
    watch.watch(lambda: None, lambda: [])
    start = time.thread_time()
    # thread_time is per thread: measure the watchdog's own polling by running its check here
    polls = int(seconds / watch.interval)
    for _ in range(polls):
        watch.check()
    used = time.thread_time() - start
    watch.stop()
    return used / seconds


def one_grading():
    """(wall seconds, workers, exchanges of calls, sweeps) of grading a copy of the reference."""
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        os.chmod(work, 0o755)
        submission = work / "submission"
        submission.mkdir()
        for path in (REPO / "source" / "reference").glob("*.py"):
            if path.name not in ("__init__.py", "misconceptions.py"):
                (submission / path.name).write_bytes(path.read_bytes())
        script = f"""
import sys, time
sys.path.insert(0, {str(REPO / 'source')!r})
from autograder import cli
from autograder.sandbox import controller
counts = {{"workers": 0, "calls": 0, "sweeps": 0}}
for name, key in (("_spawn", "workers"), ("calls", "calls"), ("_sweep", "sweeps")):
    original = getattr(controller.Sandbox, name)
    def counted(self, *a, _original=original, _key=key, **k):
        counts[_key] += 1
        return _original(self, *a, **k)
    setattr(controller.Sandbox, name, counted)
start = time.perf_counter()
cli.grade({str(submission)!r}, {str(work / 'results.json')!r}, rubric_path={str(REPO / 'rubric.yaml')!r},
          tests_dir={str(REPO / 'tests')!r})
print(time.perf_counter() - start, counts["workers"], counts["calls"], counts["sweeps"])
"""
        runs = [subprocess.run([sys.executable, "-I", "-c", script], check=True, capture_output=True,
                               text=True).stdout.split() for _ in range(5)]
    wall = statistics.median(float(run[0]) for run in runs)
    return wall, int(runs[0][1]), int(runs[0][2]), int(runs[0][3])


def main():
    user = acquire_user()
    try:
        with tempfile.TemporaryDirectory() as scratch:
            os.chmod(scratch, 0o777)
            per_worker = layers_per_worker(user, scratch)
            network = network_once(user)
            plain, filtered = round_trip(False), round_trip(True)
            sweep, probe = sweep_and_probe(user)
            watchdog = watchdog_cpu(scratch)
        wall, workers, calls, sweeps = one_grading()
    finally:
        if user is not None:
            os.close(user.lock)
    per_call = max(filtered - plain, 0.0)
    total = network + workers * per_worker + calls * per_call * 2 + sweeps * sweep + probe + watchdog * wall
    rows = [
        ("the network namespace, made once by the fork server", f"{network * 1e3:.2f} ms"),
        ("putting the other layers on one worker", f"{per_worker * 1e3:.2f} ms"),
        ("seccomp on one call (two exchanges)",
         (f"{per_call * 2e6:.1f} µs" if per_call > 0 else "too small to measure")
         + f" (a round trip without it: {plain * 1e6:.1f} µs)"),
        ("sweep after a worker retires", f"{sweep * 1e3:.2f} ms"),
        ("probe worker, once a run", f"{probe * 1e3:.1f} ms"),
        ("disk watchdog", f"{watchdog * 100:.2f}% of one core while a worker lives"),
        (f"one grading of a correct submission ({workers} workers, {calls} exchanges of calls, {sweeps} sweeps)",
         f"{wall:.2f} s"),
        ("all layers in that grading",
         f"{total * 1e3:.0f} ms = {100 * total / wall:.1f}% of it"),
    ]
    mode = "root" if user is not None else "an ordinary user"
    table = "\n".join([f"Measured {time.strftime('%Y-%m-%d')} by `bench/layers.py` as {mode}, on the machine above.",
                       "", "| what the confinement layers cost | figure |", "|---|---|",
                       *(f"| {what} | {figure} |" for what, figure in rows)])
    readme.replace_section("layers", table)
    print(table)


if __name__ == "__main__":
    main()
