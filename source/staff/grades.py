"""grades.csv: one row per student, ready for a gradebook import.

Each member of a group submission gets a row of their own, with the SID, name and email exactly as
Gradescope's export gives them; then the submission, the total, the points per file and per test.
Written as UTF-8 with a byte-order mark, so Excel shows accented names correctly, and every cell
of student text passes through escaping.csv_cell, so a name such as =HYPERLINK(...) stays text.
"""
import csv
import os

from autograder import results as results_module
from autograder.escaping import csv_cell

HEADER = ["sid", "name", "email", "submission", "total"]


def points(value):
    return f"{round(float(value), 4):g}"


def rows(out, submissions, files):
    """(header, rows) of grades.csv for these submissions of the batch folder `out`."""
    per_submission, numbers = [], {}
    for submission in submissions:
        path = os.path.join(out, "results", submission.id, "results.json")
        if not os.path.exists(path):
            continue
        results = results_module.read(path)
        per_file = {file: 0.0 for file in files}
        per_test = {}
        for test in results.get("tests", []):
            extra = test.get("extra_data", {})
            test_id = extra.get("id", test["name"])
            per_file[extra.get("file")] = per_file.get(extra.get("file"), 0.0) + test["score"]
            per_test[test_id] = test["score"]
            numbers.setdefault(test_id, _number_key(test.get("number")))
        per_submission.append((submission, results["score"], per_file, per_test))
    # Columns in the order Gradescope numbers the tests, whichever students a batch (or shard) holds.
    test_ids = sorted(numbers, key=lambda t: (numbers[t], t))
    table = []
    for submission, total, per_file, per_test in per_submission:
        for student in submission.students:
            table.append([csv_cell(student.sid), csv_cell(student.name), csv_cell(student.email),
                          csv_cell(submission.id), points(total)]
                         + [points(per_file.get(f, 0.0)) for f in files]
                         + [points(per_test[t]) if t in per_test else "" for t in test_ids])
    return HEADER + list(files) + test_ids, table


def write(out, submissions, files):
    """Write out/grades.csv atomically; returns its path."""
    header, table = rows(out, submissions, files)
    path = os.path.join(out, "grades.csv")
    with open(path + ".tmp", "w", newline="", encoding="utf-8-sig") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(table)
    os.replace(path + ".tmp", path)
    return path


def read(path):
    """grades.csv as a list of dicts (the header's names as keys)."""
    with open(path, newline="", encoding="utf-8-sig") as stream:
        return list(csv.DictReader(stream))


def _number_key(number):
    try:
        return tuple(int(part) for part in str(number).split("."))
    except ValueError:
        return (10 ** 9,)
