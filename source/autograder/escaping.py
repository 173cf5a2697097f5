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
"""
import html as html_module
import re

# C0 and C1 controls (but newline and tab), DEL, line/paragraph separators, bidi controls.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~&:])")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def show_controls(text, keep="\n\t"):
    """text with every control character written out (\\x1b, \\u202e) except those in `keep`."""
    def visible(match):
        char = match.group()
        if char in keep:
            return char
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return CONTROL.sub(visible, str(text))


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
    text = str(value)
    if text.startswith(FORMULA_START):
        text = "'" + text
    return show_controls(text, keep="")


def terminal(text):
    """Student text for a terminal: escape sequences and other controls shown, never sent."""
    return show_controls(text)
