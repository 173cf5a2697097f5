"""Fixtures of the engine's self-tests: `grade` (a dict of student files graded with the toy assignment's
tests and rubric) and `fresh_test_context` (a test of check() starts as a fresh graded test)."""
import pytest

from autograder import student

from .helpers import run_grader, write_files


@pytest.fixture
def fresh_test_context():
    """No call into student code recorded yet, misconceptions named; the session's context comes back after."""
    saved = student.SESSION.test
    student.SESSION.test = student.TestContext()
    yield student.SESSION.test
    student.SESSION.test = saved


@pytest.fixture
def grade(tmp_path):
    """grade({"toy.py": source, ...}) -> Graded, graded in a subprocess as run_autograder would."""
    def run(files, **options):
        submission = write_files(tmp_path / "submission", files)
        return run_grader(submission, tmp_path, **options)
    return run


def pytest_configure(config):
    # test_fuzz imports the graded tests, which carry the engine's own mark
    config.addinivalue_line("markers", "grades(file, functions): the student functions a graded test grades")
