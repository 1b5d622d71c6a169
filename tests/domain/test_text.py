"""Outside text: cleaned where it enters, made visible where it leaves — never a terminal control."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from domain.text import clean_line, clean_text, has_controls, visible

HOSTILE = ["[/]", "[bold]x", "[@click=app.quit]x[/]", "\x1b[2J", "\x1b]0;title\x07", "\x1b]52;c;eA==\x07",
           "\x9b31m", "\x85", "\u202eabc", "\u2066x\u2069", "\x00\x07\x08\x7f", "e\u0301", "a\u200db", "\u200b\ufeff\U000e0041", "x" * 10_000]


def test_controls_go_and_writing_stays() -> None:
    assert clean_line("Mr\x1b[31m O'Neill\u202e\ttwo\nlines") == "Mr[31m O'Neill two lines"
    assert clean_text("one\r\ntwo\rthree\x0cfour\tend\x1b") == "one\ntwo\nthree\nfour\tend"
    assert clean_line("Zoë Ł\u0301 👩\u200d⚕️ محمد") == "Zoë Ł\u0301 👩\u200d⚕️ محمد"


def test_what_shows_as_nothing_goes_too() -> None:
    """Two names that look the same are the same: zero-width space, BOM, marks, Hangul filler and tag characters
    are nobody's writing (the joiners that scripts and emoji need stay)."""
    looks_alike = "Tho\u200bmp\u00adson\ufeff\u200e\u200f\u3164\u2060\U000e0041\U000e007f"
    assert clean_line(looks_alike) == "Thompson"
    assert clean_line("\u0645\u200c\u0627 a\u200db") == "\u0645\u200c\u0627 a\u200db"
    assert visible("a\u200bb") == "a\ufffdb" and has_controls("\U000e0041")


def test_visible_keeps_the_length_and_shows_each_control() -> None:
    assert visible("a\x1bb\x07c\x7f\x9b\u202e") == "a␛b␇c␡\ufffd\ufffd"
    assert visible("line\nnext\ttab") == "line\nnext\ttab"


@given(st.lists(st.sampled_from(HOSTILE) | st.text(), max_size=4).map("".join))
def test_nothing_a_terminal_obeys_survives(text: str) -> None:
    for kept in (clean_line(text), clean_text(text), visible(text)):
        assert not has_controls(kept)
        assert "\x1b" not in kept and "\x9b" not in kept
    assert len(visible(text)) == len(text)
    assert "\n" not in clean_line(text) and "\t" not in clean_line(text)
    assert clean_line(clean_line(text)) == clean_line(text)
