"""The one policy for showing student text, wherever it is shown.

Student text is anything a submission controls: what it prints, its exceptions' types and
messages, its tracebacks, the strings it returns, its file and folder names, and the names and
emails in Gradescope's metadata (students edit their own names). It is never trusted to be
what it looks like, so each place that shows it uses one function from here:

    results.json Markdown   code_block() for text as it is, inline() inside a sentence
    Markdown tables         table_cell()
    the HTML report         html()
    grades.csv              csv_cell()
    a terminal              terminal()

Every one of them first makes control characters visible (an ESC is shown as \\x1b, never sent),
so no terminal sequence, bidirectional override or NUL reaches a reader. `cap` shortens long
text and says how much was left out.

Feedback is written long before it is shown, and mixes grader prose with student text. So the
sentences of failures.py, checks.py and feedback.py wrap each piece of student text with
student() (inside a sentence; code=True for a name or a value) or student_block() (a block of
its own): invisible marks that say "this part is the student's". markdown_segments() splits
marked text for results.markdown, which shows inline pieces with inline(), names and values with
code_span() and blocks with code_block(); every other function here drops the marks. Grader
prose is shown with prose(), which escapes whatever could turn into a link, an image, HTML or a
heading, in case student text reached it unmarked (say through a test's own f-string).
"""
import html as html_module
import re

from autograder.sandbox.limits import STUDENT_BLOCK_CHARS, STUDENT_CHARS

# C0 and C1 controls (newline and tab too, which show_controls keeps unless told not to), DEL,
# line/paragraph separators, bidi controls, zero-width characters and the byte-order mark.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069"
                     "\ufeff]")
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~&:])")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")

# The marks around student text inside grader text: invisible format characters (so that text
# printed as it is still reads right), never kept in student text itself (student() removes
# them). The opening mark says how the text is shown: inline, as code, or as a block.
OPEN = {"inline": "\u2061", "code": "\u2062", "block": "\u2063"}
CLOSE = "\u2064"
MARKS = re.compile("[\u2061-\u2064]")
MARKED = re.compile("([\u2061-\u2063])([^\u2061-\u2064]*)(?:\u2064|(?=[\u2061-\u2063])|$)")
KINDS = {mark: kind for kind, mark in OPEN.items()}


def show_controls(text, keep="\n\t"):
    """text with every control character written out (\\x1b, \\u202e) except those in `keep`."""
    def visible(match):
        char = match.group()
        if char in keep:
            return char
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return CONTROL.sub(visible, unmarked(text))


def cap(text, limit):
    """At most `limit` characters of text, with a line saying how many more there were."""
    text = str(text)
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n… ({len(text) - limit} more characters not shown)"


def code_block(text):
    """A fenced Markdown code block that shows text literally, whatever it contains.

    The fence is longer than any run of backticks or tildes inside, so nothing in the text can
    close it (CommonMark closes a fence only with a run at least as long as the opening one).
    """
    text = show_controls(text, keep="\n\t").rstrip("\n")
    longest = max((len(run) for run in re.findall(r"`+|~+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def code_span(text):
    """Student text (a name, a value) as inline code, shown literally whatever it contains."""
    text = show_controls(str(text).replace("\n", " ").replace("\t", " "), keep="")
    if not text:
        return "(empty)"
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text[0] in "` " or text[-1] in "` " else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def inline(text):
    """Student text inside a Markdown sentence: one line, every Markdown and HTML character escaped."""
    text = show_controls(str(text).replace("\n", " ").replace("\t", " "), keep="")
    return MARKDOWN_SPECIAL.sub(r"\\\1", text)


def table_cell(text):
    """Student text inside a Markdown table cell (no line breaks, no column separators)."""
    return inline(text)


def html(text):
    """Student text inside the HTML report: escaped, quotes included, controls shown."""
    return html_module.escape(show_controls(text), quote=True)


def csv_cell(value):
    """A value for grades.csv: numbers as they are; text that a spreadsheet would run as a formula
    (=, +, -, @ or a control character first) is prefixed with an apostrophe."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = unmarked(str(value))
    if text.startswith(FORMULA_START):
        text = "'" + text
    return show_controls(text, keep="")


def terminal(text):
    """Student text for a terminal: escape sequences and other controls shown, never sent."""
    return show_controls(text)


# ---------------------------------------------------------------- student text inside grader text

def student(text, limit=STUDENT_CHARS, code=False):
    """A piece of student text for inside a sentence: capped, and marked as the student's.

    code=True shows it as inline code (a name, a key, a value), otherwise as escaped words.
    """
    text = MARKS.sub("", str(text))
    if len(text) > limit:
        text = text[:limit] + f" … ({len(text) - limit} more characters not shown)"
    return OPEN["code" if code else "inline"] + text + CLOSE


def student_block(text, limit=STUDENT_BLOCK_CHARS):
    """Student text shown as a block of its own (a traceback, printed output): capped and marked."""
    return OPEN["block"] + cap(MARKS.sub("", str(text)), limit) + CLOSE


def unmarked(text):
    """Marked text as plain text (the marks dropped), for views that show it as it is."""
    return MARKS.sub("", str(text))


def markdown_segments(text):
    """Marked text as [(kind, text)], kind "prose", "inline", "code" or "block", in order.

    A mark left open (text cut in the middle) runs to the end; a stray mark is dropped.
    """
    out, start = [], 0
    for match in MARKED.finditer(text):
        if match.start() > start:
            out.append(("prose", MARKS.sub("", text[start:match.start()])))
        out.append((KINDS[match.group(1)], match.group(2)))
        start = match.end()
    if start < len(text):
        out.append(("prose", MARKS.sub("", text[start:])))
    return out


CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")
PROSE_SPECIAL = re.compile(r"[\\`|*~]|\](?=[(\[])|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])|:(?=//)|(?<=www)\.",
                           re.IGNORECASE)
LINE_START = re.compile(r"^(\s?\d*)([#\-+=~.)\[])")


def prose(line):
    """One line of grader prose for Markdown: `code spans` kept, everything else shown as written.

    HTML is escaped; a ] that would close a link or an image, stray backticks, pipes, emphasis and
    strikethrough characters are backslashed, and so is a character that would start a heading, a
    list, a rule or a link definition ([x]: url) at the start of the line; http:// and www. are
    broken so that nothing becomes a link.
    """
    line = show_controls(line, keep="\t")
    parts, start = [], 0
    for match in CODE_SPAN.finditer(line):
        parts.append(_escape_prose(line[start:match.start()]))
        parts.append(match.group())
        start = match.end()
    parts.append(_escape_prose(line[start:]))
    return LINE_START.sub(r"\1\\\2", "".join(parts))


def _escape_prose(text):
    text = html_module.escape(text, quote=False)
    return PROSE_SPECIAL.sub(lambda m: "\\" + m.group(), text)
