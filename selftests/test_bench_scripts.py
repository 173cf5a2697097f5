"""The measuring scripts work: bench/mutation.py (mutation analysis), bench/sgd_budget.py (the training
tests' budget) and bench/run.py's unsandboxed baseline. Their full runs take minutes and are documented commands; these checks take seconds."""
import ast
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

import mutation  # noqa: E402
import run  # noqa: E402
import sgd_budget  # noqa: E402

TOY = REPO / "selftests" / "fixtures" / "toy"
SNIPPET = '''"""A module docstring with 1 + 2 in it."""
import numpy as np

TABLE = {"a": 0.5}


def f(x, y):
    """f's docstring."""
    if x >= 0:
        return np.sum(x * y, axis=0) + 2.0
    return -x
'''


def test_every_mutant_changes_one_thing_and_compiles():
    found = mutation.mutants(SNIPPET)
    descriptions = {(kind, what) for _, kind, what, _ in found}
    for expected in [("operator", "Mult -> Div"), ("operator", "Add -> Sub"), ("compare", "GtE -> Gt"),
                     ("constant", "2.0 -> 4.0"), ("keyword", "drop axis="), ("function", "sum -> mean"),
                     ("unary", "drop USub"), ("constant", "0 -> 1"), ("drop-right", "drop the right operand of Add")]:
        assert expected in descriptions
    original = ast.unparse(ast.parse(SNIPPET))
    for _, _, _, text in found:
        compile(text, "<mutant>", "exec")
        assert text != original
    assert len({text for *_, text in found}) == len(found)


def test_docstrings_and_module_constants_are_left_alone():
    for _, _, _, text in mutation.mutants(SNIPPET):
        assert "1 + 2 in it" in text and "f's docstring." in text and "{'a': 0.5}" in text


def test_the_mutants_of_the_toy_assignment_are_graded_killed_and_their_survivors_reported(tmp_path):
    results = mutation.grade(TOY / "submissions" / "correct", ["toy.py"], TOY / "tests", TOY / "rubric.yaml",
                             tmp_path, call_timeout=2)
    fates = {(r["source"], r["what"]): r["killed"] for r in results}
    assert fates[("return c * x", "Mult -> Div")] is True
    assert fates[("return a / b", "Div -> Mult")] is False  # no toy test looks at safe_div's quotient
    text, unexplained = mutation.summary(results, {})
    assert "| toy.py |" in text and any(r["source"] == "return a / b" for r in unexplained)
    explained = {("toy.py", "return a / b", r["what"]): "not graded" for r in unexplained}
    assert mutation.summary(results, explained)[1] == [r for r in unexplained if r["source"] != "return a / b"]


def test_the_survivors_file_explains_each_survivor_with_a_reason():
    explained = mutation.load_explained()
    assert explained and all(len(reason) > 20 for reason in explained.values())
    for file, line, _ in explained:
        assert line in (REPO / "source" / "reference" / file).read_text()


def test_the_budget_study_passes_the_reference_and_fails_a_zero_start():
    found = sgd_budget.study([1000, 1001], correct={"reference": sgd_budget.CORRECT["reference"]},
                             wrong={"zero start": sgd_budget.WRONG["zero start"]}, only=["large"])
    worst, caught, correct_failures, _ = found["large"]
    assert correct_failures == {"reference": 0} and caught["zero start"].all()
    assert worst[0] < sgd_budget.hidden.LIMITS["large"]["excess"]


def test_the_sgd_variants_of_the_budget_study_are_what_they_say():
    X = sgd_budget.visible.training_data(1, 8, (1.0, 0.5, 0.1))
    W1, W2 = sgd_budget.sgd(X, 1, 0.1, 0.05, 1, 0, start=0.0)
    assert not W1.any() and not W2.any()  # a zero start stays at the saddle point
    rng = np.random.default_rng(0)
    start = 0.1 * rng.standard_normal((1, 3)), 0.1 * rng.standard_normal((3, 1))
    W1, W2 = sgd_budget.sgd(X, 1, 0.1, 0.05, 3, 0, update_w2=False)
    assert np.array_equal(W2, start[1]) and not np.array_equal(W1, start[0])


def test_the_unsandboxed_baseline_grades_the_reference_to_full_marks(tmp_path):
    """bench/run.py's baseline stands the sandbox in with an in-process stand-in, which rots silently when
    the Sandbox interface grows; the script asserts every test passed."""
    run.timed(run.unsandboxed_command(run.correct_submission(tmp_path / "reference")))


def test_a_batchs_start_up_and_steady_rate_come_from_a_full_and_a_small_batch():
    start_up, rate = run.steady((40, 20.0, 0.5), (4, 4.0, 0.9))  # 36 more submissions in 16 more seconds
    assert rate == 36 / 16 and abs(start_up - (4.0 - 4 / rate)) < 1e-12
