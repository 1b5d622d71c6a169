"""A kiosk app for Pilot and snapshot tests: fixed clock, fixed settings, no cursor blink."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from domain.clock import FixedClock
from portal_tui.app import KioskApp
from tests.conftest import FIXED_NOW

from tests.screens.flows import TEST_PIN, demo_db, demo_template, kiosk_on, kiosk_settings  # noqa: F401


@pytest.fixture
def make_kiosk():  # type: ignore[no-untyped-def]
    def build(**overrides: object) -> KioskApp:
        return KioskApp(kiosk_settings(**overrides), FixedClock(FIXED_NOW))

    return build


def still_inputs(app: KioskApp) -> None:
    """Snapshots must not depend on where a blinking cursor happened to be."""
    for widget in app.screen.query(Input):
        widget.cursor_blink = False


@pytest.fixture(autouse=True)
def strict_faults(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fault in a Pilot test fails that test (the app would otherwise recover from it, as it must at a kiosk)."""
    from portal_tui.portal_app import PortalApp

    monkeypatch.setattr(PortalApp, "strict_faults", True)
