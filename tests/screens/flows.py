"""Helpers for driving the kiosk through its flows in Pilot tests, over a real demo database."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path
from typing import TypeVar

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Input, Static

from data import schema
from data.demo import DEMO_PASSWORD, load_demo
from data.engine import make_engine
from data.identity.passwords import Argon2Hasher
from domain.clock import FixedClock
from portal_tui.app import KioskApp
from portal_tui.settings import Settings
from tests.conftest import FIXED_DAY, FIXED_NOW

ALL_SIZES = [(48, 16), (60, 20), (80, 24), (200, 60)]
"""The sizes the kiosk is laid out for: a large terminal font on a kiosk screen (48×16), a small window (60×20), a
standard terminal (80×24) and a large screen (200×60)."""
SMALL_SIZES = ALL_SIZES[:3]
"""Where a page of records or appointments can go wrong (a large screen shows the same page, wider)."""

W = TypeVar("W")

TEST_PIN = "2468"


def kiosk_settings(**overrides: object) -> Settings:
    """Kiosk settings for tests: demo mode, drama numbers allowed, a known PIN."""
    values: dict[str, object] = dict(database_url="sqlite:////nonexistent/unused.db", kiosk_pin=TEST_PIN,
                                     demo=True, allow_drama_numbers=True)
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo database built per test run; each test gets a copy."""
    from sqlalchemy.orm import Session

    path = tmp_path_factory.mktemp("demo") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    schema.upgrade(engine)
    with Session(engine) as session:
        load_demo(session, FIXED_DAY, Argon2Hasher(fast=True))
        session.commit()
    engine.dispose()
    return path


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "portal.db"
    shutil.copy(demo_template, copy)
    return copy


@pytest.fixture
def kiosk_on(demo_db: Path):  # type: ignore[no-untyped-def]
    def build(**overrides: object) -> KioskApp:
        settings = kiosk_settings(database_url=f"sqlite:///{demo_db}", **overrides)
        return KioskApp(settings, FixedClock(FIXED_NOW))

    return build


def last_code(db: Path, mobile_ending: str = "") -> str:
    """The six digits of the newest text in the outbox (what the patient's phone shows)."""
    with sqlite3.connect(db) as connection:
        body, = connection.execute("SELECT body FROM sms_message WHERE to_number LIKE ? ORDER BY created_at DESC, "
                                   "rowid DESC LIMIT 1", (f"%{mobile_ending}",)).fetchone()
    return re.match(r"(\d{6})", body).group(1)  # type: ignore[union-attr]


async def settle(pilot: Pilot) -> None:
    """Let the database workers finish and the screen catch up. Async workers are left alone: one may be
    waiting, rightly, for a dialog that the test has yet to answer."""
    for _ in range(2):
        threads = [worker for worker in pilot.app.workers if worker._thread_worker and worker.is_running]
        if threads:  # an empty list would mean "every worker" to wait_for_complete
            await pilot.app.workers.wait_for_complete(threads)
        await pilot.pause()


async def shown(pilot: Pilot, page: type, tries: int = 200) -> None:
    """Wait until `page` is on top, with its focus given: a key pressed before a page is there is the last page's."""
    for _ in range(tries):
        if isinstance(pilot.app.screen, page) and pilot.app.screen.focused is not None:
            return
        await pilot.pause(0.01)
    raise AssertionError(f"{page.__name__} never came; the app shows {type(pilot.app.screen).__name__}")


async def on_page(pilot: Pilot, selector: str, kind: type[W], tries: int = 500) -> W:
    """The widget, once the page that has it is on top: a click or a key that pushed a page has not always
    pushed it by the next pause on a loaded machine (as a person waits for the page before typing)."""
    for _ in range(tries):
        found = pilot.app.screen.query(selector)
        if found:
            return found.only_one(kind)
        await pilot.pause(0.01)
    raise AssertionError(f"{selector} never came; the app shows {type(pilot.app.screen).__name__}")


async def click_on(pilot: Pilot, selector: str, tries: int = 500) -> None:
    """Click a control once the page that has it is on top and laid out where the click goes: on a loaded machine
    a page can still be placing its controls, and a click at a place not yet the control's does nothing (the
    kiosk's welcome page at 48×16 stayed where it was); a control below the fold is scrolled to first, as a person
    would (a click at its place would land on what covers it: the footer)."""
    from textual.errors import NoWidget
    from textual.widget import Widget

    for _ in range(tries):
        control = await on_page(pilot, selector, Widget)
        if control.region:
            try:
                under, _ = pilot.app.get_widget_at(*control.region.offset)
            except NoWidget:
                under = None
            if (under is control or control in getattr(under, "ancestors", ())) and await pilot.click(control):
                return
        control.scroll_visible(animate=False, immediate=True)  # as a person scrolls to a control below the fold
        await pilot.pause(0.01)
    raise AssertionError(f"{selector} was never where a click would reach it on {type(pilot.app.screen).__name__}")


async def fill(pilot: Pilot, **answers: str) -> None:
    """Type answers into fields by id (field ids use '-', keyword names use '_')."""
    for name, value in answers.items():
        (await on_page(pilot, f"#{name.replace('_', '-')}-input", Input)).value = value
    await pilot.pause()


async def press_continue(pilot: Pilot) -> None:
    """Press Continue as Enter on a focused button would (a click misses a button scrolled out of view)."""
    button = await on_page(pilot, "#continue", Button)
    while button.has_class("-active"):  # Textual ignores a press during the last press's 0.2 s effect
        await pilot.pause(0.05)
    button.focus()
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot)


def _rendered(widget: Static) -> str:
    """A widget's words; a Rich renderable (a letter or article in Markdown) as a reader would see it."""
    from rich.console import Console
    from textual.visual import RichVisual

    visual = widget.render()
    if isinstance(visual, RichVisual):
        console = Console(width=100, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
        console.print(visual._renderable)
        return console.export_text()
    return str(visual)


def screen_text(app: KioskApp) -> str:
    """Everything written on the current screen."""
    parts = [_rendered(widget) for widget in app.screen.query(Static)]
    parts += [widget.value for widget in app.screen.query(Input)]
    parts += [str(button.label) for button in app.screen.query("Button")]
    return "\n".join(parts)


def all_text(app: KioskApp) -> str:
    """Everything written anywhere in the app: every screen on the stack, and every notification."""
    parts = []
    for screen in app.screen_stack:
        parts += [str(widget.render()) for widget in screen.query(Static)]
        parts += [widget.value for widget in screen.query(Input)]
    parts += [notification.message for notification in app._notifications]
    return "\n".join(parts)


async def signed_in(pilot: Pilot, db: Path, email: str) -> None:
    """Sign a demo patient in through the kiosk's services — their password, then the code texted to them — and
    let the app start their session, as the code page does. For a walk whose subject is a later page: the sign-in
    pages have walks of their own, and going through them was a third of every later walk's time."""
    import asyncio

    from domain.identifiers import EmailAddress
    from screens.kiosk.home import HomeScreen
    from screens.kiosk.verify_code import SignedIn

    services = pilot.app.services  # type: ignore[attr-defined]

    def sign_in() -> tuple[object, object]:
        ticket = services.sign_in(EmailAddress.parse(email), DEMO_PASSWORD)
        session = services.finish_sign_in(ticket.id, last_code(db))
        return session, services.my_details(session)

    session, details = await asyncio.to_thread(sign_in)
    pilot.app.post_message(SignedIn(session, details))  # type: ignore[arg-type]
    await shown(pilot, HomeScreen)
