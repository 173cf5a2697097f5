"""At most `max` graded submissions per `hours`, so the hidden tests cannot be used as an oracle.

Configured in rubric.yaml (`submission_limit: {max: 5, hours: 24}`) and counted from Gradescope's
submission_metadata.json: the previous submissions inside the window that were graded (ours mark
the ones they refused with extra_data.graded = false). Over the limit, the latest previous result
is written again, so its score stands, with a message that says when grading resumes.
"""
import copy
import datetime
import json
import os


def check_setting(limit, where):
    """The rubric's submission_limit setting, validated; None when there is none."""
    if limit is None:
        return None
    if not isinstance(limit, dict) or set(limit) - {"max", "hours"} or "max" not in limit:
        raise ValueError(f"{where}: submission_limit must be {{max: N, hours: H}}")
    if not isinstance(limit["max"], int) or limit["max"] < 1:
        raise ValueError(f"{where}: submission_limit.max must be a whole number >= 1")
    hours = limit.get("hours", 24)
    if not isinstance(hours, (int, float)) or hours <= 0:
        raise ValueError(f"{where}: submission_limit.hours must be a positive number")
    return {"max": limit["max"], "hours": hours}


def refusal(metadata_path, limit):
    """The results to write instead of grading, or None when this submission is to be graded."""
    if not limit or not metadata_path or not os.path.exists(metadata_path):
        return None
    with open(metadata_path, encoding="utf-8") as stream:
        metadata = json.load(stream)
    now = _time(metadata["created_at"])
    window = datetime.timedelta(hours=limit["hours"])
    previous = sorted(metadata.get("previous_submissions") or [], key=lambda p: _time(p["submission_time"]))
    counted = [p for p in previous if now - _time(p["submission_time"]) < window and _was_graded(p)]
    if len(counted) < limit["max"]:
        return None
    resumes = _time(counted[0]["submission_time"]) + window
    latest = previous[-1]
    results = copy.deepcopy(latest.get("results") or {}) or {"tests": []}
    results["score"] = float(latest.get("score") or 0.0)
    message = (f"**This submission was not graded:** you have used all {limit['max']} graded submissions "
               f"allowed in {limit['hours']:g} hours. Your previous score of {results['score']:g} stands. "
               f"You can submit for grading again after {resumes.isoformat(timespec='minutes')}. "
               "The results below are those of your previous submission.")
    results["output"] = message + ("\n\n" + results["output"] if results.get("output") else "")
    results.setdefault("output_format", "md")
    results.setdefault("visibility", "visible")
    results.setdefault("stdout_visibility", "hidden")
    results.setdefault("execution_time", 0.0)
    results["extra_data"] = {**results.get("extra_data", {}), "graded": False}
    return results


def _was_graded(previous):
    return ((previous.get("results") or {}).get("extra_data") or {}).get("graded", True) is not False


def _time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
