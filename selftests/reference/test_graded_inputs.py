"""The inputs the graded tests build for themselves are what their docstrings say."""
import importlib.util
from pathlib import Path

TESTS = Path(__file__).resolve().parents[2] / "tests"


def graded_module(name):
    """tests/<name>.py, loaded under a name of its own (the self-tests have modules of the same name)."""
    spec = importlib.util.spec_from_file_location(f"graded_{name}", TESTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_beam_search_models_start_at_the_first_attempt_that_qualifies():
    """FIRST_ATTEMPT only saves time: a search from attempt 0 finds the very same models."""
    graded = graded_module("test_beam_search")
    for seed, beam_size in graded.SEARCHES:
        found = [attempt for *_, attempt in graded._search_models(seed, beam_size, start={})]
        assert found == [graded.FIRST_ATTEMPT[(seed, beam_size, *size)] for size in graded.SIZES]
    assert len(graded.FIRST_ATTEMPT) == len(graded.SEARCHES) * len(graded.SIZES)
