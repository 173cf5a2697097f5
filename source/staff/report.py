"""`./grader report BATCH`: what a class's submissions got right and wrong, for course staff.

Reads a batch folder (results.json and record.json of every submission) and writes a plain-text
report to the terminal and a self-contained HTML page (inline CSS and an SVG histogram, no
scripts, nothing fetched): the score distribution, the pass rate per test and per function, and
the most common failure messages per function, with numbers masked so that the same mistake on
different inputs counts as one message.
"""
import collections
import dataclasses
import html
import os
import re
import statistics

from autograder import records, results as results_module
from staff.batch import graded_submissions, paths

NUMBER = re.compile(r"(?<![A-Za-z_])-?\d+(\.\d+)?(e[-+]?\d+)?")  # not the 1 in W1


@dataclasses.dataclass
class ClassReport:
    scores: list
    max_score: float
    tests: list        # (name, id, passed, total, mean points, max points)
    functions: list    # (file, function, passed, total)
    failures: dict     # (file, function) -> [(message, number of submissions)]
    kinds: collections.Counter


def analyse(out, top=3):
    scores, max_score = [], 0.0
    per_test = {}
    per_function = collections.defaultdict(lambda: [0, 0])
    messages = collections.defaultdict(lambda: collections.defaultdict(set))  # -> message -> submissions
    kinds = collections.Counter()
    for submission in graded_submissions(out):
        results_path, record_path = paths(out, submission)
        if not os.path.exists(results_path):
            continue
        results = results_module.read(results_path)
        scores.append(results["score"])
        max_score = max(max_score, results.get("extra_data", {}).get("max_score", 0.0))
        for test in results.get("tests", []):
            entry = per_test.setdefault(test["extra_data"].get("id"), [test["name"], 0, 0, 0.0, test["max_score"]])
            entry[1] += test["status"] == "passed"
            entry[2] += 1
            entry[3] += test["score"]
        if not os.path.exists(record_path):
            continue
        for outcome in records.load(record_path).outcomes:
            kinds[outcome.kind] += 1
            for function in outcome.functions:
                per_function[(outcome.file, function)][0] += outcome.passed
                per_function[(outcome.file, function)][1] += 1
            if not outcome.passed:
                for function in _blamed(outcome):
                    messages[(outcome.file, function)][_mask(outcome.hidden_output)].add(submission.id)
    tests = [(name, test_id, passed, total, points / total if total else 0.0, top_points)
             for test_id, (name, passed, total, points, top_points) in per_test.items()]
    functions = [(file, function, passed, total) for (file, function), (passed, total) in per_function.items()]
    failures = {key: sorted(((m, len(ids)) for m, ids in found.items()), key=lambda mc: -mc[1])[:top]
                for key, found in messages.items()}
    return ClassReport(scores, max_score, tests, functions, failures, kinds)


def _blamed(outcome):
    """The functions a failure belongs to: the one its message starts with, when a test grades several."""
    for function in outcome.functions:
        if outcome.hidden_output.startswith(function) or outcome.hidden_output.startswith(f"Not attempted: {function}"):
            return [function]
    return outcome.functions


def _mask(message):
    """The gist of a failure message: its first sentence (after a call header), without asides in
    parentheses, numbers masked, so that one mistake on different inputs reads the same."""
    lines = [line for line in message.splitlines() if line.strip()] or ["(no message)"]
    gist = lines[1] if len(lines) > 1 and lines[0].endswith(":") else lines[0]
    aside = re.compile(r"\s*\((?=[^()]*[a-z]{3})[^()]*\)")  # "(largest error ...)", not a shape "(4, 3)"
    while aside.search(gist):
        gist = aside.sub("", gist)
    return NUMBER.sub("#", gist.split(". ")[0])[:200]


def histogram(scores, max_score, bins=10):
    width = max_score / bins if max_score else 1.0
    counts = [0] * bins
    for score in scores:
        counts[min(int(score / width), bins - 1) if width else 0] += 1
    return [(i * width, (i + 1) * width, c) for i, c in enumerate(counts)]


def text(report):
    lines = []
    if report.scores:
        lines += [f"{len(report.scores)} submissions, scores out of {report.max_score:g}: mean "
                  f"{statistics.mean(report.scores):.1f}, median {statistics.median(report.scores):g}, "
                  f"min {min(report.scores):g}, max {max(report.scores):g}", ""]
        top = max(c for _, _, c in histogram(report.scores, report.max_score)) or 1
        for low, high, count in histogram(report.scores, report.max_score):
            lines.append(f"  {low:6.1f}-{high:6.1f} | {'#' * round(40 * count / top)} {count}")
    lines += ["", "Pass rate per function:"]
    for file, function, passed, total in sorted(report.functions, key=lambda f: f[2] / f[3]):
        lines.append(f"  {passed / total:6.1%}  {file}:{function}")
        for message, count in report.failures.get((file, function), []):
            lines.append(f"           {count:4d} submission{'s' if count > 1 else ' '} {message[:110]}")
    lines += ["", "Pass rate per test:"]
    for name, _, passed, total, mean, top_points in sorted(report.tests, key=lambda t: t[2] / t[3]):
        lines.append(f"  {passed / total:6.1%}  mean {mean:.3g}/{top_points:g}  {name}")
    if report.kinds:
        lines += ["", "Outcomes: " + ", ".join(f"{kind} {count}" for kind, count in report.kinds.most_common())]
    return "\n".join(lines)


def page(report, title="Class report"):
    bars = histogram(report.scores, report.max_score)
    top = max([c for _, _, c in bars] + [1])
    svg = ['<svg viewBox="0 0 520 220" width="520" height="220" role="img" aria-label="score histogram">']
    for i, (low, high, count) in enumerate(bars):
        h = 170 * count / top
        svg.append(f'<rect x="{10 + i * 50}" y="{190 - h:.1f}" width="44" height="{h:.1f}" fill="#4a7fb5">'
                   f'<title>{low:g}-{high:g}: {count}</title></rect>'
                   f'<text x="{32 + i * 50}" y="{185 - h:.1f}" text-anchor="middle" font-size="11">{count}</text>'
                   f'<text x="{32 + i * 50}" y="205" text-anchor="middle" font-size="10">{low:g}</text>')
    svg.append("</svg>")
    stats = ""
    if report.scores:
        stats = (f"<p>{len(report.scores)} submissions; mean {statistics.mean(report.scores):.1f}, median "
                 f"{statistics.median(report.scores):g} of {report.max_score:g}.</p>")
    functions = "".join(
        f"<tr><td>{html.escape(file)}</td><td><code>{html.escape(function)}</code></td>"
        f"<td>{passed / total:.0%}</td><td>{_failure_list(report.failures.get((file, function), []))}</td></tr>"
        for file, function, passed, total in sorted(report.functions, key=lambda f: f[2] / f[3]))
    tests = "".join(
        f"<tr><td>{html.escape(name)}</td><td>{passed / total:.0%}</td><td>{mean:.3g} / {top_points:g}</td></tr>"
        for name, _, passed, total, mean, top_points in sorted(report.tests, key=lambda t: t[2] / t[3]))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}}
table{{border-collapse:collapse;width:100%;margin:1em 0}}td,th{{border-bottom:1px solid #ddd;padding:4px 8px;
text-align:left;vertical-align:top}}th{{background:#f4f4f4}}ul{{margin:0;padding-left:1.2em}}code{{font-size:95%}}
</style></head><body>
<h1>{html.escape(title)}</h1>{stats}
<h2>Score distribution</h2>{''.join(svg)}
<h2>Functions, hardest first</h2>
<table><tr><th>file</th><th>function</th><th>tests passed</th><th>most common failures</th></tr>{functions}</table>
<h2>Tests, hardest first</h2>
<table><tr><th>test</th><th>passed</th><th>mean points</th></tr>{tests}</table>
</body></html>
"""


def _failure_list(failures):
    if not failures:
        return ""
    return "<ul>" + "".join(f"<li>{count} submission{'s' if count > 1 else ''}: {_code(message)}</li>"
                            for message, count in failures) + "</ul>"


def _code(message):
    """Escaped HTML, with `quoted` names shown as code, as Gradescope's Markdown shows them."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(message))


def cmd_report(args):
    report = analyse(args.out)
    if not report.scores:
        print(f"no graded submissions in {args.out}")
        return 1
    print(text(report))
    target = args.html or os.path.join(args.out, "report.html")
    with open(target, "w", encoding="utf-8") as stream:
        stream.write(page(report))
    print(f"\nHTML report written to {target}")
    return 0


def add_commands(commands):
    report = commands.add_parser("report", help="class report of a graded batch (terminal and HTML)")
    report.add_argument("out", metavar="BATCH", help="the --out folder of a batch (or of a rescore)")
    report.add_argument("--html", default=None, help="where to write the HTML page (default: BATCH/report.html)")
    report.set_defaults(run=cmd_report)
