"""End to end: a submission in, a valid results.json out, with the right points and words."""
import json
import re
import shutil
import textwrap

from .helpers import CORRECT_OTHER, CORRECT_TOY, TOY, run_grader, write_files

WRONG_SCALE = CORRECT_TOY.replace("return c * x", "return c + x")


def test_a_correct_submission_earns_every_point(grade):
    graded = grade({"toy.py": CORRECT_TOY, "other.py": CORRECT_OTHER})
    assert graded.results["score"] == 15
    assert all(t["status"] == "passed" for t in graded.results["tests"])


def test_every_test_names_its_file_and_functions(grade):
    graded = grade({"toy.py": CORRECT_TOY, "other.py": CORRECT_OTHER})
    assert graded.test("test_stats_returns_min_max_and_mean")["extra_data"]["functions"] == ["stats"]
    assert graded.test("test_other_file_is_graded_on_its_own")["extra_data"]["file"] == "other.py"


def test_a_wrong_function_loses_only_its_tests(grade):
    graded = grade({"toy.py": WRONG_SCALE, "other.py": CORRECT_OTHER})
    assert graded.test("test_scale_matches_on_a_random_matrix")["score"] == 0
    assert graded.test("test_stats_returns_min_max_and_mean")["score"] == 3
    assert graded.test("test_safe_div_rejects_a_zero_divisor")["score"] == 1


def test_visible_feedback_shows_expected_and_got_values(grade):
    output = grade({"toy.py": WRONG_SCALE})["test_scale_doubles_a_vector"] if False else \
        grade({"toy.py": WRONG_SCALE}).test("test_scale_doubles_a_vector")["output"]
    assert "expected 2, got 3" in output
    assert "scale([1., 2., 3.], 2.0)" in output


def test_hidden_feedback_never_shows_expected_values(grade):
    graded = grade({"toy.py": WRONG_SCALE})
    test = graded.test("test_scale_matches_on_a_random_matrix")
    assert test["visibility"] == "after_due_date"
    assert "expected" not in test["output"].lower().replace("expected one", "")
    assert "first wrong entry is y[0, 0]" in test["output"]


def test_a_missing_file_costs_only_that_files_points(grade):
    graded = grade({"toy.py": CORRECT_TOY})
    assert graded.file_score("toy.py") == 15
    missing = graded.test("test_other_file_is_graded_on_its_own")
    assert missing["status"] == "failed"
    assert "other.py was not found in your submission" in missing["output"]


def test_a_misnamed_file_is_reported_with_the_name_found(grade):
    graded = grade({"toy.py": CORRECT_TOY, "Other.py": CORRECT_OTHER})
    assert "found Other.py instead" in graded.test("test_other_file_is_graded_on_its_own")["output"]


def test_a_syntax_error_names_the_line_and_costs_only_that_file(grade):
    graded = grade({"toy.py": "def scale(x, c)\n    return c * x\n", "other.py": CORRECT_OTHER})
    output = graded.test("test_scale_doubles_a_vector")["output"]
    assert "toy.py has a syntax error" in output and "line 1" in output
    assert graded.test("test_other_file_is_graded_on_its_own")["status"] == "passed"


def test_an_import_of_an_unavailable_library_says_what_graded_code_may_import(grade):
    graded = grade({"toy.py": "import torch\n"})
    output = graded.test("test_scale_doubles_a_vector")["output"]
    assert output.startswith("toy.py could not be imported (ModuleNotFoundError): `torch` is not available to "
                             "graded code. Your files may import only numpy and the Python standard library")


def test_a_stub_reads_not_attempted(grade):
    graded = grade({"toy.py": CORRECT_TOY.replace("return c * x", "raise NotImplementedError")})
    output = graded.test("test_scale_doubles_a_vector")["output"]
    assert output.startswith("Not attempted: scale in toy.py still raises NotImplementedError")
    assert graded.test("test_scale_doubles_a_vector")["extra_data"]["kind"] == "not attempted"


def test_a_traceback_shows_only_the_students_frames(grade):
    graded = grade({"toy.py": CORRECT_TOY.replace("return c * x", "return helper(x)\n\ndef helper(x):\n    return x[99]")})
    output = graded.test("test_scale_doubles_a_vector")["output"]
    assert "IndexError" in output and 'File "toy.py"' in output and "in helper" in output
    assert "autograder" not in output and "worker.py" not in output


def test_partial_credit_counts_the_right_parts_of_a_tuple(grade):
    graded = grade({"toy.py": CORRECT_TOY.replace("float(np.mean(x))", "float(np.median(x))")})
    test = graded.test("test_stats_returns_min_max_and_mean")
    assert test["score"] == 2 and test["max_score"] == 3 and test["status"] == "failed"
    assert "`mean` is wrong" in test["output"]


def test_gradescope_decorators_set_points_number_visibility_and_tags(grade):
    test = grade({"toy.py": CORRECT_TOY}).test("test_decorators_set_points_number_visibility_and_tags")
    assert (test["max_score"], test["number"], test["visibility"], test["tags"]) == (3, "9.1", "visible", ["decorated", "toy"])


def test_partial_credit_decorator_scores_what_set_score_says(grade):
    graded = grade({"toy.py": CORRECT_TOY.replace("float(np.max(x))", "-1.0")})
    assert graded.test("test_partial_credit_from_set_score")["score"] == 2


def test_hide_errors_replaces_the_feedback_of_a_failed_test(grade):
    test = grade({"toy.py": WRONG_SCALE}).test("test_hide_errors_replaces_the_feedback")
    assert test["output"] == "This test's details are hidden."


def test_leaderboard_values_reach_results(grade):
    results = grade({"toy.py": CORRECT_TOY}).results
    assert results["leaderboard"] == [{"name": "scaled sum", "value": 12.0, "order": "desc"}]


def test_rubric_names_and_numbers_override_the_defaults(grade):
    test = grade({"toy.py": CORRECT_TOY}).test("test_scale_doubles_a_vector")
    assert test["name"] == "scale doubles a vector" and test["number"] == "1.1"


def test_a_regrade_gives_identical_results(grade, tmp_path):
    """Identical but for the time taken and which sandbox user graded it (graders running beside
    this one may hold another)."""
    first = grade({"toy.py": WRONG_SCALE}).results
    second = grade({"toy.py": WRONG_SCALE}).results
    for results in (first, second):
        results.pop("execution_time")
        layers = results["extra_data"]["isolation"]["layers"]
        layers["sandbox-user"]["detail"] = re.sub(r"ag-sandbox-\d+ \(uid \d+\)", "USER", layers["sandbox-user"]["detail"])
    assert first == second


def test_files_nested_in_folders_are_found_and_reported(grade):
    graded = grade({"hw-main/src/toy.py": CORRECT_TOY, "hw-main/src/other.py": CORRECT_OTHER})
    assert graded.results["score"] == 15
    assert "Graded hw-main/src/toy.py" in graded.overview


def test_an_ambiguous_file_is_reported_and_the_copy_beside_the_others_graded(grade):
    graded = grade({"final/toy.py": CORRECT_TOY, "final/other.py": CORRECT_OTHER, "old/toy.py": WRONG_SCALE})
    assert graded.results["score"] == 15
    assert "Found 2 files named toy.py" in graded.overview


def test_a_helper_module_beside_a_graded_file_can_be_imported(grade):
    graded = grade({"toy.py": "from mathutil import *\n", "mathutil.py": CORRECT_TOY})
    assert graded.file_score("toy.py") == 15


def test_student_prints_are_shown_with_the_test(grade):
    graded = grade({"toy.py": CORRECT_TOY.replace("return c * x", "print('debug', c)\n    return c * x")})
    assert "Your code printed:" in graded.test("test_scale_doubles_a_vector")["output"]
    assert "debug 2.0" in graded.test("test_scale_doubles_a_vector")["output"]


def test_an_empty_submission_gets_a_clear_message(grade):
    graded = grade({"README.md": "hello"})
    assert graded.results["score"] == 0
    assert "None of the expected files (toy.py, other.py) was found" in graded.overview


def test_a_bug_in_a_graded_test_is_blamed_on_the_grader(tmp_path):
    tests = tmp_path / "tests"
    shutil.copytree(TOY / "tests", tests)
    (tests / "test_toy.py").write_text((tests / "test_toy.py").read_text().replace(
        "check(toy.stats(x), (-1.0, 4.0, 1.75)", "{}['missing']; check(toy.stats(x), (-1.0, 4.0, 1.75)"))
    submission = write_files(tmp_path / "submission", {"toy.py": CORRECT_TOY})
    graded = run_grader(submission, tmp_path, tests=tests)
    test = graded.test("test_stats_returns_min_max_and_mean")
    assert test["extra_data"]["kind"] == "grader error"
    assert "The autograder itself failed in this test (not your code)" in test["output"]
    assert "KeyError" in graded.stdout  # the details go to staff, on stdout


def test_a_broken_rubric_still_writes_valid_results_that_blame_the_autograder(tmp_path):
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text("tests: {'x': {points: -1}}\n")
    submission = write_files(tmp_path / "submission", {"toy.py": CORRECT_TOY})
    graded = run_grader(submission, tmp_path, rubric=rubric)
    assert graded.results["score"] == 0 and graded.results["tests"] == []
    assert "This is not a problem with your code" in graded.results["output"]


def test_raw_outcomes_can_be_stored_for_rescoring(grade, tmp_path):
    graded = grade({"toy.py": WRONG_SCALE}, extra=["--record", str(tmp_path / "record.json")])
    outcomes = json.loads((tmp_path / "record.json").read_text())["outcomes"]
    assert len(outcomes) == len(graded.results["tests"])
    assert {"hidden_output", "visible_output", "fraction"} <= set(outcomes[0])


def grade_with_more_tests(tmp_path, tests, points, rubric_lines, files):
    """Grade `files` with the toy's tests plus `tests` (appended to test_toy.py), worth `points` more."""
    folder = tmp_path / "tests"
    shutil.copytree(TOY / "tests", folder)
    with open(folder / "test_toy.py", "a") as stream:
        stream.write("\n\n" + textwrap.dedent(tests))
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text((TOY / "rubric.yaml").read_text().replace("total: 15", f"total: {15 + points}") + rubric_lines)
    return run_grader(write_files(tmp_path / "submission", files), tmp_path, rubric=rubric, tests=folder)


def test_a_plain_assert_in_a_hidden_test_does_not_show_its_values(tmp_path):
    graded = grade_with_more_tests(tmp_path, """
        @toy.grades('scale')
        def test_bare_assert():
            assert float(toy.scale(np.ones(1), 3.0)[0]) == 3.0


        @toy.grades('scale')
        def test_assert_with_words():
            assert float(toy.scale(np.ones(1), 3.0)[0]) == 3.0, 'scale(1, 3) should be 3'
        """, 2, '  "test_toy.py::test_bare_assert": {points: 1}\n  "test_toy.py::test_assert_with_words": {points: 1}\n',
        {"toy.py": WRONG_SCALE})
    assert graded.test("test_bare_assert")["output"] == "Test failed."
    assert graded.test("test_assert_with_words")["output"] == "scale(1, 3) should be 3"


def test_a_set_score_that_is_not_one_finite_number_earns_nothing(tmp_path):
    """A partial-credit score computed from a student's values may be NaN or an array; min(1, NaN)
    would have been full credit."""
    graded = grade_with_more_tests(tmp_path, """
        @toy.grades('stats')
        @partial_credit(1)
        def test_nan_score(set_score=None):
            set_score(float(toy.stats(np.ones(2))[2]) * float('nan'))


        @toy.grades('stats')
        @partial_credit(1)
        def test_array_score(set_score=None):
            set_score(np.ones(3))
        """, 2, "", {"toy.py": CORRECT_TOY})
    assert graded.test("test_nan_score")["score"] == 0
    assert graded.test("test_array_score")["score"] == 0
    assert graded.results["score"] == 15


def test_tests_run_file_by_file_each_files_visible_tests_first(tmp_path):
    """Each file needs one worker: its visible tests, then its hidden ones, then the next file's."""
    import pytest

    from autograder import cli, rubric
    from autograder.plugin import GradingPlugin

    class Order:
        @pytest.hookimpl(trylast=True)
        def pytest_collection_modifyitems(self, items):
            self.run = [(grading.collected[i.nodeid][0], hidden(i.nodeid)) for i in items]

    def hidden(test_id):
        return grading.rubric.settings(test_id, grading.collected[test_id][1]).visibility != "visible"

    rubric_path = tmp_path / "rubric.yaml"  # other.py gets a visible test, after toy.py's hidden ones
    rubric_path.write_text((TOY / "rubric.yaml").read_text().replace(
        '"test_toy.py::test_other_file_is_graded_on_its_own": {points: 0}',
        '"test_toy.py::test_other_file_is_graded_on_its_own": {points: 0, visibility: visible}'))
    grading, order = GradingPlugin(rubric.load(rubric_path)), Order()
    pytest.main(cli.pytest_args(str(TOY / "tests"), False) + ["--collect-only"], plugins=[grading, order])
    files = [file for file, _ in order.run]
    assert len(set(files)) == 2 and files == sorted(files, key=files.index)  # each file's tests together
    for file in set(files):
        hidden = [h for f, h in order.run if f == file]
        assert hidden == sorted(hidden)  # visible (False) before hidden (True)
    assert any(hidden for _, hidden in order.run) and not all(hidden for _, hidden in order.run)
