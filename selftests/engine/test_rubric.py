"""rubric.yaml: patterns, precedence (defaults < decorators < rubric entries), problems() and parse errors."""
import math
import re

import pytest

from autograder import rubric
from autograder.rubric import RubricError, parse, pattern_regex
from autograder.sandbox.limits import Limits

TOY_RUBRIC = rubric.__file__.replace("source/autograder/rubric.py", "selftests/fixtures/toy/rubric.yaml")


def settings(data, test_id, decorators=None):
    return parse(data).settings(test_id, decorators)


def error_of(data, where="rubric.yaml"):
    with pytest.raises(RubricError) as error:
        parse(data, where)
    return str(error.value)


# ---------------------------------------------------------------- patterns

def test_a_plain_entry_matches_only_that_exact_test_id():
    regex = pattern_regex("test_bn.py::test_forward")
    assert regex.fullmatch("test_bn.py::test_forward")
    assert not regex.fullmatch("test_bn.py::test_forward_big")
    assert not regex.fullmatch("x/test_bn.py::test_forward")


def test_a_star_matches_anything_including_the_double_colon():
    regex = pattern_regex("test_bn*")
    assert regex.fullmatch("test_bn.py::test_forward[case-1]")
    assert regex.fullmatch("test_bn")


def test_a_star_in_the_middle_matches_only_ids_with_that_prefix_and_suffix():
    regex = pattern_regex("test_bn.py::test_*_backward")
    assert regex.fullmatch("test_bn.py::test_small_backward")
    assert not regex.fullmatch("test_bn.py::test_small_forward")


def test_square_brackets_are_literal_not_a_character_class():
    regex = pattern_regex("test_bn.py::test_forward[ab]")
    assert regex.fullmatch("test_bn.py::test_forward[ab]")
    assert not regex.fullmatch("test_bn.py::test_forwarda")


@pytest.mark.parametrize("pattern, other", [("test.py", "testXpy"), ("test_?", "test_a"), ("a+b", "aab"),
                                            ("(x)", "x"), ("a|b", "a")])
def test_other_regex_characters_are_literal(pattern, other):
    assert pattern_regex(pattern).fullmatch(pattern)
    assert not pattern_regex(pattern).fullmatch(other)


# ---------------------------------------------------------------- precedence

def test_a_later_entry_overrides_an_earlier_pattern():
    data = {"tests": {"t.py::*": {"points": 1}, "t.py::test_big": {"points": 5}}}
    assert settings(data, "t.py::test_big").points == 5
    assert settings(data, "t.py::test_small").points == 1


def test_a_later_pattern_overrides_an_earlier_specific_entry():
    data = {"tests": {"t.py::test_big": {"points": 5}, "t.py::*": {"points": 1}}}
    assert settings(data, "t.py::test_big").points == 1


def test_entries_override_key_by_key():
    data = {"tests": {"t.py::*": {"visibility": "hidden", "tags": ["bn"]}, "t.py::test_a": {"points": 2}}}
    got = settings(data, "t.py::test_a")
    assert (got.points, got.visibility, got.tags) == (2, "hidden", ["bn"])


def test_the_rubric_overrides_a_decorator():
    data = {"tests": {"t.py::test_a": {"points": 2, "visibility": "hidden"}}}
    got = settings(data, "t.py::test_a", {"points": 9, "visibility": "visible"})
    assert (got.points, got.visibility) == (2, "hidden")


def test_a_decorator_is_used_where_the_rubric_is_silent():
    data = {"tests": {"t.py::test_a": {"points": 2}}}
    got = settings(data, "t.py::test_a", {"number": "9.1", "tags": ["x"], "hide_errors": "hidden"})
    assert (got.points, got.number, got.tags, got.hide_errors) == (2, "9.1", ["x"], "hidden")


def test_a_decorator_overrides_the_defaults():
    data = {"defaults": {"visibility": "after_due_date", "points": 1}}
    assert settings(data, "t.py::test_a", {"visibility": "visible"}).visibility == "visible"


def test_a_decorator_value_of_none_does_not_hide_the_default():
    data = {"defaults": {"visibility": "hidden"}}
    assert settings(data, "t.py::test_a", {"visibility": None}).visibility == "hidden"


def test_defaults_apply_to_tests_nothing_else_mentions():
    data = {"defaults": {"visibility": "after_due_date", "timeout": 5, "tags": "core"}}
    got = settings(data, "t.py::test_a")
    assert (got.visibility, got.timeout, got.tags, got.points) == ("after_due_date", 5, ["core"], None)


def test_without_any_setting_a_test_is_visible_with_no_points():
    got = settings({}, "t.py::test_a")
    assert (got.points, got.visibility, got.name, got.number, got.tags) == (None, "visible", None, None, [])


def test_a_single_tag_becomes_a_list_and_a_number_a_string():
    data = {"tests": {"t.py::test_a": {"tags": "bn", "number": 3}}}
    got = settings(data, "t.py::test_a")
    assert (got.tags, got.number) == (["bn"], "3")


def test_settings_of_one_test_do_not_leak_into_another():
    parsed = parse({"defaults": {"tags": ["core"]}})
    parsed.settings("t.py::a").tags.append("extra")
    assert parsed.settings("t.py::b").tags == ["core"]


# ---------------------------------------------------------------- problems()

CLEAN = {"total": 3, "files": ["a.py", "b.py"],
         "tests": {"test_a.py::*": {"points": 1}, "test_b.py::test_one": {"points": 2}}}
CLEAN_TESTS = {"test_a.py::test_x": ("a.py", {}), "test_b.py::test_one": ("b.py", {})}


def test_a_consistent_rubric_has_no_problems():
    assert parse(CLEAN).problems(CLEAN_TESTS) == []


def test_an_entry_matching_no_test_is_a_problem_and_a_near_miss_is_suggested():
    data = {**CLEAN, "tests": {**CLEAN["tests"], "test_b.py::test_onee": {"points": 0}}}
    assert parse(data).problems(CLEAN_TESTS) == [
        "rubric.yaml: tests: 'test_b.py::test_onee' matches no test (did you mean 'test_b.py::test_one'?)"]


def test_a_test_without_points_is_a_problem():
    tests = {**CLEAN_TESTS, "test_b.py::test_two": ("b.py", {})}
    assert parse(CLEAN).problems(tests) == ["rubric.yaml: test test_b.py::test_two has no points (add it under tests:)"]


def test_points_from_a_decorator_count():
    tests = {**CLEAN_TESTS, "test_b.py::test_two": ("b.py", {"points": 0})}
    assert parse(CLEAN).problems(tests) == []


def test_a_test_of_a_file_not_listed_is_a_problem():
    tests = {"test_a.py::test_x": ("a.py", {}), "test_b.py::test_one": ("c.py", {})}
    assert parse(CLEAN).problems(tests) == [
        "rubric.yaml: test test_b.py::test_one grades c.py, which is not listed under files:"]


def test_a_test_that_does_not_say_its_file_is_a_problem():
    tests = {"test_a.py::test_x": ("a.py", {}), "test_b.py::test_one": (None, {})}
    assert parse(CLEAN).problems(tests) == [
        "rubric.yaml: test test_b.py::test_one does not say which file it grades (@<file>.grades(...)) and its "
        "module's name names none"]


def test_a_total_that_differs_from_the_sum_of_points_is_a_problem():
    assert parse({**CLEAN, "total": 5}).problems(CLEAN_TESTS) == [
        "rubric.yaml: the tests add up to 3 points but total: says 5"]


def test_problems_of_a_loaded_rubric_give_their_lines(tmp_path):
    path = tmp_path / "rubric.yaml"
    path.write_text("total: 5\nfiles: [a.py, b.py]\ntests:\n  test_a.py::*: {points: 1}\n"
                    "  test_b.py::test_one: {points: 2}\n  test_b.py::tset_one: {points: 2}\n")
    assert rubric.load(path).problems(CLEAN_TESTS) == [
        f"{path}, line 6: tests: 'test_b.py::tset_one' matches no test (did you mean 'test_b.py::test_one'?)",
        f"{path}, line 1: the tests add up to 3 points but total: says 5"]


def test_without_a_total_the_sum_is_not_checked():
    assert parse({k: v for k, v in CLEAN.items() if k != "total"}).problems(CLEAN_TESTS) == []


def test_fractional_points_that_add_up_are_not_a_problem():
    data = {"total": 0.3, "files": ["a.py"], "tests": {"t::*": {"points": 0.1}}}
    tests = {f"t::{n}": ("a.py", {}) for n in "xyz"}
    assert parse(data).problems(tests) == []


# ---------------------------------------------------------------- parsing and its errors

def test_the_toy_rubric_loads():
    loaded = rubric.load(TOY_RUBRIC)
    assert loaded.total == 15 and loaded.files == ["toy.py", "other.py"]
    assert loaded.limits.call_timeout == 2
    assert loaded.settings("test_toy_examples.py::test_scale_doubles_a_vector").points == 2


def test_an_empty_file_is_an_empty_rubric(tmp_path):
    path = tmp_path / "rubric.yaml"
    path.write_text("")
    loaded = rubric.load(path)
    assert (loaded.total, loaded.files, loaded.entries) == (None, [], [])


def test_invalid_yaml_is_a_rubric_error_naming_the_file_and_line(tmp_path):
    path = tmp_path / "rubric.yaml"
    path.write_text("total: 3\ntests: {unclosed\n")
    with pytest.raises(RubricError, match=f"^{path}, line 3: not valid YAML: "):
        rubric.load(path)


def test_a_key_given_twice_is_refused_with_both_lines(tmp_path):
    path = tmp_path / "rubric.yaml"
    path.write_text('tests:\n  "t.py::a": {points: 1}\n  "t.py::b": {points: 1}\n  "t.py::a": {points: 2}\n')
    with pytest.raises(RubricError) as error:
        rubric.load(path)
    assert error.value.problems == [f"{path}, line 4: tests: 't.py::a' is given twice (also on line 2); YAML would "
                                    "keep only the last one, so merge the two"]


def test_every_problem_is_reported_at_once_in_line_order(tmp_path):
    path = tmp_path / "rubric.yaml"
    path.write_text("sandbox:\n  cpu_seconds: 0.5\ntests:\n  t.py::a: {points: -1}\ntotal: ten\n")
    with pytest.raises(RubricError) as error:
        rubric.load(path)
    assert [re.search(r", (line \d+):", p).group(1) for p in error.value.problems] == ["line 2", "line 4", "line 5"]


def test_sandbox_settings_reach_the_limits():
    parsed = parse({"sandbox": {"call_timeout": 3, "memory_mb": 256}})
    assert (parsed.limits.call_timeout, parsed.limits.memory_mb) == (3, 256)


def test_limits_left_out_keep_the_defaults_of_limits_py():
    assert parse({"sandbox": {"call_timeout": 3}}).limits == Limits(call_timeout=3)


def test_the_layers_a_course_requires_reach_the_limits():
    assert parse({"sandbox": {"require": ["seccomp", "landlock"]}}).limits.require == ("seccomp", "landlock")


def test_feedback_misconceptions_can_be_turned_off():
    assert parse({"feedback": {"misconceptions": False}}).feedback == {"misconceptions": False}
    assert parse({}).feedback == {"misconceptions": True}


def test_results_settings_are_kept_with_their_defaults():
    assert parse({"results": {"visibility": "hidden"}}).results == {
        "visibility": "hidden", "stdout_visibility": "hidden", "test_name_format": "text"}


def test_sections_left_empty_are_empty():
    parsed = parse({"tests": None, "sandbox": None, "defaults": None})
    assert (parsed.entries, parsed.limits, parsed.defaults) == ([], Limits(), {})


def test_a_rubric_that_is_not_a_mapping_is_an_error():
    assert error_of(["tests"], "course/rubric.yaml") == (
        "course/rubric.yaml: must be a mapping of settings (total:, files:, tests: ...), not a list")


def test_an_unknown_top_level_key_is_named_with_a_suggestion_and_the_known_ones():
    message = error_of({"totl": 3}, "course/rubric.yaml")
    assert message.startswith("course/rubric.yaml: unknown key 'totl' (did you mean 'total'?); known keys: ")
    assert "submission_limit" in message


def test_an_unknown_test_key_names_the_entry():
    assert error_of({"tests": {"t.py::test_a": {"pts": 1}}}).startswith(
        "rubric.yaml: tests: t.py::test_a: unknown key 'pts' (did you mean 'points'?);")


def test_an_unknown_default_key_names_the_defaults():
    assert error_of({"defaults": {"weight": 1}}).startswith("rubric.yaml: defaults: unknown key 'weight';")


def test_a_bad_visibility_names_the_entry_and_the_allowed_values():
    assert error_of({"tests": {"t.py::test_a": {"visibility": "secret"}}}) == (
        "rubric.yaml: tests: t.py::test_a: visibility must be one of 'visible', 'hidden', 'after_due_date', "
        "'after_published', not 'secret'")


def test_a_bad_results_visibility_names_the_results_key():
    assert error_of({"results": {"stdout_visibility": "all"}}).startswith(
        "rubric.yaml: results: stdout_visibility must be one of")


@pytest.mark.parametrize("points, why", [(-1, "must be at least 0, not -1"), (-0.5, "must be at least 0, not -0.5"),
                                         ("ten", "must be a number, not 'ten'"),
                                         (None, "must be a number, not nothing (null)"),
                                         ([1], "must be a number, not a list"), (True, "must be a number, not true"),
                                         (math.nan, "must be a finite number, not .nan"),
                                         (math.inf, "must be a finite number, not .inf")])
def test_points_that_are_not_a_finite_number_at_least_zero_name_the_entry(points, why):
    assert error_of({"tests": {"t.py::test_a": {"points": points}}}) == f"rubric.yaml: tests: t.py::test_a: points {why}"


@pytest.mark.parametrize("timeout, why", [(0, "must be more than 0, not 0"), (-1, "must be more than 0, not -1"),
                                          ("long", "must be a number, not 'long'")])
def test_a_timeout_that_is_not_positive_names_the_entry(timeout, why):
    assert error_of({"tests": {"t.py::test_a": {"timeout": timeout}}}) == f"rubric.yaml: tests: t.py::test_a: timeout {why}"


def test_an_unknown_sandbox_setting_is_named_with_the_known_ones():
    message = error_of({"sandbox": {"cpu": 3}})
    assert message.startswith("rubric.yaml: sandbox: unknown key 'cpu' (did you mean 'cpu_seconds'?); known keys: ")


def test_a_non_numeric_sandbox_limit_is_a_parse_error():
    assert error_of({"sandbox": {"call_timeout": "fast"}}) == (
        "rubric.yaml: sandbox: call_timeout must be a number (the default is 10), not 'fast'")


def test_a_settings_entry_that_is_not_a_mapping_names_the_entry():
    assert error_of({"tests": {"t.py::test_a": 3}}) == (
        "rubric.yaml: tests: t.py::test_a must be a mapping of settings (key: value), not 3")


def test_an_entry_with_no_settings_is_allowed():
    assert settings({"tests": {"t.py::test_a": None}}, "t.py::test_a").points is None


def test_tests_that_are_not_a_mapping_are_an_error():
    assert error_of({"tests": ["t.py::test_a"]}) == "rubric.yaml: tests must be a mapping of settings (key: value), not a list"


def test_files_that_are_not_a_list_of_names_are_an_error():
    assert error_of({"files": "a.py"}).startswith("rubric.yaml: files must be a list, not 'a.py'")
    assert error_of({"files": ["a.py", "src/b.py"]}) == (
        "rubric.yaml: files[2] must be a file name ending in .py (no folder), not 'src/b.py'")


def test_a_total_that_is_not_a_number_is_an_error():
    assert error_of({"total": "ten"}) == "rubric.yaml: total must be a number, not 'ten'"


def test_a_number_that_yaml_made_a_float_must_be_quoted():
    assert error_of({"tests": {"t.py::a": {"number": 1.1}}}) == (
        'rubric.yaml: tests: t.py::a: number must be quoted, e.g. number: "1.10", not 1.1: YAML reads an unquoted '
        "1.10 as the number 1.1")
