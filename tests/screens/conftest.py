"""A kiosk app for Pilot and snapshot tests: fixed clock, fixed settings, no cursor blink."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from domain.clock import FixedClock
from portal_tui.app import KioskApp
from portal_tui.settings import Settings
from tests.conftest import FIXED_NOW

TEST_PIN = "2468"


def kiosk_settings(**overrides: object) -> Settings:
    values: dict[str, object] = dict(database_url="sqlite:////nonexistent/unused.db", kiosk_pin=TEST_PIN,
                                     demo=True, allow_drama_numbers=True)
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def make_kiosk():  # type: ignore[no-untyped-def]
    def build(**overrides: object) -> KioskApp:
        return KioskApp(kiosk_settings(**overrides), FixedClock(FIXED_NOW))

    return build


def still_inputs(app: KioskApp) -> None:
    """Snapshots must not depend on where a blinking cursor happened to be."""
    for widget in app.screen.query(Input):
        widget.cursor_blink = False
