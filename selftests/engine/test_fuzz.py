"""Property-based fuzzing of the trusted side: whatever a worker sends, the grader grades it or
blames the student, never itself; it never crashes; and what it writes stays bounded and shows
student text as text.

Three properties, each over random and adversarial inputs (hypothesis):
- every graded test of the assignment, its calls answered with damaged, random or hostile replies
  (fuzz.FuzzedSandbox): never "the autograder itself failed", and a results entry that is bounded,
  valid Markdown with no markup of the student's;
- random reply frames, well-formed or not, read as the controller reads them: a plain value or a
  StudentFailure, nothing else;
- random exception types and messages: the same bounded, markup-free feedback.

The default run is short and the same on every run (derandomized), so the suite stays fast and
deterministic. A longer, random run for maintainers: AG_FUZZ_EXAMPLES=500 (examples per property),
see the README.
"""
import importlib
import inspect
import json
import os
import re
import sys
import traceback

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograder import failures, plugin, results, rubric as rubric_module, student
from autograder.sandbox import controller, protocol
from autograder.sandbox.limits import FEEDBACK_CHARS, STUDENT_BLOCK_CHARS

from . import fuzz
from .helpers import REPO, html

EXAMPLES = int(os.environ.get("AG_FUZZ_EXAMPLES", "0"))
RUBRIC = rubric_module.load(REPO / "rubric.yaml")
# Markdown of one test: at most FEEDBACK_CHARS of text and the printed output, each character
# at most 6 once escaped (\u202e), plus fences and a few sentences.
OUTPUT_BOUND = 6 * (FEEDBACK_CHARS + int(RUBRIC.limits.output_chars) + 200) + 1000
RENDERED_TAGS = {"p", "br", "code", "pre"}  # what the grader's own Markdown turns into
RAW_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2061-\u2064]")
STUDENT_CACHES = {"test_autoencoder": "_trained"}  # module-level caches of student results, per grading


def fuzzing(default):
    """Hypothesis settings: `default` examples, the same ones every run, unless AG_FUZZ_EXAMPLES asks for more."""
    return settings(max_examples=EXAMPLES or default, deadline=None, database=None, derandomize=not EXAMPLES,
                    suppress_health_check=list(HealthCheck))


def graded_tests():
    """{test id: test function} of every graded test in tests/, imported as the grader imports them.

    The modules are taken out of sys.modules again: other self-tests collect graded tests of the
    same names from other folders, which pytest refuses while these are loaded.
    """
    folder = str(REPO / "tests")
    sys.path.insert(0, folder)
    found, loaded = {}, []
    try:
        for path in sorted((REPO / "tests").glob("test_*.py")):
            module = importlib.import_module(path.stem)
            loaded.append(path.stem)
            for name, function in vars(module).items():
                if name.startswith("test_") and inspect.isfunction(function) and function.__module__ == path.stem:
                    found[f"{path.name}::{name}"] = function
    finally:
        sys.path.remove(folder)
        for name in loaded:
            sys.modules.pop(name, None)
    return found


GRADED = graded_tests()


def run_graded(test_id, sandbox, reveal):
    """Run one graded test against `sandbox` and judge it as the plugin does; an Outcome."""
    function = GRADED[test_id]
    if function.__module__ in STUDENT_CACHES:
        function.__globals__[STUDENT_CACHES[function.__module__]].clear()  # a fresh grading process has none
    settings_ = RUBRIC.settings(test_id, plugin.decorators_of(GRADED[test_id]))
    outcome = plugin.Outcome(id=test_id, file=None, functions=[], fraction=1.0, kind="passed", hidden_output="",
                             visible_output="")
    student.bind(sandbox)
    context = student.begin_test(settings_.timeout, reveal=reveal)
    try:
        GRADED[test_id]()
    except failures.StudentFailure as failure:
        outcome.kind, outcome.fraction = failure.kind, getattr(failure, "fraction", 0.0)
        outcome.hidden_output, outcome.visible_output = failure.render(False), failure.render(True)
    except AssertionError as error:
        outcome.kind, outcome.fraction = "failed", 0.0
        outcome.hidden_output = outcome.visible_output = str(error)
    except Exception:  # what the plugin reports as "the autograder itself failed"
        outcome.kind, outcome.fraction, outcome.internal = "grader error", 0.0, traceback.format_exc()
    finally:
        student.bind(None)
    outcome.printed = "".join(context.printed)
    return outcome


def assert_shown_safely(markdown):
    """Bounded, no raw control character, and rendered into nothing but paragraphs, breaks and code."""
    assert len(markdown) <= OUTPUT_BOUND, f"{len(markdown)} characters"
    assert not RAW_CONTROLS.search(markdown), repr(RAW_CONTROLS.search(markdown).group())
    tags = set(re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", html(markdown)))
    assert tags <= RENDERED_TAGS, f"markup in the feedback: {tags - RENDERED_TAGS}\n{markdown[:3000]}"


@pytest.mark.parametrize("test_id", list(GRADED), ids=list(GRADED))
def test_any_reply_to_a_graded_test_is_graded_or_blamed_on_the_student(test_id):
    @fuzzing(default=4)
    @given(data=st.data(), reveal=st.booleans())
    def property_(data, reveal):
        outcome = run_graded(test_id, fuzz.FuzzedSandbox(data), reveal)
        assert outcome.kind != "grader error", outcome.internal
        assert_shown_safely(results.test_entry(outcome, RUBRIC)["output"])

    property_()


# ---------------------------------------------------------------- reply frames

TAGS = ["nd", "tuple", "dict", "pickle", "", None, 1]
json_scalars = st.none() | st.booleans() | fuzz.ints | fuzz.floats | fuzz.nasty_text
nodes = st.recursive(
    json_scalars | st.fixed_dictionaries({
        "t": st.sampled_from(TAGS), "dtype": st.sampled_from(fuzz.ALLOWED_DTYPES + ["|O", "<c16", "f8,i4", "<U0"])
        | fuzz.nasty_text, "shape": st.lists(fuzz.ints, max_size=4) | json_scalars,
        "data": st.sampled_from(["", "AAAAAAAAAAA=", "AAAAAAAAAAAAAAAA", "!!"]) | fuzz.nasty_text}),
    lambda inner: st.lists(inner, max_size=4)
    | st.fixed_dictionaries({"t": st.sampled_from(TAGS), "v": inner | st.dictionaries(fuzz.names, inner, max_size=3)})
    | st.dictionaries(st.sampled_from(["t", "v", "ok"]) | fuzz.names, inner, max_size=3),
    max_leaves=16)
one_reply = st.fixed_dictionaries({}, optional={
    "ok": st.just(True) | json_scalars, "value": nodes, "stdout": json_scalars, "mutated": nodes,
    "error": fuzz.errors() | nodes})
reply_bodies = (st.lists(one_reply, min_size=1, max_size=2).map(lambda answers: {"replies": answers})
                | st.fixed_dictionaries({}, optional={"replies": nodes, "ok": nodes})).map(lambda m: json.dumps(m).encode())


@st.composite
def damaged_frames(draw):
    """A well-formed reply's body with bytes cut, flipped or inserted."""
    body = bytearray(draw(reply_bodies))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(body)))
        action = draw(st.sampled_from(["cut", "flip", "insert"]))
        if action == "cut":
            del body[at:at + draw(st.integers(1, 8))]
        elif action == "flip" and at < len(body):
            body[at] = draw(st.integers(0, 255))
        else:
            body[at:at] = draw(st.sampled_from([b"[", b"{", b'"', b"\\", b",", b"]]]", b"1e999", b"9" * 5000]))
    return bytes(body)


def plain_data(value, depth=0):
    if isinstance(value, np.ndarray):
        return value.dtype.kind in protocol.ALLOWED_KINDS and value.dtype.isnative
    if type(value) in (list, tuple):
        return all(plain_data(v, depth + 1) for v in value)
    if type(value) is dict:
        return all(type(k) is str and plain_data(v, depth + 1) for k, v in value.items())
    return value is None or type(value) in (bool, int, float, str)


@fuzzing(default=300)
@given(body=reply_bodies | damaged_frames() | st.binary(max_size=200))
def test_any_reply_frame_is_plain_data_or_the_students_bad_result(body):
    try:
        (result,) = fuzz.read_reply("toy.py", "scale", body)
    except failures.StudentFailure as failure:
        result = failure
    if isinstance(result, failures.StudentFailure):
        for reveal in (False, True):
            assert_shown_safely(results.markdown(result.render(reveal)))
        return
    assert plain_data(result.value) and isinstance(result.printed, str) and len(result.printed) <= 4100
    assert all(type(name) is str and len(name) <= 100 for name in result.mutated) and len(result.mutated) <= 100


# ---------------------------------------------------------------- the student's exceptions

@fuzzing(default=200)
@given(error=fuzz.errors(), stdout=fuzz.nasty_text, file=fuzz.nasty_text)
def test_any_exception_type_and_message_reads_as_the_students_and_stays_bounded(error, stdout, file):
    reply = {"ok": False, "error": error, "stdout": stdout}
    with pytest.raises(failures.StudentFailure) as raised:
        controller.interpret("toy.py", "scale", reply, fuzz.MAX_BYTES)
    imported = failures.ImportFailed(file or "toy.py", controller._error(error))
    for failure in (raised.value, imported):
        for reveal in (False, True):
            text = failure.render(reveal)
            assert len(text) <= 2 * STUDENT_BLOCK_CHARS + 2000
            assert_shown_safely(results.markdown(text))
