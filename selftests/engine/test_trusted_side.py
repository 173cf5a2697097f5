"""Issue 8, case by case: the trusted side never falls over on student data, never bloats, and
never lets student text pose as the grader. Each submission here is graded for real
(`python -I source/grade.py`, as run_autograder does) unless the case is about one function.
"""
import json
import re
import resource
import subprocess
import sys

import numpy as np
import pytest

from autograder import failures, feedback, results
from autograder.sandbox import controller

from .helpers import (CORRECT_OTHER, CORRECT_TOY, REPO, SCHEMA, TOY, html, nest_folders, remove_nested, shown,
                      write_files)

GRADESCOPE_MEMORY = 768 << 20

# A worker that writes its own reply frame: 16 MB of nested empty lists (`[[],[],...]`), which
# decoded naively become 5 million lists (~0.9 GB) in the grader. The student's `scale` finds its
# channel to the grader among its file descriptors and sends the frame itself.
MEMORY_BOMB = CORRECT_TOY.replace("def scale(x, c):", '''def scale(x, c):
    import os, socket, struct, time
    count = (16 << 20) // 3 - 16
    body = b'{"ok":true,"stdout":"","mutated":[],"value":[' + b"[]," * (count - 1) + b"[]]}"
    for fd in range(3, 64):
        try:
            channel = socket.socket(fileno=fd)
        except OSError:
            continue
        try:
            if channel.family == socket.AF_UNIX and channel.type == socket.SOCK_STREAM:
                channel.sendall(struct.pack(">I", len(body)) + body)
        except OSError:
            pass
        finally:
            channel.detach()
    time.sleep(30)
''')


def grade_within(submission, tmp_path, memory, tests=TOY / "tests", rubric=TOY / "rubric.yaml"):
    """Grade as run_autograder does, with the grader (and so everything it starts) limited to
    `memory` bytes of address space, as Gradescope limits a container; results and peak RSS."""
    out = tmp_path / "results" / "results.json"

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run([sys.executable, "-I", str(REPO / "source" / "grade.py"), "--submission", str(submission),
                           "--results", str(out), "--rubric", str(rubric), "--tests", str(tests)],
                          capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL, preexec_fn=limit)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    built = json.loads(out.read_text())
    import jsonschema
    jsonschema.validate(built, SCHEMA)
    return built, max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def by_name(built, function):
    return next(t for t in built["tests"] if t["extra_data"]["id"].endswith("::" + function))


# ---------------------------------------------------------------- 1. the memory bomb

def test_sixteen_megabytes_of_nested_empty_lists_are_the_students_bad_result_within_768_mb(tmp_path):
    submission = write_files(tmp_path / "submission", {"toy.py": MEMORY_BOMB, "other.py": CORRECT_OTHER})
    built, _ = grade_within(submission, tmp_path, GRADESCOPE_MEMORY)
    kinds = {t["extra_data"]["kind"] for t in built["tests"]}
    assert "grader error" not in kinds and built["tests"], built["output"]
    scaled = by_name(built, "test_scale_doubles_a_vector")
    assert scaled["extra_data"]["kind"] == "bad return type"
    assert shown(scaled["output"]).startswith("scale returned something the grader cannot read")
    assert by_name(built, "test_other_file_is_graded_on_its_own")["status"] == "passed"
    assert by_name(built, "test_stats_returns_min_max_and_mean")["score"] == 3


def test_a_result_of_millions_of_values_is_refused_by_the_worker_with_a_sentence_that_says_why(grade):
    graded = grade({"toy.py": CORRECT_TOY.replace("return c * x", "return [[]] * 200_000"),
                    "other.py": CORRECT_OTHER})
    text = graded.shown("test_scale_doubles_a_vector")
    assert "more than 50,000 numbers, strings, lists or dict keys" in text and "return numpy arrays" in text


# ---------------------------------------------------------------- 2. feedback bloat

def test_twenty_thousand_long_dict_keys_make_a_small_results_json(grade):
    graded = grade({"toy.py": CORRECT_TOY.replace(
        "def stats(x):", "def stats(x):\n    return {('k%d' % i) * 40: i for i in range(20_000)}\n\ndef _stats(x):"),
        "other.py": CORRECT_OTHER})
    assert graded.path.stat().st_size < 100_000
    text = graded.shown("test_stats_returns_min_max_and_mean")
    assert "a dict with keys" in text and "and 19990 more" in text


def test_the_names_of_changed_arguments_are_listed_ten_at_most():
    reply = {"ok": True, "value": None, "stdout": "", "mutated": [f"a{i}" * 300 for i in range(100_000)]}
    result = controller.interpret("toy.py", "scale", reply, 16 << 20)
    text = failures.InputMutated("scale", result.mutated).render(True)
    assert len(text) < 2000 and "and 90 more" in text


def test_one_tests_feedback_and_all_of_it_together_are_capped():
    from autograder import rubric as rubric_module
    from autograder.plugin import Outcome
    from autograder.sandbox.limits import FEEDBACK_CHARS, RESULTS_CHARS
    rubric = rubric_module.parse({"files": ["bn.py"], "tests": {"test_bn.py::*": {"points": 1}}})
    outcomes = [Outcome(id=f"test_bn.py::test_{i}", file="bn.py", functions=["f"], fraction=0.0, kind="failed",
                        hidden_output="wrong " * 100_000, visible_output="wrong " * 100_000, order=i)
                for i in range(400)]
    built = results.build(outcomes, rubric, None, 1.0)
    assert all(len(t["output"]) <= FEEDBACK_CHARS + 100 for t in built["tests"])
    assert "more characters not shown" in built["tests"][0]["output"]
    assert sum(len(t["output"]) for t in built["tests"]) <= RESULTS_CHARS + 400 * 200
    assert built["tests"][-1]["output"].startswith("Feedback not shown: the feedback of the tests above filled")


def test_printed_output_beyond_the_cap_is_cut_in_results_even_over_many_calls():
    from autograder import rubric as rubric_module
    from autograder.plugin import Outcome
    rubric = rubric_module.parse({"files": ["bn.py"], "tests": {"test_bn.py::*": {"points": 1}}})
    outcome = Outcome(id="test_bn.py::test_x", file="bn.py", functions=["f"], fraction=1.0, kind="passed",
                      hidden_output="", visible_output="", printed="p" * 4100 * 50)
    assert len(results.test_entry(outcome, rubric)["output"]) < 4400


# ---------------------------------------------------------------- 3. Markdown that escapes its fence

# After "~~~~ / ~~~ / ~~~~", the old renderer thought it was inside a fence (and left the lines raw)
# while CommonMark had closed it: everything below rendered as HTML and Markdown.
FENCE_BREAKER = ("boom\n~~~~\n~~~\n~~~~\n</pre><img src=x onerror=alert(1)>\n![pixel](http://tracker.example/p.png)\n"
                 "[regrade here](http://evil.example)\n# Autograder score: 100 / 100\n<b>bold</b>\n```\n~~~~")


@pytest.mark.parametrize("where", ["raise ValueError", "print"])
def test_student_text_with_fences_html_images_links_and_headings_renders_as_text(grade, where):
    source = CORRECT_TOY.replace("def scale(x, c):", f"def scale(x, c):\n    {where}({FENCE_BREAKER!r})")
    graded = grade({"toy.py": source, "other.py": CORRECT_OTHER})
    for test in graded.results["tests"]:
        rendered = html(test["output"])
        assert not re.search(r"<(img|a|h\d|b|script|table|ul|ol|blockquote|hr)\b", rendered), test["output"]
    assert "# Autograder score: 100 / 100" in graded.shown("test_scale_doubles_a_vector")


def test_a_fence_of_four_tildes_in_an_exception_message_cannot_open_raw_html():
    markdown = results.markdown(failures.StudentRaised(
        "toy.py", "scale", {"type": "ValueError", "types": [], "message": FENCE_BREAKER, "traceback": ""}).render(True))
    rendered = html(markdown)
    assert "<img" not in rendered and "<a " not in rendered and "<h1" not in rendered and "<b>" not in rendered
    assert "&lt;img src=x onerror=alert(1)&gt;" in rendered


# ---------------------------------------------------------------- 4. student data blamed on the grader

def test_an_exception_class_named_result_too_large_with_a_400_digit_message_is_the_students(grade):
    graded = grade({"toy.py": CORRECT_TOY.replace(
        "def scale(x, c):", f"class ResultTooLarge(Exception):\n    pass\n\ndef scale(x, c):\n"
                            f"    raise ResultTooLarge('{'9' * 400}')"), "other.py": CORRECT_OTHER})
    test = graded.test("test_scale_doubles_a_vector")
    assert test["extra_data"]["kind"] == "raised"
    assert graded.shown("test_scale_doubles_a_vector").startswith("scale raised ResultTooLarge: 999")


REAL_SUBMISSION_BUGS = {
    "beam_search.py": '''
import numpy as _np
_greedy, _exhaustive, _beam = greedy_decode, exhaustive_decode, beam_search
def greedy_decode(model, steps):
    tokens, score = _greedy(model, steps)
    return _np.array(tokens), score
def exhaustive_decode(model, steps):
    tokens, score = _exhaustive(model, steps)
    return [_np.array([token, token]) for token in tokens], score
def beam_search(model, beam_size, steps):
    tokens, score = _beam(model, beam_size, steps)
    return _np.array([tokens, tokens]), score
''',
    "cnn.py": '''
def layer_table(layers, input_shape):
    return [("Input", 0, (10**400, 1, 1))] + [(layer, 10**400, (1,)) for layer in layers]
''',
    "autoencoder.py": '''
import numpy as _np
def train_linear_autoencoder(X, k, lam, lr, epochs, seed):
    m = X.shape[0]
    if seed % 2:
        return _np.full((k, m), 1e200), _np.full((m, k), 1e200)
    return [[10**400] * m] * k, [[10**400] * k] * m
''',
}


@pytest.fixture(scope="module")
def real_submission_with_odd_data(tmp_path_factory):
    """The reference, with tokens returned as arrays of strings, 10**400 in CNN shapes and parameter
    counts, and 10**400 or 1e200 in autoencoder weights; graded with the real tests and rubric."""
    folder = tmp_path_factory.mktemp("odd")
    files = {p.name: p.read_text() + REAL_SUBMISSION_BUGS.get(p.name, "")
             for p in (REPO / "source" / "reference").glob("*.py") if p.name != "__init__.py"}
    submission = write_files(folder / "submission", files)
    built, _ = grade_within(submission, folder, GRADESCOPE_MEMORY, tests=REPO / "tests", rubric=REPO / "rubric.yaml")
    return built


@pytest.mark.parametrize("file", ["beam_search.py", "cnn.py", "autoencoder.py"])
def test_odd_but_plain_data_is_graded_never_blamed_on_the_grader(real_submission_with_odd_data, file):
    tests = [t for t in real_submission_with_odd_data["tests"] if t["extra_data"]["file"] == file]
    assert tests and all(t["extra_data"]["kind"] != "grader error" for t in tests), \
        [(t["name"], t["output"][:200]) for t in tests if t["extra_data"]["kind"] == "grader error"]


def test_tokens_returned_as_an_array_of_strings_are_graded_as_the_strings_they_hold(real_submission_with_odd_data):
    greedy = [t for t in real_submission_with_odd_data["tests"] if "greedy_decode" in t["extra_data"]["functions"]]
    assert greedy and all(t["status"] == "passed" for t in greedy)


def test_a_whole_number_beyond_64_bits_is_reported_as_an_unreadable_result(real_submission_with_odd_data):
    table = [t for t in real_submission_with_odd_data["tests"] if t["extra_data"]["functions"] == ["layer_table"]]
    worked = next(t for t in table if "worked example" in t["name"])
    assert worked["extra_data"]["kind"] == "bad return type"
    assert "whole number of about 401 digits" in shown(worked["output"])


def test_weights_too_large_to_multiply_are_a_diverged_training(real_submission_with_odd_data):
    trained = [t for t in real_submission_with_odd_data["tests"]
               if t["extra_data"]["functions"] == ["train_linear_autoencoder"]]
    assert trained and all(t["status"] == "failed" for t in trained)
    assert any("values above 1e100 after training" in shown(t["output"]) for t in trained)


def test_a_dict_key_listing_of_a_string_keyed_result_is_short():
    text = feedback.kind_of({f"<img src={i}>" * 100: i for i in range(1000)})
    assert len(text) < 1000 and "and 990 more" in text


def test_an_array_compared_with_a_string_is_a_wrong_result_not_a_crash():
    from autograder.checks import Mismatch, check
    with pytest.raises(Mismatch):
        check(["the", np.array(["cat", "sat"])], ["the", "cat"], name="tokens")


# ---------------------------------------------------------------- 5. a folder nested 1,500 deep

def test_a_folder_nested_1500_deep_costs_nothing_and_is_noted(tmp_path):
    submission = write_files(tmp_path / "submission", {"toy.py": CORRECT_TOY, "other.py": CORRECT_OTHER})
    nest_folders(submission, 1500)
    try:
        built, _ = grade_within(submission, tmp_path, GRADESCOPE_MEMORY)
    finally:
        remove_nested(submission)
    assert built["score"] == 15, built["output"]
    assert "levels deep were not looked at" in built["output"]
