"""./grader batch, rescore and report, on the toy assignment."""
import csv
import json
import shutil

import yaml

from .helpers import CORRECT, TOY, grader, toy_options


def rows(out):
    with open(out / "grades.csv", newline="") as stream:
        return {row["submission"]: row for row in csv.DictReader(stream)}


def test_a_batch_grades_every_submission_and_writes_one_csv_row_each(toy_class, tmp_path):
    grader("batch", toy_class, "--out", tmp_path / "out", "--jobs", 2, *toy_options())
    table = rows(tmp_path / "out")
    assert {k: v["total"] for k, v in table.items()} == {"ada": "15", "ben": "8", "cy": "0", "dee": "15", "eve": "15"}
    assert table["ben"]["toy.py"] == "8" and table["ben"]["test_toy_examples.py::test_scale_doubles_a_vector"] == "0"
    for name in table:
        results = json.loads((tmp_path / "out" / "results" / name / "results.json").read_text())
        assert results["score"] == float(table[name]["total"])


def test_gradescopes_export_layout_gives_student_names_and_emails(tmp_path):
    export = tmp_path / "export"
    shutil.copytree(CORRECT, export / "submission_101")
    (export / "submission_metadata.yml").write_text(yaml.safe_dump({"submission_101": {
        ":submitters": [{":name": "Ada Lovelace", ":email": "ada@example.edu", ":sid": "1"}],
        ":created_at": "2026-11-20 10:00:00 -0800"}}))
    grader("batch", export, "--out", tmp_path / "out", *toy_options())
    row = rows(tmp_path / "out")["submission_101"]
    assert (row["student"], row["email"], row["total"]) == ("Ada Lovelace", "ada@example.edu", "15")


def test_a_stopped_batch_resumes_with_the_submissions_not_yet_graded(toy_class, tmp_path):
    out = tmp_path / "out"
    grader("batch", toy_class, "--out", out, *toy_options())
    (out / "results" / "dee" / "record.json").unlink()  # as if the batch had stopped before dee
    again = grader("batch", toy_class, "--out", out, *toy_options())
    assert "graded 1 submission(s)" in again.stdout and "4 already graded" in again.stdout
    assert rows(out)["dee"]["total"] == "15"


def test_a_crash_of_the_grading_process_costs_only_its_submission(toy_class, tmp_path):
    tests = tmp_path / "tests"
    shutil.copytree(TOY / "tests", tests)
    with open(tests / "test_toy.py", "a") as stream:  # a grader bug that kills the grading process
        stream.write("\n\n@toy.grades('scale')\ndef test_crash_on_ben():\n"
                     "    import os\n    if float(toy.scale(np.ones(1), 1.0)[0]) == 2.0:\n        os._exit(3)\n")
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text((TOY / "rubric.yaml").read_text().replace("total: 15", "total: 16")
                      + '  "test_toy.py::test_crash_on_ben": {points: 1}\n')
    out = tmp_path / "out"
    proc = grader("batch", toy_class, "--out", out, "--rubric", rubric, "--tests", tests)
    assert "1 crashed" in proc.stdout
    results = json.loads((out / "results" / "ben" / "results.json").read_text())
    assert "The autograder failed" in results["output"] and results["score"] == 0
    assert rows(out)["ada"]["total"] == "16"


def test_rescore_applies_an_edited_rubric_without_running_student_code(toy_class, tmp_path):
    out = tmp_path / "out"
    grader("batch", toy_class, "--out", out, *toy_options())
    shutil.rmtree(toy_class)  # nothing left to run
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text((TOY / "rubric.yaml").read_text().replace(
        '"test_toy_examples.py::test_scale_doubles_a_vector": {points: 2,', '"test_toy_examples.py::test_scale_doubles_a_vector": {points: 7,')
        .replace("total: 15", "total: 20"))
    grader("rescore", out, "--rubric", rubric)
    assert rows(out)["ada"]["total"] == "20" and rows(out)["ben"]["total"] == "8"
    results = json.loads((out / "results" / "ada" / "results.json").read_text())
    assert results["score"] == 20


def test_report_names_the_hardest_function_and_its_commonest_failure(toy_class, tmp_path):
    out = tmp_path / "out"
    grader("batch", toy_class, "--out", out, *toy_options())
    proc = grader("report", out)
    assert "5 submissions, scores out of 15: mean 10.6, median 15" in proc.stdout
    assert "toy.py:scale" in proc.stdout.split("Pass rate per function:")[1].splitlines()[1]
    page = (out / "report.html").read_text()
    assert "<svg" in page and "Importing toy.py ended the process with exit code #" in page
    assert "<script" not in page and "http" not in page.replace("http-equiv", "")


def test_report_on_an_empty_folder_says_so_and_fails(tmp_path):
    proc = grader("report", tmp_path, check=False)
    assert proc.returncode == 1 and "no graded submissions" in proc.stdout


def test_during_a_batch_no_student_can_read_the_others_submissions_or_results(toy_class, tmp_path):
    import os
    if os.geteuid() != 0:
        return  # only root has sandbox users to keep out
    os.chmod(tmp_path, 0o755)
    (toy_class / "ben" / "toy.py").write_text((CORRECT / "toy.py").read_text().replace(
        "return c * x", f"raise RuntimeError(str(sorted(os.listdir({str(toy_class)!r}))))"))
    (toy_class / "ben" / "toy.py").write_text("import os\n" + (toy_class / "ben" / "toy.py").read_text())
    out = tmp_path / "out"
    grader("batch", toy_class, "--out", out, *toy_options())
    results = json.loads((out / "results" / "ben" / "results.json").read_text())
    scale = next(t for t in results["tests"] if t["extra_data"]["id"].endswith("test_scale_doubles_a_vector"))
    assert "PermissionError" in scale["output"] and "'ada'" not in scale["output"]
    assert os.stat(out).st_mode & 0o077 == 0
