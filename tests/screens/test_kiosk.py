"""The kiosk as a person meets it: the welcome screen, keys that must not leave, the staff PIN, the idle timer."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Static

from screens.common.session_end import IdleWarningScreen, SessionEndedScreen
from screens.kiosk.staff_pin import StaffPinScreen
from screens.kiosk.welcome import WelcomeScreen
from tests.screens.conftest import TEST_PIN


def _text(app) -> str:  # type: ignore[no-untyped-def]
    return " ".join(str(widget.render()) for widget in app.screen.query(Static))


async def test_the_welcome_screen_names_the_trust_and_the_portal(make_kiosk) -> None:  # type: ignore[no-untyped-def]
    app = make_kiosk()
    async with app.run_test(size=(100, 30)):
        assert isinstance(app.screen, WelcomeScreen)
        text = _text(app)
        assert "West Hertfordshire Teaching Hospitals NHS Trust" in text
        assert "Patient Portal" in text
        assert "Royal Free London" in text


async def test_no_ordinary_key_leaves_the_kiosk(make_kiosk) -> None:  # type: ignore[no-untyped-def]
    app = make_kiosk()
    async with app.run_test(size=(100, 30)) as pilot:
        for key in ("ctrl+c", "ctrl+q", "ctrl+z", "ctrl+p", "ctrl+backslash", "escape", "ctrl+d"):
            await pilot.press(key)
            await pilot.pause()
            assert app.is_running, key
            assert isinstance(app.screen, WelcomeScreen), key
        assert app.return_code is None


async def test_a_wrong_pin_is_refused_and_the_right_one_closes_the_kiosk(kiosk_on) -> None:  # type: ignore[no-untyped-def]
    app = kiosk_on()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(app.screen, StaffPinScreen)
        await pilot.press(*"1111", "enter")
        await pilot.pause()
        assert app.is_running
        assert "That PIN is not right." in str(app.screen.query_one("#pin-error", Static).render())
        await pilot.press(*TEST_PIN, "enter")
        await pilot.pause()
    assert app.return_code == 0


async def test_letters_cannot_be_typed_into_the_pin_and_escape_goes_back(make_kiosk) -> None:  # type: ignore[no-untyped-def]
    app = make_kiosk()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f12")
        await pilot.pause()
        await pilot.press(*"ab12")
        assert app.screen.query_one("#pin").value == "12"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)


async def test_an_idle_kiosk_returns_to_welcome_and_drops_what_was_open(make_kiosk) -> None:  # type: ignore[no-untyped-def]
    app = make_kiosk(kiosk_idle_seconds=120)
    async with app.run_test(size=(100, 30)) as pilot:
        patient_page = Screen()
        await app.push_screen(patient_page)
        app.clock.advance(60)
        app.check_inactivity()
        assert app.screen is patient_page
        await pilot.press("x")  # a key press counts as someone there
        await pilot.pause()
        app.clock.advance(89)
        app.check_inactivity()
        assert app.screen is patient_page
        app.clock.advance(30)
        app.check_inactivity()
        await pilot.pause()
        assert isinstance(app.screen, IdleWarningScreen)
        app.clock.advance(2)
        app.check_inactivity()
        await pilot.pause()
        assert isinstance(app.screen, SessionEndedScreen)
        assert not patient_page.is_attached
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen) and len(app.screen_stack) == 1


async def test_f2_switches_to_high_contrast_and_back(make_kiosk) -> None:  # type: ignore[no-untyped-def]
    app = make_kiosk()
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.theme == "portal"
        await pilot.press("f2")
        assert app.theme == "portal-high-contrast"
        await pilot.press("f2")
        assert app.theme == "portal"


async def test_the_clipboard_and_screenshots_are_closed(make_kiosk) -> None:  # type: ignore[no-untyped-def]
    app = make_kiosk()
    async with app.run_test(size=(100, 30)):
        app.copy_to_clipboard("999 000 0018")
        assert app.clipboard == ""
        app.action_screenshot()
        assert app.is_running


async def test_a_locked_address_is_reopened_by_its_owner_with_a_code(kiosk_on, demo_db) -> None:  # type: ignore[no-untyped-def]
    """Ten wrong passwords lock Margaret's address; the sign-in page then offers to reopen it with a code to her
    phone. The code page never says where the code went; the right code brings her back to Sign in, open again,
    and her password signs her in."""
    from data.demo import DEMO_PASSWORD
    from screens.kiosk.sign_in import SignInScreen
    from screens.kiosk.unlock import UnlockCodeScreen, UnlockScreen
    from screens.kiosk.verify_code import SignInCodeScreen
    from tests.screens.flows import click_on, fill, last_code, press_continue, screen_text, shown

    app = kiosk_on()
    async with app.run_test(size=(100, 40)) as pilot:
        app.push_screen(SignInScreen(app.services))
        await shown(pilot, SignInScreen)
        for _ in range(10):
            await fill(pilot, email="margaret.thompson@example.com", password="not my password")
            await press_continue(pilot)
        assert "is locked because of too many failed tries" in screen_text(app)
        await click_on(pilot, "#unlock")
        await shown(pilot, UnlockScreen)
        assert app.screen.field("email").value == "margaret.thompson@example.com"  # as typed on Sign in
        await press_continue(pilot)
        await shown(pilot, UnlockCodeScreen)
        said = screen_text(app)
        assert "If margaret.thompson@example.com has an account" in said and "*****" not in said
        await fill(pilot, code="000000")
        await press_continue(pilot)
        assert "That code is not right, or it has run out" in screen_text(app)
        await fill(pilot, code=last_code(demo_db))
        await press_continue(pilot)
        await shown(pilot, SignInScreen)
        assert any("is open again" in str(n.message) for n in app._notifications)
        await fill(pilot, email="margaret.thompson@example.com", password=DEMO_PASSWORD)
        await press_continue(pilot)
        await shown(pilot, SignInCodeScreen)
        assert not app.faults
