"""My appointments at the kiosk, driven as a patient would: the list, a page that explains what cannot be done,
changing the date and time (also when someone else takes the time first), cancelling, and a letter."""

from __future__ import annotations

import sqlite3

from textual.widgets import Button, Input, OptionList

from screens.common.appointments import AppointmentScreen, AppointmentsScreen, LetterScreen
from screens.common.cancel import CancelConfirmScreen, CancelledScreen, CancelWarningScreen
from screens.kiosk.home import HomeScreen
from screens.common.reschedule import CheckChangeScreen, RescheduleDayScreen, RescheduledScreen, RescheduleTimeScreen
from tests.screens.flows import fill, screen_text, settle, shown, signed_in

SIZE = (100, 40)


async def sign_in_as(pilot, db, email: str) -> None:  # type: ignore[no-untyped-def]
    """Signed in, at Home (the sign-in pages themselves are walked in the flow tests)."""
    await signed_in(pilot, db, email)
    assert isinstance(pilot.app.screen, HomeScreen), screen_text(pilot.app)


async def press(pilot, selector: str) -> None:  # type: ignore[no-untyped-def]
    """Press a button as Enter on it would, and let the database work finish."""
    button = pilot.app.screen.query_one(selector, Button)
    while button.has_class("-active"):
        await pilot.pause(0.05)
    button.focus()
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot)
    await pilot.pause()


async def open_first_upcoming(pilot, db, email: str) -> None:  # type: ignore[no-untyped-def]
    await sign_in_as(pilot, db, email)
    await press(pilot, "#appointments")
    assert isinstance(pilot.app.screen, AppointmentsScreen), screen_text(pilot.app)
    pilot.app.screen.query_one("#upcoming", OptionList).focus()
    await pilot.press("enter")
    await settle(pilot)
    await pilot.pause()
    assert isinstance(pilot.app.screen, AppointmentScreen), screen_text(pilot.app)


def status_of(db, reference: str) -> str:  # type: ignore[no-untyped-def]
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT status FROM appointment WHERE reference = ?", (reference,)).fetchone()[0]


async def test_the_list_has_upcoming_and_earlier_with_who_cancelled(kiosk_on, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = kiosk_on()
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_as(pilot, demo_db, "sandeep.gill@example.com")
        await press(pilot, "#appointments")
        upcoming = str(app.screen.query_one("#upcoming", OptionList).get_option_at_index(0).prompt)
        assert "Follow-up outpatient appointment" in upcoming and "Booked" in upcoming
        earlier = app.screen.query_one("#earlier", OptionList)
        words = "\n".join(str(earlier.get_option_at_index(i).prompt) for i in range(earlier.option_count))
        for status in ("Cancelled by you", "Cancelled by the hospital", "Not attended", "Attended"):
            assert status in words
        assert "West Hertfordshire Teaching Hospitals NHS Trust" in words


async def test_a_blocked_appointment_says_why_and_who_to_call(kiosk_on, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = kiosk_on()
    async with app.run_test(size=SIZE) as pilot:
        await open_first_upcoming(pilot, demo_db, "harold.finch@example.com")
        shown = screen_text(app)
        assert "You cannot change or cancel this appointment online. Hospital transport is booked" in shown
        assert "call the Appointments team on" in shown
        assert not app.screen.query("#reschedule") and not app.screen.query("#cancel")


async def test_change_the_date_and_time(kiosk_on, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = kiosk_on()
    async with app.run_test(size=SIZE) as pilot:
        await open_first_upcoming(pilot, demo_db, "margaret.thompson@example.com")
        old = app.screen.page.view.appointment.reference
        assert "You can change this appointment 2 more times." in screen_text(app)
        await press(pilot, "#reschedule")
        assert isinstance(app.screen, RescheduleDayScreen)
        assert "We cannot promise a particular date" in screen_text(app)
        await pilot.press("down", "enter")  # the second day offered
        await pilot.pause()
        assert isinstance(app.screen, RescheduleTimeScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CheckChangeScreen)
        assert "After this change you can change it 1 more time online." in screen_text(app)
        new_time = app.screen.slot.starts_at
        await press(pilot, "#confirm")
        assert isinstance(app.screen, RescheduledScreen), screen_text(app)
        shown = screen_text(app)
        assert "Your appointment has been changed" in shown and "We have sent a text" in shown
        new = app.screen.done.new.appointment
        assert new.starts_at == new_time and status_of(demo_db, old) == "rescheduled"
        assert any("is now" in n.message for n in app._notifications)  # the demo phone got the text
        await press(pilot, "#finish")
        await settle(pilot)
        assert isinstance(app.screen, AppointmentsScreen)
        upcoming = str(app.screen.query_one("#upcoming", OptionList).get_option_at_index(0).prompt)
        assert "Booked" in upcoming
        assert any(v.appointment.reference == old and v.appointment.status_words == "Moved to a new time"
                   for v in app.screen.views)


async def test_a_time_taken_meanwhile_offers_the_nearest(kiosk_on, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = kiosk_on()
    async with app.run_test(size=SIZE) as pilot:
        await open_first_upcoming(pilot, demo_db, "margaret.thompson@example.com")
        await press(pilot, "#reschedule")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        slot = app.screen.slot
        with sqlite3.connect(demo_db) as connection:  # someone at another terminal is quicker
            connection.execute(
                "INSERT INTO appointment (reference, patient_id, trust_code, clinic_id, clinician_id, location_id, "
                "slot_id, kind, status, starts_at, duration_minutes, booked_at, transport_booked, times_rescheduled, "
                "reschedule_limit) SELECT 'QUICKER1', patient_id, trust_code, clinic_id, clinician_id, location_id, "
                "?, kind, 'booked', starts_at, duration_minutes, booked_at, 0, 0, 2 FROM appointment "
                "WHERE reference = 'WH000012'", (slot.id,))
        await press(pilot, "#confirm")
        assert isinstance(app.screen, RescheduleTimeScreen), screen_text(app)
        shown = screen_text(app)
        assert "Sorry, that time has just been taken by someone else." in shown
        assert str(slot.id) not in app.screen.slots
        await pilot.press("enter")
        await pilot.pause()
        await press(pilot, "#confirm")
        assert isinstance(app.screen, RescheduledScreen), screen_text(app)


async def test_cancel_warns_then_needs_the_word(kiosk_on, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = kiosk_on()
    async with app.run_test(size=SIZE) as pilot:
        await open_first_upcoming(pilot, demo_db, "margaret.thompson@example.com")
        reference = app.screen.page.view.appointment.reference
        await press(pilot, "#cancel")
        assert isinstance(app.screen, CancelWarningScreen)
        assert "Cancelling will discharge you from this clinic" in screen_text(app)
        assert app.focused is app.screen.query_one("#keep")
        await press(pilot, "#continue")
        assert isinstance(app.screen, CancelConfirmScreen)
        assert app.focused is app.screen.query_one("#keep")
        await press(pilot, "#cancel-appointment")
        assert "Type the word CANCEL to cancel" in screen_text(app)
        assert status_of(demo_db, reference) == "booked"
        await fill(pilot, reason="Feeling better", confirm_word="cancel")
        app.screen.query_one("#confirm-word-input", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        await pilot.pause()
        assert isinstance(app.screen, CancelledScreen), screen_text(app)
        assert "Your cancellation reference is CX" in screen_text(app)
        assert status_of(demo_db, reference) == "cancelled_by_patient"
        await press(pilot, "#finish")
        await settle(pilot)
        assert any(v.appointment.reference == reference and v.appointment.status_words == "Cancelled by you"
                   for v in app.screen.views)


async def test_keep_my_appointment_changes_nothing(kiosk_on, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = kiosk_on()
    async with app.run_test(size=SIZE) as pilot:
        await open_first_upcoming(pilot, demo_db, "margaret.thompson@example.com")
        reference = app.screen.page.view.appointment.reference
        await press(pilot, "#cancel")
        await pilot.press("enter")  # the focus is on Keep my appointment
        await pilot.pause()
        assert isinstance(app.screen, AppointmentScreen)
        assert status_of(demo_db, reference) == "booked"


async def test_a_letter_of_the_appointment_opens(kiosk_on, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = kiosk_on()
    async with app.run_test(size=SIZE) as pilot:
        await open_first_upcoming(pilot, demo_db, "margaret.thompson@example.com")
        await press(pilot, ".letter-button")
        assert isinstance(app.screen, LetterScreen), screen_text(app)
        assert "Appointment confirmation letter" in screen_text(app)
        assert app.focused is app.screen.query_one("#letter-body")
        with sqlite3.connect(demo_db) as connection:
            assert connection.execute("SELECT count(*) FROM audit_event WHERE action = 'open_letter'").fetchone()[0] == 1
