"""Registering at the kiosk, both routes, as a patient would — errors beside the fields, codes from the phone."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from screens.kiosk.account import AccountScreen, LetterChoiceScreen
from screens.kiosk.check_answers import CheckAnswersScreen, RegisteredScreen
from screens.kiosk.register import RegisterWithCodeScreen, RegisterWithDetailsScreen
from screens.kiosk.verify_code import VerifyMobileScreen
from screens.kiosk.welcome import WelcomeScreen
from tests.screens.flows import click_on, fill, last_code, press_continue, screen_text, settle


async def test_register_with_an_invitation_code(kiosk_on, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = kiosk_on()
    async with app.run_test(size=(100, 40)) as pilot:
        await click_on(pilot, "#register-code")
        assert isinstance(app.screen, RegisterWithCodeScreen)
        await fill(pilot, code="demo-gr4c", dob="25 September 2000")
        await press_continue(pilot)
        assert isinstance(app.screen, VerifyMobileScreen), screen_text(app)
        assert "***** ***016" in screen_text(app)
        assert any("Demo phone" in (n.title or "") for n in app._notifications)
        await fill(pilot, code="999999" if last_code(demo_db) != "999999" else "888888")
        await press_continue(pilot)
        assert "That code is not right. You have 4 tries left." in screen_text(app)
        await fill(pilot, code=last_code(demo_db))
        await press_continue(pilot)
        assert isinstance(app.screen, AccountScreen), screen_text(app)
        await fill(pilot, email="grace@example.org", password="violet tractor lamp",
                   password_again="violet tractor lamp")
        await press_continue(pilot)
        assert isinstance(app.screen, LetterChoiceScreen)
        await press_continue(pilot)
        assert "Error: Choose paperless or paper letters." in screen_text(app)
        await click_on(pilot, "#paperless")
        await press_continue(pilot)
        assert isinstance(app.screen, CheckAnswersScreen)
        assert "grace@example.org" in screen_text(app) and "violet" not in screen_text(app)
        await click_on(pilot, "#change-letters")
        await click_on(pilot, "#paper")
        await press_continue(pilot)
        assert isinstance(app.screen, CheckAnswersScreen)
        assert "Paper (posted to you" in screen_text(app)
        await press_continue(pilot)
        assert isinstance(app.screen, RegisteredScreen)
        assert "Thank you, Grace" in screen_text(app)
        assert len(app.screen_stack) == 2  # the registration pages and what was typed in them are gone
    engine = create_engine(f"sqlite:///{demo_db}")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT letter_preference FROM patient WHERE given_name='Grace'")).scalar() == "paper"


async def test_register_directly_with_every_mistake_explained(kiosk_on, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = kiosk_on()
    async with app.run_test(size=(100, 40)) as pilot:
        await click_on(pilot, "#register-details")
        assert isinstance(app.screen, RegisterWithDetailsScreen)
        await press_continue(pilot)
        shown = screen_text(app)
        for message in ("Enter your NHS number or your hospital number.", "Enter your date of birth",
                        "Enter a postcode."):
            assert message in shown
        await fill(pilot, identifier="999 000 0019", dob="31/2/2000", postcode="WD18")
        await press_continue(pilot)
        shown = screen_text(app)
        for message in ("not a valid NHS number", "That date does not exist", "Enter a real postcode"):
            assert message in shown
        await fill(pilot, identifier="943 476 5919", dob="1/1/1980", postcode="WD18 0HB")
        await press_continue(pilot)
        assert "We could not match those details to a hospital record" in screen_text(app)
        assert "01632 960 100" in screen_text(app)
        number, born, postcode = _record(demo_db, "Liam")
        year, month, day = born.split("-")
        await fill(pilot, identifier=number.lower(), dob=f"{int(day)}.{int(month)}.{year}",
                   postcode=postcode.lower().replace(" ", ""))
        await press_continue(pilot)
        assert isinstance(app.screen, VerifyMobileScreen), screen_text(app)


def _record(db, given: str) -> tuple[str, str, str]:  # type: ignore[no-untyped-def]
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as connection:
        return tuple(connection.execute(text("SELECT hospital_number, date_of_birth, postcode FROM patient "
                                             "WHERE given_name = :given"), {"given": given}).one())


async def test_back_from_the_first_page_returns_to_welcome(kiosk_on) -> None:  # type: ignore[no-untyped-def]
    app = kiosk_on()
    async with app.run_test(size=(100, 40)) as pilot:
        await click_on(pilot, "#register-code")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, WelcomeScreen)
