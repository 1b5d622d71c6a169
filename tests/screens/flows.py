"""Helpers for driving the kiosk through its flows in Pilot tests, over a real demo database."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Input, Static

from data import schema
from data.demo import load_demo
from data.engine import make_engine
from data.identity.passwords import Argon2Hasher
from domain.clock import FixedClock
from portal_tui.app import KioskApp
from portal_tui.settings import Settings
from tests.conftest import FIXED_DAY, FIXED_NOW

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


async def fill(pilot: Pilot, **answers: str) -> None:
    """Type answers into fields by id (field ids use '-', keyword names use '_')."""
    for name, value in answers.items():
        pilot.app.screen.query_one(f"#{name.replace('_', '-')}-input", Input).value = value
    await pilot.pause()


async def press_continue(pilot: Pilot) -> None:
    """Press Continue as Enter on a focused button would (a click misses a button scrolled out of view)."""
    button = pilot.app.screen.query_one("#continue", Button)
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
