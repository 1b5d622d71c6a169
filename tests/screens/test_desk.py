"""The desk with the Pilot: staff sign in with password and code, find a patient, say why, open the record."""

from __future__ import annotations

from pathlib import Path

import pyotp
from textual.widgets import OptionList

from data.engine import make_engine
from data.staff.accounts import FernetBox, TotpFactor
from data.uow import SqlUnitOfWork, session_factory
from domain.staff import accounts as staff
from domain.clock import FixedClock
from domain.identity.session import StaffRole
from portal_tui.desk_app import DeskApp
from screens.desk.record import PatientRecordScreen
from screens.desk.sign_in import StaffSignInScreen
from screens.common.reason import ReasonScreen
from screens.common.widgets import ErrorSummary
from screens.desk.find_patient import FindPatientScreen
from tests.conftest import FIXED_NOW
from tests.data.demo_fixtures import FAST_HASHER
from tests.screens.flows import click_on, fill, kiosk_settings, press_continue, screen_text, settle

KEY = "a desk key for tests only"
PASSWORD = "quiet harbour lantern"


def enrol(db: Path) -> str:
    engine = make_engine(f"sqlite:///{db}")
    try:
        enrolment = staff.add_staff(SqlUnitOfWork(session_factory(engine)), FixedClock(FIXED_NOW), FAST_HASHER,
                                    TotpFactor(), FernetBox(KEY), "sam.patel", "Sam Patel",
                                    StaffRole.APPOINTMENTS_CLERK, PASSWORD, "admin.ann")
    finally:
        engine.dispose()
    return enrolment.secret


async def search(pilot, query: str) -> None:  # type: ignore[no-untyped-def]
    """Type into Find a patient's box and press Enter, as a clerk does."""
    await fill(pilot, query=query)
    pilot.app.screen.query_one("#query-input").focus()
    await pilot.press("enter")
    await settle(pilot)


async def signed_in(pilot, secret: str) -> None:  # type: ignore[no-untyped-def]
    """Sam Patel signs in with password and code, as at the start of a shift."""
    await fill(pilot, username="sam.patel", password=PASSWORD, code=pyotp.TOTP(secret).at(FIXED_NOW))
    await press_continue(pilot)


def desk_on(db: Path) -> DeskApp:
    return DeskApp(kiosk_settings(database_url=f"sqlite:///{db}", staff_secret_key=KEY), FixedClock(FIXED_NOW))


async def test_sign_in_find_open_with_a_reason_and_close(demo_db: Path) -> None:
    secret = enrol(demo_db)
    app = desk_on(demo_db)
    async with app.run_test(size=(100, 34)) as pilot:
        assert isinstance(app.screen, StaffSignInScreen)
        await fill(pilot, username="sam.patel", password="wrong words here", code="123456")
        await press_continue(pilot)
        assert "username, password or code is not right" in screen_text(app)
        await fill(pilot, password=PASSWORD, code=pyotp.TOTP(secret).at(FIXED_NOW))
        await press_continue(pilot)
        assert isinstance(app.screen, FindPatientScreen) and "Signed in as sam.patel" in screen_text(app)
        await search(pilot, "999 000 0018")
        matches = app.screen.query_one("#matches", OptionList)
        assert matches.option_count == 1 and "Margaret Thompson" in str(matches.get_option_at_index(0).prompt)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReasonScreen)
        await click_on(pilot, "#reason-1")
        app.screen.query_one("#open").press()
        await settle(pilot)
        await pilot.pause()
        assert isinstance(app.screen, PatientRecordScreen)
        text = screen_text(app)
        assert "Acting for Margaret Thompson" in text and "Opened because: patient on the phone" in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, FindPatientScreen)


async def test_a_search_that_cannot_work_says_how(demo_db: Path) -> None:
    secret = enrol(demo_db)
    app = desk_on(demo_db)
    async with app.run_test(size=(100, 34)) as pilot:
        await signed_in(pilot, secret)
        await search(pilot, "Thompson")
        assert "Search by NHS number, hospital number, or surname and date of birth" in screen_text(app)
        await search(pilot, "Nobody 1 1 1950")
        assert "No patient matches" in screen_text(app)


async def test_an_idle_desk_is_covered_until_the_same_password_is_typed(demo_db: Path) -> None:
    from screens.desk.cover import DeskCoverScreen
    from screens.desk.sign_in import StaffSignInScreen as SignIn

    secret = enrol(demo_db)
    app = desk_on(demo_db)
    async with app.run_test(size=(100, 34)) as pilot:
        await fill(pilot, username="sam.patel", password=PASSWORD, code=pyotp.TOTP(secret).at(FIXED_NOW))
        await press_continue(pilot)
        assert isinstance(app.screen, FindPatientScreen)
        app.clock.advance(15 * 60)  # type: ignore[attr-defined]
        app.check_desk_idle()
        await pilot.pause()
        assert isinstance(app.screen, DeskCoverScreen) and "Margaret" not in screen_text(app)
        await fill(pilot, password="not my password")
        app.screen.query_one("#password-input").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DeskCoverScreen) and "That password is not right." in screen_text(app)
        await fill(pilot, password=PASSWORD)
        app.screen.query_one("#password-input").focus()
        await pilot.press("enter")
        await settle(pilot)
        await pilot.pause()
        assert isinstance(app.screen, FindPatientScreen)
        app.clock.advance(15 * 60)  # type: ignore[attr-defined]
        app.check_desk_idle()
        await pilot.pause()
        app.screen.query_one("#sign-out").press()
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, SignIn) and app.staff_session is None


async def test_the_desk_stays_in_english_and_shows_the_patients_language(demo_db: Path) -> None:
    """Margaret chose Polish at a kiosk: the desk says so beside her name, with any interpreter booked, and its
    own words stay English (the kiosk's language is never the desk's)."""
    import sqlite3

    with sqlite3.connect(demo_db) as connection:
        connection.execute("UPDATE patient SET language = 'pl' WHERE hospital_number = 'RWG1000001'")
    secret = enrol(demo_db)
    app = desk_on(demo_db)
    async with app.run_test(size=(100, 34)) as pilot:
        await signed_in(pilot, secret)
        await search(pilot, "999 000 0018")
        await pilot.press("enter")
        await pilot.pause()
        await click_on(pilot, "#reason-1")
        app.screen.query_one("#open").press()
        await settle(pilot)
        await pilot.pause()
        text = screen_text(app)
        assert "Acting for Margaret Thompson (Polish)" in text
        assert "Language: Polish (kiosk and texts)" in text and "What would you like to do?" in text


async def test_a_desk_served_by_the_desk_service_works_and_signs_out_when_it_goes(demo_db: Path) -> None:
    """The same pages through the desk service (the desk's settings name only its socket); when the service
    goes, the member of staff is signed out with the reason, and nothing of the patient stays on screen."""
    import tempfile
    import threading

    from portal_tui import desk_service

    secret = enrol(demo_db)
    folder = tempfile.mkdtemp(prefix="ds-", dir="/tmp")
    path = f"{folder}/desk.sock"
    ready, stop = threading.Event(), threading.Event()
    served = threading.Thread(target=desk_service.serve, daemon=True, kwargs={
        "settings": kiosk_settings(database_url=f"sqlite:///{demo_db}", staff_secret_key=KEY, log_file=""),
        "path": path, "say": lambda line: None, "ready": ready, "stop": stop, "clock": FixedClock(FIXED_NOW)})
    served.start()
    assert ready.wait(30)
    app = DeskApp(kiosk_settings(desk_service=path, terminal_id="desk-9"), FixedClock(FIXED_NOW))
    try:
        async with app.run_test(size=(100, 34)) as pilot:
            await signed_in(pilot, secret)
            await settle(pilot)
            assert isinstance(app.screen, FindPatientScreen)
            await search(pilot, "999 000 0018")
            assert "1 patient found" in screen_text(app)
            stop.set()
            served.join(60)
            summary = app.screen.query_one(ErrorSummary)
            await search(pilot, "999 000 0395")
            notes = ""
            for _ in range(100):  # the page that asked says why; the desk's next second signs the staff out
                notes = " ".join(str(n.message) for n in app._notifications)  # a notice is posted, then shown
                if isinstance(app.screen, StaffSignInScreen) and "lost its connection" in notes:
                    break
                await pilot.pause(0.1)
            assert isinstance(app.screen, StaffSignInScreen) and app.staff_session is None
            assert "lost its connection to the desk service" in str(summary.visual)
            assert app.faults == []
            assert "lost its connection to the desk service" in notes
    finally:
        stop.set()
        served.join(60)
    Path(folder).rmdir()  # the service took its socket with it
