"""Hostile text in a patient's record — markup, terminal escapes, bidi overrides, huge lines — walked through every
kiosk page with the Pilot: no fault, each string shown as written, nothing on screen a terminal would obey."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.widgets import OptionList

from domain.clock import FixedClock
from domain.text import has_controls, visible
from portal_tui.app import KioskApp
from screens.common.appointments import AppointmentScreen, AppointmentsScreen, LetterScreen
from screens.kiosk.home import HomeScreen
from screens.common.my_details import MyDetailsScreen
from screens.common.records import LettersScreen, ResultsScreen, TrendScreen
from tests.conftest import FIXED_NOW
from tests.screens.flows import kiosk_settings, settle
from tests.screens.test_appointments import press, sign_in_as

FRAGMENTS = ["[/]", "[bold]", "[@click=app.quit]x[/]", "[red on white]", "\x1b[2J", "\x1b]0;title\x07",
             "\x1b]52;c;cHduZWQ=\x07", "\x1b[2;1H", "\x9b31m", "\x85", "\u202e", "\u2066", "\x00", "\x7f",
             "e\u0301", "\u200b", "a\u200db", "O'Neill", "x" * 10_000]
hostile = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=8), min_size=1, max_size=4).map("".join)


def _fill_record(db: Path, text: str) -> None:
    """Every field of Margaret's record that came from outside, set to `text` (as if stored before cleaning)."""
    with sqlite3.connect(db) as c:
        (pid,) = c.execute("SELECT id FROM patient WHERE given_name = 'Margaret'").fetchone()
        c.execute("UPDATE patient SET given_name = ?, family_name = ? WHERE id = ?", ("M" + text, text, pid))
        c.execute("UPDATE clinic SET name = ? WHERE id IN (SELECT clinic_id FROM appointment WHERE patient_id = ?)",
                  (text, pid))
        c.execute("UPDATE clinician SET family_name = ? WHERE id IN "
                  "(SELECT clinician_id FROM appointment WHERE patient_id = ?)", (text, pid))
        c.execute("UPDATE appointment SET cancellation_reason = ? WHERE patient_id = ?", (text, pid))
        c.execute("UPDATE document SET title = ?, body_markdown = ? || char(10) || ? WHERE patient_id = ?",
                  (text, text, text, pid))
        c.execute("UPDATE test_result SET test_name = ?, panel = ?, unit = ? WHERE patient_id = ?",
                  (text, text, text[:40], pid))


def _screen_lines(app: KioskApp) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


def _shown_text(app: KioskApp) -> str:
    """Every word the widgets of this page hold, before clipping to the window."""
    parts = [str(widget.visual.plain if hasattr(widget.visual, "plain") else widget.visual)
             for widget in app.screen.query("Plain")]
    for options in app.screen.query(OptionList):
        parts += [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
    for table in app.screen.query("PlainTable"):
        parts += [str(cell) for row in range(table.row_count) for cell in table.get_row_at(row)]
    parts += [str(button.label) for button in app.screen.query("Button")]
    return "\n".join(parts)


def _check_page(app: KioskApp, text: str, kind: type) -> None:
    assert isinstance(app.screen, kind), type(app.screen)
    assert not app.faults
    for line in _screen_lines(app):
        assert not has_controls(line), repr(line)
    shown = visible(text)
    needle = shown[:60] if len(shown) > 60 else shown
    assert needle.strip() == "" or needle in _shown_text(app), (kind.__name__, needle)


async def _enter(pilot) -> None:  # type: ignore[no-untyped-def]
    """Enter on what has the focus, and let the page it opens load."""
    await pilot.press("enter")
    await settle(pilot)
    await pilot.pause()


async def _walk(db: Path, text: str) -> None:
    app = KioskApp(kiosk_settings(database_url=f"sqlite:///{db}"), FixedClock(FIXED_NOW))
    async with app.run_test(size=(100, 40)) as pilot:
        await sign_in_as(pilot, db, "margaret.thompson@example.com")
        _check_page(app, text, HomeScreen)
        # From Home: a list, then the first thing in it, then back to Home — for each part of the record.
        for button, listed, opened in (("#appointments", AppointmentsScreen, AppointmentScreen),
                                       ("#letters", LettersScreen, LetterScreen),
                                       ("#results", ResultsScreen, TrendScreen)):
            await press(pilot, button)
            _check_page(app, text, listed)
            await _enter(pilot)
            _check_page(app, text, opened)
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
        await press(pilot, "#my-details")
        assert isinstance(app.screen, MyDetailsScreen) and not app.faults


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=hostile)
def test_every_kiosk_page_shows_hostile_text_as_written(demo_template: Path, text: str) -> None:
    folder = Path(tempfile.mkdtemp(prefix="hostile-"))
    try:
        db = folder / "portal.db"
        shutil.copy(demo_template, db)
        _fill_record(db, text)
        asyncio.run(_walk(db, text))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
