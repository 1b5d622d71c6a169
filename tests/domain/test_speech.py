"""The words the kiosk says (domain/speech.py): masked parts masked, secrets as a count, controls with their state."""

from __future__ import annotations

import pytest

from domain import speech
from domain.speech import Voice


@pytest.mark.parametrize("shown, said", [
    ("NHS number *** *** 5919  (F4 show)", "NHS number hidden, ending in 5 9 1 9 (F4 show)."),
    ("We sent a code to ***** ***123, the mobile", "We sent a code to hidden, ending in 1 2 3, the mobile."),
    ("Margaret · born 3 Mar 1950", "Margaret , born 3 Mar 1950."),
    ("Two lines\nof text", "Two lines. of text."),
    ("Please wait…", "Please wait."),
    ("", ""),
])
def test_shown_words_as_they_are_said(shown: str, said: str) -> None:
    assert speech.spoken(shown) == said


@pytest.mark.parametrize("value, said", [("", "empty"), ("x", "hidden, 1 character"), ("hunter22", "hidden, 8 characters")])
def test_a_secret_is_said_as_its_length_only(value: str, said: str) -> None:
    assert speech.secret(len(value)) == said
    assert speech.field("Password", value, hidden=True) == f"Password, edit text, {said}."
    assert len(value) < 8 or value not in speech.field("Password", value, hidden=True)


def test_controls_with_their_state() -> None:
    assert speech.field("Email address", "", hidden=False, hint="For example, a@b.uk", error="Error: Enter it.") == \
        "Email address, edit text, empty. Error: Enter it. For example, a@b.uk."
    assert speech.button("Continue") == "Continue, button."
    assert speech.button("Please wait…", available=False) == "Please wait, button, not available now."
    assert speech.choice("Paperless", chosen=True, position=2, count=2) == "Paperless, radio button, chosen, 2 of 2."
    assert speech.check_box("I agree", ticked=False) == "I agree, check box, not ticked."
    assert speech.list_item("Friday 22 January, 9am", position=1, count=3) == "Friday 22 January, 9am, 1 of 3."
    assert speech.whole_list(["One", "Two"]) == "A list of 2: One. Two."
    assert speech.whole_list([]) == "An empty list."
    assert speech.choices([("Post", False), ("Paperless", True)]) == "A choice of 2: Post. Paperless, chosen."


def test_the_voice_stays_within_what_espeak_can_do() -> None:
    voice = Voice(volume=180)
    assert voice.louder().volume == 200 and voice.louder().louder().volume == 200
    assert Voice(volume=30).quieter().volume == 20
    with pytest.raises(ValueError):
        Voice(volume=500)
    with pytest.raises(ValueError):
        Voice(rate=20)
