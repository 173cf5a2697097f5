"""Gradescope's results.json: built from raw outcomes and the rubric, written atomically.

`build` is pure (outcomes + rubric + discovery -> dict), so rescoring after a rubric edit is
`build` again on stored outcomes. `crashed` is what gets written when the grader itself fails:
a valid file whose visible message blames the autograder, never the student.

Feedback becomes Markdown here, and only here, through escaping.py: student text shows as
written and never as markup. Each test's feedback and all of it together are capped
(limits.FEEDBACK_CHARS, limits.RESULTS_CHARS; printed output at the rubric's output_chars).
"""
import html
import json
import math
import os
import re
import tempfile

from autograder import escaping
from autograder.sandbox.limits import FEEDBACK_CHARS, RESULTS_CHARS

TITLE_WORDS = re.compile(r"^test_")


def build(outcomes, rubric, discovery, seconds, isolation=""):
    entries = [(outcome, test_entry(outcome, rubric)) for outcome in outcomes]
    tests = [entry for _, entry in sorted(entries, key=lambda pair: _order(*pair, rubric))]
    _number_tests(tests, rubric)
    _cap_total(tests, RESULTS_CHARS)
    score = round(sum(t["score"] for t in tests), 4)
    possible = round(sum(t["max_score"] for t in tests), 4)
    results = {
        "score": score,
        "execution_time": round(seconds, 2),
        "output": overview(tests, rubric.files, discovery),
        "output_format": "md",
        "test_output_format": "md",
        "test_name_format": rubric.results.get("test_name_format", "text"),
        "visibility": rubric.results.get("visibility", "visible"),
        "stdout_visibility": rubric.results.get("stdout_visibility", "hidden"),
        "extra_data": {"isolation": isolation, "max_score": possible},
        "tests": tests,
    }
    board = [{"name": o.leaderboard[0], "value": _board_value(o.leaderboard[1]), "order": o.leaderboard[2]}
             for o in outcomes if o.leaderboard and _plain_value(o.leaderboard[1])]
    if board:
        results["leaderboard"] = board
    return results


def _plain_value(value):
    """A leaderboard value Gradescope can show: a finite number or a string (NaN would not be JSON)."""
    return isinstance(value, str) or (isinstance(value, (int, float)) and not isinstance(value, bool)
                                      and math.isfinite(value))


def _board_value(value):
    return escaping.show_controls(value, keep="")[:100] if isinstance(value, str) else value


def _cap_total(tests, limit):
    """Past `limit` characters of feedback in all, a test shows a sentence saying so instead of its own."""
    used = 0
    for test in tests:
        used += len(test["output"])
        if used > limit:
            test["output"] = (f"Feedback not shown: the feedback of the tests above filled the {limit:,} "
                              "characters that results.json allows.")


def _order(outcome, entry, rubric):
    """By file as the rubric lists them, visible tests first, then as written."""
    file_rank = rubric.files.index(outcome.file) if outcome.file in rubric.files else len(rubric.files)
    return file_rank, entry["visibility"] != "visible", outcome.order


def test_entry(outcome, rubric):
    settings = rubric.settings(outcome.id, outcome.decorators)
    points = float(settings.points or 0.0)
    reveal = settings.visibility == "visible"
    text = outcome.visible_output if reveal else outcome.hidden_output
    if settings.hide_errors and not outcome.passed:
        text = settings.hide_errors
    output = markdown(escaping.cap(text, FEEDBACK_CHARS)) if text else ("Passed." if outcome.passed else "Failed.")
    if outcome.printed.strip() and not settings.hide_errors:
        printed = escaping.cap(outcome.printed, int(rubric.limits.output_chars) + 100)  # and the cut's note
        output += "\n\nYour code printed:\n" + escaping.code_block(printed)
    return {
        "score": round(points * outcome.fraction, 4),
        "max_score": points,
        "status": "passed" if outcome.passed else "failed",
        "name": settings.name or title(outcome),
        "number": settings.number,
        "output": output,
        "output_format": "md",
        "tags": list(settings.tags or []),
        "visibility": settings.visibility,
        **({"name_format": settings.name_format} if settings.name_format else {}),
        "extra_data": {"file": outcome.file, "functions": list(outcome.functions), "kind": outcome.kind,
                       "id": outcome.id},
    }


def _number_tests(tests, rubric):
    """Tests without a number get `<file position>.<test position>`, so Gradescope sorts them by file."""
    taken = {test["number"] for test in tests if test["number"] is not None}
    counters = {}
    for test in tests:
        file = test["extra_data"]["file"]
        if test["number"] is None:
            rank = rubric.files.index(file) + 1 if file in rubric.files else len(rubric.files) + 1
            while True:
                counters[file] = counters.get(file, 0) + 1
                number = f"{rank}.{counters[file]}"
                if number not in taken:
                    break
            test["number"] = number


def title(outcome):
    """A readable test name: the docstring's first line, else the function name in words."""
    function = outcome.id.split("::")[-1]
    words = outcome.doc or TITLE_WORDS.sub("", function).replace("_", " ")
    return f"{outcome.file}: {words}" if outcome.file else words


def overview(tests, files, discovery):
    """The summary at the top, which students always see: points and failures per file in the
    visible tests only. While tests are hidden Gradescope hides the total, and counting hidden
    tests here would give away how they went; their points are only announced."""
    from autograder.escaping import inline, table_cell
    per_file = {file: [0.0, 0.0, 0, 0.0] for file in files}  # earned, possible, failed (visible); hidden points
    for test in tests:
        summary = per_file.setdefault(test["extra_data"]["file"] or "other", [0.0, 0.0, 0, 0.0])
        if test["visibility"] == "visible":
            summary[0] += test["score"]
            summary[1] += test["max_score"]
            summary[2] += test["status"] == "failed"
        else:
            summary[3] += test["max_score"]
    earned, possible = sum(s[0] for s in per_file.values()), sum(s[1] for s in per_file.values())
    hidden = sum(s[3] for s in per_file.values())
    lines = [f"**Visible tests: {earned:.4g} / {possible:.4g} points**" if hidden else
             f"**Autograder score: {earned:.4g} / {possible:.4g}**", ""]
    if hidden:
        lines += [f"Hidden tests are worth {hidden:.4g} more points; their results appear when course staff "
                  "release them (usually after the due date).", ""]
    lines += ["| file | visible tests: points | visible tests failed | hidden tests: points | note |",
              "|---|---|---|---|---|"]
    for file, (earned, possible, failed, hidden_points) in per_file.items():
        note = discovery.notes.get(file, "") if discovery else ""
        lines.append(f"| {table_cell(file)} | {earned:.4g} / {possible:.4g} | {failed} | {hidden_points:.4g} | "
                     f"{table_cell(note)} |")
    if discovery and discovery.general:
        lines += [""] + [f"- {inline(note)}" for note in discovery.general]
    lines += ["", "Each file is graded on its own: a problem in one file costs only that file's points."]
    return "\n".join(lines)


CODE_LINE = re.compile(r"^(\s{2,}|Expected \S+ = |Your \s+\S+ = )")


def markdown(text):
    """Feedback text as Markdown: prose lines keep their breaks, code-like runs are fenced.

    Grader prose goes through escaping.prose, code-like lines (indented, or `Expected x = ...`)
    and the student's blocks through escaping.code_block, student text inside a sentence
    through escaping.inline or escaping.code_span.
    """
    out, code = [], []

    def flush():
        if code:
            out.append(escaping.code_block("\n".join(code)))
            code.clear()

    for line in _lines(text):
        if isinstance(line, tuple):  # a student block
            flush()
            out.append(escaping.code_block(line[1]))
            continue
        plain = "".join(piece for _, piece in line)
        if CODE_LINE.match(plain):
            code.append(plain)
            continue
        flush()
        shown = "".join(SHOW[kind](piece) for kind, piece in line)
        out.append(shown + "  " if plain.strip() else "")
    flush()
    return "\n".join(out).strip()


SHOW = {"prose": escaping.prose, "inline": escaping.inline, "code": escaping.code_span}


def _lines(text):
    """Marked text as lines, each a list of (kind, piece), with student blocks as ("block", text)."""
    lines, line = [], []
    for kind, part in escaping.markdown_segments(text):
        if kind == "block":
            if line:
                lines.append(line)
            lines.append(("block", part))
            line = []
            continue
        pieces = part.split("\n") if kind == "prose" else [part.replace("\n", " ")]
        for i, piece in enumerate(pieces):
            if i:
                lines.append(line)
                line = []
            if piece:
                line.append((kind, piece))
    lines.append(line)
    return lines


def crashed(message, seconds=0.0):
    """Results for a run in which the grader failed: zero points, and it says whose fault it is."""
    return {
        "score": 0.0,
        "execution_time": round(seconds, 2),
        "output": ("**The autograder failed while grading this submission. This is not a problem with "
                   "your code.** Course staff have been given the details; please let them know, "
                   "and resubmit later.\n\n" + escaping.code_block(message[-2000:])),
        "output_format": "md",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [],
    }


def misconfigured(summary, seconds=0.0):
    """Results for a run the grader refused because it is set up wrongly (its rubric, its sandbox):
    no grade, and it says so. The details go to the staff-only stdout, not here: they may name
    hidden tests."""
    results = crashed(summary, seconds)
    results["output"] = ("**The autograder is misconfigured, so this submission was not graded. This is not a "
                         "problem with your code.** Course staff have the details; please let them know, and "
                         "resubmit once they have fixed it.\n\n" + escaping.code_block(summary))
    results["extra_data"] = {"misconfigured": True}
    return results


def read(path):
    with open(path, encoding="utf-8") as stream:
        return json.load(stream)


def write(results, path):
    """Write atomically: a reader sees the old file or the complete new one, never a torn one."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".results-", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(results, stream, indent=2, allow_nan=False)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
