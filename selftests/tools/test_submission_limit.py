"""submission_limit in rubric.yaml: at most `max` graded submissions per `hours` window."""
import json

import pytest

from autograder import submission_limit

LIMIT = {"max": 2, "hours": 24}
PREVIOUS_TEST = {"score": 7.0, "max_score": 10.0, "status": "failed", "name": "t", "number": "1.1", "output": "",
                 "output_format": "md", "tags": [], "visibility": "visible",
                 "extra_data": {"file": "toy.py", "functions": ["scale"]}}
PREVIOUS_RESULTS = {"score": 7.0, "execution_time": 1.0, "output": "old feedback", "output_format": "md",
                    "visibility": "visible", "stdout_visibility": "hidden", "tests": [PREVIOUS_TEST]}


def metadata(tmp_path, created_at, previous):
    path = tmp_path / "submission_metadata.json"
    path.write_text(json.dumps({"created_at": created_at, "previous_submissions": previous}))
    return path


def earlier(time, score=7.0, graded=True):
    results = dict(PREVIOUS_RESULTS, score=score)
    if not graded:
        results["extra_data"] = {"graded": False}
    return {"submission_time": time, "score": score, "results": results}


def test_a_submission_under_the_limit_is_graded(tmp_path):
    path = metadata(tmp_path, "2026-11-20T12:00:00-08:00", [earlier("2026-11-20T09:00:00-08:00")])
    assert submission_limit.refusal(path, LIMIT) is None


def test_over_the_limit_the_previous_result_stands_with_a_message(tmp_path):
    path = metadata(tmp_path, "2026-11-20T12:00:00-08:00",
                    [earlier("2026-11-20T09:00:00-08:00", 5.0), earlier("2026-11-20T10:00:00-08:00", 7.0)])
    results = submission_limit.refusal(path, LIMIT)
    assert results["score"] == 7.0 and results["tests"] == PREVIOUS_RESULTS["tests"]
    assert "not graded" in results["output"] and "after 2026-11-21T09:00-08:00" in results["output"]
    assert results["extra_data"]["graded"] is False


def test_submissions_outside_the_window_do_not_count(tmp_path):
    path = metadata(tmp_path, "2026-11-20T12:00:00-08:00",
                    [earlier("2026-11-18T09:00:00-08:00"), earlier("2026-11-20T10:00:00-08:00")])
    assert submission_limit.refusal(path, LIMIT) is None


def test_refused_submissions_do_not_count_towards_the_limit(tmp_path):
    path = metadata(tmp_path, "2026-11-20T12:00:00-08:00",
                    [earlier("2026-11-20T09:00:00-08:00"), earlier("2026-11-20T10:00:00-08:00", graded=False)])
    assert submission_limit.refusal(path, LIMIT) is None


def test_without_a_limit_or_metadata_everything_is_graded(tmp_path):
    assert submission_limit.refusal(tmp_path / "missing.json", LIMIT) is None
    path = metadata(tmp_path, "2026-11-20T12:00:00-08:00", [earlier("2026-11-20T09:00:00-08:00")] * 5)
    assert submission_limit.refusal(path, None) is None


@pytest.mark.parametrize("setting", [{"max": 0}, {"hours": 3}, {"max": 2, "hours": -1}, {"max": 2, "days": 1}, 5])
def test_a_malformed_limit_is_refused_with_a_message(setting):
    with pytest.raises(ValueError, match="submission_limit"):
        submission_limit.check_setting(setting, "rubric.yaml")


def test_the_grader_applies_the_limit_from_gradescopes_metadata(tmp_path):
    from ..engine.helpers import run_grader
    from .helpers import CORRECT, TOY
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text((TOY / "rubric.yaml").read_text() + "submission_limit: {max: 1, hours: 24}\n")
    path = metadata(tmp_path, "2026-11-20T12:00:00-08:00", [earlier("2026-11-20T09:00:00-08:00", 3.0)])
    graded = run_grader(CORRECT, tmp_path, rubric=rubric, extra=["--metadata", str(path)])
    assert graded.results["score"] == 3.0 and "This submission was not graded" in graded.results["output"]
