"""./run_autograder as course staff run it on their own machine."""
import os
import re
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
