"""Grading a whole class: `./grader batch`, and `./grader rescore` after a rubric edit.

The batch controller is a trusted process that imports pytest, numpy, the reference and the
graded tests once, then forks one child per submission, so no child pays for interpreter and
numpy start-up. Each of the `--jobs` parallel slots owns a fork server and (as root) a sandbox
user for the whole batch. A child that crashes costs only its own submission; a batch that is
stopped resumes where it stopped, because a submission counts as done once its record exists.

Output folder:
    results/<submission>/results.json   what Gradescope would show
    results/<submission>/record.json    raw outcomes, for rescore and report
    grades.csv                          one row per submission: total, per file, per test
"""
import csv
import dataclasses
import json
import os
import sys
import time

import yaml

from autograder import cli, records, results as results_module, rubric as rubric_module
from staff.paths import DEFAULT_RUBRIC, DEFAULT_TESTS


@dataclasses.dataclass
class Submission:
    id: str
    folder: str
    students: list  # names (or the folder name when unknown)
    emails: list = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Slot:
    server: object
    user: object


def find_submissions(root):
    """Submissions under root: Gradescope's export (submission_metadata.yml) or one folder each."""
    metadata = os.path.join(root, "submission_metadata.yml")
    if os.path.exists(metadata):
        with open(metadata, encoding="utf-8") as stream:
            entries = yaml.safe_load(stream) or {}
        found = []
        for key, info in sorted(entries.items()):
            submitters = (info or {}).get(":submitters") or (info or {}).get("submitters") or []
            found.append(Submission(
                str(key), os.path.join(root, str(key)),
                [s.get(":name") or s.get("name") or str(key) for s in submitters] or [str(key)],
                [s.get(":email") or s.get("email") or "" for s in submitters]))
        return found
    return [Submission(name, os.path.join(root, name), [name])
            for name in sorted(os.listdir(root))
            if os.path.isdir(os.path.join(root, name)) and not name.startswith(".")]


def paths(out, submission):
    folder = os.path.join(out, "results", submission.id)
    return os.path.join(folder, "results.json"), os.path.join(folder, "record.json")


def remember(out, submission):
    """Who a submission belongs to, kept beside its results for rescore and report."""
    folder = os.path.join(out, "results", submission.id)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "student.json"), "w", encoding="utf-8") as stream:
        json.dump(dataclasses.asdict(submission), stream)


def run_batch(root, out, *, jobs, rubric_path=DEFAULT_RUBRIC, tests_dir=DEFAULT_TESTS, progress=True):
    """Grade every submission under root not yet graded into out; returns (graded, skipped, crashed)."""
    from autograder.sandbox.controller import ForkServer
    from autograder.sandbox.users import acquire_user
    submissions = find_submissions(root)
    todo = [s for s in submissions if not os.path.exists(paths(out, s)[1])]
    os.makedirs(out, exist_ok=True)
    # Each student's code runs while the others' submissions and results sit on the same disk.
    cli.lock_grader_files([root, out])
    rubric = rubric_module.load(rubric_path)
    cli.collect_tests(tests_dir, rubric)  # imports the tests and the reference once, before forking
    slots = [Slot(ForkServer(), acquire_user()) for _ in range(max(1, min(jobs, len(todo))))] if todo else []
    bar = Progress(len(todo), enabled=progress)
    running, crashed = {}, 0
    free = list(range(len(slots)))
    try:
        for submission in todo:
            if not free:
                crashed += _reap(running, free, out, bar)
            slot = free.pop()
            remember(out, submission)
            running[_fork(submission, slots[slot], out, rubric_path, tests_dir)] = (submission, slot)
        while running:
            crashed += _reap(running, free, out, bar)
    finally:
        for slot in slots:
            slot.server.close()
            if slot.user is not None:
                os.close(slot.user.lock)
        bar.done()
    write_csv(out, graded_submissions(out), rubric)
    return len(todo), len(submissions) - len(todo), crashed


def _fork(submission, slot, out, rubric_path, tests_dir):
    results_path, record_path = paths(out, submission)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            sys.stdout = sys.stderr = open(os.devnull, "w")
            cli.grade(submission.folder, results_path, rubric_path=rubric_path, tests_dir=tests_dir,
                      record_path=record_path, slot=slot)
            code = 0
        finally:
            os._exit(code)
    return pid


def _reap(running, free, out, bar):
    """Wait for one child; a child that died leaves a valid results.json saying so. 1 if it crashed."""
    pid, status = os.wait()
    submission, slot = running.pop(pid)
    free.append(slot)
    bar.step()
    if os.waitstatus_to_exitcode(status) == 0 and os.path.exists(paths(out, submission)[1]):
        return 0
    results_module.write(results_module.crashed(f"the grading process ended with status {status}"),
                         paths(out, submission)[0])
    print(f"\nbatch: grading {submission.id} crashed (status {status}); it will be retried on resume",
          file=sys.stderr)
    return 1


def rescore(out, rubric_path=DEFAULT_RUBRIC):
    """Rebuild every results.json and the CSV from stored records with the current rubric."""
    rubric = rubric_module.load(rubric_path)
    submissions = graded_submissions(out)
    done = 0
    for submission in submissions:
        results_path, record_path = paths(out, submission)
        if not os.path.exists(record_path):
            continue
        record = records.load(record_path)
        built = record.limited or results_module.build(record.outcomes, rubric, record.discovery,
                                                       record.seconds, record.isolation)
        results_module.write(built, results_path)
        done += 1
    write_csv(out, submissions, rubric)
    return done


def graded_submissions(out):
    """The submissions a batch folder holds results for, with who they belong to."""
    folder = os.path.join(out, "results")
    found = []
    for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        meta = os.path.join(folder, name, "student.json")
        if os.path.exists(meta):
            with open(meta, encoding="utf-8") as stream:
                found.append(Submission(**json.load(stream)))
        else:
            found.append(Submission(name, "", [name]))
    return found


def write_csv(out, submissions, rubric):
    """grades.csv: student, email, submission, total, then points per file and per test."""
    rows, test_ids = [], []
    for submission in submissions:
        results_path, _ = paths(out, submission)
        if not os.path.exists(results_path):
            continue
        results = results_module.read(results_path)
        per_file = {f: 0.0 for f in rubric.files}
        per_test = {}
        for test in results.get("tests", []):
            extra = test.get("extra_data", {})
            per_file[extra.get("file")] = per_file.get(extra.get("file"), 0.0) + test["score"]
            per_test[extra.get("id", test["name"])] = test["score"]
            if extra.get("id", test["name"]) not in test_ids:
                test_ids.append(extra.get("id", test["name"]))
        rows.append((submission, results["score"], per_file, per_test))
    with open(os.path.join(out, "grades.csv"), "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["student", "email", "submission", "total"] + rubric.files + test_ids)
        for submission, total, per_file, per_test in rows:
            writer.writerow(["; ".join(submission.students), "; ".join(submission.emails), submission.id,
                             f"{total:g}"] + [f"{per_file.get(f, 0.0):g}" for f in rubric.files]
                            + [f"{per_test[t]:g}" if t in per_test else "" for t in test_ids])


class Progress:
    """A one-line progress bar on stderr (plain lines when stderr is not a terminal)."""

    def __init__(self, total, enabled=True):
        self.total, self.count, self.start = total, 0, time.monotonic()
        self.enabled = enabled and total > 0
        self.tty = sys.stderr.isatty()
        self.last_line = 0.0

    def step(self):
        self.count += 1
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.start
        rate = self.count / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.count) / rate if rate else 0.0
        filled = int(30 * self.count / self.total)
        line = (f"[{'#' * filled}{'.' * (30 - filled)}] {self.count}/{self.total}  "
                f"{rate:.1f} submissions/s  ETA {int(eta // 60)}:{int(eta % 60):02d}")
        if self.tty:
            print("\r" + line, end="", file=sys.stderr, flush=True)
        elif time.monotonic() - self.last_line > 5 or self.count == self.total:
            print(line, file=sys.stderr, flush=True)
            self.last_line = time.monotonic()

    def done(self):
        if self.enabled and self.tty:
            print(file=sys.stderr)


def cmd_batch(args):
    start = time.monotonic()
    graded, skipped, crashed = run_batch(args.submissions, args.out, jobs=args.jobs, rubric_path=args.rubric,
                                         tests_dir=args.tests, progress=not args.quiet)
    seconds = time.monotonic() - start
    print(f"graded {graded} submission(s) in {seconds:.1f} s"
          f"{f' ({graded / seconds:.2f}/s)' if graded and seconds else ''}; {skipped} already graded; "
          f"{crashed} crashed; grades in {os.path.join(args.out, 'grades.csv')}")
    return 0


def cmd_rescore(args):
    done = rescore(args.out, args.rubric)
    print(f"rescored {done} submission(s); grades in {os.path.join(args.out, 'grades.csv')}")
    return 0


def add_commands(commands):
    batch = commands.add_parser(
        "batch", help="grade a folder of submissions in parallel (resumable)",
        description="Grade every submission in SUBMISSIONS: Gradescope's 'export submissions' folder "
                    "(with submission_metadata.yml) or one sub-folder per student. Resumes where a "
                    "previous run into the same --out stopped.")
    batch.add_argument("submissions", metavar="SUBMISSIONS", help="folder of submissions")
    batch.add_argument("--out", required=True, help="output folder (results, records, grades.csv)")
    batch.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel gradings (default: %(default)s)")
    batch.add_argument("--rubric", default=DEFAULT_RUBRIC, help="default: %(default)s")
    batch.add_argument("--tests", default=DEFAULT_TESTS, help="default: %(default)s")
    batch.add_argument("--quiet", action="store_true", help="no progress bar")
    batch.set_defaults(run=cmd_batch)

    again = commands.add_parser(
        "rescore", help="recompute results and grades.csv after a rubric edit, without running student code")
    again.add_argument("out", metavar="BATCH", help="the --out folder of a batch")
    again.add_argument("--rubric", default=DEFAULT_RUBRIC, help="default: %(default)s")
    again.set_defaults(run=cmd_rescore)
