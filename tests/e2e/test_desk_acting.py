"""The desk acting for a patient in a real terminal at 120×40: a clerk finds Krzysztof Wiśniewski by surname and
date of birth (typed without the accent), opens his record for a phone call, moves his interpreter-booked
appointment with a reason and is reminded to rebook the interpreter, books him a follow-up (letter and texts
queued), locks the desk and unlocks it — and then Krzysztof, at the kiosk, sees the new time and who changed what."""

from __future__ import annotations

import sqlite3

import pytest

from data.demo import DEMO_STAFF_PASSWORD
from tests.e2e.conftest import PORTAL
from tests.e2e.test_appointments import sign_in, wait_until
from tests.e2e.staff import desk_sign_in
from tests.e2e.tmux import Terminal

pytestmark = pytest.mark.e2e


def _database(env: dict[str, str]) -> str:
    return env["PORTAL_DATABASE_URL"].removeprefix("sqlite:///")


def test_move_an_interpreter_booked_appointment_book_a_follow_up_lock_and_unlock(fresh_demo: dict[str, str]) -> None:
    demo_env = fresh_demo  # it changes Krzysztof's bookings, and a clerk's code is good once
    with sqlite3.connect(_database(demo_env)) as connection:
        (born,) = connection.execute("SELECT date_of_birth FROM patient WHERE given_name = 'Krzysztof'").fetchone()
    year, month, day = born.split("-")
    desk = Terminal([PORTAL, "desk"], demo_env, width=120, height=40)
    try:
        desk_sign_in(desk)
        desk.type(f"wisniewski {int(day)} {int(month)} {year}")
        desk.press("Enter")
        desk.wait_for("1 patient found")
        desk.press("Enter")
        desk.wait_for("Why are you opening the record of Krzysztof")
        desk.press("2", "Enter")  # 2: patient on the phone (nothing is chosen for the clerk), then Open the record
        desk.wait_for("Opened because: patient on the phone")
        desk.press("Enter")  # Appointments
        desk.wait_for("Appointments of Krzysztof")
        desk.press("Enter")  # the first upcoming: gastroenterology, with a Polish interpreter
        desk.wait_for("What can be done")
        desk.wait_for("Polish interpreter booked")
        desk.wait_for("The patient cannot change it online")
        desk.press("Enter")  # Change the date, time or clinician
        desk.wait_for("Move the appointment: choose a day")
        desk.press("Enter")  # the first day
        desk.wait_for("choose a time on")
        desk.press("Enter")  # the first time
        desk.wait_for("Check the new appointment")
        desk.press("Enter")  # Confirm change
        desk.wait_for("Why is this appointment being moved?")
        desk.press("2", "Enter")  # 2: the patient asked, on the phone; then Confirm change
        desk.wait_for("The appointment has been moved")
        # The panel paints after its title: each line is waited for, not read off the first paint.
        desk.wait_for("Now rebook the Polish interpreter for the new time")
        desk.wait_for("confirmation text is on its way")
        desk.press("Enter")  # back to the list
        desk.wait_for("Appointments of Krzysztof")
        desk.press("Escape")
        desk.wait_for("Rebook the Polish interpreter")  # still to do, on his record's first page
        desk.press("Tab", "Tab", "Tab", "Tab", "Enter")  # Book an appointment
        desk.wait_for("Book an appointment: choose the clinic")
        desk.press("Enter")  # the clinic he is under comes first
        desk.wait_for("choose a day")
        desk.press("End", "Enter")  # the last day offered
        desk.wait_for("choose a time")
        desk.press("Enter")
        desk.wait_for("Check the booking")
        desk.wait_for("Follow-up (the patient is under this clinic)")
        desk.press("Enter")  # Book appointment
        desk.wait_for("Why is this appointment being booked?")
        desk.press("1", "Enter")  # 1: the follow-up the clinic asked for
        desk.wait_for("Booked:")
        wait_until(lambda: "paper copy is queued for posting" in " ".join(desk.screen().split()))  # by post
        desk.press("C-l")
        screen = desk.wait_for("This desk is locked")
        assert "Krzysztof" not in screen and "Wi" not in screen.split("locked", 1)[1]
        desk.type(DEMO_STAFF_PASSWORD)
        desk.press("Enter")
        desk.wait_for("Booked:")  # the page as it was left
    finally:
        desk.close()
    with sqlite3.connect(_database(demo_env)) as connection:
        texts = connection.execute("SELECT template FROM sms_message WHERE to_number = "
                                   "(SELECT mobile FROM patient WHERE given_name = 'Krzysztof')").fetchall()
        actions = [a for (a,) in connection.execute(
            "SELECT action FROM audit_event WHERE actor_id = 'clerk.demo' ORDER BY id").fetchall()]
    assert {"reschedule_confirmation", "booking_confirmation"} <= {t for (t,) in texts}
    assert {"staff_open", "reschedule_appointment", "book_appointment"} <= set(actions)

    kiosk = Terminal([PORTAL, "kiosk"], demo_env, width=120, height=40)
    try:
        sign_in(kiosk, "krzysztof.wisniewski@example.com", "Krzysztof")
        kiosk.press("Enter")  # My appointments
        kiosk.wait_for("Upcoming (2)")  # the new time, and the follow-up booked for him
        kiosk.wait_for("Earlier, moved and cancelled (1)")  # the old time
        kiosk.press("Escape")
        kiosk.wait_for("Hello, Krzysztof")
        kiosk.press("Tab", "Tab", "Tab", "Enter")  # My Details
        kiosk.wait_for("To change these, call or visit the Appointments team.")
        kiosk.press("Tab", "Enter")  # Who has looked at my record
        kiosk.wait_for("Booked an appointment")
        screen = kiosk.wait_for("Changed an appointment")  # the table's rows paint one after another
        assert "clerk.demo" not in screen and "Chris" not in screen  # the team, not a name
    finally:
        kiosk.close()
