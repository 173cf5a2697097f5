"""rubric.yaml as an instructor edits it: `./grader rubric check`, `./grader package` and grading all
refuse a broken rubric with the line and a sentence, and grading never turns it into a student's zero."""
import json
import re
import shutil
import subprocess
import sys

import jsonschema
import pytest

from .helpers import CORRECT, REPO, TOY, grader

SCHEMA = json.loads((REPO / "selftests" / "fixtures" / "results.schema.json").read_text())
TOY_RUBRIC = (TOY / "rubric.yaml").read_text()
SANDBOX_LINE = "sandbox: {call_timeout: 2, import_timeout: 3, budget_seconds: 60, memory_mb: 400}"
ENTRY = '"test_toy.py::test_stats_returns_min_max_and_mean": {points: 3}'


def with_sandbox(setting):
    return TOY_RUBRIC.replace(SANDBOX_LINE, SANDBOX_LINE[:-1] + f", {setting}}}")


def with_entry(setting):
    return TOY_RUBRIC.replace(ENTRY, ENTRY[:-1] + f", {setting}}}")


def line_of(text, fragment):
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


# Every value the issue found passing the check and breaking grading, with the sentence it now gets.
BROKEN = [
    (with_sandbox("memory_mb: 512.0").replace("memory_mb: 400, ", ""), "sandbox",
     "memory_mb must be a whole number (the default is 512), not 512.0"),
    (with_sandbox("file_size_mb: 16.5"), "sandbox", "file_size_mb must be a whole number (the default is 16), not 16.5"),
    (with_sandbox("max_result_mb: 16.0"), "sandbox", "max_result_mb must be a whole number"),
    (with_sandbox("output_chars: 4000.0"), "sandbox", "output_chars must be a whole number"),
    (with_sandbox("max_processes: 8.0"), "sandbox", "max_processes must be a whole number"),
    (with_sandbox("cpu_seconds: 0.5"), "sandbox", "cpu_seconds must be a whole number (the default is 300), not 0.5"),
    (with_sandbox("memory_mb: 1").replace("memory_mb: 400, ", ""), "sandbox",
     "memory_mb is 1 MB, less than a worker needs: it starts with about 110 MB of address space"),
    (with_entry("hide_errors: true"), "test_stats_returns_min_max_and_mean",
     "hide_errors must be text, not true; hide_errors is the message shown instead of a failed test's feedback"),
    (with_entry("name: 5"), "test_stats_returns_min_max_and_mean", "name must be text, not 5"),
    (with_entry("tags: 5"), "test_stats_returns_min_max_and_mean",
     "tags must be a list, not 5; tags is a tag or a list of tags"),
    (TOY_RUBRIC.replace(ENTRY, ENTRY.replace("points: 3", "points: .nan")), "test_stats_returns_min_max_and_mean",
     "points must be a finite number, not .nan"),
    (with_sandbox("require: [seccomp, firewall]"), "sandbox", "require[2] must be one of 'sandbox-user'"),
    (TOY_RUBRIC + "feedback: {misconceptions: sometimes}\n", "feedback:",
     "feedback: misconceptions must be true or false, not 'sometimes'"),
]


@pytest.mark.parametrize("text, where, sentence", BROKEN, ids=[b[2].split(" must")[0].split(" is ")[0] for b in BROKEN])
def test_the_rubric_check_refuses_each_value_that_broke_grading_with_its_line(tmp_path, text, where, sentence):
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text(text)
    proc = grader("rubric", "check", "--rubric", rubric, "--tests", TOY / "tests", check=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stdout + proc.stderr
    assert f"{rubric}, line {line_of(text, where)}: " in proc.stdout and sentence in proc.stdout, proc.stdout


def test_a_key_given_twice_is_refused_rather_than_merged(tmp_path):
    rubric = tmp_path / "rubric.yaml"
    text = TOY_RUBRIC + '  "test_toy.py::test_stats_returns_min_max_and_mean": {points: 5}\n'
    rubric.write_text(text)
    proc = grader("rubric", "check", "--rubric", rubric, "--tests", TOY / "tests", check=False)
    first, second = [n for n, line in enumerate(text.splitlines(), 1) if "test_stats_returns_min_max_and_mean" in line]
    assert proc.returncode == 1
    assert (f"line {second}: tests: 'test_toy.py::test_stats_returns_min_max_and_mean' is given twice "
            f"(also on line {first})") in proc.stdout


def test_the_toy_and_the_course_rubrics_pass_the_check():
    assert grader("rubric", "check", "--rubric", TOY / "rubric.yaml", "--tests", TOY / "tests").stdout.startswith(
        "rubric OK: ")
    assert grader("rubric", "check").stdout.startswith("rubric OK: 118 tests, 100 points")


# ---------------------------------------------------------------- at grading time

def run_autograder(tmp_path, rubric_text, tests=TOY / "tests"):
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text(rubric_text)
    out = tmp_path / "results.json"
    proc = subprocess.run([sys.executable, "-I", str(REPO / "source" / "grade.py"), "--submission", str(CORRECT),
                           "--results", str(out), "--rubric", str(rubric), "--tests", str(tests)],
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    results = json.loads(out.read_text())
    jsonschema.validate(results, SCHEMA)
    return proc, results


@pytest.mark.parametrize("text", [BROKEN[0][0], BROKEN[7][0],
                                  TOY_RUBRIC.replace("test_safe_div_rejects_a_zero_divisor", "test_safe_div_reject")])
def test_grading_with_a_broken_rubric_says_the_autograder_is_misconfigured(tmp_path, text):
    proc, results = run_autograder(tmp_path, text)
    assert proc.returncode == 0
    assert results["output"].startswith("**The autograder is misconfigured, so this submission was not graded. "
                                        "This is not a problem with your code.**")
    assert results["tests"] == [] and results["extra_data"] == {"misconfigured": True}
    staff = proc.stdout.split("the autograder is misconfigured, nothing was graded:")[1]
    assert re.search(r"rubric\.yaml, line \d+: ", staff)
    assert "test_safe_div" not in results["output"]  # test ids (maybe hidden ones) stay in the staff output


def test_a_partial_credit_score_set_before_a_failure_stands_as_in_gradescope_utils(tmp_path):
    tests = shutil.copytree(TOY / "tests", tmp_path / "tests")
    with open(tests / "test_toy.py", "a") as stream:
        stream.write("\n\n@toy.grades('stats')\n@partial_credit(2)\n"
                     "def test_half_then_fails(set_score=None):\n    set_score(1)\n"
                     "    check(toy.scale(np.ones(2), 2.0), np.full(2, 5.0))\n")
    text = TOY_RUBRIC.replace("total: 15", "total: 17")
    proc, results = run_autograder(tmp_path, text, tests)
    test = next(t for t in results["tests"] if t["extra_data"]["id"].endswith("test_half_then_fails"))
    assert (test["score"], test["max_score"], test["status"]) == (1.0, 2.0, "failed")


def test_a_decorated_test_without_grades_is_checked_and_graded_for_the_file_its_module_names(tmp_path):
    tests = shutil.copytree(TOY / "tests", tmp_path / "tests")
    with open(tests / "test_toy.py", "a") as stream:
        stream.write("\n\n@weight(2)\ndef test_without_a_grades_marker():\n"
                     "    check(toy.scale(np.ones(2), 2.0), np.full(2, 2.0))\n")
    text = TOY_RUBRIC.replace("total: 15", "total: 17")
    rubric = tmp_path / "checked.yaml"
    rubric.write_text(text)
    assert grader("rubric", "check", "--rubric", rubric, "--tests", tests).returncode == 0
    _, results = run_autograder(tmp_path, text, tests)
    test = next(t for t in results["tests"] if t["extra_data"]["id"].endswith("test_without_a_grades_marker"))
    assert (test["extra_data"]["file"], test["score"], test["max_score"]) == ("toy.py", 2.0, 2.0)


# ---------------------------------------------------------------- packaging

def test_a_failed_package_leaves_no_stale_zip_behind(tmp_path):
    copy = tmp_path / "course"
    copy.mkdir()
    for name in ("setup.sh", "run_autograder", "requirements.txt", "README.md"):
        shutil.copy(REPO / name, copy / name)
    for tree in ("source", "tests", "starter"):
        shutil.copytree(REPO / tree, copy / tree, ignore=shutil.ignore_patterns("__pycache__"))
    target = tmp_path / "autograder.zip"
    (copy / "rubric.yaml").write_text((REPO / "rubric.yaml").read_text())
    ok = subprocess.run([sys.executable, "-I", str(copy / "source" / "staff"), "package", "--out", str(target)],
                        capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0 and target.exists(), ok.stdout + ok.stderr
    (copy / "rubric.yaml").write_text((REPO / "rubric.yaml").read_text().replace("cpu_seconds: 300", "cpu_seconds: 0.5"))
    failed = subprocess.run([sys.executable, "-I", str(copy / "source" / "staff"), "package", "--out", str(target)],
                            capture_output=True, text=True, timeout=300)
    assert failed.returncode == 1 and "cpu_seconds must be a whole number" in failed.stderr
    assert not target.exists() and "was removed, so that it cannot be uploaded by mistake" in failed.stderr
