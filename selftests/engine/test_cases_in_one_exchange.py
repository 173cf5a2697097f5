"""match_reference_on and must_raise_on: every case in one exchange, yet the student reads exactly
what a loop of match_reference calls or must_raise blocks would have told them, whatever goes wrong
and wherever."""
import numpy as np
import pytest

from autograder import failures, student
from autograder.checks import match_reference, match_reference_on, must_raise, must_raise_on
from autograder.sandbox.controller import Sandbox
from autograder.sandbox.limits import Limits
from reference import batchnorm as ref

CORRECT = """
import numpy as np

def batchnorm_forward(x, gamma, beta, eps=1e-5):
    return gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps) + beta
"""
CALL_TIMEOUT = 0.5  # seconds: the hanging submissions wait this long, the others take milliseconds
RIGHT = "return gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps) + beta"


def variant(*before, result=RIGHT):
    """CORRECT with `before` (lines that may depend on N = len(x)) ahead of the return."""
    body = "".join(f"    {line}\n" for line in before)
    return CORRECT.replace(f"    {RIGHT}\n", body + f"    {result}\n")


# The cases have N = 4, 5 and 7 examples: a mistake can be made on one of them only.
SUBMISSIONS = {
    "correct": (CORRECT, None),
    "wrong on the second case only": (variant("if len(x) == 5: return x"), "wrong result"),
    "unbiased variance everywhere (a known mistake)": (
        variant(result=RIGHT.replace("x.var(axis=0)", "x.var(axis=0, ddof=1)")), "wrong result"),
    "wrong on the first, raises on the third": (
        variant("if len(x) == 4: return 2 * x", "if len(x) == 7: raise ValueError('seven')"), "wrong result"),
    "right on the first, raises on the second": (variant("if len(x) == 5: raise ValueError('five')"), "raised"),
    "wrong on the first, hangs on the third": (
        variant("if len(x) == 4: return 2 * x", "while len(x) == 7: pass"), "wrong result"),
    "right on the first, hangs on the second": (variant("while len(x) == 5: pass"), "timeout"),
    "wrong on the first, dies on the third": (
        variant("import os", "if len(x) == 4: return 2 * x", "if len(x) == 7: os._exit(3)"), "wrong result"),
    "changes its input on the second": (variant("if len(x) == 5: x -= 1.0"), "mutated input"),
    "prints on every call": (variant("print('N is', len(x))"), None),
}


def cases():
    rng = np.random.default_rng(0)
    return [(f"a batch of N={n}", (rng.normal(size=(n, 3)), rng.normal(size=3), rng.normal(size=3)))
            for n in (4, 5, 7)]


def outcome(sandbox, reveal, body):
    """What the student reads when `body` runs as one graded test: the failure's kind and texts,
    its partial credit, the known mistakes named, and everything the calls printed."""
    test = student.begin_test(CALL_TIMEOUT, reveal=reveal)
    try:
        body()
        failure = None
    except failures.StudentFailure as raised:
        failure = (raised.kind, raised.render(False), raised.render(True), raised.fraction,
                   getattr(raised, "misconceptions", None))
    return failure, "".join(test.printed)


def same_both_ways(sandbox_with, source, reveal, one_by_one, at_once):
    """What the student reads (outcome) when `source` is graded by `one_by_one`, then by
    `at_once`, each in a fresh sandbox; asserts the two are the same and returns it."""
    looped = outcome(sandbox_with(source), reveal, one_by_one)
    batched = outcome(sandbox_with(source), reveal, at_once)
    assert batched == looped
    return batched


@pytest.fixture
def sandbox_with(tmp_path):
    def start(source):
        (tmp_path / "batchnorm.py").write_text(source)
        sandbox = Sandbox({"batchnorm.py": str(tmp_path / "batchnorm.py")}, Limits(call_timeout=CALL_TIMEOUT),
                          isolate=False)
        student.bind(sandbox.__enter__())
        return sandbox
    started = []
    yield lambda source: started.append(start(source)) or started[-1]
    student.bind(None)
    for sandbox in started:
        sandbox.__exit__(None, None, None)


def exchanges_of(sandbox):
    """How many calls each exchange `sandbox` makes from now on holds (a list that grows)."""
    sizes, calls = [], sandbox.calls
    sandbox.calls = lambda file, function, arguments, *rest, **options: (
        sizes.append(len(arguments)) or calls(file, function, arguments, *rest, **options))
    return sizes


@pytest.mark.parametrize("name", SUBMISSIONS)
@pytest.mark.parametrize("reveal", [False, True], ids=["hidden", "visible"])
def test_the_student_reads_what_a_loop_of_match_reference_would_tell_them(sandbox_with, name, reveal):
    source, kind = SUBMISSIONS[name]
    bn = student.student_file("batchnorm.py")

    def one_by_one():
        for case, args in cases():
            match_reference(bn.batchnorm_forward, ref.batchnorm_forward, args, name="y", case=case)

    def at_once():
        match_reference_on(bn.batchnorm_forward, ref.batchnorm_forward, cases(), name="y")

    failure, printed = same_both_ways(sandbox_with, source, reveal, one_by_one, at_once)
    assert (failure and failure[0]) == kind
    if name == "wrong on the second case only":
        assert "N=5" in failure[1]
    if name.startswith("unbiased variance"):
        assert failure[4] == ["batchnorm-unbiased-variance"] and "N=4" in failure[1]
    if name == "prints on every call":
        assert [line for line in printed.splitlines() if line] == ["N is 4", "N is 5", "N is 7"]


def test_all_cases_go_to_the_worker_in_one_exchange(sandbox_with):
    exchanges = exchanges_of(sandbox_with(CORRECT))
    student.begin_test(CALL_TIMEOUT, reveal=False)
    bn = student.student_file("batchnorm.py")
    match_reference_on(bn.batchnorm_forward, ref.batchnorm_forward, cases(), name="y")
    assert exchanges == [3]


def test_a_case_may_pass_keyword_arguments(sandbox_with):
    sandbox_with(variant(result="return eps * np.ones_like(x)"))
    student.begin_test(CALL_TIMEOUT, reveal=True)
    bn = student.student_file("batchnorm.py")
    x, gamma, beta = cases()[0][1]
    with pytest.raises(failures.StudentFailure, match=r"eps=0\.5"):
        match_reference_on(bn.batchnorm_forward, ref.batchnorm_forward,
                           [("eps of 0.5", (x, gamma, beta), {"eps": 0.5})], name="y")


SIZES = """
import os

def check_size(n):
    if n < 1:
        raise ValueError(f"size {n} is below 1")
    return n
"""
RAISE = "raise ValueError(f\"size {n} is below 1\")"


def size_variant(*before):
    return SIZES.replace("    if n < 1:", "".join(f"    {line}\n" for line in before) + "    if n < 1:")


# Every case must raise ValueError naming its size: n = 0, -1 and -2.
REFUSALS = {
    "correct": (SIZES, None),
    "returns normally on the second": (size_variant("if n == -1: return n"), "failed"),
    "the wrong exception on the first": (size_variant("if n == 0: raise TypeError('no')"), "failed"),
    "a message without the size on the third": (size_variant("if n == -2: raise ValueError('too small')"), "failed"),
    "returns on the first, hangs on the second": (size_variant("if n == 0: return n", "while n == -1: pass"),
                                                  "failed"),
    "right on the first, hangs on the second": (size_variant("while n == -1: pass"), "timeout"),
    "returns on the first, dies on the third": (size_variant("if n == 0: return n", "if n == -2: os._exit(3)"),
                                                "failed"),
    "prints on every call": (size_variant("print('n is', n)"), None),
}


@pytest.mark.parametrize("name", REFUSALS)
def test_the_student_reads_what_a_loop_of_must_raise_blocks_would_tell_them(sandbox_with, name):
    source, kind = REFUSALS[name]
    mod = student.student_file("batchnorm.py")
    sizes = [0, -1, -2]

    def one_by_one():
        for n in sizes:
            with must_raise(ValueError, f"for n={n}", mentioning=str(n)):
                mod.check_size(n)

    def at_once():
        must_raise_on(mod.check_size, ValueError, [(f"for n={n}", (n,), str(n)) for n in sizes])

    failure, printed = same_both_ways(sandbox_with, source, False, one_by_one, at_once)
    assert (failure and failure[0]) == kind
    where = {"returns normally on the second": "n=-1", "a message without the size on the third": "n=-2",
             "returns on the first, hangs on the second": "n=0"}
    if name in where:
        assert where[name] in failure[1]
    if name == "prints on every call":
        assert [line for line in printed.splitlines() if line] == ["n is 0", "n is -1", "n is -2"]


def test_must_raise_on_sends_every_call_in_one_exchange_even_past_the_expected_failures(sandbox_with):
    exchanges = exchanges_of(sandbox_with(SIZES))
    student.begin_test(CALL_TIMEOUT, reveal=False)
    mod = student.student_file("batchnorm.py")
    must_raise_on(mod.check_size, ValueError, [(f"for n={n}", (n,), str(n)) for n in (0, -1, -2)])
    assert exchanges == [3]
