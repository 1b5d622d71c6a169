"""Signed in at the kiosk: home, My Details, and a session that ends leaving nothing of the patient behind."""

from __future__ import annotations

import sqlite3

from screens.common.confirm import ConfirmScreen
from screens.kiosk.home import HomeScreen
from screens.common.my_details import MyDetailsScreen
from screens.common.session_end import IdleWarningScreen, SessionEndedScreen
from screens.kiosk.sign_in import SignInScreen
from screens.kiosk.verify_code import SignInCodeScreen
from screens.kiosk.welcome import WelcomeScreen
from tests.screens.flows import click_on, all_text, fill, last_code, press_continue, screen_text, settle, shown

MARGARET = ("margaret.thompson@example.com", "kiosk-demo-2026")
PRIVATE = ("Margaret", "Thompson", "999 000 0018", "0018", "margaret.thompson")


async def sign_in(pilot, db) -> None:  # type: ignore[no-untyped-def]
    await click_on(pilot, "#sign-in")
    assert isinstance(pilot.app.screen, SignInScreen)
    await fill(pilot, email=MARGARET[0], password=MARGARET[1])
    await press_continue(pilot)
    assert isinstance(pilot.app.screen, SignInCodeScreen), screen_text(pilot.app)
    await fill(pilot, code=last_code(db))
    await press_continue(pilot)
    assert isinstance(pilot.app.screen, HomeScreen), screen_text(pilot.app)


async def test_sign_in_shows_home_with_the_banner_masked_until_asked(kiosk_on, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = kiosk_on()
    async with app.run_test(size=(100, 36)) as pilot:
        await sign_in(pilot, demo_db)
        shown = screen_text(app)
        assert "Margaret Thompson" in shown and "*** *** 0018" in shown and "999 000 0018" not in shown
        await pilot.press("f4")
        assert "999 000 0018" in screen_text(app)
        await pilot.press("f4")
        assert "999 000 0018" not in screen_text(app)


async def test_a_wrong_password_and_an_unknown_email_look_the_same(kiosk_on) -> None:  # type: ignore[no-untyped-def]
    app = kiosk_on()
    async with app.run_test(size=(100, 36)) as pilot:
        await click_on(pilot, "#sign-in")
        messages = []
        for email in ("margaret.thompson@example.com", "nobody.here@example.com"):
            await fill(pilot, email=email, password="not the password")
            await press_continue(pilot)
            messages.append([line for line in screen_text(app).splitlines() if "not right" in line])
        assert messages[0] == messages[1] != []
        assert app.screen.query_one("#password-input").value == ""


async def test_switch_to_paper_and_back_with_a_confirmation_each_time(kiosk_on, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = kiosk_on()
    async with app.run_test(size=(100, 36)) as pilot:
        await sign_in(pilot, demo_db)
        await click_on(pilot, "#my-details")
        assert isinstance(app.screen, MyDetailsScreen)
        shown = screen_text(app)
        assert "***** ***001" in shown and "Paperless" in shown and "margaret.thompson@example.com" in shown
        for wanted in ("paper", "paperless"):
            await click_on(pilot, "#switch-letters")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)
            assert app.focused is not None and app.focused.id == "cancel"  # the safe answer has the focus
            await click_on(pilot, "#confirm")
            await settle(pilot)
            assert isinstance(app.screen, MyDetailsScreen)
            assert f"Your letters are now {wanted}." in [n.message for n in app._notifications]
    with sqlite3.connect(demo_db) as connection:
        changes = connection.execute("SELECT detail FROM audit_event WHERE action = 'letter_preference' "
                                     "ORDER BY id").fetchall()
    assert changes == [("paperless -> paper",), ("paper -> paperless",)]


async def test_cancel_on_the_confirmation_changes_nothing(kiosk_on, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = kiosk_on()
    async with app.run_test(size=(100, 36)) as pilot:
        await sign_in(pilot, demo_db)
        await click_on(pilot, "#my-details")
        await click_on(pilot, "#switch-letters")
        await shown(pilot, ConfirmScreen)
        await pilot.press("enter")  # the focused, safe button
        await settle(pilot)
        assert "Paperless" in screen_text(app)
    with sqlite3.connect(demo_db) as connection:
        assert connection.execute("SELECT count(*) FROM audit_event WHERE action = 'letter_preference'").fetchone() == (0,)


async def test_idle_warns_then_ends_and_forgets_everything(kiosk_on, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = kiosk_on(kiosk_idle_seconds=120)
    async with app.run_test(size=(100, 36)) as pilot:
        await sign_in(pilot, demo_db)
        await click_on(pilot, "#my-details")
        app.clock.advance(89)
        app.check_inactivity()
        assert isinstance(app.screen, MyDetailsScreen)
        app.clock.advance(1)
        app.check_inactivity()
        await pilot.pause()
        assert isinstance(app.screen, IdleWarningScreen)
        assert "30 seconds" in screen_text(app)
        await pilot.press("space")  # someone is there
        app.check_inactivity()
        await pilot.pause()
        assert isinstance(app.screen, MyDetailsScreen)
        app.clock.advance(120)
        app.check_inactivity()
        await pilot.pause()
        assert isinstance(app.screen, SessionEndedScreen)
        assert app.patient_session is None
        text = all_text(app)
        assert "Your session has ended" in text
        assert not [word for word in PRIVATE if word in text], text
        await click_on(pilot, "#done")
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen) and len(app.screen_stack) == 1


async def test_a_session_lasts_fifteen_minutes_however_busy(kiosk_on, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = kiosk_on()
    async with app.run_test(size=(100, 36)) as pilot:
        await sign_in(pilot, demo_db)
        for _ in range(15):
            app.clock.advance(60)
            await pilot.press("space")
            app.check_inactivity()
        await pilot.pause()
        assert isinstance(app.screen, SessionEndedScreen)
        assert "15 minutes" in screen_text(app)


async def test_sign_out_ends_the_session(kiosk_on, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = kiosk_on()
    async with app.run_test(size=(100, 36)) as pilot:
        await sign_in(pilot, demo_db)
        await click_on(pilot, "#sign-out")
        await pilot.pause()
        assert isinstance(app.screen, SessionEndedScreen) and "signed out" in screen_text(app)
        assert not [word for word in PRIVATE if word in all_text(app)]


async def test_no_demo_phone_outside_demo_mode(kiosk_on) -> None:  # type: ignore[no-untyped-def]
    app = kiosk_on(demo=False)
    async with app.run_test(size=(100, 36)) as pilot:
        await click_on(pilot, "#sign-in")
        await fill(pilot, email=MARGARET[0], password=MARGARET[1])
        await press_continue(pilot)
        assert isinstance(app.screen, SignInCodeScreen)
        assert not list(app._notifications)
