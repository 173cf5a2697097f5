"""check(), must_raise() and the feedback sentences: what a student reads when a value is wrong."""
import math

import numpy as np
import pytest

from autograder import checks, failures, feedback, student
from autograder.escaping import unmarked
from autograder.sandbox import protocol
from autograder.checks import Mismatch, Tolerance, check, must_raise


@pytest.fixture(autouse=True)
def fresh_test_context():
    """Each test starts as a fresh graded test: no call into student code recorded yet."""
    saved = student.SESSION.test
    student.SESSION.test = student.TestContext()
    yield student.SESSION.test
    student.SESSION.test = saved


def mismatch(got, expected, **options):
    with pytest.raises(Mismatch) as error:
        check(got, expected, **options)
    return error.value


def visible(got, expected, **options):
    """The visible feedback as plain text (without the marks around the student's own text)."""
    return unmarked(mismatch(got, expected, **options).render(True))


def hidden(got, expected, **options):
    return unmarked(mismatch(got, expected, **options).render(False))


def raised(types, message="boom", function="safe_div", traceback='  File "toy.py", line 3, in safe_div'):
    error = {"type": types[0], "types": list(types), "message": message, "traceback": traceback}
    return failures.StudentRaised("toy.py", function, error)


# ---------------------------------------------------------------- shapes

def test_a_transposed_matrix_is_called_transposed():
    text = visible(np.zeros((3, 2)), np.ones((2, 3)), name="y")
    assert "`y` has shape (3, 2) but should have shape (2, 3). It looks transposed." in text


def test_a_missing_axis_of_length_one_is_named_with_the_usual_causes():
    text = visible(np.zeros(3), np.ones((3, 1)), name="y")
    assert "`y` has shape (3,) but should have shape (3, 1)." in text
    assert "missing or extra axis of length 1" in text and "keepdims=True" in text


def test_an_extra_axis_of_length_one_gets_the_same_advice():
    assert "missing or extra axis of length 1" in visible(np.zeros((1, 4, 1)), np.ones(4))


def test_the_same_entries_in_another_layout_suggest_checking_the_reshape():
    text = visible(np.zeros(6), np.ones((2, 3)), name="y")
    assert "Same number of entries in a different layout: check your reshape." in text


@pytest.mark.parametrize("got_shape, expected_shape, sentence", [
    ((2, 3, 4), (2, 3), "It has 3 axes instead of 2."),
    ((5,), (2, 3), "It has 1 axis instead of 2."),
])
def test_a_different_number_of_axes_is_counted(got_shape, expected_shape, sentence):
    assert sentence in visible(np.zeros(got_shape), np.ones(expected_shape))


def test_a_shape_mismatch_reads_the_same_in_hidden_and_visible_tests():
    error = mismatch(np.zeros((3, 2)), np.ones((2, 3)))
    assert "has shape (3, 2) but should have shape (2, 3)" in error.render(False)
    assert error.fraction == 0.0


def test_a_ragged_list_is_reported_as_unreadable():
    assert "could not be read as an array of numbers (ragged nested lists?)" in visible([[1.0, 2.0], [3.0]],
                                                                                       np.ones((2, 2)))


@pytest.mark.parametrize("got, words", [(None, "but it is None"), ("abc", "but it is a str"),
                                        ({"a": 1}, "but it is a dict with keys 'a'")])
def test_a_non_numeric_result_says_what_it_is(got, words):
    text = visible(got, np.ones(3), name="y")
    assert "`y` should be an array of numbers of shape (3,)" in text and words in text


def test_a_string_array_is_reported_by_its_dtype_not_only_its_shape():
    text = visible(np.array(["1.0", "2.0"]), np.ones(2), name="y")
    assert "but it is an array of shape (2,)." not in text


# ---------------------------------------------------------------- NaN and inf

def test_nan_where_the_expected_value_is_finite_is_located_and_counted():
    text = hidden(np.array([1.0, np.nan, 3.0]), np.array([1.0, 2.0, 3.0]), name="y")
    assert "`y` contains NaN in 1 of 3 entries (first at y[1]), where the expected values are finite." in text


def test_inf_where_the_expected_value_is_finite_is_reported_as_inf():
    text = hidden(np.array([[1.0, 2.0], [np.inf, -np.inf]]), np.ones((2, 2)), name="y")
    assert "`y` contains inf in 2 of 4 entries (first at y[1, 0])" in text


def test_nan_and_inf_together_are_both_named():
    assert "contains NaN and inf in 2 of 2 entries" in hidden(np.array([np.nan, np.inf]), np.ones(2))


def test_the_non_finite_sentence_suggests_the_usual_numerical_fixes():
    text = hidden(np.array([np.nan, 1.0]), np.ones(2))
    assert "a division by zero (0/0 gives NaN" in text and "a log of 0" in text and "exp() of a large number" in text
    assert "subtract the maximum before exp" in text


def test_the_expected_value_beside_a_nan_is_shown_only_in_visible_tests():
    error = mismatch(np.array([np.nan, 1.0]), np.array([0.123456, 1.0]), name="y")
    assert "At y[0] the expected value is 0.123456." in error.render(True)
    assert "0.123456" not in error.render(False)


def test_nan_is_accepted_where_nan_is_expected():
    check(np.array([np.nan, 1.0]), np.array([np.nan, 1.0]))


def test_infinities_are_accepted_where_the_same_infinities_are_expected():
    check(np.array([np.inf, -np.inf, 0.5]), np.array([np.inf, -np.inf, 0.5]))


def test_a_finite_value_where_nan_is_expected_is_wrong():
    mismatch(np.array([0.0, 1.0]), np.array([np.nan, 1.0]))


@pytest.mark.parametrize("got", [np.array([1.0, 5.0]), np.array([1.0, -np.inf])], ids=["finite", "minus-inf"])
def test_anything_but_the_same_infinity_is_wrong_where_inf_is_expected(got):
    mismatch(got, np.array([1.0, np.inf]))


# ---------------------------------------------------------------- hints for patterned errors

EXPECTED = np.array([[1.0, -2.0, 3.5], [0.25, 4.0, -1.5], [2.0, 0.5, 3.0]])


def test_a_flipped_sign_is_pointed_out():
    assert "opposite sign of the expected one" in visible(-EXPECTED, EXPECTED)


def test_a_constant_factor_is_pointed_out_with_its_value_in_visible_tests():
    text = visible(2.0 * EXPECTED, EXPECTED)
    assert "every value is 2 times the expected one" in text and "a constant factor is missing or extra" in text


def test_a_constant_factor_is_pointed_out_in_hidden_tests_too():
    assert "a constant factor is missing or extra" in hidden(0.5 * EXPECTED, EXPECTED)


def test_a_transpose_is_pointed_out():
    assert "your result is the transpose of the expected one." in visible(EXPECTED.T, EXPECTED)


def test_a_constant_offset_is_pointed_out_with_its_size():
    assert "every value is off by the same amount (0.75)." in visible(EXPECTED + 0.75, EXPECTED)


def test_an_all_zero_result_is_pointed_out_in_hidden_and_visible_tests():
    error = mismatch(np.zeros((3, 3)), EXPECTED)
    assert "Hint: every value you returned is 0." in error.render(True)
    assert "Hint: every value you returned is 0." in error.render(False)


def test_an_error_without_a_pattern_gets_no_hint():
    got = EXPECTED + np.random.default_rng(3).normal(size=EXPECTED.shape)
    error = mismatch(got, EXPECTED)
    assert "Hint" not in error.render(True) and "Hint" not in error.render(False)


def test_a_hint_is_given_only_when_it_explains_every_entry():
    got = EXPECTED.copy()
    got[0, 0] *= 2.0
    got[1, 2] *= 2.0
    assert "Hint" not in visible(got, EXPECTED)


def test_no_factor_is_claimed_from_a_single_nonzero_expected_entry():
    """relu_grad returning relu(z) on z = (-2, 0, 3): '3 times the expected one' would mislead."""
    text = visible(np.array([0.0, 0.0, 3.0]), np.array([0.0, 0.0, 1.0]))
    assert "Hint" not in text and "times the expected" not in text


def test_no_sign_flip_is_claimed_from_a_single_nonzero_expected_entry():
    assert "Hint" not in visible(np.array([0.0, -2.0, 0.0]), np.array([0.0, 2.0, 0.0]))


def test_a_factor_shown_by_two_nonzero_entries_is_named():
    assert "every value is 3 times the expected one" in visible(np.array([0.0, 3.0, -6.0]), np.array([0.0, 1.0, -2.0]))


def test_no_transpose_is_claimed_for_a_symmetric_expected_matrix_with_a_wrong_diagonal():
    expected = np.array([[1.0, 2.0], [2.0, 5.0]])
    assert "transpose" not in visible(np.array([[1.0, 2.0], [2.0, 4.0]]), expected)


# ---------------------------------------------------------------- what wrong values look like

def test_wrong_entries_are_counted_and_the_first_is_located():
    got = EXPECTED.copy()
    got[1, 2] += 1.0
    got[2, 0] += 1.0
    text = hidden(got, EXPECTED, name="dx")
    assert "`dx` has 2 wrong entries out of 9" in text and "The first wrong entry is dx[1, 2]." in text


def test_the_error_sizes_and_the_allowance_applied_are_stated_in_visible_tests():
    got = EXPECTED.copy()
    got[0, 1] = -2.5
    text = visible(got, EXPECTED, name="dx")
    assert ("largest absolute error 0.5, largest relative error 0.25; allowed error 1e-05 x |expected| + 4e-06 "
            "(1e-06 x 4, the largest |value| of the whole expected result))") in text


def test_hidden_tests_state_the_allowance_as_a_rule_without_its_numbers():
    got = EXPECTED.copy()
    got[0, 1] = -2.5
    text = hidden(got, EXPECTED, name="dx")
    assert "allowed error 1e-05 x |value| + 1e-06 x the largest |value| of the whole result" in text
    assert "4e-06" not in text


def test_visible_feedback_shows_expected_and_got_at_the_first_wrong_entry():
    got = EXPECTED.copy()
    got[0, 2] = 3.25
    assert "At dx[0, 2]: expected 3.5, got 3.25." in visible(got, EXPECTED, name="dx")


def test_visible_feedback_prints_small_arrays_in_full():
    text = visible(np.array([1.0, 2.0, 4.0]), np.array([1.0, 2.0, 3.0]), name="y")
    assert "Expected y = [1., 2., 3.]" in text and "Your     y = [1., 2., 4.]" in text


def test_visible_feedback_for_a_single_number_shows_expected_and_got():
    assert "Expected 2.5, got 3." in visible(3.0, 2.5)


def test_every_entry_wrong_is_said_as_such():
    assert "All 3 entries of `y` are wrong" in hidden(np.zeros(3), np.ones(3), name="y")


def corruptions(expected, rng):
    yield expected + rng.normal(size=expected.shape)
    yield 2.0 * expected
    yield -expected
    yield expected + 0.3
    yield np.zeros_like(expected)
    yield np.round(expected, 1)
    one = expected.copy()
    one.flat[rng.integers(expected.size)] += 1.0
    yield one
    nan = expected.copy()
    nan.flat[0] = np.nan
    yield nan
    if expected.ndim == 2 and expected.shape[0] == expected.shape[1]:
        yield expected.T


def test_hidden_feedback_never_contains_an_expected_value():
    rng = np.random.default_rng(2024)
    checked = 0
    for _ in range(30):
        shape = tuple(int(n) for n in rng.integers(1, 5, size=rng.integers(1, 3)))
        expected = rng.normal(size=shape) * 10.0 ** rng.integers(-3, 4)
        student.SESSION.test.last_call = ("f", (np.ones(shape), 0.5), {"axis": 0})
        for got in corruptions(expected, rng):
            try:
                check(got, expected, name="y")
            except Mismatch as error:
                text = error.render(False)
            else:
                continue
            checked += 1
            for value in expected.flat:
                for written in {feedback.number(value), feedback.number(abs(value)), f"{value:.6g}", repr(value)}:
                    assert written not in text, f"{written} leaked into hidden feedback:\n{text}"
    assert checked > 200


def test_hidden_feedback_shows_the_call_without_array_values():
    student.SESSION.test.last_call = ("scale", (np.array([1.0, 2.0, 3.0]), 2.0), {})
    error = mismatch(np.zeros(3), np.ones(3))
    assert error.render(False).startswith("scale(array of shape (3,), 2.0) returned a wrong result:")
    assert error.render(True).startswith("scale([1., 2., 3.], 2.0) returned a wrong result:")


def test_the_case_is_named_in_the_header():
    assert hidden(0.0, 1.0, case="a batch of one example").startswith("Wrong result (a batch of one example):")


# ---------------------------------------------------------------- containers and partial credit

def test_partial_credit_is_the_share_of_tuple_parts_that_are_right():
    error = mismatch((np.ones(2), np.zeros(2), np.ones(3)), (np.ones(2), np.ones(2), np.ones(3)),
                     names=("dx", "dgamma", "dbeta"))
    assert error.fraction == pytest.approx(2 / 3)
    assert "`dgamma`" in error.render(False) and "`dx`" not in error.render(False)


def test_unnamed_tuple_parts_are_labelled_by_position():
    assert "`result[1]` is wrong" in hidden((1.0, 5.0), (1.0, 2.0))


def test_partial_credit_is_the_share_of_dict_keys_that_are_right():
    error = mismatch({"w": np.ones(2), "b": 3.0}, {"w": np.ones(2), "b": 1.0})
    assert error.fraction == 0.5 and '`result["b"]` is wrong' in error.render(False)


def test_a_missing_dict_key_is_reported_and_costs_its_share():
    error = mismatch({"w": np.ones(2)}, {"w": np.ones(2), "b": 1.0})
    assert error.fraction == 0.5
    assert '`result["b"]` is missing from the dict you returned.' in error.render(False)


def test_extra_dict_keys_are_ignored():
    check({"w": 1.0, "b": 2.0, "cache": object()}, {"w": 1.0, "b": 2.0})


def test_nested_dicts_name_the_full_path_of_a_wrong_value():
    assert '`result["grads"]["W1"]` is wrong' in hidden({"grads": {"W1": 2.0}}, {"grads": {"W1": 1.0}})


def test_a_tuple_of_the_wrong_length_gets_no_partial_credit():
    error = mismatch((np.ones(2), np.ones(2)), (np.ones(2), np.ones(2), np.ones(2)))
    assert error.fraction == 0.0 and "`result` has 2 items but should have 3." in error.render(False)


def test_a_dict_where_a_tuple_is_expected_says_what_it_got():
    text = hidden({"a": np.ones(2)}, (np.ones(2), np.ones(2)))
    assert "`result` should be a sequence of 2 items, but it is a dict with keys 'a'." in text


def test_a_single_result_that_is_wrong_earns_nothing():
    assert mismatch(np.zeros(3), np.ones(3)).fraction == 0.0


@pytest.mark.parametrize("got, expected", [
    ([np.ones(2), 1.0], (np.ones(2), 1.0)),
    ((np.ones(2), 1.0), [np.ones(2), 1.0]),
    ((1.0, 2.0), [1.0, 2.0]),
    ([1.0, 2.0], (1.0, 2.0)),
    ([(1, "a"), [2, "b"]], ([1, "a"], (2, "b"))),
], ids=["list-for-tuple", "tuple-for-list", "numbers-tuple-for-list", "numbers-list-for-tuple", "nested"])
def test_lists_and_tuples_are_interchangeable(got, expected):
    check(got, expected)


def test_a_list_of_numbers_is_compared_as_an_array():
    check([1.0, 2.0 + 1e-12], np.array([1.0, 2.0]))


# ---------------------------------------------------------------- integers, bools and strings

@pytest.mark.parametrize("got", [3, 3.0, np.int64(3), np.float64(3.0), np.uint8(3)],
                         ids=["int", "float", "np.int64", "np.float64", "np.uint8"])
def test_an_integer_is_accepted_in_any_numeric_type_of_the_same_whole_value(got):
    check(got, 3)


def test_a_fractional_number_is_not_a_whole_number():
    assert "`n` should be a whole number, but it is a float (3.5)." in hidden(3.5, 3, name="n")


@pytest.mark.parametrize("got", [True, np.bool_(True)], ids=["bool", "np.bool_"])
def test_a_bool_is_not_accepted_for_an_integer(got):
    assert "should be a whole number, but it is a bool" in hidden(got, 1)


def test_a_wrong_integer_shows_its_value_only_in_visible_tests():
    error = mismatch(4, 37, name="n")
    assert "`n`: expected 37, got 4." in error.render(True)
    assert "37" not in error.render(False)


def test_integers_are_compared_exactly_beyond_float_precision():
    mismatch(2**53, 2**53 + 1)


def test_an_integer_list_is_not_compared_exactly_but_as_numbers():
    check([1, 2, 3], (1.0, 2.0, 3.0))


def test_a_huge_integer_is_a_wrong_result_not_a_grader_error():
    mismatch(10**400, 3)


def test_a_numpy_integer_returned_by_a_student_is_accepted_for_an_integer():
    check(protocol.decode(protocol.encode(np.int64(3))), 3)


def test_a_0d_integer_array_is_accepted_for_an_integer():
    check(np.array(3), 3)


def test_a_numpy_bool_returned_by_a_student_is_accepted_for_a_bool():
    check(protocol.decode(protocol.encode(np.bool_(True))), True)


def test_an_int_is_not_accepted_for_a_bool():
    mismatch(1, True)


def test_a_bool_is_accepted_for_a_bool():
    check(np.bool_(False), False)


def test_strings_must_match_exactly():
    for got in ["abc ", "ABC", "ab", ""]:
        mismatch(got, "abc")


def test_a_numpy_string_is_accepted_for_a_string():
    check(np.str_("relu"), "relu")


def test_a_wrong_string_is_shown_only_in_visible_tests():
    error = mismatch("tanh", "sigmoid", name="activation")
    assert "`activation`: expected 'sigmoid', got 'tanh'." in unmarked(error.render(True))
    assert "sigmoid" not in error.render(False)


# ---------------------------------------------------------------- the default tolerance

def mixed_magnitudes(n=10_000, seed=7):
    rng = np.random.default_rng(seed)
    return rng.normal(size=n) * 10.0 ** rng.integers(-6, 7, size=n)


def test_the_default_tolerance_accepts_sums_in_any_order():
    x = mixed_magnitudes()
    loop = 0.0
    for v in x:
        loop += float(v)
    ways = {"np.sum": float(np.sum(x)), "loop": loop, "fsum": math.fsum(x), "reversed": float(np.sum(x[::-1])),
            "sorted": float(np.sum(np.sort(x)))}
    assert len(set(ways.values())) > 1  # the orders really do differ
    for expected in ways.values():
        for got in ways.values():
            check(got, expected)


def test_the_default_tolerance_accepts_a_matrix_product_associated_either_way():
    rng = np.random.default_rng(8)
    a, b, c = rng.normal(size=(40, 60)), rng.normal(size=(60, 70)) * 1e3, rng.normal(size=(70, 30)) * 1e-2
    left, right = (a @ b) @ c, a @ (b @ c)
    assert not np.array_equal(left, right)
    check(left, right)
    check(right, left)


def test_the_default_tolerance_accepts_least_squares_solved_two_ways():
    rng = np.random.default_rng(9)
    a = rng.normal(size=(200, 10))
    assert np.linalg.cond(a) < 10
    b = a @ rng.normal(size=10) + 0.1 * rng.normal(size=200)
    via_lstsq = np.linalg.lstsq(a, b, rcond=None)[0]
    via_normal_equations = np.linalg.solve(a.T @ a, a.T @ b)
    check(via_lstsq, via_normal_equations)
    check(via_normal_equations, via_lstsq)


def test_the_default_tolerance_accepts_a_relative_error_of_1e_8():
    expected = np.random.default_rng(10).normal(size=50)
    check(expected * (1 + 1e-8), expected)


def test_the_default_tolerance_rejects_a_relative_error_of_1e_4():
    expected = np.random.default_rng(11).normal(size=50)
    error = mismatch(expected * (1 + 1e-4), expected)
    assert "All 50 entries" in error.render(False)


def test_the_default_tolerance_rejects_a_relative_error_of_1e_4_on_a_single_number():
    mismatch(2.0 * (1 + 1e-4), 2.0)


def test_entries_tiny_next_to_the_largest_are_judged_against_the_scale_of_the_whole_result():
    check(np.array([1e6, 1e-10]), np.array([1e6, 0.0]))


def test_a_custom_tolerance_is_used_and_stated():
    check(1.001, 1.0, tol=Tolerance(rtol=1e-2))
    text = visible(np.full(3, 1.001), np.ones(3), tol=Tolerance(rtol=1e-4, scale=1e-7))
    assert "allowed error 0.0001 x |expected| + 1e-07 (1e-07 x 1, the largest |value|" in text


def test_a_part_that_is_exactly_zero_is_judged_at_the_scale_of_the_whole_result():
    """dQ and dK of attention over a single key are exactly 0; a softmax with +1e-8 in its denominator is
    off there by about 1e-9, which a correct implementation must be allowed."""
    expected = (np.zeros((2, 3)), np.zeros((1, 3)), np.array([[0.7, -1.3]]))
    got = (np.full((2, 3), 2e-9), np.full((1, 3), -1e-9), expected[2] * (1 - 1e-8))
    check(got, expected, names=("dQ", "dK", "dV"))


def test_a_part_that_is_exactly_zero_still_rejects_a_real_error():
    expected = (np.zeros(3), np.array([0.7, -1.3]))
    error = mismatch((np.full(3, 1e-3), expected[1]), expected, names=("dq", "dV"))
    assert "`dq`" in error.render(False) and error.fraction == 0.5


def test_the_largest_value_is_taken_over_every_part_of_a_dict_result():
    assert checks.DEFAULT.bound_to({"a": np.array([1.0, -7.0]), "b": 3.0, "name": "x"}).magnitude == 7.0


# ---------------------------------------------------------------- must_raise

def test_must_raise_passes_when_the_named_exception_is_raised():
    with must_raise(ValueError, "when the divisor is 0"):
        raise raised(["ValueError", "Exception", "BaseException", "object"])


def test_must_raise_passes_when_a_subclass_is_raised():
    with must_raise(ArithmeticError, "when the divisor is 0"):
        raise raised(["ZeroDivisionError", "ArithmeticError", "Exception", "BaseException", "object"])


def test_must_raise_accepts_an_error_report_without_a_type_list():
    error = {"type": "ValueError", "message": "no", "traceback": ""}
    with must_raise(ValueError, "when the divisor is 0"):
        raise failures.StudentRaised("toy.py", "safe_div", error)


def test_must_raise_fails_with_a_clear_sentence_when_another_exception_is_raised():
    with pytest.raises(failures.StudentFailure) as error:
        with must_raise(ValueError, "when the divisor is 0"):
            raise raised(["ZeroDivisionError", "ArithmeticError", "Exception", "BaseException", "object"])
    assert unmarked(error.value.summary) == ("safe_div should raise ValueError when the divisor is 0, "
                                             "but it raised ZeroDivisionError.")


def test_must_raise_keeps_the_students_traceback_when_the_wrong_exception_is_raised():
    with pytest.raises(failures.StudentFailure) as error:
        with must_raise(ValueError, "when the divisor is 0"):
            raise raised(["KeyError", "LookupError", "Exception"], traceback='  File "toy.py", line 9, in safe_div')
    assert 'File "toy.py", line 9, in safe_div' in error.value.render(False)


def test_a_base_class_raised_does_not_satisfy_a_request_for_a_subclass():
    with pytest.raises(failures.StudentFailure) as error:
        with must_raise(ZeroDivisionError, "when the divisor is 0"):
            raise raised(["ArithmeticError", "Exception", "BaseException", "object"])
    assert "but it raised ArithmeticError" in unmarked(error.value.summary)


def test_must_raise_fails_with_a_clear_sentence_when_the_function_returns_normally(fresh_test_context):
    fresh_test_context.last_call = ("safe_div", (1.0, 0.0), {})
    with pytest.raises(failures.StudentFailure) as error:
        with must_raise(ValueError, "when the divisor is 0"):
            pass
    assert error.value.summary == "safe_div should raise ValueError when the divisor is 0, but it returned normally."


def test_must_raise_without_any_call_says_the_function():
    with pytest.raises(failures.StudentFailure, match="^the function should raise ValueError"):
        with must_raise(ValueError, "always"):
            pass


def test_must_raise_lets_other_student_failures_through_unchanged():
    timeout = failures.CallTimeout("toy.py", "safe_div", 2)
    with pytest.raises(failures.CallTimeout) as error:
        with must_raise(ValueError, "when the divisor is 0"):
            raise timeout
    assert error.value is timeout


# ---------------------------------------------------------------- imports of unavailable modules

def test_a_function_importing_an_unavailable_library_is_told_what_it_may_import():
    text = raised(["ModuleNotFoundError", "ImportError"], message="No module named 'scipy.linalg'").render(False)
    assert text.startswith("safe_div raised ModuleNotFoundError: `scipy` is not available to graded code. Your files "
                           "may import only numpy and the Python standard library")


def test_a_file_importing_an_unavailable_library_is_told_what_it_may_import():
    error = {"type": "ModuleNotFoundError", "message": "No module named 'sklearn'", "traceback": ""}
    summary = failures.ImportFailed("gnn.py", error).summary
    assert summary.startswith("gnn.py could not be imported (ModuleNotFoundError): `sklearn` is not available")


def test_a_module_name_that_is_not_an_identifier_is_not_echoed():
    error = {"type": "ModuleNotFoundError", "message": "No module named '<b>x</b>'", "traceback": ""}
    summary = failures.ImportFailed("gnn.py", error).summary
    assert "<b>" not in summary and "a module is not available to graded code" in summary


def test_other_import_errors_keep_their_own_message():
    error = {"type": "ImportError", "message": "cannot import name 'foo' from 'numpy'", "traceback": ""}
    assert "cannot import name 'foo'" in failures.ImportFailed("gnn.py", error).summary


# ---------------------------------------------------------------- match_reference and fail

def test_match_reference_gives_the_reference_its_own_copy_of_the_inputs():
    def reference(x):
        x *= 2.0
        return x

    x = np.ones(3)
    seen = []
    got = checks.match_reference(lambda a: seen.append(a.copy()) or a * 2.0, reference, (x,))
    np.testing.assert_array_equal(seen[0], np.ones(3))
    np.testing.assert_array_equal(got, np.full(3, 2.0))


def test_match_reference_fails_when_the_function_differs_from_the_reference():
    with pytest.raises(Mismatch):
        checks.match_reference(lambda x: x + 1.0, lambda x: x * 2.0, (np.arange(3.0),), name="y")


def test_fail_uses_the_hidden_words_in_hidden_tests_and_the_visible_words_otherwise():
    with pytest.raises(Mismatch) as error:
        checks.fail("The loss does not decrease.", "The loss went from 2.0 to 2.5.", fraction=0.25)
    assert error.value.render(False) == "The loss does not decrease."
    assert error.value.render(True) == "The loss went from 2.0 to 2.5."
    assert error.value.fraction == 0.25


def test_a_mismatch_is_a_student_failure_of_kind_wrong_result():
    error = mismatch(0.0, 1.0)
    assert isinstance(error, failures.StudentFailure) and error.kind == "wrong result"


def test_a_students_own_class_named_like_the_builtin_does_not_satisfy_must_raise():
    with pytest.raises(failures.StudentFailure) as error:
        with must_raise(ValueError, "when the divisor is 0"):
            raise raised(["toy.ValueError", "builtins.Exception", "builtins.BaseException", "builtins.object"])
    assert "but it raised toy.ValueError" in unmarked(error.value.summary)


def test_must_raise_can_require_the_message_to_name_something():
    error = {"type": "ValueError", "types": ["builtins.ValueError"], "message": "bad layer", "traceback": ""}
    with pytest.raises(failures.StudentFailure, match="its message should name 'BOGUS3'"):
        with must_raise(ValueError, "for an unknown layer", mentioning="BOGUS3"):
            raise failures.StudentRaised("cnn.py", "layer_table", error)
    with must_raise(ValueError, "for an unknown layer", mentioning="BOGUS3"):
        raise failures.StudentRaised("cnn.py", "layer_table", dict(error, message="unknown layer BOGUS3"))


def test_a_float32_result_that_is_off_is_told_to_compute_in_float64():
    expected = np.array([1.0, 1.0 + 1e-4])
    text = hidden(np.array([1.0, 1.0], dtype=np.float32), expected)
    assert "came back as a lower-precision float; compute in float64" in text


def test_a_float32_cast_of_a_correct_float64_result_passes():
    expected = np.random.default_rng(5).normal(size=(4, 6))
    check(expected.astype(np.float32), expected)
