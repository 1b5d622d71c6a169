"""The supervisor's tools with the Pilot: each role finds the tools it may use and is told why about the others;
the audit trail filtered, opened and exported; a failed text sent again; a member of staff added, reset and
disabled by a system administrator."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pyotp

from data.engine import make_engine
from data.staff.accounts import FernetBox, TotpFactor
from data.uow import SqlUnitOfWork, session_factory
from domain.clock import FixedClock
from domain.identity.session import StaffRole
from domain.staff import accounts as staff
from portal_tui.desk_app import DeskApp
from screens.desk.find_patient import FindPatientScreen
from screens.desk.sign_in import StaffSignInScreen
from screens.desk.tools import (
    AuditEntryScreen,
    AuditScreen,
    EnrolmentScreen,
    StaffMemberScreen,
    StaffScreen,
    TextScreen,
    TextsScreen,
    ToolsScreen,
)
from tests.conftest import FIXED_NOW
from tests.data.demo_fixtures import FAST_HASHER
from tests.screens.flows import fill, kiosk_settings, press_continue, screen_text, settle
from tests.screens.test_appointments import press
from tests.screens.test_desk import KEY, PASSWORD

SIZE = (110, 40)


def enrol_as(db: Path, username: str, role: StaffRole) -> str:
    engine = make_engine(f"sqlite:///{db}")
    try:
        return staff.add_staff(SqlUnitOfWork(session_factory(engine)), FixedClock(FIXED_NOW), FAST_HASHER,
                               TotpFactor(), FernetBox(KEY), username, username.title(), role, PASSWORD,
                               "admin.ann").secret
    finally:
        engine.dispose()


def desk_for(db: Path, tmp_path: Path) -> DeskApp:
    return DeskApp(kiosk_settings(database_url=f"sqlite:///{db}", staff_secret_key=KEY,
                                  export_folder=str(tmp_path / "exports")), FixedClock(FIXED_NOW))


async def sign_in(pilot, username: str, secret: str) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(pilot.app.screen, StaffSignInScreen)
    await fill(pilot, username=username, password=PASSWORD, code=pyotp.TOTP(secret).at(FIXED_NOW))
    await press_continue(pilot)


async def test_a_clerk_is_told_why_each_tool_is_not_for_them(demo_db: Path, tmp_path: Path) -> None:
    secret = enrol_as(demo_db, "clerk.cleo", StaffRole.APPOINTMENTS_CLERK)
    app = desk_for(demo_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "clerk.cleo", secret)
        assert isinstance(app.screen, FindPatientScreen)
        await pilot.press("f7")
        await pilot.pause()
        assert isinstance(app.screen, ToolsScreen)
        assert screen_text(app).count("Not for your role") == 4
        await press(pilot, "#tool-audit")
        assert isinstance(app.screen, ToolsScreen)
        assert "The audit trail is for Appointments supervisors and system administrators" in screen_text(app)
        await press(pilot, "#tool-staff")
        assert "Staff accounts are kept by system administrators" in screen_text(app)


async def test_a_supervisor_filters_opens_and_exports_the_audit_and_sends_a_failed_text_again(
        demo_db: Path, tmp_path: Path) -> None:
    secret = enrol_as(demo_db, "super.sue", StaffRole.APPOINTMENTS_SUPERVISOR)
    with sqlite3.connect(demo_db) as db:
        db.execute("INSERT INTO sms_message (id, to_number, template, body, status, created_at, send_after, "
                   "attempts, last_error) VALUES ('failed-1', '+447700900123', 'booking_confirmation', "
                   "'Your appointment is booked [red]as written[/red].', 'failed', ?, ?, 5, "
                   "'permanent: not a mobile')", (FIXED_NOW.isoformat(), FIXED_NOW.isoformat()))
    app = desk_for(demo_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "super.sue", secret)
        await pilot.press("f7")
        await pilot.pause()
        await press(pilot, "#tool-audit")
        assert isinstance(app.screen, AuditScreen)
        await fill(pilot, staff="super.sue", action="sign_in")
        await press(pilot, "#search")
        assert "1 entry for staff super.sue, action containing 'sign_in'" in screen_text(app)
        await pilot.press("enter")  # the table has the focus: open the entry
        await settle(pilot)
        assert isinstance(app.screen, AuditEntryScreen)
        assert "staff_sign_in" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        await press(pilot, "#export")
        [exported] = (tmp_path / "exports").glob("audit-super.sue-*.csv")
        assert oct(exported.stat().st_mode & 0o777) == "0o600"
        with exported.open(newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert [r["action"] for r in rows] == ["staff_sign_in"] and "Exported 1 entry" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        await press(pilot, "#tool-texts")
        assert isinstance(app.screen, TextsScreen)
        assert "1 text failed" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TextScreen)
        assert "[red]as written[/red]" in screen_text(app) and "permanent: not a mobile" in screen_text(app)
        await press(pilot, "#retry")
        assert "Status: queued" in screen_text(app) and not app.screen.query("#retry")
    with sqlite3.connect(demo_db) as db:
        assert db.execute("SELECT status FROM sms_message WHERE id = 'failed-1'").fetchone() == ("queued",)


async def test_an_administrator_starts_at_the_tools_and_adds_resets_and_disables_staff(
        demo_db: Path, tmp_path: Path) -> None:
    secret = enrol_as(demo_db, "admin.ada", StaffRole.SYSTEM_ADMIN)
    app = desk_for(demo_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "admin.ada", secret)
        assert isinstance(app.screen, ToolsScreen) and app.screen.home
        await pilot.press("escape")  # nothing behind the home page
        await pilot.pause()
        assert isinstance(app.screen, ToolsScreen)
        await press(pilot, "#tool-post_room")
        assert "The post room is for Appointments supervisors" in screen_text(app)
        await press(pilot, "#tool-staff")
        assert isinstance(app.screen, StaffScreen)
        await press(pilot, "#add")
        await fill(pilot, username="new.nia", display_name="Nia Jones", password="short")
        await press(pilot, "#confirm-add")
        assert "at least" in screen_text(app).lower()  # the password rules, in words
        await fill(pilot, password="a long enough passphrase here")
        await press(pilot, "#confirm-add")
        assert isinstance(app.screen, EnrolmentScreen)
        key = app.screen.enrolment.secret
        assert key in screen_text(app) and "otpauth://" in screen_text(app)
        await press(pilot, "#done")
        assert isinstance(app.screen, StaffScreen) and "new.nia" in [str(k.value) for k in
                                                                      app.screen.query_one("#members").rows]
        app.screen.query_one("#members").move_cursor(row=[m.username for m in app.screen.members].index("new.nia"))
        app.screen.query_one("#members").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, StaffMemberScreen)
        await press(pilot, "#disable")
        await press(pilot, "#confirm")
        assert isinstance(app.screen, StaffScreen)
        assert [m.active for m in app.screen.members if m.username == "new.nia"] == [False]
    with sqlite3.connect(demo_db) as db:
        actions = [a for (a,) in db.execute("SELECT action FROM audit_event WHERE actor_id = 'admin.ada' "
                                            "ORDER BY id")]
    assert "staff_added" in actions and "staff_disabled" in actions


async def test_a_supervisor_sends_every_failed_text_again_and_settles_the_texts_held_after_a_restore(
        demo_db: Path, tmp_path: Path) -> None:
    """Issue 36: after a Notify outage, every failed text still worth sending at once; after a restore, the held
    texts released or withdrawn, all at once (asked first) or one by one."""
    secret = enrol_as(demo_db, "super.sue", StaffRole.APPOINTMENTS_SUPERVISOR)
    rows = [("failed-1", "problem_reply", "failed"), ("failed-2", "problem_reply", "failed"),
            ("code-1", "one_time_code", "failed"), ("held-1", "problem_reply", "held"),
            ("held-2", "problem_reply", "held"), ("held-3", "problem_reply", "held")]
    with sqlite3.connect(demo_db) as db:
        db.executemany("INSERT INTO sms_message (id, to_number, template, body, status, created_at, send_after, "
                       "attempts) VALUES (?, '+447700900123', ?, 'A reply', ?, ?, ?, 3)",
                       [(i, kind, status, FIXED_NOW.isoformat(), FIXED_NOW.isoformat()) for i, kind, status in rows])
    app = desk_for(demo_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "super.sue", secret)
        await pilot.press("f7")
        await pilot.pause()
        await press(pilot, "#tool-texts")
        assert isinstance(app.screen, TextsScreen) and app.screen.query_one("#send-all-again").display
        assert not app.screen.query_one("#release-all").display
        await press(pilot, "#send-all-again")
        assert "Send every failed text again?" in screen_text(app)
        await press(pilot, "#confirm")
        await settle(pilot)
        assert "1 text failed" in screen_text(app)  # the code is left: its digits are gone
        await press(pilot, "#show-held")
        assert "3 texts held" in screen_text(app) and app.screen.query_one("#release-all").display
        assert not app.screen.query_one("#send-all-again").display
        await pilot.press("enter")  # the newest held text, one by one
        await pilot.pause()
        assert isinstance(app.screen, TextScreen) and app.screen.query("#release")
        await press(pilot, "#withdraw")
        await settle(pilot)
        assert isinstance(app.screen, TextsScreen) and "2 texts held" in screen_text(app)
        await press(pilot, "#release-all")
        assert "the live database may have sent them" in screen_text(app)
        await press(pilot, "#cancel")  # asked first: nothing released by a slip
        await settle(pilot)
        assert "2 texts held" in screen_text(app)
        await press(pilot, "#release-all")
        await press(pilot, "#confirm")
        await settle(pilot)
        assert "No texts held" in screen_text(app)
    with sqlite3.connect(demo_db) as db:
        statuses = dict(db.execute("SELECT id, status FROM sms_message WHERE id IN (?, ?, ?, ?, ?, ?)",
                                   [r[0] for r in rows]).fetchall())
        actions = [a for (a,) in db.execute("SELECT action FROM audit_event WHERE action LIKE 'held%' OR "
                                             "action = 'texts_sent_again' ORDER BY id")]
    assert statuses["failed-1"] == statuses["failed-2"] == "queued" and statuses["code-1"] == "failed"
    assert sorted(statuses[i] for i in ("held-1", "held-2", "held-3")) == ["queued", "queued", "withdrawn"]
    assert actions == ["texts_sent_again", "held_texts_withdrawn", "held_texts_released"]
