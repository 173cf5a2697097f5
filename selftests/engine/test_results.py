"""results.json: built from outcomes and the rubric, valid for Gradescope, written atomically."""
import json
import math
import os

import jsonschema
import pytest

from autograder import results, rubric
from autograder.discovery import Discovery
from autograder.plugin import Outcome

SCHEMA = json.loads(open(results.__file__.replace("source/autograder/results.py",
                                                  "selftests/fixtures/results.schema.json")).read())

RUBRIC = rubric.parse({
    "total": 10,
    "files": ["bn.py", "rnn.py"],
    "defaults": {"visibility": "after_due_date"},
    "results": {"visibility": "visible", "stdout_visibility": "hidden"},
    "tests": {
        "test_bn.py::*": {"points": 1},
        "test_bn.py::test_forward": {"points": 3, "visibility": "visible"},
        "test_bn.py::test_named": {"name": "a name from the rubric", "number": "7.3"},
        "test_bn.py::test_secret": {"hide_errors": "Details are hidden for this test."},
        "test_rnn.py::*": {"points": 2},
    },
})
DISCOVERY = Discovery(found={"bn.py": "/s/bn.py", "rnn.py": "/s/hw/rnn.py"},
                      notes={"bn.py": "", "rnn.py": "Graded hw/rnn.py."}, helpers={}, general=[])


def outcome(name="test_forward", file="bn.py", fraction=1.0, hidden="", visible=None, order=0, **options):
    kind = "passed" if fraction >= 1 else "wrong result"
    test_file = {"bn.py": "test_bn.py", "rnn.py": "test_rnn.py"}.get(file, "test_other.py")
    return Outcome(id=f"{test_file}::{name}", file=file, functions=["f"], fraction=fraction, kind=kind,
                   hidden_output=hidden, visible_output=hidden if visible is None else visible, order=order,
                   **options)


def build(*outcomes, rubric_=RUBRIC, discovery=DISCOVERY):
    built = results.build(list(outcomes), rubric_, discovery, 1.234, "isolation note")
    jsonschema.validate(built, SCHEMA)
    return built


def entry(*outcomes, **options):
    built = build(*outcomes, **options)
    assert len(built["tests"]) == 1
    return built["tests"][0]


# ---------------------------------------------------------------- points

def test_a_passed_test_earns_its_points():
    test = entry(outcome(fraction=1.0))
    assert (test["score"], test["max_score"], test["status"]) == (3.0, 3.0, "passed")


def test_partial_credit_earns_points_times_fraction_and_counts_as_failed():
    test = entry(outcome(fraction=2 / 3))
    assert (test["score"], test["max_score"], test["status"]) == (2.0, 3.0, "failed")


def test_a_failed_test_earns_nothing():
    assert entry(outcome(fraction=0.0))["score"] == 0.0


def test_a_test_without_points_is_worth_zero():
    test = entry(outcome(name="test_unlisted", file="other.py"), rubric_=rubric.parse({"files": ["bn.py"]}))
    assert (test["score"], test["max_score"]) == (0.0, 0.0)


def test_the_total_score_is_the_sum_of_test_scores():
    built = build(outcome(fraction=1.0), outcome("test_backward", fraction=0.5),
                  outcome("test_step", file="rnn.py", fraction=0.25))
    assert built["score"] == 3.0 + 0.5 + 0.5
    assert built["extra_data"]["max_score"] == 3.0 + 1.0 + 2.0


def test_the_overview_sums_visible_points_per_file_with_discovery_notes():
    built = build(outcome(fraction=1.0), outcome("test_step", file="rnn.py", fraction=0.0),
                  outcome("test_visible_step", file="rnn.py", fraction=0.0))
    assert built["output"].startswith("**Visible tests: 3 / 3 points**")
    assert "| bn\\.py | 3 / 3 | 0 | 0 |  |" in built["output"]
    assert "| rnn\\.py | 0 / 0 | 0 | 4 | Graded hw/rnn\\.py\\. |" in built["output"]


def test_the_overview_gives_away_nothing_about_hidden_tests():
    """Two submissions that differ only in hidden tests get the same summary at the top."""
    good = build(outcome(fraction=1.0), outcome("test_backward", fraction=1.0), outcome("test_step", file="rnn.py"))
    bad = build(outcome(fraction=1.0), outcome("test_backward", fraction=0.0),
                outcome("test_step", file="rnn.py", fraction=0.5))
    assert good["score"] != bad["score"]
    assert good["output"] == bad["output"]
    assert "Hidden tests are worth 3 more points" in good["output"]


def test_without_hidden_tests_the_overview_gives_the_score():
    built = build(outcome(fraction=0.5))
    assert built["output"].startswith("**Autograder score: 1.5 / 3**") and "Hidden tests" not in built["output"]


def test_discovery_notes_in_the_overview_cannot_break_out_of_the_table():
    discovery = Discovery({}, {"bn.py": "Graded evil|\n## Autograder score: 100 / 100\n<b>x</b>/bn.py."}, {},
                          ["a <script> note\n- [click](http://x)"])
    output = build(outcome(fraction=0.0), discovery=discovery)["output"]
    table_row = next(line for line in output.splitlines() if line.startswith("| bn"))
    assert table_row.count(" | ") == 4 and "\\|" in table_row and "\\<b\\>" in table_row
    assert not any(line.startswith(("## ", "- [")) for line in output.splitlines())
    assert "- a \\<script\\> note \\- \\[click\\]\\(http\\://x\\)" in output


def test_the_name_format_is_declared_and_a_rubric_can_set_one_per_test():
    data = {"results": {"test_name_format": "md"}, "tests": {"test_bn.py::test_forward": {"name_format": "html"}}}
    built = build(outcome(), outcome("test_backward"), rubric_=rubric.parse(data))
    assert built["test_name_format"] == "md"
    assert [t.get("name_format") for t in built["tests"]] == ["html", None]
    assert build(outcome())["test_name_format"] == "text"


def test_run_level_fields_come_from_the_rubric_and_the_run():
    built = build(outcome())
    assert (built["visibility"], built["stdout_visibility"]) == ("visible", "hidden")
    assert (built["execution_time"], built["extra_data"]["isolation"]) == (1.23, "isolation note")
    assert built["output_format"] == built["test_output_format"] == "md"


# ---------------------------------------------------------------- what each test shows

def test_a_visible_test_shows_the_visible_output():
    test = entry(outcome(fraction=0.0, hidden="hidden words", visible="expected 3, got 4"))
    assert test["visibility"] == "visible" and test["output"] == "expected 3, got 4"


def test_a_hidden_test_shows_the_hidden_output():
    test = entry(outcome("test_backward", fraction=0.0, hidden="hidden words", visible="expected 3, got 4"))
    assert test["visibility"] == "after_due_date" and test["output"] == "hidden words"


def test_hide_errors_replaces_the_output_of_a_failed_test():
    test = entry(outcome("test_secret", fraction=0.0, hidden="`y` is wrong", printed="debug 42\n"))
    assert test["output"] == "Details are hidden for this test."


def test_hide_errors_leaves_a_passed_test_alone():
    assert entry(outcome("test_secret", fraction=1.0))["output"] == "Passed."


def test_a_test_with_no_words_says_passed_or_failed():
    assert entry(outcome(fraction=1.0))["output"] == "Passed."
    assert entry(outcome(fraction=0.0))["output"] == "Failed."


def test_printed_output_is_fenced_after_the_feedback():
    test = entry(outcome(fraction=0.0, hidden="`y` is wrong.", printed="step 1 <b>\nstep 2\n"))
    assert test["output"] == "`y` is wrong.\n\nYour code printed:\n```text\nstep 1 <b>\nstep 2\n```"


def test_printed_output_cannot_close_its_fence():
    output = entry(outcome(fraction=1.0, printed="~~~\n<img src=x onerror=alert(1)>\n~~~~\n````\n"))["output"]
    assert output.endswith("\n~~~\n<img src=x onerror=alert(1)>\n~~~~\n````\n`````")
    assert output.count("`````") == 2  # one fence, longer than any run inside, opened and closed


def test_whitespace_only_printed_output_is_not_shown():
    assert entry(outcome(fraction=1.0, printed="\n  \n"))["output"] == "Passed."


def test_html_in_feedback_is_escaped():
    output = entry(outcome(fraction=0.0, hidden="f raised ValueError: <img src=x onerror=alert(1)>"))["output"]
    assert "<img" not in output and "&lt;img src=x onerror=alert(1)&gt;" in output


def test_the_name_is_the_rubrics_then_the_docstring_then_the_function_in_words():
    built = build(outcome("test_named"), outcome("test_backward", doc="dx matches the reference"),
                  outcome("test_forward_of_a_batch"))
    names = {t["extra_data"]["id"].split("::")[1]: t["name"] for t in built["tests"]}
    assert names == {"test_named": "a name from the rubric", "test_backward": "bn.py: dx matches the reference",
                     "test_forward_of_a_batch": "bn.py: forward of a batch"}


def test_tags_visibility_and_extra_data_are_carried_over():
    out = outcome(decorators={"tags": ["core", "bn"]})
    out.kind = "passed"
    test = entry(out)
    assert test["tags"] == ["core", "bn"]
    assert test["extra_data"] == {"file": "bn.py", "functions": ["f"], "kind": "passed",
                                  "id": "test_bn.py::test_forward"}


def test_the_graders_internal_traceback_never_reaches_results():
    out = outcome(fraction=0.0, hidden="The autograder itself failed", internal="Traceback: SECRET_PATH")
    assert "SECRET_PATH" not in json.dumps(build(out))


def test_a_leaderboard_value_is_reported():
    built = build(outcome(leaderboard=["accuracy", 0.9, "desc"]))
    assert built["leaderboard"] == [{"name": "accuracy", "value": 0.9, "order": "desc"}]


def test_without_leaderboard_values_there_is_no_leaderboard():
    assert "leaderboard" not in build(outcome())


# ---------------------------------------------------------------- order and numbers

def ids(built):
    return [t["extra_data"]["id"] for t in built["tests"]]


def test_tests_are_ordered_by_file_as_the_rubric_lists_them():
    built = build(outcome("test_step", file="rnn.py", order=0), outcome("test_forward", order=5),
                  outcome("test_other", file="other.py", order=1))
    assert [t["extra_data"]["file"] for t in built["tests"]] == ["bn.py", "rnn.py", "other.py"]


def test_visible_tests_come_before_hidden_ones_within_a_file():
    built = build(outcome("test_backward", order=0), outcome("test_forward", order=9))
    assert ids(built) == ["test_bn.py::test_forward", "test_bn.py::test_backward"]


def test_tests_of_the_same_file_and_visibility_keep_their_written_order():
    built = build(outcome("test_c", order=2), outcome("test_a", order=0), outcome("test_b", order=1))
    assert ids(built) == ["test_bn.py::test_a", "test_bn.py::test_b", "test_bn.py::test_c"]


def test_tests_are_numbered_by_file_rank_then_position():
    built = build(outcome("test_step", file="rnn.py"), outcome("test_forward", order=0),
                  outcome("test_backward", order=1), outcome("test_x", file="other.py"))
    assert [t["number"] for t in built["tests"]] == ["1.1", "1.2", "2.1", "3.1"]


def test_explicit_numbers_are_kept():
    built = build(outcome("test_named", order=0), outcome("test_decorated", order=1, decorators={"number": "9.1"}),
                  outcome("test_backward", order=2))
    assert [t["number"] for t in built["tests"]] == ["7.3", "9.1", "1.1"]


def test_an_automatic_number_never_repeats_an_explicit_one():
    built = build(outcome("test_a", order=0, decorators={"number": "1.1"}), outcome("test_b", order=1))
    numbers = [t["number"] for t in built["tests"]]
    assert len(set(numbers)) == len(numbers), numbers


# ---------------------------------------------------------------- schema

def test_a_realistic_run_is_valid_against_the_schema():
    built = build(
        outcome(fraction=1.0, printed="hello\n"), outcome("test_backward", fraction=0.5, hidden="`dx` is wrong"),
        outcome("test_secret", fraction=0.0), outcome("test_named"),
        outcome("test_step", file="rnn.py", fraction=0.0, hidden="Expected y = [1.]\nYour     y = [2.]"),
        outcome("test_orphan", file=None, fraction=0.0), outcome("test_lb", leaderboard=["speed", 3, "asc"]),
    )
    jsonschema.validate(built, SCHEMA)
    assert len(built["tests"]) == 7


def test_a_run_with_no_tests_is_valid_against_the_schema():
    jsonschema.validate(results.build([], RUBRIC, None, 0.0), SCHEMA)


# ---------------------------------------------------------------- markdown

def test_expected_and_your_lines_are_fenced_as_code():
    text = "All 3 entries of `y` are wrong.\nExpected y = [1., 2., 3.]\nYour     y = [1., 2., 4.]\nHint: none."
    assert results.markdown(text) == ("All 3 entries of `y` are wrong.  \n```text\nExpected y = [1., 2., 3.]\n"
                                      "Your     y = [1., 2., 4.]\n```\nHint: none.")


def test_indented_lines_such_as_a_traceback_are_fenced():
    text = 'Traceback (your code only):\n  File "toy.py", line 3, in f\n    return x[99]'
    assert results.markdown(text) == ('Traceback (your code only):  \n```text\n  File "toy.py", line 3, in f\n'
                                      "    return x[99]\n```")


def test_html_in_prose_is_escaped():
    assert results.markdown("a <script>alert(1)</script> & b") == "a &lt;script&gt;alert(1)&lt;/script&gt; &amp; b"


def test_prose_lines_keep_their_line_breaks():
    assert results.markdown("one\ntwo") == "one  \ntwo"


def test_a_line_of_tildes_in_the_text_opens_no_fence():
    text = "printed:\n~~~\n<b>raw</b>\n~~~\nafter"
    assert results.markdown(text) == "printed:  \n\\~\\~\\~  \n&lt;b&gt;raw&lt;/b&gt;  \n\\~\\~\\~  \nafter"


def test_code_lines_are_not_html_escaped_inside_their_fence():
    assert results.markdown("  a < b") == "```text\n  a < b\n```"


# ---------------------------------------------------------------- crashed

def test_crashed_results_are_valid_against_the_schema():
    jsonschema.validate(results.crashed("KeyError: 'x'", 3.14159), SCHEMA)


def test_crashed_results_blame_the_autograder_and_give_no_points():
    crashed = results.crashed("KeyError: 'x'")
    assert crashed["score"] == 0.0 and crashed["tests"] == [] and crashed["visibility"] == "visible"
    assert "The autograder failed while grading this submission. This is not a problem with your code." \
        in crashed["output"]


def test_crashed_results_show_the_end_of_a_long_message_in_a_fence():
    crashed = results.crashed("head" + "x" * 5000 + "TAIL")
    assert "head" not in crashed["output"] and crashed["output"].endswith("TAIL\n```")


# ---------------------------------------------------------------- write

def leftovers(folder):
    return sorted(p for p in os.listdir(folder) if p != "results.json")


def test_write_creates_the_folder_and_a_readable_json_file(tmp_path):
    path = tmp_path / "deep" / "results" / "results.json"
    built = build(outcome())
    results.write(built, str(path))
    assert json.loads(path.read_text()) == built
    assert os.stat(path).st_mode & 0o777 == 0o644


def test_write_leaves_no_temporary_files_behind_after_a_large_result(tmp_path):
    path = tmp_path / "results.json"
    big = results.crashed("x")
    big["output"] = "y" * (20 << 20)
    results.write(big, str(path))
    assert len(json.loads(path.read_text())["output"]) == 20 << 20
    assert leftovers(tmp_path) == []


def test_write_replaces_the_old_file_only_once_the_new_one_is_complete(tmp_path, monkeypatch):
    path = tmp_path / "results.json"
    old = results.crashed("the grader was stopped")
    results.write(old, str(path))
    seen = []
    real_fsync = os.fsync

    def spying_fsync(fd):
        real_fsync(fd)
        seen.append(json.loads(path.read_text()))  # what a reader would see mid-write

    monkeypatch.setattr(os, "fsync", spying_fsync)
    new = build(outcome())
    results.write(new, str(path))
    assert seen == [old]
    assert json.loads(path.read_text()) == new


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "results.json"
    old = results.crashed("the grader was stopped")
    results.write(old, str(path))
    with pytest.raises(ValueError):
        results.write({**old, "score": math.nan}, str(path))
    assert json.loads(path.read_text()) == old
    assert leftovers(tmp_path) == []


def test_written_json_never_contains_nan_or_infinity(tmp_path):
    for bad in (math.nan, math.inf, -math.inf):
        with pytest.raises(ValueError):
            results.write({"score": bad}, str(tmp_path / "results.json"))
    assert not (tmp_path / "results.json").exists()


def test_a_nan_leaderboard_value_still_gives_writable_results(tmp_path):
    built = build(outcome(leaderboard=["loss", math.nan, "asc"]))
    results.write(built, str(tmp_path / "results.json"))
