"""The kiosk in other languages (issue 20): every page under a pseudo-language that accents every letter and
makes every string 40% longer, at 80 and at 48 columns — nothing left in English but what the records hold, and
nothing cut off; the catalogue template in step with the code and each catalogue compiled from its .po."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.widgets import Input, OptionList

from domain import language as languages
from domain.language import PSEUDO, PSEUDO_CLOSE, PSEUDO_OPEN
from portal_tui.app import KioskApp
from portal_tui.settings import PARTNER_TRUST_NAME
from screens.common.table import PlainTable
from domain.clock import FixedClock
from tests.conftest import FIXED_NOW
from tests.screens.flows import kiosk_settings, settle
from tests.screens.pages import SETTINGS, TOURS, step
from tests.screens.test_speech import shown_on_screen

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"f1", "f2", "f3", "f4", "f5", "f7", "f8", "f12", "esc", "tab", "enter", "nhs", "ok", "pdf", "kb", "mb", "am",
        "pm"}
"""Words a translation keeps: the keys' names on the keyboard, and abbreviations every language uses."""


def _record_words(db: Path) -> set[str]:
    """Every word the demo database holds (names, clinics, sites, letters, results): shown as written."""
    words: set[str] = set()
    with sqlite3.connect(db) as connection:
        tables = [name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in connection.execute(f'SELECT * FROM "{table}"'):  # noqa: S608 (the schema's own names)
                for value in row:
                    if isinstance(value, str):
                        words |= _words(value)
    return words | _words(PARTNER_TRUST_NAME) | _words("West Hertfordshire Teaching Hospitals NHS Trust")


def _words(text: str) -> set[str]:
    """Its words, less those in capitals (a reference, a code): what a translation would change."""
    return {w.lower() for w in re.findall(r"[A-Za-z]{2,}", text) if not w.isupper()}


def english_left(shown: str) -> str:
    """What is on screen outside the pseudo-language's brackets, less email addresses (typed, or on a record)."""
    outside = re.sub(re.escape(PSEUDO_OPEN) + ".*?" + re.escape(PSEUDO_CLOSE), " ", shown, flags=re.DOTALL)
    return re.sub(r"\S+@\S+", " ", outside)


def _table_text(table: PlainTable) -> str:
    """A table's headings and every cell, as words."""
    rows = [" ".join(str(column.label) for column in table.columns.values())]
    rows += [" ".join(str(cell) for cell in table.get_row_at(row)) for row in range(table.row_count)]
    return "\n".join(rows)


def _list_text(options: OptionList) -> str:
    return "\n".join(str(options.get_option_at_index(n).prompt) for n in range(options.option_count))


def pseudo_kiosk(db: Path, **overrides: object) -> KioskApp:
    settings = replace(kiosk_settings(database_url=f"sqlite:///{db}", demo=False, **overrides),
                       default_language=PSEUDO)
    return KioskApp(settings, FixedClock(FIXED_NOW))


@pytest.fixture(scope="session")
def record_words(demo_template: Path) -> set[str]:
    """What the records hold, the help articles (the trust's own content: each shown in English until the trust
    adds its translation under domain/help/articles/<language>/), and each language's own name."""
    from domain.help.articles import load

    articles = " ".join(f"{a.title} {a.body}" for a in load())
    own_names = " ".join(language.own_name for language in languages.LANGUAGES.values())  # never translated
    return _record_words(demo_template) | _words(articles) | _words(own_names)


@pytest.mark.parametrize("tour, who, pages", TOURS, ids=[t[0] for t in TOURS])
async def test_every_page_in_a_pseudo_language(demo_db, record_words: set[str], tour: str, who: str,
                                               pages: list[str]) -> None:
    app = pseudo_kiosk(demo_db, **SETTINGS.get(tour, {}))
    problems: list[str] = []
    try:
        async with app.run_test(size=(80, 150)) as pilot:
            await pilot.pause()  # the welcome screen is still being composed
            for target in pages:
                if app.size != (80, 150):
                    await pilot.resize_terminal(80, 150)
                    await pilot.pause()
                await step(pilot, target, demo_db, who)
                await settle(pilot)
                problems += await _check_page(app, pilot, target, record_words)
    finally:
        languages.use(languages.ENGLISH)
    assert not problems, "\n".join(problems)


async def _check_page(app: KioskApp, pilot, target: str, record_words: set[str]) -> list[str]:  # type: ignore[no-untyped-def]
    problems: list[str] = []
    start = app.screen.focused
    for width in (80, 48):
        await pilot.resize_terminal(width, 150)
        await pilot.pause()
        tables = list(app.screen.query(PlainTable))
        lists = list(app.screen.query(OptionList))  # a list scrolls: its options wrap, never cut off
        cells = "\n".join([*map(_table_text, tables), *map(_list_text, lists)])
        for table in tables:  # a table scrolls sideways: its cells are checked against their columns
            problems += [f"at {width} columns, the {column.label} column of {target} cuts off {cell}"
                         for column in table.columns.values() if not column.auto_width
                         for cell in map(str, table.get_column(column.key))
                         if PSEUDO_OPEN in cell and cell_len(cell) > column.width]
        for scrolling in [*tables, *lists]:
            scrolling.display = False
        await pilot.pause()
        shown = shown_on_screen(app)
        for scrolling in [*tables, *lists]:
            scrolling.display = True
        app.screen.set_focus(start)  # hidden, a list lost the focus
        footer = " ".join(str(key.description) for key in app.screen.query("FooterKey"))
        typed = _words(" ".join(field.value for field in app.screen.query(Input)))
        left = _words(english_left("\n".join((shown, footer, cells)))) - record_words - KEYS - typed
        if left:
            problems.append(f"at {width} columns, in English on {target}: {sorted(left)}")
        opened, closed = shown.count(PSEUDO_OPEN), shown.count(PSEUDO_CLOSE)
        if opened != closed:
            problems.append(f"at {width} columns, {abs(opened - closed)} string(s) cut off on {target}:\n"
                            f"{shown}")
    # At the smallest real size, 48×16 (a large kiosk font), the longer words push nothing out of reach: each Tab
    # stop scrolls into view as it takes the focus (then back where the focus began, for the tour's next step).
    # A page scrolls at 80×24 as it does there, with less to scroll: one pass, at the harder size.
    if target != "idle-warning":  # any key there is the patient carrying on
        for size in ((48, 16),):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            for _ in range(len(app.screen.focus_chain)):
                await pilot.press("tab")
                await pilot.pause()
                focused = app.screen.focused
                if focused is not None and not app.screen.region.overlaps(focused.region):
                    problems.append(f"at {size[0]}×{size[1]} the focus went out of view on {target}: "
                                    f"{focused}")
        app.screen.set_focus(start)  # a page that scrolls at 48×16 has one more stop: its scrolling part
    return problems


def test_the_template_holds_every_marked_string(tmp_path: Path) -> None:
    """`make messages` was run: what the code marks is what the template lists (a string marked but not extracted
    would never reach a translator)."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

    keywords = {**DEFAULT_KEYWORDS, "_t": (2,)}  # as the Makefile's `pybabel extract -k _t:2`
    marked: set[str] = set()
    for folder in ("domain", "screens", "portal_tui"):
        for _file, _line, message, _comments, _context in extract_from_dir(ROOT / folder, [("**.py", "python")],
                                                                           keywords=keywords):
            marked.add(message if isinstance(message, str) else message[0])
    listed = languages.template_messages()
    assert sorted(marked - listed) == [], "marked but not in domain/locale/portal.pot: run `make messages`"
    assert sorted(listed - marked) == [], "in the template but no longer marked: run `make messages`"


@pytest.mark.parametrize("code", languages.SHIPPED)
def test_each_catalogue_is_compiled_from_its_source(code: str) -> None:
    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    folder = ROOT / "domain" / "locale" / code / "LC_MESSAGES"
    with (folder / "portal.po").open("rb") as source, (folder / "portal.mo").open("rb") as compiled:
        written = {_key(m.id): _key(m.string) for m in read_po(source) if m.id and any(_key(m.string))
                   and not m.fuzzy}
        built = {_key(m.id): _key(m.string) for m in read_mo(compiled) if m.id}
    assert built == written, f"{code}: portal.mo is not compiled from portal.po: run `make messages`"


def _key(value: object) -> tuple[str, ...]:
    """A message's id or text as a tuple (a plural's forms are a list in one reader, a tuple in the other)."""
    return tuple(value) if isinstance(value, (list, tuple)) else (str(value),)


# --- a patient's own language ----------------------------------------------------------------------------------

def _texts(db: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT template, language, body FROM sms_message ORDER BY created_at, rowid").fetchall()


def _language_of(db: Path, email: str) -> str | None:
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT p.language FROM patient p JOIN patient_account a ON a.patient_id = p.id "
                                  "WHERE a.email = ?", (email,)).fetchone()[0]


async def test_no_language_is_offered_until_the_trust_lists_one_as_reviewed(kiosk_on) -> None:  # type: ignore[no-untyped-def]
    app = kiosk_on()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not app.screen.query(".language-button")


async def test_a_polish_patient_chooses_polish_signs_in_reschedules_and_is_texted_in_polish(kiosk_on, demo_db) -> None:  # type: ignore[no-untyped-def]
    from screens.common.reschedule import CheckChangeScreen, RescheduledScreen, RescheduleDayScreen
    from screens.kiosk.home import HomeScreen
    from tests.screens.flows import screen_text, shown
    from tests.screens.test_appointments import open_first_upcoming, press

    app = kiosk_on(languages=("pl", "ro"))
    try:
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.pause()
            buttons = [str(b.label) for b in app.screen.query(".language-button")]
            assert buttons == ["Polski", "Română"]  # each in its own name
            await press(pilot, "#language-pl")
            await settle(pilot)
            assert "Witamy" in screen_text(app) and "Zaloguj się" in screen_text(app)
            assert app.screen.focused is not None and app.screen.focused.id == "sign-in"
            assert [str(b.label) for b in app.screen.query(".language-button")] == ["English", "Română"]
            email = "margaret.thompson@example.com"
            await open_first_upcoming(pilot, demo_db, email)
            code = next(body for template, _, body in reversed(_texts(demo_db)) if template == "one_time_code")
            assert "to Twój kod do portalu pacjenta" in code  # the code came in the language chosen
            assert _language_of(demo_db, email) == "pl"  # kept on the record as they signed in
            assert "Szczegóły wizyty" in screen_text(app)
            await press(pilot, "#reschedule")
            assert isinstance(app.screen, RescheduleDayScreen)
            assert "Możesz zmienić tę wizytę jeszcze 2 razy" in screen_text(app)
            await pilot.press("down", "enter")
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, CheckChangeScreen)
            await press(pilot, "#confirm")
            assert isinstance(app.screen, RescheduledScreen), screen_text(app)
            assert "Twoja wizyta została zmieniona" in screen_text(app)
            template, language, body = _texts(demo_db)[-1]
            assert (template, language) == ("reschedule_confirmation", "pl")
            assert "Twoja wizyta w szpitalu" in body and "Pytania? Zadzwoń" in body
            app.end_session("You have signed out.")  # the idle wipe, a sign-out: the trust's own language again
            await settle(pilot)
            assert languages.current() == languages.ENGLISH
            await pilot.press("enter")
            await shown(pilot, type(app.screen_stack[0]))
            assert "Welcome" in screen_text(app)

        # The next visit: nothing chosen at the welcome page, and Home is in Polish from the record.
        again = kiosk_on(languages=("pl", "ro"))
        async with again.run_test(size=(100, 40)) as pilot:
            from tests.screens.test_appointments import sign_in_as

            await sign_in_as(pilot, demo_db, email)
            assert isinstance(again.screen, HomeScreen) and "Dzień dobry, Margaret" in screen_text(again)
    finally:
        languages.use(languages.ENGLISH)


async def test_my_details_changes_the_language_for_the_kiosk_and_the_texts(kiosk_on, demo_db) -> None:  # type: ignore[no-untyped-def]
    from screens.common.my_details import MyDetailsScreen
    from tests.screens.flows import screen_text
    from tests.screens.test_appointments import press, sign_in_as

    app = kiosk_on(languages=("pl", "ro"))
    try:
        async with app.run_test(size=(100, 40)) as pilot:
            await sign_in_as(pilot, demo_db, "harry.wilson@example.com")
            await press(pilot, "#my-details")
            assert isinstance(app.screen, MyDetailsScreen)
            assert "The portal and your texts are in English." in screen_text(app)
            await press(pilot, "#language-ro")
            for _ in range(100):
                if isinstance(app.screen, MyDetailsScreen) and "Datele mele" in screen_text(app):
                    break
                await pilot.pause(0.02)
            assert "Portalul și mesajele dumneavoastră sunt în Română." in screen_text(app)
            assert _language_of(demo_db, "harry.wilson@example.com") == "ro"
            assert len(app.screen_stack) == 3  # welcome, Home, My Details: built again in Romanian
            with sqlite3.connect(demo_db) as connection:
                assert connection.execute("SELECT detail FROM audit_event WHERE action = 'language'").fetchall() == [
                    ("en -> ro",)]
    finally:
        languages.use(languages.ENGLISH)


def test_a_language_is_offered_only_once_its_catalogue_ships() -> None:
    from portal_tui.settings import SettingsError, load_settings

    env = {"PORTAL_DATABASE_URL": "sqlite:///x.db", "PORTAL_DEMO": "true", "PORTAL_KIOSK_PIN": "2468"}
    assert load_settings({**env, "PORTAL_LANGUAGES": "pl, ro"}).languages == ("pl", "ro")
    with pytest.raises(SettingsError, match="'ur' is not a language the kiosk has a catalogue for"):
        load_settings({**env, "PORTAL_LANGUAGES": "ur"})
    with pytest.raises(SettingsError, match="must be English or one of the reviewed languages"):
        load_settings({**env, "PORTAL_DEFAULT_LANGUAGE": "pl"})
    assert load_settings({**env, "PORTAL_LANGUAGES": "pl", "PORTAL_DEFAULT_LANGUAGE": "pl"}).default_language == "pl"


def test_a_text_goes_to_its_languages_notify_template() -> None:
    from data.messaging.senders import NotifySender
    from domain.messaging.model import SmsMessage, SmsStatus, SmsTemplate

    sender = NotifySender.__new__(NotifySender)
    sender._templates = {"pl": "polish-body", "reminder.pl": "polish-reminder", "reminder": "english-reminder"}
    sender._default = "english-body"

    def text(template: SmsTemplate, language: str) -> SmsMessage:
        return SmsMessage("id", "+447700900123", template, "…", SmsStatus.QUEUED, FIXED_NOW, FIXED_NOW,
                          language=language)

    assert sender.template_for(text(SmsTemplate.REMINDER, "pl")) == "polish-reminder"
    assert sender.template_for(text(SmsTemplate.ONE_TIME_CODE, "pl")) == "polish-body"
    assert sender.template_for(text(SmsTemplate.REMINDER, "en")) == "english-reminder"
    assert sender.template_for(text(SmsTemplate.ONE_TIME_CODE, "ro")) == "english-body"


def test_dates_and_plurals_in_each_language() -> None:
    from datetime import datetime, timezone

    from domain.formatting import nhs_datetime

    at = datetime(2026, 12, 14, 9, 30, tzinfo=timezone.utc)
    assert nhs_datetime(at, "en") == "Monday 14 December 2026, 9.30am"
    assert nhs_datetime(at, "pl") == "poniedziałek 14 grudnia 2026, 9:30"
    assert nhs_datetime(at, "ro") == "luni 14 decembrie 2026, 9:30"
    polish = languages.translation("pl")
    forms = [polish.ngettext("{count} letter", "{count} letters", n).format(count=n) for n in (1, 3, 5, 22, 112)]
    assert forms == ["1 list", "3 listy", "5 listów", "22 listy", "112 listów"]  # Polish's three forms


@pytest.mark.parametrize("size", [(80, 24), (48, 16)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_welcome_page_in_polish_snapshot(snap_compare, kiosk_on, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    """The languages on the banner, each in its own name, and the page in the one chosen."""
    async def choose(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        pilot.app.choose_language("pl")
        await settle(pilot)
        await pilot.pause()

    try:
        assert snap_compare(kiosk_on(languages=("pl", "ro")), terminal_size=size, run_before=choose)
    finally:
        languages.use(languages.ENGLISH)
