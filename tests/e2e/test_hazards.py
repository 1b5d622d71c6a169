"""Hazards of issue 32, seen as a clerk and a patient see them in real terminals (tmux)."""

from __future__ import annotations

import sqlite3

import pytest

from tests.e2e.conftest import PORTAL
from tests.e2e.staff import desk_sign_in, open_record
from tests.e2e.test_appointments import sign_in, wait_until
from tests.e2e.tmux import Terminal

pytestmark = pytest.mark.e2e


def _database(env: dict[str, str]) -> str:
    return env["PORTAL_DATABASE_URL"].removeprefix("sqlite:///")


def test_a_hospital_cancellation_at_the_desk_then_rebooked_and_the_patient_reads_it(fresh_demo: dict[str, str]) -> None:
    """Hazard 1: the clerk says the hospital is cancelling (the clinician is away): Margaret stays under the
    clinic, is texted that a new date will come, and the clerk rebooks her at once; at the kiosk she reads that the
    hospital cancelled."""
    desk = Terminal([PORTAL, "desk"], fresh_demo, width=120, height=40)
    try:
        desk_sign_in(desk)
        open_record(desk, "999 000 0018", "Margaret Thompson", "2")  # patient on the phone
        desk.press("Enter")  # Appointments
        desk.wait_for("Appointments of Margaret")
        desk.press("Enter")  # her one upcoming appointment
        desk.wait_for("What can be done")
        desk.press("Tab", "Enter")  # Cancel this appointment
        desk.wait_for("Before you cancel")
        wait_until(lambda: "If the hospital is cancelling" in " ".join(desk.screen().split()))  # however it wraps
        desk.press("Tab", "Enter")  # Continue to cancel
        desk.wait_for("To confirm, type CANCEL")
        desk.press("BTab")  # from Keep the appointment back to the box
        desk.type("CANCEL")
        wait_until(lambda: desk.screen().count("CANCEL") >= 2)
        desk.press("Enter")
        desk.wait_for("Who is cancelling?")
        desk.press("Tab", "Tab", "Enter")  # past Back to Continue: nothing is chosen for the clerk, and it says so
        desk.wait_for("Choose one of the answers")
        desk.press("2", "Enter")  # the hospital
        desk.wait_for("Why is the hospital cancelling?")
        desk.press("2", "Enter")  # the clinician is not available
        desk.wait_for("Cancelled: the reference is")
        wait_until(lambda: "the patient stays under this clinic" in " ".join(desk.screen().split()))
        desk.press("BTab", "Enter")  # Rebook now
        desk.wait_for("choose a day")
        desk.press("Enter")  # the first day
        desk.wait_for("choose a time")
        desk.press("Enter")
        desk.wait_for("Check the booking")
        desk.wait_for("Follow-up (the patient is under this clinic)")
        desk.press("Enter")  # Book appointment
        desk.wait_for("Why is this appointment being booked?")
        desk.press("1", "Enter")  # rebooking: the hospital cancelled the last appointment
        desk.wait_for("Booked:")
    finally:
        desk.close()
    with sqlite3.connect(_database(fresh_demo)) as db:
        cancelled = db.execute(
            "SELECT a.status, a.arrangements, a.arrangements_done_at, r.status FROM appointment a JOIN referral r "
            "ON r.id = a.referral_id JOIN patient p ON p.id = a.patient_id WHERE p.given_name = 'Margaret' AND "
            "a.status = 'cancelled_by_hospital' AND a.cancellation_reason = 'the clinician is not available'"
        ).fetchone()
        assert cancelled[0] == "cancelled_by_hospital" and cancelled[3] == "open", cancelled
        assert "Rebook" in cancelled[1] and cancelled[2] is not None, cancelled  # rebooked: the to-do is done
        bodies = [b for (b,) in db.execute("SELECT s.body FROM sms_message s JOIN patient p ON p.id = s.patient_id "
                                           "WHERE p.given_name = 'Margaret'")]
        assert any("We will contact you with a new date" in b for b in bodies), bodies
    kiosk = Terminal([PORTAL, "kiosk"], fresh_demo, width=120, height=40)
    try:
        sign_in(kiosk, "margaret.thompson@example.com", "Margaret")
        kiosk.press("Enter")  # My appointments
        kiosk.wait_for("Upcoming (1)")  # the new time
        kiosk.wait_for("Earlier, moved and cancelled")
        kiosk.press("End")
        kiosk.wait_for("Cancelled by the hospital")
    finally:
        kiosk.close()


def test_no_bank_holiday_is_offered_to_move_into(fresh_demo: dict[str, str]) -> None:
    """Hazard 2, at the kiosk: the days Margaret is offered to move her appointment into are never a bank holiday
    (whatever day this runs, the holidays inside the 12 weeks offered are looked for on every page of days)."""
    from datetime import date, timedelta

    from domain.closures import bank_holiday
    from domain.formatting import nhs_date

    today = date.today()
    holidays = [nhs_date(today + timedelta(days=n)) for n in range(2, 7 * 12 + 1)
                if bank_holiday(today + timedelta(days=n))]
    kiosk = Terminal([PORTAL, "kiosk"], fresh_demo, width=120, height=40)
    try:
        sign_in(kiosk, "margaret.thompson@example.com", "Margaret")
        kiosk.press("Enter")  # My appointments
        kiosk.wait_for("Upcoming (")
        kiosk.press("Enter")
        kiosk.wait_for("What you can do")
        kiosk.press("Enter")  # Change the date or time
        seen = kiosk.wait_for("We cannot promise")
        for _ in range(8):  # every page of the days offered
            kiosk.press("PageDown")
            seen += kiosk.screen()
        assert "free time" in seen or "free times" in seen, seen
        assert not [day for day in holidays if day in seen], (holidays, seen)
    finally:
        kiosk.close()


def test_a_desk_is_signed_out_within_seconds_of_its_account_being_disabled(fresh_demo: dict[str, str]) -> None:
    """Hazard 4: after an administrator disables an account, that person's open desk is signed out within
    seconds and shows why — nothing of a patient stays on screen."""
    import subprocess
    import time

    desk = Terminal([PORTAL, "desk"], fresh_demo, width=100, height=30)
    try:
        desk_sign_in(desk)
        open_record(desk, "999 000 0018", "Margaret Thompson")
        done = subprocess.run([PORTAL, "staff", "disable", "clerk.demo"], env=fresh_demo, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0, done.stdout + done.stderr
        disabled = time.monotonic()
        screen = desk.wait_for("Your account has been disabled by an", timeout=15)  # the notice wraps
        assert time.monotonic() - disabled < 12  # checked every 5 seconds
        assert "Margaret" not in screen and "Staff sign in" in screen
    finally:
        desk.close()
    with sqlite3.connect(_database(fresh_demo)) as db:
        assert db.execute("SELECT detail FROM audit_event WHERE action = 'staff_sign_out' ORDER BY id DESC"
                          ).fetchone() == ("account disabled",)
