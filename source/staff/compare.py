"""Regrade preview: which students' scores change between two batch folders, by how much, and in
which tests, shown before anything is uploaded (`./grader compare OLD NEW`, and what `rescore` and
`batch --compare` print). The full list is also written to NEW/changes.csv.
"""
import csv
import dataclasses
import os

from autograder import results as results_module
from autograder.escaping import csv_cell, terminal
from staff.grades import points

SHOWN_TESTS = 3  # per student in the terminal; changes.csv has them all


@dataclasses.dataclass
class Change:
    submission: object          # classfolder.Submission
    old: float                  # None: not in the old batch
    new: float                  # None: not in the new batch
    tests: list                 # [(test id, old points or None, new points or None)]

    @property
    def delta(self):
        return (self.new or 0.0) - (self.old or 0.0)


@dataclasses.dataclass
class Comparison:
    changed: list   # [Change] whose total or any test's points differ
    unchanged: int


def scores(out, submission):
    """(total, {test id: points}) of one submission of a batch folder, or (None, {})."""
    path = os.path.join(out, "results", submission.id, "results.json")
    if not os.path.exists(path):
        return None, {}
    results = results_module.read(path)
    tests = results.get("tests", [])
    return results["score"], {t.get("extra_data", {}).get("id", t["name"]): t["score"] for t in tests}


def compare(old_out, new_out, submissions):
    """Compare the submissions (from either folder) between the two batch folders."""
    changed, unchanged = [], 0
    for submission in submissions:
        old, old_tests = scores(old_out, submission)
        new, new_tests = scores(new_out, submission)
        tests = [(t, old_tests.get(t), new_tests.get(t)) for t in sorted(set(old_tests) | set(new_tests))
                 if _differ(old_tests.get(t), new_tests.get(t))]
        if tests or _differ(old, new):
            changed.append(Change(submission, old, new, tests))
        else:
            unchanged += 1
    changed.sort(key=lambda c: (-abs(c.delta), c.submission.id))
    return Comparison(changed, unchanged)


def _differ(a, b):
    return (a is None) != (b is None) or (a is not None and abs(a - b) > 1e-9)


def text(comparison, old_out, new_out):
    """The preview for a terminal: a headline, then one block per submission whose score changes."""
    changed = comparison.changed
    up = sum(c.delta > 1e-9 for c in changed)
    down = sum(c.delta < -1e-9 for c in changed)
    lines = [f"Compared with {old_out}: {len(changed)} submission(s) change ({up} up, {down} down, "
             f"{len(changed) - up - down} with the same total), {comparison.unchanged} unchanged."]
    for change in changed:
        who = ", ".join(terminal(s.name) for s in change.submission.students)
        lines.append(f"  {terminal(change.submission.id)} ({who}): {_shown(change.old)} -> {_shown(change.new)}"
                     f" ({'+' if change.delta >= 0 else ''}{points(change.delta)})")
        for test_id, old, new in change.tests[:SHOWN_TESTS]:
            lines.append(f"      {test_id}: {_shown(old)} -> {_shown(new)}")
        if len(change.tests) > SHOWN_TESTS:
            lines.append(f"      ... and {len(change.tests) - SHOWN_TESTS} more test(s)")
    if changed:
        lines.append(f"Every change is listed in {os.path.join(new_out, 'changes.csv')}; "
                     f"{old_out} is unchanged.")
    return "\n".join(lines)


def write_csv(comparison, new_out):
    """changes.csv: one row per student and changed test (the test column empty for the total)."""
    path = os.path.join(new_out, "changes.csv")
    with open(path, "w", newline="", encoding="utf-8-sig") as stream:
        writer = csv.writer(stream)
        writer.writerow(["sid", "name", "email", "submission", "test", "old", "new", "change"])
        for change in comparison.changed:
            for student in change.submission.students:
                who = [csv_cell(student.sid), csv_cell(student.name), csv_cell(student.email),
                       csv_cell(change.submission.id)]
                writer.writerow(who + ["(total)", _shown(change.old), _shown(change.new), points(change.delta)])
                for test_id, old, new in change.tests:
                    writer.writerow(who + [test_id, _shown(old), _shown(new), points((new or 0.0) - (old or 0.0))])
    return path


def _shown(value):
    return "-" if value is None else points(value)
