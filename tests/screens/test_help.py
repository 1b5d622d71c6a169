"""The help centre and problem reports with the Pilot: F1 opens the article about the page; search forgives
spelling; a signed-out person reports a problem and gets a reference, the captured facts shown first and free of
patient data; staff reply from the desk's support inbox; the reply reaches the outbox, shows by reference, and
on a signed-in patient's Home."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pyotp

from screens.common.help import ArticleScreen, HelpCentreScreen, ReplyScreen, ReportProblemScreen, ReportSentScreen
from screens.desk.support import SupportInboxScreen, SupportReportScreen
from tests.conftest import FIXED_NOW
from tests.screens.flows import click_on, fill, screen_text, settle
from tests.screens.test_appointments import SIZE, press, sign_in_as
from tests.screens.test_desk import PASSWORD, desk_on, enrol


async def _report(pilot, tried: str, happened: str, mobile: str | None) -> str:  # type: ignore[no-untyped-def]
    app = pilot.app
    await fill(pilot, tried=tried, happened=happened)
    if mobile == "record":
        pass  # signed in: the record's mobile is chosen already
    elif mobile is not None:
        await fill(pilot, mobile=mobile)
    else:
        await click_on(pilot, "#none")
    await press(pilot, "#send")
    await settle(pilot)
    assert isinstance(app.screen, ReportSentScreen), screen_text(app)
    return app.screen.sent.reference


async def test_help_from_welcome_search_an_article_then_report_a_problem(kiosk_on, demo_db: Path) -> None:
    app = kiosk_on()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen) and app.screen.article.slug == "contact"  # about Welcome
        assert "01632 960 100" in screen_text(app)  # the trust's own contacts end every article
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HelpCentreScreen)
        await fill(pilot, **{"help-search": "reshedule"})
        await pilot.pause()
        assert "best first" in screen_text(app)
        app.screen.query_one("#articles").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen) and app.screen.article.slug == "changing-appointments"
        page = app.screen.query_one(".page")
        assert app.focused is page and page.scroll_y == 0  # it opens at its title, the text to read on
        await pilot.press("escape")
        await fill(pilot, **{"help-search": "qqqzzz"})
        await pilot.pause()
        assert "No articles match — here is how to contact us" in screen_text(app)
        await press(pilot, "#report")
        assert isinstance(app.screen, ReportProblemScreen)
        shown = screen_text(app)
        assert "Page: WelcomeScreen" in shown and f"Screen size: {SIZE[0]}x{SIZE[1]}" in shown
        assert "Place: kiosk" in shown
        await fill(pilot, tried="Sign in 🙂", happened="[red]It said[/red] nothing\x1b[31m")
        await fill(pilot, mobile="not a phone")
        await press(pilot, "#send")
        await settle(pilot)
        assert "Error:" in screen_text(app) and isinstance(app.screen, ReportProblemScreen)
        reference = await _report(pilot, "Sign in 🙂", "[red]It said[/red] nothing\x1b[31m", "07700 900123")
        assert reference.startswith("PR-") and reference in screen_text(app)
    with sqlite3.connect(demo_db) as db:
        row = db.execute("SELECT happened, reply_to, screen, place, patient_id, status FROM problem_report "
                         "WHERE reference = ?", (reference,)).fetchone()
    assert row == ("[red]It said[/red] nothing[31m", "+447700900123", "WelcomeScreen", "kiosk", None, "new")


async def test_three_reports_a_kiosk_then_a_clear_refusal(kiosk_on, demo_db: Path) -> None:
    app = kiosk_on()
    async with app.run_test(size=SIZE) as pilot:
        for n in range(3):
            app.action_report_problem()
            await pilot.pause()
            await _report(pilot, f"try {n}", "it broke", None)
            await pilot.press("enter")
            await pilot.pause()
        app.action_report_problem()
        await pilot.pause()
        await fill(pilot, tried="again", happened="still broken")
        await click_on(pilot, "#none")
        await press(pilot, "#send")
        await settle(pilot)
        assert "cannot take another just now" in screen_text(app)


async def test_staff_reply_reaches_the_outbox_the_reference_and_home(kiosk_on, demo_db: Path) -> None:
    """A signed-in patient reports with a reply to their record's mobile; staff reply at the desk; the text is
    queued; Home says "You have a reply"; reading it clears the notice."""
    app = kiosk_on()
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_as(pilot, demo_db, "margaret.thompson@example.com")
        await press(pilot, "#help")
        assert isinstance(app.screen, HelpCentreScreen) and not app.screen.query("#read-reply")
        await press(pilot, "#report")
        shown = screen_text(app)
        assert "Page: HomeScreen" in shown and "Margaret" not in shown.split("Tell us what went wrong")[1]
        reference = await _report(pilot, "Read my letters", "The list was empty", "record")

    secret = enrol(demo_db)
    desk = desk_on(demo_db)
    async with desk.run_test(size=(100, 34)) as pilot:
        await fill(pilot, username="sam.patel", password=PASSWORD, code=pyotp.TOTP(secret).at(FIXED_NOW))
        from tests.screens.flows import press_continue

        await press_continue(pilot)
        await pilot.press("f6")
        await settle(pilot)
        assert isinstance(desk.screen, SupportInboxScreen) and "1 report new" in screen_text(desk)
        assert [key.value for key in desk.screen.query_one("#reports").rows] == [reference]
        desk.screen.query_one("#reports").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(desk.screen, SupportReportScreen) and "The list was empty" in screen_text(desk)
        await fill(pilot, reply="Thank you. We have mended the letters list; please try again.")
        await press(pilot, "#send-reply")
        await settle(pilot)
        assert "Reply by Sam Patel" in screen_text(desk) and "Answered" in screen_text(desk)
    with sqlite3.connect(demo_db) as db:
        body, = db.execute("SELECT body FROM sms_message WHERE template = 'problem_reply'").fetchone()
        actions = [a for (a,) in db.execute("SELECT action FROM audit_event WHERE action LIKE 'problem_%' "
                                            "ORDER BY id")]
    assert body == f"Reply to your problem report {reference}: Thank you. We have mended the letters list; please try again."
    assert actions == ["problem_report", "problem_reply"]

    app = kiosk_on()
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_as(pilot, demo_db, "margaret.thompson@example.com")
        await settle(pilot)
        await pilot.pause()
        assert f"You have a reply to your problem report {reference}." in screen_text(app)
        await press(pilot, "#read-reply")
        assert isinstance(app.screen, ReplyScreen) and "We have mended the letters list" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        await settle(pilot)
        assert not app.screen.query_one("#reply-notice").display

    app = kiosk_on()
    async with app.run_test(size=SIZE) as pilot:  # signed out, by the reference
        await pilot.press("f1")
        await pilot.press("escape")
        await pilot.pause()
        await press(pilot, "#read-reply")
        await fill(pilot, reference="PR-NOSUCH")
        await press(pilot, "#show")
        await settle(pilot)
        assert "We could not find that reference" in screen_text(app)
        await fill(pilot, reference=reference.lower())
        await press(pilot, "#show")
        await settle(pilot)
        assert isinstance(app.screen, ReplyScreen) and "We have mended the letters list" in screen_text(app)


async def test_what_a_report_captures_holds_nothing_of_the_patient_on_any_page(kiosk_on, demo_db: Path) -> None:
    """On every page a signed-in patient can open, what a report would capture is the program's own names: no
    name, number, postcode, date of birth or mobile of theirs."""
    with sqlite3.connect(demo_db) as db:
        facts = db.execute("SELECT given_name, family_name, nhs_number, hospital_number, postcode, date_of_birth, "
                           "mobile, email FROM patient WHERE given_name = 'Margaret' AND family_name = 'Thompson'"
                           ).fetchone()
    secrets = [str(f) for f in facts if f] + [facts[2][-4:], facts[5].replace("-", "")]
    app = kiosk_on()
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_as(pilot, demo_db, "margaret.thompson@example.com")
        seen = []
        for button in ("#appointments", "#letters", "#results", "#my-details"):
            await press(pilot, button)
            await settle(pilot)
            seen.append(app.captured("E-TEST01"))
            if button == "#appointments":
                app.screen.query_one("OptionList").focus()
                await pilot.press("enter")
                await settle(pilot)
                seen.append(app.captured())
                await pilot.press("escape")
                await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
        app.action_help()
        await pilot.pause()
        seen.append(app.captured())
    pages = {c.screen for c in seen}
    assert {"AppointmentsScreen", "AppointmentScreen", "LettersScreen", "ResultsScreen", "MyDetailsScreen",
            "HomeScreen"} <= pages, pages
    for captured in seen:
        text = " ".join(value for _, value in captured.lines()).lower()
        assert not [s for s in secrets if s.lower() in text], (captured, secrets)


async def test_left_idle_in_help_the_kiosk_still_forgets_everything(kiosk_on, demo_db: Path) -> None:
    app = kiosk_on()
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_as(pilot, demo_db, "margaret.thompson@example.com")
        await press(pilot, "#help")
        await press(pilot, "#report")
        await fill(pilot, tried="something private")
        app.clock.advance(app.settings.kiosk_idle_seconds + 1)  # type: ignore[attr-defined]
        app.check_inactivity()
        await pilot.pause()
        assert app.patient_session is None and len(app.screen_stack) == 2  # welcome, "Your session has ended"
        assert "something private" not in screen_text(app)


async def test_staff_see_when_each_article_changed(demo_db: Path) -> None:
    desk = desk_on(demo_db)
    async with desk.run_test(size=(100, 34)) as pilot:
        await pilot.press("f1")  # on staff sign-in: no article is about it, so the help centre itself
        await pilot.pause()
        assert isinstance(desk.screen, HelpCentreScreen)
        first = desk.screen.query_one("#articles").get_option_at_index(0)
        assert "updated Tuesday 1 December 2026" in str(first.prompt)
