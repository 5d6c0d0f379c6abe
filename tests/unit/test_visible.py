from hypothesis import given
from hypothesis import strategies as st

from tarwatch.visible import visible, visible_lines


def test_escape_sequences_and_newlines_are_shown_escaped():
    assert visible("a\x1b[31mred\x1b]0;title\x07\nb\tc\x00\x7f\x9b") == (
        "a\\x1b[31mred\\x1b]0;title\\x07\\nb\\tc\\x00\\x7f\\x9b"
    )


def test_bidi_overrides_and_line_separators_are_escaped():
    assert visible("x\u202ey\u2028z") == "x\\u202ey\\u2028z"


def test_plain_text_and_non_ascii_letters_are_unchanged():
    s = "svn/dybsvn 台北 <b>&amp;</b> \\xff"
    assert visible(s) is s


def test_visible_lines_keeps_the_line_breaks_it_was_given():
    assert visible_lines("one\x1b[2J\ntwo") == "one\\x1b[2J\ntwo"


@given(st.text())
def test_nothing_visible_returns_holds_a_control_character(s):
    out = visible(s)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in out)
