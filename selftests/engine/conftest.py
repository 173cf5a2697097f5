"""The `grade` fixture: grade a dict of student files with the toy assignment's tests and rubric."""
import pytest

from .helpers import run_grader, write_files


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
