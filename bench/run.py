"""Benchmarks of the grader: run `.venv/bin/python bench/run.py` (as root for the real sandbox).

Measures, on this machine:
  1. wall time of ./run_autograder on one correct submission (interpreter start to results.json);
  2. the same graded tests run unsandboxed, student code called in the test process itself;
  3. the per-call cost of the sandbox's proxy, against a direct call;
  4. batch throughput: ./grader batch over copies of the corpus's four correct styles, and beside it a
     batch of one copy of each, which separates the batch's start-up from its steady rate (what a
     class of hundreds sees);
  5. with --compare REV: 1, 3 and 4 again with the code of git revision REV (checked out in a
     temporary worktree, sharing this .venv), to show what a change costs or saves. The confinement
     layers of issue 7 were measured with `--compare d3ecbee`, the last commit without them; the
     batch speed-ups of issue 9 with `--compare e3c1f63`. Everything compared is measured in
     alternation, so a noisy neighbour on a shared host slows each alike.
Writes bench/results.md and copies it into README.md between the bench markers. These figures are
reports, never assertions: no test depends on how fast anything runs.
"""
import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "source"))

import readme  # noqa: E402  (bench/, this script's own folder)
STYLES = REPO / "selftests" / "corpus" / "styles"
RUNS = 5
BATCH_RUNS = 3

UNSANDBOXED = """
import os, sys
sys.path.insert(0, {source!r})
from autograder import cli, discovery, rubric
from autograder.sandbox import controller, protocol, replies, worker


class InProcessSandbox:
    \"\"\"The Sandbox interface with student code imported and called in this very process.\"\"\"
    def __init__(self, staged, limits=None, notes=None, **_):
        self.staged, self.modules = staged, {{}}
        self.isolation, self.events = {{"summary": "none (benchmark)", "layers": {{}}}}, []
        self.capture = worker.CappedText()
        sys.path.insert(0, {folder!r})
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        pass
    def ready(self):
        pass
    def calls(self, file, function, arguments, timeout=None, visible=False, past_failures=False):
        if file not in self.modules:
            self.modules[file] = worker.import_student_module(file[:-3], self.staged[file])
        request = protocol.calls_request(function, arguments, past_failures)
        answers = worker.answer_all(self.modules[file], request, self.capture, {folder!r}, 16 << 20)
        frame = worker.framed(answers, 16 << 20)
        return replies.interpret_all(file, function, protocol.loads(frame[protocol.HEADER.size:]), len(arguments),
                                     16 << 20, past_failures=past_failures)


controller.Sandbox = InProcessSandbox
r = rubric.load({rubric!r})
outcomes, _, _ = cli.run_tests(discovery.discover({folder!r}, r.files), r, {tests!r}, False)
assert all(o.passed for o in outcomes), [o.id for o in outcomes if not o.passed]
"""


def correct_submission(folder):
    folder.mkdir(parents=True, exist_ok=True)
    for path in (REPO / "source" / "reference").glob("*.py"):
        if path.name != "__init__.py":
            shutil.copy(path, folder / path.name)
    return folder


def timed(command, **kwargs):
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, **kwargs)
    return time.perf_counter() - start


def grading_once(submission, work, checkout=REPO):
    results = work / "results.json"
    seconds = timed([str(checkout / "run_autograder"), "--submission", str(submission), "--results", str(results),
                     "--quiet"])
    assert json.loads(results.read_text())["score"] == 100
    return seconds


def unsandboxed_command(submission):
    """Grading `submission` with the same tests, student code imported into the test process."""
    script = UNSANDBOXED.format(source=str(REPO / "source"), folder=str(submission),
                                rubric=str(REPO / "rubric.yaml"), tests=str(REPO / "tests"))
    return [sys.executable, "-I", "-c", script]


CALLS = """
import sys, time
sys.path.insert(0, {source!r})
import numpy as np
from autograder.sandbox.controller import Sandbox
x = np.random.default_rng(0).normal(size=(16, 8))
with Sandbox({{"identity.py": {module!r}}}) as sandbox:
    sandbox.call("identity.py", "identity", (x,), {{}})
    start = time.perf_counter()
    for _ in range({calls}):
        sandbox.call("identity.py", "identity", (x,), {{}})
    print((time.perf_counter() - start) / {calls})
"""


def sandboxed_call(work, source=REPO / "source", calls=1000):
    """Seconds per call through the sandbox of the engine in `source`, identity on a 16x8 array."""
    module = work / "identity.py"
    module.write_text("def identity(x):\n    return x\n")
    script = CALLS.format(source=str(source), module=str(module), calls=calls)
    return float(subprocess.run([sys.executable, "-I", "-c", script], check=True, capture_output=True,
                                text=True).stdout)


def direct_call(work, calls=2000):
    """Seconds per direct call of the same identity function, in this process."""
    import numpy as np
    module = work / "identity.py"
    x = np.random.default_rng(0).normal(size=(16, 8))
    namespace = {}
    exec(module.read_text(), namespace)
    start = time.perf_counter()
    for _ in range(calls):
        namespace["identity"](x)
    return (time.perf_counter() - start) / calls


def batch_throughput(work, checkout=REPO, copies=10):
    """(submissions, seconds, CPU seconds per submission) for `checkout`'s ./grader batch on every core."""
    root, out = work / "class", work / "batch"
    shutil.rmtree(root, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    for style in sorted(p for p in STYLES.iterdir() if p.is_dir()):
        for i in range(copies):
            shutil.copytree(style, root / f"{style.name}-{i}")
    count = len(list(root.iterdir()))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds = timed([str(checkout / "grader"), "batch", str(root), "--out", str(out), "--quiet"])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return count, seconds, cpu / count


def batches(work, checkout=None):
    """{"now": [(count, seconds, cpu)...], "before": [...], "one per style": [...]}: BATCH_RUNS batches of
    each engine, alternated, and as many of this engine's batches of one submission per style, whose
    time beside the full batch's separates a batch's start-up from its steady rate."""
    engines = {"now": REPO} | ({"before": checkout} if checkout else {})
    runs = {name: [] for name in [*engines, "one per style"]}
    for _ in range(BATCH_RUNS):
        for name, root in engines.items():
            runs[name].append(batch_throughput(work, root))
        runs["one per style"].append(batch_throughput(work, REPO, copies=1))
    return runs


def steady(full, small):
    """(start-up seconds, submissions/s after it) from a full batch and a small one (count, seconds, cpu)."""
    rate = (full[0] - small[0]) / (full[1] - small[1])
    return max(0.0, small[1] - small[0] / rate), rate


def median_batch(runs):
    """The run of median wall time among (count, seconds, cpu) runs."""
    return sorted(runs, key=lambda run: run[1])[len(runs) // 2]


def machine_speed():
    """Seconds for a fixed pure-Python loop (best of 3): a yardstick for comparing machines."""
    def loop():
        start, total = time.perf_counter(), 0
        for i in range(10**7):
            total += i
        return time.perf_counter() - start
    return min(loop() for _ in range(3))


def machine():
    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
                 platform.processor())
    memory = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal")) / 2**20
    import numpy
    mode = "root, sandbox users" if os.geteuid() == 0 else "ordinary user (limited isolation)"
    return (f"{os.cpu_count()} cores ({model}), {memory:.0f} GiB, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, numpy {numpy.__version__}, run as {mode}")


def measured(submission, work, checkout=None):
    """Median grading seconds and µs per sandboxed call for this engine ("now") and, if given, the
    engine in `checkout` ("before"), and median seconds of the unsandboxed grading ("unsandboxed"),
    taken in alternation so that a noisy neighbour on a shared host slows all alike."""
    engines = {"now": REPO} | ({"before": checkout} if checkout else {})
    gradings = {name: [] for name in engines}
    calls = {name: [] for name in engines}
    plain = []
    for _ in range(RUNS):
        for name, root in engines.items():
            gradings[name].append(grading_once(submission, work, root))
            calls[name].append(sandboxed_call(work, root / "source"))
        plain.append(timed(unsandboxed_command(submission)))
    figures = {name: (statistics.median(gradings[name]), statistics.median(calls[name]) * 1e6) for name in engines}
    return figures | {"unsandboxed": statistics.median(plain)}


def worktree(revision, work):
    """A temporary checkout of `revision` that shares this .venv."""
    checkout = work / "compare"
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "-q", str(checkout), revision], check=True)
    (checkout / ".venv").symlink_to(REPO / ".venv")
    return checkout


def main():
    options = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    options.add_argument("--compare", metavar="REV", help="also measure grading and calls with revision REV's engine")
    args = options.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        os.chmod(work, 0o755)
        submission = correct_submission(work / "reference-copy")
        checkout = worktree(args.compare, work) if args.compare else None
        try:
            figures = measured(submission, work, checkout)
            throughput = batches(work, checkout)
        finally:
            if checkout:
                subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(checkout)], check=True)
        direct = direct_call(work) * 1e6
        speed = machine_speed()
    (sandboxed, per_call), plain = figures["now"], figures["unsandboxed"]
    count, seconds, cpu = median_batch(throughput["now"])
    rate = count / seconds
    start_up, steady_rate = steady((count, seconds, cpu), median_batch(throughput["one per style"]))
    rows = []
    if "before" in figures:
        rev = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", args.compare], capture_output=True,
                             text=True).stdout.strip()
        before = figures["before"]
        _, old_seconds, old_cpu = median_batch(throughput["before"])
        rows = [f"| the same grading at revision {rev}: its engine, tests and rubric (alternated with the above) | "
                f"{before[0]:.2f} s (now {100 * (sandboxed / before[0] - 1):+.1f}%) |",
                f"| one call through the sandbox of {rev} | {before[1]:.0f} µs (now {100 * (per_call / before[1] - 1):+.1f}%) |",
                f"| the same batch at revision {rev} (alternated with the above) | {count / old_seconds:.2f} "
                f"submissions/s, {old_cpu:.2f} CPU s each (now {rate / (count / old_seconds):.2f}x as fast) |"]
    table = "\n".join([
        f"Measured {time.strftime('%Y-%m-%d')} by `bench/run.py` on: {machine()}; a 10^7-step Python loop "
        f"took {speed:.2f} s here (a yardstick for other machines).",
        "",
        "| what | figure |",
        "|---|---|",
        f"| grading one correct submission, sandboxed (`./run_autograder`, wall, median of {RUNS}) | {sandboxed:.2f} s |",
        f"| the same tests unsandboxed, student code in the test process (wall, median of {RUNS}) | {plain:.2f} s |",
        f"| sandboxed / unsandboxed | {sandboxed / plain:.2f}x |",
        f"| one call through the sandbox (16x8 array in and out) | {per_call:.0f} µs (direct call: {direct:.2f} µs) |",
        f"| batch of {count} submissions (4 correct styles x {count // 4}), `./grader batch`, all cores, median of "
        f"{BATCH_RUNS} | {seconds:.1f} s, {rate:.2f} submissions/s |",
        f"| CPU time per submission in that batch (all processes) | {cpu:.2f} s, so at most "
        f"{os.cpu_count() / cpu:.2f} submissions/s on {os.cpu_count()} idle cores |",
        f"| of that batch's time: start-up (collecting the tests, fork servers), then the steady rate (from a "
        f"batch of 4 beside it) | {start_up:.1f} s, then {steady_rate:.2f} submissions/s |",
        f"| a class of 1,000 at that rate | {(start_up + 1000 / steady_rate) / 60:.1f} min |",
        *rows,
    ])
    (REPO / "bench" / "results.md").write_text(table + "\n")
    readme.replace_section("bench", table)
    print(table)


if __name__ == "__main__":
    main()
