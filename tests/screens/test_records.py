"""Letters and test results at the kiosk: newest first with NEW until read, filters, a PDF that explains
itself, results grouped with flags in words, and one test's trend with the same figures as a table."""

from __future__ import annotations

from textual.widgets import DataTable, OptionList, Select

from domain.hospital import TrustCode
from domain.records.model import DocumentKind
from screens.common.appointments import LetterScreen
from screens.common.records import LettersScreen, ResultsScreen, TrendChart, TrendScreen
from tests.screens.flows import screen_text, settle
from tests.screens.test_appointments import SIZE, press, sign_in_as


def prompts(app) -> list[str]:  # type: ignore[no-untyped-def]
    letters = app.screen.query_one("#letters", OptionList)
    return [str(letters.get_option_at_index(i).prompt) for i in range(letters.option_count)]


async def test_letters_newest_first_filtered_and_read(kiosk_on, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = kiosk_on()
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_as(pilot, demo_db, "rosa.fernandez@example.com")
        await press(pilot, "#letters")
        assert isinstance(app.screen, LettersScreen)
        dates = [d.written_at for d in app.screen.documents]
        assert dates == sorted(dates, reverse=True) and all(p.startswith("NEW") for p in prompts(app))
        assert [p for p in prompts(app) if "cannot show here" in p] == [
            p for p in prompts(app) if "(scanned letter)" in p]  # the PDF, and only the PDF
        assert any("cannot show here (182 KB)" in p for p in prompts(app))
        app.screen.query_one("#trust-filter", Select).value = TrustCode.ROYAL_FREE
        await settle(pilot)
        await pilot.pause()
        assert {d.trust for d in app.screen.documents} == {TrustCode.ROYAL_FREE}
        app.screen.query_one("#kind-filter", Select).value = DocumentKind.APPOINTMENT_CONFIRMATION
        await settle(pilot)
        await pilot.pause()
        assert {d.kind for d in app.screen.documents} == {DocumentKind.APPOINTMENT_CONFIRMATION}
        app.screen.query_one("#letters", OptionList).focus()
        await pilot.press("enter")
        await settle(pilot)
        await pilot.pause()
        assert isinstance(app.screen, LetterScreen) and "Dear Rosa" in str(app.screen.letter.body_markdown)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.pause()
        assert not app.screen.documents[0].is_new and not prompts(app)[0].startswith("NEW")


async def test_results_in_words_and_a_trend(kiosk_on, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = kiosk_on()
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_as(pilot, demo_db, "chidi.okonkwo@example.com")
        await press(pilot, "#results")
        assert isinstance(app.screen, ResultsScreen)
        table = app.screen.query_one("#results", DataTable)
        cells = [str(c) for row in range(table.row_count) for c in table.get_row_at(row)]
        for words in ("High", "Low", "Abnormal", "No range given", "up to 5", "12 to 22", "West Herts"):
            assert any(words in c for c in cells), words
    app = kiosk_on()
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_as(pilot, demo_db, "eileen.doherty@example.com")
        await press(pilot, "#results")
        await pilot.press("enter")  # the first test, under the newest heading
        await settle(pilot)
        await pilot.pause()
        assert isinstance(app.screen, TrendScreen), screen_text(app)
        assert [r.value_number for r in app.screen.results] == [52, 49, 47, 45, 43]
        chart = str(app.screen.query_one(TrendChart).render())
        assert chart.count("●") == 6 and "┄" in chart  # five results and the key; the upper limit
        assert app.screen.query_one("#history", DataTable).row_count == 5


def import_for(db, given: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Royal Free records for a demo patient, through the real importer (matched by NHS number)."""
    import sqlite3

    from data.engine import make_engine
    from data.records.fhir_import import import_fhir
    from tests.conftest import FIXED_NOW
    from tests.data import fhir_fixtures as fx

    with sqlite3.connect(db) as connection:
        nhs, = connection.execute("SELECT nhs_number FROM patient WHERE given_name = ?", (given,)).fetchone()
    visits = [{"resourceType": "Encounter", "id": f"e{n}", "status": status,
               "class": {"code": code}, "type": [{"text": title}], "subject": {"reference": "Patient/p"},
               "period": {"start": start}}
              for n, (code, status, title, start) in enumerate([
                  ("EMER", "finished", "Emergency department attendance", "2026-11-02T21:10:00+00:00"),
                  ("IMP", "finished", "Admission to the surgical assessment unit for observation", "2025-03-14T10:00:00+00:00"),
                  ("AMB", "cancelled", "Cardiology follow-up", "2024-07-01T09:30:00+01:00")])]
    path = fx.write_ndjson(tmp_path / "rf.ndjson", [fx.patient("p", nhs=nhs), *visits,
                                                    fx.document("d", "p", "Line one.\nLine two.", loinc="34111-5",
                                                                title="Emergency department note",
                                                                when="2026-11-24T08:00:00+00:00")])
    engine = make_engine(f"sqlite:///{db}")
    report = import_fhir(engine, [str(path)], TrustCode.ROYAL_FREE, now=lambda: FIXED_NOW)
    engine.dispose()
    assert report.errors == []


async def test_visits_on_record_and_a_note_shown_as_written(kiosk_on, demo_db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from screens.common.appointments import AppointmentsScreen

    import_for(demo_db, "Aisha", tmp_path)
    app = kiosk_on()
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_as(pilot, demo_db, "aisha.rahman@example.com")
        await press(pilot, "#appointments")
        assert isinstance(app.screen, AppointmentsScreen)
        table = app.screen.query_one("#visits", DataTable)
        rows = [[str(c) for c in table.get_row_at(r)] for r in range(table.row_count)]
        assert [row[0] for row in rows] == ["2 November 2026", "14 March 2025", "1 July 2024"]  # newest first
        assert rows[1][1] == "Hospital stay\nAdmission to the surgical assessment…"
        assert [(row[2], row[3]) for row in rows] == [("Royal Free", "Attended"), ("Royal Free", "Attended"),
                                                     ("Royal Free", "Cancelled")]
        await pilot.press("escape")
        await settle(pilot)
        await press(pilot, "#letters")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.pause()
        assert isinstance(app.screen, LetterScreen)
        assert "Clinical note from Royal Free" in screen_text(app) and "Line one.\nLine two." in screen_text(app)


async def test_a_patient_with_thousands_of_results_reads_them_a_page_at_a_time(kiosk_on, demo_db) -> None:  # type: ignore[no-untyped-def]
    """2,000 results: the page opens with the newest 300; "Show earlier results" adds the next 300 under them,
    and the last page has no such button."""
    import sqlite3
    from datetime import timedelta

    from domain.records.reading import RESULTS_PAGE
    from tests.conftest import FIXED_NOW

    with sqlite3.connect(demo_db) as connection:
        (patient_id,) = connection.execute("SELECT id FROM patient WHERE given_name = 'Trevor'").fetchone()
        connection.executemany(
            "INSERT INTO test_result (patient_id, trust_code, taken_at, panel, test_name, value_text, "
            "value_number, flag) VALUES (?, 'RWG', ?, 'Daily glucose', 'Glucose', ?, ?, 'no_range')",
            [(patient_id, (FIXED_NOW - timedelta(hours=6 * n)).strftime("%Y-%m-%d %H:%M:%S.000000"), str(n % 9 + 4),
              n % 9 + 4) for n in range(1, 2001)])
    app = kiosk_on()
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_as(pilot, demo_db, "trevor.baptiste@example.com")
        await press(pilot, "#results")
        assert isinstance(app.screen, ResultsScreen)
        shown = lambda: sum(len(g.results) for g in app.screen.groups)  # noqa: E731
        assert shown() == RESULTS_PAGE and app.screen.earlier is not None
        taken = [r.taken_at for g in app.screen.groups for r in g.results]
        await press(pilot, "#earlier")
        assert shown() == 2 * RESULTS_PAGE
        later = [r.taken_at for g in app.screen.groups[-5:] for r in g.results]
        assert max(later) < min(taken)  # the next page is earlier than the first
        for _ in range(10):
            if app.screen.earlier is None:
                break
            await press(pilot, "#earlier")
        assert app.screen.earlier is None and not app.screen.query("#earlier")
        assert shown() >= 2000


async def test_many_letters_show_the_newest_first_and_more_on_asking(kiosk_on, demo_db) -> None:  # type: ignore[no-untyped-def]
    import sqlite3
    from datetime import timedelta

    from domain.records.reading import LETTERS_PAGE
    from tests.conftest import FIXED_NOW

    with sqlite3.connect(demo_db) as connection:
        (patient_id,) = connection.execute("SELECT id FROM patient WHERE given_name = 'Trevor'").fetchone()
        connection.executemany(
            "INSERT INTO document (patient_id, trust_code, kind, title, written_at, content_type, size_bytes, "
            "body_markdown) VALUES (?, 'RWG', 'clinic_outcome', ?, ?, 'text/plain', 5, 'Hello')",
            [(patient_id, f"Clinic letter {n}", (FIXED_NOW - timedelta(days=n)).strftime("%Y-%m-%d %H:%M:%S.000000"))
             for n in range(1, 251)])
        (total,) = connection.execute("SELECT count(*) FROM document WHERE patient_id = ?", (patient_id,)).fetchone()
    app = kiosk_on()
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_as(pilot, demo_db, "trevor.baptiste@example.com")
        await press(pilot, "#letters")
        assert isinstance(app.screen, LettersScreen)
        assert len(app.screen.documents) == LETTERS_PAGE and app.screen.total == total
        assert f"{total} letters (the newest {LETTERS_PAGE} shown)" in screen_text(app)
        await press(pilot, "#earlier-letters")
        assert len(app.screen.documents) == 2 * LETTERS_PAGE
        await press(pilot, "#earlier-letters")
        assert len(app.screen.documents) == total and not app.screen.query_one("#earlier-letters").display


async def test_visits_load_a_page_at_a_time_with_their_count(kiosk_on, demo_db) -> None:  # type: ignore[no-untyped-def]
    """A long illness: 150 visits on record. The page lists the newest 100 and says how many there are; "Show
    earlier visits" adds the rest, and goes once everything shows."""
    import sqlite3
    from datetime import timedelta

    from screens.common.appointments import AppointmentsScreen
    from domain.records.reading import VISITS_SHOWN
    from tests.conftest import FIXED_NOW

    with sqlite3.connect(demo_db) as connection:
        (patient_id,) = connection.execute("SELECT id FROM patient WHERE given_name = 'Trevor'").fetchone()
        connection.executemany(
            "INSERT INTO visit (patient_id, trust_code, kind, status, started_at, title) "
            "VALUES (?, 'RAL', 'outpatient', 'finished', ?, ?)",
            [(patient_id, (FIXED_NOW - timedelta(days=7 * n)).strftime("%Y-%m-%d %H:%M:%S.000000"), f"Renal review {n}")
             for n in range(1, 151)])
    app = kiosk_on()
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_as(pilot, demo_db, "trevor.baptiste@example.com")
        await press(pilot, "#appointments")
        assert isinstance(app.screen, AppointmentsScreen)
        assert len(app.screen.visits) == VISITS_SHOWN and app.screen.visit_total == 150
        assert f"Hospital visits on record (150, the newest {VISITS_SHOWN} shown)" in screen_text(app)
        await press(pilot, "#earlier-visits")
        assert len(app.screen.visits) == 150 and not app.screen.query("#earlier-visits")
        assert "Hospital visits on record (150)" in screen_text(app)


async def test_a_letter_of_megabytes_is_read_a_page_at_a_time(kiosk_on, demo_db) -> None:  # type: ignore[no-untyped-def]
    """A 1 MB Markdown table and a 5 MB plain letter froze the kiosk (120 s at 1.5 GB): each is laid out a few
    screenfuls at a time, with Next page and Previous page, and nothing of it is lost between pages."""
    import sqlite3

    table = "| Test | Result |\n|---|---|\n" + "".join(f"| Sodium {n} | {n} mmol/L |\n" for n in range(40_000))
    with sqlite3.connect(demo_db) as c:
        c.execute("UPDATE document SET body_markdown = ? WHERE body_markdown IS NOT NULL AND patient_id = "
                  "(SELECT id FROM patient WHERE given_name = 'Rosa')", (table,))
    app = kiosk_on()
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_as(pilot, demo_db, "rosa.fernandez@example.com")
        await press(pilot, "#letters")
        letters = app.screen.query_one("#letters", OptionList)
        letters.focus()
        letters.highlighted = 0  # the newest: a letter, not the scanned PDF
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LetterScreen)
        pages = app.screen.pages
        assert len(pages) > 50 and max(len(p) for p in pages) <= 12_000
        assert sum(len(p) for p in pages) >= len(table) - 2 * len(pages)  # only the breaks between pages go
        assert f"Page 1 of {len(pages)}" in screen_text(app)
        await press(pilot, "#next-page")
        await press(pilot, "#next-page")
        assert f"Page 3 of {len(pages)}" in screen_text(app) and not app.screen.query_one("#previous-page").disabled
        await press(pilot, "#previous-page")
        assert f"Page 2 of {len(pages)}" in screen_text(app) and not app.faults


async def test_a_letter_at_the_kiosk_masks_the_nhs_number_until_f4(kiosk_on, demo_db) -> None:  # type: ignore[no-untyped-def]
    """Hazard 8: letters opened at the kiosk showed the full NHS number while the banner masked it. The letter
    masks it the same way; F4 shows it in both, and hides it again."""
    app = kiosk_on()
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_as(pilot, demo_db, "rosa.fernandez@example.com")
        await press(pilot, "#letters")
        app.screen.query_one("#kind-filter", Select).value = DocumentKind.APPOINTMENT_CONFIRMATION
        await settle(pilot)
        await pilot.pause()
        app.screen.query_one("#letters", OptionList).focus()
        await pilot.press("enter")
        await settle(pilot)
        await pilot.pause()
        assert isinstance(app.screen, LetterScreen)
        details = app.screen.ctx.details
        assert details.nhs_number and details.nhs_number in str(app.screen.letter.body_markdown)
        text = screen_text(app)
        assert details.nhs_number not in text and details.masked_nhs_number.split()[-1] in text
        await pilot.press("f4")
        await pilot.pause()
        assert screen_text(app).count(details.nhs_number) >= 2  # the banner and the letter
        await pilot.press("f4")
        await pilot.pause()
        assert details.nhs_number not in screen_text(app)
