"""rubric.yaml: the instructor's one place for points, visibility, names, numbers, tags and limits.

Entries under `tests:` are test ids (`test_batchnorm.py::test_forward_...`) or patterns in which
`*` matches anything (nothing else is special, so `[case]` in an id is literal). Entries apply in
file order and later ones override earlier ones, so a pattern can set a default that a specific
entry below it refines. Anything the rubric does not say falls back to the test's gradescope-utils
decorators, then to `defaults:`.

The file is checked against a typed schema (pydantic models, below) wherever it is read: the
rubric check, packaging, grading, batch grading and rescoring. Every message names the file and the
line, duplicate keys are refused (YAML would silently keep the last one), and the sandbox limits
are typed and bounded from `sandbox/limits.py`, where they and their defaults are defined.

`problems()` is what the rubric check reports once the tests are known: entries that match no
test, tests with no points, files not declared, and a total that differs from the declared one.
"""
import dataclasses
import difflib
import math
import re
from typing import Annotated, Literal, Optional

import pydantic
import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from autograder import submission_limit
from autograder.sandbox.limits import LAYERS, MEMORY_FLOOR_MB, WORKER_START_MB, Limits

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
FORMATS = ("text", "html", "simple_format", "md", "ansi")  # Gradescope's output and name formats
FEEDBACK_DEFAULTS = {"misconceptions": True}  # name a known mistake when a wrong result matches it

LIMIT_FLOORS = {"memory_mb": MEMORY_FLOOR_MB}  # every other whole-number limit: at least 1


class RubricError(Exception):
    """rubric.yaml cannot be used; `problems` says where and why, one sentence each."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# ---------------------------------------------------------------- the schema

STRICT = ConfigDict(extra="forbid", strict=True)
Points = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Seconds = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Visibility = Literal[VISIBILITIES]
Format = Literal[FORMATS]
FileName = Annotated[str, Field(pattern=r"^[^/\\]+\.py$")]


def _number_as_text(value):
    """`number: 3` means "3"; `number: 1.10` is refused, since YAML has already made it 1.1."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        raise ValueError(f'must be quoted, e.g. number: "1.10", not {value!r}: YAML reads an unquoted 1.10 '
                         "as the number 1.1")
    return value


def _one_or_many(value):
    return [value] if isinstance(value, str) else value


class Settings(BaseModel):
    """What a test entry (or `defaults:`) may set; a key left out is not set."""
    model_config = STRICT
    points: Points = None
    visibility: Visibility = None
    name: str = None
    name_format: Format = None
    number: Annotated[str, BeforeValidator(_number_as_text)] = None
    tags: Annotated[list[str], BeforeValidator(_one_or_many)] = None
    timeout: Seconds = None
    hide_errors: str = None


def _limit_type(field):
    """The schema of one limit, from its declaration in Limits: whole numbers stay whole."""
    if field.type is int:
        return Annotated[int, Field(ge=LIMIT_FLOORS.get(field.name, 1))], field.default
    if field.type is float:
        return Seconds, field.default
    return list[Literal[LAYERS]], []  # require: the confinement layers a course insists on


Sandbox = pydantic.create_model("Sandbox", __config__=STRICT,
                                **{f.name: _limit_type(f) for f in dataclasses.fields(Limits)})


class Results(BaseModel):
    model_config = STRICT
    visibility: Visibility = "visible"
    stdout_visibility: Visibility = "hidden"
    test_name_format: Format = "text"


class SubmissionLimit(BaseModel):
    model_config = STRICT
    max: Annotated[int, Field(ge=1)]
    hours: Seconds = 24


class Feedback(BaseModel):
    model_config = STRICT
    misconceptions: bool = FEEDBACK_DEFAULTS["misconceptions"]


class RubricFile(BaseModel):
    """The whole of rubric.yaml."""
    model_config = STRICT
    total: Points = None
    files: list[FileName] = []
    defaults: Settings = Settings()
    sandbox: Sandbox = Sandbox()
    results: Results = Results()
    tests: dict[str, Optional[Settings]] = {}
    submission_limit: SubmissionLimit = None
    feedback: Feedback = Feedback()


# ---------------------------------------------------------------- the parsed rubric

@dataclasses.dataclass
class TestSettings:
    points: float = None
    visibility: str = "visible"
    name: str = None
    name_format: str = None
    number: str = None
    tags: list = dataclasses.field(default_factory=list)
    timeout: float = None
    hide_errors: str = None


@dataclasses.dataclass
class Entry:
    pattern: str
    regex: re.Pattern
    values: dict   # only the settings the entry gives
    line: int = None


@dataclasses.dataclass
class Rubric:
    total: float
    files: list
    defaults: dict
    limits: Limits
    results: dict
    entries: list  # [Entry] in file order
    submission_limit: dict = None
    feedback: dict = dataclasses.field(default_factory=lambda: dict(FEEDBACK_DEFAULTS))
    where: str = "rubric.yaml"
    lines: dict = dataclasses.field(default_factory=dict, repr=False)  # key path -> line number
    _matching: dict = dataclasses.field(default_factory=dict, init=False, repr=False, compare=False)

    def settings(self, test_id, decorators=None):
        """Effective settings of one test: defaults < decorators < matching rubric entries."""
        merged = dict(self.defaults)
        merged.update({k: v for k, v in (decorators or {}).items() if v is not None})
        for entry in self.matching(test_id):
            merged.update(entry.values)
        known = {f.name for f in dataclasses.fields(TestSettings)}
        settings = TestSettings(**{k: v for k, v in merged.items() if k in known})
        settings.tags = list(settings.tags or [])
        return settings

    def matching(self, test_id):
        """The entries that apply to a test, in file order (remembered: a grading asks per test
        several times, and a rubric has dozens of patterns)."""
        if test_id not in self._matching:
            self._matching[test_id] = [entry for entry in self.entries if entry.regex.fullmatch(test_id)]
        return self._matching[test_id]

    def problems(self, tests):
        """Everything wrong with this rubric for these tests: {test_id: (file, decorators)}."""
        found = []
        for entry in self.entries:
            if not any(entry.regex.fullmatch(t) for t in tests):
                close = difflib.get_close_matches(entry.pattern, list(tests), n=1, cutoff=0.8)
                found.append(f"{self.at(entry.line)}: tests: {entry.pattern!r} matches no test"
                             + (f" (did you mean {close[0]!r}?)" if close else ""))
        total = 0.0
        for test_id, (file, decorators) in tests.items():
            settings = self.settings(test_id, decorators)
            if settings.points is None:
                found.append(f"{self.at('tests')}: test {test_id} has no points (add it under tests:)")
            else:
                total += settings.points
            if file is None:
                found.append(f"{self.at('tests')}: test {test_id} does not say which file it grades "
                             "(@<file>.grades(...)) and its module's name names none")
            elif file not in self.files:
                found.append(f"{self.at('files')}: test {test_id} grades {file}, which is not listed under files:")
        if self.total is not None and abs(total - self.total) > 1e-9:
            found.append(f"{self.at('total')}: the tests add up to {total:g} points but total: says {self.total:g}")
        return found

    def at(self, where_in_file=None):
        """'rubric.yaml, line 12' for a line number or a top-level key, else just the file."""
        line = self.lines.get((where_in_file,)) if isinstance(where_in_file, str) else where_in_file
        return f"{self.where}, line {line}" if line else self.where


def load(path):
    """Read and check rubric.yaml; RubricError lists every problem with its line."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    data, lines, problems = read_yaml(text, str(path))
    try:
        return parse(data, str(path), lines, problems)
    except RubricError as exc:
        line = re.compile(r", line (\d+):")
        raise RubricError(sorted(exc.problems, key=lambda p: int(line.search(p).group(1)) if line.search(p) else 0))


# libyaml's loader where PyYAML has it (ten times faster, the same nodes and line marks).
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(text, where):
    """(data, {key path: line}, [problems]) of a YAML document; a key given twice is a problem."""
    loader = LOADER(text)
    try:
        node = loader.get_single_node()
        lines, problems = {}, []
        if node is not None:
            _walk(node, (), lines, problems, where)
        data = loader.construct_document(node) if node is not None else {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f", line {mark.line + 1}" if mark else ""
        raise RubricError([f"{where}{line}: not valid YAML: {exc.problem or exc.context}"]) from None
    except yaml.YAMLError as exc:
        raise RubricError([f"{where}: not valid YAML: {exc}"]) from None
    finally:
        loader.dispose()
    return data, lines, problems


def _walk(node, path, lines, problems, where):
    """Record the line of every key and list item under node; a key given twice is a problem."""
    if isinstance(node, yaml.MappingNode):
        seen = {}
        for key, value in node.value:
            if key.tag == "tag:yaml.org,2002:merge":
                continue
            name = key.value if isinstance(key, yaml.ScalarNode) else None
            if name in seen:
                problems.append(f"{where}, line {key.start_mark.line + 1}: {_path_text(path) or 'the top level'}: "
                                f"{name!r} is given twice (also on line {seen[name]}); YAML would keep only "
                                "the last one, so merge the two")
                continue
            seen[name] = key.start_mark.line + 1
            lines[path + (name,)] = key.start_mark.line + 1
            _walk(value, path + (name,), lines, problems, where)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[path + (index,)] = item.start_mark.line + 1
            _walk(item, path + (index,), lines, problems, where)


def parse(data, where="rubric.yaml", lines=None, problems=()):
    """A Rubric from already-read data, checked against the schema; `problems` found while reading
    (duplicate keys) are reported with the schema's own."""
    lines, problems = lines or {}, list(problems)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise RubricError([f"{where}: must be a mapping of settings (total:, files:, tests: ...), "
                           f"not {_shown(data)}"])
    data = {key: value for key, value in data.items() if value is not None}  # `tests:` left empty
    try:
        checked = RubricFile.model_validate(data)
    except pydantic.ValidationError as exc:
        problems += [_problem(error, where, lines) for error in exc.errors()]
    if problems:
        raise RubricError(problems)
    limit = checked.submission_limit and submission_limit.check_setting(checked.submission_limit.model_dump(), where)
    limits = Limits.from_mapping(checked.sandbox.model_dump(exclude_unset=True))
    entries = [Entry(pattern, pattern_regex(pattern), values.model_dump(exclude_unset=True) if values else {},
                     lines.get(("tests", pattern)))
               for pattern, values in checked.tests.items()]
    return Rubric(checked.total, checked.files, checked.defaults.model_dump(exclude_unset=True), limits,
                  checked.results.model_dump(), entries, limit, checked.feedback.model_dump(), where, lines)


def pattern_regex(pattern):
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")))


# ---------------------------------------------------------------- messages

KNOWN = {
    "": RubricFile.model_fields, "defaults": Settings.model_fields, "tests": Settings.model_fields,
    "sandbox": Sandbox.model_fields, "results": Results.model_fields,
    "submission_limit": SubmissionLimit.model_fields, "feedback": Feedback.model_fields,
}
HINTS = {
    "hide_errors": 'hide_errors is the message shown instead of a failed test\'s feedback, e.g. '
                   'hide_errors: "Details are hidden for this test."',
    "name": 'name is the test\'s title as students see it; quote it if it looks like a number (name: "5")',
    "tags": "tags is a tag or a list of tags, e.g. tags: [batchnorm, backward]",
    "files": "files lists the student's files, e.g. files: [batchnorm.py, rnn.py]",
    "require": f"require lists confinement layers among {', '.join(LAYERS)}",
}


def _problem(error, where, lines):
    """One pydantic error as a sentence: file, line, where in the rubric, what is wrong."""
    loc = tuple(part for part in error["loc"] if part != "[key]")
    line = next((lines[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in lines), None)
    place = f"{where}, line {line}" if line else where
    key = next((part for part in reversed(loc) if isinstance(part, str)), "")
    section = "tests" if loc[:1] == ("tests",) else (loc[0] if len(loc) > 1 else "")
    if error["type"] == "extra_forbidden":
        known = sorted(KNOWN.get(section, {}))
        close = difflib.get_close_matches(str(key), known, n=1) or [k for k in known if k.startswith(str(key))]
        inside = f"{_path_text(loc[:-1])}: " if loc[:-1] else ""
        return (f"{place}: {inside}unknown key {key!r}" + (f" (did you mean {close[0]!r}?)" if close else "")
                + f"; known keys: {', '.join(known)}")
    return f"{place}: {_path_text(loc)} {_sentence(error, key)}"


# What each pydantic error type means, as a sentence; {example} is the limit's default where there is one.
SENTENCES = {
    "int_type": "must be a whole number{example}, not {shown}",
    "float_type": "must be a number{example}, not {shown}",
    "finite_number": "must be a finite number, not {shown}",
    "greater_than": "must be more than {gt:g}, not {shown}",
    "greater_than_equal": "must be at least {ge:g}, not {shown}",
    "literal_error": "must be one of {expected}, not {shown}",
    "string_pattern_mismatch": "must be a file name ending in .py (no folder), not {shown}",
    "bool_type": "must be true or false, not {shown}",
    "string_type": "must be text, not {shown}{hint}",
    "list_type": "must be a list, not {shown}{hint}",
    "dict_type": "must be a mapping of settings (key: value), not {shown}",
    "model_type": "must be a mapping of settings (key: value), not {shown}",
    "model_attributes_type": "must be a mapping of settings (key: value), not {shown}",
    "missing": "is required",
}


def _sentence(error, key):
    kind, ctx = error["type"], dict(error.get("ctx") or {})
    default = getattr(Limits, key, None) if key in Sandbox.model_fields and key != "require" else None
    example = f" (the default is {default:g})" if isinstance(default, (int, float)) else ""
    shown = _shown(error.get("input"))
    if key == "memory_mb" and kind == "greater_than_equal":
        return (f"is {shown} MB, less than a worker needs: it starts with about {WORKER_START_MB} MB of address "
                f"space (Python and numpy), so every array student code creates would fail. Use at least "
                f"{MEMORY_FLOOR_MB}{example}.")
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if "expected" in ctx:
        ctx["expected"] = ctx["expected"].replace(" or ", ", ")
    hint = f"; {HINTS[key]}" if key in HINTS else ""
    return SENTENCES.get(kind, error["msg"]).format(example=example, shown=shown, hint=hint, **ctx)


def _path_text(loc):
    """('tests', 't.py::x', 'points') -> 'tests: t.py::x: points'; list items as tags[2]."""
    text = ""
    for part in loc:
        text += f"[{part + 1}]" if isinstance(part, int) else (": " if text else "") + str(part)
    return text


def _shown(value):
    """A value as the instructor wrote it in YAML."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isnan(value):
        return ".nan"
    if isinstance(value, float) and math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    if isinstance(value, (dict, list)):
        return f"a {'mapping' if isinstance(value, dict) else 'list'}"
    return repr(value) if isinstance(value, str) else f"{value}"
