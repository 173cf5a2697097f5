"""rubric.yaml: patterns, precedence (defaults < decorators < rubric entries), problems() and parse errors."""
import pytest

from autograder import rubric
from autograder.rubric import RubricError, parse, pattern_regex

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


def test_an_entry_matching_no_test_is_a_problem():
    data = {**CLEAN, "tests": {**CLEAN["tests"], "test_c.py::*": {"points": 0}}}
    assert parse(data).problems(CLEAN_TESTS) == ["rubric entry 'test_c.py::*' matches no test"]


def test_a_test_without_points_is_a_problem():
    tests = {**CLEAN_TESTS, "test_b.py::test_two": ("b.py", {})}
    assert parse(CLEAN).problems(tests) == ["test test_b.py::test_two has no points (add it to rubric.yaml)"]


def test_points_from_a_decorator_count():
    tests = {**CLEAN_TESTS, "test_b.py::test_two": ("b.py", {"points": 0})}
    assert parse(CLEAN).problems(tests) == []


def test_a_test_of_a_file_not_listed_is_a_problem():
    tests = {"test_a.py::test_x": ("a.py", {}), "test_b.py::test_one": ("c.py", {})}
    assert parse(CLEAN).problems(tests) == ["test test_b.py::test_one grades c.py, which is not listed under files:"]


def test_a_test_that_does_not_say_its_file_is_a_problem():
    tests = {"test_a.py::test_x": ("a.py", {}), "test_b.py::test_one": (None, {})}
    assert parse(CLEAN).problems(tests) == [
        "test test_b.py::test_one does not say which file it grades (@<file>.grades(...))"]


def test_a_total_that_differs_from_the_sum_of_points_is_a_problem():
    assert parse({**CLEAN, "total": 5}).problems(CLEAN_TESTS) == [
        "the tests add up to 3 points but total: says 5"]


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


def test_invalid_yaml_is_a_rubric_error_naming_the_file(tmp_path):
    path = tmp_path / "rubric.yaml"
    path.write_text("tests: {unclosed\n")
    with pytest.raises(RubricError, match=f"{path} is not valid YAML"):
        rubric.load(path)


def test_sandbox_settings_reach_the_limits():
    parsed = parse({"sandbox": {"call_timeout": 3, "memory_mb": 256}})
    assert (parsed.limits.call_timeout, parsed.limits.memory_mb) == (3, 256)


def test_results_visibility_is_kept():
    assert parse({"results": {"visibility": "hidden"}}).results == {"visibility": "hidden"}


def test_a_rubric_that_is_not_a_mapping_is_an_error():
    assert error_of(["tests"], "course/rubric.yaml") == "course/rubric.yaml must be a mapping"


def test_an_unknown_top_level_key_is_named_with_the_known_ones():
    message = error_of({"totl": 3}, "course/rubric.yaml")
    assert message.startswith("course/rubric.yaml: unknown key(s) totl; known: ")
    assert "total" in message


def test_an_unknown_test_key_names_the_entry():
    message = error_of({"tests": {"t.py::test_a": {"pts": 1}}})
    assert message.startswith("rubric.yaml: tests: t.py::test_a: unknown key(s) pts;")


def test_an_unknown_default_key_names_the_defaults():
    assert error_of({"defaults": {"weight": 1}}).startswith("rubric.yaml: defaults: unknown key(s) weight;")


def test_a_bad_visibility_names_the_entry_and_the_allowed_values():
    message = error_of({"tests": {"t.py::test_a": {"visibility": "secret"}}})
    assert message == ("rubric.yaml: tests: t.py::test_a: visibility must be one of "
                       "visible, hidden, after_due_date, after_published")


def test_a_bad_default_visibility_names_the_defaults():
    assert error_of({"defaults": {"visibility": "public"}}).startswith("rubric.yaml: defaults: visibility")


def test_a_bad_results_visibility_names_the_results_key():
    assert error_of({"results": {"stdout_visibility": "all"}}).startswith(
        "rubric.yaml: results.stdout_visibility must be one of")


@pytest.mark.parametrize("points", [-1, -0.5, "ten", None, [1]])
def test_points_that_are_not_a_number_at_least_zero_name_the_entry(points):
    assert error_of({"tests": {"t.py::test_a": {"points": points}}}) == \
        "rubric.yaml: tests: t.py::test_a: points must be a number >= 0"


def test_a_boolean_is_not_accepted_as_points():
    error_of({"tests": {"t.py::test_a": {"points": True}}})


@pytest.mark.parametrize("timeout", [0, -1, "long"])
def test_a_timeout_that_is_not_positive_names_the_entry(timeout):
    assert error_of({"tests": {"t.py::test_a": {"timeout": timeout}}}) == \
        "rubric.yaml: tests: t.py::test_a: timeout must be a positive number of seconds"


def test_an_unknown_sandbox_setting_is_named_with_the_known_ones():
    message = error_of({"sandbox": {"cpu": 3}})
    assert message.startswith("rubric.yaml: sandbox: unknown sandbox setting(s): cpu; known: ")
    assert "cpu_seconds" in message


def test_a_non_numeric_sandbox_limit_is_a_parse_error():
    error_of({"sandbox": {"call_timeout": "fast"}})


def test_a_settings_entry_that_is_not_a_mapping_names_the_entry():
    assert error_of({"tests": {"t.py::test_a": 3}}) == "rubric.yaml: tests: t.py::test_a must be a mapping of settings"


def test_an_entry_with_no_settings_is_allowed():
    assert settings({"tests": {"t.py::test_a": None}}, "t.py::test_a").points is None


def test_tests_that_are_not_a_mapping_are_an_error():
    assert error_of({"tests": ["t.py::test_a"]}).startswith("rubric.yaml: tests: must map test ids")


def test_files_that_are_not_a_list_of_names_are_an_error():
    assert error_of({"files": "a.py"}) == "rubric.yaml: files: must be a list of file names"


def test_a_total_that_is_not_a_number_is_an_error():
    assert error_of({"total": "ten"}) == "rubric.yaml: total: must be a number"
