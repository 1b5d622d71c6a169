"""Why a clerk opens a record or changes an appointment (hazard HAZ-106): nothing is chosen for them."""

from __future__ import annotations

from textual.app import App

from screens.common.reason import ReasonScreen
from tests.screens.flows import screen_text


class _Asking(App[None]):
    def __init__(self, other: bool = True) -> None:
        super().__init__()
        self.answers: list[str | None] = []
        self.other = other

    def on_mount(self) -> None:
        self.push_screen(ReasonScreen("Why are you opening the record?", "The patient sees it.",
                                      ["patient at the desk", "patient on the phone", "letter or post"], "Open",
                                      other=self.other), self.answers.append)


async def test_nothing_is_chosen_until_the_clerk_chooses() -> None:
    app = _Asking()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("tab", "tab", "enter")  # straight to Open: no reason chosen, so none is recorded
        await pilot.pause()
        assert app.answers == [] and "Choose one of the answers: a number key chooses it." in screen_text(app)
        await pilot.pause(0.3)  # a button pressed twice within its 0.2 s press effect takes the first only
        await pilot.press("enter")  # Enter on the answers never chooses one
        await pilot.pause(0.3)
        assert app.answers == []
        await pilot.press("2", "enter")  # a number key chooses, and Open has the focus
        await pilot.pause()
        assert app.answers == ["patient on the phone"]


async def test_other_needs_its_words_and_a_closed_question_has_no_other() -> None:
    app = _Asking()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("4")  # Other: its box takes the typing
        await pilot.press(*"called back", "enter")
        await pilot.pause()
        assert app.answers == ["other: called back"]
    closed = _Asking(other=False)
    async with closed.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "Other" not in screen_text(closed)
        await pilot.press("4", "3", "enter")  # 4 is nothing here; 3 the last answer
        await pilot.pause()
        assert closed.answers == ["letter or post"]
