"""./run_autograder as course staff run it on their own machine."""
import json
import os
import re
import shutil
import subprocess

from .helpers import CORRECT, REPO, TOY

LONG_NAME = "scale multiplies every entry of a random matrix by a negative constant, elementwise and in place of nothing"


def test_without_arguments_off_gradescope_it_explains_and_writes_nothing_into_autograder():
    existed = os.path.exists("/autograder")
    proc = subprocess.run([str(REPO / "run_autograder")], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 2
    assert "no --submission given" in proc.stderr and "./run_autograder --submission DIR" in proc.stderr
    assert existed or not os.path.exists("/autograder")


def test_the_summary_table_fits_the_terminal_without_cutting_words_or_long_decimals(tmp_path):
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text((TOY / "rubric.yaml").read_text()
                      .replace('"test_toy.py::test_scale_*": {points: 1}',
                               f'"test_toy.py::test_scale_*": {{points: 1.3333333, name: "{LONG_NAME}"}}')
                      .replace("total: 15", "total: 15.3333333"))
    proc = subprocess.run([str(REPO / "run_autograder"), "--submission", str(CORRECT), "--results",
                           str(tmp_path / "results.json"), "--rubric", str(rubric), "--tests", str(TOY / "tests")],
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
                          env={**os.environ, "COLUMNS": "90"})
    assert proc.returncode == 0, proc.stderr
    table = proc.stdout.split("\nscore:")[0]
    assert max(len(line) for line in table.splitlines()) <= 90
    assert all(word in table.split() for word in LONG_NAME.split())  # wrapped between words, none cut
    assert "1.33/1.33" in table and not re.search(r"\d\.\d{3,}", proc.stdout)
    assert "score: 15.33 / 15.33" in proc.stdout


def test_the_summary_students_see_before_the_due_date_is_the_same_whatever_the_hidden_tests_found(tmp_path):
    """Two submissions that differ only in what hidden tests see (stats and safe_div are tested by
    hidden tests only) get the same summary at the top of results.json, though not the same score."""
    outputs, scores = [], []
    toy = (CORRECT / "toy.py").read_text()
    wrong = (toy.replace("return float(np.min(x))", "return 0.0, 0.0, 0.0  # float(np.min(x))")
             .replace('raise ValueError("division by zero")', "return 0.0"))
    assert wrong.count("0.0") == 4
    for name, text in (("right", toy), ("wrong", wrong)):
        submission = tmp_path / name
        shutil.copytree(CORRECT, submission)
        (submission / "toy.py").write_text(text)
        out = tmp_path / f"{name}.json"
        subprocess.run([str(REPO / "run_autograder"), "--submission", str(submission), "--results", str(out),
                        "--rubric", str(TOY / "rubric.yaml"), "--tests", str(TOY / "tests"), "--quiet"],
                       check=True, timeout=300, stdin=subprocess.DEVNULL)
        results = json.loads(out.read_text())
        outputs.append(results["output"])
        scores.append(results["score"])
    assert scores[0] > scores[1]
    assert outputs[0] == outputs[1]
    assert outputs[0].startswith("**Visible tests: 5 / 5 points**")
