"""The supervisor's tools in a real terminal at 80×24, one desk signed into by each role in turn: a clerk is told
why the audit trail is not for them; a supervisor searches the audit trail, opens an entry and prints the post
room's waiting letters into a PDF (a second print finds nothing new); a system administrator starts at the tools
and cannot act for patients."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.e2e.conftest import PORTAL
from tests.e2e.staff import desk_sign_in
from tests.e2e.tmux import Terminal

pytestmark = pytest.mark.e2e


def _sign_out(desk: Terminal) -> None:
    desk.press("C-l")  # cover the desk, then Sign out from the cover
    desk.wait_for("This desk is locked")
    desk.press("Tab", "Tab", "Enter")
    desk.wait_for("Staff sign in")


def test_each_role_at_the_tools(fresh_demo: dict[str, str], tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    desk = Terminal([PORTAL, "desk"], {**fresh_demo, "PORTAL_EXPORT_FOLDER": str(exports)}, width=80, height=24)
    try:
        desk_sign_in(desk, "clerk.demo")
        desk.type("999 000 0018")
        desk.press("Enter")
        desk.wait_for("1 patient found")
        desk.press("Enter")
        desk.wait_for("Why are you opening the record of Margaret Thompson?")
        desk.press("1", "Enter")
        desk.wait_for("Acting for Margaret Thompson")
        desk.press("Tab", "Tab", "Tab", "Tab", "Tab", "Enter")  # past the record's parts and booking: Texts sent
        desk.wait_for("Texts to this patient")
        desk.press("Escape")
        desk.wait_for("What would you like to do?")
        desk.press("Escape")
        desk.wait_for("Find a patient")
        desk.press("F7")
        desk.wait_for("Supervisor tools")
        desk.press("Enter")  # Audit trail, the first tool
        desk.wait_for("The audit trail is for Appointments supervisors")
        desk.press("Escape")
        desk.wait_for("Find a patient")
        _sign_out(desk)

        desk_sign_in(desk, "supervisor.demo")
        desk.press("F7")
        desk.wait_for("Supervisor tools")
        desk.press("Enter")
        desk.wait_for("Filter by any of these")
        desk.press("Tab")  # from Patient to Member of staff
        desk.type("clerk.demo")
        desk.press("Enter")
        desk.wait_for("for staff clerk.demo")
        desk.press("Enter")  # the newest entry
        screen = desk.wait_for("Audit entry")
        assert "clerk.demo" in screen
        desk.press("Escape")
        desk.wait_for("Export as CSV")
        desk.press("Escape")
        desk.wait_for("Supervisor tools")
        desk.press("Tab", "Tab", "Enter")  # Post room
        desk.wait_for("ready to print")
        desk.press("Tab", "Enter")  # from the waiting letters to Print
        desk.wait_for("Nothing new to print")
        [pdf] = exports.glob("letters-*.pdf")
        assert len(PdfReader(pdf).pages) >= 1
        assert oct(pdf.stat().st_mode & 0o777) == "0o600"
        desk.press("Escape")
        desk.wait_for("Supervisor tools")
        desk.press("Escape")
        desk.wait_for("Find a patient")
        _sign_out(desk)

        screen = desk_sign_in(desk, "admin.demo", lands_on="Supervisor tools")
        assert "Find a patient" not in screen  # a system administrator does not act for patients
        desk.press("Tab", "Tab", "Enter")  # Post room: not for a system administrator
        desk.wait_for("The post room is for Appointments supervisors")
        desk.press("Tab", "Enter")  # Staff accounts
        desk.wait_for("3 accounts, 3 active")
        desk.press("Escape")
        desk.wait_for("Not for your role")
        desk.press("BTab", "BTab", "Enter")  # back from Staff accounts to Texts
        desk.wait_for("held).")  # the counts of every status
    finally:
        desk.close()
