"""Named misconceptions: a wrong result that is what a catalogued mistake gives is told by name."""
import inspect

import numpy as np
import pytest

from autograder import misconceptions, student
from autograder.checks import Mismatch, check, match_reference
from reference import attention, batchnorm, gnn, rnn
from reference import misconceptions as catalogue

from .helpers import REPO, run_grader, write_files


pytestmark = pytest.mark.usefixtures("fresh_test_context")


def returned(function, *args, **kwargs):
    """What a student's `function` returned for these arguments, recorded as a proxy would."""
    student.SESSION.test.last_call = (function.__name__, args, kwargs)
    result = function(*args, **kwargs)
    student.SESSION.test.last_result = result
    return result


def mismatch(function, reference, args):
    with pytest.raises(Mismatch) as error:
        match_reference(lambda *a: returned(function, *a), reference, args)
    return error.value


def batch(seed=5):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(4, 3)), rng.normal(1.0, 0.5, 3), rng.normal(size=3), rng.normal(size=(4, 3))


def unbiased(x, gamma, beta, eps=1e-5):
    return gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0, ddof=1) + eps) + beta


unbiased.__name__ = "batchnorm_forward"


def test_a_result_that_is_a_known_mistake_is_named_with_its_sentence_and_id():
    x, gamma, beta, _ = batch()
    error = mismatch(unbiased, batchnorm.batchnorm_forward, (x, gamma, beta))
    assert error.misconceptions == ["batchnorm-unbiased-variance"]
    sentence = "This looks like a known mistake: The variance is the unbiased one (ddof=1, dividing by N - 1)"
    assert sentence in error.render(False) and sentence in error.render(True)


def test_a_wrong_result_that_matches_no_mistake_names_none():
    x, gamma, beta, _ = batch()

    def batchnorm_forward(x, gamma, beta):
        return batchnorm.batchnorm_forward(x, gamma, beta) + 0.1
    error = mismatch(batchnorm_forward, batchnorm.batchnorm_forward, (x, gamma, beta))
    assert error.misconceptions == [] and "known mistake" not in error.render(False)


def test_the_rubric_switch_turns_naming_off():
    student.SESSION.test.misconceptions = False
    x, gamma, beta, _ = batch()
    error = mismatch(unbiased, batchnorm.batchnorm_forward, (x, gamma, beta))
    assert error.misconceptions == [] and "known mistake" not in error.render(False)


def test_a_mistake_that_changes_nothing_on_this_input_is_not_named():
    """With d = 1 the 1/sqrt(d) scale is 1: leaving it out gives the right answer, so it cannot be the mistake."""
    rng = np.random.default_rng(6)
    Q, K, V = rng.normal(size=(2, 1)), rng.normal(size=(3, 1)), rng.normal(size=(3, 2))

    def softmax_attention(Q, K, V):
        return attention.softmax_attention(Q, K, V) + 1.0
    assert mismatch(softmax_attention, attention.softmax_attention, (Q, K, V)).misconceptions == []


def test_a_result_without_a_finite_number_is_not_explained():
    x, gamma, beta, _ = batch()
    assert misconceptions.explain(("batchnorm_forward", (x, gamma, beta), {}), np.full((4, 3), np.nan)) == ([], None)


def test_two_mistakes_in_different_parts_are_both_named():
    x, gamma, _, dout = batch()

    def batchnorm_backward(dout, x, gamma, eps=1e-5):
        dx, dgamma, dbeta = batchnorm.batchnorm_backward(dout, x, gamma, eps)
        return dx / gamma, dgamma, dbeta / len(x)
    error = mismatch(batchnorm_backward, batchnorm.batchnorm_backward, (dout, x, gamma))
    assert set(error.misconceptions) == {"batchnorm-dx-missing-gamma", "batchnorm-dbeta-mean-not-sum"}
    assert "This looks like one of these known mistakes:\n- " in error.render(False)


def test_a_mistake_that_explains_the_whole_result_is_named_alone():
    """Truncated BPTT also zeroes dh0 when only the last state has a gradient: it is named, not 'no dh0'."""
    rng = np.random.default_rng(7)
    xs, h0, Wx, Wh, b = rng.normal(size=(3, 2)), rng.normal(size=2), rng.normal(size=(2, 2)), \
        rng.normal(size=(2, 2)), rng.normal(size=2)
    dhs = np.zeros((3, 2))
    dhs[-1] = rng.normal(size=2)
    truncated = next(m.produce for m in catalogue.CATALOGUE if m.id == "rnn-backward-truncated-bptt")

    def rnn_backward(*args):
        return truncated(*args)
    error = mismatch(rnn_backward, rnn.rnn_backward, (dhs, xs, h0, Wx, Wh, b))
    assert error.misconceptions == ["rnn-backward-truncated-bptt"]


def test_a_value_derived_from_the_result_is_explained_through_the_result_itself():
    x, gamma, beta, _ = batch()
    raw = returned(unbiased, x, gamma, beta)
    with pytest.raises(Mismatch) as error:
        check(raw.tolist(), batchnorm.batchnorm_forward(x, gamma, beta).tolist(), result=raw)
    assert error.value.misconceptions == ["batchnorm-unbiased-variance"]


def test_a_value_that_is_not_the_latest_calls_result_is_not_explained():
    x, gamma, beta, _ = batch()
    raw = returned(unbiased, x, gamma, beta)
    returned(gnn.masked_bce_loss, np.array([1.0, 0.0]), np.array([0.6, 0.3]), np.array([True, True]))
    with pytest.raises(Mismatch) as error:
        check(raw, batchnorm.batchnorm_forward(x, gamma, beta))
    assert error.value.misconceptions == []


@pytest.mark.parametrize("result", [object(), {"a": [1, "x"]}, [[1.0, 2.0], [3.0]], "text", None, 10**400])
def test_naming_never_fails_on_whatever_a_student_returns(result):
    x, gamma, beta, _ = batch()
    assert misconceptions.explain(("batchnorm_forward", (x, gamma, beta), {}), result) == ([], None)


def test_without_the_catalogue_nothing_is_named(monkeypatch):
    """The student kit ships the engine but not the reference, so it has no catalogue."""
    monkeypatch.setattr(misconceptions, "CATALOGUE_MODULE", "reference.no_such_module")
    monkeypatch.setattr(misconceptions, "_loaded", {})
    x, gamma, beta, _ = batch()
    error = mismatch(unbiased, batchnorm.batchnorm_forward, (x, gamma, beta))
    assert error.misconceptions == []


def test_every_catalogue_entry_belongs_to_a_graded_function_and_takes_its_arguments():
    ids = [m.id for m in catalogue.CATALOGUE]
    assert len(ids) == len(set(ids))
    for entry in catalogue.CATALOGUE:
        correct = catalogue.correct(entry.function)
        stem = correct.__module__.split(".")[-1]
        assert entry.id.startswith(stem + "-"), entry.id
        assert list(inspect.signature(entry.produce).parameters) == list(inspect.signature(correct).parameters)
        assert entry.sentence.endswith(".") and len(entry.sentence) < 300


def test_the_rubric_can_turn_naming_off_for_a_whole_grading(tmp_path):
    """feedback: {misconceptions: false} in rubric.yaml: the bug still fails, but is not told by name."""
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_batchnorm.py").write_text((REPO / "tests" / "test_batchnorm.py").read_text())
    rubric = (REPO / "rubric.yaml").read_text()
    for flag, expected in (("true", {"batchnorm-unbiased-variance"}), ("false", set())):
        lines = [line for line in rubric.splitlines() if "::" not in line or line.strip().startswith('"test_batchnorm.py')]
        (tmp_path / f"rubric-{flag}.yaml").write_text(
            "\n".join(lines).replace("total: 100", "total:") + f"\nfeedback: {{misconceptions: {flag}}}\n")
        submission = write_files(tmp_path / f"submission-{flag}", {"batchnorm.py": (
            REPO / "source" / "reference" / "batchnorm.py").read_text().replace("x.var(axis=0)\n", "x.var(axis=0, ddof=1)\n", 1)})
        graded = run_grader(submission, tmp_path / flag, rubric=tmp_path / f"rubric-{flag}.yaml", tests=tests,
                            extra=["--record", str(tmp_path / f"record-{flag}.json")])
        assert graded.test("test_forward_matches_the_reference_on_random_batches")["score"] == 0
        import json
        record = json.loads((tmp_path / f"record-{flag}.json").read_text())
        assert {m for o in record["outcomes"] for m in o.get("misconceptions", [])} == expected
