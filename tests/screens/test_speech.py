"""Speech at the kiosk (issue 20): every page says what it shows, in the order shown, then the focused control;
errors and outcomes are said when they appear; secrets never are; the voice's keys work and every new session
starts quiet, at the trust's own volume."""

from __future__ import annotations

import io
import re

from rich.console import Console
from textual.screen import ModalScreen

from domain.clock import FixedClock
from domain.speech import Voice
from portal_tui.app import KioskApp
from screens.common.text import Plain
from tests.conftest import FIXED_NOW
from tests.screens.flows import fill, kiosk_settings, last_code, press_continue, settle, shown

TALL = (110, 90)
"""Tall enough that every page's words are on screen at once, to be compared with what is said."""

ROLE_WORDS = set("""a an of button edit text empty hidden character characters ending in radio chosen not ticked
check box choice list table drop down press enter to choose scrolls use the arrow keys and page read on available now
there is problem speech f3 f5 f7 f8 hear again stop speaking for quieter louder volume percent""".split())
"""What speech adds to the words on screen: what a control is and what state it is in."""


class Spoken:
    """A Speaker that keeps what it was asked to say (the port's record)."""

    def __init__(self) -> None:
        self.said: list[str] = []
        self.voices: list[Voice] = []
        self.queued: list[bool] = []
        self.stops = 0

    def say(self, words: str, voice: Voice, *, interrupt: bool = True) -> None:
        self.said.append(words)
        self.voices.append(voice)
        self.queued.append(not interrupt)

    def stop(self) -> None:
        self.stops += 1

    @property
    def everything(self) -> str:
        return "\n".join(self.said)


def speaking_kiosk(db, **overrides: object) -> tuple[KioskApp, Spoken]:  # type: ignore[no-untyped-def]
    spoken = Spoken()
    settings = kiosk_settings(**{"database_url": f"sqlite:///{db}", "demo": False, "speech": True, **overrides})
    return KioskApp(settings, FixedClock(FIXED_NOW), speaker=spoken), spoken


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower().replace("’", "'")))


def shown_on_screen(app: KioskApp) -> str:
    """The screen as a person sees it (the compositor's frame), less the footer's keys."""
    console = Console(width=app.size.width, height=app.size.height, file=io.StringIO(), record=True,
                      legacy_windows=False, color_system=None)
    console.print(app.screen._compositor.render_update(full=True))
    lines = console.export_text().splitlines()[:-1]
    if isinstance(app.screen, ModalScreen):  # a dialog over the page: only the dialog is its page
        region = app.screen.children[0].region
        lines = [line[region.x:region.right] for line in lines[region.y:region.bottom]]
    return "\n".join(line.rstrip() for line in lines if line.strip())


async def test_a_page_is_said_when_it_comes_then_its_focused_control(demo_db) -> None:
    app, spoken = speaking_kiosk(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        welcome = spoken.said[-1]
        assert welcome.startswith("West Hertfordshire Teaching Hospitals NHS Trust. Patient Portal. Welcome.")
        assert "Press F3 to hear a page again" in welcome
        assert welcome.endswith("Sign in, button.")
        await pilot.press("tab")
        await settle(pilot)
        assert spoken.said[-1] == "Register with a code from a text message, button."
        await pilot.press("shift+tab", "enter")
        await settle(pilot)
        assert spoken.said[-1].startswith("Sign in. Use the email address and password you registered with.")
        assert spoken.said[-1].endswith("Email address, edit text, empty.")


async def _at_sign_in(pilot) -> None:  # type: ignore[no-untyped-def]
    """From the welcome page to Sign in, Enter on its focused first button."""
    from screens.kiosk.sign_in import SignInScreen

    await settle(pilot)
    await pilot.press("enter")
    await shown(pilot, SignInScreen)


async def test_secrets_are_never_said_only_how_long(demo_db) -> None:
    """The password on sign-in, the code from the text: 'hidden, N characters', never what was typed."""
    from screens.kiosk.verify_code import SignInCodeScreen

    app, spoken = speaking_kiosk(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await _at_sign_in(pilot)
        await pilot.press(*"margaret.thompson@example.com", "tab", *"kiosk-demo-2026")
        await pilot.press("shift+tab", "tab")  # back to the password: it is said again
        await settle(pilot)
        assert spoken.said[-1].startswith("Password, edit text, hidden, 15 characters.")
        await press_continue(pilot)
        await shown(pilot, SignInCodeScreen)
        code = last_code(demo_db)
        await pilot.press(*code, "shift+tab", "tab")
        await settle(pilot)
        assert spoken.said[-1].startswith("Security code, edit text, hidden, 6 characters.")
    assert "kiosk-demo-2026" not in spoken.everything
    assert code not in spoken.everything
    assert "hidden, ending in" in spoken.everything  # the masked mobile, as masked


async def test_problems_are_said_as_they_appear(demo_db) -> None:
    app, spoken = speaking_kiosk(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await _at_sign_in(pilot)
        await press_continue(pilot)
        await settle(pilot)
        # Both fields' errors, together: the second did not cut off the first.
        assert "Email address. Error: Enter" in spoken.said[-1]
        assert "Password. Error: Enter your password." in spoken.said[-1]
        await fill(pilot, email="nobody@example.com", password="wrong password")
        await press_continue(pilot)
        await settle(pilot)
        assert any(s.startswith("There is a problem.") for s in spoken.said[-3:])


async def test_the_masked_nhs_number_is_said_masked(demo_db) -> None:
    from tests.screens.test_flow_snapshots import steps_to

    app, spoken = speaking_kiosk(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await steps_to("home", demo_db)(pilot)
        await settle(pilot)
        home = next(s for s in reversed(spoken.said) if s.startswith("Margaret Thompson."))
        await pilot.press("f4")  # shown in full on screen, at the patient's own asking: still not said
        await pilot.press("f3")
        await settle(pilot)
    assert "NHS number hidden, ending in" in home
    assert not re.search(r"\d{3} ?\d{3} ?\d{4}", spoken.everything)


async def test_the_voice_keys_and_a_new_session_back_at_the_trusts_volume(demo_db) -> None:
    from tests.screens.test_flow_snapshots import steps_to

    app, spoken = speaking_kiosk(demo_db, speech_volume=100)
    async with app.run_test(size=(80, 24)) as pilot:
        await steps_to("home", demo_db)(pilot)
        await settle(pilot)
        page = app.narrator.last_page if app.narrator else ""
        await pilot.press("f3")
        await settle(pilot)
        assert spoken.said[-1] == page
        await pilot.press("f8", "f8")
        await settle(pilot)
        assert spoken.said[-1] == "Volume 70 percent." and spoken.voices[-1].volume == 140
        stops = spoken.stops
        await pilot.press("f5")
        await settle(pilot)
        assert spoken.stops == stops + 1
        # Idle: the warning is said, then the wipe stops the voice and the next page is at the trust's volume.
        app.clock.advance(95)  # type: ignore[attr-defined]
        app.check_inactivity()
        await settle(pilot)
        assert "still there" in spoken.said[-1].lower() or "are you" in spoken.said[-1].lower()
        app.clock.advance(60)  # type: ignore[attr-defined]
        app.check_inactivity()
        await settle(pilot)
        assert spoken.stops >= stops + 2
        assert spoken.voices[-1].volume == 100
        assert "Margaret" not in spoken.said[-1]


async def test_an_outcome_is_said(demo_db) -> None:
    from tests.screens.test_appointment_snapshots import steps_to as appointment_steps

    app, spoken = speaking_kiosk(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await appointment_steps("changed", demo_db, "margaret.thompson@example.com")(pilot)
        await settle(pilot)
    assert any("moved" in s.lower() or "changed" in s.lower() for s in spoken.said[-3:]), spoken.said[-3:]


async def test_with_speech_off_nothing_is_said_and_no_voice_keys_show(demo_db) -> None:
    from textual.widgets import Footer

    app = KioskApp(kiosk_settings(database_url=f"sqlite:///{demo_db}"), FixedClock(FIXED_NOW))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.narrator is None
        footer = str(app.screen.query_one(Footer).render()) + " ".join(
            str(child.render()) for child in app.screen.query_one(Footer).walk_children())
        await pilot.press("f3", "f5", "f8")
        await settle(pilot)
    assert "Repeat" not in footer and "Stop speech" not in footer


async def test_a_focus_given_after_the_page_was_read_follows_its_words() -> None:
    """A page that puts its focus somewhere only after it was read: the control is said after the page's words
    (queued), not instead of them; a later move cuts off what is being said, as it should."""
    from textual.app import App

    from screens.common.speech import Narrator
    from screens.common.text import PlainButton

    class Page(App[None]):
        def compose(self):  # type: ignore[no-untyped-def]
            yield Plain("Before you cancel")
            yield PlainButton("Keep my appointment", id="keep")
            yield PlainButton("Continue to cancel", id="go")

    spoken = Spoken()
    narrator = Narrator(spoken, Voice())
    app = Page()
    async with app.run_test() as pilot:
        app.screen.set_focus(None)
        narrator.page(app.screen)
        app.query_one("#keep").focus()
        narrator.focus(app.query_one("#keep"))
        narrator.focus(app.query_one("#keep"))  # the same control again: nothing more is said
        narrator.focus(app.query_one("#go"))
        await pilot.pause()
    assert spoken.said == ["Before you cancel. Keep my appointment, button. Continue to cancel, button.",
                           "Keep my appointment, button.", "Continue to cancel, button."]
    assert spoken.queued == [False, True, False]


async def test_a_demo_phones_text_is_shown_never_said(demo_db) -> None:
    """In demo mode a text appears on screen as it would on the phone; it may hold a code, so it is not said."""
    app, spoken = speaking_kiosk(demo_db, demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await _at_sign_in(pilot)
        await fill(pilot, email="margaret.thompson@example.com", password="kiosk-demo-2026")
        await press_continue(pilot)
        await settle(pilot)
        code = last_code(demo_db)
        assert any(code in n.message for n in app._notifications)
    assert code not in spoken.everything
