"""rubric.yaml: the instructor's one place for points, visibility, names, numbers, tags and limits.

Entries under `tests:` are test ids (`test_batchnorm.py::test_forward_...`) or patterns in which
`*` matches anything (nothing else is special, so `[case]` in an id is literal). Entries apply in
file order and later ones override earlier ones, so a pattern can set a default that a specific
entry below it refines. Anything the rubric does not say falls back to the test's gradescope-utils
decorators, then to `defaults:`.

`problems()` is what the rubric check reports: entries that match no test, tests with no points,
files not declared, and a total that differs from the declared one.
"""
import dataclasses
import re

import yaml

from autograder import submission_limit
from autograder.sandbox.limits import Limits

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
TEST_KEYS = {"points", "visibility", "name", "number", "tags", "timeout", "hide_errors"}
TOP_KEYS = {"total", "files", "defaults", "sandbox", "results", "tests", "submission_limit", "feedback"}
FEEDBACK_DEFAULTS = {"misconceptions": True}  # name a known mistake when a wrong result matches it


class RubricError(Exception):
    """rubric.yaml cannot be used; the message says where and why."""


@dataclasses.dataclass
class TestSettings:
    points: float = None
    visibility: str = "visible"
    name: str = None
    number: str = None
    tags: list = dataclasses.field(default_factory=list)
    timeout: float = None
    hide_errors: str = None


@dataclasses.dataclass
class Rubric:
    total: float
    files: list
    defaults: dict
    limits: Limits
    results: dict
    entries: list  # [(pattern, compiled regex, settings dict)] in file order
    submission_limit: dict = None
    feedback: dict = dataclasses.field(default_factory=lambda: dict(FEEDBACK_DEFAULTS))

    def settings(self, test_id, decorators=None):
        """Effective settings of one test: defaults < decorators < matching rubric entries."""
        merged = dict(self.defaults)
        merged.update({k: v for k, v in (decorators or {}).items() if v is not None})
        for _, regex, values in self.entries:
            if regex.fullmatch(test_id):
                merged.update(values)
        known = {f.name for f in dataclasses.fields(TestSettings)}
        settings = TestSettings(**{k: v for k, v in merged.items() if k in known})
        settings.tags = list(settings.tags or [])
        return settings

    def problems(self, tests):
        """Everything wrong with this rubric for these tests: {test_id: (file, decorators)}."""
        found = []
        for pattern, regex, _ in self.entries:
            if not any(regex.fullmatch(t) for t in tests):
                found.append(f"rubric entry {pattern!r} matches no test")
        total = 0.0
        for test_id, (file, decorators) in tests.items():
            settings = self.settings(test_id, decorators)
            if settings.points is None:
                found.append(f"test {test_id} has no points (add it to rubric.yaml)")
            else:
                total += settings.points
            if file is None:
                found.append(f"test {test_id} does not say which file it grades (@<file>.grades(...))")
            elif file not in self.files:
                found.append(f"test {test_id} grades {file}, which is not listed under files:")
        if self.total is not None and abs(total - self.total) > 1e-9:
            found.append(f"the tests add up to {total:g} points but total: says {self.total:g}")
        return found


def load(path):
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
    except yaml.YAMLError as exc:
        raise RubricError(f"{path} is not valid YAML: {exc}") from None
    return parse(data, path)


def parse(data, where="rubric.yaml"):
    if not isinstance(data, dict):
        raise RubricError(f"{where} must be a mapping")
    _no_unknown(data, TOP_KEYS, where)
    files = data.get("files") or []
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise RubricError(f"{where}: files: must be a list of file names")
    defaults = _settings(data.get("defaults") or {}, f"{where}: defaults")
    if not isinstance(data.get("sandbox") or {}, dict):
        raise RubricError(f"{where}: sandbox: must be a mapping of settings")
    try:
        limits = Limits.from_mapping(data.get("sandbox") or {})
    except (TypeError, ValueError) as exc:
        raise RubricError(f"{where}: sandbox: {exc}") from None
    results = data.get("results") or {}
    for key in ("visibility", "stdout_visibility"):
        if key in results and results[key] not in VISIBILITIES:
            raise RubricError(f"{where}: results.{key} must be one of {', '.join(VISIBILITIES)}")
    tests = data.get("tests") or {}
    if not isinstance(tests, dict):
        raise RubricError(f"{where}: tests: must map test ids (or patterns) to settings")
    entries = [(str(p), pattern_regex(str(p)), _settings(v or {}, f"{where}: tests: {p}"))
               for p, v in tests.items()]
    total = data.get("total")
    if total is not None and not _number(total):
        raise RubricError(f"{where}: total: must be a number")
    try:
        limit = submission_limit.check_setting(data.get("submission_limit"), where)
    except ValueError as exc:
        raise RubricError(str(exc)) from None
    feedback = data.get("feedback") or {}
    if not isinstance(feedback, dict):
        raise RubricError(f"{where}: feedback: must be a mapping of settings")
    _no_unknown(feedback, set(FEEDBACK_DEFAULTS), f"{where}: feedback")
    for key, value in feedback.items():
        if not isinstance(value, bool):
            raise RubricError(f"{where}: feedback.{key} must be true or false")
    return Rubric(total, files, defaults, limits, results, entries, limit, {**FEEDBACK_DEFAULTS, **feedback})


def pattern_regex(pattern):
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")))


def _settings(values, where):
    if not isinstance(values, dict):
        raise RubricError(f"{where} must be a mapping of settings")
    _no_unknown(values, TEST_KEYS, where)
    out = dict(values)
    if "points" in out and (not _number(out["points"]) or out["points"] < 0):
        raise RubricError(f"{where}: points must be a number >= 0")
    if "visibility" in out and out["visibility"] not in VISIBILITIES:
        raise RubricError(f"{where}: visibility must be one of {', '.join(VISIBILITIES)}")
    if "timeout" in out and (not _number(out["timeout"]) or out["timeout"] <= 0):
        raise RubricError(f"{where}: timeout must be a positive number of seconds")
    if "tags" in out:
        tags = out["tags"]
        out["tags"] = [tags] if isinstance(tags, str) else list(tags)
    if "number" in out:
        if isinstance(out["number"], float):
            raise RubricError(f'{where}: number {out["number"]!r} must be quoted (number: "1.10"): YAML reads '
                              "1.10 as the float 1.1")
        out["number"] = str(out["number"])
    return out


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _no_unknown(values, known, where):
    unknown = set(values) - known
    if unknown:
        raise RubricError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}; "
                          f"known: {', '.join(sorted(known))}")
