"""Grading a whole class: `./grader batch`, `rescore`, `merge` and `compare`.

The batch controller is a trusted process that imports pytest, numpy and the reference and
collects the graded tests once, then forks one child per submission from inside that pytest
session (autograder/collected.py), so no child pays for interpreter, numpy or pytest start-up.
Each of the `--jobs` parallel slots owns a fork server and (as root) a sandbox user for the whole
batch. A child that crashes costs only its own submission; a batch that is stopped (Ctrl-C)
resumes where it stopped, because a submission counts as done once its record exists.
`--shard K/N` grades every N-th submission, so shards can run on several machines and `merge`
puts their folders together.

The rubric is checked against the tests before anything is graded or rescored. As an ordinary
user student code runs with the grader's own permissions, so every submission's files and every
written result is fingerprinted: a submission changed before it is graded is not graded, and
results changed afterwards are not used (their record is removed, so a rerun grades them again).

Output folder:
    results/<submission>/results.json   what Gradescope would show
    results/<submission>/record.json    raw outcomes, for rescore and report
    results/<submission>/student.json   who submitted it (SID, name, email of each member)
    rubric.yaml                         the rubric these results were built with
    grades.csv                          one row per student: total, per file, per test
    previous/                           after an in-place rescore: the results it replaced
    changes.csv                         after rescore, --compare or compare: what changed
"""
import dataclasses
import gc
import hashlib
import json
import os
import re
import shutil
import signal
import sys
import time

from autograder import cli, records, results as results_module, rubric as rubric_module
from autograder.collected import CollectionFailed, with_collected
from staff import compare, grades
from staff.classfolder import ClassError, Student, Submission, find_class
from staff.paths import DEFAULT_RUBRIC, DEFAULT_TESTS

class BatchError(Exception):
    """The batch cannot start, be rescored or be merged; the message says why and what to do."""


class Stopped(Exception):
    """Ctrl-C: what was graded so far is kept."""


@dataclasses.dataclass
class Slot:
    server: object
    user: object
    layers: dict = None  # what a probe worker of this server and user reported, once for the whole batch


@dataclasses.dataclass
class Summary:
    graded: int = 0
    skipped: int = 0
    crashed_ids: list = dataclasses.field(default_factory=list)  # whose grading process died, this pass
    changed: list = dataclasses.field(default_factory=list)  # ids whose files or results changed
    isolation: list = dataclasses.field(default_factory=list)


# ---------------------------------------------------------------- the batch folder

def paths(out, submission):
    folder = os.path.join(out, "results", submission.id)
    return os.path.join(folder, "results.json"), os.path.join(folder, "record.json")


def remember(out, submission):
    """Who a submission belongs to, kept beside its results for rescore, report and merge."""
    folder = os.path.join(out, "results", submission.id)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "student.json"), "w", encoding="utf-8") as stream:
        json.dump(dataclasses.asdict(submission), stream)


def graded_submissions(out):
    """The submissions a batch folder holds results for, with who they belong to, sorted by id."""
    folder = os.path.join(out, "results")
    found = []
    for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        meta = os.path.join(folder, name, "student.json")
        if not os.path.exists(meta):
            found.append(Submission(name, "", [Student(name)]))
            continue
        with open(meta, encoding="utf-8") as stream:
            data = json.load(stream)
        emails = data.get("emails", [])  # the format before SIDs: names and emails in two lists
        students = [Student(**s) if isinstance(s, dict) else Student(s, "", emails[i] if i < len(emails) else "")
                    for i, s in enumerate(data["students"])]
        found.append(Submission(data["id"], data["folder"], students))
    return found


def fingerprint(folder):
    """A digest of every file under folder, names and contents, links not followed."""
    digest = hashlib.sha256()
    for here, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(here, name)
            digest.update(os.path.relpath(path, folder).encode("utf-8", "surrogateescape") + b"\0")
            try:
                with open(os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)), "rb") as stream:
                    for chunk in iter(lambda: stream.read(1 << 20), b""):
                        digest.update(chunk)
            except OSError:
                digest.update(b"\0unreadable\0")
    return digest.hexdigest()


def load_rubric(rubric_path):
    """The rubric, or BatchError with every problem that keeps it from loading."""
    try:
        return rubric_module.load(rubric_path)
    except rubric_module.RubricError as exc:
        problems = exc.problems
    except OSError as exc:
        problems = [f"{rubric_path} cannot be read: {exc.strerror}"]
    raise BatchError("the rubric check fails, so nothing was graded:\n  - " + "\n  - ".join(problems))


def refuse_misfit(rubric, tests):
    """BatchError unless the rubric fits these tests ({id: (file, decorators)}): a typo in a test id
    would make that test worth 0 for the whole class."""
    problems = rubric.problems(tests)
    if problems:
        raise BatchError("the rubric check fails, so nothing was graded:\n  - " + "\n  - ".join(problems))


def parse_shard(text):
    """'K/N' -> (K, N), 1 <= K <= N."""
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise ValueError(f"--shard takes K/N (e.g. 2/4), not {text!r}") from None
    if not 1 <= k <= n:
        raise ValueError(f"--shard {text}: K must be between 1 and N")
    return k, n


# ---------------------------------------------------------------- grading

def isolation_statement(isolation):
    """What the class's code can and cannot do, from a probe worker's report: a sentence, then the layers."""
    layers = isolation["layers"]
    if layers["sandbox-user"]["on"]:
        head = ("Isolation: each submission's code runs as a sandbox user (ag-sandbox-N) that cannot read the "
                "grader, the other submissions or their results.")
    elif layers.get("landlock", {}).get("on"):
        head = ("Isolation: you are not root, so student code runs as you, but Landlock lets it read only the "
                "standard library, numpy and its own submission, and write only its scratch folder.")
    else:
        head = ("Isolation: you are not root, so student code runs as you, with your permissions: it can read "
                "the hidden tests, the reference and the other students' submissions, and change files you own. "
                "The batch detects a submission or a result that changes while it runs and does not use it. "
                "For a separate sandbox user per submission, run this as root.")
    return "\n".join([head] + cli.isolation_lines(isolation))


def probe_isolation(slot, limits):
    """The layers this machine gives a worker, from a probe that imports no student file; the
    slot keeps them, so that its submissions' gradings start no probe of their own."""
    from autograder.sandbox.controller import Sandbox
    with Sandbox({}, dataclasses.replace(limits, require=()), server=slot.server, user=slot.user) as sandbox:
        isolation = sandbox.isolation
    slot.layers = isolation["layers"]
    return isolation


def run_batch(path, out, *, jobs, rubric_path=DEFAULT_RUBRIC, tests_dir=DEFAULT_TESTS, progress=True, shard=None,
              say=lambda line: print(line, flush=True)):
    """Grade the submissions at `path` not yet graded into `out`; returns a Summary."""
    os.makedirs(out, exist_ok=True)
    if _inside(os.path.abspath(out), os.path.abspath(path)) and os.path.isdir(path):
        raise BatchError(f"--out {out} is inside {path}: it would be graded as a submission; put it elsewhere")
    found = find_class(path, os.path.join(out, "export"))
    for note in found.notes:
        say(f"batch: {note}")
    submissions = found.submissions if shard is None else found.submissions[shard[0] - 1::shard[1]]
    rubric = load_rubric(rubric_path)
    # The tests are collected once, here; every grading child is forked from inside that session.
    try:
        return with_collected(tests_dir, rubric, lambda collected: _grade_all(
            found, submissions, out, collected, jobs=jobs, rubric_path=rubric_path, tests_dir=tests_dir,
            progress=progress, say=say))
    except CollectionFailed as exc:
        raise BatchError(f"{exc}\nNothing was graded.") from None


def _grade_all(found, submissions, out, collected, *, jobs, rubric_path, tests_dir, progress, say):
    from autograder.sandbox.cleanup import record_writable_places
    from autograder.sandbox.controller import ForkServer
    from autograder.sandbox.users import acquire_user
    rubric = collected.grading.rubric
    refuse_misfit(rubric, collected.tests)
    shutil.copyfile(rubric_path, os.path.join(out, "rubric.yaml"))
    todo = [s for s in submissions if not os.path.exists(paths(out, s)[1])]
    summary = Summary(skipped=len(submissions) - len(todo))
    # Each student's code runs while the others' submissions and results sit on the same disk.
    cli.lock_grader_files([found.root, out])
    seals = {s.id: fingerprint(s.folder) for s in todo}
    sealed_results = {s.id: fingerprint(os.path.dirname(paths(out, s)[0])) for s in submissions if s not in todo}
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # fork servers inherit it: Ctrl-C is the batch's
    try:
        slots = [Slot(ForkServer(), acquire_user()) for _ in range(max(1, min(jobs, len(todo))))] if todo else []
    finally:
        signal.signal(signal.SIGINT, previous)
    bar = Progress(len(todo), enabled=progress)
    running, free = {}, list(range(len(slots)))
    try:
        if slots:
            isolation = [probe_isolation(slot, rubric.limits) for slot in slots][0]  # each slot keeps its own
            say(isolation_statement(isolation))
            if os.geteuid() == 0 and not isolation["layers"].get("landlock", {}).get("on"):
                # Without Landlock student code can write in any world-writable folder: find
                # them all as this machine is now (a scan of the whole disk), for cleanup.
                record_writable_places()
        gc.collect()
        gc.freeze()  # the collected tests, numpy, pytest: a child's collections never visit (and so copy) them
        pending = todo
        for last_try in (False, True):  # a grading that crashed (e.g. on a disk another filled) gets one more
            summary.crashed_ids = []
            for submission in pending:
                if not free:
                    _reap(running, free, out, bar, summary, sealed_results, last_try)
                slot = free.pop()
                remember(out, submission)
                signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})  # a Ctrl-C now waits until the child is known
                try:
                    pid = _fork(submission, slots[slot], out, rubric_path, tests_dir, seals[submission.id],
                                collected)
                    running[pid] = (submission, slot)
                finally:
                    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
            while running:
                _reap(running, free, out, bar, summary, sealed_results, last_try)
            pending = [s for s in pending if s.id in summary.crashed_ids]
            if not pending:
                break
            bar.total += len(pending)
    except KeyboardInterrupt:
        _stop(running, slots)
        raise Stopped(f"stopped by Ctrl-C after grading {summary.graded} of {len(todo)} submission(s); what was "
                      "graded is kept. Rerun the same command to resume.") from None
    finally:
        for slot in slots:
            slot.server.close()
            if slot.user is not None:
                os.close(slot.user.lock)
        bar.done()
    summary.changed += _unsealed(out, submissions, sealed_results)
    summary.isolation = sorted({_any_slot(records.load(paths(out, s)[1]).isolation) for s in submissions
                                if os.path.exists(paths(out, s)[1])} - {""})
    grades.write(out, [s for s in submissions if s.id not in summary.changed], rubric.files)
    return summary


def _any_slot(isolation):
    """An isolation report's summary without the slot's own sandbox user, so a class's runs read alike."""
    summary = isolation.get("summary", "") if isinstance(isolation, dict) else isolation
    return re.sub(r"\(uid \d+\)", "(uid N)", re.sub(r"\bag-sandbox-\d+", "ag-sandbox-N", summary))


def _inside(child, parent):
    return os.path.commonpath([child, parent]) == parent


def _fork(submission, slot, out, rubric_path, tests_dir, seal, collected):
    results_path, record_path = paths(out, submission)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
            sys.stdout = sys.stderr = open(os.devnull, "w")
            if fingerprint(submission.folder) != seal:
                refused = results_module.crashed("This submission's files changed while the batch was running, so "
                                                 "it was not graded.")
                results_module.write({**refused, "extra_data": {"files_changed": True}}, results_path)
            else:
                graded = cli.grade(submission.folder, results_path, rubric_path=rubric_path, tests_dir=tests_dir,
                                   record_path=record_path, slot=slot, collected=collected)
                if not graded.written:
                    return  # exit status 1: the batch reports it
            code = 0
        finally:
            os._exit(code)
    return pid


def _reap(running, free, out, bar, summary, sealed_results, last_try):
    """Wait for one child; a child that died leaves a valid results.json saying so."""
    pid, status = os.wait()
    submission, slot = running.pop(pid)
    free.append(slot)
    bar.step()
    code = os.waitstatus_to_exitcode(status)
    results_path, record_path = paths(out, submission)
    if code == 0 and not os.path.exists(record_path) and _files_changed(results_path):
        summary.changed.append(submission.id)
        print(f"\nbatch: the files of {submission.id} changed while the batch ran (student code running as you "
              "can write to them): it was not graded. Restore them and rerun.", file=sys.stderr)
    elif code == 0 and os.path.exists(record_path):
        summary.graded += 1
    else:
        summary.crashed_ids.append(submission.id)
        try:
            results_module.write(results_module.crashed(f"the grading process ended with status {status}"),
                                 results_path)
            why = f"crashed (status {status})"
        except OSError as exc:
            why = f"could not write its results ({exc.strerror or exc}: is the disk full?)"
        then = "it will be retried on resume" if last_try else "it will be tried once more at the end of this batch"
        print(f"\nbatch: grading {submission.id} {why}; {then}", file=sys.stderr)
    sealed_results[submission.id] = fingerprint(os.path.dirname(results_path))


def _files_changed(results_path):
    try:
        return results_module.read(results_path).get("extra_data", {}).get("files_changed") is True
    except (OSError, ValueError):
        return False


def _stop(running, slots):
    """Ctrl-C: end the grading children and whatever their students' code left running."""
    for pid in running:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for pid in list(running):
        os.waitpid(pid, 0)
    for slot in slots:
        slot.server.sweep(slot.user.uid if slot.user is not None else None)


def _unsealed(out, submissions, sealed_results):
    """Submissions whose results changed after they were written; their records are removed."""
    changed = []
    for submission in submissions:
        folder = os.path.dirname(paths(out, submission)[0])
        if submission.id in sealed_results and fingerprint(folder) != sealed_results[submission.id]:
            changed.append(submission.id)
            record = paths(out, submission)[1]
            if os.path.exists(record):
                os.unlink(record)
            print(f"batch: the results of {submission.id} changed after they were written (student code running "
                  "as you can write to them): they are not used; rerun to grade it again.", file=sys.stderr)
    return changed


# ---------------------------------------------------------------- rescore, merge, compare

def rescore(out, rubric_path=DEFAULT_RUBRIC, into=None):
    """Rebuild results and grades.csv from stored records with a (changed) rubric, without running
    student code, into `into` (a new folder, for a preview) or in place (the replaced results are
    kept in out/previous). Returns (number rescored, comparison with the results before)."""
    submissions = [s for s in graded_submissions(out) if os.path.exists(paths(out, s)[1])]
    stored = {s.id: records.load(paths(out, s)[1]) for s in submissions}
    tests = {o.id: (o.file, o.decorators) for record in stored.values() for o in record.outcomes}
    rubric = load_rubric(rubric_path)
    refuse_misfit(rubric, tests)
    target, before = (into, out) if into else (out, os.path.join(out, "previous"))
    if into:
        for submission in submissions:
            folder = os.path.join("results", submission.id)
            shutil.copytree(os.path.join(out, folder), os.path.join(into, folder), dirs_exist_ok=True)
    else:
        shutil.rmtree(before, ignore_errors=True)
        for submission in submissions:
            os.makedirs(os.path.join(before, "results", submission.id))
            shutil.copy2(paths(out, submission)[0], os.path.join(before, "results", submission.id))
        if os.path.exists(os.path.join(out, "grades.csv")):
            shutil.copy2(os.path.join(out, "grades.csv"), before)
    for submission in submissions:
        record = stored[submission.id]
        built = record.limited or results_module.build(record.outcomes, rubric, record.discovery, record.seconds,
                                                       record.isolation)
        results_module.write(built, paths(target, submission)[0])
    shutil.copyfile(rubric_path, os.path.join(target, "rubric.yaml"))
    grades.write(target, submissions, rubric.files)
    comparison = compare.compare(before, target, submissions)
    compare.write_csv(comparison, target)
    return len(submissions), comparison, before


def merge(shards, out):
    """Put the folders of `batch --shard` runs together into out; returns the number of submissions."""
    rubrics = {}
    for shard in shards:
        snapshot = os.path.join(shard, "rubric.yaml")
        if not os.path.isfile(snapshot):
            raise BatchError(f"{shard} is not a batch folder (it has no rubric.yaml)")
        with open(snapshot, "rb") as stream:
            rubrics.setdefault(stream.read(), []).append(shard)
    if len(rubrics) > 1:
        raise BatchError("the shards were graded with different rubrics: " + "; ".join(
            ", ".join(folders) for folders in rubrics.values()) + ". Rescore them with the same rubric first.")
    seen = {}
    for shard in shards:
        for submission in graded_submissions(shard):
            if submission.id in seen:
                raise BatchError(f"{submission.id} is in both {seen[submission.id]} and {shard}: were two shards "
                                 "given the same K/N?")
            seen[submission.id] = shard
    os.makedirs(out, exist_ok=True)
    for submission_id, shard in seen.items():
        shutil.copytree(os.path.join(shard, "results", submission_id), os.path.join(out, "results", submission_id),
                        dirs_exist_ok=True)
    shutil.copyfile(os.path.join(shards[0], "rubric.yaml"), os.path.join(out, "rubric.yaml"))
    grades.write(out, graded_submissions(out), rubric_module.load(os.path.join(out, "rubric.yaml")).files)
    return len(seen)


def compare_folders(old, new):
    """The comparison of two batch folders, over the submissions either holds."""
    submissions = {s.id: s for s in graded_submissions(old)}
    submissions.update({s.id: s for s in graded_submissions(new)})
    comparison = compare.compare(old, new, [submissions[k] for k in sorted(submissions)])
    compare.write_csv(comparison, new)
    return comparison


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


# ---------------------------------------------------------------- commands

def cmd_batch(args):
    start = time.monotonic()
    try:
        summary = run_batch(args.submissions, args.out, jobs=args.jobs, rubric_path=args.rubric,
                            tests_dir=args.tests, progress=not args.quiet, shard=args.shard)
    except (BatchError, ClassError) as exc:
        print(f"batch: {exc}", file=sys.stderr)
        return 2
    except Stopped as exc:
        print(f"\nbatch: {exc}", file=sys.stderr)
        return 130
    seconds = time.monotonic() - start
    print(f"graded {summary.graded} submission(s) in {seconds:.1f} s"
          f"{f' ({summary.graded / seconds:.2f}/s)' if summary.graded and seconds else ''}; {summary.skipped} "
          f"already graded; {len(summary.crashed_ids)} crashed; grades in {os.path.join(args.out, 'grades.csv')}")
    for isolation in summary.isolation:
        print(f"isolation reported by the grading runs: {isolation}")
    if args.compare:
        print(compare.text(compare_folders(args.compare, args.out), args.compare, args.out))
    if summary.changed:
        print(f"batch: {len(summary.changed)} submission(s) not graded because files changed while the batch ran: "
              f"{', '.join(summary.changed)}; they are left out of grades.csv", file=sys.stderr)
        return 1
    return 0


def cmd_rescore(args):
    try:
        done, comparison, before = rescore(args.batch, args.rubric, args.out)
    except BatchError as exc:
        print(f"rescore: {exc}", file=sys.stderr)
        return 2
    target = args.out or args.batch
    print(f"rescored {done} submission(s) with {args.rubric}; grades in {os.path.join(target, 'grades.csv')}"
          + ("" if args.out else f"; the results it replaced are in {before}"))
    print(compare.text(comparison, before, target))
    return 0


def cmd_merge(args):
    try:
        count = merge(args.shards, args.out)
    except BatchError as exc:
        print(f"merge: {exc}", file=sys.stderr)
        return 2
    print(f"merged {count} submission(s) from {len(args.shards)} shard(s); grades in "
          f"{os.path.join(args.out, 'grades.csv')}")
    return 0


def cmd_compare(args):
    for folder in (args.old, args.new):
        if not os.path.isdir(os.path.join(folder, "results")):
            print(f"compare: {folder} is not a batch folder (it has no results/)", file=sys.stderr)
            return 2
    print(compare.text(compare_folders(args.old, args.new), args.old, args.new))
    return 0


def add_commands(commands):
    batch = commands.add_parser(
        "batch", help="grade a class in parallel (resumable); Gradescope's export zip or folder, at any level",
        description="Grade every submission in SUBMISSIONS: Gradescope's 'Export Submissions' zip, its folder "
                    "(or a folder above it), or a folder with one folder per student. Resumes where a previous run "
                    "into the same --out stopped (Ctrl-C, a crash).")
    batch.add_argument("submissions", metavar="SUBMISSIONS", help="export zip or folder of submissions")
    batch.add_argument("--out", required=True, help="output folder (results, records, grades.csv)")
    batch.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel gradings (default: %(default)s)")
    batch.add_argument("--rubric", default=DEFAULT_RUBRIC, help="default: %(default)s")
    batch.add_argument("--tests", default=DEFAULT_TESTS, help="default: %(default)s")
    batch.add_argument("--shard", type=_shard_type, metavar="K/N",
                       help="grade only the K-th of N equal shares (for several machines; then ./grader merge)")
    batch.add_argument("--compare", metavar="OLD", help="then show whose scores differ from the batch folder OLD")
    batch.add_argument("--quiet", action="store_true", help="no progress bar")
    batch.set_defaults(run=cmd_batch)

    again = commands.add_parser(
        "rescore", help="recompute results and grades.csv with the current rubric, without running student code",
        description="Rebuild every results.json and grades.csv of a batch folder from its records with the "
                    "rubric, and show whose scores change. In place (the replaced results are kept in "
                    "BATCH/previous), or into --out NEW for a preview that leaves BATCH as it is.")
    again.add_argument("batch", metavar="BATCH", help="the --out folder of a batch")
    again.add_argument("--rubric", default=DEFAULT_RUBRIC, help="default: %(default)s")
    again.add_argument("--out", default=None, metavar="NEW", help="write into this new folder instead")
    again.set_defaults(run=cmd_rescore)

    merge_command = commands.add_parser("merge", help="put the folders of `batch --shard K/N` runs together")
    merge_command.add_argument("shards", nargs="+", metavar="SHARD", help="the --out folders of the shards")
    merge_command.add_argument("--out", required=True, help="the merged batch folder")
    merge_command.set_defaults(run=cmd_merge)

    preview = commands.add_parser("compare", help="regrade preview: whose scores differ between two batch folders")
    preview.add_argument("old", metavar="OLD", help="the batch folder whose grades were uploaded")
    preview.add_argument("new", metavar="NEW", help="the regraded (or rescored) batch folder")
    preview.set_defaults(run=cmd_compare)


def _shard_type(text):
    import argparse
    try:
        return parse_shard(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
