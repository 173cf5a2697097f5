"""`./grader report BATCH`: what a class got wrong, for course staff.

Reads a batch folder (results.json and record.json of every submission) and answers "what should
we re-teach?": per function, how often it passed among the submissions that had the file, which
named misconceptions and which feedback hints recur (a constant factor across many submissions is
the most telling clue), and the commonest failure messages with numbers masked so that the same
mistake on different inputs counts once. Missing files and files that did not import are counted
apart from wrong code, so one empty submission does not pollute every function.

Written to the terminal (student text through escaping.terminal) and as HTML: BATCH/report.html
for the class, with the score distribution and per-function pass rates drawn as inline SVG, and
one page per submission in BATCH/report/ (student text through escaping.html; no scripts,
nothing fetched).
"""
import collections
import dataclasses
import os
import re
import statistics

from autograder import records, results as results_module
from autograder.escaping import html as escape, terminal
from staff.batch import graded_submissions, paths
from autograder.cli import points  # as people write points: 91.67, never 91.666667

NUMBER = re.compile(r"(?<![A-Za-z_])-?\d+(\.\d+)?(e[-+]?\d+)?")  # not the 1 in W1
FILE_PROBLEMS = ("file missing", "import error", "import timeout")
TOP = 3  # messages, hints and misconceptions shown per function


@dataclasses.dataclass
class Function:
    """One graded function across the class."""
    file: str
    name: str
    tests: int = 0
    passed: int = 0
    not_attempted: set = dataclasses.field(default_factory=set)   # submission ids
    wrong: set = dataclasses.field(default_factory=set)
    misconceptions: dict = dataclasses.field(default_factory=lambda: collections.defaultdict(set))
    hints: dict = dataclasses.field(default_factory=lambda: collections.defaultdict(set))
    failures: dict = dataclasses.field(default_factory=lambda: collections.defaultdict(set))

    @property
    def rate(self):
        return self.passed / self.tests if self.tests else 1.0


@dataclasses.dataclass
class ClassReport:
    scores: dict        # submission id -> score
    max_score: float
    submissions: dict   # submission id -> Submission
    functions: dict     # (file, function) -> Function
    tests: list         # (name, id, passed, total, mean points, max points)
    file_problems: dict  # file -> {kind: {gist: set of submission ids}}
    empty: list         # submissions in which none of the expected files was found


def analyse(out):
    scores, submissions, max_score = {}, {}, 0.0
    per_test, functions = {}, {}
    file_problems = collections.defaultdict(lambda: collections.defaultdict(lambda: collections.defaultdict(set)))
    empty = []
    for submission in graded_submissions(out):
        results_path, record_path = paths(out, submission)
        if not os.path.exists(results_path):
            continue
        results = results_module.read(results_path)
        scores[submission.id], submissions[submission.id] = results["score"], submission
        max_score = max(max_score, results.get("extra_data", {}).get("max_score", 0.0))
        for test in results.get("tests", []):
            entry = per_test.setdefault(test["extra_data"].get("id"), [test["name"], 0, 0, 0.0, test["max_score"]])
            entry[1] += test["status"] == "passed"
            entry[2] += 1
            entry[3] += test["score"]
        if not os.path.exists(record_path):
            continue
        record = records.load(record_path)
        if record.discovery is not None and not record.discovery.found and record.outcomes:
            empty.append(submission.id)
        for outcome in record.outcomes:
            problem = file_problem(outcome)
            if problem:
                if submission.id not in empty:
                    note = outcome.hidden_output if outcome.kind != "file missing" else (
                        record.discovery.notes.get(outcome.file) or outcome.hidden_output)
                    file_problems[outcome.file][problem][gist(note)].add(submission.id)
                continue
            for name in outcome.functions:
                stats = functions.setdefault((outcome.file, name), Function(outcome.file, name))
                stats.tests += 1
                stats.passed += outcome.passed
            if outcome.passed:
                continue
            for name in blamed(outcome):
                stats = functions[(outcome.file, name)]
                if outcome.kind == "not attempted":
                    stats.not_attempted.add(submission.id)
                    continue
                stats.wrong.add(submission.id)
                stats.failures[gist(outcome.hidden_output)].add(submission.id)
                for misconception in outcome.misconceptions:
                    stats.misconceptions[misconception].add(submission.id)
                for hint in hints(outcome.visible_output):
                    stats.hints[hint].add(submission.id)
    tests = [(name, test_id, passed, total, total_points / total if total else 0.0, top)
             for test_id, (name, passed, total, total_points, top) in per_test.items()]
    return ClassReport(scores, max_score, submissions, functions, tests, file_problems, empty)


def file_problem(outcome):
    """What kept a whole file from being tested ("file missing", "import error", ...), or ""."""
    if outcome.kind in FILE_PROBLEMS:
        return outcome.kind
    if outcome.kind == "crashed" and outcome.hidden_output.startswith(f"Importing {outcome.file}"):
        return "crashed on import"
    return ""


def blamed(outcome):
    """The functions a failure belongs to: the one its message starts with, when a test grades several."""
    for function in outcome.functions:
        if outcome.hidden_output.startswith((function, f"Not attempted: {function}")):
            return [function]
    return outcome.functions


def gist(message):
    """The gist of a failure message: its first sentence (after a call header), without asides in
    parentheses, numbers masked, so that one mistake on different inputs reads the same."""
    lines = [line for line in message.splitlines() if line.strip()] or ["(no message)"]
    text = lines[1] if len(lines) > 1 and lines[0].endswith(":") else lines[0]
    aside = re.compile(r"\s*\((?=[^()]*[a-z]{3})[^()]*\)")  # "(largest error ...)", not a shape "(4, 3)"
    while aside.search(text):
        text = aside.sub("", text)
    return NUMBER.sub("#", text.split(". ")[0])[:200]


def hints(message):
    """The feedback's pattern hints, numbers to three digits: the same factor in many submissions
    points at one shared mistake."""
    return [NUMBER.sub(lambda m: f"{float(m.group()):.3g}", line[len("Hint: "):])
            for line in message.splitlines() if line.startswith("Hint: ")]


def misconception_text(identifier):
    """The catalogue's sentence for a misconception id; the id itself where there is no catalogue."""
    try:
        from autograder import misconceptions as catalogue
    except ImportError:
        return identifier
    for name in ("describe", "sentence", "text"):
        if callable(getattr(catalogue, name, None)):
            try:
                return str(getattr(catalogue, name)(identifier)) or identifier
            except (KeyError, LookupError, ValueError):
                return identifier
    for name in ("CATALOGUE", "CATALOG", "MISCONCEPTIONS"):
        entry = getattr(catalogue, name, {}).get(identifier)
        if entry is not None:
            return str(entry if isinstance(entry, str) else getattr(entry, "sentence", None)
                       or getattr(entry, "text", None) or identifier)
    return identifier


def ranked(found, top=TOP):
    """[(text, number of submissions)], commonest first."""
    return sorted(((text, len(ids)) for text, ids in found.items()), key=lambda pair: (-pair[1], pair[0]))[:top]


def histogram(scores, max_score, bins=10):
    width = max_score / bins if max_score else 1.0
    counts = [0] * bins
    for score in scores:
        counts[min(int(score / width), bins - 1) if width else 0] += 1
    return [(i * width, (i + 1) * width, c) for i, c in enumerate(counts)]


def hardest(report):
    return sorted(report.functions.values(), key=lambda f: (f.rate, f.file, f.name))


# ---------------------------------------------------------------- terminal

def text(report, width=110):
    scores = list(report.scores.values())
    lines = [f"{len(scores)} submissions, scores out of {points(report.max_score)}: mean "
             f"{statistics.mean(scores):.1f}, median {points(statistics.median(scores))}, "
             f"min {points(min(scores))}, max {points(max(scores))}", ""]
    top = max(c for _, _, c in histogram(scores, report.max_score)) or 1
    for low, high, count in histogram(scores, report.max_score):
        lines.append(f"  {low:6.1f}-{high:6.1f} | {'#' * round(40 * count / top)} {count}")
    if report.empty or report.file_problems:
        lines += ["", "Files missing or not importable (counted apart from wrong code):"]
        if report.empty:
            lines.append(f"  {len(report.empty)} submission(s) had none of the expected files: "
                         + terminal(", ".join(sorted(report.empty)[:5])))
        for file, kinds in sorted(report.file_problems.items()):
            for kind, found in sorted(kinds.items()):
                for message, count in ranked(found):
                    lines.append(f"  {file}: {kind}, {count} submission(s): {terminal(message)}")
    struggled = [stats for stats in hardest(report) if stats.rate < 1]
    lines += ["", "Functions the class got wrong (tests passed where the file was there and imported):"]
    for stats in struggled:
        lines.append(f"  {stats.rate:6.1%}  {stats.file}:{stats.name}  ({len(stats.wrong)} submission(s) wrong, "
                     f"{len(stats.not_attempted)} not attempted)")
        for identifier, count in ranked(stats.misconceptions):
            lines.append(f"           {count:4d} x misconception: {terminal(misconception_text(identifier))}")
        for hint, count in ranked(stats.hints):
            lines.append(f"           {count:4d} x hint: {terminal(hint)}")
        for message, count in ranked(stats.failures):
            lines.append(f"           {count:4d} x {terminal(message)}")
    lines.append(f"  Every test of the other {len(report.functions) - len(struggled)} function(s) passed.")
    lines += ["", "Tests, hardest first:"]
    for name, _, passed, total, mean, top_points in sorted(report.tests, key=lambda t: (t[2] / t[3], t[1])):
        lines.append(f"  {passed / total:6.1%}  mean {mean:.3g}/{points(top_points)}  {terminal(name)}")
    return "\n".join(_fit(line, width) for line in lines)


def _fit(line, width):
    """The line, cut between words to fit the width."""
    if len(line) <= width:
        return line
    cut = line.rfind(" ", 0, width - 4)
    return line[:cut if cut > width // 2 else width - 4] + " ..."


# ---------------------------------------------------------------- HTML

STYLE = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;width:100%;margin:1em 0}td,th{border-bottom:1px solid #ddd;padding:4px 8px;
text-align:left;vertical-align:top}th{background:#f4f4f4}ul{margin:0;padding-left:1.2em}code{font-size:95%}
pre{white-space:pre-wrap;background:#f7f7f7;padding:6px;margin:4px 0}.passed{color:#1b7a1b}.failed{color:#b32020}
.muted{color:#666}figure{margin:1em 0}figcaption{font-size:90%;color:#555}.nowrap{white-space:nowrap}
summary{cursor:pointer;font-weight:bold;margin:1em 0}"""


def page(title, body):
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"<style>{STYLE}</style></head><body>\n<h1>{escape(title)}</h1>\n{body}\n</body></html>\n")


def score_plot(scores, max_score):
    """The score distribution as an SVG bar chart: ten bins over 0..max, counts on the bars."""
    bars = histogram(scores, max_score)
    top = max([c for _, _, c in bars] + [1])
    parts = ['<svg viewBox="0 0 560 250" width="560" height="250" role="img" '
             'aria-label="number of submissions per score range">']
    for i, (low, high, count) in enumerate(bars):
        height = 170 * count / top
        x = 40 + i * 50
        parts.append(f'<rect x="{x}" y="{200 - height:.1f}" width="44" height="{height:.1f}" fill="#4a7fb5">'
                     f"<title>{points(low)} to {points(high)} points: {count} submission(s)</title></rect>"
                     f'<text x="{x + 22}" y="{195 - height:.1f}" text-anchor="middle" font-size="12">{count}</text>'
                     f'<text x="{x - 3}" y="216" text-anchor="middle" font-size="11">{points(low)}</text>')
    parts.append(f'<text x="{37 + 10 * 50}" y="216" text-anchor="middle" font-size="11">{points(max_score)}</text>'
                 '<line x1="38" y1="200" x2="542" y2="200" stroke="#888"/>'
                 '<text x="290" y="242" text-anchor="middle" font-size="12">score</text>'
                 '<text x="14" y="110" text-anchor="middle" font-size="12" transform="rotate(-90 14 110)">'
                 "submissions</text></svg>")
    return "".join(parts)


def rate_plot(functions):
    """Per-function pass rates as horizontal bars, hardest first."""
    row = 22
    height = 30 + row * len(functions)
    parts = [f'<svg viewBox="0 0 760 {height}" width="760" height="{height}" role="img" '
             'aria-label="share of tests passed per function">']
    for i, stats in enumerate(functions):
        y = 10 + i * row
        colour = "#b32020" if stats.rate < 0.5 else "#d08a10" if stats.rate < 0.8 else "#2f8f2f"
        parts.append(f'<text x="290" y="{y + 14}" text-anchor="end" font-size="12">'
                     f"{escape(stats.file)}: {escape(stats.name)}</text>"
                     f'<rect x="300" y="{y + 2}" width="{400 * stats.rate:.1f}" height="16" fill="{colour}">'
                     f"<title>{stats.passed} of {stats.tests} tests passed</title></rect>"
                     f'<text x="{306 + 400 * stats.rate:.1f}" y="{y + 14}" font-size="12">{stats.rate:.0%}</text>')
    parts.append(f'<line x1="300" y1="6" x2="300" y2="{height - 14}" stroke="#888"/>'
                 f'<text x="500" y="{height - 2}" text-anchor="middle" font-size="12">tests passed</text></svg>')
    return "".join(parts)


def class_page(report, student_folder):
    scores = list(report.scores.values())
    body = [f"<p>{len(scores)} submissions; mean {statistics.mean(scores):.1f}, median "
            f"{points(statistics.median(scores))} of {points(report.max_score)}.</p>",
            "<h2>Score distribution</h2><figure>" + score_plot(scores, report.max_score)
            + "<figcaption>Submissions per tenth of the maximum score.</figcaption></figure>"]
    functions = [stats for stats in hardest(report) if stats.rate < 1]
    everywhere = ", ".join(f"{stats.file}: {stats.name}" for stats in hardest(report) if stats.rate == 1)
    body += ["<h2>Which functions the class got wrong</h2>"]
    if functions:
        body += ["<figure>" + rate_plot(functions) + "<figcaption>Share of tests passed per function, among the "
                 "submissions whose file was there and imported.</figcaption></figure>",
                 "<table><tr><th>function</th><th>tests passed</th><th>submissions wrong / not attempted</th>"
                 "<th>misconceptions named</th><th>hints in the feedback</th><th>commonest failures</th></tr>"]
        for stats in functions:
            body.append(f"<tr><td><code>{escape(stats.file)}: {escape(stats.name)}</code></td>"
                        f"<td>{stats.rate:.0%}</td><td>{len(stats.wrong)} / {len(stats.not_attempted)}</td>"
                        f"<td>{_counted(ranked(stats.misconceptions), misconception_text)}</td>"
                        f"<td>{_counted(ranked(stats.hints))}</td><td>{_counted(ranked(stats.failures))}</td></tr>")
        body.append("</table>")
    if everywhere:
        body.append(f"<p class=muted>Every test of these functions passed: {escape(everywhere)}.</p>")
    if report.empty or report.file_problems:
        body.append("<h2>Files missing or not importable</h2><p class=muted>Counted here, not against the "
                    "functions above.</p><ul>")
        if report.empty:
            body.append(f"<li>{len(report.empty)} submission(s) had none of the expected files: "
                        + ", ".join(_student_link(report.submissions[i], student_folder) for i in sorted(report.empty))
                        + "</li>")
        for file, kinds in sorted(report.file_problems.items()):
            for kind, found in sorted(kinds.items()):
                body.append(f"<li><code>{escape(file)}</code>, {escape(kind)}: {_counted(ranked(found))}</li>")
        body.append("</ul>")
    body.append("<h2>Tests, hardest first</h2><table><tr><th>test</th><th>passed</th><th>mean points</th></tr>")
    for name, _, passed, total, mean, top_points in sorted(report.tests, key=lambda t: (t[2] / t[3], t[1])):
        body.append(f"<tr><td>{escape(name)}</td><td>{passed / total:.0%}</td><td>{mean:.3g} / "
                    f"{points(top_points)}</td></tr>")
    body.append("</table><h2>Submissions</h2><table><tr><th>submission</th><th>students</th><th>score</th></tr>")
    for submission_id, score in sorted(report.scores.items(), key=lambda pair: (pair[1], pair[0])):
        submission = report.submissions[submission_id]
        body.append(f"<tr><td>{_student_link(submission, student_folder)}</td><td>"
                    f"{escape(', '.join(s.name for s in submission.students))}</td>"
                    f"<td>{points(score)} / {points(report.max_score)}</td></tr>")
    body.append("</table>")
    return page("Class report", "\n".join(body))


def student_page(out, submission):
    """One submission as staff review it: who, the score per file with what discovery noticed, the
    failed tests with their full feedback (the visible version), printed output and the
    misconceptions named; the passed tests folded away."""
    results_path, record_path = paths(out, submission)
    results = results_module.read(results_path)
    record = records.load(record_path) if os.path.exists(record_path) else None
    outcomes = {o.id: o for o in record.outcomes} if record else {}
    notes = record.discovery.notes if record and record.discovery else {}
    who = "; ".join(" ".join(filter(None, (s.name, f"(SID {s.sid})" if s.sid else "", s.email)))
                    for s in submission.students)
    tests = results.get("tests", [])
    body = [f"<p>{escape(who)}<br>Score: <b>{points(results['score'])} / "
            f"{points(results.get('extra_data', {}).get('max_score', 0))}</b> &middot; "
            f"<a href='../report.html'>class report</a></p>"]
    isolation = results.get("extra_data", {}).get("isolation")
    if isolation:
        body.append(f"<p class=muted>Isolation: {escape(isolation)}</p>")
    if not tests:
        body.append(f"<pre>{escape(results.get('output', ''))}</pre>")
    files = {}
    for test in tests:
        earned, possible, failed = files.get(test["extra_data"].get("file"), (0.0, 0.0, 0))
        files[test["extra_data"].get("file")] = (earned + test["score"], possible + test["max_score"],
                                                 failed + (test["status"] == "failed"))
    body.append("<table><tr><th>file</th><th>points</th><th>tests failed</th><th>found</th></tr>")
    for file, (earned, possible, failed) in files.items():
        body.append(f"<tr><td><code>{escape(file or '')}</code></td><td class=nowrap>{points(earned)} / "
                    f"{points(possible)}</td><td>{failed}</td><td>{escape(notes.get(file, ''))}</td></tr>")
    body.append("</table>")
    failed = [t for t in tests if t["status"] == "failed"]
    passed = [t for t in tests if t["status"] != "failed"]
    if failed:
        body.append(f"<h2>{len(failed)} failed test(s)</h2>" + _test_table(failed, outcomes))
    if passed:
        body.append(f"<details><summary>{len(passed)} passed test(s)</summary>{_test_table(passed, outcomes)}</details>")
    return page(f"Submission {submission.id}", "\n".join(body))


def _test_table(tests, outcomes):
    rows = ["<table><tr><th>#</th><th>test</th><th>points</th><th>feedback</th></tr>"]
    for test in tests:
        outcome = outcomes.get(test.get("extra_data", {}).get("id"))
        feedback = outcome.visible_output if outcome else test.get("output", "")
        cell = f"<pre>{escape(feedback)}</pre>" if feedback else ""
        if outcome and outcome.misconceptions:
            cell += "<p>Misconceptions: " + "; ".join(escape(misconception_text(m)) for m in outcome.misconceptions)
            cell += "</p>"
        if outcome and outcome.printed.strip():
            cell += f"<p class=muted>Printed:</p><pre>{escape(outcome.printed[:4000])}</pre>"
        kind = test.get("extra_data", {}).get("kind", "")
        rows.append(f"<tr><td>{escape(test.get('number', ''))}</td><td>{escape(test['name'])}<br><span class=muted>"
                    f"{escape(kind)}, {escape(test['visibility'])}</span></td><td class=nowrap>"
                    f"{points(test['score'])} / {points(test['max_score'])}</td><td>{cell}</td></tr>")
    return "".join(rows) + "</table>"


def _counted(pairs, show=str):
    if not pairs:
        return ""
    return "<ul>" + "".join(f"<li>{count} &times; {_code(show(text))}</li>" for text, count in pairs) + "</ul>"


def _code(message):
    """Escaped HTML, with `quoted` names shown as code, as Gradescope's Markdown shows them."""
    return re.sub(r"`([^`<>]+)`", r"<code>\1</code>", escape(message))


def _student_link(submission, student_folder):
    return f'<a href="{escape(student_folder)}/{escape(_page_name(submission.id))}">{escape(submission.id)}</a>'


def _page_name(submission_id):
    return re.sub(r"[^A-Za-z0-9_.-]", "_", submission_id) + ".html"


def write_pages(report, out, target):
    """The class page at `target` and a page per submission in the folder `report` beside it."""
    folder = os.path.join(os.path.dirname(os.path.abspath(target)), "report")
    os.makedirs(folder, exist_ok=True)
    with open(target, "w", encoding="utf-8") as stream:
        stream.write(class_page(report, "report"))
    for submission in report.submissions.values():
        with open(os.path.join(folder, _page_name(submission.id)), "w", encoding="utf-8") as stream:
            stream.write(student_page(out, submission))
    return folder


def cmd_report(args):
    report = analyse(args.out)
    if not report.scores:
        print(f"no graded submissions in {args.out}")
        return 1
    target = args.html or os.path.join(args.out, "report.html")
    folder = write_pages(report, args.out, target)
    print(text(report))
    print(f"\nHTML report written to {target}, with a page per submission in {folder}")
    return 0


def add_commands(commands):
    report = commands.add_parser("report", help="class report of a graded batch for staff (terminal and HTML)")
    report.add_argument("out", metavar="BATCH", help="the --out folder of a batch (or of a rescore)")
    report.add_argument("--html", default=None, help="where to write the class page (default: BATCH/report.html)")
    report.set_defaults(run=cmd_report)
